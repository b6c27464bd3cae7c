// SPDX-License-Identifier: GPL-2.0-only
/*
 * scx_kitchen: a working scheduler that uses every callback, flag and
 * kfunc of sched_ext.md, checks what each returns where the answer is
 * known, and reports. Each callback sets a bit of `cbs` when it runs;
 * each kfunc or flag seen doing its job sets a bit of `feats`; a wrong
 * answer sets the same bit in `bad`. The suite drives the callbacks
 * that need a trigger (see kitchen_task.c), then starts a task named
 * kitchen_done, whose last stop ends the scheduler with scx_bpf_exit()
 * and the three masks in the message.
 *
 * Tasks go round four ways to the two user DSQs (FIFO and vtime, under
 * both kfunc names) and, every fifth, into the scheduler's custody: a
 * queue of pids that ops.dispatch() turns back into tasks.
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

#define FIFO_DSQ	10
#define VTIME_DSQ	11
#define TMP_DSQ		12
#define TASK_DSQ	13	/* created in ops.init_task() */
#define NO_DSQ		777	/* never created */
#define MAX_BATCH	8
#define PF_EXITING	0x00000004
#define ENOENT		2
#define EEXIST		17

/* Callback bits, in struct sched_ext_ops order (the suite names them). */
enum {
	CB_SELECT_CPU, CB_ENQUEUE, CB_DEQUEUE, CB_DISPATCH, CB_TICK,
	CB_RUNNABLE, CB_RUNNING, CB_STOPPING, CB_QUIESCENT, CB_YIELD,
	CB_SET_WEIGHT, CB_SET_CPUMASK, CB_UPDATE_IDLE, CB_INIT_TASK,
	CB_EXIT_TASK, CB_ENABLE, CB_DISABLE, CB_CGROUP_INIT, CB_CGROUP_EXIT,
	CB_CGROUP_MOVE, CB_CGROUP_SET_WEIGHT, CB_CPU_ONLINE, CB_CPU_OFFLINE,
	CB_INIT,
};

/* kfunc and flag bits. */
enum {
	F_DSQ_INSERT, F_DISPATCH, F_DSQ_INSERT_VTIME, F_DISPATCH_VTIME,
	F_NR_SLOTS, F_MOVE_TO_LOCAL, F_CONSUME, F_REENQUEUE_LOCAL,
	F_CREATE_DSQ, F_DESTROY_DSQ, F_NR_QUEUED, F_KICK_IDLE,
	F_KICK_PREEMPT, F_KICK_WAIT, F_SELECT_CPU_DFL, F_PICK_IDLE_CPU,
	F_PICK_ANY_CPU, F_TEST_AND_CLEAR_IDLE, F_IDLE_CPUMASK,
	F_IDLE_SMTMASK, F_TASK_RUNNING, F_TASK_CPU, F_NR_CPU_IDS,
	F_LOCAL_ON, F_ENQ_LAST, F_ENQ_EXITING, F_ENQ_REENQ, F_CUSTODY,
	F_HELD_RELEASED, F_WAKE_FORK, F_WAKE_TTWU,
};

u64 cbs, feats, bad;
u32 nice_weight, cgroup_weight, nr_cpus;
static u64 nr_enqueues, nr_dispatches, vtime_now;
static s32 held_pid;
static bool held_once, task_dsq_made, waited;

/* Per CPU: a PREEMPT kick pending; runtime and slice its task began with. */
struct pcpu {
	bool kicked;
	u64 start_runtime;
	u64 start_slice;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct pcpu);
} pcpu_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 4096);
	__type(value, s32);
} custody SEC(".maps");

UEI_DEFINE(uei);

static void saw_cb(int bit)
{
	__sync_fetch_and_or(&cbs, 1ULL << bit);
}

static void saw(int bit)
{
	__sync_fetch_and_or(&feats, 1ULL << bit);
}

static void wrong(int bit)
{
	__sync_fetch_and_or(&bad, 1ULL << bit);
}

static struct pcpu *this_pcpu(void)
{
	u32 zero = 0;

	return bpf_map_lookup_elem(&pcpu_map, &zero);
}

/*
 * Is @p's comm "kitchen_" followed by @what (at most 7 characters)?
 * Unrolled: a task's fields are read at constant offsets only.
 */
