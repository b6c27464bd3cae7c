// SPDX-License-Identifier: GPL-2.0-only
/*
 * Destroys DSQs from callbacks that run under the rq lock with
 * interrupts off: DSQ 6 from ops.enqueue(), DSQ 7 from ops.dispatch(),
 * both empty. Tasks go through DSQ 5, which stays. After each destroy
 * the DSQ must be gone (-ENOENT), else it reports an error.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

#define WORK_DSQ	5
#define ENQ_DSQ		6
#define DSP_DSQ		7
#define ENOENT		2

u64 nr_enqueues, nr_dispatches;
bool enq_destroyed, dsp_destroyed;

void BPF_STRUCT_OPS(destroy_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, WORK_DSQ, SCX_SLICE_DFL, enq_flags);
	if (__sync_fetch_and_add(&nr_enqueues, 1) == 20) {
		scx_bpf_destroy_dsq(ENQ_DSQ);
		if (scx_bpf_dsq_nr_queued(ENQ_DSQ) != -ENOENT)
			scx_bpf_error("DSQ %d outlived its destroy", ENQ_DSQ);
		enq_destroyed = true;
	}
}

void BPF_STRUCT_OPS(destroy_dispatch, s32 cpu, struct task_struct *prev)
{
	scx_bpf_dsq_move_to_local(WORK_DSQ);
	if (__sync_fetch_and_add(&nr_dispatches, 1) == 20) {
		scx_bpf_destroy_dsq(DSP_DSQ);
		if (scx_bpf_dsq_nr_queued(DSP_DSQ) != -ENOENT)
			scx_bpf_error("DSQ %d outlived its destroy", DSP_DSQ);
		dsp_destroyed = true;
	}
}

s32 BPF_STRUCT_OPS_SLEEPABLE(destroy_init)
{
	s32 ret;

	ret = scx_bpf_create_dsq(WORK_DSQ, -1);
	if (!ret)
		ret = scx_bpf_create_dsq(ENQ_DSQ, -1);
	if (!ret)
		ret = scx_bpf_create_dsq(DSP_DSQ, -1);
	return ret;
}

SEC(".struct_ops")
struct sched_ext_ops scx_destroy_ops = {
	.enqueue	= (void *)destroy_enqueue,
	.dispatch	= (void *)destroy_dispatch,
	.init		= (void *)destroy_init,
	.name		= "scx_destroy",
};
