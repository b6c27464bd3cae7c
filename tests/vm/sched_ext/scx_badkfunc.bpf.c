// SPDX-License-Identifier: GPL-2.0-only
/*
 * Calls scx_bpf_dsq_move_to_local() from ops.enqueue(), where it is not
 * safe: the verifier must refuse to load this.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

void BPF_STRUCT_OPS(badkfunc_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
	scx_bpf_dsq_move_to_local(SCX_DSQ_GLOBAL);
}

SEC(".struct_ops")
struct sched_ext_ops scx_badkfunc_ops = {
	.enqueue	= (void *)badkfunc_enqueue,
	.name		= "scx_badkfunc",
};