static __always_inline bool comm_is(struct task_struct *p, const char *what)
{
	static const char prefix[] = "kitchen_";
	int i;

#pragma unroll
	for (i = 0; i < 8; i++)
		if (p->comm[i] != prefix[i])
			return false;
#pragma unroll
	for (i = 0; i < 8; i++) {
		if (p->comm[8 + i] != what[i])
			return false;
		if (!what[i])
			return true;
	}
	return false;
}

s32 BPF_STRUCT_OPS(kitchen_select_cpu, struct task_struct *p, s32 prev_cpu,
		   u64 wake_flags)
{
	bool is_idle = false;
	s32 cpu;

	saw_cb(CB_SELECT_CPU);
	/* Each call is for a fork or for a wakeup, never both. */
	if (wake_flags & SCX_WAKE_FORK)
		saw(F_WAKE_FORK);
	if (wake_flags & SCX_WAKE_TTWU)
		saw(F_WAKE_TTWU);
	if (!(wake_flags & SCX_WAKE_FORK) == !(wake_flags & SCX_WAKE_TTWU))
		wrong(F_WAKE_FORK);
	/* The task to be held must reach ops.enqueue(). */
	if (!held_once && comm_is(p, "held"))
		return prev_cpu;
	/* Claim the previous CPU if it is idle, else the default choice. */
	if (bpf_cpumask_test_cpu(prev_cpu, p->cpus_ptr) &&
	    scx_bpf_test_and_clear_cpu_idle(prev_cpu)) {
		saw(F_TEST_AND_CLEAR_IDLE);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
		return prev_cpu;
	}
	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
	if (is_idle) {
		saw(F_SELECT_CPU_DFL);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	}
	return cpu;
}

void BPF_STRUCT_OPS(kitchen_enqueue, struct task_struct *p, u64 enq_flags)
{
	u64 n = __sync_fetch_and_add(&nr_enqueues, 1);
	u64 vtime = p->scx.dsq_vtime;
	u64 slice = SCX_SLICE_DFL;
	s32 pid = p->pid, cpu;

	saw_cb(CB_ENQUEUE);
	if (enq_flags & SCX_ENQ_LAST)
		saw(F_ENQ_LAST);
	if (enq_flags & SCX_ENQ_REENQ)
		saw(F_ENQ_REENQ);
	if (p->flags & PF_EXITING)
		saw(F_ENQ_EXITING);

	cpu = scx_bpf_pick_any_cpu(p->cpus_ptr, 0);
	if (cpu >= 0 && bpf_cpumask_test_cpu(cpu, p->cpus_ptr))
		saw(F_PICK_ANY_CPU);
	else
		wrong(F_PICK_ANY_CPU);

	/* Held in custody, never dispatched, until ops.dequeue() says so. */
	if (!held_once && comm_is(p, "held")) {
		held_once = true;
		held_pid = pid;
		return;
	}

	/* Short slices: the exiting task is preempted inside do_exit(). */
	if (comm_is(p, "exit"))
		slice = SCX_SLICE_DFL / 20;
	if (vtime_before(vtime, vtime_now - SCX_SLICE_DFL))
		vtime = vtime_now - SCX_SLICE_DFL;
	switch (n % 5) {
	case 0:
		saw(F_DSQ_INSERT);
		scx_bpf_dsq_insert(p, FIFO_DSQ, slice, enq_flags);
		break;
	case 1:
		saw(F_DISPATCH);
		scx_bpf_dispatch(p, FIFO_DSQ, slice, enq_flags);
		break;
	case 2:
		saw(F_DSQ_INSERT_VTIME);
		scx_bpf_dsq_insert_vtime(p, VTIME_DSQ, slice, vtime,
					 enq_flags);
		break;
	case 3:
		saw(F_DISPATCH_VTIME);
		scx_bpf_dispatch_vtime(p, VTIME_DSQ, slice, vtime,
				       enq_flags);
		break;
	default:
		/* A full queue would strand the task: fall back to a DSQ. */
		if (bpf_map_push_elem(&custody, &pid, 0))
			scx_bpf_dsq_insert(p, FIFO_DSQ, slice,
					   enq_flags);
		break;
	}

	cpu = scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);
	if (cpu >= 0) {
		saw(F_PICK_IDLE_CPU);
		saw(F_KICK_IDLE);
		scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
	}
}

