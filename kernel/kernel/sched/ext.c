// SPDX-License-Identifier: GPL-2.0-only
/*
 * sched_ext: a scheduling class whose policy is a BPF program.
 *
 * The class sits between fair and idle. A BPF scheduler registers a
 * struct sched_ext_ops through BPF struct_ops; while it is loaded, tasks
 * with SCHED_EXT (or every normal task, unless SCX_OPS_SWITCH_PARTIAL)
 * are scheduled by it. It places tasks in dispatch queues (DSQs); each
 * CPU runs what is on its local DSQ and, when that is empty, pulls from
 * the global DSQ and asks ops.dispatch() for more.
 *
 * Ownership of a queued task: it is on exactly one DSQ, in the BPF
 * scheduler's custody (ops_state QUEUED), or held by a CPU that is moving
 * it to its rq (holding_cpu). Whoever takes it out of one of these does
 * so under that place's lock or by a cmpxchg of ops_state, so a dequeue
 * racing with a dispatch or a pull finds out and the loser backs off.
 *
 * Anything the BPF scheduler gets wrong ends in an error exit: the class
 * goes to bypass mode at once (tasks are queued FIFO on the CPU they are
 * on, without calling the scheduler), and a work item moves every task
 * back to the fair class and unregisters the scheduler's state.
 *
 * Included from build_policy.c.
 */
#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/filter.h>
#include <linux/percpu-rwsem.h>
#include <linux/rhashtable.h>
#include <linux/sysrq.h>

enum scx_ops_enable_state {
	SCX_OPS_ENABLING,
	SCX_OPS_ENABLED,
	SCX_OPS_DISABLING,
	SCX_OPS_DISABLED,
};

#define SCX_WATCHDOG_MAX_TIMEOUT	(30 * HZ)
#define SCX_DSP_DFL_MAX_BATCH		32
#define SCX_DSP_MAX_LOOPS		32

static DEFINE_MUTEX(scx_ops_enable_mutex);
DEFINE_STATIC_KEY_FALSE(__scx_ops_enabled);
DEFINE_STATIC_PERCPU_RWSEM(scx_fork_rwsem);
static atomic_t scx_ops_enable_state_var = ATOMIC_INIT(SCX_OPS_DISABLED);
static atomic_t scx_exit_kind = ATOMIC_INIT(SCX_EXIT_DONE);
static struct sched_ext_ops scx_ops;
static void *scx_ops_kdata;		/* the struct_ops value registered */
static bool scx_switching_all;
static bool scx_bypassing;
static bool scx_builtin_idle_enabled;
static unsigned long scx_watchdog_timeout;
static u32 scx_dsp_max_batch;
static atomic_long_t scx_nr_rejected = ATOMIC_LONG_INIT(0);
static atomic_long_t scx_enable_seq = ATOMIC_LONG_INIT(0);
static atomic_long_t scx_qseq = ATOMIC_LONG_INIT(0);

static struct scx_exit_info *scx_exit_info;
/* What the last scheduler exited with, for sysfs; under the mutex. */
static struct {
	enum scx_exit_kind	kind;
	char			ops[SCX_OPS_NAME_LEN];
	char			msg[SCX_EXIT_MSG_LEN];
} scx_last_exit;

static struct scx_dispatch_q scx_dsq_global;
static struct rhashtable scx_dsq_hash;
static const struct rhashtable_params scx_dsq_hash_params = {
	.key_len		= sizeof_field(struct scx_dispatch_q, id),
	.key_offset		= offsetof(struct scx_dispatch_q, id),
	.head_offset		= offsetof(struct scx_dispatch_q, hash_node),
};

/* Every task past sched_post_fork(), for ops.init_task/exit_task. */
static LIST_HEAD(scx_tasks);
static DEFINE_SPINLOCK(scx_tasks_lock);

/*
 * The idle CPUs, and the CPUs whose whole core is idle. Both are changed
 * one bit at a time with atomics: a word-wide and/or from one CPU would
 * write back bits another CPU changed meanwhile. The two may disagree for
 * a moment (a core bit left on a CPU just claimed); idle_claim() clears
 * the core bits before it claims, so a picker that meets such a bit
 * removes it and goes on instead of retrying the same CPU for ever.
 */
struct scx_idle_cpus {
	cpumask_var_t cpu;
	cpumask_var_t smt;
};

/* What ops.select_cpu() is told of the wakeup in @wake_flags. */
enum scx_wake_flags {
	SCX_WAKE_FORK		= WF_FORK,
	SCX_WAKE_TTWU		= WF_TTWU,
	SCX_WAKE_SYNC		= WF_SYNC,
};

/* For scx_bpf_pick_idle_cpu() and scx_bpf_pick_any_cpu(). */
enum scx_pick_idle_cpu_flags {
	SCX_PICK_IDLE_CORE	= 1LLU << 0,	/* a CPU of a wholly idle core */
};

static struct scx_idle_cpus scx_idle_masks;

struct scx_dsp_buf_ent {
	struct task_struct	*task;
	unsigned long		qseq;
	u64			dsq_id;
	u64			enq_flags;
	u64			vtime;		/* with SCX_ENQ_DSQ_PRIQ */
};

/* What ops.dispatch() asked for, applied once it has returned. */
struct scx_dsp_ctx {
	struct rq		*rq;
	u32			cursor;
	u32			nr_moved;	/* tasks pulled this round */
	struct scx_dsp_buf_ent	buf[];
};

static struct scx_dsp_ctx __percpu *scx_dsp_ctx;
/* The largest dispatch buffer the per-CPU allocator gives out. */
#define SCX_DSP_MAX_BATCH						\
	((PCPU_MIN_UNIT_SIZE - sizeof(struct scx_dsp_ctx)) /		\
	 sizeof(struct scx_dsp_buf_ent))
/* The task ops.select_cpu() or ops.enqueue() was called for. */
static DEFINE_PER_CPU(struct task_struct *, scx_direct_task);

/*
 * A sched_ext_entity flag only this file uses, beside enum scx_ent_flags:
 * ops.init_task() set disallow.
 */
#define SCX_TASK_DISALLOWED	BIT(6)

static void scx_ops_disable_workfn(struct work_struct *work);
static DECLARE_WORK(scx_ops_disable_work, scx_ops_disable_workfn);
static void scx_watchdog_timerfn(struct timer_list *timer);
/* Set up at build time: a scheduler may load even if scx_init() failed. */
static DEFINE_TIMER(scx_watchdog_timer, scx_watchdog_timerfn);

static enum scx_ops_enable_state scx_ops_state(void)
{
	return atomic_read(&scx_ops_enable_state_var);
}

static const char *scx_exit_reason(enum scx_exit_kind kind)
{
	switch (kind) {
	case SCX_EXIT_UNREG:
		return "unregistered from user space";
	case SCX_EXIT_UNREG_BPF:
		return "unregistered from BPF";
	case SCX_EXIT_UNREG_KERN:
		return "unregistered from the main kernel";
	case SCX_EXIT_SYSRQ:
		return "disabled by sysrq-S";
	case SCX_EXIT_ERROR:
		return "runtime error";
	case SCX_EXIT_ERROR_BPF:
		return "scx_bpf_error";
	case SCX_EXIT_ERROR_STALL:
		return "runnable task stall";
	default:
		return "<UNKNOWN>";
	}
}

static const char *scx_exit_kind_name(enum scx_exit_kind kind)
{
	switch (kind) {
	case SCX_EXIT_NONE:
		return "none";
	case SCX_EXIT_DONE:
		return "done";
	case SCX_EXIT_UNREG:
		return "unreg";
	case SCX_EXIT_UNREG_BPF:
		return "unreg_bpf";
	case SCX_EXIT_UNREG_KERN:
		return "unreg_kern";
	case SCX_EXIT_SYSRQ:
		return "sysrq";
	case SCX_EXIT_ERROR:
		return "error";
	case SCX_EXIT_ERROR_BPF:
		return "error_bpf";
	case SCX_EXIT_ERROR_STALL:
		return "error_stall";
	default:
		return "unknown";
	}
}

static void scx_rescue_rq(struct rq *rq);

/*
 * An exit of the current scheduler is under way. The works below may run
 * after the scheduler they were queued for is gone (unregistration
 * disables it at once) and the next one enabled: that one is not theirs.
 */
static bool scx_exit_pending(void)
{
	return atomic_read(&scx_exit_kind) != SCX_EXIT_NONE;
}

static void scx_ops_error_irq_workfn(struct irq_work *irq_work)
{
	int cpu;

	if (!scx_exit_pending())
		return;
	for_each_possible_cpu(cpu) {
		struct rq *rq = cpu_rq(cpu);
		unsigned long flags;

		raw_spin_rq_lock_irqsave(rq, flags);
		scx_rescue_rq(rq);
		raw_spin_rq_unlock_irqrestore(rq, flags);
	}
	queue_work(system_unbound_wq, &scx_ops_disable_work);
}

static DEFINE_IRQ_WORK(scx_ops_error_irq_work, scx_ops_error_irq_workfn);

/*
 * Record why the scheduler goes and start taking it down. Callable from
 * any context, rq locks held or not: the first caller wins, the rest are
 * ignored.
 */
static __printf(3, 4) void scx_ops_exit_kind(enum scx_exit_kind kind,
					     s64 exit_code,
					     const char *fmt, ...)
{
	struct scx_exit_info *ei = scx_exit_info;
	int none = SCX_EXIT_NONE;
	va_list args;

	if (!atomic_try_cmpxchg(&scx_exit_kind, &none, kind))
		return;

	ei->kind = kind;
	ei->exit_code = exit_code;
	ei->reason = scx_exit_reason(kind);
	va_start(args, fmt);
	vscnprintf(ei->msg, SCX_EXIT_MSG_LEN, fmt, args);
	va_end(args);

	/* From here on tasks are queued without asking the scheduler. */
	WRITE_ONCE(scx_bypassing, true);
	irq_work_queue(&scx_ops_error_irq_work);
}

