/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sched_ext: the BPF-extensible scheduling class, the task's side.
 *
 * The names and values a BPF scheduler sees (the enums below, the fields
 * of struct sched_ext_entity it reads and writes) are upstream sched_ext's,
 * so that schedulers written for upstream build and run here.
 */
#ifndef _LINUX_SCHED_EXT_H
#define _LINUX_SCHED_EXT_H

#ifdef CONFIG_SCHED_CLASS_EXT

#include <linux/list.h>
#include <linux/llist.h>
#include <linux/rbtree.h>
#include <linux/atomic.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock_types.h>

struct task_struct;

enum scx_public_consts {
	SCX_OPS_NAME_LEN	= 128,
	SCX_SLICE_DFL		= 20 * 1000000,	/* 20ms */
	SCX_SLICE_INF		= U64_MAX,
};

/* Dispatch queue ids: user DSQs are below 2^63, built-in ones above. */
enum scx_dsq_id_flags {
	SCX_DSQ_FLAG_BUILTIN	= 1LLU << 63,
	SCX_DSQ_FLAG_LOCAL_ON	= 1LLU << 62,

	SCX_DSQ_INVALID		= SCX_DSQ_FLAG_BUILTIN | 0,
	SCX_DSQ_GLOBAL		= SCX_DSQ_FLAG_BUILTIN | 1,
	SCX_DSQ_LOCAL		= SCX_DSQ_FLAG_BUILTIN | 2,
	SCX_DSQ_LOCAL_ON	= SCX_DSQ_FLAG_BUILTIN | SCX_DSQ_FLAG_LOCAL_ON,
	SCX_DSQ_LOCAL_CPU_MASK	= 0xffffffffLLU,
};

/* sched_ext_entity.flags */
enum scx_ent_flags {
	SCX_TASK_QUEUED		= 1 << 0, /* on the rq as far as the core knows */
	SCX_TASK_INITED		= 1 << 1, /* ops.init_task() done */
	SCX_TASK_ENABLED	= 1 << 2, /* ops.enable() done */
	SCX_TASK_REQUEUED	= 1 << 3, /* prev already given back in balance */
	SCX_TASK_ON_PRIQ	= 1 << 4, /* on its DSQ's vtime tree */
	SCX_TASK_MOVING		= 1 << 5, /* between rqs: no callbacks */
	SCX_TASK_CURSOR		= 1 << 31, /* an iterator's place holder */
};

/*
 * A task is in the BPF scheduler's custody from the end of ops.enqueue()
 * until it is dispatched or dequeued. The low bits of ops_state say where
 * it is, the rest count enqueues, so that a dispatch naming an earlier
 * enqueue of the same task is recognised as stale.
 */
enum scx_ops_state {
	SCX_OPSS_NONE		= 0,
	SCX_OPSS_QUEUEING	= 1, /* in ops.enqueue() */
	SCX_OPSS_QUEUED		= 2,
	SCX_OPSS_DISPATCHING	= 3, /* being moved to the DSQ it was sent to */

	SCX_OPSS_STATE_BITS	= 2,
	SCX_OPSS_STATE_MASK	= (1 << SCX_OPSS_STATE_BITS) - 1,
	SCX_OPSS_QSEQ_SHIFT	= SCX_OPSS_STATE_BITS,
};

/* Which callback is running, so kfuncs can refuse the wrong context. */
enum scx_kf_mask {
	SCX_KF_INIT		= 1 << 0, /* init, init_task, cgroup_init */
	SCX_KF_SELECT_CPU	= 1 << 1,
	SCX_KF_ENQUEUE		= 1 << 2,
	SCX_KF_DISPATCH		= 1 << 3,
	SCX_KF_REST		= 1 << 4, /* any other callback */
};

/*
 * A dispatch queue. Tasks are kept on @list in the order they will be
 * consumed; a vtime-ordered queue also keeps them in @priq to find the
 * place of a new one.
 */
struct scx_dispatch_q {
	raw_spinlock_t		lock;
	struct list_head	list;
	struct rb_root_cached	priq;
	u32			nr;
	u32			nr_priq;
	u64			id;
	struct rhash_head	hash_node;
	struct llist_node	free_node;	/* destroyed, waiting for RCU */
	struct rcu_head		rcu;
};

