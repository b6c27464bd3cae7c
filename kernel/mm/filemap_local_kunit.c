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

static void default_policy_uses_cpu_nodes(struct kunit *test)
{
	struct choice c = choose(MPOL_DEFAULT, 0, 0x7, 1, false, 0);

	KUNIT_ASSERT_TRUE(test, c.ok);
	KUNIT_EXPECT_EQ(test, bits_of(&c.mask), 0x3UL);
	KUNIT_EXPECT_EQ(test, c.nid, 1);
}

static void local_policy_uses_cpu_nodes(struct kunit *test)
{
	struct choice c = choose(MPOL_LOCAL, 0x4, 0x7, 0, false, 0);

	KUNIT_ASSERT_TRUE(test, c.ok);
	KUNIT_EXPECT_EQ(test, bits_of(&c.mask), 0x3UL);
	KUNIT_EXPECT_EQ(test, c.nid, 0);
}

static void bind_to_cpuless_falls_back(struct kunit *test)
{
	struct choice c = choose(MPOL_BIND, 0x4, 0x7, 0, false, 0);

	KUNIT_ASSERT_TRUE(test, c.ok);
	KUNIT_EXPECT_EQ(test, bits_of(&c.mask), 0x3UL);
	KUNIT_EXPECT_EQ(test, c.nid, 0);
}

static void bind_mixed_keeps_cpu_nodes(struct kunit *test)
{
	struct choice c = choose(MPOL_BIND, 0x6, 0x7, 0, false, 0);

	KUNIT_ASSERT_TRUE(test, c.ok);
	KUNIT_EXPECT_EQ(test, bits_of(&c.mask), 0x2UL);
	KUNIT_EXPECT_EQ(test, c.nid, 1);
}

static void preferred_cpuless_falls_back(struct kunit *test)
{
	struct choice c = choose(MPOL_PREFERRED, 0x4, 0x7, 1, false, 0);

	KUNIT_ASSERT_TRUE(test, c.ok);
	KUNIT_EXPECT_EQ(test, bits_of(&c.mask), 0x3UL);
	KUNIT_EXPECT_EQ(test, c.nid, 1);
}

static void preferred_remote_cpu_node_is_kept(struct kunit *test)
{
	struct choice c = choose(MPOL_PREFERRED, 0x2, 0x7, 0, false, 0);

	KUNIT_ASSERT_TRUE(test, c.ok);
	KUNIT_EXPECT_EQ(test, bits_of(&c.mask), 0x3UL);
	KUNIT_EXPECT_EQ(test, c.nid, 1);
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

static void cpuset_limits_the_choice(struct kunit *test)
{
	struct choice c = choose(MPOL_DEFAULT, 0, 0x6, 0, false, 0);

	KUNIT_ASSERT_TRUE(test, c.ok);
	KUNIT_EXPECT_EQ(test, bits_of(&c.mask), 0x2UL);
}

static void cpuset_of_cpuless_only_gives_up(struct kunit *test)
{
	struct choice c = choose(MPOL_BIND, 0x4, 0x4, 0, false, 0);

	KUNIT_EXPECT_FALSE(test, c.ok);
}

static struct kunit_case filemap_alloc_local_cases[] = {
	KUNIT_CASE(default_policy_uses_cpu_nodes),
	KUNIT_CASE(local_policy_uses_cpu_nodes),
	KUNIT_CASE(bind_to_cpuless_falls_back),
	KUNIT_CASE(bind_mixed_keeps_cpu_nodes),
	KUNIT_CASE(preferred_cpuless_falls_back),
	KUNIT_CASE(preferred_remote_cpu_node_is_kept),
	KUNIT_CASE(interleave_skips_cpuless),
	KUNIT_CASE(cpuset_spread_skips_cpuless),
	KUNIT_CASE(cpuset_limits_the_choice),
	KUNIT_CASE(cpuset_of_cpuless_only_gives_up),
	{ }
};

static struct kunit_suite filemap_alloc_local_suite = {
	.name = "filemap_alloc_local",
	.test_cases = filemap_alloc_local_cases,
};

kunit_test_suite(filemap_alloc_local_suite);

MODULE_DESCRIPTION("KUnit tests for vm.filemap_alloc_local");
MODULE_LICENSE("GPL");