#define scx_ops_error_kind(kind, fmt, args...)				\
	scx_ops_exit_kind((kind), 0, fmt, ##args)
#define scx_ops_error(fmt, args...)					\
	scx_ops_error_kind(SCX_EXIT_ERROR, fmt, ##args)

static bool scx_bypass(void)
{
	return READ_ONCE(scx_bypassing);
}

/*
 * Call a callback with @mask naming it for the kfuncs it calls. Saved and
 * restored because an interrupt may call another while one runs.
 */
static u32 scx_kf_enter(u32 mask)
{
	u32 prev = current->scx.kf_mask;

	current->scx.kf_mask = mask;
	return prev;
}

static void scx_kf_exit(u32 prev)
{
	current->scx.kf_mask = prev;
}

#define SCX_CALL_OP(mask, op, args...)					\
do {									\
	u32 __prev_mask = scx_kf_enter(mask);				\
	scx_ops.op(args);						\
	scx_kf_exit(__prev_mask);					\
} while (0)

#define SCX_CALL_OP_RET(mask, op, args...)				\
({									\
	u32 __prev_mask = scx_kf_enter(mask);				\
	__auto_type __ret = scx_ops.op(args);				\
	scx_kf_exit(__prev_mask);					\
	__ret;								\
})

/* Whether the callback at @off of sched_ext_ops is set. */
static bool scx_op_set(size_t off)
{
	return *(void **)((char *)&scx_ops + off);
}

/* A callback worth calling: set, and the scheduler still trusted. */
#define SCX_HAS_OP(op)							\
	(scx_op_set(offsetof(struct sched_ext_ops, op)) && !scx_bypass())

static bool scx_kf_allowed(u32 mask)
{
	return current->scx.kf_mask & mask;
}

static bool ops_cpu_valid(s32 cpu)
{
	return cpu >= 0 && cpu < nr_cpu_ids && cpu_possible(cpu);
}

/*
 * Whether @p may be put on @cpu's rq now: the core's rules. A CPU going
 * down keeps only its per-CPU kthreads; pulling anything else there
 * would have balance_push() push it straight back.
 */
static bool task_can_run_on(struct task_struct *p, int cpu)
{
	if (!cpumask_test_cpu(cpu, p->cpus_ptr))
		return false;
	if (is_migration_disabled(p))
		return task_cpu(p) == cpu;
	if (!(p->flags & PF_KTHREAD))
		return cpu_active(cpu);
	if (kthread_is_per_cpu(p))
		return cpu_online(cpu);
	return cpu_online(cpu) && !cpu_dying(cpu);
}

/* --- Dispatch queues ------------------------------------------------ */

static void init_dsq(struct scx_dispatch_q *dsq, u64 id)
{
	memset(dsq, 0, sizeof(*dsq));
	raw_spin_lock_init(&dsq->lock);
	INIT_LIST_HEAD(&dsq->list);
	dsq->priq = RB_ROOT_CACHED;
	dsq->id = id;
}

static bool dsq_priq_less(struct rb_node *a, const struct rb_node *b)
{
	const struct task_struct *pa =
		container_of(a, struct task_struct, scx.dsq_priq);
	const struct task_struct *pb =
		container_of(b, struct task_struct, scx.dsq_priq);

	return time_before64(pa->scx.dsq_vtime, pb->scx.dsq_vtime);
}

/*
 * Put @p on @dsq, whose lock is held. A vtime-ordered insert goes after
 * every task of equal or smaller vtime; @list keeps the consumption
 * order either way. A queue takes FIFO or vtime inserts, not both.
 */
static bool dsq_insert_locked(struct scx_dispatch_q *dsq,
			      struct task_struct *p, u64 enq_flags)
{
	if (enq_flags & SCX_ENQ_DSQ_PRIQ) {
		struct rb_node *next;

		if (dsq->nr != dsq->nr_priq)
			return false;
		rb_add_cached(&p->scx.dsq_priq, &dsq->priq, dsq_priq_less);
		p->scx.flags |= SCX_TASK_ON_PRIQ;
		dsq->nr_priq++;
		next = rb_next(&p->scx.dsq_priq);
		if (next)
			list_add_tail(&p->scx.dsq_node,
				      &container_of(next, struct task_struct,
						    scx.dsq_priq)->scx.dsq_node);
		else
			list_add_tail(&p->scx.dsq_node, &dsq->list);
	} else {
		if (dsq->nr_priq)
			return false;
		if (enq_flags & SCX_ENQ_HEAD)
			list_add(&p->scx.dsq_node, &dsq->list);
		else
			list_add_tail(&p->scx.dsq_node, &dsq->list);
	}
	dsq->nr++;
	WRITE_ONCE(p->scx.dsq, dsq);
	return true;
}

static void dsq_remove_locked(struct scx_dispatch_q *dsq,
			      struct task_struct *p)
{
	list_del_init(&p->scx.dsq_node);
	if (p->scx.flags & SCX_TASK_ON_PRIQ) {
		rb_erase_cached(&p->scx.dsq_priq, &dsq->priq);
		RB_CLEAR_NODE(&p->scx.dsq_priq);
		p->scx.flags &= ~SCX_TASK_ON_PRIQ;
		dsq->nr_priq--;
	}
	dsq->nr--;
}

static struct scx_dispatch_q *find_user_dsq(u64 dsq_id)
{
	return rhashtable_lookup_fast(&scx_dsq_hash, &dsq_id,
				      scx_dsq_hash_params);
}

static void dsq_enqueue(struct scx_dispatch_q *dsq, struct task_struct *p,
			u64 enq_flags)
{
	raw_spin_lock(&dsq->lock);
	if (unlikely(dsq->id == SCX_DSQ_INVALID)) {
		/* Destroyed since it was looked up: RCU still keeps it. */
		raw_spin_unlock(&dsq->lock);
		scx_ops_error("DSQ destroyed while %s[%d] was inserted",
			      p->comm, p->pid);
		dsq = &scx_dsq_global;
		raw_spin_lock(&dsq->lock);
		dsq_insert_locked(dsq, p, enq_flags & ~SCX_ENQ_DSQ_PRIQ);
	} else if (!dsq_insert_locked(dsq, p, enq_flags)) {
		raw_spin_unlock(&dsq->lock);
		scx_ops_error("DSQ 0x%llx takes %s inserts only", dsq->id,
			      dsq->nr_priq ? "vtime" : "FIFO");
		/* Keep the task runnable while the scheduler goes. */
		dsq = &scx_dsq_global;
		raw_spin_lock(&dsq->lock);
		dsq_insert_locked(dsq, p, enq_flags & ~SCX_ENQ_DSQ_PRIQ);
	}
	raw_spin_unlock(&dsq->lock);
}

/* Take @p off whatever DSQ it is on, if any. */
static void dispatch_dequeue(struct task_struct *p)
{
	struct scx_dispatch_q *dsq = READ_ONCE(p->scx.dsq);

	if (dsq) {
		raw_spin_lock(&dsq->lock);
		if (p->scx.dsq == dsq) {
			dsq_remove_locked(dsq, p);
			WRITE_ONCE(p->scx.dsq, NULL);
		}
		raw_spin_unlock(&dsq->lock);
	}
	/* A CPU that took it off a DSQ to move it now finds it gone. */
	WRITE_ONCE(p->scx.holding_cpu, -1);
}

/*
 * Take @p off @dsq for @cpu, which will move it to its rq. Caller holds
 * dsq->lock.
 */
static void dsq_claim_locked(struct scx_dispatch_q *dsq,
			     struct task_struct *p, int cpu)
{
	dsq_remove_locked(dsq, p);
	WRITE_ONCE(p->scx.holding_cpu, cpu);
	/* Pairs with dispatch_dequeue(): who sees dsq NULL sees the holder. */
	smp_store_release(&p->scx.dsq, NULL);
}

/* Put @p, a task of @rq, on @rq's local DSQ; rq is locked. */
static void local_enqueue(struct rq *rq, struct task_struct *p,
			  u64 enq_flags)
{
	struct task_struct *curr = rq->curr;

	lockdep_assert_rq_held(rq);
	raw_spin_lock(&rq->scx.local_dsq.lock);
	dsq_insert_locked(&rq->scx.local_dsq, p,
			  enq_flags & ~SCX_ENQ_DSQ_PRIQ);
	raw_spin_unlock(&rq->scx.local_dsq.lock);

	if (enq_flags & SCX_ENQ_PREEMPT && curr->sched_class == &ext_sched_class) {
		curr->scx.slice = 0;
		resched_curr(rq);
	} else if (sched_class_above(&ext_sched_class, curr->sched_class)) {
		resched_curr(rq);
	}
}

static void kick_cpu(s32 cpu, u64 flags);

/*
 * Send @p to @cpu's local DSQ from a CPU holding @locked (which may be
 * @p's rq, @cpu's or neither). Only the target CPU can add a task of
 * another rq to its own rq, so such tasks wait in its inbox.
 */
static void local_on_enqueue(struct rq *locked, struct task_struct *p,
			     s32 cpu, u64 enq_flags)
{
	struct rq *dst = cpu_rq(cpu);

	if (!task_can_run_on(p, cpu)) {
		if (!cpumask_test_cpu(cpu, p->cpus_ptr))
			scx_ops_error("SCX_DSQ_LOCAL[_ON] target CPU %d not allowed for %s[%d]",
				      cpu, p->comm, p->pid);
		dsq_enqueue(&scx_dsq_global, p, enq_flags & ~SCX_ENQ_DSQ_PRIQ);
		return;
	}

	if (task_rq(p) == dst && dst == locked) {
		local_enqueue(dst, p, enq_flags);
		return;
	}

	dsq_enqueue(&dst->scx.inbox, p, enq_flags & ~SCX_ENQ_DSQ_PRIQ);
	if (dst != locked)
		kick_cpu(cpu, enq_flags & SCX_ENQ_PREEMPT ? SCX_KICK_PREEMPT : 0);
}

/* Send @p where @dsq_id says; @locked is the rq the caller holds. */
static void dispatch_to(struct rq *locked, struct task_struct *p,
			u64 dsq_id, u64 enq_flags)
{
	struct scx_dispatch_q *dsq;

	if (dsq_id == SCX_DSQ_LOCAL) {
		local_on_enqueue(locked, p, cpu_of(locked), enq_flags);
		return;
	}
	if ((dsq_id & SCX_DSQ_LOCAL_ON) == SCX_DSQ_LOCAL_ON) {
		s32 cpu = dsq_id & SCX_DSQ_LOCAL_CPU_MASK;

		if (!ops_cpu_valid(cpu)) {
			scx_ops_error("invalid CPU %d in SCX_DSQ_LOCAL_ON verdict for %s[%d]",
				      cpu, p->comm, p->pid);
			dsq_enqueue(&scx_dsq_global, p, 0);
			return;
		}
		local_on_enqueue(locked, p, cpu, enq_flags);
		return;
	}

	if (dsq_id == SCX_DSQ_GLOBAL) {
		if (enq_flags & SCX_ENQ_DSQ_PRIQ) {
			scx_ops_error("vtime insert into the built-in DSQ 0x%llx",
				      dsq_id);
			enq_flags &= ~SCX_ENQ_DSQ_PRIQ;
		}
		dsq = &scx_dsq_global;
	} else {
		dsq = (dsq_id & SCX_DSQ_FLAG_BUILTIN) ? NULL :
			find_user_dsq(dsq_id);
		if (!dsq) {
			scx_ops_error("non-existent DSQ 0x%llx for %s[%d]",
				      dsq_id, p->comm, p->pid);
			dsq = &scx_dsq_global;
			enq_flags &= ~SCX_ENQ_DSQ_PRIQ;
		}
	}
	dsq_enqueue(dsq, p, enq_flags);
}

/* --- Enqueue and dequeue -------------------------------------------- */

static void set_runnable(struct rq *rq, struct task_struct *p)
{
	p->scx.runnable_at = jiffies;
	list_add_tail(&p->scx.runnable_node, &rq->scx.runnable_list);
}

static void clr_runnable(struct task_struct *p)
{
	list_del_init(&p->scx.runnable_node);
}

static void scx_enable_task(struct task_struct *p)
{
	if (p->scx.flags & SCX_TASK_ENABLED)
		return;
	p->scx.flags |= SCX_TASK_ENABLED;
	if (SCX_HAS_OP(enable))
		SCX_CALL_OP(SCX_KF_REST, enable, p);
	if (SCX_HAS_OP(set_weight))
		SCX_CALL_OP(SCX_KF_REST, set_weight, p, p->scx.weight);
}

static void scx_disable_task(struct task_struct *p)
{
	if (!(p->scx.flags & SCX_TASK_ENABLED))
		return;
	p->scx.flags &= ~SCX_TASK_ENABLED;
	if (scx_ops.disable)
		SCX_CALL_OP(SCX_KF_REST, disable, p);
}

/* Give @p, queued on @rq, to the BPF scheduler (or the fallback). */
static void do_enqueue_task(struct rq *rq, struct task_struct *p,
			    u64 enq_flags)
{
	unsigned long qseq;

	WARN_ON_ONCE(atomic_long_read(&p->scx.ops_state) != SCX_OPSS_NONE);

	if (scx_bypass() || !scx_ops.enqueue)
		goto local;

	/*
	 * ops.cpu_offline() has told the scheduler this CPU is gone: what
	 * still runs here (the hotplug path, its per-CPU kthreads) stays,
	 * whatever ops.select_cpu() said, as no CPU pulls a per-CPU kthread
	 * of this one off a shared DSQ.
	 */
	if (!rq->scx.online) {
		p->scx.ddsp_dsq_id = SCX_DSQ_INVALID;
		p->scx.ddsp_enq_flags = 0;
		goto local;
	}

	if (p->scx.ddsp_dsq_id != SCX_DSQ_INVALID)
		goto direct;

	/* Without ENQ_EXITING, exiting tasks are not worth the round trip. */
	if (!(scx_ops.flags & SCX_OPS_ENQ_EXITING) &&
	    unlikely(p->flags & PF_EXITING))
		goto local;

	qseq = atomic_long_inc_return(&scx_qseq) << SCX_OPSS_QSEQ_SHIFT;
	atomic_long_set(&p->scx.ops_state, qseq | SCX_OPSS_QUEUEING);

	__this_cpu_write(scx_direct_task, p);
	SCX_CALL_OP(SCX_KF_ENQUEUE, enqueue, p, enq_flags);
	__this_cpu_write(scx_direct_task, NULL);

	if (p->scx.ddsp_dsq_id != SCX_DSQ_INVALID) {
		atomic_long_set(&p->scx.ops_state, SCX_OPSS_NONE);
		goto direct;
	}
	/* The scheduler keeps it; a dispatch naming @qseq may take it. */
	atomic_long_set_release(&p->scx.ops_state, qseq | SCX_OPSS_QUEUED);
	return;

direct:
	enq_flags |= p->scx.ddsp_enq_flags;
	dispatch_to(rq, p, p->scx.ddsp_dsq_id, enq_flags);
	p->scx.ddsp_dsq_id = SCX_DSQ_INVALID;
	p->scx.ddsp_enq_flags = 0;
	return;
local:
	if (!p->scx.slice)
		p->scx.slice = SCX_SLICE_DFL;
	local_enqueue(rq, p, enq_flags);
}

static void enqueue_task_scx(struct rq *rq, struct task_struct *p, int flags)
{
	u64 enq_flags = flags;

	/* Moved between rqs by a CPU that pulled it: nothing else changes. */
	if (p->scx.flags & SCX_TASK_MOVING) {
		p->scx.flags |= SCX_TASK_QUEUED;
		rq->scx.nr_running++;
		add_nr_running(rq, 1);
		set_runnable(rq, p);
		local_enqueue(rq, p, 0);
		return;
	}

	scx_enable_task(p);
	p->scx.flags |= SCX_TASK_QUEUED;
	rq->scx.nr_running++;
	add_nr_running(rq, 1);
	set_runnable(rq, p);

	if (SCX_HAS_OP(runnable) && !(flags & ENQUEUE_RESTORE))
		SCX_CALL_OP(SCX_KF_REST, runnable, p, enq_flags);

	do_enqueue_task(rq, p, enq_flags);
}

static void update_curr_scx(struct rq *rq);

/* Take @p out of the BPF scheduler's custody. */
static void ops_dequeue(struct task_struct *p, u64 deq_flags)
{
	unsigned long opss;

retry:
	opss = atomic_long_read_acquire(&p->scx.ops_state);
	switch (opss & SCX_OPSS_STATE_MASK) {
	case SCX_OPSS_NONE:
		break;
	case SCX_OPSS_QUEUEING:
		/* Only ever seen on the enqueueing CPU, which holds our rq. */
		WARN_ON_ONCE(1);
		break;
	case SCX_OPSS_QUEUED:
		if (!atomic_long_try_cmpxchg(&p->scx.ops_state, &opss,
					     SCX_OPSS_NONE))
			goto retry;
		if (SCX_HAS_OP(dequeue))
			SCX_CALL_OP(SCX_KF_REST, dequeue, p, deq_flags);
		break;
	case SCX_OPSS_DISPATCHING:
		/* A CPU is putting it on a DSQ; dispatch_dequeue() follows. */
		while ((atomic_long_read_acquire(&p->scx.ops_state) &
			SCX_OPSS_STATE_MASK) == SCX_OPSS_DISPATCHING)
			cpu_relax();
		break;
	}
}

/*
 * Put every queued task of @rq that the scheduler holds or left on a DSQ
 * back on its local DSQ, so it runs without the scheduler: at bypass,
 * and when @rq's CPU goes down, which the scheduler stays through and
 * hears of each task it held through ops.dequeue(). Either way CPU
 * hotplug may be waiting for these tasks to run or leave. A CPU about
 * to pull one of them finds it gone (dispatch_dequeue()).
 */
static void scx_rescue_rq(struct rq *rq)
{
	struct task_struct *p;
	bool moved = false;

	lockdep_assert_rq_held(rq);
	list_for_each_entry(p, &rq->scx.runnable_list, scx.runnable_node) {
		/* Only under our rq lock does a task join our local DSQ. */
		if (READ_ONCE(p->scx.dsq) == &rq->scx.local_dsq)
			continue;
		ops_dequeue(p, 0);
		dispatch_dequeue(p);
		local_enqueue(rq, p, 0);
		moved = true;
	}
	if (moved)
		resched_curr(rq);
}

static void dequeue_task_scx(struct rq *rq, struct task_struct *p, int flags)
{
	if (!(p->scx.flags & SCX_TASK_QUEUED))
		return;

	if (!(p->scx.flags & SCX_TASK_MOVING)) {
		if (task_current(rq, p))
			update_curr_scx(rq);
		ops_dequeue(p, flags);
		if (task_current(rq, p) && SCX_HAS_OP(stopping))
			SCX_CALL_OP(SCX_KF_REST, stopping, p, false);
		if (SCX_HAS_OP(quiescent) && !(flags & DEQUEUE_SAVE))
			SCX_CALL_OP(SCX_KF_REST, quiescent, p, (u64)flags);
	}

	dispatch_dequeue(p);
	clr_runnable(p);
	p->scx.flags &= ~(SCX_TASK_QUEUED | SCX_TASK_REQUEUED);
	rq->scx.nr_running--;
	sub_nr_running(rq, 1);
}

/* --- Running -------------------------------------------------------- */

static void update_curr_scx(struct rq *rq)
{
	struct task_struct *curr = rq->curr;
	u64 now = rq_clock_task(rq);
	s64 delta_exec;

	if (curr->sched_class != &ext_sched_class)
		return;

	delta_exec = now - curr->se.exec_start;
	if (unlikely(delta_exec <= 0))
		return;

	update_current_exec_runtime(curr, now, delta_exec);
	if (curr->scx.slice != SCX_SLICE_INF)
		curr->scx.slice -= min_t(u64, curr->scx.slice, delta_exec);
}

static void set_next_task_scx(struct rq *rq, struct task_struct *p, bool first)
{
	if (p->scx.flags & SCX_TASK_QUEUED) {
		/* Running now: nobody may dispatch or pull it. */
		ops_dequeue(p, 0);
		dispatch_dequeue(p);
		clr_runnable(p);
	}
	p->scx.flags &= ~SCX_TASK_REQUEUED;
	p->se.exec_start = rq_clock_task(rq);
	if (!p->scx.slice)
		p->scx.slice = SCX_SLICE_DFL;
	if (SCX_HAS_OP(running) && (p->scx.flags & SCX_TASK_QUEUED))
		SCX_CALL_OP(SCX_KF_REST, running, p);
}

static struct task_struct *first_local_task(struct rq *rq)
{
	return list_first_entry_or_null(&rq->scx.local_dsq.list,
					struct task_struct, scx.dsq_node);
}

#ifdef CONFIG_SMP
/*
 * Which task @rq would run, without running it: core scheduling asks
 * this of every SMT sibling of a CPU that schedules, then runs the
 * winner through set_next_task_scx(). A sibling's current task has not
 * been put back (it is on no runnable list): it stays ahead of the local
 * DSQ while it has a slice, as a running task would.
 */
static struct task_struct *pick_task_scx(struct rq *rq)
{
	struct task_struct *curr = rq->curr;
	struct task_struct *first = first_local_task(rq);

	if (curr->sched_class == &ext_sched_class &&
	    (curr->scx.flags & SCX_TASK_QUEUED) &&
	    list_empty(&curr->scx.runnable_node) &&
	    (curr->scx.slice || !first))
		return curr;
	return first;
}
#endif

static struct task_struct *pick_next_task_scx(struct rq *rq)
{
	struct task_struct *p = first_local_task(rq);

	if (!p)
		return NULL;
	set_next_task_scx(rq, p, true);
	return p;
}

/*
 * @p stops running and stays queued: back to the head of the local DSQ
 * if its slice is not used up, else back to the scheduler; the last task
 * of a CPU keeps it unless the scheduler asked for SCX_OPS_ENQ_LAST.
 */
static void put_prev_task_scx(struct rq *rq, struct task_struct *p)
{
	bool queued = p->scx.flags & SCX_TASK_QUEUED;

	update_curr_scx(rq);
	rq->scx.pnt_seq++;

	if (SCX_HAS_OP(stopping) && queued)
		SCX_CALL_OP(SCX_KF_REST, stopping, p, true);

	if (!queued || (p->scx.flags & SCX_TASK_REQUEUED))
		return;

	set_runnable(rq, p);
	if (p->scx.slice && !scx_bypass()) {
		local_enqueue(rq, p, SCX_ENQ_HEAD);
		return;
	}
	if (!rq->scx.local_dsq.nr && !(scx_ops.flags & SCX_OPS_ENQ_LAST) &&
	    rq->nr_running == rq->scx.nr_running) {
		p->scx.slice = SCX_SLICE_DFL;
		local_enqueue(rq, p, SCX_ENQ_HEAD);
		return;
	}
	do_enqueue_task(rq, p, rq->scx.local_dsq.nr ? 0 : SCX_ENQ_LAST);
}

/* --- Pulling tasks to a CPU ----------------------------------------- */

/*
 * Add @p, held by this CPU, to @rq. Drops and retakes rq->lock to lock
 * @p's rq as well; a dequeue meanwhile resets holding_cpu and wins.
 */
static void move_task_here(struct rq *rq, struct rq_flags *rf,
			   struct task_struct *p)
{
	int cpu = cpu_of(rq);
	struct rq *src;

	rq_unpin_lock(rq, rf);
	raw_spin_rq_unlock(rq);

	/* Switching out on its CPU: wait with no rq locked. */
	while (READ_ONCE(p->on_cpu) &&
	       READ_ONCE(p->scx.holding_cpu) == cpu)
		cpu_relax();

	src = task_rq(p);
	double_rq_lock(rq, src);
	if (p->scx.holding_cpu == cpu && task_rq(p) == src &&
	    task_on_rq_queued(p) && !p->on_cpu) {
		p->scx.holding_cpu = -1;
		if (src == rq) {
			local_enqueue(rq, p, 0);
		} else if (task_can_run_on(p, cpu)) {
			update_rq_clock(src);
			p->scx.flags |= SCX_TASK_MOVING;
			deactivate_task(src, p, 0);
			set_task_cpu(p, cpu);
			activate_task(rq, p, ENQUEUE_NOCLOCK);
			p->scx.flags &= ~SCX_TASK_MOVING;
			/*
			 * The hotplug thread of a dying @src waits for its
			 * rq to empty, and only @src going through the
			 * scheduler wakes it: @src may be idle by now.
			 */
			if (cpu_dying(cpu_of(src)))
				resched_curr(src);
		} else if (!src->scx.online) {
			/* Nobody else pulls it now: it runs where it is. */
			local_enqueue(src, p, 0);
		} else {
			dsq_enqueue(&scx_dsq_global, p, 0);
		}
	}
	/* SMT siblings share one lock under core scheduling: keep it. */
	if (__rq_lockp(src) != __rq_lockp(rq))
		raw_spin_rq_unlock(src);
	rq_repin_lock(rq, rf);
}

/* Could this CPU take @p off a shared DSQ now? */
static bool can_pull(struct rq *rq, struct task_struct *p)
{
	if (task_rq(p) == rq)
		return true;
	return !READ_ONCE(p->on_cpu) && task_can_run_on(p, cpu_of(rq));
}

/*
 * Take the first task of @dsq this CPU can run: onto the local DSQ if it
 * is a task of this rq, else into this CPU's inbox, for drain_inbox() to
 * move once it may drop rq->lock. The move from @dsq to the inbox is
 * done under both locks so a dequeue always finds the task on a DSQ.
 */
static bool pull_from_dsq(struct rq *rq, struct scx_dispatch_q *dsq)
{
	struct scx_dispatch_q *inbox = &rq->scx.inbox;
	struct task_struct *p;

	if (!READ_ONCE(dsq->nr))
		return false;

	raw_spin_lock(&dsq->lock);
	list_for_each_entry(p, &dsq->list, scx.dsq_node) {
		if (!can_pull(rq, p))
			continue;
		dsq_remove_locked(dsq, p);
		if (task_rq(p) == rq) {
			WRITE_ONCE(p->scx.dsq, NULL);
			raw_spin_unlock(&dsq->lock);
			local_enqueue(rq, p, 0);
			return true;
		}
		raw_spin_lock_nested(&inbox->lock, SINGLE_DEPTH_NESTING);
		dsq_insert_locked(inbox, p, 0);
		raw_spin_unlock(&inbox->lock);
		raw_spin_unlock(&dsq->lock);
		return true;
	}
	raw_spin_unlock(&dsq->lock);
	return false;
}

/* Inboxes of CPUs gone offline with tasks in them, for others to empty. */
static cpumask_t scx_dead_inboxes;

static bool pull_from_dead_inboxes(struct rq *rq)
{
	int cpu;

	for_each_cpu(cpu, &scx_dead_inboxes) {
		struct scx_dispatch_q *inbox = &cpu_rq(cpu)->scx.inbox;

		if (cpu_online(cpu) || !READ_ONCE(inbox->nr)) {
			cpumask_clear_cpu(cpu, &scx_dead_inboxes);
			continue;
		}
		if (pull_from_dsq(rq, inbox))
			return true;
	}
	return false;
}

/* Move everything sent to this CPU's inbox onto its rq. */
static void drain_inbox(struct rq *rq, struct rq_flags *rf)
{
	struct scx_dispatch_q *inbox = &rq->scx.inbox;
	struct task_struct *p;

	while (READ_ONCE(inbox->nr)) {
		raw_spin_lock(&inbox->lock);
		p = list_first_entry_or_null(&inbox->list, struct task_struct,
					     scx.dsq_node);
		if (!p) {
			raw_spin_unlock(&inbox->lock);
			break;
		}
		dsq_claim_locked(inbox, p, cpu_of(rq));
		raw_spin_unlock(&inbox->lock);

		if (task_rq(p) == rq) {
			WRITE_ONCE(p->scx.holding_cpu, -1);
			local_enqueue(rq, p, 0);
		} else {
			move_task_here(rq, rf, p);
		}
	}
}

/* Apply one buffered dispatch, if the task is still where it was. */
static void finish_dispatch(struct rq *rq, struct scx_dsp_buf_ent *ent)
{
	struct task_struct *p = ent->task;
	unsigned long opss;

retry:
	opss = atomic_long_read_acquire(&p->scx.ops_state);
	switch (opss & SCX_OPSS_STATE_MASK) {
	case SCX_OPSS_NONE:
	case SCX_OPSS_DISPATCHING:
		return;		/* dequeued, or dispatched already */
	case SCX_OPSS_QUEUEING:
		/* ops.enqueue() still running on its CPU; it will finish. */
		while (atomic_long_read_acquire(&p->scx.ops_state) == opss)
			cpu_relax();
		goto retry;
	case SCX_OPSS_QUEUED:
		if ((opss & ~(unsigned long)SCX_OPSS_STATE_MASK) != ent->qseq)
			return;	/* an earlier enqueue's dispatch */
		if (!atomic_long_try_cmpxchg(&p->scx.ops_state, &opss,
					     ent->qseq | SCX_OPSS_DISPATCHING))
			goto retry;
		break;
	}

	/* Claimed from the scheduler's custody: on no DSQ, keyed by none. */
	if (ent->enq_flags & SCX_ENQ_DSQ_PRIQ)
		p->scx.dsq_vtime = ent->vtime;

	/* Bypassing: to the task's own CPU, whatever was asked. */
	if (scx_bypass())
		dispatch_to(rq, p, SCX_DSQ_LOCAL_ON | task_cpu(p), 0);
	else
		dispatch_to(rq, p, ent->dsq_id, ent->enq_flags);
	atomic_long_set_release(&p->scx.ops_state, SCX_OPSS_NONE);
}

static void flush_dispatch_buf(struct rq *rq)
{
	struct scx_dsp_ctx *ctx = this_cpu_ptr(scx_dsp_ctx);
	u32 i;

	for (i = 0; i < ctx->cursor; i++)
		finish_dispatch(rq, &ctx->buf[i]);
	ctx->nr_moved += ctx->cursor;
	ctx->cursor = 0;
}

/* Pull from the global DSQ and dead inboxes; true if the CPU has work. */
static bool pull_shared(struct rq *rq, struct rq_flags *rf)
{
	if (pull_from_dsq(rq, &scx_dsq_global) ||
	    (!cpumask_empty(&scx_dead_inboxes) && pull_from_dead_inboxes(rq)))
		drain_inbox(rq, rf);
	return rq->scx.local_dsq.nr;
}

/* The local DSQ, the inbox, the global DSQ and ops.dispatch() in turn. */
static int balance_scx(struct rq *rq, struct task_struct *prev,
		       struct rq_flags *rf)
{
	bool prev_on_scx = prev->sched_class == &ext_sched_class;
	bool prev_queued = prev_on_scx && (prev->scx.flags & SCX_TASK_QUEUED);
	struct scx_dsp_ctx *ctx;
	int loops;

	if (!scx_enabled())
		return 0;

	if (prev_queued) {
		update_curr_scx(rq);
		if (prev->scx.slice && !scx_bypass())
			return 1;
	}

	drain_inbox(rq, rf);
	if (rq->scx.local_dsq.nr || pull_shared(rq, rf))
		return 1;

	if (scx_bypass() || !scx_ops.dispatch || !rq->scx.online)
		goto keep_prev;

	ctx = this_cpu_ptr(scx_dsp_ctx);
	ctx->rq = rq;
	for (loops = 0; loops < SCX_DSP_MAX_LOOPS; loops++) {
		ctx->nr_moved = 0;
		SCX_CALL_OP(SCX_KF_DISPATCH, dispatch, cpu_of(rq),
			    prev_on_scx ? prev : NULL);
		flush_dispatch_buf(rq);
		drain_inbox(rq, rf);
		if (rq->scx.local_dsq.nr || pull_shared(rq, rf))
			return 1;
		/* Nothing came of it: do not spin on ops.dispatch(). */
		if (scx_bypass() || !ctx->nr_moved)
			break;
	}

keep_prev:
	if (prev_queued && !(scx_ops.flags & SCX_OPS_ENQ_LAST)) {
		/* The last task here keeps the CPU with a new slice. */
		prev->scx.slice = SCX_SLICE_DFL;
		return 1;
	}
	return rq->scx.local_dsq.nr > 0;
}

static void check_preempt_curr_scx(struct rq *rq, struct task_struct *p,
				   int wake_flags)
{
}

static void task_tick_scx(struct rq *rq, struct task_struct *curr, int queued)
{
	update_curr_scx(rq);

	if (SCX_HAS_OP(tick))
		SCX_CALL_OP(SCX_KF_REST, tick, curr);
	if (!curr->scx.slice)
		resched_curr(rq);
}

static void yield_task_scx(struct rq *rq)
{
	struct task_struct *p = rq->curr;

	if (SCX_HAS_OP(yield))
		SCX_CALL_OP_RET(SCX_KF_REST, yield, p, NULL);
	else
		p->scx.slice = 0;
}

static bool yield_to_task_scx(struct rq *rq, struct task_struct *to)
{
	struct task_struct *from = rq->curr;

	if (SCX_HAS_OP(yield))
		return SCX_CALL_OP_RET(SCX_KF_REST, yield, from, to);
	return false;
}

/* --- CPU selection and idle tracking -------------------------------- */

static const struct cpumask *scx_smt_mask(int cpu)
{
#ifdef CONFIG_SCHED_SMT
	return cpu_smt_mask(cpu);
#else
	return cpumask_of(cpu);
#endif
}

static void idle_core_clear(struct scx_idle_cpus *idle, int cpu)
{
	int sib;

	for_each_cpu(sib, scx_smt_mask(cpu))
		cpumask_clear_cpu(sib, idle->smt);
}

/* Mark @cpu idle or busy; its core is idle once all its siblings are. */
static void idle_set(struct scx_idle_cpus *idle, int cpu, bool is_idle)
{
	int sib;

	if (!is_idle) {
		idle_core_clear(idle, cpu);
		cpumask_clear_cpu(cpu, idle->cpu);
		return;
	}
	cpumask_set_cpu(cpu, idle->cpu);
	if (cpumask_subset(scx_smt_mask(cpu), idle->cpu))
		for_each_cpu(sib, scx_smt_mask(cpu))
			cpumask_set_cpu(sib, idle->smt);
}

/* Take @cpu if it is idle. Its core is busy either way. */
static bool idle_claim(struct scx_idle_cpus *idle, int cpu)
{
	idle_core_clear(idle, cpu);
	return cpumask_test_and_clear_cpu(cpu, idle->cpu);
}

/*
 * Claim an idle CPU of @cpus_allowed, one of a wholly idle core first;
 * with SCX_PICK_IDLE_CORE, only such a one. Each failed claim either
 * removed a stale core bit or lost the CPU to another claimer, so the
 * loop ends.
 */
static s32 idle_pick(struct scx_idle_cpus *idle,
		     const struct cpumask *cpus_allowed, u64 flags)
{
	int cpu;

	for (;;) {
		cpu = cpumask_any_and_distribute(idle->smt, cpus_allowed);
		if (cpu >= nr_cpu_ids && !(flags & SCX_PICK_IDLE_CORE))
			cpu = cpumask_any_and_distribute(idle->cpu,
							 cpus_allowed);
		if (cpu >= nr_cpu_ids)
			return -EBUSY;
		if (idle_claim(idle, cpu))
			return cpu;
	}
}

/* The default choice: @prev_cpu if idle, else any idle CPU allowed. */
static s32 scx_select_cpu_dfl(struct task_struct *p, s32 prev_cpu,
			      u64 wake_flags, bool *found)
{
	s32 cpu;

	*found = false;
	if (!scx_builtin_idle_enabled)
		return prev_cpu;

	if (p->nr_cpus_allowed == 1) {
		if (idle_claim(&scx_idle_masks, prev_cpu))
			*found = true;
		return prev_cpu;
	}
	/* A wholly idle core beats an idle CPU whose sibling is busy. */
	if (sched_smt_active()) {
		if (cpumask_test_cpu(prev_cpu, scx_idle_masks.smt) &&
		    idle_claim(&scx_idle_masks, prev_cpu)) {
			*found = true;
			return prev_cpu;
		}
		cpu = idle_pick(&scx_idle_masks, p->cpus_ptr,
				SCX_PICK_IDLE_CORE);
		if (cpu >= 0) {
			*found = true;
			return cpu;
		}
	}
	if (idle_claim(&scx_idle_masks, prev_cpu)) {
		*found = true;
		return prev_cpu;
	}
	cpu = idle_pick(&scx_idle_masks, p->cpus_ptr, 0);
	if (cpu >= 0) {
		*found = true;
		return cpu;
	}
	return prev_cpu;
}

static int select_task_rq_scx(struct task_struct *p, int prev_cpu,
			      int wake_flags)
{
	bool found;
	s32 cpu;

	/*
	 * An exec moves the task only if the CPU returned differs, which
	 * says nothing about where it runs next here: ask only at wakeups
	 * and forks.
	 */
	if ((wake_flags & WF_EXEC) || scx_bypass())
		return prev_cpu;

	/* A verdict of an earlier wakeup that was never enqueued is void. */
	p->scx.ddsp_dsq_id = SCX_DSQ_INVALID;
	p->scx.ddsp_enq_flags = 0;
	if (scx_ops.select_cpu) {
		__this_cpu_write(scx_direct_task, p);
		cpu = SCX_CALL_OP_RET(SCX_KF_SELECT_CPU, select_cpu, p,
				      prev_cpu, (u64)wake_flags);
		__this_cpu_write(scx_direct_task, NULL);
		if (ops_cpu_valid(cpu))
			return cpu;
		scx_ops_error("select_cpu returned invalid CPU %d", cpu);
		return prev_cpu;
	}

	cpu = scx_select_cpu_dfl(p, prev_cpu, wake_flags, &found);
	if (found) {
		p->scx.slice = SCX_SLICE_DFL;
		p->scx.ddsp_dsq_id = SCX_DSQ_LOCAL;
	}
	return cpu;
}

void scx_update_idle(struct rq *rq, bool idle)
{
	int cpu = cpu_of(rq);

	if (!scx_enabled())
		return;

	if (SCX_HAS_OP(update_idle))
		SCX_CALL_OP(SCX_KF_REST, update_idle, cpu, idle);
	if (!scx_builtin_idle_enabled)
		return;

	idle_set(&scx_idle_masks, cpu, idle);
}

static void set_cpus_allowed_scx(struct task_struct *p,
				 struct affinity_context *ac)
{
	set_cpus_allowed_common(p, ac);
	if (SCX_HAS_OP(set_cpumask))
		SCX_CALL_OP(SCX_KF_REST, set_cpumask, p, p->cpus_ptr);
}

/*
 * rq_online and rq_offline also run in pairs when the root domain is
 * rebuilt; the scheduler hears only of a CPU going in or out of service.
 */
static void rq_online_scx(struct rq *rq)
{
	if (rq->scx.online)
		return;
	rq->scx.online = true;
	if (SCX_HAS_OP(cpu_online))
		SCX_CALL_OP(SCX_KF_REST, cpu_online, cpu_of(rq));
}

static void rq_offline_scx(struct rq *rq)
{
	int cpu;

	/* Still active: a root domain rebuild, not hotplug. */
	if (cpu_active(cpu_of(rq)))
		return;
	rq->scx.online = false;
	/*
	 * This CPU no longer dispatches: what it still has queued runs
	 * here or is pushed off by balance_push(), as under CFS.
	 */
	scx_rescue_rq(rq);
	/* Tasks of other CPUs sent here wait for another CPU to pull them. */
	if (READ_ONCE(rq->scx.inbox.nr)) {
		cpumask_set_cpu(cpu_of(rq), &scx_dead_inboxes);
		for_each_online_cpu(cpu)
			if (cpu != cpu_of(rq))
				kick_cpu(cpu, 0);
	}

	if (SCX_HAS_OP(cpu_offline))
		SCX_CALL_OP(SCX_KF_REST, cpu_offline, cpu_of(rq));
}

/* --- Weight and class changes --------------------------------------- */

static u32 scx_task_weight(struct task_struct *p)
{
	u32 w = p->policy == SCHED_IDLE ? WEIGHT_IDLEPRIO :
		sched_prio_to_weight[p->static_prio - MAX_RT_PRIO];

	/* The cgroup scale: 100 for nice 0, within [1, 10000]. */
	return clamp_t(u32, DIV_ROUND_CLOSEST(w * 100, 1024), 1, 10000);
}

static void set_task_weight(struct task_struct *p)
{
	p->scx.weight = scx_task_weight(p);
	if (SCX_HAS_OP(set_weight) && (p->scx.flags & SCX_TASK_ENABLED))
		SCX_CALL_OP(SCX_KF_REST, set_weight, p, p->scx.weight);
}

static void prio_changed_scx(struct rq *rq, struct task_struct *p, int oldprio)
{
	set_task_weight(p);
}

static void switched_to_scx(struct rq *rq, struct task_struct *p)
{
	p->scx.weight = scx_task_weight(p);
}

static void switched_from_scx(struct rq *rq, struct task_struct *p)
{
	scx_disable_task(p);
}

static unsigned int get_rr_interval_scx(struct rq *rq, struct task_struct *p)
{
	return 0;
}

DEFINE_SCHED_CLASS(ext) = {
	.enqueue_task		= enqueue_task_scx,
	.dequeue_task		= dequeue_task_scx,
	.yield_task		= yield_task_scx,
	.yield_to_task		= yield_to_task_scx,

	.check_preempt_curr	= check_preempt_curr_scx,

	.pick_next_task		= pick_next_task_scx,

	.put_prev_task		= put_prev_task_scx,
	.set_next_task		= set_next_task_scx,

#ifdef CONFIG_SMP
	.balance		= balance_scx,
	.pick_task		= pick_task_scx,
	.select_task_rq		= select_task_rq_scx,
	.set_cpus_allowed	= set_cpus_allowed_scx,
	.rq_online		= rq_online_scx,
	.rq_offline		= rq_offline_scx,
#endif

	.task_tick		= task_tick_scx,

	.switched_from		= switched_from_scx,
	.switched_to		= switched_to_scx,
	.prio_changed		= prio_changed_scx,

	.get_rr_interval	= get_rr_interval_scx,

	.update_curr		= update_curr_scx,
};

/* --- Kicking CPUs --------------------------------------------------- */

static void kick_cpu(s32 cpu, u64 flags)
{
	struct rq *this_rq;
	unsigned long irq_flags;

	local_irq_save(irq_flags);
	this_rq = this_rq();
	if (flags & SCX_KICK_IDLE) {
		cpumask_set_cpu(cpu, this_rq->scx.cpus_to_kick_if_idle);
	} else {
		cpumask_set_cpu(cpu, this_rq->scx.cpus_to_kick);
		if (flags & SCX_KICK_PREEMPT)
			cpumask_set_cpu(cpu, this_rq->scx.cpus_to_preempt);
		if (flags & SCX_KICK_WAIT)
			cpumask_set_cpu(cpu, this_rq->scx.cpus_to_wait);
	}
	irq_work_queue(&this_rq->scx.kick_cpus_irq_work);
	local_irq_restore(irq_flags);
}

static void kick_cpus_irq_workfn(struct irq_work *irq_work)
{
	struct rq *this_rq = this_rq();
	int this_cpu = cpu_of(this_rq);
	s32 cpu;

	for_each_cpu(cpu, this_rq->scx.cpus_to_kick) {
		struct rq *rq = cpu_rq(cpu);
		unsigned long flags;

		raw_spin_rq_lock_irqsave(rq, flags);
		if (cpu_online(cpu) || cpu == this_cpu) {
			if (cpumask_test_cpu(cpu, this_rq->scx.cpus_to_preempt) &&
			    rq->curr->sched_class == &ext_sched_class)
				rq->curr->scx.slice = 0;
			resched_curr(rq);
		} else {
			cpumask_clear_cpu(cpu, this_rq->scx.cpus_to_wait);
		}
		raw_spin_rq_unlock_irqrestore(rq, flags);
	}

	for_each_cpu(cpu, this_rq->scx.cpus_to_kick_if_idle) {
		if (idle_cpu(cpu))
			resched_cpu(cpu);
	}

	/*
	 * KICK_WAIT: until each CPU has gone through the scheduler once.
	 * A CPU that is itself spinning here cannot schedule, so waits that
	 * form a cycle (two CPUs kicking each other) would never end: give
	 * up on a CPU seen waiting. The barrier pairs with the other CPU's,
	 * so of two CPUs waiting on each other at least one sees the other.
	 */
	if (!cpumask_empty(this_rq->scx.cpus_to_wait)) {
		WRITE_ONCE(this_rq->scx.kick_waiting, true);
		/* Our flag before their flag: pairs with the other waiter's. */
		smp_mb();
	}
	for_each_cpu(cpu, this_rq->scx.cpus_to_wait) {
		struct rq *rq = cpu_rq(cpu);
		u64 seq = READ_ONCE(rq->scx.pnt_seq);

		if (cpu == this_cpu)
			continue;
		while (READ_ONCE(rq->scx.pnt_seq) == seq &&
		       READ_ONCE(rq->curr)->sched_class == &ext_sched_class &&
		       !READ_ONCE(rq->scx.kick_waiting) && !scx_bypass())
			cpu_relax();
	}
	WRITE_ONCE(this_rq->scx.kick_waiting, false);

	cpumask_clear(this_rq->scx.cpus_to_kick);
	cpumask_clear(this_rq->scx.cpus_to_kick_if_idle);
	cpumask_clear(this_rq->scx.cpus_to_preempt);
	cpumask_clear(this_rq->scx.cpus_to_wait);
}

/* --- cgroups ------------------------------------------------------- */

/*
 * The callbacks follow the cpu controller's groups. Set under
 * cgroup_mutex, which every caller but the weight knob holds, so a
 * cgroup is inited exactly while it is online and this is true.
 */
static bool scx_cgroup_enabled;

#ifdef CONFIG_CGROUP_SCHED
static struct task_group *css_to_tg(struct cgroup_subsys_state *css)
{
	return container_of(css, struct task_group, css);
}

static u32 tg_weight(struct task_group *tg)
{
#ifdef CONFIG_FAIR_GROUP_SCHED
	return clamp_t(u32, DIV_ROUND_CLOSEST_ULL(scale_load_down(tg->shares) *
						  CGROUP_WEIGHT_DFL, 1024),
		       CGROUP_WEIGHT_MIN, CGROUP_WEIGHT_MAX);
#else
	return CGROUP_WEIGHT_DFL;
#endif
}

static struct cgroup *tg_cgrp(struct task_group *tg)
{
	return tg && tg->css.cgroup ? tg->css.cgroup : &cgrp_dfl_root.cgrp;
}

static int scx_cgroup_init_one(struct task_group *tg)
{
	struct scx_cgroup_init_args args = { .weight = tg_weight(tg) };

	if (!scx_ops.cgroup_init)
		return 0;
	return SCX_CALL_OP_RET(SCX_KF_INIT, cgroup_init, tg_cgrp(tg), &args);
}

/* A new cpu cgroup; an error fails its creation. */
int scx_tg_online(struct task_group *tg)
{
	lockdep_assert_held(&cgroup_mutex);
	if (!scx_cgroup_enabled)
		return 0;
	return scx_cgroup_init_one(tg);
}

void scx_tg_offline(struct task_group *tg)
{
	lockdep_assert_held(&cgroup_mutex);
	if (scx_cgroup_enabled && scx_ops.cgroup_exit)
		SCX_CALL_OP(SCX_KF_REST, cgroup_exit, tg_cgrp(tg));
}

/* @p moved from @from to @to; its rq is locked. */
void scx_cgroup_move_task(struct task_struct *p, struct task_group *from,
			  struct task_group *to)
{
	if (scx_cgroup_enabled && SCX_HAS_OP(cgroup_move) && from != to &&
	    (p->scx.flags & SCX_TASK_INITED))
		SCX_CALL_OP(SCX_KF_REST, cgroup_move, p, tg_cgrp(from),
			    tg_cgrp(to));
}

void scx_group_set_weight(struct task_group *tg, u64 weight)
{
	/* No cgroup_mutex here (kernfs); RCU keeps the program alive. */
	rcu_read_lock();
	if (READ_ONCE(scx_cgroup_enabled) && SCX_HAS_OP(cgroup_set_weight))
		SCX_CALL_OP(SCX_KF_REST, cgroup_set_weight, tg_cgrp(tg),
			    (u32)weight);
	rcu_read_unlock();
}

/* ops.cgroup_init() for every online cpu cgroup, root first. */
static int scx_cgroup_init_all(void)
{
	struct cgroup_subsys_state *css;
	int ret = 0;

	/* cgroup_mutex keeps the walk valid, so the callback may sleep. */
	lockdep_assert_held(&cgroup_mutex);
	css_for_each_descendant_pre(css, &root_task_group.css) {
		if (!(css->flags & CSS_ONLINE))
			continue;
		ret = scx_cgroup_init_one(css_to_tg(css));
		if (ret) {
			scx_ops_error("ops.cgroup_init() failed (%d)", ret);
			break;
		}
	}
	if (!ret)
		WRITE_ONCE(scx_cgroup_enabled, true);
	return ret;
}

static void scx_cgroup_exit_all(void)
{
	struct cgroup_subsys_state *css;

	lockdep_assert_held(&cgroup_mutex);
	if (!scx_cgroup_enabled)
		return;
	WRITE_ONCE(scx_cgroup_enabled, false);
	if (!scx_ops.cgroup_exit)
		return;
	css_for_each_descendant_post(css, &root_task_group.css)
		if (css->flags & CSS_ONLINE)
			SCX_CALL_OP(SCX_KF_REST, cgroup_exit,
				    tg_cgrp(css_to_tg(css)));
}
#else
static int scx_cgroup_init_all(void)
{
	return 0;
}

static void scx_cgroup_exit_all(void)
{
}
#endif	/* CONFIG_CGROUP_SCHED */

/* --- Fork, exit and the task list ----------------------------------- */

/* A new task's sched_ext state; called from sched_fork(). */
void init_scx_entity(struct task_struct *p)
{
	struct sched_ext_entity *scx = &p->scx;

	memset(scx, 0, sizeof(*scx));
	INIT_LIST_HEAD(&scx->dsq_node);
	RB_CLEAR_NODE(&scx->dsq_priq);
	INIT_LIST_HEAD(&scx->runnable_node);
	INIT_LIST_HEAD(&scx->tasks_node);
	scx->sticky_cpu = -1;
	scx->holding_cpu = -1;
	atomic_long_set(&scx->ops_state, SCX_OPSS_NONE);
	scx->ddsp_dsq_id = SCX_DSQ_INVALID;
	scx->slice = SCX_SLICE_DFL;
	scx->weight = 100;
}

bool task_should_scx(struct task_struct *p)
{
	enum scx_ops_enable_state state = scx_ops_state();

	if (state != SCX_OPS_ENABLING && state != SCX_OPS_ENABLED)
		return false;
	if (!(p->scx.flags & SCX_TASK_INITED) ||
	    (p->scx.flags & SCX_TASK_DISALLOWED))
		return false;
	if (scx_bypass())
		return false;
	return scx_switching_all || p->policy == SCHED_EXT;
}

static int scx_init_task(struct task_struct *p, bool fork)
{
	p->scx.disallow = false;
	if (scx_ops.init_task) {
		struct scx_init_task_args args = {
			.fork = fork,
#ifdef CONFIG_CGROUP_SCHED
			.cgroup = tg_cgrp(p->sched_task_group),
#endif
		};
		int ret = SCX_CALL_OP_RET(SCX_KF_INIT, init_task, p, &args);

		if (unlikely(ret)) {
			scx_ops_error("ops.init_task() failed (%d) for %s[%d]",
				      ret, p->comm, p->pid);
			return ret;
		}
	}
	/*
	 * Read here only: a later write of disallow, from any callback, is
	 * ignored, as upstream does.
	 */
	p->scx.flags &= ~SCX_TASK_DISALLOWED;
	if (p->scx.disallow) {
		p->scx.flags |= SCX_TASK_DISALLOWED;
		atomic_long_inc(&scx_nr_rejected);
	}
	p->scx.weight = scx_task_weight(p);
	return 0;
}

/* Caller holds scx_tasks_lock. */
static void scx_exit_task(struct task_struct *p)
{
	struct scx_exit_task_args args = { .cancelled = false };

	lockdep_assert_held(&scx_tasks_lock);
	if (!(p->scx.flags & SCX_TASK_INITED))
		return;
	p->scx.flags &= ~SCX_TASK_INITED;
	if (scx_ops.exit_task)
		SCX_CALL_OP(SCX_KF_REST, exit_task, p, &args);
}

void scx_post_fork(struct task_struct *p)
{
	unsigned long flags;

	percpu_down_read(&scx_fork_rwsem);

	spin_lock_irq(&scx_tasks_lock);
	list_add_tail(&p->scx.tasks_node, &scx_tasks);
	spin_unlock_irq(&scx_tasks_lock);

	if (scx_enabled() && !scx_bypass() &&
	    scx_ops_state() == SCX_OPS_ENABLED) {
		if (!scx_init_task(p, true)) {
			p->scx.flags |= SCX_TASK_INITED;
			/* Not on any rq yet: nothing to dequeue first. */
			raw_spin_lock_irqsave(&p->pi_lock, flags);
			if (task_should_scx(p) && p->sched_class == &fair_sched_class)
				p->sched_class = &ext_sched_class;
			raw_spin_unlock_irqrestore(&p->pi_lock, flags);
		}
	}

	percpu_up_read(&scx_fork_rwsem);
}

void sched_ext_free(struct task_struct *p)
{
	unsigned long flags;

	spin_lock_irqsave(&scx_tasks_lock, flags);
	if (!list_empty(&p->scx.tasks_node)) {
		list_del_init(&p->scx.tasks_node);
		if (p->scx.flags & SCX_TASK_ENABLED) {
			p->scx.flags &= ~SCX_TASK_ENABLED;
			if (scx_ops.disable)
				SCX_CALL_OP(SCX_KF_REST, disable, p);
		}
		scx_exit_task(p);
	}
	spin_unlock_irqrestore(&scx_tasks_lock, flags);
}

/* --- Enabling and disabling ----------------------------------------- */

/*
 * A walk of scx_tasks that drops scx_tasks_lock between tasks, so that
 * ops.init_task() runs with interrupts on (BPF's allocators refill from
 * irq_work). A cursor entry keeps the place; tasks are pinned.
 */
struct scx_task_iter {
	struct sched_ext_entity cursor;
};

static void scx_task_iter_start(struct scx_task_iter *iter)
{
	INIT_LIST_HEAD(&iter->cursor.tasks_node);
	iter->cursor.flags = SCX_TASK_CURSOR;
	spin_lock_irq(&scx_tasks_lock);
	list_add(&iter->cursor.tasks_node, &scx_tasks);
	spin_unlock_irq(&scx_tasks_lock);
}

static struct task_struct *scx_task_iter_next(struct scx_task_iter *iter)
{
	struct list_head *pos;
	struct task_struct *p = NULL;

	spin_lock_irq(&scx_tasks_lock);
	for (pos = iter->cursor.tasks_node.next; pos != &scx_tasks;
	     pos = pos->next) {
		struct sched_ext_entity *e =
			list_entry(pos, struct sched_ext_entity, tasks_node);
		struct task_struct *t;

		if (e->flags & SCX_TASK_CURSOR)
			continue;
		t = container_of(e, struct task_struct, scx);
		/* Being freed: sched_ext_free() waits for the lock. */
		if (!refcount_inc_not_zero(&t->usage))
			continue;
		p = t;
		break;
	}
	list_del(&iter->cursor.tasks_node);
	if (p)
		list_add(&iter->cursor.tasks_node, pos);
	else
		list_add_tail(&iter->cursor.tasks_node, &scx_tasks);
	spin_unlock_irq(&scx_tasks_lock);
	return p;
}

static void scx_task_iter_stop(struct scx_task_iter *iter)
{
	spin_lock_irq(&scx_tasks_lock);
	list_del_init(&iter->cursor.tasks_node);
	spin_unlock_irq(&scx_tasks_lock);
}

static void scx_free_dsq_rcufn(struct rcu_head *rcu)
{
	kfree(container_of(rcu, struct scx_dispatch_q, rcu));
}

/*
 * DSQs destroyed by the scheduler: freed after a grace period, but
 * call_rcu() is not made under an rq or DSQ lock (with rcu_nocbs it may
 * wake a kthread, which takes an rq lock).
 */
static LLIST_HEAD(scx_dsqs_to_free);

static void scx_free_dsqs_irq_workfn(struct irq_work *irq_work)
{
	struct llist_node *list = llist_del_all(&scx_dsqs_to_free);
	struct scx_dispatch_q *dsq, *next;

	llist_for_each_entry_safe(dsq, next, list, free_node)
		call_rcu(&dsq->rcu, scx_free_dsq_rcufn);
}

static DEFINE_IRQ_WORK(scx_free_dsqs_irq_work, scx_free_dsqs_irq_workfn);

static void scx_free_user_dsq(void *ptr, void *arg)
{
	struct scx_dispatch_q *dsq = ptr;

	call_rcu(&dsq->rcu, scx_free_dsq_rcufn);
}

/*
 * Move every task whose class is not the one it should have now. The
 * walk holds no lock between tasks, so neither fork nor exit waits with
 * interrupts off for the whole task list; the caller holds
 * scx_fork_rwsem, so no task is added meanwhile.
 */
static void scx_switch_all_tasks(void)
{
	struct scx_task_iter iter;
	struct task_struct *p;

	scx_task_iter_start(&iter);
	while ((p = scx_task_iter_next(&iter))) {
		bool on_scx = p->sched_class == &ext_sched_class;

		/* Idle threads are on the list too (fork_idle()). */
		if (!is_idle_task(p) &&
		    (p->policy == SCHED_NORMAL || p->policy == SCHED_BATCH ||
		     p->policy == SCHED_IDLE || p->policy == SCHED_EXT) &&
		    on_scx != task_should_scx(p))
			sched_ext_switch_class(p);
		put_task_struct(p);
		cond_resched();
	}
	scx_task_iter_stop(&iter);
}

static void scx_watchdog_timerfn(struct timer_list *timer)
{
	unsigned long timeout = READ_ONCE(scx_watchdog_timeout);
	int cpu;

	for_each_online_cpu(cpu) {
		struct rq *rq = cpu_rq(cpu);
		struct scx_dispatch_q *dsq;
		struct task_struct *p;
		unsigned long flags, waited = 0, opss = 0;
		char comm[TASK_COMM_LEN], curr[TASK_COMM_LEN];
		u64 dsq_id = 0;
		pid_t pid = 0;

		raw_spin_rq_lock_irqsave(rq, flags);
		p = list_first_entry_or_null(&rq->scx.runnable_list,
					     struct task_struct,
					     scx.runnable_node);
		if (p && time_after(jiffies, p->scx.runnable_at + timeout)) {
			waited = jiffies - p->scx.runnable_at;
			pid = p->pid;
			/* No task_lock in softirq: a torn name is fine. */
			strscpy(comm, p->comm, sizeof(comm));
			dsq = READ_ONCE(p->scx.dsq);
			dsq_id = dsq ? dsq->id : SCX_DSQ_INVALID;
			opss = atomic_long_read(&p->scx.ops_state);
			strscpy(curr, rq->curr->comm, sizeof(curr));
		}
		raw_spin_rq_unlock_irqrestore(rq, flags);

		if (pid) {
			/* Where it waits tells whose bug it is. */
			scx_ops_error_kind(SCX_EXIT_ERROR_STALL,
					   "%s[%d] failed to run for %u.%03us (cpu %d running %s, dsq 0x%llx, ops_state %lu)",
					   comm, pid,
					   jiffies_to_msecs(waited) / 1000,
					   jiffies_to_msecs(waited) % 1000,
					   cpu, curr, dsq_id,
					   opss & SCX_OPSS_STATE_MASK);
			return;
		}
	}
	mod_timer(&scx_watchdog_timer, jiffies + timeout / 2);
}

static struct kobject *scx_root_kobj;
static struct kobject *scx_kobj;
static const struct kobj_type scx_root_ktype;

static void scx_ops_disable_locked(void)
{
	struct scx_exit_info *ei = scx_exit_info;
	struct scx_task_iter iter;
	struct task_struct *p;
	int cpu;

	lockdep_assert_held(&scx_ops_enable_mutex);

	switch (scx_ops_state()) {
	case SCX_OPS_ENABLING:
	case SCX_OPS_ENABLED:
		break;
	default:
		return;
	}

	/* Make sure a reason is set, then stop asking the scheduler. */
	scx_ops_error_kind(SCX_EXIT_UNREG_KERN, "disabled");
	WRITE_ONCE(scx_bypassing, true);
	atomic_set(&scx_ops_enable_state_var, SCX_OPS_DISABLING);
	del_timer_sync(&scx_watchdog_timer);

	/*
	 * cgroup_mutex before cpus_read_lock, as cgroup does; hotplug forks
	 * kthreads under cpus_read_lock, so that before the fork rwsem.
	 */
	cgroup_lock();
	cpus_read_lock();
	percpu_down_write(&scx_fork_rwsem);
	scx_switch_all_tasks();

	/*
	 * One task at a time: interrupts are off only for its callbacks.
	 * The reference held keeps sched_ext_free() away from it.
	 */
	scx_task_iter_start(&iter);
	while ((p = scx_task_iter_next(&iter))) {
		spin_lock_irq(&scx_tasks_lock);
		scx_disable_task(p);
		scx_exit_task(p);
		spin_unlock_irq(&scx_tasks_lock);
		put_task_struct(p);
		cond_resched();
	}
	scx_task_iter_stop(&iter);
	scx_cgroup_exit_all();

	/* No task is on the class now; nothing but ops.exit() calls it. */
	static_branch_disable_cpuslocked(&__scx_ops_enabled);
	percpu_up_write(&scx_fork_rwsem);
	cpus_read_unlock();
	cgroup_unlock();
	/* Every CPU is out of balance_scx() and the kfuncs it called. */
	synchronize_rcu();

	for_each_possible_cpu(cpu) {
		struct rq *rq = cpu_rq(cpu);

		WARN_ON_ONCE(rq->scx.local_dsq.nr || rq->scx.inbox.nr ||
			     rq->scx.nr_running);
	}

	if (scx_ops.exit)
		SCX_CALL_OP(SCX_KF_REST, exit, ei);

	scx_last_exit.kind = ei->kind;
	strscpy(scx_last_exit.ops, scx_ops.name, sizeof(scx_last_exit.ops));
	strscpy(scx_last_exit.msg, ei->msg, sizeof(scx_last_exit.msg));
	if (ei->kind >= SCX_EXIT_ERROR)
		pr_info("sched_ext: BPF scheduler \"%s\" disabled (%s): %s\n",
			scx_ops.name, ei->reason, ei->msg);
	else
		pr_info("sched_ext: BPF scheduler \"%s\" disabled (%s)\n",
			scx_ops.name, ei->reason);

	rhashtable_free_and_destroy(&scx_dsq_hash, scx_free_user_dsq, NULL);
	free_percpu(scx_dsp_ctx);
	scx_dsp_ctx = NULL;

	if (scx_root_kobj) {
		kobject_del(scx_root_kobj);
		kobject_put(scx_root_kobj);
		scx_root_kobj = NULL;
	}
	if (scx_kobj)
		sysfs_notify(scx_kobj, NULL, "state");

	memset(&scx_ops, 0, sizeof(scx_ops));
	scx_ops_kdata = NULL;
	atomic_set(&scx_exit_kind, SCX_EXIT_DONE);
	atomic_set(&scx_ops_enable_state_var, SCX_OPS_DISABLED);
}

static void scx_ops_disable_workfn(struct work_struct *work)
{
	mutex_lock(&scx_ops_enable_mutex);
	if (scx_exit_pending())
		scx_ops_disable_locked();
	mutex_unlock(&scx_ops_enable_mutex);
}

static int scx_ops_enable(struct sched_ext_ops *ops, void *kdata)
{
	struct scx_task_iter iter;
	struct scx_exit_info *ei;
	struct task_struct *p;
	unsigned long timeout;
	int ret, cpu;

	mutex_lock(&scx_ops_enable_mutex);
	if (scx_ops_state() != SCX_OPS_DISABLED) {
		ret = -EBUSY;
		goto out_unlock;
	}

	if (!scx_exit_info) {
		ei = kzalloc(sizeof(*ei), GFP_KERNEL);
		if (ei)
			ei->msg = kzalloc(SCX_EXIT_MSG_LEN, GFP_KERNEL);
		if (!ei || !ei->msg) {
			kfree(ei);
			ret = -ENOMEM;
			goto out_unlock;
		}
		scx_exit_info = ei;
	}
	ei = scx_exit_info;
	ei->kind = SCX_EXIT_NONE;
	ei->exit_code = 0;
	ei->reason = NULL;
	ei->msg[0] = '\0';

	ret = rhashtable_init(&scx_dsq_hash, &scx_dsq_hash_params);
	if (ret)
		goto out_unlock;

	scx_dsp_max_batch = ops->dispatch_max_batch ?: SCX_DSP_DFL_MAX_BATCH;
	scx_dsp_ctx = __alloc_percpu(sizeof(struct scx_dsp_ctx) +
				     scx_dsp_max_batch *
				     sizeof(struct scx_dsp_buf_ent),
				     __alignof__(struct scx_dsp_ctx));
	if (!scx_dsp_ctx) {
		ret = -ENOMEM;
		goto out_free_hash;
	}

	scx_ops = *ops;
	scx_ops_kdata = kdata;
	scx_switching_all = !(ops->flags & SCX_OPS_SWITCH_PARTIAL);
	scx_builtin_idle_enabled = !ops->update_idle ||
		(ops->flags & SCX_OPS_KEEP_BUILTIN_IDLE);
	WRITE_ONCE(scx_bypassing, false);
	atomic_set(&scx_exit_kind, SCX_EXIT_NONE);
	atomic_set(&scx_ops_enable_state_var, SCX_OPS_ENABLING);

	timeout = ops->timeout_ms ? msecs_to_jiffies(ops->timeout_ms) :
		SCX_WATCHDOG_MAX_TIMEOUT;
	WRITE_ONCE(scx_watchdog_timeout, timeout);

	cpumask_clear(scx_idle_masks.cpu);
	cpumask_clear(scx_idle_masks.smt);

	if (scx_ops.init) {
		ret = SCX_CALL_OP_RET(SCX_KF_INIT, init);
		if (ret) {
			scx_ops_error("ops.init() failed (%d)", ret);
			goto out_disable;
		}
	}

	cgroup_lock();
	cpus_read_lock();
	percpu_down_write(&scx_fork_rwsem);
	if (scx_cgroup_init_all())
		goto out_unlock_tasks;

	scx_task_iter_start(&iter);
	while ((p = scx_task_iter_next(&iter))) {
		ret = scx_init_task(p, false);
		if (!ret)
			p->scx.flags |= SCX_TASK_INITED;
		put_task_struct(p);
		if (ret)
			break;
	}
	scx_task_iter_stop(&iter);

	static_branch_enable_cpuslocked(&__scx_ops_enabled);
	for_each_online_cpu(cpu)
		if (idle_cpu(cpu))
			scx_update_idle(cpu_rq(cpu), true);

	if (!scx_bypass())
		scx_switch_all_tasks();
out_unlock_tasks:
	percpu_up_write(&scx_fork_rwsem);
	cpus_read_unlock();
	cgroup_unlock();

	if (scx_bypass()) {
		ret = -EINVAL;
		goto out_disable;
	}

	atomic_set(&scx_ops_enable_state_var, SCX_OPS_ENABLED);
	atomic_long_inc(&scx_enable_seq);
	mod_timer(&scx_watchdog_timer, jiffies + timeout / 2);

	/* No /sys/kernel/sched_ext (scx_init() failed): no root/ in it. */
	scx_root_kobj = scx_kobj ? kzalloc(sizeof(*scx_root_kobj), GFP_KERNEL) :
		NULL;
	if (scx_root_kobj &&
	    kobject_init_and_add(scx_root_kobj, &scx_root_ktype, scx_kobj,
				 "root")) {
		kobject_put(scx_root_kobj);
		scx_root_kobj = NULL;
	}
	if (scx_kobj)
		sysfs_notify(scx_kobj, NULL, "state");
	pr_info("sched_ext: BPF scheduler \"%s\" enabled\n", scx_ops.name);
	mutex_unlock(&scx_ops_enable_mutex);
	return 0;

out_disable:
	scx_ops_disable_locked();
	mutex_unlock(&scx_ops_enable_mutex);
	return ret;
out_free_hash:
	rhashtable_free_and_destroy(&scx_dsq_hash, NULL, NULL);
out_unlock:
	mutex_unlock(&scx_ops_enable_mutex);
	return ret;
}

/* --- sysfs ---------------------------------------------------------- */

static const char *scx_state_name(enum scx_ops_enable_state state)
{
	switch (state) {
	case SCX_OPS_ENABLING:
		return "enabling";
	case SCX_OPS_ENABLED:
		return "enabled";
	case SCX_OPS_DISABLING:
		return "disabling";
	default:
		return "disabled";
	}
}

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n", scx_state_name(scx_ops_state()));
}

static ssize_t switch_all_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", scx_enabled() && scx_switching_all);
}