void BPF_STRUCT_OPS(kitchen_dequeue, struct task_struct *p, u64 deq_flags)
{
	saw_cb(CB_DEQUEUE);
	if (p->pid == held_pid) {
		saw(F_HELD_RELEASED);
		held_pid = 0;
	}
}

/* Turn one pid of the custody queue into a dispatch; false if empty. */
static bool dispatch_custody(void)
{
	struct task_struct *p;
	s32 pid;

	if (bpf_map_pop_elem(&custody, &pid))
		return false;
	/* A stale entry must not free the held task. */
	if (pid == held_pid)
		return true;
	p = bpf_task_from_pid(pid);
	if (!p)
		return true;	/* it exited meanwhile */
	/*
	 * To the CPU it is on. A pid queued twice, or a task dequeued
	 * since, makes a stale dispatch the kernel must ignore.
	 */
	saw(F_CUSTODY);
	saw(F_TASK_CPU);
	saw(F_LOCAL_ON);
	scx_bpf_dispatch(p, SCX_DSQ_LOCAL_ON | scx_bpf_task_cpu(p),
			 SCX_SLICE_DFL, 0);
	bpf_task_release(p);
	return true;
}

void BPF_STRUCT_OPS(kitchen_dispatch, s32 cpu, struct task_struct *prev)
{
	u64 n = __sync_fetch_and_add(&nr_dispatches, 1);
	u32 slots, left;
	s32 nr, after;

	saw_cb(CB_DISPATCH);

	if (scx_bpf_dsq_nr_queued(NO_DSQ) != -ENOENT)
		wrong(F_NR_QUEUED);
	nr = scx_bpf_dsq_nr_queued(SCX_DSQ_LOCAL);
	if (nr < 0)
		wrong(F_NR_QUEUED);

	/*
	 * Now and then, before anything is dispatched: move a task to the
	 * local DSQ and put every task there back through ops.enqueue().
	 * A task of another CPU only arrives once ops.dispatch() returns.
	 */
	if (!(n % 16) && scx_bpf_dsq_move_to_local(FIFO_DSQ)) {
		saw(F_MOVE_TO_LOCAL);
		after = scx_bpf_dsq_nr_queued(SCX_DSQ_LOCAL);
		if (after == nr + 1) {
			saw(F_NR_QUEUED);
			if (scx_bpf_reenqueue_local() == after)
				saw(F_REENQUEUE_LOCAL);
			else
				wrong(F_REENQUEUE_LOCAL);
		} else if (after != nr) {
			wrong(F_NR_QUEUED);
		}
	}

	/* Free slots: the whole batch, one fewer after each dispatch. */
	slots = scx_bpf_dispatch_nr_slots();
	if (slots != MAX_BATCH)
		wrong(F_NR_SLOTS);
	if (dispatch_custody()) {
		left = scx_bpf_dispatch_nr_slots();
		if (left == slots - 1)
			saw(F_NR_SLOTS);
		else
			wrong(F_NR_SLOTS);
	}

	if (n & 1) {
		if (scx_bpf_consume(FIFO_DSQ))
			saw(F_CONSUME);
		else if (scx_bpf_dsq_move_to_local(VTIME_DSQ))
			saw(F_MOVE_TO_LOCAL);
	} else {
		if (scx_bpf_dsq_move_to_local(VTIME_DSQ))
			saw(F_MOVE_TO_LOCAL);
		else if (scx_bpf_consume(FIFO_DSQ))
			saw(F_CONSUME);
	}
}

void BPF_STRUCT_OPS(kitchen_tick, struct task_struct *p)
{
	const struct cpumask *idle;
	s32 cpu = bpf_get_smp_processor_id();
	struct pcpu *pc = this_pcpu();

	saw_cb(CB_TICK);
	if (scx_bpf_task_running(p))
		saw(F_TASK_RUNNING);
	else
		wrong(F_TASK_RUNNING);
	if (scx_bpf_task_cpu(p) != cpu)
		wrong(F_TASK_CPU);

	/* A CPU running a task is not idle in either mask. */
	idle = scx_bpf_get_idle_cpumask();
	if (bpf_cpumask_test_cpu(cpu, idle))
		wrong(F_IDLE_CPUMASK);
	else
		saw(F_IDLE_CPUMASK);
	scx_bpf_put_idle_cpumask(idle);
	idle = scx_bpf_get_idle_smtmask();
	if (bpf_cpumask_test_cpu(cpu, idle))
		wrong(F_IDLE_SMTMASK);
	else
		saw(F_IDLE_SMTMASK);
	scx_bpf_put_idle_cpumask(idle);

	/* A spinner gets its slice cut; ops.stopping() checks it. */
	if (pc && !pc->kicked && comm_is(p, "spin")) {
		pc->kicked = true;
		scx_bpf_kick_cpu(cpu, SCX_KICK_PREEMPT);
	}
	/* WAIT once, from CPU 0: two CPUs waiting on each other spin. */
	if (cpu == 0 && !waited && comm_is(p, "spin")) {
		waited = true;
		saw(F_KICK_WAIT);
		scx_bpf_kick_cpu(1, SCX_KICK_WAIT);
	}
}

