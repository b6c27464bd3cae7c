/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * liboesched: load, configure and unload the OE sched_ext policies
 * (usr/bpf/<name>.bpf.o) with libbpf, and read the kernel's sched_ext
 * state. Used by the standalone loaders (oe_fifo, oe_qos, oe_domain) and
 * by oe-ctld's sched module.
 */
#ifndef OESCHED_H
#define OESCHED_H

#include <stdbool.h>
#include <stddef.h>

#include "oe_sched.h"

/* Where the policy objects are installed. */
#ifndef OESCHED_BPF_DIR
#define OESCHED_BPF_DIR "/usr/lib/oe-ext/bpf"
#endif
#define OESCHED_SYSFS "/sys/kernel/sched_ext"

/* A cgroup given to oe_domain, and the domain it is confined to. */
struct oesched_domain_assign {
	const char *cgroup;	/* cgroup2 directory */
	int domain;		/* index into the topology's domains, -1: next */
};

struct oesched_cfg {
	const char *policy;	/* "oe_fifo", "oe_qos" or "oe_domain" */
	const char *bpf_dir;	/* NULL: $OE_BPF_DIR, else OESCHED_BPF_DIR */
	bool partial;		/* only SCHED_EXT tasks (SWITCH_PARTIAL) */
	unsigned int timeout_ms;	/* watchdog, 0: the kernel's (30 s) */

	/* oe_qos */
	const char *const *ls_cgroups;
	size_t nr_ls;
	const char *const *be_cgroups;
	size_t nr_be;

	/* oe_domain */
	const struct oesched_domain_assign *domains;
	size_t nr_domains;

	/* The CPU topology: NULL for /sys/devices/system/cpu (tests). */
	const char *sysfs_cpu;
};

/* A loaded policy; unloaded when freed or when its process exits. */
struct oesched;

/* The policies this library knows, NULL-terminated. */
extern const char *const oesched_policies[];
bool oesched_policy_known(const char *name);

/*
 * Load @cfg->policy, fill its maps from @cfg and attach it as the
 * system's BPF scheduler (through a struct_ops link, so it goes away with
 * the process). 0 or a negative errno with a message in @err.
 */
int oesched_load(const struct oesched_cfg *cfg, struct oesched **out,
		 char *err, size_t errlen);

/*
 * Check @cfg as oesched_load() does (policy, cgroups, domains, timeout)
 * without loading anything. 0 or a negative errno with a message in @err.
 */
int oesched_check(const struct oesched_cfg *cfg, char *err, size_t errlen);

/*
 * oesched_load() for a loader built on a bpftool skeleton: @skel is what
 * <name>__create_skeleton() set up, not yet opened; it is opened, set up
 * and loaded here, so the skeleton's maps and data pointers are live
 * afterwards. oesched_unload() detaches; the caller destroys the
 * skeleton after that (also when this fails).
 */
struct bpf_object_skeleton;
int oesched_load_skel(const struct oesched_cfg *cfg,
		      struct bpf_object_skeleton *skel, struct oesched **out,
		      char *err, size_t errlen);

/*
 * Load the sched_ext scheduler in the object file @path as it is: no
 * policy configuration (for test schedulers and third-party ones).
 */
int oesched_load_file(const char *path, struct oesched **out, char *err,
		      size_t errlen);

/* What the policy's ops.exit() recorded: true once it has run. */
bool oesched_exit_info(const struct oesched *s, struct oe_sched_exit *ei);

/*
 * Unregister the scheduler now (ops.exit() has run when this returns),
 * keeping its exit record readable with oesched_exit_info().
 */
void oesched_detach(struct oesched *s);
/* Register a detached scheduler again, without reloading it. */
int oesched_reattach(struct oesched *s, char *err, size_t errlen);

/* Detach and free. NULL is fine. */
void oesched_unload(struct oesched *s);

/* The kernel's exit kinds (enum scx_exit_kind), as ops.exit() sees them. */
enum oesched_exit_kind {
	OESCHED_EXIT_NONE	= 0,
	OESCHED_EXIT_DONE	= 1,
	OESCHED_EXIT_UNREG	= 64,	/* unloaded from user space */
	OESCHED_EXIT_UNREG_BPF	= 65,	/* scx_bpf_exit() */
	OESCHED_EXIT_UNREG_KERN	= 66,
	OESCHED_EXIT_SYSRQ	= 67,	/* SysRq-S */
	OESCHED_EXIT_ERROR	= 1024,
	OESCHED_EXIT_ERROR_BPF	= 1025,	/* scx_bpf_error() */
	OESCHED_EXIT_ERROR_STALL = 1026,	/* the watchdog */
};

/* "unreg", "error_stall", ... as in last_exit; "unknown" otherwise. */
const char *oesched_exit_kind_name(int kind);
/* Whether @kind means the kernel threw the scheduler out. */
bool oesched_exit_is_ejection(int kind);

/* The kernel's view, from /sys/kernel/sched_ext. */
struct oesched_kstate {
	char state[16];		/* enabled, disabled, enabling, disabling */
	char ops[128];		/* the loaded scheduler's name, or "" */
	bool switch_all;
	long nr_rejected;
	long enable_seq;
	char last_exit[1280];	/* "none", or "<kind> <ops> <message>" */
};

/* @root: NULL for OESCHED_SYSFS (tests pass a fake tree). */
int oesched_kstate_read(const char *root, struct oesched_kstate *ks);

/* The scheduling domains oe_domain uses: one per LLC (else package). */
struct oesched_topo {
	int nr_domains;
	struct oe_domain dom[OE_DOMAIN_MAX];
};

/* @sysfs_cpu: NULL for /sys/devices/system/cpu (tests pass a fake tree). */
int oesched_topology(const char *sysfs_cpu, struct oesched_topo *topo);

/*
 * oe_qos's cpu_smt: the hardware threads of each CPU's core, from
 * cpuN/topology/thread_siblings_list, for CPUs below @nr (entries of
 * CPUs without one stay empty). The number of CPUs filled, or -errno.
 */
int oesched_smt(const char *sysfs_cpu, struct oe_qos_smt *smt, int nr);

/* A cpulist ("0-3,8,10-11") into @bits of @nbits: 0 or -EINVAL. */
int oesched_parse_cpulist(const char *list, unsigned long long *bits,
			  int nbits);

#endif /* OESCHED_H */
