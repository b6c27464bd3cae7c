// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dispatches to a DSQ it never created: a runtime error the kernel must
 * turn into an error exit, with every task back on CFS.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

void BPF_STRUCT_OPS(baddsq_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, 999, SCX_SLICE_DFL, enq_flags);
}

SEC(".struct_ops")
struct sched_ext_ops scx_baddsq_ops = {
	.enqueue	= (void *)baddsq_enqueue,
	.name		= "scx_baddsq",
};