struct sched_ext_entity {
	struct scx_dispatch_q	*dsq;
	struct list_head	dsq_node;	/* in dsq->list */
	struct rb_node		dsq_priq;	/* in dsq->priq, vtime DSQs */
	u32			flags;
	u32			weight;
	s32			sticky_cpu;
	s32			holding_cpu;	/* CPU moving it to its local DSQ */
	u32			kf_mask;	/* of the callback @current runs */
	atomic_long_t		ops_state;
	struct list_head	runnable_node;	/* rq->scx.runnable_list */
	unsigned long		runnable_at;	/* jiffies, for the watchdog */
	u64			ddsp_dsq_id;	/* direct dispatch target */
	u64			ddsp_enq_flags;

	/* Written by the BPF scheduler. */
	u64			slice;
	u64			dsq_vtime;

	/* Tasks a scheduler may not take, e.g. while being switched. */
	bool			disallow;

	struct list_head	tasks_node;	/* scx_tasks */
};

struct cgroup;
struct cpumask;

enum scx_exit_kind {
	SCX_EXIT_NONE,
	SCX_EXIT_DONE,

	SCX_EXIT_UNREG = 64,	/* user-space initiated unregistration */
	SCX_EXIT_UNREG_BPF,	/* BPF-initiated unregistration */
	SCX_EXIT_UNREG_KERN,	/* kernel-initiated unregistration */
	SCX_EXIT_SYSRQ,		/* requested by 'S' sysrq */

	SCX_EXIT_ERROR = 1024,	/* runtime error, error msg contains details */
	SCX_EXIT_ERROR_BPF,	/* ERROR but triggered through scx_bpf_error() */
	SCX_EXIT_ERROR_STALL,	/* watchdog detected stalled runnable tasks */
};

enum scx_exit_consts {
	SCX_EXIT_MSG_LEN	= 1024,
};

/**
 * struct scx_exit_info - why a BPF scheduler was unloaded, for ops.exit()
 * @kind: the SCX_EXIT_* kind: below %SCX_EXIT_ERROR an orderly exit,
 *	from %SCX_EXIT_ERROR up an ejection
 * @exit_code: what the scheduler passed to scx_bpf_exit_bstr(), else 0
 * @reason: @kind in words
 * @bt: not filled in by this kernel
 * @bt_len: 0
 * @msg: the error or exit message, at most %SCX_EXIT_MSG_LEN bytes
 * @dump: not filled in by this kernel
 */
struct scx_exit_info {
	enum scx_exit_kind	kind;
	s64			exit_code;
	const char		*reason;
	unsigned long		*bt;
	u32			bt_len;
	char			*msg;
	char			*dump;
};

enum scx_ops_flags {
	SCX_OPS_KEEP_BUILTIN_IDLE	= 1LLU << 0,
	SCX_OPS_ENQ_LAST		= 1LLU << 1,
	SCX_OPS_ENQ_EXITING		= 1LLU << 2,
	SCX_OPS_SWITCH_PARTIAL		= 1LLU << 3,

	SCX_OPS_ALL_FLAGS		= SCX_OPS_KEEP_BUILTIN_IDLE |
					  SCX_OPS_ENQ_LAST |
					  SCX_OPS_ENQ_EXITING |
					  SCX_OPS_SWITCH_PARTIAL,
};

enum scx_enq_flags {
	SCX_ENQ_WAKEUP		= 1LLU << 0,	/* ENQUEUE_WAKEUP */
	SCX_ENQ_HEAD		= 1LLU << 4,	/* ENQUEUE_HEAD */
	SCX_ENQ_PREEMPT		= 1LLU << 32,
	SCX_ENQ_REENQ		= 1LLU << 40,
	SCX_ENQ_LAST		= 1LLU << 41,
	SCX_ENQ_DSQ_PRIQ	= 1LLU << 57,
};

enum scx_deq_flags {
	SCX_DEQ_SLEEP		= 1LLU << 0,	/* DEQUEUE_SLEEP */
	SCX_DEQ_CORE_SCHED_EXEC	= 1LLU << 32,
};

