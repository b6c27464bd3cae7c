// SPDX-License-Identifier: GPL-2.0-only
/*
 * Policy "sequential": large-window readahead for streaming loads.
 *
 * Per file: its size (from OPEN) and a high-water mark below which
 * everything has been asked for. OPEN prefetches [0, window); a MISS or
 * READAHEAD at off prefetches [max(off, mark), off + window), cut at the
 * size, and moves the mark; HIT is ignored (the window moves when the
 * reader runs past it). PRESSURE evicts whole closed files, least
 * recently closed first, until the pages asked for are covered; open files
 * are never evicted. A file the kernel no longer knows (ENOENT) is
 * forgotten.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "libmodelfs.h"

struct seq_file {
	uint64_t ino;
	uint64_t size;		/* valid if sized */
	uint64_t mark;		/* [0, mark) has been prefetched */
	uint64_t closed_at;	/* LRU stamp, valid if !open */
	bool sized;
	bool open;
};

struct seq_state {
	uint64_t window;
	uint64_t clock;
	struct seq_file *files;
	size_t nr, cap;
};

static struct seq_file *seq_find(struct seq_state *st, uint64_t ino)
{
	size_t i;

	for (i = 0; i < st->nr; i++)
		if (st->files[i].ino == ino)
			return &st->files[i];
	return NULL;
}

static struct seq_file *seq_get(struct seq_state *st, uint64_t ino)
{
	struct seq_file *f = seq_find(st, ino), *nf;
	size_t cap;

	if (f)
		return f;
	if (st->nr == st->cap) {
		cap = st->cap ? st->cap * 2 : 16;
		nf = realloc(st->files, cap * sizeof(*nf));
		if (!nf)
			return NULL;
		st->files = nf;
		st->cap = cap;
	}
	f = &st->files[st->nr++];
	*f = (struct seq_file){ .ino = ino, .open = true };
	return f;
}

static void seq_drop(struct seq_state *st, struct seq_file *f)
{
	*f = st->files[--st->nr];
}

/* Prefetch what follows an access at @off; may drop @f. */
static void seq_access(struct modelfs_rt *rt, struct seq_state *st,
		       struct seq_file *f, uint64_t off)
{
	uint64_t start, end;
	int ret;

	end = off + st->window;
	if (end < off)
		end = UINT64_MAX;
	if (f->sized && end > f->size)
		end = f->size;
	start = off > f->mark ? off : f->mark;
	if (start >= end)
		return;
	ret = modelfs_prefetch(rt, f->ino, start, end - start);
	if (ret == -ENOENT)
		seq_drop(st, f);
	else if (ret == 0)
		f->mark = end;
}

static void seq_prefetch(struct modelfs_rt *rt, void *state,
			 const struct modelfs_event *ev)
{
	struct seq_state *st = state;
	struct seq_file *f;

	switch (ev->type) {
	case MODELFS_EV_OPEN:
		f = seq_get(st, ev->ino);
		if (!f)
			return;
		f->open = true;
		f->sized = true;
		f->size = ev->len;
		if (f->mark > f->size)
			f->mark = f->size;
		seq_access(rt, st, f, 0);
		break;
	case MODELFS_EV_MISS:
	case MODELFS_EV_READAHEAD:
		f = seq_get(st, ev->ino);
		if (!f)
			return;
		f->open = true;
		seq_access(rt, st, f, ev->off);
		break;
	case MODELFS_EV_CLOSE:
		f = seq_find(st, ev->ino);
		if (!f)
			return;
		f->open = false;
		f->closed_at = ++st->clock;
		break;
	}
}

static struct seq_file *seq_oldest_closed(struct seq_state *st)
{
	struct seq_file *best = NULL;
	size_t i;

	for (i = 0; i < st->nr; i++) {
		struct seq_file *f = &st->files[i];

		if (!f->open && (!best || f->closed_at < best->closed_at))
			best = f;
	}
	return best;
}

static void seq_evict(struct modelfs_rt *rt, void *state,
		      const struct modelfs_event *ev)
{
	struct seq_state *st = state;
	uint64_t want = ev->len, len, pages;
	struct seq_file *f;

	if (ev->type != MODELFS_EV_PRESSURE)
		return;
	while (want > 0 && (f = seq_oldest_closed(st))) {
		/* without a size, what we prefetched is what we know of */
		len = f->sized ? f->size : f->mark;
		if (len > 0 && modelfs_evict(rt, f->ino, 0, len) == 0) {
			pages = len / MODELFS_PAGE_SIZE +
				!!(len % MODELFS_PAGE_SIZE);
			want = pages >= want ? 0 : want - pages;
		}
		/*
		 * Evicted, gone (ENOENT) or refused: forget it either way so
		 * that it is not picked again.
		 */
		seq_drop(st, f);
	}
}

static int seq_init(struct modelfs_rt *rt, const struct modelfs_policy_opts *opts,
		    void **state)
{
	struct seq_state *st;

	(void)rt;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->window = opts->window ? opts->window : MODELFS_SEQ_WINDOW_DEFAULT;
	*state = st;
	return 0;
}

static void seq_exit(void *state)
{
	struct seq_state *st = state;

	if (!st)
		return;
	free(st->files);
	free(st);
}

const struct modelfs_policy modelfs_policy_sequential = {
	.name = "sequential",
	.init = seq_init,
	.exit = seq_exit,
	.prefetch = seq_prefetch,
	.evict = seq_evict,
};
