// SPDX-License-Identifier: GPL-2.0-only
/*
 * Schedules like oe_fifo's global queue until its 500th ops.select_cpu(),
 * which returns CPU 4096: the kernel must end it with an error, whatever
 * the tasks are doing (the suite keeps some PI-boosted meanwhile).
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

static u64 nr_selects;
UEI_DEFINE(uei);

s32 BPF_STRUCT_OPS(badcpu_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	if (__sync_add_and_fetch(&nr_selects, 1) >= 500)
		return 4096;
	return prev_cpu;
}

void BPF_STRUCT_OPS(badcpu_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(badcpu_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SEC(".struct_ops")
struct sched_ext_ops scx_badcpu_ops = {
	.select_cpu	= (void *)badcpu_select_cpu,
	.enqueue	= (void *)badcpu_enqueue,
	.exit		= (void *)badcpu_exit,
	.name		= "scx_badcpu",
};
