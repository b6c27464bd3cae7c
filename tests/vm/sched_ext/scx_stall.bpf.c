// SPDX-License-Identifier: GPL-2.0-only
/*
 * A broken scheduler for the watchdog test: every task is queued on a
 * DSQ that ops.dispatch() never looks at, so nothing but the kernel's
 * bypass can run once it is loaded.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

#define STALL_DSQ	1

void BPF_STRUCT_OPS(stall_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, STALL_DSQ, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(stall_dispatch, s32 cpu, struct task_struct *prev)
{
}

s32 BPF_STRUCT_OPS(stall_init)
{
	return scx_bpf_create_dsq(STALL_DSQ, -1);
}

SEC(".struct_ops")
struct sched_ext_ops scx_stall_ops = {
	.enqueue	= (void *)stall_enqueue,
	.dispatch	= (void *)stall_dispatch,
	.init		= (void *)stall_init,
	.timeout_ms	= 3000,
	.name		= "scx_stall",
};