static ssize_t nr_rejected_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&scx_nr_rejected));
}

static ssize_t enable_seq_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&scx_enable_seq));
}

static ssize_t last_exit_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	ssize_t len;

	/* One line: kind, the scheduler's name, then the message. */
	mutex_lock(&scx_ops_enable_mutex);
	if (!scx_last_exit.kind)
		len = sysfs_emit(buf, "none\n");
	else
		len = sysfs_emit(buf, "%s %s %s\n",
				 scx_exit_kind_name(scx_last_exit.kind),
				 scx_last_exit.ops, scx_last_exit.msg);
	mutex_unlock(&scx_ops_enable_mutex);
	return len;
}

static struct kobj_attribute scx_attr_state = __ATTR_RO(state);
static struct kobj_attribute scx_attr_switch_all = __ATTR_RO(switch_all);
static struct kobj_attribute scx_attr_nr_rejected = __ATTR_RO(nr_rejected);
static struct kobj_attribute scx_attr_enable_seq = __ATTR_RO(enable_seq);
static struct kobj_attribute scx_attr_last_exit = __ATTR_RO(last_exit);

static struct attribute *scx_global_attrs[] = {
	&scx_attr_state.attr,
	&scx_attr_switch_all.attr,
	&scx_attr_nr_rejected.attr,
	&scx_attr_enable_seq.attr,
	&scx_attr_last_exit.attr,
	NULL,
};

