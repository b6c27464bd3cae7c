// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the node choice of vm.filemap_alloc_local.
 *
 * The topology is the test VM's: nodes 0 and 1 have CPUs and memory,
 * node 2 has memory only.
 */

#include <kunit/test.h>
#include <linux/filemap_local.h>
#include <linux/mempolicy.h>

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

struct choice {
	bool ok;
	nodemask_t mask;
	int nid;
	int rotor;
};

static nodemask_t mask_of(unsigned long bits)
{
	nodemask_t m = NODE_MASK_NONE;
	int n;

	for (n = 0; n < BITS_PER_LONG && n < MAX_NUMNODES; n++)
		if (bits & BIT(n))
			node_set(n, m);
	return m;
}

static unsigned long bits_of(const nodemask_t *m)
{
	unsigned long bits = 0;
	int n;

	for_each_node_mask(n, *m)
		bits |= BIT(n);
	return bits;
}

static struct choice choose(int mode, unsigned long pol, unsigned long allowed,
			    int local, bool spread, int rotor)
{
	nodemask_t pol_nodes = mask_of(pol), allowed_nodes = mask_of(allowed);
	nodemask_t cpu_mem = mask_of(0x3);
	struct choice c = { .rotor = rotor };

	c.ok = filemap_local_choose(mode, &pol_nodes, &allowed_nodes, &cpu_mem,
				    local, spread, &c.rotor, &c.mask, &c.nid);
	return c;
}

/* A node choice: policy, cpuset and local node in, nodes and node out. */
struct choice_case {
	const char *desc;
	int mode;
	unsigned long pol, allowed;
	int local;
	bool ok;
	unsigned long mask;	/* the nodes allowed, when ok */
	int nid;		/* the node picked; NUMA_NO_NODE: any */
};

static const struct choice_case choice_cases[] = {
	{ "default policy uses the CPU nodes",
	  MPOL_DEFAULT, 0, 0x7, 1, true, 0x3, 1 },
	{ "local policy uses the CPU nodes",
	  MPOL_LOCAL, 0x4, 0x7, 0, true, 0x3, 0 },
	{ "bind to a CPU-less node falls back",
	  MPOL_BIND, 0x4, 0x7, 0, true, 0x3, 0 },
	{ "bind to mixed nodes keeps the CPU ones",
	  MPOL_BIND, 0x6, 0x7, 0, true, 0x2, 1 },
	{ "preferred CPU-less node falls back",
	  MPOL_PREFERRED, 0x4, 0x7, 1, true, 0x3, 1 },
	{ "preferred remote CPU node is kept",
	  MPOL_PREFERRED, 0x2, 0x7, 0, true, 0x3, 1 },
	{ "cpuset limits the choice",
	  MPOL_DEFAULT, 0, 0x6, 0, true, 0x2, NUMA_NO_NODE },
	{ "cpuset of CPU-less nodes only gives up",
	  MPOL_BIND, 0x4, 0x4, 0, false, 0, NUMA_NO_NODE },
};

static void choice_case_desc(const struct choice_case *t, char *desc)
{
	strscpy(desc, t->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(choice, choice_cases, choice_case_desc);

static void node_choice(struct kunit *test)
{
	const struct choice_case *t = test->param_value;
	struct choice c = choose(t->mode, t->pol, t->allowed, t->local,
				 false, 0);

	KUNIT_ASSERT_EQ(test, c.ok, t->ok);
	if (!t->ok)
		return;
	KUNIT_EXPECT_EQ(test, bits_of(&c.mask), t->mask);
	if (t->nid != NUMA_NO_NODE)
		KUNIT_EXPECT_EQ(test, c.nid, t->nid);
}

static void interleave_skips_cpuless(struct kunit *test)
{
	nodemask_t pol = mask_of(0x7), allowed = mask_of(0x7);
	nodemask_t cpu_mem = mask_of(0x3), mask;
	int rotor = 2, nid, i, seen[3] = { };

	for (i = 0; i < 6; i++) {
		KUNIT_ASSERT_TRUE(test,
				  filemap_local_choose(MPOL_INTERLEAVE, &pol,
						       &allowed, &cpu_mem, 0,
						       false, &rotor, &mask,
						       &nid));
		KUNIT_ASSERT_TRUE(test, nid >= 0 && nid < 3);
		seen[nid]++;
	}
	KUNIT_EXPECT_EQ(test, seen[0], 3);
	KUNIT_EXPECT_EQ(test, seen[1], 3);
	KUNIT_EXPECT_EQ(test, seen[2], 0);
}

static void cpuset_spread_skips_cpuless(struct kunit *test)
{
	struct choice c = choose(MPOL_DEFAULT, 0, 0x7, 0, true, 0);

	KUNIT_ASSERT_TRUE(test, c.ok);
	KUNIT_EXPECT_EQ(test, c.nid, 1);
	KUNIT_EXPECT_EQ(test, c.rotor, 1);
	c = choose(MPOL_DEFAULT, 0, 0x7, 0, true, c.rotor);
	KUNIT_EXPECT_EQ(test, c.nid, 0);
	KUNIT_EXPECT_EQ(test, bits_of(&c.mask), 0x3UL);
}

static struct kunit_case filemap_alloc_local_cases[] = {
	KUNIT_CASE_PARAM(node_choice, choice_gen_params),
	KUNIT_CASE(interleave_skips_cpuless),
	KUNIT_CASE(cpuset_spread_skips_cpuless),
	{ }
};

static struct kunit_suite filemap_alloc_local_suite = {
	.name = "filemap_alloc_local",
	.test_cases = filemap_alloc_local_cases,
};

kunit_test_suite(filemap_alloc_local_suite);

MODULE_DESCRIPTION("KUnit tests for vm.filemap_alloc_local");
MODULE_LICENSE("GPL");
