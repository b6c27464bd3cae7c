/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the OE sched_ext policies (usr/bpf/<name>.bpf.c) and their loaders
 * (liboesched, oe-ctld's sched module) share: the exit record a policy
 * keeps in its .data, and the layout of the maps a loader fills.
 * Included by BPF code (after vmlinux.h) and by C11 userspace.
 */
#ifndef OE_SCHED_H
#define OE_SCHED_H

#define OE_SCHED_REASON_LEN	128
#define OE_SCHED_MSG_LEN	1024

/* Filled by ops.exit(); kind != 0 once it has run. */
struct oe_sched_exit {
	int kind;
	long long exit_code;
	char reason[OE_SCHED_REASON_LEN];
	char msg[OE_SCHED_MSG_LEN];
};

/*
 * oe_qos: map "cgrp_role", BPF_MAP_TYPE_HASH, key: the cgroup id (the
 * inode number of its cgroup2 directory, u64), value: enum oe_qos_role
 * (u32). A task takes the role of its nearest listed ancestor cgroup.
 */
enum oe_qos_role {
	OE_QOS_NONE	= 0,
	OE_QOS_LS	= 1,	/* latency-sensitive */
	OE_QOS_BE	= 2,	/* best-effort */
};

#define OE_QOS_MAX_CGROUPS	1024

/*
 * oe_qos: map "cpu_smt", BPF_MAP_TYPE_ARRAY of OE_QOS_MAX_CPUS struct
 * oe_qos_smt indexed by CPU: the hardware threads of its core, itself
 * included. An entry left empty (nr == 0) means a core of one thread:
 * then oe_qos only orders LS before BE.
 */
#define OE_QOS_MAX_CPUS		512
#define OE_QOS_SMT_MAX		8

struct oe_qos_smt {
	unsigned int nr;
	unsigned int cpus[OE_QOS_SMT_MAX];
};

/*
 * oe_domain: map "cgrp_domain", BPF_MAP_TYPE_HASH, key: cgroup id (u64),
 * value: domain index (u32); map "domains", BPF_MAP_TYPE_ARRAY of
 * OE_DOMAIN_MAX struct oe_domain, the CPUs of each domain. The loader
 * fills both from the topology (one domain per LLC) and its config.
 */
#define OE_DOMAIN_MAX		64
#define OE_DOMAIN_MAX_CPUS	512
#define OE_DOMAIN_MAX_CGROUPS	1024

struct oe_domain {
	unsigned long long cpus[OE_DOMAIN_MAX_CPUS / 64];
};

#endif /* OE_SCHED_H */