static const struct attribute_group scx_global_attr_group = {
	.attrs = scx_global_attrs,
};

static ssize_t ops_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	return sysfs_emit(buf, "%s\n", scx_ops.name);
}

static struct kobj_attribute scx_attr_ops = __ATTR_RO(ops);

static struct attribute *scx_root_attrs[] = {
	&scx_attr_ops.attr,
	NULL,
};
ATTRIBUTE_GROUPS(scx_root);

static void scx_root_release(struct kobject *kobj)
{
	kfree(kobj);
}

static const struct kobj_type scx_root_ktype = {
	.sysfs_ops	= &kobj_sysfs_ops,
	.default_groups	= scx_root_groups,
	.release	= scx_root_release,
};

/* --- SysRq ---------------------------------------------------------- */

static void sysrq_handle_sched_ext_reset(u8 key)
{
	if (scx_enabled())
		scx_ops_error_kind(SCX_EXIT_SYSRQ, "%s",
				   scx_exit_reason(SCX_EXIT_SYSRQ));
	else
		pr_info("sched_ext: no BPF scheduler is loaded\n");
}

static const struct sysrq_key_op sysrq_sched_ext_reset_op = {
	.handler	= sysrq_handle_sched_ext_reset,
	.help_msg	= "reset-sched-ext(S)",
	.action_msg	= "Disable sched_ext and revert all tasks to CFS",
	.enable_mask	= SYSRQ_ENABLE_RTNICE,
};

