// SPDX-License-Identifier: GPL-2.0-only
/*
 * Policy "aggregate": prefetch one file over several parallel streams.
 *
 * For lowers whose single stream is slow (network and object-store
 * filesystems): on OPEN the file is split into `streams` contiguous
 * stripes, and PREFETCH chunks go out round-robin over the stripes, so
 * that the kernel's workqueue reads them in parallel and each stripe stays
 * a sequential stream for the lower filesystem. Each stripe keeps its
 * share of the window (window / stripes) prefetched ahead of the reader's
 * position in it; HIT and MISS move that position, READAHEAD shows what
 * the kernel reads by itself. PRESSURE evicts closed files, least recently
 * closed first, then what readers have passed in open files.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "libmodelfs.h"

#define AGG_CHUNK (2ULL << 20)
#define AGG_PAGE_MASK (~(MODELFS_PAGE_SIZE - 1))

struct agg_stripe {
	uint64_t start, end;
	uint64_t cur;		/* [start, cur) has been asked for */
	uint64_t cons;		/* readers are past [start, cons) */
	uint64_t ev;		/* [start, ev) has been evicted */
};

struct agg_file {
	uint64_t ino;
	uint64_t size;
	uint64_t closed_at;	/* LRU stamp, valid if !open */
	bool open;
	bool gone;		/* to be dropped */
	uint64_t stripe;	/* bytes per stripe but maybe the last */
	uint64_t ws;		/* window per stripe */
	uint64_t chunk;
	unsigned int nr;	/* stripes */
	unsigned int rr;	/* the stripe whose turn is next */
	struct agg_stripe *s;
};

struct agg_state {
	uint64_t window;
	unsigned int streams;
	uint64_t clock;
	struct agg_file **files;
	size_t nr, cap;
};

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static struct agg_file *agg_find(struct agg_state *st, uint64_t ino)
{
	size_t i;

	for (i = 0; i < st->nr; i++)
		if (st->files[i]->ino == ino)
			return st->files[i];
	return NULL;
}

static void agg_free_file(struct agg_file *f)
{
	free(f->s);
	free(f);
}

static void agg_reap(struct agg_state *st)
{
	size_t i = 0;

	while (i < st->nr) {
		if (st->files[i]->gone) {
			agg_free_file(st->files[i]);
			st->files[i] = st->files[--st->nr];
		} else {
			i++;
		}
	}
}

/* Split @f (of @size bytes) into page-aligned stripes. */
static int agg_split(struct agg_state *st, struct agg_file *f, uint64_t size)
{
	uint64_t per, pages = size / MODELFS_PAGE_SIZE +
			      !!(size % MODELFS_PAGE_SIZE);
	struct agg_stripe *s = NULL;
	unsigned int i, nr = 0;

	if (pages) {
		per = (pages + st->streams - 1) / st->streams *
		      MODELFS_PAGE_SIZE;
		nr = (unsigned int)((size + per - 1) / per);
		s = calloc(nr, sizeof(*s));
		if (!s)
			return -ENOMEM;
		for (i = 0; i < nr; i++) {
			s[i].start = i * per;
			s[i].end = min64(size, s[i].start + per);
			s[i].cur = s[i].cons = s[i].ev = s[i].start;
		}
		f->stripe = per;
		f->ws = (st->window / nr) & AGG_PAGE_MASK;
		f->chunk = min64(AGG_CHUNK, f->ws);
	}
	free(f->s);
	f->s = s;
	f->nr = nr;
	f->rr = 0;
	f->size = size;
	return 0;
}

/* Round-robin over the stripes while any has room in its window. */
static void agg_refill(struct modelfs_rt *rt, struct agg_file *f)
{
	unsigned int idle = 0;
	struct agg_stripe *s;
	uint64_t len;
	int ret;

	if (!f->open || f->gone)
		return;
	while (idle < f->nr) {
		s = &f->s[f->rr];
		f->rr = (f->rr + 1) % f->nr;
		s->cur = max64(s->cur, s->cons);
		len = min64(f->chunk, s->end - s->cur);
		if (s->cur >= s->end || s->cur + len - s->cons > f->ws) {
			idle++;
			continue;
		}
		ret = modelfs_prefetch(rt, f->ino, s->cur, len);
		if (ret == -ENOENT) {
			f->gone = true;
			return;
		}
		/* a refused chunk is skipped, not retried */
		s->cur += len;
		idle = 0;
	}
}

