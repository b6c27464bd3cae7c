// SPDX-License-Identifier: GPL-2.0-only
/*
 * Schedules like oe_fifo's global queue, then calls scx_bpf_error() on
 * its 200th dispatch, to show the error reaching ops.exit() and sysfs.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

static u64 nr_dispatches;
UEI_DEFINE(uei);

void BPF_STRUCT_OPS(error_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(error_dispatch, s32 cpu, struct task_struct *prev)
{
	if (__sync_add_and_fetch(&nr_dispatches, 1) == 200)
		scx_bpf_error("scx_error: dispatch %d of cpu %d", 200, cpu);
}

void BPF_STRUCT_OPS(error_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SEC(".struct_ops")
struct sched_ext_ops scx_error_ops = {
	.enqueue	= (void *)error_enqueue,
	.dispatch	= (void *)error_dispatch,
	.exit		= (void *)error_exit,
	.name		= "scx_error",
};