/* --- kfuncs --------------------------------------------------------- */

__diag_push();
__diag_ignore_all("-Wmissing-prototypes",
		  "Global kfuncs as their definitions will be in BTF");

static void scx_set_slice(struct task_struct *p, u64 slice)
{
	if (slice)
		p->scx.slice = slice;
	else
		p->scx.slice = p->scx.slice ?: 1;
}

/*
 * Nothing of @p changes before the call is found valid. A task named by
 * ops.dispatch() gets its vtime only once it is claimed from the
 * scheduler's custody (finish_dispatch()): until then it may sit on a
 * vtime DSQ, whose order its vtime keys.
 */
static void scx_dispatch_common(struct task_struct *p, u64 dsq_id,
				u64 slice, u64 vtime, u64 enq_flags)
{
	struct scx_dsp_ctx *ctx;

	if (scx_kf_allowed(SCX_KF_ENQUEUE | SCX_KF_SELECT_CPU)) {
		if (p != __this_cpu_read(scx_direct_task)) {
			scx_ops_error("dispatch of %s[%d] from enqueue/select_cpu of another task",
				      p->comm, p->pid);
			return;
		}
		if (p->scx.ddsp_dsq_id != SCX_DSQ_INVALID) {
			scx_ops_error("%s[%d] dispatched twice", p->comm, p->pid);
			return;
		}
		/* Being enqueued or woken: @p is on no DSQ. */
		scx_set_slice(p, slice);
		if (enq_flags & SCX_ENQ_DSQ_PRIQ)
			p->scx.dsq_vtime = vtime;
		p->scx.ddsp_dsq_id = dsq_id;
		p->scx.ddsp_enq_flags = enq_flags;
		return;
	}

	if (!scx_kf_allowed(SCX_KF_DISPATCH)) {
		scx_ops_error("dispatch called outside select_cpu, enqueue and dispatch");
		return;
	}
	ctx = this_cpu_ptr(scx_dsp_ctx);
	if (ctx->cursor >= scx_dsp_max_batch) {
		scx_ops_error("dispatch buffer overflow (dispatch_max_batch %u)",
			      scx_dsp_max_batch);
		return;
	}
	scx_set_slice(p, slice);
	ctx->buf[ctx->cursor++] = (struct scx_dsp_buf_ent) {
		.task = p,
		.qseq = atomic_long_read(&p->scx.ops_state) &
			~(unsigned long)SCX_OPSS_STATE_MASK,
		.dsq_id = dsq_id,
		.enq_flags = enq_flags,
		.vtime = vtime,
	};
}

