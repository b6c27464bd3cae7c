// SPDX-License-Identifier: GPL-2.0-only
/*
 * A FIFO scheduler with one program per kind of callback context, for
 * scx_sleepable to mark one of them sleepable: those under an rq lock
 * (enqueue, dispatch), under scx_tasks_lock (exit_task) and those that
 * may sleep (init, exit, init_task, cgroup_init). Never attached.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

u64 nr_calls;

void BPF_STRUCT_OPS(sleep_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(sleep_dispatch, s32 cpu, struct task_struct *prev)
{
	scx_bpf_dsq_move_to_local(SCX_DSQ_GLOBAL);
}

void BPF_STRUCT_OPS(sleep_exit_task, struct task_struct *p,
		    struct scx_exit_task_args *args)
{
	__sync_fetch_and_add(&nr_calls, 1);
}

s32 BPF_STRUCT_OPS(sleep_init_task, struct task_struct *p,
		   struct scx_init_task_args *args)
{
	__sync_fetch_and_add(&nr_calls, 1);
	return 0;
}

s32 BPF_STRUCT_OPS(sleep_cgroup_init, struct cgroup *cgrp,
		   struct scx_cgroup_init_args *args)
{
	__sync_fetch_and_add(&nr_calls, 1);
	return 0;
}

s32 BPF_STRUCT_OPS(sleep_init)
{
	__sync_fetch_and_add(&nr_calls, 1);
	return 0;
}

void BPF_STRUCT_OPS(sleep_exit, struct scx_exit_info *ei)
{
	__sync_fetch_and_add(&nr_calls, 1);
}

SEC(".struct_ops")
struct sched_ext_ops scx_sleep_ops = {
	.enqueue	= (void *)sleep_enqueue,
	.dispatch	= (void *)sleep_dispatch,
	.exit_task	= (void *)sleep_exit_task,
	.init_task	= (void *)sleep_init_task,
	.cgroup_init	= (void *)sleep_cgroup_init,
	.init		= (void *)sleep_init,
	.exit		= (void *)sleep_exit,
	.name		= "scx_sleep",
};