enum scx_kick_flags {
	SCX_KICK_IDLE		= 1LLU << 0,
	SCX_KICK_PREEMPT	= 1LLU << 1,
	SCX_KICK_WAIT		= 1LLU << 2,
};

/**
 * struct scx_init_task_args - what ops.init_task() is told
 * @fork: true for a task being forked, false for one that existed
 *	when the scheduler was loaded
 * @cgroup: the task's cpu cgroup (needs CONFIG_CGROUP_SCHED, else NULL)
 */
struct scx_init_task_args {
	bool			fork;
	struct cgroup		*cgroup;
};

/**
 * struct scx_exit_task_args - what ops.exit_task() is told
 * @cancelled: always false: ops.exit_task() is called only for tasks
 *	that ops.init_task() accepted
 */
struct scx_exit_task_args {
	bool			cancelled;
};

/**
 * struct scx_cgroup_init_args - what ops.cgroup_init() is told
 * @weight: the cgroup's cpu weight, 1 to 10000 (100 by default)
 */
struct scx_cgroup_init_args {
	u32			weight;
};

/**
 * struct sched_ext_ops - a BPF scheduler
 *
 * A BPF scheduler is a BPF struct_ops map of this type. Registering the
 * map (attaching it as a link, or updating a struct_ops map made without
 * BPF_F_LINK) loads the scheduler; detaching it, an error, the watchdog or
 * SysRq-S unloads it. Only one is loaded at a time: a second one fails
 * with -EBUSY.
 *
 * Every callback is optional. The text of each says what the kernel does
 * when it is NULL. While the scheduler is being ejected (the "bypass"
 * state that follows an error) most callbacks are no longer called:
 * tasks run FIFO on the CPU they are on until all of them are back on
 * the fair class.
 *
 * Callbacks that run with a runqueue lock held, or with interrupts off,
 * may not sleep, and the verifier refuses a sleepable program for them.
 * Only @init_task, @cgroup_init, @cgroup_exit, @init and @exit may be
 * sleepable programs.
 *
 * The sched_ext kfuncs (scx_bpf_*) may be called from any callback but
 * these, which the verifier allows only where they are safe:
 *
 * - scx_bpf_select_cpu_dfl(): @select_cpu only;
 * - scx_bpf_dsq_insert(), scx_bpf_dsq_insert_vtime() and their 6.12 names
 *   scx_bpf_dispatch(), scx_bpf_dispatch_vtime(): @select_cpu, @enqueue
 *   and @dispatch;
 * - scx_bpf_dispatch_nr_slots(), scx_bpf_dsq_move_to_local() (6.12:
 *   scx_bpf_consume()) and scx_bpf_reenqueue_local(): @dispatch only;
 * - scx_bpf_create_dsq(): @init and @init_task only.
 *
 * A kfunc used wrongly at run time (a DSQ that does not exist, an invalid
 * CPU, a task dispatched twice) does not harm the kernel: the scheduler
 * is ejected with an error that names the mistake. The few kfuncs that
 * return an errno instead say so in their own documentation.
 */
struct sched_ext_ops {
	/**
	 * @select_cpu: Choose the CPU for a task that is waking up
	 * @p: the task
	 * @prev_cpu: the CPU @p last ran on
	 * @wake_flags: SCX_WAKE_FORK, SCX_WAKE_TTWU, SCX_WAKE_SYNC
	 *
	 * Called at wake-up and for a new task before its first run, with
	 * @p's pi_lock held. Not called at exec, nor while bypassing, nor
	 * by the core for a task that may run on one CPU only or has
	 * migration disabled: such a task stays where it must be, and
	 * goes to @enqueue without a direct insert.
	 *
	 * The CPU returned is where @p is queued next. It is a choice, not
	 * a command: if @p may not run there the core picks another CPU.
	 * To send @p straight to a DSQ, call scx_bpf_dsq_insert() on @p here;
	 * it is then queued there without a call of @enqueue. Only @p may be
	 * inserted from this callback, and only once.
	 *
	 * Return: a possible CPU. Anything else is an error that ejects the
	 * scheduler; @prev_cpu is used meanwhile.
	 *
	 * If NULL, the kernel uses the built-in choice (see
	 * scx_bpf_select_cpu_dfl()): @prev_cpu if idle, else an idle CPU,
	 * preferring one whose whole core is idle. If it found an idle CPU,
	 * @p goes straight to that CPU's local DSQ with the default slice.
	 */
	s32 (*select_cpu)(struct task_struct *p, s32 prev_cpu, u64 wake_flags);

