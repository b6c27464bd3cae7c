// SPDX-License-Identifier: GPL-2.0-only
/*
 * oe_fifo: the smallest correct sched_ext policy, and the baseline the
 * others are measured against. One global queue ordered by weighted
 * vtime: a task's vtime grows by the time it ran divided by its weight,
 * so CPU time is shared by weight; a task that slept keeps at most one
 * slice of credit. A waking task goes straight to an idle CPU when there
 * is one.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

#define OE_FIFO_DSQ	0

static u64 vtime_now;
UEI_DEFINE(uei);

s32 BPF_STRUCT_OPS(oe_fifo_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	bool is_idle = false;
	s32 cpu;

	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
	if (is_idle)
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	return cpu;
}

void BPF_STRUCT_OPS(oe_fifo_enqueue, struct task_struct *p, u64 enq_flags)
{
	u64 vtime = p->scx.dsq_vtime;
	s32 cpu;

	if (vtime_before(vtime, vtime_now - SCX_SLICE_DFL))
		vtime = vtime_now - SCX_SLICE_DFL;
	scx_bpf_dsq_insert_vtime(p, OE_FIFO_DSQ, SCX_SLICE_DFL, vtime,
				 enq_flags);

	/* Wake an idle CPU to take it, if one may. */
	cpu = scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);
	if (cpu >= 0)
		scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
}

void BPF_STRUCT_OPS(oe_fifo_dispatch, s32 cpu, struct task_struct *prev)
{
	scx_bpf_dsq_move_to_local(OE_FIFO_DSQ);
}

void BPF_STRUCT_OPS(oe_fifo_running, struct task_struct *p)
{
	if (vtime_before(vtime_now, p->scx.dsq_vtime))
		vtime_now = p->scx.dsq_vtime;
}

void BPF_STRUCT_OPS(oe_fifo_stopping, struct task_struct *p, bool runnable)
{
	/* What it used of its slice, scaled by 100 / weight. */
	p->scx.dsq_vtime += (SCX_SLICE_DFL - p->scx.slice) * 100 /
			    p->scx.weight;
}

void BPF_STRUCT_OPS(oe_fifo_enable, struct task_struct *p)
{
	p->scx.dsq_vtime = vtime_now;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(oe_fifo_init)
{
	return scx_bpf_create_dsq(OE_FIFO_DSQ, -1);
}

void BPF_STRUCT_OPS(oe_fifo_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SEC(".struct_ops")
struct sched_ext_ops oe_fifo_ops = {
	.select_cpu	= (void *)oe_fifo_select_cpu,
	.enqueue	= (void *)oe_fifo_enqueue,
	.dispatch	= (void *)oe_fifo_dispatch,
	.running	= (void *)oe_fifo_running,
	.stopping	= (void *)oe_fifo_stopping,
	.enable		= (void *)oe_fifo_enable,
	.init		= (void *)oe_fifo_init,
	.exit		= (void *)oe_fifo_exit,
	.name		= "oe_fifo",
};
