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

/* What ops.exit() is told. */
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

struct scx_init_task_args {
	bool			fork;
	struct cgroup		*cgroup;
};

struct scx_exit_task_args {
	bool			cancelled;
};

struct scx_cgroup_init_args {
	u32			weight;
};

/* The BPF scheduler: a struct_ops. Unset callbacks have defaults. */
struct sched_ext_ops {
	s32 (*select_cpu)(struct task_struct *p, s32 prev_cpu, u64 wake_flags);
	void (*enqueue)(struct task_struct *p, u64 enq_flags);
	void (*dequeue)(struct task_struct *p, u64 deq_flags);
	void (*dispatch)(s32 cpu, struct task_struct *prev);
	void (*tick)(struct task_struct *p);
	void (*runnable)(struct task_struct *p, u64 enq_flags);
	void (*running)(struct task_struct *p);
	void (*stopping)(struct task_struct *p, bool runnable);
	void (*quiescent)(struct task_struct *p, u64 deq_flags);
	bool (*yield)(struct task_struct *from, struct task_struct *to);
	void (*set_weight)(struct task_struct *p, u32 weight);
	void (*set_cpumask)(struct task_struct *p,
			    const struct cpumask *cpumask);
	void (*update_idle)(s32 cpu, bool idle);
	s32 (*init_task)(struct task_struct *p,
			 struct scx_init_task_args *args);
	void (*exit_task)(struct task_struct *p,
			  struct scx_exit_task_args *args);
	void (*enable)(struct task_struct *p);
	void (*disable)(struct task_struct *p);
	s32 (*cgroup_init)(struct cgroup *cgrp,
			   struct scx_cgroup_init_args *args);
	void (*cgroup_exit)(struct cgroup *cgrp);
	void (*cgroup_move)(struct task_struct *p, struct cgroup *from,
			    struct cgroup *to);
	void (*cgroup_set_weight)(struct cgroup *cgrp, u32 weight);
	void (*cpu_online)(s32 cpu);
	void (*cpu_offline)(s32 cpu);
	s32 (*init)(void);
	void (*exit)(struct scx_exit_info *info);

	u32 dispatch_max_batch;
	u64 flags;
	u32 timeout_ms;
	u32 exit_dump_len;
	char name[SCX_OPS_NAME_LEN];
};

void sched_ext_free(struct task_struct *p);

#else	/* !CONFIG_SCHED_CLASS_EXT */

static inline void sched_ext_free(struct task_struct *p) {}

#endif	/* CONFIG_SCHED_CLASS_EXT */
#endif	/* _LINUX_SCHED_EXT_H */
