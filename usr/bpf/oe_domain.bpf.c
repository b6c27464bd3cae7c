// SPDX-License-Identifier: GPL-2.0-only
/*
 * oe_domain: per-container CPU domains, after openEuler's domain
 * scheduling. The loader describes nr_domains domains (one per LLC) in
 * "domains" and confines cgroups to them in "cgrp_domain"; a task takes
 * the domain of its cgroup or of the nearest listed ancestor. A task
 * whose affinity leaves it no CPU of its domain counts as unlisted.
 *
 * Each domain has a vtime-ordered DSQ, and so do unlisted tasks (the
 * shared DSQ, any CPU takes from it). A CPU serves its own domain, then
 * the shared DSQ, then spills: it takes from another domain only when
 * that domain is saturated, with no idle CPU and more tasks queued than
 * it has CPUs. A queue no CPU has served for STARVE_NS is served by any
 * CPU first, so that nothing stalls (a domain whose CPUs went offline,
 * shared tasks on a machine full of confined ones).
 *
 * For the verifier (6.6's walks every path of an unrolled loop), hot
 * paths loop with bpf_loop(), whose callback it checks once: ops.init()
 * lists each domain's CPUs in dom_cpus[], and an idle CPU of a domain is
 * found by trying those, not by scanning bitmaps bit by bit.
 */
#include <scx/common.bpf.h>
#include "oe_cgroup.bpf.h"

char _license[] SEC("license") = "GPL";

#ifndef ENOMEM
#define ENOMEM	12
#endif
#ifndef EINVAL
#define EINVAL	22
#endif

/* DSQ d is domain d's; unlisted tasks share the one after the last. */
#define SHARED_DSQ	OE_DOMAIN_MAX
#define NR_DSQS		(OE_DOMAIN_MAX + 1)
#define MAX_CPUS	OE_DOMAIN_MAX_CPUS
#define NR_WORDS	(MAX_CPUS / 64)

#define SLICE_NS	SCX_SLICE_DFL
/* A DSQ not served for this long is served by any CPU. */
#define STARVE_NS	(50ULL * 1000 * 1000)

/*
 * @i & (@n - 1), for @n a power of two: an index the verifier sees is in
 * bounds. The mask stays even where clang knows @i < @n, as the verifier
 * may not (it loses the bounds of a value spilled before its check).
 */
#define IDX(i, n)	({ u32 __i = (i); barrier_var(__i); __i & ((n) - 1); })

/* Set by the loader before load. */
const volatile u32 nr_domains;

UEI_DEFINE(uei);

/* Each CPU's domain plus one; 0: in no domain. */
static u32 cpu_dom1[MAX_CPUS];
/* Domain d's CPUs: dom_nr_cpus[d] of them from dom_cpus[dom_first[d]]. */
static u32 dom_cpus[MAX_CPUS];
static u32 dom_first[OE_DOMAIN_MAX];
static u32 dom_nr_cpus[OE_DOMAIN_MAX];
/* How many of its CPUs ops.init() has listed so far. */
static u32 dom_listed[OE_DOMAIN_MAX];
static u64 dsq_vtime_now[NR_DSQS];
/* When a task of each DSQ last ran, or the DSQ last became non-empty. */
static u64 dsq_served[NR_DSQS];

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OE_DOMAIN_MAX_CGROUPS);
	__type(key, u64);
	__type(value, u32);
} cgrp_domain SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, OE_DOMAIN_MAX);
	__type(key, u32);
	__type(value, struct oe_domain);
} domains SEC(".maps");

struct task_ctx {
	u64 cgid;	/* the cgroup @dsq was found for, 0: look again */
	u64 started;	/* when it last started running */
	u32 dsq;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_ctx);
} task_ctxs SEC(".maps");

/*
 * A walk over domain @dom's CPUs (bpf_loop() callbacks take it): what
 * they look for and what they found.
 */
