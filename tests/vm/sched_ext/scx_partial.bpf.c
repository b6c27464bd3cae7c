// SPDX-License-Identifier: GPL-2.0-only
/*
 * SCX_OPS_SWITCH_PARTIAL: only SCHED_EXT tasks may reach this scheduler.
 * Any other task is an error; after 50 enqueues of SCHED_EXT tasks it
 * unloads itself with a message saying so. Its ops.select_cpu() never
 * dispatches, so that every wakeup and fork reaches ops.enqueue(): the
 * default one would send a task that finds an idle CPU there directly.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

#define SCHED_EXT	7

static u64 nr_ext;

s32 BPF_STRUCT_OPS(partial_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	return prev_cpu;
}

void BPF_STRUCT_OPS(partial_enqueue, struct task_struct *p, u64 enq_flags)
{
	if (p->policy != SCHED_EXT) {
		scx_bpf_error("%s[%d] of policy %d reached a partial scheduler",
			      p->comm, p->pid, p->policy);
		return;
	}
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
	if (__sync_add_and_fetch(&nr_ext, 1) == 50)
		scx_bpf_exit(0, "scx_partial: %d SCHED_EXT enqueues", 50);
}

SEC(".struct_ops")
struct sched_ext_ops scx_partial_ops = {
	.select_cpu	= (void *)partial_select_cpu,
	.enqueue	= (void *)partial_enqueue,
	.flags		= SCX_OPS_SWITCH_PARTIAL,
	.name		= "scx_partial",
};
