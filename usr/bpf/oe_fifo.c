// SPDX-License-Identifier: GPL-2.0-only
/*
 * oe_fifo: the standalone loader of the oe_fifo policy (the baseline),
 * from its bpftool skeleton; runs until a signal or the scheduler's exit.
 */
#include <errno.h>
#include <stdlib.h>

#include "oe_loader.h"
#include "oe_fifo.skel.h"

static struct bpf_object_skeleton *create(void **out)
{
	struct oe_fifo_bpf *skel = calloc(1, sizeof(*skel));

	if (!skel)
		return NULL;
	if (oe_fifo_bpf__create_skeleton(skel)) {
		oe_fifo_bpf__destroy(skel);
		errno = ENOMEM;
		return NULL;
	}
	*out = skel;
	return skel->skeleton;
}

static void destroy(void *skel)
{
	oe_fifo_bpf__destroy(skel);
}

int main(int argc, char **argv)
{
	static const struct oe_loader l = {
		.name = "oe_fifo",
		.opts = 0,
		.create = create,
		.destroy = destroy,
	};

	return oe_loader_main(argc, argv, &l);
}
