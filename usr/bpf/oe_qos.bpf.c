// SPDX-License-Identifier: GPL-2.0-only
/*
 * oe_qos: latency-sensitive (LS) and best-effort (BE) co-location, after
 * openEuler's online/offline QoS and its dynamic SMT expeller.
 *
 * A task takes the role of its cgroup, or of the nearest ancestor listed
 * in "cgrp_role"; unlisted tasks count as LS, as online tasks do in
 * openEuler. Each role has a vtime-ordered DSQ and a CPU serves LS first.
 * A BE task does not run on a CPU whose SMT sibling runs an LS task: an
 * LS task that starts running preempts BE tasks on its siblings, and BE
 * tasks fill cores where no LS task runs. A waking LS task that finds no
 * idle CPU preempts a CPU running BE, which is what keeps its latency
 * near CFS's when there is no SMT (one thread per core, as under TCG).
 *
 * So that BE tasks cannot stall (and trip the watchdog), a BE task is
 * let run regardless of LS work once none has run for BE_STARVE_NS.
 */
#include <scx/common.bpf.h>
#include "oe_cgroup.bpf.h"

char _license[] SEC("license") = "GPL";

#ifndef ENOMEM
#define ENOMEM	12
#endif

#define LS_DSQ	0
#define BE_DSQ	1

#define LS_SLICE_NS	SCX_SLICE_DFL
#define BE_SLICE_NS	(SCX_SLICE_DFL / 4)
/* BE runs regardless after this long without: no watchdog stalls. */
#define BE_STARVE_NS	(100ULL * 1000 * 1000)

UEI_DEFINE(uei);

/* What each CPU runs: OE_QOS_NONE (idle, or not ours), _LS or _BE. */
static u32 cpu_role[OE_QOS_MAX_CPUS];
static u64 ls_vtime_now, be_vtime_now;
/* When a BE task last ran, or the BE queue last became non-empty. */
static u64 be_last_run;
/* Where the search for a BE CPU to preempt starts, to spread kicks. */
static u32 preempt_cursor;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OE_QOS_MAX_CGROUPS);
	__type(key, u64);
	__type(value, u32);
} cgrp_role SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, OE_QOS_MAX_CPUS);
	__type(key, u32);
	__type(value, struct oe_qos_smt);
} cpu_smt SEC(".maps");

struct task_ctx {
	u64 cgid;	/* the cgroup @role was found for */
	u64 started;	/* when it last started running */
	u32 role;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_ctx);
} task_ctxs SEC(".maps");

static u32 lookup_role(struct task_struct *p)
{
	u32 *role = oe_cgrp_lookup(&cgrp_role, p);

	return role && *role == OE_QOS_BE ? OE_QOS_BE : OE_QOS_LS;
}

static u64 *role_vtime(u32 role)
{
	return role == OE_QOS_BE ? &be_vtime_now : &ls_vtime_now;
}

/* @p's role, found again only when its cgroup has changed. */
static __always_inline u32
task_role(struct task_struct *p, struct task_ctx **ctxp)
{
	struct task_ctx *tctx;
	u64 cgid;
	u32 role;

	tctx = bpf_task_storage_get(&task_ctxs, p, 0, 0);
	if (ctxp)
		*ctxp = tctx;
	if (!tctx)
		return lookup_role(p);

	cgid = oe_task_cgid(p);
	if (tctx->cgid == cgid)
		return tctx->role;

	role = lookup_role(p);
	/* The other role's clock means nothing here: start afresh. */
	if (role != tctx->role)
		p->scx.dsq_vtime = *role_vtime(role);
	tctx->cgid = cgid;
	tctx->role = role;
	return role;
}

static u32 role_of_cpu(s32 cpu)
{
	if (cpu < 0 || cpu >= OE_QOS_MAX_CPUS)
		return OE_QOS_NONE;
	return cpu_role[cpu];
}

static void set_cpu_role(s32 cpu, u32 role)
{
	if (cpu >= 0 && cpu < OE_QOS_MAX_CPUS)
		cpu_role[cpu] = role;
}

/* Whether one of @cpu's SMT siblings runs an LS task. */
static bool sibling_runs_ls(s32 cpu)
{
	struct oe_qos_smt *smt;
	u32 key = cpu, i;
	s32 sib;

	smt = bpf_map_lookup_elem(&cpu_smt, &key);
	if (!smt)
		return false;
	for (i = 0; i < OE_QOS_SMT_MAX && i < smt->nr; i++) {
		sib = smt->cpus[i];
		if (sib != cpu && role_of_cpu(sib) == OE_QOS_LS)
			return true;
	}
	return false;
}

