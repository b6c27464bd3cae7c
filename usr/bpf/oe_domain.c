// SPDX-License-Identifier: GPL-2.0-only
/*
 * oe_domain: the standalone loader of the oe_domain policy (LLC domains),
 * from its bpftool skeleton; runs until a signal or the scheduler's exit.
 */
#include <errno.h>
#include <stdlib.h>

#include "oe_loader.h"
#include "oe_domain.skel.h"

static struct bpf_object_skeleton *create(void **out)
{
	struct oe_domain_bpf *skel = calloc(1, sizeof(*skel));

	if (!skel)
		return NULL;
	if (oe_domain_bpf__create_skeleton(skel)) {
		oe_domain_bpf__destroy(skel);
		errno = ENOMEM;
		return NULL;
	}
	*out = skel;
	return skel->skeleton;
}

static void destroy(void *skel)
{
	oe_domain_bpf__destroy(skel);
}

int main(int argc, char **argv)
{
	static const struct oe_loader l = {
		.name = "oe_domain",
		.opts = OE_LOADER_DOMAIN,
		.create = create,
		.destroy = destroy,
	};

	return oe_loader_main(argc, argv, &l);
}
