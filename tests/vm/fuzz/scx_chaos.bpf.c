// SPDX-License-Identifier: GPL-2.0-only
/*
 * scx_chaos: a scheduler that keeps tasks running (through the global
 * DSQ, a FIFO one and a vtime one) while every callback calls the
 * kfuncs it may with random arguments: kicks of every kind to any CPU
 * (KICK_WAIT from many CPUs at once included), DSQ counts of any id,
 * idle-CPU picks and claims, re-enqueues, random slices, vtimes and
 * insert flags, and DSQs created in ops.init_task() and destroyed from
 * any callback while others may insert into them. Now and then an
 * argument is invalid on purpose: the kernel must eject the scheduler
 * cleanly, and the fuzz suite loads it again.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

#define FIFO_DSQ	1
#define VTIME_DSQ	2
#define CHURN_BASE	20	/* 20..27: made and destroyed as it goes */
#define NR_CHURN	8

u32 nr_cpus = 4;	/* the loader may set it; a wrong one is ejected */
u64 nr_calls;

static u32 rnd(u32 n)
{
	return n ? bpf_get_prandom_u32() % n : 0;
}

/* Rarely an invalid value: one in @odds. */
static bool now_and_then(u32 odds)
{
	return !rnd(odds);
}

static s32 some_cpu(void)
{
	if (now_and_then(2000))
		return (s32)nr_cpus + rnd(3);
	return rnd(nr_cpus);
}

static u64 some_dsq(void)
{
	switch (rnd(6)) {
	case 0:
		return SCX_DSQ_GLOBAL;
	case 1:
		return SCX_DSQ_LOCAL;
	case 2:
		return SCX_DSQ_LOCAL_ON | some_cpu();
	case 3:
		return FIFO_DSQ;
	case 4:
		return CHURN_BASE + rnd(NR_CHURN);
	default:
		return now_and_then(50) ? bpf_get_prandom_u32() : VTIME_DSQ;
	}
}

/* What any callback may call. */
static void chaos(struct task_struct *p)
{
	__sync_fetch_and_add(&nr_calls, 1);
	switch (rnd(8)) {
	case 0:
		scx_bpf_kick_cpu(some_cpu(), rnd(8));
		break;
	case 1:
		scx_bpf_dsq_nr_queued(some_dsq());
		break;
	case 2:
		scx_bpf_test_and_clear_cpu_idle(some_cpu());
		break;
	case 3:
		if (p)
			scx_bpf_pick_idle_cpu(p->cpus_ptr, rnd(2));
		break;
	case 4: {
		const struct cpumask *idle = scx_bpf_get_idle_cpumask();

		scx_bpf_put_idle_cpumask(idle);
		idle = scx_bpf_get_idle_smtmask();
		scx_bpf_put_idle_cpumask(idle);
		break;
	}
	case 5:
		if (p) {
			scx_bpf_task_running(p);
			scx_bpf_task_cpu(p);
		}
		break;
	case 6:
		/* Only an empty one goes; one with tasks is an error exit. */
		if (now_and_then(20))
			scx_bpf_destroy_dsq(CHURN_BASE + rnd(NR_CHURN));
		break;
	default:
		scx_bpf_nr_cpu_ids();
	}
}

static u64 some_slice(void)
{
	switch (rnd(4)) {
	case 0:
		return 0;
	case 1:
		return 1 + rnd(100000);
	case 2:
		return SCX_SLICE_DFL;
	default:
		return now_and_then(10) ? SCX_SLICE_INF : 5000000;
	}
}

/* Where a task goes: mostly where it will be found again. */
static void insert(struct task_struct *p, u64 enq_flags)
{
	u64 dsq = some_dsq(), flags = enq_flags;

	if (now_and_then(4))
		flags |= SCX_ENQ_PREEMPT;
	if (dsq == VTIME_DSQ)
		scx_bpf_dsq_insert_vtime(p, dsq, some_slice(),
					 bpf_get_prandom_u32(), flags);
	else
		scx_bpf_dsq_insert(p, dsq, some_slice(), flags);
}

s32 BPF_STRUCT_OPS(chaos_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	bool idle = false;
	s32 cpu;

	chaos(p);
	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &idle);
	if (idle && rnd(2))
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, some_slice(), 0);
	return rnd(4) ? cpu : some_cpu();
}

void BPF_STRUCT_OPS(chaos_enqueue, struct task_struct *p, u64 enq_flags)
{
	chaos(p);
	if (now_and_then(5000))
		return;		/* lost: the watchdog must eject us */
	insert(p, enq_flags);
}

void BPF_STRUCT_OPS(chaos_dispatch, s32 cpu, struct task_struct *prev)
{
	chaos(prev);
	if (now_and_then(30))
		scx_bpf_reenqueue_local();
	scx_bpf_dispatch_nr_slots();
	if (!scx_bpf_dsq_move_to_local(SCX_DSQ_GLOBAL) &&
	    !scx_bpf_dsq_move_to_local(FIFO_DSQ) &&
	    !scx_bpf_dsq_move_to_local(VTIME_DSQ))
		scx_bpf_consume(CHURN_BASE + rnd(NR_CHURN));
}