/**
 * scx_bpf_dsq_insert - Insert a task into a DSQ, FIFO
 * @p: task
 * @dsq_id: a user DSQ, SCX_DSQ_GLOBAL, SCX_DSQ_LOCAL or SCX_DSQ_LOCAL_ON|cpu
 * @slice: the slice to give @p, 0 to keep the current one
 * @enq_flags: SCX_ENQ_*
 *
 * From ops.select_cpu() and ops.enqueue(), for the task they were called
 * for, once; from ops.dispatch(), for any task in the scheduler's
 * custody, up to dispatch_max_batch a call, carried out when it returns.
 * A task that left the scheduler's custody meanwhile is skipped. A DSQ
 * that does not exist, a CPU outside @p's allowed CPUs, or a user DSQ
 * that holds vtime-ordered tasks is an error: @p goes to the global DSQ
 * and the scheduler is ejected. A CPU that is going down sends @p to the
 * global DSQ without an error.
 */
__bpf_kfunc void scx_bpf_dsq_insert(struct task_struct *p, u64 dsq_id,
				    u64 slice, u64 enq_flags)
{
	scx_dispatch_common(p, dsq_id, slice, 0, enq_flags & ~SCX_ENQ_DSQ_PRIQ);
}

/**
 * scx_bpf_dispatch - The 6.12 name of scx_bpf_dsq_insert()
 * @p: task
 * @dsq_id: as for scx_bpf_dsq_insert()
 * @slice: as for scx_bpf_dsq_insert()
 * @enq_flags: as for scx_bpf_dsq_insert()
 */
__bpf_kfunc void scx_bpf_dispatch(struct task_struct *p, u64 dsq_id,
				  u64 slice, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, dsq_id, slice, enq_flags);
}

/**
 * scx_bpf_dsq_insert_vtime - Insert a task into a user DSQ by vtime
 * @p: task
 * @dsq_id: a user DSQ
 * @slice: as for scx_bpf_dsq_insert()
 * @vtime: @p's place: tasks of smaller vtime go first, equal ones in the
 *	order they came
 * @enq_flags: SCX_ENQ_*
 *
 * Called from where scx_bpf_dsq_insert() may be. A DSQ holds FIFO or
 * vtime inserts, never both; a built-in DSQ takes FIFO inserts only.
 * Mixing them is an error that ejects the scheduler.
 */
__bpf_kfunc void scx_bpf_dsq_insert_vtime(struct task_struct *p, u64 dsq_id,
					  u64 slice, u64 vtime, u64 enq_flags)
{
	scx_dispatch_common(p, dsq_id, slice, vtime,
			    enq_flags | SCX_ENQ_DSQ_PRIQ);
}

/**
 * scx_bpf_dispatch_vtime - The 6.12 name of scx_bpf_dsq_insert_vtime()
 * @p: task
 * @dsq_id: as for scx_bpf_dsq_insert_vtime()
 * @slice: as for scx_bpf_dsq_insert_vtime()
 * @vtime: as for scx_bpf_dsq_insert_vtime()
 * @enq_flags: as for scx_bpf_dsq_insert_vtime()
 */
__bpf_kfunc void scx_bpf_dispatch_vtime(struct task_struct *p, u64 dsq_id,
					u64 slice, u64 vtime, u64 enq_flags)
{
	scx_bpf_dsq_insert_vtime(p, dsq_id, slice, vtime, enq_flags);
}

/**
 * scx_bpf_dispatch_nr_slots - How many more tasks ops.dispatch() may send
 *
 * Context: ops.dispatch() only.
 *
 * Return: the free entries of this call's dispatch buffer; 0 outside
 * ops.dispatch().
 */
__bpf_kfunc u32 scx_bpf_dispatch_nr_slots(void)
{
	if (!scx_kf_allowed(SCX_KF_DISPATCH))
		return 0;
	return scx_dsp_max_batch - this_cpu_ptr(scx_dsp_ctx)->cursor;
}

/**
 * scx_bpf_dsq_move_to_local - Move the first task of a DSQ this CPU can
 * run to its local DSQ
 * @dsq_id: a user DSQ or SCX_DSQ_GLOBAL
 *
 * From ops.dispatch() only. Tasks it inserted before this call are
 * carried out first. A task queued on another CPU's rq reaches the local
 * DSQ only once ops.dispatch() has returned (the move needs both rq
 * locks), so scx_bpf_dsq_nr_queued(SCX_DSQ_LOCAL) does not count it
 * before then. A DSQ that does not exist is an error.
 *
 * Return: true if a task was moved.
 */
__bpf_kfunc bool scx_bpf_dsq_move_to_local(u64 dsq_id)
{
	struct scx_dsp_ctx *ctx;
	struct scx_dispatch_q *dsq;

	if (!scx_kf_allowed(SCX_KF_DISPATCH)) {
		scx_ops_error("%s() outside ops.dispatch()", __func__);
		return false;
	}
	ctx = this_cpu_ptr(scx_dsp_ctx);
	/* What was dispatched before goes first. */
	flush_dispatch_buf(ctx->rq);

	dsq = dsq_id == SCX_DSQ_GLOBAL ? &scx_dsq_global :
		(dsq_id & SCX_DSQ_FLAG_BUILTIN) ? NULL : find_user_dsq(dsq_id);
	if (!dsq) {
		scx_ops_error("non-existent DSQ 0x%llx", dsq_id);
		return false;
	}

	/* A task of another rq moves once ops.dispatch() has returned. */
	if (!pull_from_dsq(ctx->rq, dsq))
		return false;
	ctx->nr_moved++;
	return true;
}

/**
 * scx_bpf_consume - The 6.12 name of scx_bpf_dsq_move_to_local()
 * @dsq_id: as for scx_bpf_dsq_move_to_local()
 *
 * Return: as for scx_bpf_dsq_move_to_local().
 */
__bpf_kfunc bool scx_bpf_consume(u64 dsq_id)
{
	return scx_bpf_dsq_move_to_local(dsq_id);
}

/**
 * scx_bpf_reenqueue_local - Give this CPU's local DSQ back to ops.enqueue()
 *
 * Context: ops.dispatch() only. Each task on the local DSQ goes through
 * ops.enqueue() again, with %SCX_ENQ_REENQ, before this returns.
 *
 * Return: the number of tasks given back.
 */
__bpf_kfunc u32 scx_bpf_reenqueue_local(void)
{
	struct scx_dsp_ctx *ctx;
	struct task_struct *p, *n;
	LIST_HEAD(tasks);
	u32 nr = 0;
	struct rq *rq;

	if (!scx_kf_allowed(SCX_KF_DISPATCH)) {
		scx_ops_error("%s() outside ops.dispatch()", __func__);
		return 0;
	}
	ctx = this_cpu_ptr(scx_dsp_ctx);
	rq = ctx->rq;

	raw_spin_lock(&rq->scx.local_dsq.lock);
	list_for_each_entry_safe(p, n, &rq->scx.local_dsq.list, scx.dsq_node) {
		dsq_remove_locked(&rq->scx.local_dsq, p);
		WRITE_ONCE(p->scx.dsq, NULL);
		list_add_tail(&p->scx.dsq_node, &tasks);
	}
	raw_spin_unlock(&rq->scx.local_dsq.lock);

	/* ops.enqueue() nested in ops.dispatch(): keep the mask right. */
	list_for_each_entry_safe(p, n, &tasks, scx.dsq_node) {
		list_del_init(&p->scx.dsq_node);
		do_enqueue_task(rq, p, SCX_ENQ_REENQ);
		nr++;
	}
	return nr;
}

/**
 * scx_bpf_create_dsq - Create a user DSQ
 * @dsq_id: its id, below 2^63
 * @node: NUMA node to allocate it on, or NUMA_NO_NODE
 *
 * From ops.init() and ops.init_task() only. The DSQ lives until
 * scx_bpf_destroy_dsq() or until the scheduler is unloaded.
 *
 * Return: 0; -EEXIST if the id is taken; -EINVAL for a built-in id or a
 * node that is not possible; -ENOMEM; -EPERM from another callback.
 */