static void agg_access(struct agg_file *f, uint32_t type, uint64_t off,
		       uint64_t len)
{
	uint64_t end;
	unsigned int i;

	if (off >= f->size || len == 0)
		return;
	end = len > f->size - off ? f->size : off + len;
	i = (unsigned int)(off / f->stripe);
	if (type == MODELFS_EV_READAHEAD) {
		/* the reader is somewhere before off; the kernel reads the rest */
		f->s[i].cons = max64(f->s[i].cons, off);
		for (; i < f->nr && f->s[i].start < end; i++)
			f->s[i].cur = max64(f->s[i].cur, min64(end, f->s[i].end));
		return;
	}
	for (; i < f->nr && f->s[i].start < end; i++)
		f->s[i].cons = max64(f->s[i].cons, min64(end, f->s[i].end));
}

static void agg_prefetch(struct modelfs_rt *rt, void *state,
			 const struct modelfs_event *ev)
{
	struct agg_state *st = state;
	struct agg_file *f = agg_find(st, ev->ino), **nf;
	size_t cap;

	switch (ev->type) {
	case MODELFS_EV_OPEN:
		if (!f) {
			if (st->nr == st->cap) {
				cap = st->cap ? st->cap * 2 : 16;
				nf = realloc(st->files, cap * sizeof(*nf));
				if (!nf)
					return;
				st->files = nf;
				st->cap = cap;
			}
			f = calloc(1, sizeof(*f));
			if (!f)
				return;
			f->ino = ev->ino;
			if (agg_split(st, f, ev->len) < 0) {
				free(f);
				return;
			}
			st->files[st->nr++] = f;
		} else if (f->size != ev->len && agg_split(st, f, ev->len) < 0) {
			f->gone = true;
			break;
		}
		f->open = true;
		agg_refill(rt, f);
		break;
	case MODELFS_EV_MISS:
	case MODELFS_EV_READAHEAD:
	case MODELFS_EV_HIT:
		/* without an OPEN there is no size to split */
		if (!f || !f->nr)
			return;
		agg_access(f, ev->type, ev->off, ev->len);
		agg_refill(rt, f);
		break;
	case MODELFS_EV_CLOSE:
		if (!f)
			return;
		f->open = false;
		f->closed_at = ++st->clock;
		break;
	}
	agg_reap(st);
}

static struct agg_file *agg_oldest_closed(struct agg_state *st)
{
	struct agg_file *best = NULL;
	size_t i;

	for (i = 0; i < st->nr; i++) {
		struct agg_file *f = st->files[i];

		if (!f->open && !f->gone &&
		    (!best || f->closed_at < best->closed_at))
			best = f;
	}
	return best;
}

static uint64_t pages_of(uint64_t len)
{
	return len / MODELFS_PAGE_SIZE + !!(len % MODELFS_PAGE_SIZE);
}

static void agg_evict(struct modelfs_rt *rt, void *state,
		      const struct modelfs_event *ev)
{
	struct agg_state *st = state;
	uint64_t want = ev->len, got = 0, to;
	struct agg_file *f;
	unsigned int k;
	size_t i;
	int ret;

	if (ev->type != MODELFS_EV_PRESSURE)
		return;
	while (got < want && (f = agg_oldest_closed(st))) {
		if (f->size > 0 && modelfs_evict(rt, f->ino, 0, f->size) == 0)
			got += pages_of(f->size);
		/* evicted, gone or refused: forget it either way */
		f->gone = true;
	}
	/* then the pages readers have passed in open files */
	for (i = 0; i < st->nr && got < want; i++) {
		f = st->files[i];
		for (k = 0; k < f->nr && got < want && !f->gone; k++) {
			struct agg_stripe *s = &f->s[k];

			to = s->cons == s->end ? s->end : s->cons & AGG_PAGE_MASK;
			if (to <= s->ev)
				continue;
			ret = modelfs_evict(rt, f->ino, s->ev, to - s->ev);
			if (ret == -ENOENT)
				f->gone = true;
			if (ret == 0)
				got += pages_of(to - s->ev);
			s->ev = to;
		}
	}
	agg_reap(st);
}

static int agg_init(struct modelfs_rt *rt, const struct modelfs_policy_opts *opts,
		    void **state)
{
	struct agg_state *st;
	uint64_t window = opts->window ? opts->window : MODELFS_AGG_WINDOW_DEFAULT;
	unsigned int streams = opts->streams ? opts->streams :
			       MODELFS_AGG_STREAMS_DEFAULT;

	(void)rt;
	/* every stream needs at least a page of window */
	if (streams > MODELFS_AGG_STREAMS_MAX ||
	    window / streams < MODELFS_PAGE_SIZE)
		return -EINVAL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->window = window;
	st->streams = streams;
	*state = st;
	return 0;
}

static void agg_exit(void *state)
{
	struct agg_state *st = state;
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->nr; i++)
		agg_free_file(st->files[i]);
	free(st->files);
	free(st);
}

const struct modelfs_policy modelfs_policy_aggregate = {
	.name = "aggregate",
	.init = agg_init,
	.exit = agg_exit,
	.prefetch = agg_prefetch,
	.evict = agg_evict,
};
