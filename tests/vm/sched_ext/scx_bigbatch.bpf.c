// SPDX-License-Identifier: GPL-2.0-only
/*
 * Asks for a dispatch buffer of 2000 entries, more than the per-CPU
 * allocator gives out (64 KB a CPU): the kernel must refuse it when
 * the struct_ops is registered, with E2BIG and without a WARN.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

void BPF_STRUCT_OPS(bigbatch_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

SEC(".struct_ops")
struct sched_ext_ops scx_bigbatch_ops = {
	.enqueue		= (void *)bigbatch_enqueue,
	.dispatch_max_batch	= 2000,
	.name			= "scx_bigbatch",
};