__bpf_kfunc s32 scx_bpf_create_dsq(u64 dsq_id, s32 node)
{
	struct scx_dispatch_q *dsq;
	int ret;

	if (!scx_kf_allowed(SCX_KF_INIT))
		return -EPERM;
	if (dsq_id & SCX_DSQ_FLAG_BUILTIN)
		return -EINVAL;
	if (node != NUMA_NO_NODE && (node < 0 || node >= nr_node_ids ||
				     !node_possible(node)))
		return -EINVAL;

	dsq = kmalloc_node(sizeof(*dsq), GFP_ATOMIC, node);
	if (!dsq)
		return -ENOMEM;
	init_dsq(dsq, dsq_id);

	ret = rhashtable_lookup_insert_fast(&scx_dsq_hash, &dsq->hash_node,
					    scx_dsq_hash_params);
	if (ret)
		kfree(dsq);
	return ret;
}

/**
 * scx_bpf_destroy_dsq - Destroy an empty user DSQ
 * @dsq_id: the DSQ
 *
 * From any callback. A DSQ that does not exist is ignored; a built-in
 * one, or one that still holds tasks (they would be lost), is an error
 * that ejects the scheduler. The memory goes after an RCU grace period.
 */
__bpf_kfunc void scx_bpf_destroy_dsq(u64 dsq_id)
{
	struct scx_dispatch_q *dsq;
	unsigned long flags;
	u32 nr;

	if (dsq_id & SCX_DSQ_FLAG_BUILTIN) {
		scx_ops_error("cannot destroy built-in DSQ 0x%llx", dsq_id);
		return;
	}
	dsq = find_user_dsq(dsq_id);
	if (!dsq)
		return;

	/* Callers may hold an rq lock with interrupts off: keep them off. */
	raw_spin_lock_irqsave(&dsq->lock, flags);
	nr = dsq->nr;
	if (!nr && dsq->id != SCX_DSQ_INVALID &&
	    !rhashtable_remove_fast(&scx_dsq_hash, &dsq->hash_node,
				    scx_dsq_hash_params)) {
		/* A CPU that looked it up before the removal finds it dead. */
		dsq->id = SCX_DSQ_INVALID;
		llist_add(&dsq->free_node, &scx_dsqs_to_free);
		irq_work_queue(&scx_free_dsqs_irq_work);
	}
	raw_spin_unlock_irqrestore(&dsq->lock, flags);
	if (nr)
		scx_ops_error("DSQ 0x%llx destroyed with %u tasks on it",
			      dsq_id, nr);
}

/**
 * scx_bpf_dsq_nr_queued - The number of tasks on a DSQ
 * @dsq_id: a user DSQ, SCX_DSQ_GLOBAL, SCX_DSQ_LOCAL or SCX_DSQ_LOCAL_ON|cpu
 *
 * From any callback. SCX_DSQ_LOCAL is the local DSQ of the CPU calling.
 * The count is read without the DSQ's lock: it may be stale at once.
 *
 * Return: the number of tasks, or -ENOENT if there is no such DSQ.
 */
__bpf_kfunc s32 scx_bpf_dsq_nr_queued(u64 dsq_id)
{
	struct scx_dispatch_q *dsq;

	if (dsq_id == SCX_DSQ_LOCAL)
		return READ_ONCE(this_rq()->scx.local_dsq.nr);
	if ((dsq_id & SCX_DSQ_LOCAL_ON) == SCX_DSQ_LOCAL_ON) {
		s32 cpu = dsq_id & SCX_DSQ_LOCAL_CPU_MASK;

		if (!ops_cpu_valid(cpu))
			return -ENOENT;
		return READ_ONCE(cpu_rq(cpu)->scx.local_dsq.nr);
	}
	if (dsq_id == SCX_DSQ_GLOBAL)
		return READ_ONCE(scx_dsq_global.nr);
	if (dsq_id & SCX_DSQ_FLAG_BUILTIN)
		return -ENOENT;
	dsq = find_user_dsq(dsq_id);
	return dsq ? READ_ONCE(dsq->nr) : -ENOENT;
}

/**
 * scx_bpf_kick_cpu - Make a CPU go through the scheduler
 * @cpu: the CPU
 * @flags: SCX_KICK_IDLE (only if idle), SCX_KICK_PREEMPT (end the slice
 *	of its task), SCX_KICK_WAIT (wait until it has rescheduled)
 *
 * From any callback. The kick is sent from an irq_work, once the calling
 * CPU has interrupts on again, so a wait never holds the caller's locks;
 * a wait gives up on a CPU that is itself waiting, so that two CPUs
 * kicking each other cannot deadlock. An invalid @cpu is an error.
 */
__bpf_kfunc void scx_bpf_kick_cpu(s32 cpu, u64 flags)
{
	if (!ops_cpu_valid(cpu)) {
		scx_ops_error("invalid CPU %d", cpu);
		return;
	}
	if (!scx_enabled())
		return;
	kick_cpu(cpu, flags);
}

/**
 * scx_bpf_select_cpu_dfl - The default CPU choice of ops.select_cpu()
 * @p: the task being woken
 * @prev_cpu: the CPU it last ran on
 * @wake_flags: as given to ops.select_cpu()
 * @is_idle: set to whether the CPU returned was idle (and is now claimed)
 *
 * From ops.select_cpu() only, with the built-in idle tracking on (see
 * sched_ext_ops.update_idle); otherwise, or for an invalid @prev_cpu, it
 * is an error. The choice: @prev_cpu if its whole core is idle, else a
 * wholly idle core, else @prev_cpu if idle, else any idle CPU @p may
 * use (only the first of these when @p may run on one CPU).
 *
 * Return: the CPU chosen, or @prev_cpu if none is idle.
 */
__bpf_kfunc s32 scx_bpf_select_cpu_dfl(struct task_struct *p, s32 prev_cpu,
				       u64 wake_flags, bool *is_idle)
{
	if (!scx_builtin_idle_enabled) {
		scx_ops_error("built-in idle tracking is disabled");
		goto prev;
	}
	if (!scx_kf_allowed(SCX_KF_SELECT_CPU)) {
		scx_ops_error("%s() outside ops.select_cpu()", __func__);
		goto prev;
	}
	if (!ops_cpu_valid(prev_cpu)) {
		scx_ops_error("invalid CPU %d", prev_cpu);
		goto prev;
	}
	return scx_select_cpu_dfl(p, prev_cpu, wake_flags, is_idle);
prev:
	*is_idle = false;
	return prev_cpu;
}

/**
 * scx_bpf_pick_idle_cpu - Claim an idle CPU among @cpus_allowed
 * @cpus_allowed: candidates
 * @flags: SCX_PICK_IDLE_CORE (only a CPU whose whole core is idle)
 *
 * From any callback, with the built-in idle tracking on; otherwise it is
 * an error. A CPU of a wholly idle core is preferred. The CPU is claimed:
 * it is no longer idle to other pickers.
 *
 * Return: the CPU, or -EBUSY if none is idle.
 */
__bpf_kfunc s32 scx_bpf_pick_idle_cpu(const struct cpumask *cpus_allowed,
				      u64 flags)
{
	if (!scx_builtin_idle_enabled) {
		scx_ops_error("built-in idle tracking is disabled");
		return -EBUSY;
	}
	return idle_pick(&scx_idle_masks, cpus_allowed, flags);
}

/**
 * scx_bpf_pick_any_cpu - An idle CPU among @cpus_allowed if there is one,
 * else any of them
 * @cpus_allowed: candidates
 * @flags: as scx_bpf_pick_idle_cpu()'s
 *
 * From any callback. Without the built-in idle tracking, any CPU of
 * @cpus_allowed, and no error.
 *
 * Return: the CPU, or -EBUSY if @cpus_allowed is empty.
 */
__bpf_kfunc s32 scx_bpf_pick_any_cpu(const struct cpumask *cpus_allowed,
				     u64 flags)
{
	s32 cpu;

	if (scx_builtin_idle_enabled) {
		cpu = idle_pick(&scx_idle_masks, cpus_allowed, flags);
		if (cpu >= 0)
			return cpu;
	}
	cpu = cpumask_any_distribute(cpus_allowed);
	return cpu < nr_cpu_ids ? cpu : -EBUSY;
}

/**
 * scx_bpf_test_and_clear_cpu_idle - Claim @cpu if it is idle
 * @cpu: the CPU
 *
 * From any callback, with the built-in idle tracking on; otherwise, or
 * for an invalid @cpu, it is an error.
 *
 * Return: true if @cpu was idle and is now claimed.
 */
__bpf_kfunc bool scx_bpf_test_and_clear_cpu_idle(s32 cpu)
{
	if (!scx_builtin_idle_enabled) {
		scx_ops_error("built-in idle tracking is disabled");
		return false;
	}
	if (!ops_cpu_valid(cpu)) {
		scx_ops_error("invalid CPU %d", cpu);
		return false;
	}
	return idle_claim(&scx_idle_masks, cpu);
}

/**
 * scx_bpf_get_idle_cpumask - The idle CPUs; release with
 * scx_bpf_put_idle_cpumask()
 *
 * Context: any callback, with the built-in idle tracking on; otherwise it
 * is an error.
 *
 * Return: the mask, or an empty one after an error. The mask is live: it
 * changes under the caller.
 */
__bpf_kfunc const struct cpumask *scx_bpf_get_idle_cpumask(void)
{
	if (!scx_builtin_idle_enabled) {
		scx_ops_error("built-in idle tracking is disabled");
		return cpu_none_mask;
	}
	return scx_idle_masks.cpu;
}

/**
 * scx_bpf_get_idle_smtmask - The CPUs whose every SMT sibling is idle;
 * release with scx_bpf_put_idle_cpumask()
 *
 * Context: as scx_bpf_get_idle_cpumask().
 *
 * Return: the mask, or an empty one after an error. The mask is live.
 */
__bpf_kfunc const struct cpumask *scx_bpf_get_idle_smtmask(void)
{
	if (!scx_builtin_idle_enabled) {
		scx_ops_error("built-in idle tracking is disabled");
		return cpu_none_mask;
	}
	return scx_idle_masks.smt;
}

/**
 * scx_bpf_put_idle_cpumask - Release what scx_bpf_get_idle_*mask() gave
 * @idle_mask: the mask
 */
__bpf_kfunc void scx_bpf_put_idle_cpumask(const struct cpumask *idle_mask)
{
	/* The masks are static; the pair lets the verifier track the use. */
}

/**
 * scx_bpf_task_running - Whether @p is running on its CPU
 * @p: task
 *
 * Return: true if @p is its CPU's current task; a snapshot.
 */
__bpf_kfunc bool scx_bpf_task_running(const struct task_struct *p)
{
	return task_rq(p)->curr == p;
}

/**
 * scx_bpf_task_cpu - The CPU @p is on
 * @p: task
 *
 * Return: the CPU of @p's runqueue; a snapshot.
 */
__bpf_kfunc s32 scx_bpf_task_cpu(const struct task_struct *p)
{
	return task_cpu(p);
}

/**
 * scx_bpf_nr_cpu_ids - nr_cpu_ids
 *
 * Return: one more than the highest possible CPU number.
 */
__bpf_kfunc u32 scx_bpf_nr_cpu_ids(void)
{
	return nr_cpu_ids;
}

static void scx_bstr_format(char *buf, size_t size, char *fmt,
			    u64 *data, u32 data__sz, int *err)
{
	struct bpf_bprintf_data bprintf = {
		.get_bin_args = true,
	};
	int ret;

	*err = 0;
	if (data__sz % 8 || data__sz > MAX_BPRINTF_VARARGS * 8) {
		*err = -EINVAL;
		return;
	}
	ret = bpf_bprintf_prepare(fmt, UINT_MAX, data, data__sz / 8, &bprintf);
	if (ret < 0) {
		*err = ret;
		return;
	}
	bstr_printf(buf, size, fmt, bprintf.bin_args);
	bpf_bprintf_cleanup(&bprintf);
}

/* Formatting may sleep-free but not be reentered; irqs off keeps it so. */
static DEFINE_PER_CPU(char [SCX_EXIT_MSG_LEN], scx_bstr_buf);

/**
 * scx_bpf_exit_bstr - Unload the scheduler, with a code and a message
 * @exit_code: passed to ops.exit() in scx_exit_info.exit_code
 * @fmt: printf format
 * @data: its arguments, as u64s
 * @data__sz: sizeof(@data)
 *
 * From any callback. An orderly exit (%SCX_EXIT_UNREG_BPF): the
 * scheduler is unloaded as if user space had detached it. Only the first
 * exit or error counts.
 */
__bpf_kfunc void scx_bpf_exit_bstr(s64 exit_code, char *fmt, u64 *data,
				   u32 data__sz)
{
	unsigned long flags;
	char *buf;
	int err;

	local_irq_save(flags);
	buf = this_cpu_ptr(scx_bstr_buf);
	scx_bstr_format(buf, SCX_EXIT_MSG_LEN, fmt, data, data__sz, &err);
	if (err)
		scx_ops_exit_kind(SCX_EXIT_UNREG_BPF, exit_code,
				  "(bad format: %d)", err);
	else
		scx_ops_exit_kind(SCX_EXIT_UNREG_BPF, exit_code, "%s", buf);
	local_irq_restore(flags);
}

/**
 * scx_bpf_error_bstr - Eject the scheduler with an error message
 * @fmt: printf format
 * @data: its arguments, as u64s
 * @data__sz: sizeof(@data)
 *
 * From any callback. The scheduler is ejected (%SCX_EXIT_ERROR_BPF) and
 * the message goes to ops.exit(), the kernel log and
 * /sys/kernel/sched_ext/last_exit. Only the first exit or error counts.
 */
__bpf_kfunc void scx_bpf_error_bstr(char *fmt, u64 *data, u32 data__sz)
{
	unsigned long flags;
	char *buf;
	int err;

	local_irq_save(flags);
	buf = this_cpu_ptr(scx_bstr_buf);
	scx_bstr_format(buf, SCX_EXIT_MSG_LEN, fmt, data, data__sz, &err);
	if (err)
		scx_ops_error_kind(SCX_EXIT_ERROR_BPF, "(bad format: %d)", err);
	else
		scx_ops_error_kind(SCX_EXIT_ERROR_BPF, "%s", buf);
	local_irq_restore(flags);
}

__diag_pop();

