/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sched_ext: what the scheduler core sees of the BPF-extensible class.
 * Included by kernel/sched/sched.h.
 */
#ifndef _KERNEL_SCHED_EXT_H
#define _KERNEL_SCHED_EXT_H

#ifdef CONFIG_SCHED_CLASS_EXT

#include <linux/irq_work.h>

/* The sched_ext part of a runqueue. */
struct scx_rq {
	/* Tasks of this rq that will run here next, protected by rq->lock. */
	struct scx_dispatch_q	local_dsq;
	/* Tasks of other rqs sent here; this CPU moves them to its rq. */
	struct scx_dispatch_q	inbox;
	/* Queued but not running, oldest first: the watchdog's view. */
	struct list_head	runnable_list;
	u32			nr_running;
	/* Between rq_online and rq_offline: the BPF scheduler may use it. */
	bool			online;
	u64			pnt_seq;	/* put_prev count, for KICK_WAIT */
	bool			kick_waiting;	/* spinning for a KICK_WAIT */
	cpumask_var_t		cpus_to_kick;
	cpumask_var_t		cpus_to_kick_if_idle;
	cpumask_var_t		cpus_to_preempt;
	cpumask_var_t		cpus_to_wait;
	struct irq_work		kick_cpus_irq_work;
};

DECLARE_STATIC_KEY_FALSE(__scx_ops_enabled);
#define scx_enabled()		static_branch_unlikely(&__scx_ops_enabled)

bool task_should_scx(struct task_struct *p);
void scx_post_fork(struct task_struct *p);
void scx_update_idle(struct rq *rq, bool idle);
void init_sched_ext_class(void);
void sched_ext_switch_class(struct task_struct *p);
void init_scx_entity(struct task_struct *p);
#ifdef CONFIG_CGROUP_SCHED
struct task_group;
int scx_tg_online(struct task_group *tg);
void scx_tg_offline(struct task_group *tg);
void scx_cgroup_move_task(struct task_struct *p, struct task_group *from,
			  struct task_group *to);
void scx_group_set_weight(struct task_group *tg, u64 weight);
#endif

#else	/* !CONFIG_SCHED_CLASS_EXT */

#define scx_enabled()		false

static inline bool task_should_scx(struct task_struct *p) { return false; }
static inline void scx_post_fork(struct task_struct *p) {}
static inline void scx_update_idle(struct rq *rq, bool idle) {}
static inline void init_sched_ext_class(void) {}
static inline void init_scx_entity(struct task_struct *p) {}
struct task_group;
static inline int scx_tg_online(struct task_group *tg) { return 0; }
static inline void scx_tg_offline(struct task_group *tg) {}
static inline void scx_cgroup_move_task(struct task_struct *p,
					struct task_group *from,
					struct task_group *to) {}
static inline void scx_group_set_weight(struct task_group *tg, u64 weight) {}

#endif	/* CONFIG_SCHED_CLASS_EXT */
#endif	/* _KERNEL_SCHED_EXT_H */
