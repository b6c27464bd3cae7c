/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a BPF scheduler for sched_ext needs beside vmlinux.h: the kfuncs
 * (the 6.12 names and the 6.13+ ones), the struct_ops program macros and
 * the error/exit helpers. Written for oe-ext's sched_ext on Linux 6.6;
 * the names are upstream's, so a scheduler written against upstream's
 * headers needs at most its #include lines changed.
 */
#ifndef __OE_SCX_COMMON_BPF_H
#define __OE_SCX_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "oe_sched.h"

/* The kfuncs, as the kernel exports them. */
s32 scx_bpf_create_dsq(u64 dsq_id, s32 node) __ksym;
void scx_bpf_destroy_dsq(u64 dsq_id) __ksym;
void scx_bpf_dsq_insert(struct task_struct *p, u64 dsq_id, u64 slice,
			u64 enq_flags) __ksym;
void scx_bpf_dsq_insert_vtime(struct task_struct *p, u64 dsq_id, u64 slice,
			      u64 vtime, u64 enq_flags) __ksym;
void scx_bpf_dispatch(struct task_struct *p, u64 dsq_id, u64 slice,
		      u64 enq_flags) __ksym;
void scx_bpf_dispatch_vtime(struct task_struct *p, u64 dsq_id, u64 slice,
			    u64 vtime, u64 enq_flags) __ksym;
u32 scx_bpf_dispatch_nr_slots(void) __ksym;
bool scx_bpf_dsq_move_to_local(u64 dsq_id) __ksym;
bool scx_bpf_consume(u64 dsq_id) __ksym;
u32 scx_bpf_reenqueue_local(void) __ksym;
s32 scx_bpf_dsq_nr_queued(u64 dsq_id) __ksym;
void scx_bpf_kick_cpu(s32 cpu, u64 flags) __ksym;
s32 scx_bpf_select_cpu_dfl(struct task_struct *p, s32 prev_cpu,
			   u64 wake_flags, bool *is_idle) __ksym;
s32 scx_bpf_pick_idle_cpu(const struct cpumask *cpus_allowed,
			  u64 flags) __ksym;
s32 scx_bpf_pick_any_cpu(const struct cpumask *cpus_allowed,
			 u64 flags) __ksym;
bool scx_bpf_test_and_clear_cpu_idle(s32 cpu) __ksym;
const struct cpumask *scx_bpf_get_idle_cpumask(void) __ksym;
const struct cpumask *scx_bpf_get_idle_smtmask(void) __ksym;
void scx_bpf_put_idle_cpumask(const struct cpumask *cpumask) __ksym;
bool scx_bpf_task_running(const struct task_struct *p) __ksym;
s32 scx_bpf_task_cpu(const struct task_struct *p) __ksym;
u32 scx_bpf_nr_cpu_ids(void) __ksym;
void scx_bpf_exit_bstr(s64 exit_code, char *fmt, unsigned long long *data,
		       u32 data__sz) __ksym;
void scx_bpf_error_bstr(char *fmt, unsigned long long *data,
			u32 data__sz) __ksym;

/* Generic kfuncs the OE policies use. */
struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
void bpf_task_release(struct task_struct *p) __ksym;
struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;
void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
long bpf_task_under_cgroup(struct task_struct *task,
			   struct cgroup *ancestor) __ksym;
void bpf_rcu_read_lock(void) __ksym;
void bpf_rcu_read_unlock(void) __ksym;
bool bpf_cpumask_test_cpu(u32 cpu, const struct cpumask *cpumask) __ksym;
bool bpf_cpumask_empty(const struct cpumask *cpumask) __ksym;
bool bpf_cpumask_intersects(const struct cpumask *src1,
			    const struct cpumask *src2) __ksym;

/* A struct_ops callback named @name. */
#define BPF_STRUCT_OPS(name, args...)					\
	SEC("struct_ops/"#name) BPF_PROG(name, ##args)
/*
 * A callback that may sleep (init, exit, init_task, cgroup_init,
 * cgroup_exit). Debian's libbpf 1.1 has no "struct_ops.s" section, so it
 * loads as a plain one, which those callbacks take as well.
 */
#define BPF_STRUCT_OPS_SLEEPABLE(name, args...)				\
	BPF_STRUCT_OPS(name, ##args)

/*
 * scx_bpf_error(fmt, args...): eject the scheduler with a printf-style
 * message. scx_bpf_exit(code, fmt, args...): unload it on purpose.
 */
#define scx_bpf_bstr_preamble(fmt, args...)				\
	static char ___fmt[] = fmt;					\
	unsigned long long ___param[___bpf_narg(args)];			\
	_Pragma("GCC diagnostic push")					\
	_Pragma("GCC diagnostic ignored \"-Wint-conversion\"")		\
	___bpf_fill(___param, args);					\
	_Pragma("GCC diagnostic pop")

#define scx_bpf_exit(code, fmt, args...)				\
({									\
	scx_bpf_bstr_preamble(fmt, args)				\
	scx_bpf_exit_bstr(code, ___fmt, ___param, sizeof(___param));	\
})

#define scx_bpf_error(fmt, args...)					\
({									\
	scx_bpf_bstr_preamble(fmt, args)				\
	scx_bpf_error_bstr(___fmt, ___param, sizeof(___param));		\
})

/* Keep what ops.exit() is told, for the loader to print. */
#define UEI_DEFINE(__name)						\
	struct oe_sched_exit __name SEC(".data")

#define UEI_RECORD(__uei, __ei)						\
({									\
	bpf_probe_read_kernel_str((__uei).reason, sizeof((__uei).reason),\
				  (__ei)->reason);			\
	bpf_probe_read_kernel_str((__uei).msg, sizeof((__uei).msg),	\
				  (__ei)->msg);				\
	(__uei).exit_code = (__ei)->exit_code;				\
	/* kind last: userspace reads it to know the rest is there */	\
	__sync_val_compare_and_swap(&(__uei).kind, (__uei).kind,	\
				    (__ei)->kind);			\
})

static __always_inline bool vtime_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

#endif /* __OE_SCX_COMMON_BPF_H */
