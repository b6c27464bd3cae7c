// SPDX-License-Identifier: GPL-2.0-only
/*
 * Policy "template": record a load's I/O once, replay it ahead of the
 * reader afterwards.
 *
 * The template of a mount (see template.h) holds, per file (lower ino and
 * size), the ranges the first load read from the device, in the order it
 * read them. Without one, the policy only records: OPEN gives a file's
 * size, MISS and READAHEAD the ranges, coalesced with the previous range
 * when they touch it; exit() writes the template.
 *
 * With one, each file whose (ino, size) matches a record is replayed: its
 * ranges, laid end to end, form a stream, and positions move along it:
 * pf (prefetched up to), cons (the reader has got to) and ev (evicted up
 * to). PREFETCH chunks go out while the open files together have at most
 * `window` bytes between cons and pf.
 *
 * Eviction must never get ahead of the reader, and the stream is a poor
 * guide to what the reader is done with. A HIT comes as its read starts,
 * and not where it starts when the read's first pages were not
 * prefetched: a read is known to be over only when the next one starts.
 * And a recorded range ends where the kernel's readahead stopped, often a
 * window past what the reader read there, in bytes it reads much later.
 * So ev follows the end of the reader's previous read (or the page a MISS
 * waits for), a range the reader has left is evicted only up to where it
 * was seen in it, and the pages of a read outside the range it was found
 * in go when the next read starts. Nothing a range ahead reads again is
 * evicted. READAHEAD, the kernel reading ahead of the reader and past
 * what it reads, moves cons only when it is near the prefetch, and never
 * past pf. Files without a matching record are recorded and added to the
 * template at exit().
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libmodelfs.h"
#include "template.h"

#define TP_CHUNK (2ULL << 20)
/* how far past the reader an access is looked for before a search */
#define TP_LOOKAHEAD 64
/* bound on the work of finding re-read ranges in one record */
#define TP_OVERLAP_WORK (1ULL << 24)
#define TP_NONE UINT32_MAX

enum { RF_KEEP = 1, RF_GONE = 2 };

/* A record of the loaded template, indexed for replay on first use. */
struct tp_aux {
	bool ready;
	bool stale;		/* its file changed size: not kept at exit */
	bool rereads;		/* some range is read again by a later one */
	uint64_t *cum;		/* cum[i]: bytes in ranges before i */
	uint64_t *seen;		/* seen[i]: the reader used range i up to here */
	uint8_t *flags;		/* RF_KEEP: read again later; RF_GONE */
	uint32_t *by_off;	/* range indexes sorted by offset */
};

struct tp_file {
	uint64_t ino;
	uint64_t size;
	uint64_t closed_at;	/* LRU stamp, valid if !open */
	bool open;
	bool evicted;		/* closed and evicted since */
	bool gone;		/* replay state to be dropped */
	/* replay: the record and the positions in its stream */
	const struct modelfs_tmpl_file *rec;
	struct tp_aux *aux;
	uint64_t pf, cons, ev;
	uint32_t pf_i, cons_i, ev_i;
	uint64_t done;		/* the reader is done with the stream before */
	/*
	 * The current read: its pages, those outside the range it was
	 * found in (stray), and where its pages in that range end.
	 */
	uint64_t use_off, use_end, stray_off, stray_end, use_pos;
	/* recording (rec == NULL) */
	struct modelfs_tmpl_range *r;
	uint32_t nr, cap;
};

struct tp_state {
	enum modelfs_template_mode mode;
	char *dir, *name, *path;
	uint64_t window, chunk;
	struct modelfs_tmpl tmpl;
	uint64_t tmpl_bytes;
	struct tp_aux *aux;	/* one per template file */
	uint32_t *by_ino;	/* template file indexes sorted by ino */
	struct tp_file **files;	/* in the order they were opened */
	size_t nr, cap;
	uint64_t clock;
	uint64_t t_first, t_last;
	bool timed;
	uint64_t range_budget;	/* ranges that may still be recorded */
	uint32_t file_budget;	/* files that may still be recorded */
};

static _Atomic uint64_t corrupt_count;

static uint64_t mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t (*now_fn)(void) = mono_now;

void modelfs_tmpl_set_clock(uint64_t (*now)(void))
{
	now_fn = now ? now : mono_now;
}