struct dom_walk {
	struct task_struct *p;
	u64 smt[NR_WORDS];	/* idle cores, when @whole_core */
	u32 dom;
	s32 cpu;		/* the CPU found, -1: none */
	bool whole_core;
};

/* The @i-th CPU of @w's domain, or -1 past the end. */
static __always_inline s32 walk_cpu(struct dom_walk *w, u32 i)
{
	u32 dom = w->dom, idx;

	if (dom >= OE_DOMAIN_MAX)
		return -1;
	dom = IDX(dom, OE_DOMAIN_MAX);
	if (i >= dom_nr_cpus[dom])
		return -1;
	idx = dom_first[dom] + i;
	if (idx >= MAX_CPUS)
		return -1;
	return IDX(dom_cpus[IDX(idx, MAX_CPUS)], MAX_CPUS);
}

/* bpf_loop() callback: stop at the first CPU @w->p may run on. */
static long find_allowed(u32 i, void *data)
{
	struct dom_walk *w = data;
	s32 cpu = walk_cpu(w, i);

	if (cpu < 0)
		return 1;
	if (!bpf_cpumask_test_cpu(cpu, w->p->cpus_ptr))
		return 0;
	w->cpu = cpu;
	return 1;
}

/* Whether @p's affinity leaves it a CPU of domain @dom. */
static bool dom_allows(u32 dom, struct task_struct *p)
{
	struct dom_walk w = { .p = p, .dom = dom, .cpu = -1 };

	if (p->nr_cpus_allowed >= (int)scx_bpf_nr_cpu_ids())
		return true;
	if (dom >= OE_DOMAIN_MAX)
		return false;
	bpf_loop(dom_nr_cpus[IDX(dom, OE_DOMAIN_MAX)], find_allowed, &w, 0);
	return w.cpu >= 0;
}

static u32 lookup_dsq(struct task_struct *p)
{
	u32 *dom = oe_cgrp_lookup(&cgrp_domain, p);

	if (!dom || *dom >= nr_domains || *dom >= OE_DOMAIN_MAX)
		return SHARED_DSQ;
	return dom_allows(*dom, p) ? *dom : SHARED_DSQ;
}

static u64 *dsq_vnow(u32 dsq)
{
	return &dsq_vtime_now[dsq < NR_DSQS ? dsq : SHARED_DSQ];
}

/* @p's DSQ, found again only when its cgroup or affinity has changed. */
static __always_inline u32
task_dsq(struct task_struct *p, struct task_ctx **ctxp)
{
	u64 cgid = oe_task_cgid(p);
	struct task_ctx *tctx;
	u32 dsq;

	tctx = bpf_task_storage_get(&task_ctxs, p, 0, 0);
	if (ctxp)
		*ctxp = tctx;
	/*
	 * ops.init_task() gave every task its task_ctx. Without one, no
	 * lookup: each path to lookup_dsq() costs the verifier a walk.
	 */
	if (!tctx)
		return SHARED_DSQ;
	if (tctx->cgid == cgid)
		return tctx->dsq;

	dsq = lookup_dsq(p);
	/* Another DSQ's clock means nothing here: start afresh. */
	if (dsq != tctx->dsq)
		p->scx.dsq_vtime = *dsq_vnow(dsq);
	tctx->cgid = cgid;
	tctx->dsq = dsq;
	return dsq;
}

static s32 cpu_dom(s32 cpu)
{
	if (cpu < 0 || cpu >= MAX_CPUS)
		return -1;
	return (s32)cpu_dom1[IDX(cpu, MAX_CPUS)] - 1;
}

/*
 * Domains are bitmaps, not struct cpumask (clang 14 cannot tag a kptr):
 * @mask's first NR_WORDS words, read only as far as nr_cpu_ids goes (no
 * further is allocated).
 */
static __always_inline void read_mask(const struct cpumask *mask, u64 *w)
{
	u32 n = (scx_bpf_nr_cpu_ids() + 63) / 64;

	if (n > NR_WORDS)
		n = NR_WORDS;
	if (bpf_probe_read_kernel(w, n * sizeof(u64), mask))
		__builtin_memset(w, 0, NR_WORDS * sizeof(u64));
}