/* Kick, with @flags, @cpu's SMT siblings that run a task of @role. */
static void kick_siblings(s32 cpu, u32 role, u64 flags)
{
	struct oe_qos_smt *smt;
	u32 key = cpu, i;
	s32 sib;

	smt = bpf_map_lookup_elem(&cpu_smt, &key);
	if (!smt)
		return;
	for (i = 0; i < OE_QOS_SMT_MAX && i < smt->nr; i++) {
		sib = smt->cpus[i];
		if (sib != cpu && role_of_cpu(sib) == role)
			scx_bpf_kick_cpu(sib, flags);
	}
}

static bool be_starving(void)
{
	return scx_bpf_dsq_nr_queued(BE_DSQ) > 0 &&
	       bpf_ktime_get_ns() - be_last_run > BE_STARVE_NS;
}

/* An LS task waits and no CPU is idle: take one from a BE task. */
static void preempt_be_for(struct task_struct *p)
{
	u32 nr = scx_bpf_nr_cpu_ids(), start = preempt_cursor, i;
	s32 cpu = scx_bpf_task_cpu(p);

	if (role_of_cpu(cpu) == OE_QOS_BE &&
	    bpf_cpumask_test_cpu(cpu, p->cpus_ptr)) {
		scx_bpf_kick_cpu(cpu, SCX_KICK_PREEMPT);
		return;
	}
	for (i = 0; i < OE_QOS_MAX_CPUS && i < nr; i++) {
		cpu = (start + i) % nr;
		if (role_of_cpu(cpu) != OE_QOS_BE ||
		    !bpf_cpumask_test_cpu(cpu, p->cpus_ptr))
			continue;
		preempt_cursor = cpu + 1;
		scx_bpf_kick_cpu(cpu, SCX_KICK_PREEMPT);
		return;
	}
}

static void insert_vtime(struct task_struct *p, u32 role, u64 enq_flags)
{
	u64 slice = role == OE_QOS_BE ? BE_SLICE_NS : LS_SLICE_NS;
	u64 now = *role_vtime(role), vtime = p->scx.dsq_vtime;

	/* A sleeper keeps at most one slice of credit. */
	if (vtime_before(vtime, now - slice))
		vtime = now - slice;
	scx_bpf_dsq_insert_vtime(p, role == OE_QOS_BE ? BE_DSQ : LS_DSQ,
				 slice, vtime, enq_flags);
}

s32 BPF_STRUCT_OPS(oe_qos_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	u32 role = task_role(p, NULL);
	bool is_idle = false;
	s32 cpu;

	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
	if (!is_idle)
		return cpu;
	if (role == OE_QOS_BE && sibling_runs_ls(cpu)) {
		/* Give back the idle CPU it claimed; enqueue decides. */
		scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
		return cpu;
	}
	scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL,
			   role == OE_QOS_BE ? BE_SLICE_NS : LS_SLICE_NS, 0);
	return cpu;
}

void BPF_STRUCT_OPS(oe_qos_enqueue, struct task_struct *p, u64 enq_flags)
{
	u32 role = task_role(p, NULL);
	s32 cpu;

	/*
	 * The last task of this CPU (SCX_OPS_ENQ_LAST): keep it running,
	 * unless it is BE and a sibling runs LS; then the CPU idles until
	 * that sibling stops running LS and kicks it.
	 */
	if ((enq_flags & SCX_ENQ_LAST) &&
	    (role != OE_QOS_BE ||
	     !sibling_runs_ls(bpf_get_smp_processor_id()))) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL,
				   role == OE_QOS_BE ? BE_SLICE_NS :
				   LS_SLICE_NS, enq_flags);
		return;
	}

	if (role == OE_QOS_BE && scx_bpf_dsq_nr_queued(BE_DSQ) <= 0)
		be_last_run = bpf_ktime_get_ns();
	insert_vtime(p, role, enq_flags);

	cpu = scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);
	if (cpu >= 0)
		scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
	else if (role != OE_QOS_BE)
		preempt_be_for(p);
}