	/**
	 * @enqueue: Take a task that has become runnable or needs a CPU again
	 * @p: the task
	 * @enq_flags: SCX_ENQ_*
	 *
	 * Called with @p's runqueue locked when @p is queued there: it wakes
	 * up, enters the class, moves CPU or is put back after a change of
	 * its attributes. Also when its slice ran out and it must give the
	 * CPU back
	 * (%SCX_ENQ_LAST if nothing else is on the CPU's local DSQ), and for
	 * each task scx_bpf_reenqueue_local() gives back (%SCX_ENQ_REENQ).
	 * Not called for a task that @select_cpu already inserted, for an
	 * exiting task unless %SCX_OPS_ENQ_EXITING is set, on a CPU that
	 * has gone offline, nor while bypassing: those tasks go to their
	 * CPU's local DSQ.
	 *
	 * Either insert @p into a DSQ with scx_bpf_dsq_insert() or
	 * scx_bpf_dsq_insert_vtime() (only @p, once), or return without
	 * doing so: the scheduler then holds @p until @dispatch inserts it
	 * or it leaves the runqueue (@dequeue). A task held and never
	 * inserted is a stall, which the watchdog ends.
	 *
	 * If NULL, @p goes to the local DSQ of its CPU.
	 */
	void (*enqueue)(struct task_struct *p, u64 enq_flags);

	/**
	 * @dequeue: A task the scheduler holds leaves it
	 * @p: the task
	 * @deq_flags: SCX_DEQ_*, %SCX_DEQ_SLEEP when @p goes to sleep
	 *
	 * Called with @p's runqueue locked when @p, enqueued and not yet
	 * inserted into a DSQ, is taken off its runqueue (it sleeps, moves
	 * CPU, changes class or attributes), and when the CPU it is queued
	 * on goes offline. Any later insert of @p naming that enqueue is
	 * ignored. Not called for a task already on a DSQ.
	 *
	 * If NULL, nothing is done.
	 */
	void (*dequeue)(struct task_struct *p, u64 deq_flags);

	/**
	 * @dispatch: Give a CPU with nothing queued tasks to run
	 * @cpu: the CPU
	 * @prev: the task that ran on @cpu if it is a sched_ext task, else
	 * NULL; it may still be runnable
	 *
	 * Called with @cpu's runqueue locked when @cpu is about to pick a
	 * task and its local DSQ and the global DSQ are both empty (and
	 * @prev, if runnable, has no slice left). Not called on an offline
	 * CPU nor while bypassing.
	 *
	 * Insert tasks the scheduler holds with scx_bpf_dsq_insert() or
	 * scx_bpf_dsq_insert_vtime(), up to @dispatch_max_batch a call
	 * (scx_bpf_dispatch_nr_slots() says how many are left); these are
	 * carried out once the callback returns. scx_bpf_dsq_move_to_local()
	 * moves the first task of a DSQ that @cpu may run to @cpu. If a call
	 * moved tasks but @cpu still has none, it is called again, up to 32
	 * times in a row.
	 *
	 * If nothing results, or if NULL: @prev, if still runnable, keeps
	 * @cpu with a new default slice unless %SCX_OPS_ENQ_LAST is set;
	 * else @cpu goes idle (or runs a task of a lower class).
	 */
	void (*dispatch)(s32 cpu, struct task_struct *prev);

	/**
	 * @tick: A scheduler tick while a sched_ext task runs
	 * @p: the running task
	 *
	 * Called with the runqueue locked and interrupts off, after @p's
	 * slice has been charged for the time it ran. Setting @p->scx.slice
	 * to 0 ends its slice: the CPU reschedules.
	 *
	 * If NULL, nothing is done; the slice still runs out by itself.
	 */
	void (*tick)(struct task_struct *p);