void BPF_STRUCT_OPS(chaos_tick, struct task_struct *p)
{
	chaos(p);
	if (now_and_then(4))
		p->scx.slice = some_slice();
}

void BPF_STRUCT_OPS(chaos_runnable, struct task_struct *p, u64 enq_flags)
{
	chaos(p);
}

void BPF_STRUCT_OPS(chaos_running, struct task_struct *p)
{
	chaos(p);
}

void BPF_STRUCT_OPS(chaos_stopping, struct task_struct *p, bool runnable)
{
	chaos(p);
}

void BPF_STRUCT_OPS(chaos_quiescent, struct task_struct *p, u64 deq_flags)
{
	chaos(p);
}

void BPF_STRUCT_OPS(chaos_dequeue, struct task_struct *p, u64 deq_flags)
{
	chaos(p);
}

bool BPF_STRUCT_OPS(chaos_yield, struct task_struct *from,
		    struct task_struct *to)
{
	chaos(from);
	return rnd(2);
}

void BPF_STRUCT_OPS(chaos_set_weight, struct task_struct *p, u32 weight)
{
	chaos(p);
}

void BPF_STRUCT_OPS(chaos_set_cpumask, struct task_struct *p,
		    const struct cpumask *cpumask)
{
	chaos(p);
}

void BPF_STRUCT_OPS(chaos_update_idle, s32 cpu, bool idle)
{
	chaos(NULL);
}

s32 BPF_STRUCT_OPS(chaos_init_task, struct task_struct *p,
		   struct scx_init_task_args *args)
{
	if (now_and_then(4))
		scx_bpf_create_dsq(CHURN_BASE + rnd(NR_CHURN), -1);
	p->scx.disallow = now_and_then(100);
	return 0;
}

void BPF_STRUCT_OPS(chaos_exit_task, struct task_struct *p,
		    struct scx_exit_task_args *args)
{
	chaos(p);
}

void BPF_STRUCT_OPS(chaos_enable, struct task_struct *p)
{
	chaos(p);
	/* Ignored outside ops.init_task(): must change nothing. */
	p->scx.disallow = rnd(2);
}

void BPF_STRUCT_OPS(chaos_disable, struct task_struct *p)
{
	chaos(p);
}

s32 BPF_STRUCT_OPS(chaos_cgroup_init, struct cgroup *cgrp,
		   struct scx_cgroup_init_args *args)
{
	chaos(NULL);
	return 0;
}

void BPF_STRUCT_OPS(chaos_cgroup_exit, struct cgroup *cgrp)
{
	chaos(NULL);
}

void BPF_STRUCT_OPS(chaos_cgroup_move, struct task_struct *p,
		    struct cgroup *from, struct cgroup *to)
{
	chaos(p);
}

void BPF_STRUCT_OPS(chaos_cgroup_set_weight, struct cgroup *cgrp, u32 weight)
{
	chaos(NULL);
}

void BPF_STRUCT_OPS(chaos_cpu_online, s32 cpu)
{
	chaos(NULL);
}

void BPF_STRUCT_OPS(chaos_cpu_offline, s32 cpu)
{
	chaos(NULL);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(chaos_init)
{
	s32 ret = scx_bpf_create_dsq(FIFO_DSQ, -1);

	if (!ret)
		ret = scx_bpf_create_dsq(VTIME_DSQ, -1);
	return ret;
}

void BPF_STRUCT_OPS(chaos_exit, struct scx_exit_info *ei)
{
}

SEC(".struct_ops")
struct sched_ext_ops scx_chaos_ops = {
	.select_cpu		= (void *)chaos_select_cpu,
	.enqueue		= (void *)chaos_enqueue,
	.dequeue		= (void *)chaos_dequeue,
	.dispatch		= (void *)chaos_dispatch,
	.tick			= (void *)chaos_tick,
	.runnable		= (void *)chaos_runnable,
	.running		= (void *)chaos_running,
	.stopping		= (void *)chaos_stopping,
	.quiescent		= (void *)chaos_quiescent,
	.yield			= (void *)chaos_yield,
	.set_weight		= (void *)chaos_set_weight,
	.set_cpumask		= (void *)chaos_set_cpumask,
	.update_idle		= (void *)chaos_update_idle,
	.init_task		= (void *)chaos_init_task,
	.exit_task		= (void *)chaos_exit_task,
	.enable			= (void *)chaos_enable,
	.disable		= (void *)chaos_disable,
	.cgroup_init		= (void *)chaos_cgroup_init,
	.cgroup_exit		= (void *)chaos_cgroup_exit,
	.cgroup_move		= (void *)chaos_cgroup_move,
	.cgroup_set_weight	= (void *)chaos_cgroup_set_weight,
	.cpu_online		= (void *)chaos_cpu_online,
	.cpu_offline		= (void *)chaos_cpu_offline,
	.init			= (void *)chaos_init,
	.exit			= (void *)chaos_exit,
	.flags			= SCX_OPS_KEEP_BUILTIN_IDLE,
	.timeout_ms		= 5000,
	.name			= "scx_chaos",
};