/* bpf_loop() callback: claim an idle CPU @w->p may run on. */
static long claim_idle(u32 i, void *data)
{
	struct dom_walk *w = data;
	s32 cpu = walk_cpu(w, i);

	if (cpu < 0)
		return 1;
	if (w->whole_core &&
	    !(w->smt[IDX(cpu / 64, NR_WORDS)] & (1ULL << (cpu % 64))))
		return 0;
	if (!bpf_cpumask_test_cpu(cpu, w->p->cpus_ptr) ||
	    !scx_bpf_test_and_clear_cpu_idle(cpu))
		return 0;
	w->cpu = cpu;
	return 1;
}

/*
 * Claim an idle CPU of domain @dom that @p may run on, of a fully idle
 * core if there is one. -1 if there is none.
 */
static s32 pick_idle_dom(u32 dom, struct task_struct *p)
{
	struct dom_walk w = { .p = p, .dom = dom, .cpu = -1 };
	const struct cpumask *idle_smt;
	u32 n;

	if (dom >= OE_DOMAIN_MAX)
		return -1;
	n = dom_nr_cpus[IDX(dom, OE_DOMAIN_MAX)];

	idle_smt = scx_bpf_get_idle_smtmask();
	read_mask(idle_smt, w.smt);
	scx_bpf_put_idle_cpumask(idle_smt);
	w.whole_core = true;
	bpf_loop(n, claim_idle, &w, 0);
	if (w.cpu >= 0)
		return w.cpu;

	w.whole_core = false;
	bpf_loop(n, claim_idle, &w, 0);
	return w.cpu;
}

static bool in_dom(s32 cpu, u32 dom)
{
	return cpu >= 0 && cpu_dom(cpu) == (s32)dom;
}

static bool starving(u32 dsq, u64 now)
{
	if (dsq >= NR_DSQS || scx_bpf_dsq_nr_queued(dsq) <= 0)
		return false;
	return now - dsq_served[dsq] > STARVE_NS;
}

/* More queued than it has CPUs, and none of them idle. */
static bool saturated(u32 dom)
{
	u64 idle[NR_WORDS] = {}, any = 0;
	const struct cpumask *idle_mask;
	struct oe_domain *d;
	s32 queued;
	u32 w;

	if (dom >= OE_DOMAIN_MAX)
		return false;
	queued = scx_bpf_dsq_nr_queued(dom);
	if (queued <= 0 || (u32)queued <= dom_nr_cpus[IDX(dom, OE_DOMAIN_MAX)])
		return false;
	d = bpf_map_lookup_elem(&domains, &dom);
	if (!d)
		return false;
	idle_mask = scx_bpf_get_idle_cpumask();
	read_mask(idle_mask, idle);
	scx_bpf_put_idle_cpumask(idle_mask);
	/* No branch in the loop: one path for the verifier. */
	for (w = 0; w < NR_WORDS; w++)
		any |= idle[w] & d->cpus[w];
	return !any;
}

s32 BPF_STRUCT_OPS(oe_domain_select_cpu, struct task_struct *p,
		   s32 prev_cpu, u64 wake_flags)
{
	u32 dsq = task_dsq(p, NULL);
	bool is_idle = false;
	s32 cpu;

	if (dsq == SHARED_DSQ) {
		cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags,
					     &is_idle);
		if (is_idle)
			scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SLICE_NS, 0);
		return cpu;
	}

	/* Its last CPU if in its domain and idle, else another of them. */
	if (in_dom(prev_cpu, dsq) &&
	    bpf_cpumask_test_cpu(prev_cpu, p->cpus_ptr) &&
	    scx_bpf_test_and_clear_cpu_idle(prev_cpu)) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SLICE_NS, 0);
		return prev_cpu;
	}
	cpu = pick_idle_dom(dsq, p);
	if (cpu < 0)
		return prev_cpu;
	scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SLICE_NS, 0);
	return cpu;
}