	/**
	 * @runnable: A task becomes runnable on a runqueue
	 * @p: the task
	 * @enq_flags: SCX_ENQ_*
	 *
	 * Called with the runqueue locked, before @enqueue (also when @enqueue
	 * is skipped because @p was inserted directly). Not called when @p is only put back
	 * after a change of its attributes, nor when sched_ext itself moves
	 * @p to the CPU that will run it. Paired with @quiescent.
	 *
	 * If NULL, nothing is done.
	 */
	void (*runnable)(struct task_struct *p, u64 enq_flags);

	/**
	 * @running: A task starts running on its CPU
	 * @p: the task
	 *
	 * Called with the runqueue locked when @p is picked to run. Paired
	 * with @stopping. If NULL, nothing is done.
	 */
	void (*running)(struct task_struct *p);

	/**
	 * @stopping: A task stops running on its CPU
	 * @p: the task
	 * @runnable: true if @p stays runnable (preempted, slice used up),
	 * false if it is taken off the runqueue while running (it sleeps,
	 * or its attributes change)
	 *
	 * Called with the runqueue locked. A task stopped with its slice
	 * not used up goes back to the head of its local DSQ; one whose
	 * slice ran out goes to @enqueue (but see %SCX_OPS_ENQ_LAST). If
	 * NULL, nothing is done.
	 */
	void (*stopping)(struct task_struct *p, bool runnable);

	/**
	 * @quiescent: A task is no longer runnable
	 * @p: the task
	 * @deq_flags: SCX_DEQ_*
	 *
	 * Called with the runqueue locked when @p leaves its runqueue, other
	 * than for a change of its attributes or a move by sched_ext.
	 * Paired with @runnable. If NULL, nothing is done.
	 */
	void (*quiescent)(struct task_struct *p, u64 deq_flags);

	/**
	 * @yield: A task gives up its CPU
	 * @from: the running task
	 * @to: the task it yields to, or NULL for sched_yield()
	 *
	 * Called with the runqueue locked. For sched_yield() (@to NULL) the
	 * return value is ignored; to make @from give up the CPU, set its
	 * slice to 0. For yield_to() (@to set), return true if @from should
	 * make way for @to.
	 *
	 * Return: whether yield_to() succeeded.
	 *
	 * If NULL, sched_yield() ends @from's slice and yield_to() fails.
	 */
	bool (*yield)(struct task_struct *from, struct task_struct *to);

	/**
	 * @set_weight: A task's weight is set or changed
	 * @p: the task
	 * @weight: on the cgroup scale, 1 to 10000; 100 is nice 0
	 *
	 * Called with the runqueue locked just after @enable, and when the
	 * nice value of @p changes while it is in the class.
	 * If NULL, nothing is done.
	 */
	void (*set_weight)(struct task_struct *p, u32 weight);

	/**
	 * @set_cpumask: A task's allowed CPUs changed
	 * @p: the task
	 * @cpumask: its new mask
	 *
	 * Called with @p's runqueue and pi_lock held, after the change, for
	 * a task in the class. The scheduler must not insert @p into the
	 * local DSQ of a CPU outside @cpumask: that is an error. If NULL,
	 * nothing is done.
	 */
	void (*set_cpumask)(struct task_struct *p,
			    const struct cpumask *cpumask);

	/**
	 * @update_idle: A CPU goes idle or stops being idle
	 * @cpu: the CPU
	 * @idle: true when it goes idle
	 *
	 * Called with @cpu's runqueue locked, on @cpu, as its idle task
	 * starts or stops running; and at load, from the loading task
	 * without that lock, once for each CPU idle then.
	 *
	 * Setting this callback turns off the built-in idle tracking, unless
	 * %SCX_OPS_KEEP_BUILTIN_IDLE is set: the kfuncs that read it
	 * (scx_bpf_select_cpu_dfl(), scx_bpf_pick_idle_cpu(),
	 * scx_bpf_test_and_clear_cpu_idle(), scx_bpf_get_idle_cpumask() and
	 * scx_bpf_get_idle_smtmask()) then eject the scheduler with an
	 * error, and scx_bpf_pick_any_cpu() never prefers an idle CPU.
	 */
	void (*update_idle)(s32 cpu, bool idle);

