// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpf_count: print how many BPF programs, maps and links exist, as
 * "PROGS MAPS LINKS", by walking their ids.
 */
#define _GNU_SOURCE
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long count(int cmd)
{
	union bpf_attr attr;
	long n = 0;
	__u32 id = 0;

	for (;;) {
		memset(&attr, 0, sizeof(attr));
		attr.start_id = id;
		if (syscall(__NR_bpf, cmd, &attr, sizeof(attr)))
			return n;	/* ENOENT: no more */
		id = attr.next_id;
		n++;
	}
}

int main(void)
{
	printf("%ld %ld %ld\n", count(BPF_PROG_GET_NEXT_ID),
	       count(BPF_MAP_GET_NEXT_ID), count(BPF_LINK_GET_NEXT_ID));
	return 0;
}