void BPF_STRUCT_OPS(oe_domain_enqueue, struct task_struct *p, u64 enq_flags)
{
	u32 dsq = task_dsq(p, NULL);
	u64 vtime = p->scx.dsq_vtime, vnow = *dsq_vnow(dsq);
	s32 cpu = -1;

	/* A sleeper keeps at most one slice of credit. */
	if (vtime_before(vtime, vnow - SLICE_NS))
		vtime = vnow - SLICE_NS;
	if (dsq < NR_DSQS && scx_bpf_dsq_nr_queued(dsq) <= 0)
		dsq_served[dsq] = bpf_ktime_get_ns();
	scx_bpf_dsq_insert_vtime(p, dsq, SLICE_NS, vtime, enq_flags);

	/* Wake an idle CPU of its domain, else of any if it spills. */
	if (dsq != SHARED_DSQ) {
		cpu = pick_idle_dom(dsq, p);
		if (cpu < 0 && !saturated(dsq))
			return;
	}
	if (cpu < 0)
		cpu = scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);
	if (cpu >= 0)
		scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
}

struct spill_ctx {
	u64 now;
	u32 start;	/* the domain after this CPU's */
	s32 dom;	/* this CPU's domain, -1: none */
	bool moved;
};

/* bpf_loop() callback: take from the @i-th domain after ours if due. */
static long spill(u32 i, void *data)
{
	struct spill_ctx *c = data;
	u32 n = nr_domains, other;

	if (!n)
		return 1;
	other = (c->start + i) % n;
	if ((s32)other == c->dom)
		return 0;
	if ((saturated(other) || starving(other, c->now)) &&
	    scx_bpf_dsq_move_to_local(other)) {
		c->moved = true;
		return 1;
	}
	return 0;
}

void BPF_STRUCT_OPS(oe_domain_dispatch, s32 cpu, struct task_struct *prev)
{
	struct spill_ctx c = { .now = bpf_ktime_get_ns() };

	c.dom = cpu_dom(cpu);
	if (starving(SHARED_DSQ, c.now) &&
	    scx_bpf_dsq_move_to_local(SHARED_DSQ))
		return;
	if (c.dom >= 0 && scx_bpf_dsq_move_to_local(c.dom))
		return;
	if (scx_bpf_dsq_move_to_local(SHARED_DSQ))
		return;

	/* Spill: the next domains round from this one, if they need it. */
	c.start = c.dom + 1;
	bpf_loop(nr_domains, spill, &c, 0);
}

void BPF_STRUCT_OPS(oe_domain_running, struct task_struct *p)
{
	struct task_ctx *tctx;
	u64 *vnow;
	u32 dsq;

	dsq = task_dsq(p, &tctx);
	if (tctx)
		tctx->started = bpf_ktime_get_ns();
	if (dsq < NR_DSQS)
		dsq_served[dsq] = bpf_ktime_get_ns();
	vnow = dsq_vnow(dsq);
	if (vtime_before(*vnow, p->scx.dsq_vtime))
		*vnow = p->scx.dsq_vtime;
}

void BPF_STRUCT_OPS(oe_domain_stopping, struct task_struct *p, bool runnable)
{
	struct task_ctx *tctx;

	task_dsq(p, &tctx);
	if (tctx && tctx->started) {
		/* Charge the time it ran, scaled by 100 / weight. */
		p->scx.dsq_vtime += (bpf_ktime_get_ns() - tctx->started) *
				    100 / p->scx.weight;
		tctx->started = 0;
	}
}

void BPF_STRUCT_OPS(oe_domain_set_cpumask, struct task_struct *p,
		    const struct cpumask *cpumask)
{
	struct task_ctx *tctx;

	/* Its domain may be out of reach now, or back in: look again. */
	tctx = bpf_task_storage_get(&task_ctxs, p, 0, 0);
	if (tctx)
		tctx->cgid = 0;
}