	/**
	 * @init_task: Set up the scheduler's state for a task
	 * @p: the task
	 * @args: @args->fork is true for a new task, false for one that
	 * existed when the scheduler was loaded; @args->cgroup is its
	 * cpu cgroup
	 *
	 * Called for every task when the scheduler is loaded, and for each
	 * new task once it is fully set up by fork. No spinlock is held, so
	 * a sleepable program may be used. May call scx_bpf_create_dsq().
	 *
	 * Setting @p->scx.disallow to true here keeps @p on the fair class
	 * while the scheduler is loaded (it is counted in
	 * /sys/kernel/sched_ext/nr_rejected). It is read only here.
	 *
	 * Return: 0, or a negative errno. An error ejects the scheduler; at
	 * load time the load fails. A forked task still starts, on the fair
	 * class.
	 *
	 * If NULL, every task is accepted.
	 */
	s32 (*init_task)(struct task_struct *p,
			 struct scx_init_task_args *args);

	/**
	 * @exit_task: A task is gone, or the scheduler is being unloaded
	 * @p: the task
	 * @args: @args->cancelled is always false here
	 *
	 * Called for each task @init_task succeeded for: when its
	 * task_struct is freed, or at unload. Called with a spinlock held and
	 * interrupts off; may not sleep. If NULL, nothing is done.
	 */
	void (*exit_task)(struct task_struct *p,
			  struct scx_exit_task_args *args);

	/**
	 * @enable: A task enters the class
	 * @p: the task
	 *
	 * Called with the runqueue locked when @p is first queued on the
	 * class, before @set_weight, @runnable and @enqueue. If NULL,
	 * nothing is done.
	 */
	void (*enable)(struct task_struct *p);

	/**
	 * @disable: A task leaves the class
	 * @p: the task
	 *
	 * Called for a task @enable was called for, when it leaves the
	 * class (its policy changes, or every task goes back to the fair
	 * class at unload), with its runqueue locked, or when it is freed,
	 * with a spinlock held. May not sleep. If NULL, nothing is done.
	 */
	void (*disable)(struct task_struct *p);

	/**
	 * @cgroup_init: Set up the scheduler's state for a cpu cgroup
	 * @cgrp: the cgroup
	 * @args: @args->weight is its weight, 1 to 10000
	 *
	 * Called under cgroup_mutex for every online cgroup of the cpu
	 * controller when the scheduler is loaded, parents before children,
	 * and for each one created later. May sleep. Needs
	 * CONFIG_CGROUP_SCHED, as do the other cgroup callbacks.
	 *
	 * Return: 0, or a negative errno. At load time an error ejects the
	 * scheduler and the load fails; later it makes the creation of the
	 * cgroup fail with that errno.
	 *
	 * If NULL, nothing is done.
	 */
	s32 (*cgroup_init)(struct cgroup *cgrp,
			   struct scx_cgroup_init_args *args);

	/**
	 * @cgroup_exit: A cpu cgroup goes, or the scheduler is being unloaded
	 * @cgrp: the cgroup
	 *
	 * Called under cgroup_mutex when a cgroup @cgroup_init was called
	 * for goes offline, and for every one at unload, children before
	 * parents. May sleep. If NULL, nothing is done.
	 */
	void (*cgroup_exit)(struct cgroup *cgrp);

	/**
	 * @cgroup_move: A task moved to another cpu cgroup
	 * @p: the task
	 * @from: the cgroup it left
	 * @to: the cgroup it joined
	 *
	 * Called with @p's runqueue locked, after the move, for a task
	 * @init_task succeeded for. If NULL, nothing is done.
	 */
	void (*cgroup_move)(struct task_struct *p, struct cgroup *from,
			    struct cgroup *to);

	/**
	 * @cgroup_set_weight: A cpu cgroup's weight was changed
	 * @cgrp: the cgroup
	 * @weight: the new weight, 1 to 10000
	 *
	 * Called in an RCU read-side section, without cgroup_mutex, after
	 * the weight was written. May not sleep. If NULL, nothing is done.
	 */
	void (*cgroup_set_weight)(struct cgroup *cgrp, u32 weight);