void BPF_STRUCT_OPS(kitchen_runnable, struct task_struct *p, u64 enq_flags)
{
	saw_cb(CB_RUNNABLE);
}

void BPF_STRUCT_OPS(kitchen_running, struct task_struct *p)
{
	struct pcpu *pc = this_pcpu();

	saw_cb(CB_RUNNING);
	if (vtime_before(vtime_now, p->scx.dsq_vtime))
		vtime_now = p->scx.dsq_vtime;
	if (pc) {
		pc->start_runtime = p->se.sum_exec_runtime;
		pc->start_slice = p->scx.slice;
	}
}

void BPF_STRUCT_OPS(kitchen_stopping, struct task_struct *p, bool runnable)
{
	struct pcpu *pc = this_pcpu();

	saw_cb(CB_STOPPING);
	p->scx.dsq_vtime += (SCX_SLICE_DFL - p->scx.slice) * 100 /
			    p->scx.weight;

	/*
	 * After a PREEMPT kick the slice is gone though the task used less
	 * of it than it had: nothing else takes a spinner's slice early.
	 */
	if (pc && pc->kicked && runnable && !p->scx.slice &&
	    p->se.sum_exec_runtime - pc->start_runtime < pc->start_slice)
		saw(F_KICK_PREEMPT);
	if (pc)
		pc->kicked = false;

	if (!runnable && comm_is(p, "done"))
		scx_bpf_exit(42, "kitchen cbs=%llx feats=%llx bad=%llx nice_w=%u cg_w=%u ncpu=%u",
			     cbs, feats, bad, nice_weight, cgroup_weight,
			     nr_cpus);
}

void BPF_STRUCT_OPS(kitchen_quiescent, struct task_struct *p, u64 deq_flags)
{
	saw_cb(CB_QUIESCENT);
}

bool BPF_STRUCT_OPS(kitchen_yield, struct task_struct *from,
		    struct task_struct *to)
{
	saw_cb(CB_YIELD);
	/* sched_yield() names no target; give up the rest of the slice. */
	if (!to)
		from->scx.slice = 0;
	return false;
}

void BPF_STRUCT_OPS(kitchen_set_weight, struct task_struct *p, u32 weight)
{
	saw_cb(CB_SET_WEIGHT);
	if (comm_is(p, "held"))
		nice_weight = weight;
}

void BPF_STRUCT_OPS(kitchen_set_cpumask, struct task_struct *p,
		    const struct cpumask *cpumask)
{
	saw_cb(CB_SET_CPUMASK);
}

void BPF_STRUCT_OPS(kitchen_update_idle, s32 cpu, bool idle)
{
	saw_cb(CB_UPDATE_IDLE);
}

s32 BPF_STRUCT_OPS(kitchen_init_task, struct task_struct *p,
		   struct scx_init_task_args *args)
{
	saw_cb(CB_INIT_TASK);
	if (!task_dsq_made) {
		task_dsq_made = true;
		if (scx_bpf_create_dsq(TASK_DSQ, -1))
			wrong(F_CREATE_DSQ);
	}
	return 0;
}

void BPF_STRUCT_OPS(kitchen_exit_task, struct task_struct *p,
		    struct scx_exit_task_args *args)
{
	saw_cb(CB_EXIT_TASK);
}

void BPF_STRUCT_OPS(kitchen_enable, struct task_struct *p)
{
	saw_cb(CB_ENABLE);
	p->scx.dsq_vtime = vtime_now;
}

void BPF_STRUCT_OPS(kitchen_disable, struct task_struct *p)
{
	saw_cb(CB_DISABLE);
}