void BPF_STRUCT_OPS(oe_qos_dispatch, s32 cpu, struct task_struct *prev)
{
	if (be_starving() && scx_bpf_dsq_move_to_local(BE_DSQ))
		return;
	if (scx_bpf_dsq_move_to_local(LS_DSQ))
		return;
	/*
	 * An LS task whose slice ran out and is still runnable keeps the
	 * CPU (ops.enqueue() sees it with SCX_ENQ_LAST) rather than let BE
	 * in ahead of it. cpu_role says so: ops.stopping() clears it for a
	 * task that sleeps. (prev itself is not read: it may be NULL, and
	 * 6.6's verifier takes struct_ops arguments as never NULL.)
	 */
	if (role_of_cpu(cpu) == OE_QOS_LS)
		return;
	if (sibling_runs_ls(cpu))
		return;
	scx_bpf_dsq_move_to_local(BE_DSQ);
}

void BPF_STRUCT_OPS(oe_qos_tick, struct task_struct *p)
{
	/* Make room for a starving BE task: dispatch serves it first. */
	if (role_of_cpu(bpf_get_smp_processor_id()) == OE_QOS_LS &&
	    be_starving())
		p->scx.slice = 0;
}

void BPF_STRUCT_OPS(oe_qos_running, struct task_struct *p)
{
	s32 cpu = bpf_get_smp_processor_id();
	struct task_ctx *tctx;
	u64 *vnow;
	u32 role;

	role = task_role(p, &tctx);
	if (tctx)
		tctx->started = bpf_ktime_get_ns();
	vnow = role_vtime(role);
	if (vtime_before(*vnow, p->scx.dsq_vtime))
		*vnow = p->scx.dsq_vtime;

	set_cpu_role(cpu, role);
	if (role == OE_QOS_BE)
		be_last_run = bpf_ktime_get_ns();
	else
		kick_siblings(cpu, OE_QOS_BE, SCX_KICK_PREEMPT);
}

void BPF_STRUCT_OPS(oe_qos_stopping, struct task_struct *p, bool runnable)
{
	s32 cpu = bpf_get_smp_processor_id();
	struct task_ctx *tctx;
	u64 ran;
	u32 role;

	role = task_role(p, &tctx);
	if (tctx && tctx->started) {
		/* Charge the time it ran, scaled by 100 / weight. */
		ran = bpf_ktime_get_ns() - tctx->started;
		p->scx.dsq_vtime += ran * 100 / p->scx.weight;
		tctx->started = 0;
	}

	set_cpu_role(cpu, OE_QOS_NONE);
	/*
	 * Idle siblings that held back BE for this task may take it now
	 * that it sleeps (a preempted one is back on a CPU soon).
	 */
	if (!runnable && role != OE_QOS_BE &&
	    scx_bpf_dsq_nr_queued(BE_DSQ) > 0)
		kick_siblings(cpu, OE_QOS_NONE, SCX_KICK_IDLE);
}

void BPF_STRUCT_OPS(oe_qos_enable, struct task_struct *p)
{
	p->scx.dsq_vtime = *role_vtime(task_role(p, NULL));
}

s32 BPF_STRUCT_OPS(oe_qos_init_task, struct task_struct *p,
		   struct scx_init_task_args *args)
{
	struct task_ctx *tctx;

	tctx = bpf_task_storage_get(&task_ctxs, p, 0,
				    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!tctx)
		return -ENOMEM;
	tctx->cgid = oe_task_cgid(p);
	tctx->role = lookup_role(p);
	return 0;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(oe_qos_init)
{
	s32 ret;

	ret = scx_bpf_create_dsq(LS_DSQ, -1);
	if (ret)
		return ret;
	return scx_bpf_create_dsq(BE_DSQ, -1);
}

void BPF_STRUCT_OPS(oe_qos_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SEC(".struct_ops")
struct sched_ext_ops oe_qos_ops = {
	.select_cpu	= (void *)oe_qos_select_cpu,
	.enqueue	= (void *)oe_qos_enqueue,
	.dispatch	= (void *)oe_qos_dispatch,
	.tick		= (void *)oe_qos_tick,
	.running	= (void *)oe_qos_running,
	.stopping	= (void *)oe_qos_stopping,
	.enable		= (void *)oe_qos_enable,
	.init_task	= (void *)oe_qos_init_task,
	.init		= (void *)oe_qos_init,
	.exit		= (void *)oe_qos_exit,
	/* A BE task's last slice comes to ops.enqueue() to be held back. */
	.flags		= SCX_OPS_ENQ_LAST,
	.name		= "oe_qos",
};