BTF_SET8_START(scx_kfunc_ids)
BTF_ID_FLAGS(func, scx_bpf_dsq_insert, KF_RCU)
BTF_ID_FLAGS(func, scx_bpf_dispatch, KF_RCU)
BTF_ID_FLAGS(func, scx_bpf_dsq_insert_vtime, KF_RCU)
BTF_ID_FLAGS(func, scx_bpf_dispatch_vtime, KF_RCU)
BTF_ID_FLAGS(func, scx_bpf_dispatch_nr_slots)
BTF_ID_FLAGS(func, scx_bpf_dsq_move_to_local)
BTF_ID_FLAGS(func, scx_bpf_consume)
BTF_ID_FLAGS(func, scx_bpf_reenqueue_local)
BTF_ID_FLAGS(func, scx_bpf_create_dsq)
BTF_ID_FLAGS(func, scx_bpf_destroy_dsq)
BTF_ID_FLAGS(func, scx_bpf_dsq_nr_queued)
BTF_ID_FLAGS(func, scx_bpf_kick_cpu)
BTF_ID_FLAGS(func, scx_bpf_select_cpu_dfl, KF_RCU)
BTF_ID_FLAGS(func, scx_bpf_pick_idle_cpu, KF_RCU)
BTF_ID_FLAGS(func, scx_bpf_pick_any_cpu, KF_RCU)
BTF_ID_FLAGS(func, scx_bpf_test_and_clear_cpu_idle)
BTF_ID_FLAGS(func, scx_bpf_get_idle_cpumask, KF_ACQUIRE)
BTF_ID_FLAGS(func, scx_bpf_get_idle_smtmask, KF_ACQUIRE)
BTF_ID_FLAGS(func, scx_bpf_put_idle_cpumask, KF_RELEASE)
BTF_ID_FLAGS(func, scx_bpf_task_running, KF_RCU)
BTF_ID_FLAGS(func, scx_bpf_task_cpu, KF_RCU)
BTF_ID_FLAGS(func, scx_bpf_nr_cpu_ids)
BTF_ID_FLAGS(func, scx_bpf_exit_bstr, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, scx_bpf_error_bstr, KF_TRUSTED_ARGS)
BTF_SET8_END(scx_kfunc_ids)

/* Which callbacks each restricted kfunc may be called from. */
BTF_SET_START(scx_kf_select_cpu_only)
BTF_ID(func, scx_bpf_select_cpu_dfl)
BTF_SET_END(scx_kf_select_cpu_only)

BTF_SET_START(scx_kf_dispatching)
BTF_ID(func, scx_bpf_dsq_insert)
BTF_ID(func, scx_bpf_dispatch)
BTF_ID(func, scx_bpf_dsq_insert_vtime)
BTF_ID(func, scx_bpf_dispatch_vtime)
BTF_SET_END(scx_kf_dispatching)

BTF_SET_START(scx_kf_dispatch_only)
BTF_ID(func, scx_bpf_dispatch_nr_slots)
BTF_ID(func, scx_bpf_dsq_move_to_local)
BTF_ID(func, scx_bpf_consume)
BTF_ID(func, scx_bpf_reenqueue_local)
BTF_SET_END(scx_kf_dispatch_only)

BTF_SET_START(scx_kf_init_only)
BTF_ID(func, scx_bpf_create_dsq)
BTF_SET_END(scx_kf_init_only)

BTF_SET_START(scx_kf_all)
BTF_ID(func, scx_bpf_dsq_insert)
BTF_ID(func, scx_bpf_dispatch)
BTF_ID(func, scx_bpf_dsq_insert_vtime)
BTF_ID(func, scx_bpf_dispatch_vtime)
BTF_ID(func, scx_bpf_dispatch_nr_slots)
BTF_ID(func, scx_bpf_dsq_move_to_local)
BTF_ID(func, scx_bpf_consume)
BTF_ID(func, scx_bpf_reenqueue_local)
BTF_ID(func, scx_bpf_create_dsq)
BTF_ID(func, scx_bpf_destroy_dsq)
BTF_ID(func, scx_bpf_dsq_nr_queued)
BTF_ID(func, scx_bpf_kick_cpu)
BTF_ID(func, scx_bpf_select_cpu_dfl)
BTF_ID(func, scx_bpf_pick_idle_cpu)
BTF_ID(func, scx_bpf_pick_any_cpu)
BTF_ID(func, scx_bpf_test_and_clear_cpu_idle)
BTF_ID(func, scx_bpf_get_idle_cpumask)
BTF_ID(func, scx_bpf_get_idle_smtmask)
BTF_ID(func, scx_bpf_put_idle_cpumask)
BTF_ID(func, scx_bpf_task_running)
BTF_ID(func, scx_bpf_task_cpu)
BTF_ID(func, scx_bpf_nr_cpu_ids)
BTF_ID(func, scx_bpf_exit_bstr)
BTF_ID(func, scx_bpf_error_bstr)
BTF_SET_END(scx_kf_all)

static bool cb_is(const struct bpf_prog *prog, const char *name)
{
	return !strcmp(prog->aux->attach_func_name, name);
}

extern struct bpf_struct_ops bpf_sched_ext_ops;

/*
 * The verifier's gate: a scx kfunc only from a sched_ext_ops callback,
 * and a restricted one only from the callbacks it is safe in. The other
 * kfuncs of the struct_ops hook are none of our business.
 */
static int scx_kfunc_filter(const struct bpf_prog *prog, u32 kfunc_id)
{
	if (!btf_id_set_contains(&scx_kf_all, kfunc_id))
		return 0;
	if (prog->type != BPF_PROG_TYPE_STRUCT_OPS ||
	    prog->aux->attach_btf_id != bpf_sched_ext_ops.type_id ||
	    !prog->aux->attach_func_name)
		return -EACCES;

	if (btf_id_set_contains(&scx_kf_select_cpu_only, kfunc_id))
		return cb_is(prog, "select_cpu") ? 0 : -EACCES;
	if (btf_id_set_contains(&scx_kf_dispatching, kfunc_id))
		return cb_is(prog, "select_cpu") || cb_is(prog, "enqueue") ||
			cb_is(prog, "dispatch") ? 0 : -EACCES;
	if (btf_id_set_contains(&scx_kf_dispatch_only, kfunc_id))
		return cb_is(prog, "dispatch") ? 0 : -EACCES;
	if (btf_id_set_contains(&scx_kf_init_only, kfunc_id))
		return cb_is(prog, "init") || cb_is(prog, "init_task") ?
			0 : -EACCES;
	return 0;
}

static const struct btf_kfunc_id_set scx_kfunc_set = {
	.owner	= THIS_MODULE,
	.set	= &scx_kfunc_ids,
	.filter	= scx_kfunc_filter,
};

/* --- struct_ops ----------------------------------------------------- */

static const struct btf_type *task_struct_type;

static bool bpf_scx_is_valid_access(int off, int size,
				    enum bpf_access_type type,
				    const struct bpf_prog *prog,
				    struct bpf_insn_access_aux *info)
{
	if (type != BPF_READ)
		return false;
	if (off < 0 || off >= sizeof(__u64) * MAX_BPF_FUNC_ARGS)
		return false;
	if (off % size != 0)
		return false;
	if (!btf_ctx_access(off, size, type, prog, info))
		return false;
	/* dispatch(cpu, prev) and yield(from, to) may be given NULL. */
	if (off == sizeof(__u64) && prog->aux->attach_func_name &&
	    (!strcmp(prog->aux->attach_func_name, "dispatch") ||
	     !strcmp(prog->aux->attach_func_name, "yield")))
		info->reg_type |= PTR_MAYBE_NULL;
	return true;
}

/* A scheduler may write these fields of a task and nothing else. */
static int bpf_scx_btf_struct_access(struct bpf_verifier_log *log,
				     const struct bpf_reg_state *reg,
				     int off, int size)
{
	const struct btf_type *t = btf_type_by_id(reg->btf, reg->btf_id);

	if (t == task_struct_type) {
		if (off >= offsetof(struct task_struct, scx.slice) &&
		    off + size <= offsetofend(struct task_struct, scx.slice))
			return SCALAR_VALUE;
		if (off >= offsetof(struct task_struct, scx.dsq_vtime) &&
		    off + size <= offsetofend(struct task_struct, scx.dsq_vtime))
			return SCALAR_VALUE;
		if (off >= offsetof(struct task_struct, scx.disallow) &&
		    off + size <= offsetofend(struct task_struct, scx.disallow))
			return SCALAR_VALUE;
	}
	bpf_log(log, "write to this field is not allowed\n");
	return -EACCES;
}

static const struct bpf_func_proto *
bpf_scx_get_func_proto(enum bpf_func_id func_id, const struct bpf_prog *prog)
{
	switch (func_id) {
	case BPF_FUNC_task_storage_get:
		return &bpf_task_storage_get_proto;
	case BPF_FUNC_task_storage_delete:
		return &bpf_task_storage_delete_proto;
	default:
		return bpf_base_func_proto(func_id);
	}
}

static const struct bpf_verifier_ops bpf_scx_verifier_ops = {
	.get_func_proto		= bpf_scx_get_func_proto,
	.is_valid_access	= bpf_scx_is_valid_access,
	.btf_struct_access	= bpf_scx_btf_struct_access,
};

static int bpf_scx_init_member(const struct btf_type *t,
			       const struct btf_member *member,
			       void *kdata, const void *udata)
{
	const struct sched_ext_ops *uops = udata;
	struct sched_ext_ops *ops = kdata;
	u32 moff = __btf_member_bit_offset(t, member) / 8;
	int ret;

	switch (moff) {
	case offsetof(struct sched_ext_ops, dispatch_max_batch):
		if (*(u32 *)(udata + moff) > SCX_DSP_MAX_BATCH) {
			pr_warn_ratelimited("sched_ext: dispatch_max_batch %u is above %zu\n",
					    *(u32 *)(udata + moff),
					    SCX_DSP_MAX_BATCH);
			return -E2BIG;
		}
		ops->dispatch_max_batch = *(u32 *)(udata + moff);
		return 1;
	case offsetof(struct sched_ext_ops, flags):
		if (*(u64 *)(udata + moff) & ~SCX_OPS_ALL_FLAGS)
			return -EINVAL;
		ops->flags = *(u64 *)(udata + moff);
		return 1;
	case offsetof(struct sched_ext_ops, timeout_ms):
		if (msecs_to_jiffies(*(u32 *)(udata + moff)) >
		    SCX_WATCHDOG_MAX_TIMEOUT)
			return -E2BIG;
		ops->timeout_ms = *(u32 *)(udata + moff);
		return 1;
	case offsetof(struct sched_ext_ops, exit_dump_len):
		ops->exit_dump_len = *(u32 *)(udata + moff);
		return 1;
	case offsetof(struct sched_ext_ops, name):
		ret = bpf_obj_name_cpy(ops->name, uops->name,
				       sizeof(ops->name));
		if (ret < 0)
			return ret;
		if (ret == 0)
			return -EINVAL;
		return 1;
	}
	return 0;
}

/*
 * A sleepable program only where its callback may sleep: the others run
 * under an rq lock, scx_tasks_lock or RCU. upstream allows the same set
 * (less cpu_online/offline, which run under the rq lock here).
 */
static int bpf_scx_check_member(const struct btf_type *t,
				const struct btf_member *member,
				const struct bpf_prog *prog)
{
	u32 moff = __btf_member_bit_offset(t, member) / 8;

	switch (moff) {
	case offsetof(struct sched_ext_ops, init_task):
	case offsetof(struct sched_ext_ops, cgroup_init):
	case offsetof(struct sched_ext_ops, cgroup_exit):
	case offsetof(struct sched_ext_ops, init):
	case offsetof(struct sched_ext_ops, exit):
		return 0;
	}
	return prog->aux->sleepable ? -EINVAL : 0;
}

static int bpf_scx_reg(void *kdata)
{
	return scx_ops_enable(kdata, kdata);
}

static void bpf_scx_unreg(void *kdata)
{
	mutex_lock(&scx_ops_enable_mutex);
	/* An earlier scheduler, already gone, may be unregistered late. */
	if (scx_ops_kdata == kdata) {
		scx_ops_error_kind(SCX_EXIT_UNREG, "%s",
				   scx_exit_reason(SCX_EXIT_UNREG));
		scx_ops_disable_locked();
	}
	mutex_unlock(&scx_ops_enable_mutex);
}

static int bpf_scx_init(struct btf *btf)
{
	s32 type_id;

	type_id = btf_find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT);
	if (type_id < 0)
		return -EINVAL;
	task_struct_type = btf_type_by_id(btf, type_id);
	return 0;
}

static int bpf_scx_validate(void *kdata)
{
	return 0;
}

/* Referenced by name from kernel/bpf/bpf_struct_ops_types.h. */
struct bpf_struct_ops bpf_sched_ext_ops = {
	.verifier_ops	= &bpf_scx_verifier_ops,
	.reg		= bpf_scx_reg,
	.unreg		= bpf_scx_unreg,
	.check_member	= bpf_scx_check_member,
	.init_member	= bpf_scx_init_member,
	.init		= bpf_scx_init,
	.validate	= bpf_scx_validate,
	.name		= "sched_ext_ops",
};

/* --- Boot ----------------------------------------------------------- */

void __init init_sched_ext_class(void)
{
	int cpu;

	/* Emit the enums a BPF scheduler needs into BTF. */
	BTF_TYPE_EMIT_ENUM(SCX_DSQ_GLOBAL);
	BTF_TYPE_EMIT_ENUM(SCX_SLICE_DFL);
	BTF_TYPE_EMIT_ENUM(SCX_ENQ_WAKEUP);
	BTF_TYPE_EMIT_ENUM(SCX_DEQ_SLEEP);
	BTF_TYPE_EMIT_ENUM(SCX_KICK_IDLE);
	BTF_TYPE_EMIT_ENUM(SCX_WAKE_SYNC);
	BTF_TYPE_EMIT_ENUM(SCX_PICK_IDLE_CORE);
	BTF_TYPE_EMIT_ENUM(SCX_OPS_ENQ_LAST);
	BTF_TYPE_EMIT_ENUM(SCX_EXIT_ERROR);
	BTF_TYPE_EMIT_ENUM(SCX_OPSS_QUEUED);
	BTF_TYPE_EMIT_ENUM(SCX_TASK_QUEUED);

	init_dsq(&scx_dsq_global, SCX_DSQ_GLOBAL);
	if (!zalloc_cpumask_var(&scx_idle_masks.cpu, GFP_KERNEL) ||
	    !zalloc_cpumask_var(&scx_idle_masks.smt, GFP_KERNEL))
		panic("sched_ext: no memory for the idle masks\n");

	for_each_possible_cpu(cpu) {
		struct rq *rq = cpu_rq(cpu);

		init_dsq(&rq->scx.local_dsq, SCX_DSQ_LOCAL);
		init_dsq(&rq->scx.inbox, SCX_DSQ_LOCAL_ON | cpu);
		INIT_LIST_HEAD(&rq->scx.runnable_list);
		if (!zalloc_cpumask_var(&rq->scx.cpus_to_kick, GFP_KERNEL) ||
		    !zalloc_cpumask_var(&rq->scx.cpus_to_kick_if_idle,
					GFP_KERNEL) ||
		    !zalloc_cpumask_var(&rq->scx.cpus_to_preempt, GFP_KERNEL) ||
		    !zalloc_cpumask_var(&rq->scx.cpus_to_wait, GFP_KERNEL))
			panic("sched_ext: no memory for the kick masks\n");
		init_irq_work(&rq->scx.kick_cpus_irq_work, kick_cpus_irq_workfn);
	}
}

static int __init scx_init(void)
{
	int ret;

	ret = register_btf_kfunc_id_set(BPF_PROG_TYPE_STRUCT_OPS,
					&scx_kfunc_set);
	if (ret) {
		pr_err("sched_ext: failed to register kfuncs (%d)\n", ret);
		return ret;
	}

	scx_kobj = kobject_create_and_add("sched_ext", kernel_kobj);
	if (!scx_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(scx_kobj, &scx_global_attr_group);
	if (ret)
		return ret;

	ret = register_sysrq_key('S', &sysrq_sched_ext_reset_op);
	if (ret)
		pr_warn("sched_ext: sysrq-S is taken (%d)\n", ret);

	return 0;
}
late_initcall(scx_init);

#ifdef CONFIG_SCHED_EXT_KUNIT_TEST
#include "ext_kunit.c"
#endif
