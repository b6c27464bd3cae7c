/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The standalone loaders of the OE sched_ext policies (oe_fifo, oe_qos,
 * oe_domain): each is a main() that hands its bpftool skeleton to
 * oe_loader_main(), which parses the command line, loads the policy with
 * liboesched and waits for a signal or for the scheduler's exit.
 */
#ifndef OE_LOADER_H
#define OE_LOADER_H

#include <stdbool.h>
#include <linux/types.h>

/* The skeletons name the BPF side's types. */
typedef __u64 u64;
typedef __u32 u32;
typedef __s32 s32;
typedef __s64 s64;

#include "oe_sched.h"

struct bpf_object_skeleton;

enum oe_loader_opts {
	OE_LOADER_QOS		= 1 << 0,	/* --ls, --be */
	OE_LOADER_DOMAIN	= 1 << 1,	/* --cgroup */
};

struct oe_loader {
	const char *name;	/* the policy, as liboesched knows it */
	unsigned int opts;	/* enum oe_loader_opts */
	/* Set up the skeleton (not opened): its bpf_object_skeleton. */
	struct bpf_object_skeleton *(*create)(void **skel);
	void (*destroy)(void *skel);
};

/* 0: unloaded on a signal; 1: ejected or failed; 2: bad arguments. */
int oe_loader_main(int argc, char **argv, const struct oe_loader *l);

#endif /* OE_LOADER_H */