void BPF_STRUCT_OPS(oe_domain_enable, struct task_struct *p)
{
	p->scx.dsq_vtime = *dsq_vnow(task_dsq(p, NULL));
}

s32 BPF_STRUCT_OPS(oe_domain_init_task, struct task_struct *p,
		   struct scx_init_task_args *args)
{
	struct task_ctx *tctx;

	tctx = bpf_task_storage_get(&task_ctxs, p, 0,
				    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!tctx)
		return -ENOMEM;
	tctx->cgid = oe_task_cgid(p);
	tctx->dsq = lookup_dsq(p);
	return 0;
}

/* bpf_loop() callback: the first domain @cpu is in, counted there. */
static long init_cpu(u32 cpu, void *data)
{
	u32 d, key, word = IDX(cpu / 64, NR_WORDS);
	u64 bit = 1ULL << (cpu % 64);
	struct oe_domain *dom;

	if (cpu >= MAX_CPUS)
		return 1;
	/* The key a copy: a counter on the stack would lose its bounds. */
	for (d = 0; d < OE_DOMAIN_MAX && d < nr_domains; d++) {
		key = d;
		dom = bpf_map_lookup_elem(&domains, &key);
		if (!dom || !(dom->cpus[word] & bit))
			continue;
		cpu_dom1[IDX(cpu, MAX_CPUS)] = d + 1;
		dom_nr_cpus[IDX(d, OE_DOMAIN_MAX)]++;
		break;
	}
	return 0;
}

/* bpf_loop() callback: where domain @d's CPUs start in dom_cpus[]. */
static long init_first(u32 d, void *data)
{
	u32 *next = data;

	if (d >= OE_DOMAIN_MAX)
		return 1;
	d = IDX(d, OE_DOMAIN_MAX);
	dom_first[d] = *next;
	*next += dom_nr_cpus[d];
	return 0;
}

/* bpf_loop() callback: @cpu into its domain's part of dom_cpus[]. */
static long init_list(u32 cpu, void *data)
{
	u32 d, idx;

	if (cpu >= MAX_CPUS)
		return 1;
	d = cpu_dom1[IDX(cpu, MAX_CPUS)] - 1;
	if (d >= OE_DOMAIN_MAX)
		return 0;
	d = IDX(d, OE_DOMAIN_MAX);
	idx = dom_first[d] + dom_listed[d];
	if (idx >= MAX_CPUS)
		return 1;
	dom_cpus[IDX(idx, MAX_CPUS)] = cpu;
	dom_listed[d]++;
	return 0;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(oe_domain_init)
{
	u32 nr_cpus = scx_bpf_nr_cpu_ids(), next = 0, d;
	s32 ret;

	if (nr_domains > OE_DOMAIN_MAX)
		return -EINVAL;
	for (d = 0; d < OE_DOMAIN_MAX && d < nr_domains; d++) {
		ret = scx_bpf_create_dsq(d, -1);
		if (ret)
			return ret;
	}
	ret = scx_bpf_create_dsq(SHARED_DSQ, -1);
	if (ret)
		return ret;

	bpf_loop(nr_cpus, init_cpu, NULL, 0);
	bpf_loop(nr_domains, init_first, &next, 0);
	bpf_loop(nr_cpus, init_list, NULL, 0);
	return 0;
}

void BPF_STRUCT_OPS(oe_domain_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SEC(".struct_ops")
struct sched_ext_ops oe_domain_ops = {
	.select_cpu	= (void *)oe_domain_select_cpu,
	.enqueue	= (void *)oe_domain_enqueue,
	.dispatch	= (void *)oe_domain_dispatch,
	.running	= (void *)oe_domain_running,
	.stopping	= (void *)oe_domain_stopping,
	.set_cpumask	= (void *)oe_domain_set_cpumask,
	.enable		= (void *)oe_domain_enable,
	.init_task	= (void *)oe_domain_init_task,
	.init		= (void *)oe_domain_init,
	.exit		= (void *)oe_domain_exit,
	.name		= "oe_domain",
};