	/**
	 * @cpu_online: A CPU came into service
	 * @cpu: the CPU
	 *
	 * Called with @cpu's runqueue locked when CPU hotplug brings @cpu
	 * up; not when a scheduling domain rebuild only detaches and
	 * reattaches its runqueue. If NULL, nothing is done.
	 */
	void (*cpu_online)(s32 cpu);

	/**
	 * @cpu_offline: A CPU goes out of service
	 * @cpu: the CPU
	 *
	 * Called with @cpu's runqueue locked when CPU hotplug takes @cpu
	 * down, after the tasks queued there have been given back to it
	 * (@dequeue for those the scheduler held). From then on @cpu no
	 * longer calls @dispatch. The scheduler stays loaded either way.
	 * If NULL, nothing is done.
	 */
	void (*cpu_offline)(s32 cpu);

	/**
	 * @init: Set up the scheduler
	 *
	 * Called when the scheduler is loaded, before any @cgroup_init or
	 * @init_task, with only sched_ext's own enable mutex held. May
	 * sleep.
	 * The usual place for scx_bpf_create_dsq().
	 *
	 * Return: 0, or a negative errno, which makes the load fail with
	 * that errno.
	 *
	 * If NULL, nothing is done.
	 */
	s32 (*init)(void);

	/**
	 * @exit: The scheduler is unloaded
	 * @info: why: @info->kind (SCX_EXIT_*), @info->reason (the kind in
	 * words), @info->msg (the error, or the scx_bpf_exit_bstr()
	 * message) and @info->exit_code (from scx_bpf_exit_bstr())
	 *
	 * Called once every task is back on the fair class and no other
	 * callback can run any more; also when a load fails after the
	 * kernel began calling the scheduler (from @init on, @init's own
	 * failure included). May
	 * sleep. @info->bt and @info->dump are not filled in. If NULL,
	 * nothing is done.
	 */
	void (*exit)(struct scx_exit_info *info);

	/**
	 * @dispatch_max_batch: The most tasks one @dispatch call may insert
	 *
	 * 0 means 32. The largest value the per-CPU buffer can hold is
	 * accepted; a larger one fails the load with -E2BIG.
	 */
	u32 dispatch_max_batch;

	/**
	 * @flags: SCX_OPS_* flags
	 *
	 * %SCX_OPS_KEEP_BUILTIN_IDLE keeps the built-in idle tracking on
	 * although @update_idle is set. %SCX_OPS_ENQ_LAST sends the last
	 * runnable task of a CPU to @enqueue when its slice runs out,
	 * instead of letting it go on. %SCX_OPS_ENQ_EXITING sends exiting
	 * tasks to @enqueue too. %SCX_OPS_SWITCH_PARTIAL moves only tasks
	 * whose policy is SCHED_EXT to the class; without it every
	 * SCHED_NORMAL, SCHED_BATCH and SCHED_IDLE task goes as well.
	 * Unknown flags fail the load with -EINVAL.
	 */
	u64 flags;

	/**
	 * @timeout_ms: How long a runnable task may wait, in milliseconds
	 *
	 * The watchdog ejects the scheduler with %SCX_EXIT_ERROR_STALL when
	 * a task has been runnable without running for longer. 0 means the
	 * maximum, 30 seconds; a longer one fails the load with -E2BIG.
	 */
	u32 timeout_ms;

	/**
	 * @exit_dump_len: Accepted for upstream compatibility; unused, as
	 * this kernel makes no debug dump at exit
	 */
	u32 exit_dump_len;

	/**
	 * @name: The scheduler's name, shown in sysfs and the kernel log
	 *
	 * Required. Letters, digits, '_' and '.' only, or the load fails
	 * with -EINVAL.
	 */
	char name[SCX_OPS_NAME_LEN];
};

void sched_ext_free(struct task_struct *p);

#else	/* !CONFIG_SCHED_CLASS_EXT */

static inline void sched_ext_free(struct task_struct *p) {}

#endif	/* CONFIG_SCHED_CLASS_EXT */
#endif	/* _LINUX_SCHED_EXT_H */