s32 BPF_STRUCT_OPS(kitchen_cgroup_init, struct cgroup *cgrp,
		   struct scx_cgroup_init_args *args)
{
	saw_cb(CB_CGROUP_INIT);
	return 0;
}

void BPF_STRUCT_OPS(kitchen_cgroup_exit, struct cgroup *cgrp)
{
	saw_cb(CB_CGROUP_EXIT);
}

void BPF_STRUCT_OPS(kitchen_cgroup_move, struct task_struct *p,
		    struct cgroup *from, struct cgroup *to)
{
	saw_cb(CB_CGROUP_MOVE);
}

void BPF_STRUCT_OPS(kitchen_cgroup_set_weight, struct cgroup *cgrp,
		    u32 weight)
{
	saw_cb(CB_CGROUP_SET_WEIGHT);
	cgroup_weight = weight;
}

void BPF_STRUCT_OPS(kitchen_cpu_online, s32 cpu)
{
	saw_cb(CB_CPU_ONLINE);
}

void BPF_STRUCT_OPS(kitchen_cpu_offline, s32 cpu)
{
	saw_cb(CB_CPU_OFFLINE);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(kitchen_init)
{
	s32 ret;

	saw_cb(CB_INIT);
	nr_cpus = scx_bpf_nr_cpu_ids();
	saw(F_NR_CPU_IDS);

	ret = scx_bpf_create_dsq(FIFO_DSQ, -1);
	if (!ret)
		ret = scx_bpf_create_dsq(VTIME_DSQ, -1);
	if (!ret)
		ret = scx_bpf_create_dsq(TMP_DSQ, -1);
	if (ret)
		return ret;
	/* The same id twice is refused. */
	if (scx_bpf_create_dsq(FIFO_DSQ, -1) == -EEXIST)
		saw(F_CREATE_DSQ);
	else
		wrong(F_CREATE_DSQ);

	/* A destroyed DSQ is gone, and its id free again. */
	if (scx_bpf_dsq_nr_queued(TMP_DSQ) != 0)
		wrong(F_NR_QUEUED);
	scx_bpf_destroy_dsq(TMP_DSQ);
	if (scx_bpf_dsq_nr_queued(TMP_DSQ) == -ENOENT &&
	    !scx_bpf_create_dsq(TMP_DSQ, -1))
		saw(F_DESTROY_DSQ);
	else
		wrong(F_DESTROY_DSQ);
	return 0;
}

void BPF_STRUCT_OPS(kitchen_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SEC(".struct_ops")
struct sched_ext_ops scx_kitchen_ops = {
	.select_cpu		= (void *)kitchen_select_cpu,
	.enqueue		= (void *)kitchen_enqueue,
	.dequeue		= (void *)kitchen_dequeue,
	.dispatch		= (void *)kitchen_dispatch,
	.tick			= (void *)kitchen_tick,
	.runnable		= (void *)kitchen_runnable,
	.running		= (void *)kitchen_running,
	.stopping		= (void *)kitchen_stopping,
	.quiescent		= (void *)kitchen_quiescent,
	.yield			= (void *)kitchen_yield,
	.set_weight		= (void *)kitchen_set_weight,
	.set_cpumask		= (void *)kitchen_set_cpumask,
	.update_idle		= (void *)kitchen_update_idle,
	.init_task		= (void *)kitchen_init_task,
	.exit_task		= (void *)kitchen_exit_task,
	.enable			= (void *)kitchen_enable,
	.disable		= (void *)kitchen_disable,
	.cgroup_init		= (void *)kitchen_cgroup_init,
	.cgroup_exit		= (void *)kitchen_cgroup_exit,
	.cgroup_move		= (void *)kitchen_cgroup_move,
	.cgroup_set_weight	= (void *)kitchen_cgroup_set_weight,
	.cpu_online		= (void *)kitchen_cpu_online,
	.cpu_offline		= (void *)kitchen_cpu_offline,
	.init			= (void *)kitchen_init,
	.exit			= (void *)kitchen_exit,
	.dispatch_max_batch	= MAX_BATCH,
	.flags			= SCX_OPS_KEEP_BUILTIN_IDLE |
				  SCX_OPS_ENQ_LAST | SCX_OPS_ENQ_EXITING,
	.timeout_ms		= 20000,
	.name			= "scx_kitchen",
};
