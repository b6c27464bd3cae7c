// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tracks idle CPUs itself (ops.update_idle) without
 * SCX_OPS_KEEP_BUILTIN_IDLE, so the kernel's idle masks are off, then
 * asks them for an idle CPU anyway: an error exit, not a wrong answer.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

static u64 nr_idle_updates;

void BPF_STRUCT_OPS(noidle_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
	scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);
}

void BPF_STRUCT_OPS(noidle_update_idle, s32 cpu, bool idle)
{
	__sync_fetch_and_add(&nr_idle_updates, 1);
}

SEC(".struct_ops")
struct sched_ext_ops scx_noidle_ops = {
	.enqueue	= (void *)noidle_enqueue,
	.update_idle	= (void *)noidle_update_idle,
	.name		= "scx_noidle",
};