uint64_t modelfs_template_corrupt_count(void)
{
	return atomic_load(&corrupt_count);
}

enum modelfs_template_mode modelfs_template_mode(const void *state)
{
	const struct tp_state *st = state;

	return st->mode;
}

const char *modelfs_template_mode_name(enum modelfs_template_mode mode)
{
	switch (mode) {
	case MODELFS_TEMPLATE_RECORD:
		return "record";
	case MODELFS_TEMPLATE_REPLAY:
		return "replay";
	case MODELFS_TEMPLATE_REBUILD:
		return "rebuild";
	}
	return "unknown";
}

static uint64_t pages_of(uint64_t len)
{
	return len / MODELFS_PAGE_SIZE + !!(len % MODELFS_PAGE_SIZE);
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* --- the template's records ------------------------------------------ */

static int cmp_by_off(const void *a, const void *b, void *arg)
{
	const struct modelfs_tmpl_range *r = arg;
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;

	if (r[i].off != r[j].off)
		return r[i].off < r[j].off ? -1 : 1;
	return i < j ? -1 : i > j;
}

static int cmp_by_ino(const void *a, const void *b, void *arg)
{
	const struct modelfs_tmpl *t = arg;
	uint64_t x = t->files[*(const uint32_t *)a].ino;
	uint64_t y = t->files[*(const uint32_t *)b].ino;

	return x < y ? -1 : x > y;
}

static void aux_free(struct tp_aux *a)
{
	free(a->cum);
	free(a->seen);
	free(a->flags);
	free(a->by_off);
}

/*
 * Index one record: the stream offsets, the ranges sorted by offset, and
 * which ranges a later range overlaps (those are read again: kept).
 */
static int aux_prepare(struct tp_aux *a, const struct modelfs_tmpl_file *rec)
{
	uint64_t work = 0;
	uint32_t i, j, n = rec->nr;

	if (a->ready)
		return 0;
	a->cum = calloc((size_t)n + 1, sizeof(*a->cum));
	a->seen = calloc(n ? n : 1, sizeof(*a->seen));
	a->flags = calloc(n ? n : 1, sizeof(*a->flags));
	a->by_off = calloc(n ? n : 1, sizeof(*a->by_off));
	if (!a->cum || !a->seen || !a->flags || !a->by_off) {
		aux_free(a);
		a->cum = NULL;
		a->seen = NULL;
		a->flags = NULL;
		a->by_off = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		a->cum[i + 1] = a->cum[i] + rec->r[i].len;
		a->by_off[i] = i;
	}
	qsort_r(a->by_off, n, sizeof(*a->by_off), cmp_by_off, rec->r);
	/* the ranges overlapping one start inside it, right after it */
	for (i = 0; i < n; i++) {
		const struct modelfs_tmpl_range *x = &rec->r[a->by_off[i]];

		for (j = i + 1; j < n; j++) {
			uint32_t p = a->by_off[i], q = a->by_off[j];

			if (rec->r[q].off >= x->off + x->len)
				break;
			a->flags[p < q ? p : q] |= RF_KEEP;
			a->rereads = true;
			if (++work > TP_OVERLAP_WORK) {
				/* pathological: keep everything */
				memset(a->flags, RF_KEEP, n);
				i = n;
				break;
			}
		}
	}
	a->ready = true;
	return 0;
}

static int32_t find_rec(const struct tp_state *st, uint64_t ino)
{
	uint32_t lo = 0, hi = st->tmpl.nr_files;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		uint64_t v = st->tmpl.files[st->by_ino[mid]].ino;

		if (v == ino)
			return (int32_t)st->by_ino[mid];
		if (v < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* --- files -------------------------------------------------------------- */

static struct tp_file *tp_find(struct tp_state *st, uint64_t ino)
{
	size_t i;

	for (i = 0; i < st->nr; i++)
		if (st->files[i]->ino == ino)
			return st->files[i];
	return NULL;
}

static void tp_free_file(struct tp_file *f)
{
	free(f->r);
	free(f);
}

/* Drop replay states that are gone; recordings are kept. */
static void tp_reap(struct tp_state *st)
{
	size_t i = 0;

	while (i < st->nr) {
		struct tp_file *f = st->files[i];

		if (f->gone && f->rec) {
			tp_free_file(f);
			memmove(&st->files[i], &st->files[i + 1],
				(st->nr - i - 1) * sizeof(*st->files));
			st->nr--;
		} else {
			f->gone = false;
			i++;
		}
	}
}

/* Move @f to the end of the open order. */
static void tp_to_back(struct tp_state *st, struct tp_file *f)
{
	size_t i;

	for (i = 0; i < st->nr && st->files[i] != f; i++)
		;
	if (i == st->nr)
		return;
	memmove(&st->files[i], &st->files[i + 1],
		(st->nr - i - 1) * sizeof(*st->files));
	st->files[st->nr - 1] = f;
}

static struct tp_file *tp_add(struct tp_state *st, uint64_t ino)
{
	struct tp_file *f, **nf;
	size_t cap;

	if (st->nr == st->cap) {
		cap = st->cap ? st->cap * 2 : 16;
		nf = realloc(st->files, cap * sizeof(*nf));
		if (!nf)
			return NULL;
		st->files = nf;
		st->cap = cap;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->ino = ino;
	st->files[st->nr++] = f;
	return f;
}

/* --- recording ------------------------------------------------------- */

static void tp_record(struct tp_state *st, struct tp_file *f, uint64_t off,
		      uint64_t len)
{
	struct modelfs_tmpl_range *last, *nr;
	uint64_t end;
	uint32_t cap;

	if (off >= f->size || len == 0)
		return;
	end = len > f->size - off ? f->size : off + len;
	if (f->nr > 0) {
		last = &f->r[f->nr - 1];
		/* touching the previous range: the same run */
		if (off <= last->off + last->len && end >= last->off) {
			uint64_t s = min64(off, last->off);
			uint64_t e = end > last->off + last->len ?
				     end : last->off + last->len;

			last->off = s;
			last->len = e - s;
			return;
		}
	}
	if (st->range_budget == 0 || f->nr == UINT32_MAX)
		return;
	if (f->nr == f->cap) {
		cap = f->cap ? f->cap * 2 : 16;
		nr = realloc(f->r, (size_t)cap * sizeof(*nr));
		if (!nr)
			return;
		f->r = nr;
		f->cap = cap;
	}
	f->r[f->nr].off = off;
	f->r[f->nr].len = end - off;
	f->nr++;
	st->range_budget--;
}

/* Start recording @f anew (first time, or its size changed). */
static void tp_start_recording(struct tp_state *st, struct tp_file *f,
			       uint64_t size)
{
	st->range_budget += f->nr;
	f->rec = NULL;
	f->aux = NULL;
	f->nr = 0;
	f->size = size;
	f->pf = f->cons = f->ev = f->done = 0;
	f->pf_i = f->cons_i = f->ev_i = 0;
	f->use_off = f->use_end = f->stray_off = f->stray_end = 0;
	f->use_pos = 0;
}

/* --- replay ------------------------------------------------------------ */

static uint64_t stream_len(const struct tp_file *f)
{
	return f->aux->cum[f->rec->nr];
}

/* Move range index @i forward to the range holding stream position @pos. */
static void seek_idx(const struct tp_file *f, uint32_t *i, uint64_t pos)
{
	while (*i < f->rec->nr && f->aux->cum[*i + 1] <= pos)
		(*i)++;
}

static bool in_range(const struct modelfs_tmpl_range *r, uint64_t x)
{
	return x >= r->off && x - r->off < r->len;
}

/* The first range at or after the reader's that holds byte @x, or TP_NONE. */
static uint32_t tp_locate(const struct tp_file *f, uint64_t x)
{
	const struct modelfs_tmpl_range *r = f->rec->r;
	uint32_t k, lo = 0, hi = f->rec->nr, best = TP_NONE, steps;

	for (k = f->cons_i; k < f->rec->nr && k - f->cons_i < TP_LOOKAHEAD; k++)
		if (in_range(&r[k], x))
			return k;
	/* farther: the ranges starting at or before x, nearest first */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (r[f->aux->by_off[mid]].off <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (steps = 0; lo > 0 && steps < TP_LOOKAHEAD; lo--, steps++) {
		k = f->aux->by_off[lo - 1];
		if (k >= f->cons_i && k < best && in_range(&r[k], x))
			best = k;
	}
	return best;
}

static int tp_send_evict(struct modelfs_rt *rt, struct tp_file *f,
			 uint64_t off, uint64_t len, uint64_t *pages)
{
	int ret = modelfs_evict(rt, f->ino, off, len);

	if (ret == 0)
		*pages += pages_of(len);
	else if (ret == -ENOENT)
		f->gone = true;
	return ret;
}

/* Does a range the reader has not got past read some of [a, b)? */
static bool tp_reread(const struct tp_file *f, uint64_t a, uint64_t b)
{
	const struct modelfs_tmpl_range *r = f->rec->r;
	uint32_t lo = 0, hi = f->rec->nr, k, steps;
	uint64_t from, to;

	if (!f->aux->rereads)
		return false;
	/* the ranges starting before b, nearest first, as tp_locate() */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (r[f->aux->by_off[mid]].off < b)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (steps = 0; lo > 0 && steps < TP_LOOKAHEAD; lo--, steps++) {
		k = f->aux->by_off[lo - 1];
		if (k < f->cons_i)
			continue;
		from = r[k].off;
		/* the reader is inside this one: only its rest is ahead */
		if (k == f->cons_i)
			from += f->cons - f->aux->cum[k];
		to = r[k].off + r[k].len;
		if ((from > a ? from : a) < (to < b ? to : b))
			return true;
	}
	return false;
}

static uint64_t tp_evict_piece(struct modelfs_rt *rt, struct tp_file *f,
			       uint64_t a, uint64_t b)
{
	uint64_t pages = 0;

	if (a < b && !f->gone && !tp_reread(f, a, b))
		tp_send_evict(rt, f, a, b - a, &pages);
	return pages;
}

/*
 * The reader is done with [a, b): evict it, but not the pages of its
 * current read, nor what a range ahead reads again.
 */
static uint64_t tp_evict_done(struct modelfs_rt *rt, struct tp_file *f,
			      uint64_t a, uint64_t b)
{
	if (f->use_off < f->use_end && a < f->use_end && f->use_off < b)
		return tp_evict_piece(rt, f, a, f->use_off) +
		       tp_evict_piece(rt, f, f->use_end, b);
	return tp_evict_piece(rt, f, a, b);
}

/*
 * Evict the stream the reader is done with, up to f->done: a range it
 * has left up to where it was seen in it (the rest may be readahead's
 * overrun, read later), the range it is in a chunk at a time (or all of
 * it when @all).
 */
static uint64_t tp_evict_passed(struct modelfs_rt *rt, struct tp_state *st,
				struct tp_file *f, bool all)
{
	const struct modelfs_tmpl_range *r;
	uint64_t pages = 0, from, to;
	uint32_t k;

	while (!f->gone && f->ev < f->done) {
		k = f->ev_i;
		r = &f->rec->r[k];
		from = r->off + (f->ev - f->aux->cum[k]);
		if (f->aux->cum[k + 1] <= f->done) {
			if (f->aux->seen[k] > from &&
			    !(f->aux->flags[k] & RF_GONE))
				pages += tp_evict_done(rt, f, from,
						       f->aux->seen[k]);
			f->ev = f->aux->cum[k + 1];
			f->ev_i++;
			continue;
		}
		to = (r->off + (f->done - f->aux->cum[k])) &
		     ~(MODELFS_PAGE_SIZE - 1);
		/* not into the current read: its pages go after it */
		if (f->use_off < f->use_end && f->use_off >= from &&
		    f->use_off < to)
			to = f->use_off;
		if (to <= from || (!all && to - from < st->chunk))
			break;
		pages += tp_evict_done(rt, f, from, to);
		f->ev += to - from;
		break;
	}
	return pages;
}

/* The reader has got to stream position @pos of @f (its window). */
static void tp_consume(struct tp_file *f, uint64_t pos)
{
	if (pos <= f->cons)
		return;
	f->cons = pos;
	seek_idx(f, &f->cons_i, pos);
	/* what the reader got to first needs no prefetch */
	if (f->pf < f->cons) {
		f->pf = f->cons;
		f->pf_i = f->cons_i;
	}
}

/* Issue prefetches while the open files stay within the window. */
static void tp_refill(struct modelfs_rt *rt, struct tp_state *st)
{
	uint64_t out = 0, len, inner;
	const struct modelfs_tmpl_range *r;
	struct tp_file *f;
	size_t i;
	int ret;

	for (i = 0; i < st->nr; i++) {
		f = st->files[i];
		if (f->rec && f->open && !f->gone)
			out += f->pf - f->cons;
	}
	/* earlier opened first: a loader finishes one file, then the next */
	for (i = 0; i < st->nr; i++) {
		f = st->files[i];
		if (!f->rec || !f->open || f->gone)
			continue;
		while (f->pf < stream_len(f)) {
			r = &f->rec->r[f->pf_i];
			inner = f->pf - f->aux->cum[f->pf_i];
			len = min64(st->chunk, r->len - inner);
			if (out + len > st->window)
				return;
			ret = modelfs_prefetch(rt, f->ino, r->off + inner, len);
			if (ret == -ENOENT) {
				out -= f->pf - f->cons;
				f->gone = true;
				break;
			}
			/* a refused chunk is skipped, not retried */
			f->pf += len;
			seek_idx(f, &f->pf_i, f->pf);
			if (ret == 0)
				out += len;
		}
	}
}

/* The kernel's readahead reads [off, end) of a replayed file. */
static void tp_replay_readahead(struct tp_state *st, struct tp_file *f,
				uint64_t off, uint64_t end)
{
	const struct modelfs_tmpl_range *r = f->rec->r;
	uint64_t pa, pe, len = end - off;
	uint32_t k;

	k = tp_locate(f, off);
	if (k == TP_NONE)
		return;
	pa = f->aux->cum[k] + (off - r[k].off);
	pe = f->aux->cum[k] + min64(r[k].len, end - r[k].off);
	/*
	 * Readahead runs on past the end of what the reader reads, into
	 * bytes the template may have far later: that says nothing of the
	 * reader, and must not make the prefetch skip what lies between.
	 */
	if (pa > f->pf + st->window)
		return;
	/* carrying on from the prefetch: the kernel reads that part */
	if (pa <= f->pf && pe > f->pf) {
		f->pf = pe;
		seek_idx(f, &f->pf_i, pe);
	}
	/*
	 * Async readahead runs up to a window ahead of the reader: it is
	 * only known to be past off - len, and past the prefetch at most.
	 */
	tp_consume(f, min64(pa > len ? pa - len : 0, f->pf));
}

/* A read (HIT) or a wait for a page (MISS) at [off, end) of a replayed file. */
static void tp_replay_use(struct modelfs_rt *rt, struct tp_state *st,
			  struct tp_file *f, uint32_t type, uint64_t off,
			  uint64_t end)
{
	const struct modelfs_tmpl_range *r = f->rec->r;
	uint64_t pos = 0, rs = 0, re = 0;
	uint32_t k;

	k = tp_locate(f, end - 1);
	if (k != TP_NONE)
		pos = f->aux->cum[k] + (end - r[k].off);
	else if ((k = tp_locate(f, off)) != TP_NONE)
		pos = f->aux->cum[k] + min64(r[k].len, end - r[k].off);
	/*
	 * Prefetched pages come from the stream before pf: a HIT found past
	 * it is a later read of the same bytes, not where the reader is.
	 */
	if (k != TP_NONE && type == MODELFS_EV_HIT && pos > f->pf)
		k = TP_NONE;
	if (k != TP_NONE) {
		tp_consume(f, pos);
		/* the part of [off, end) in range k */
		rs = off > r[k].off ? off : r[k].off;
		re = min64(end, r[k].off + r[k].len);
	}

	/* whole pages: an EVICT takes every page it touches */
	off &= ~(MODELFS_PAGE_SIZE - 1);
	end = end > UINT64_MAX - MODELFS_PAGE_SIZE ? UINT64_MAX :
	      (end + MODELFS_PAGE_SIZE - 1) & ~(MODELFS_PAGE_SIZE - 1);
	/*
	 * A HIT starts a read, and so does a MISS past the current one's
	 * pages. One before them may be that read's own first pages.
	 */
	if (type == MODELFS_EV_HIT || off >= f->use_end) {
		/*
		 * The last read is over: the reader is done with the stream
		 * up to where its pages ended, and with its stray pages. Not
		 * up to this HIT: the read may start before its first
		 * prefetched page.
		 */
		if (f->use_pos > f->done)
			f->done = f->use_pos;
		f->use_pos = 0;
		f->use_off = off;
		f->use_end = end;
		tp_evict_done(rt, f, f->stray_off, f->stray_end);
		f->stray_off = f->stray_end = 0;
		if (k == TP_NONE) {
			f->stray_off = off;
			f->stray_end = end;
		} else if (off < rs) {
			f->stray_off = off;
			f->stray_end = rs & ~(MODELFS_PAGE_SIZE - 1);
		} else if (re < end) {
			f->stray_off = (re + MODELFS_PAGE_SIZE - 1) &
				       ~(MODELFS_PAGE_SIZE - 1);
			f->stray_end = end;
		}
	}
	if (k != TP_NONE) {
		if (re > f->aux->seen[k])
			f->aux->seen[k] = re;
		pos = f->aux->cum[k] + (re - r[k].off);
		if (pos > f->use_pos)
			f->use_pos = pos;
		/* a MISS is the page the reader waits for: done before it */
		pos = f->aux->cum[k] + (rs - r[k].off);
		if (type == MODELFS_EV_MISS && pos > f->done)
			f->done = pos;
	}
	tp_evict_passed(rt, st, f, false);
}

/* An access to [off, off + len) of a replayed file. */
static void tp_replay_access(struct modelfs_rt *rt, struct tp_state *st,
			     struct tp_file *f, uint32_t type, uint64_t off,
			     uint64_t len)
{
	uint64_t end = off + len < off ? UINT64_MAX : off + len;

	if (len == 0)
		return;
	if (type == MODELFS_EV_READAHEAD)
		tp_replay_readahead(st, f, off, end);
	else
		tp_replay_use(rt, st, f, type, off, end);
}

static void tp_open(struct tp_state *st, uint64_t ino, uint64_t size)
{
	struct tp_file *f = tp_find(st, ino);
	int32_t idx;
	uint32_t i;

	if (f) {
		if (f->size != size) {
			/* changed under us: what we knew of it is void */
			if (f->aux)
				f->aux->stale = true;
			tp_start_recording(st, f, size);
		}
		f->open = true;
		f->evicted = false;
		tp_to_back(st, f);
		return;
	}
	idx = find_rec(st, ino);
	if (idx < 0 && st->file_budget == 0)
		return;
	f = tp_add(st, ino);
	if (!f)
		return;
	f->size = size;
	f->open = true;
	if (idx >= 0 && st->tmpl.files[idx].size == size &&
	    aux_prepare(&st->aux[idx], &st->tmpl.files[idx]) == 0) {
		f->rec = &st->tmpl.files[idx];
		f->aux = &st->aux[idx];
		/* a replay from the start: nothing seen or evicted yet */
		for (i = 0; i < f->rec->nr; i++) {
			f->aux->flags[i] &= (uint8_t)~RF_GONE;
			f->aux->seen[i] = f->rec->r[i].off;
		}
		return;
	}
	if (idx >= 0)
		st->aux[idx].stale = true;	/* re-recorded in its place */
	else
		st->file_budget--;
}

static void tp_prefetch(struct modelfs_rt *rt, void *state,
			const struct modelfs_event *ev)
{
	struct tp_state *st = state;
	struct tp_file *f;
	uint64_t now = now_fn();

	switch (ev->type) {
	case MODELFS_EV_OPEN:
		if (!st->timed) {
			st->timed = true;
			st->t_first = now;
		}
		st->t_last = now;
		tp_open(st, ev->ino, ev->len);
		break;
	case MODELFS_EV_MISS:
	case MODELFS_EV_READAHEAD:
	case MODELFS_EV_HIT:
		f = tp_find(st, ev->ino);
		if (!f)
			return;
		if (f->rec) {
			tp_replay_access(rt, st, f, ev->type, ev->off, ev->len);
		} else if (ev->type != MODELFS_EV_HIT) {
			tp_record(st, f, ev->off, ev->len);
			if (st->timed)
				st->t_last = now;
		}
		break;
	case MODELFS_EV_CLOSE:
		f = tp_find(st, ev->ino);
		if (!f)
			return;
		f->open = false;
		f->closed_at = ++st->clock;
		break;
	default:
		return;
	}
	/* an open file, a reader's progress or a close can free the window */
	tp_reap(st);
	tp_refill(rt, st);
	tp_reap(st);
}

static struct tp_file *tp_oldest_closed(struct tp_state *st)
{
	struct tp_file *best = NULL;
	size_t i;

	for (i = 0; i < st->nr; i++) {
		struct tp_file *f = st->files[i];

		if (!f->open && !f->evicted && !f->gone &&
		    (!best || f->closed_at < best->closed_at))
			best = f;
	}
	return best;
}

/* PRESSURE: what the reader is done with first, then closed files. */
static void tp_evict(struct modelfs_rt *rt, void *state,
		     const struct modelfs_event *ev)
{
	struct tp_state *st = state;
	uint64_t want = ev->len, got = 0;
	struct tp_file *f;
	size_t i;
	uint32_t k;

	if (ev->type != MODELFS_EV_PRESSURE)
		return;
	for (i = 0; i < st->nr && got < want; i++) {
		f = st->files[i];
		if (!f->rec || f->gone)
			continue;
		got += tp_evict_passed(rt, st, f, true);
		/* passed ranges kept because a later one reads them again */
		for (k = 0; k < f->cons_i && got < want && !f->gone; k++)
			if ((f->aux->flags[k] & (RF_KEEP | RF_GONE)) == RF_KEEP &&
			    tp_send_evict(rt, f, f->rec->r[k].off,
					  f->rec->r[k].len, &got) == 0)
				f->aux->flags[k] |= RF_GONE;
	}
	while (got < want && (f = tp_oldest_closed(st))) {
		if (f->size > 0)
			tp_send_evict(rt, f, 0, f->size, &got);
		/* evicted, gone or refused: not a candidate again */
		f->evicted = true;
		if (f->rec)
			f->gone = true;
	}
	tp_reap(st);
}

/* --- init and exit ----------------------------------------------------- */

static bool bad_name(const char *name)
{
	return !name || !*name || strchr(name, '/') || !strcmp(name, ".") ||
	       !strcmp(name, "..");
}

static uint64_t default_window(const struct tp_state *st)
{
	double w;

	if (st->tmpl.load_ns == 0)
		return MODELFS_TEMPLATE_WINDOW_MAX;
	/* a quarter second of the bandwidth the recording saw */
	w = (double)st->tmpl_bytes * 0.25e9 / (double)st->tmpl.load_ns;
	if (w < (double)MODELFS_TEMPLATE_WINDOW_MIN)
		return MODELFS_TEMPLATE_WINDOW_MIN;
	if (w > (double)MODELFS_TEMPLATE_WINDOW_MAX)
		return MODELFS_TEMPLATE_WINDOW_MAX;
	return (uint64_t)w & ~(MODELFS_PAGE_SIZE - 1);
}

static void tp_free(struct tp_state *st)
{
	uint32_t i;
	size_t j;

	if (st->aux)
		for (i = 0; i < st->tmpl.nr_files; i++)
			aux_free(&st->aux[i]);
	free(st->aux);
	free(st->by_ino);
	modelfs_tmpl_free(&st->tmpl);
	for (j = 0; j < st->nr; j++)
		tp_free_file(st->files[j]);
	free(st->files);
	free(st->dir);
	free(st->name);
	free(st->path);
	free(st);
}

static int tp_init(struct modelfs_rt *rt, const struct modelfs_policy_opts *opts,
		   void **state)
{
	const char *dir = opts->template_dir ? opts->template_dir :
			  MODELFS_TEMPLATE_DIR;
	struct tp_state *st;
	uint32_t i, j;
	int ret;

	(void)rt;
	if (bad_name(opts->template_name) || !*dir ||
	    (opts->window && opts->window < MODELFS_PAGE_SIZE))
		return -EINVAL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->dir = strdup(dir);
	st->name = strdup(opts->template_name);
	if (!st->dir || !st->name ||
	    asprintf(&st->path, "%s/%s", dir, opts->template_name) < 0) {
		st->path = NULL;
		tp_free(st);
		return -ENOMEM;
	}
	/* an unusable directory shows now, not when the template is saved */
	ret = modelfs_tmpl_mkdir(dir);
	if (ret < 0) {
		tp_free(st);
		return ret;
	}
	ret = modelfs_tmpl_load(st->path, &st->tmpl);
	if (ret == 0) {
		st->mode = MODELFS_TEMPLATE_REPLAY;
	} else if (ret == -ENOENT) {
		st->mode = MODELFS_TEMPLATE_RECORD;
	} else if (ret == -EBADMSG) {
		st->mode = MODELFS_TEMPLATE_REBUILD;
		atomic_fetch_add(&corrupt_count, 1);
		fprintf(stderr, "libmodelfs: template %s is corrupt; recording a new one to replace it\n",
			st->path);
	} else {
		tp_free(st);
		return ret;
	}
	st->aux = calloc(st->tmpl.nr_files ? st->tmpl.nr_files : 1,
			 sizeof(*st->aux));
	st->by_ino = calloc(st->tmpl.nr_files ? st->tmpl.nr_files : 1,
			    sizeof(*st->by_ino));
	if (!st->aux || !st->by_ino) {
		tp_free(st);
		return -ENOMEM;
	}
	for (i = 0; i < st->tmpl.nr_files; i++) {
		st->by_ino[i] = i;
		for (j = 0; j < st->tmpl.files[i].nr; j++)
			st->tmpl_bytes += st->tmpl.files[i].r[j].len;
	}
	qsort_r(st->by_ino, st->tmpl.nr_files, sizeof(*st->by_ino), cmp_by_ino,
		&st->tmpl);
	st->range_budget = MODELFS_TMPL_MAX_RANGES - st->tmpl.nr_ranges;
	st->file_budget = MODELFS_TMPL_MAX_FILES - st->tmpl.nr_files;
	st->window = opts->window ? opts->window : default_window(st);
	st->chunk = min64(TP_CHUNK, st->window) & ~(MODELFS_PAGE_SIZE - 1);
	if (!st->chunk)
		st->chunk = MODELFS_PAGE_SIZE;
	*state = st;
	return 0;
}

/* Write the template if this load added to it or changed it. */
static void tp_save(struct tp_state *st)
{
	struct modelfs_tmpl out = { 0 };
	uint64_t bytes = 0;
	bool changed = false;
	uint32_t i, j, n = 0;
	size_t k;
	int ret;

	for (i = 0; i < st->tmpl.nr_files; i++)
		changed |= st->aux[i].stale;
	for (k = 0; k < st->nr; k++)
		changed |= !st->files[k]->rec && st->files[k]->nr > 0;
	if (!changed)
		return;
	out.files = calloc((size_t)st->tmpl.nr_files + st->nr + 1,
			   sizeof(*out.files));
	if (!out.files) {
		fprintf(stderr, "libmodelfs: template %s: not saved: %s\n",
			st->path, strerror(ENOMEM));
		return;
	}
	for (i = 0; i < st->tmpl.nr_files; i++)
		if (!st->aux[i].stale)
			out.files[n++] = st->tmpl.files[i];
	for (k = 0; k < st->nr; k++) {
		struct tp_file *f = st->files[k];

		if (f->rec || f->nr == 0)
			continue;
		out.files[n].ino = f->ino;
		out.files[n].size = f->size;
		out.files[n].nr = f->nr;
		out.files[n].r = f->r;
		n++;
	}
	out.nr_files = n;
	for (i = 0; i < n; i++)
		for (j = 0; j < out.files[i].nr; j++)
			bytes += out.files[i].r[j].len;
	if (st->mode == MODELFS_TEMPLATE_REPLAY && st->tmpl_bytes &&
	    st->tmpl.load_ns)
		/* the recorded bandwidth stays what it was */
		out.load_ns = (uint64_t)((double)st->tmpl.load_ns *
					 (double)bytes / (double)st->tmpl_bytes);
	else
		out.load_ns = st->timed ? st->t_last - st->t_first : 0;

	if (n == 0) {
		/* only stale records were left: start afresh next time */
		if (unlink(st->path) < 0 && errno != ENOENT)
			fprintf(stderr, "libmodelfs: template %s: %s\n",
				st->path, strerror(errno));
	} else {
		ret = modelfs_tmpl_save(st->dir, st->name, &out);
		if (ret < 0)
			fprintf(stderr, "libmodelfs: template %s: not saved: %s\n",
				st->path, strerror(-ret));
	}
	free(out.files);
}

static void tp_exit(void *state)
{
	struct tp_state *st = state;

	if (!st)
		return;
	tp_save(st);
	tp_free(st);
}

const struct modelfs_policy modelfs_policy_template = {
	.name = "template",
	.init = tp_init,
	.exit = tp_exit,
	.prefetch = tp_prefetch,
	.evict = tp_evict,
};
