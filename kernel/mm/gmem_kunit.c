// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suites of the GMem core: gmem_lpt (the logical page table),
 * gmem_state (moves between NOMAP, CPU and DEVICE) and gmem_lru
 * (eviction order, pinning).
 */
#include <kunit/test.h>
#include <linux/gmem.h>
#include <linux/numa.h>
#include <linux/sizes.h>

#define MIB	SZ_1M

/* --- gmem_lpt --------------------------------------------------------- */

static void count_release(struct gm_mapping *m, void *arg)
{
	(*(unsigned long *)arg)++;
}

static void lpt_get_makes_one_nomap_entry_per_page(struct kunit *test)
{
	struct gm_mapping *a, *b, *c;
	unsigned long released = 0;
	struct gm_lpt lpt;

	gm_lpt_init(&lpt);
	KUNIT_EXPECT_NULL(test, gm_lpt_lookup(&lpt, 4 * MIB));

	a = gm_lpt_get(&lpt, 4 * MIB + 12345, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	KUNIT_EXPECT_EQ(test, a->state, GM_MAPPING_NOMAP);
	KUNIT_EXPECT_EQ(test, a->va, 4 * MIB);
	KUNIT_EXPECT_EQ(test, a->hnid, NUMA_NO_NODE);
	KUNIT_EXPECT_EQ(test, a->flags, 0U);

	/* Any address of the same 2 MiB page finds the same entry. */
	b = gm_lpt_get(&lpt, 6 * MIB - 1, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, a, b);
	KUNIT_EXPECT_PTR_EQ(test, gm_lpt_lookup(&lpt, 4 * MIB), a);

	/* The next page is another entry. */
	c = gm_lpt_get(&lpt, 6 * MIB, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(c));
	KUNIT_EXPECT_PTR_NE(test, a, c);
	KUNIT_EXPECT_EQ(test, c->va, 6 * MIB);

	gm_lpt_destroy(&lpt, count_release, &released);
	KUNIT_EXPECT_EQ(test, released, 2UL);
}

static void lpt_erase_takes_only_whole_pages(struct kunit *test)
{
	unsigned long va, released = 0;
	struct gm_lpt lpt;

	gm_lpt_init(&lpt);
	/* Pages at 0, 2, 4, 6 and 8 MiB. */
	for (va = 0; va < 10 * MIB; va += 2 * MIB)
		KUNIT_ASSERT_FALSE(test,
				   IS_ERR(gm_lpt_get(&lpt, va, GFP_KERNEL)));

	/* [1 MiB, 7 MiB) holds the pages at 2 and 4 MiB wholly. */
	KUNIT_EXPECT_EQ(test, gm_lpt_erase(&lpt, 1 * MIB, 7 * MIB,
					   count_release, &released), 2UL);
	KUNIT_EXPECT_EQ(test, released, 2UL);
	KUNIT_EXPECT_NOT_NULL(test, gm_lpt_lookup(&lpt, 0));
	KUNIT_EXPECT_NULL(test, gm_lpt_lookup(&lpt, 2 * MIB));
	KUNIT_EXPECT_NULL(test, gm_lpt_lookup(&lpt, 4 * MIB));
	KUNIT_EXPECT_NOT_NULL(test, gm_lpt_lookup(&lpt, 6 * MIB));

	/* Empty, inverted and less-than-a-page ranges take nothing. */
	KUNIT_EXPECT_EQ(test, gm_lpt_erase(&lpt, 6 * MIB, 6 * MIB,
					   count_release, &released), 0UL);
	KUNIT_EXPECT_EQ(test, gm_lpt_erase(&lpt, 8 * MIB, 6 * MIB,
					   count_release, &released), 0UL);
	KUNIT_EXPECT_EQ(test, gm_lpt_erase(&lpt, 6 * MIB + 1, 10 * MIB - 1,
					   count_release, &released), 0UL);
	KUNIT_EXPECT_EQ(test, released, 2UL);

	/* An aligned range takes exactly its pages. */
	KUNIT_EXPECT_EQ(test, gm_lpt_erase(&lpt, 6 * MIB, 10 * MIB,
					   count_release, &released), 2UL);
	KUNIT_EXPECT_NOT_NULL(test, gm_lpt_lookup(&lpt, 0));

	gm_lpt_destroy(&lpt, count_release, &released);
	KUNIT_EXPECT_EQ(test, released, 5UL);
}

static struct kunit_case gmem_lpt_cases[] = {
	KUNIT_CASE(lpt_get_makes_one_nomap_entry_per_page),
	KUNIT_CASE(lpt_erase_takes_only_whole_pages),
	{}
};

static struct kunit_suite gmem_lpt_suite = {
	.name = "gmem_lpt",
	.test_cases = gmem_lpt_cases,
};

/* --- gmem_state ------------------------------------------------------- */

/*
 * The mappings of a test come from a logical page table of its own,
 * destroyed when the test ends, so that GMem's page counts (in
 * /proc/gmemstat) come back to where they were.
 */
struct test_pages {
	struct gm_lpt lpt;
	unsigned long next;
};

static struct gm_mapping *new_mapping(struct kunit *test)
{
	struct test_pages *tp = test->priv;
	struct gm_mapping *m;

	if (!tp) {
		tp = kunit_kzalloc(test, sizeof(*tp), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, tp);
		gm_lpt_init(&tp->lpt);
		test->priv = tp;
	}
	m = gm_lpt_get(&tp->lpt, tp->next++ * 2 * MIB, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(m));
	return m;
}

/* The fixture's LRU goes with the test: just unlink. */
static void drop_release(struct gm_mapping *m, void *arg)
{
	list_del_init(&m->lru);
}

static void test_pages_exit(struct kunit *test)
{
	struct test_pages *tp = test->priv;

	if (tp)
		gm_lpt_destroy(&tp->lpt, drop_release, NULL);
}

static void state_every_move_but_to_itself(struct kunit *test)
{
	static const enum gm_mapping_state path[] = {
		GM_MAPPING_CPU, GM_MAPPING_DEVICE, GM_MAPPING_NOMAP,
		GM_MAPPING_DEVICE, GM_MAPPING_CPU, GM_MAPPING_NOMAP,
	};
	struct gm_mapping *m = new_mapping(test);
	int i;

	mutex_lock(&m->lock);
	for (i = 0; i < ARRAY_SIZE(path); i++) {
		KUNIT_EXPECT_EQ(test, gm_mapping_set_state(m, path[i]), 0);
		KUNIT_EXPECT_EQ(test, m->state, path[i]);
		KUNIT_EXPECT_EQ(test, gm_mapping_set_state(m, path[i]),
				-EINVAL);
	}
	KUNIT_EXPECT_EQ(test, gm_mapping_set_state(m, GM_MAPPING_DEVICE + 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, m->state, GM_MAPPING_NOMAP);
	mutex_unlock(&m->lock);
}

static void state_leaving_device_forgets_it(struct kunit *test)
{
	struct gm_mapping *m = new_mapping(test);

	mutex_lock(&m->lock);
	KUNIT_ASSERT_EQ(test, gm_mapping_set_state(m, GM_MAPPING_DEVICE), 0);
	m->hnid = 5;
	m->dev_pfn = 42;
	KUNIT_EXPECT_EQ(test, gm_mapping_set_state(m, GM_MAPPING_CPU), 0);
	KUNIT_EXPECT_EQ(test, m->hnid, NUMA_NO_NODE);
	KUNIT_EXPECT_EQ(test, m->dev_pfn, 0UL);
	mutex_unlock(&m->lock);
}

static void state_pinned_page_stays_on_device(struct kunit *test)
{
	struct gm_mapping *m = new_mapping(test);
	struct gm_lru lru;

	gm_lru_init(&lru);
	mutex_lock(&m->lock);
	KUNIT_ASSERT_EQ(test, gm_mapping_set_state(m, GM_MAPPING_DEVICE), 0);
	KUNIT_ASSERT_EQ(test, gm_lru_add(&lru, m), 0);
	KUNIT_ASSERT_EQ(test, gm_lru_pin(&lru, m, true), 0);

	/* Still on its LRU: it cannot leave the device at all. */
	KUNIT_EXPECT_EQ(test, gm_mapping_set_state(m, GM_MAPPING_NOMAP),
			-EBUSY);
	gm_lru_del(&lru, m);
	/* Pinned: not back to the CPU, but it may be freed. */
	KUNIT_EXPECT_EQ(test, gm_mapping_set_state(m, GM_MAPPING_CPU),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, m->state, GM_MAPPING_DEVICE);
	KUNIT_EXPECT_EQ(test, gm_mapping_set_state(m, GM_MAPPING_NOMAP), 0);
	KUNIT_EXPECT_EQ(test, m->flags, 0U);
	mutex_unlock(&m->lock);
}

/* The table counts its pages by state, through every move and free. */
static void state_table_counts_follow_moves(struct kunit *test)
{
	struct gm_mapping *a = new_mapping(test), *b = new_mapping(test);
	struct gm_lpt *lpt = a->lpt;

	KUNIT_EXPECT_EQ(test, atomic_long_read(&lpt->nr[GM_MAPPING_NOMAP]), 2L);
	mutex_lock(&a->lock);
	KUNIT_ASSERT_EQ(test, gm_mapping_set_state(a, GM_MAPPING_DEVICE), 0);
	mutex_unlock(&a->lock);
	mutex_lock(&b->lock);
	KUNIT_ASSERT_EQ(test, gm_mapping_set_state(b, GM_MAPPING_CPU), 0);
	/* A refused move changes no count. */
	KUNIT_EXPECT_EQ(test, gm_mapping_set_state(b, GM_MAPPING_CPU), -EINVAL);
	mutex_unlock(&b->lock);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&lpt->nr[GM_MAPPING_NOMAP]), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&lpt->nr[GM_MAPPING_CPU]), 1L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&lpt->nr[GM_MAPPING_DEVICE]), 1L);
	KUNIT_EXPECT_EQ(test, gm_lpt_erase(lpt, 0, 2 * MIB, NULL, NULL), 1UL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&lpt->nr[GM_MAPPING_DEVICE]), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&lpt->nr[GM_MAPPING_CPU]), 1L);
}

/*
 * A pinned page counts in its owner's pinned_vm until it is unpinned or
 * leaves the device; pinning it twice counts it once. (KUnit runs with
 * CAP_IPC_LOCK: the RLIMIT_MEMLOCK refusal is the gmem suite's.)
 */
static void state_pins_count_in_pinned_vm(struct kunit *test)
{
	struct mm_struct *mm = kunit_kzalloc(test, sizeof(*mm), GFP_KERNEL);
	struct gm_mapping *m;
	struct gm_lru lru;

	KUNIT_ASSERT_NOT_NULL(test, mm);
	m = new_mapping(test);
	m->lpt->mm = mm;
	gm_lru_init(&lru);
	mutex_lock(&m->lock);
	KUNIT_ASSERT_EQ(test, gm_mapping_set_state(m, GM_MAPPING_DEVICE), 0);
	KUNIT_ASSERT_EQ(test, gm_lru_add(&lru, m), 0);
	KUNIT_EXPECT_EQ(test, gm_lru_pin(&lru, m, true), 0);
	KUNIT_EXPECT_EQ(test, gm_lru_pin(&lru, m, true), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&mm->pinned_vm),
			(s64)GMEM_NR_SUBPAGES);
	KUNIT_EXPECT_EQ(test, gm_lru_pin(&lru, m, false), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&mm->pinned_vm), 0LL);
	KUNIT_EXPECT_EQ(test, gm_lru_pin(&lru, m, true), 0);
	gm_lru_del(&lru, m);
	KUNIT_EXPECT_EQ(test, gm_mapping_set_state(m, GM_MAPPING_NOMAP), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&mm->pinned_vm), 0LL);
	mutex_unlock(&m->lock);
	m->lpt->mm = NULL;
}

static struct kunit_case gmem_state_cases[] = {
	KUNIT_CASE(state_every_move_but_to_itself),
	KUNIT_CASE(state_leaving_device_forgets_it),
	KUNIT_CASE(state_pinned_page_stays_on_device),
	KUNIT_CASE(state_table_counts_follow_moves),
	KUNIT_CASE(state_pins_count_in_pinned_vm),
	{}
};

static struct kunit_suite gmem_state_suite = {
	.name = "gmem_state",
	.exit = test_pages_exit,
	.test_cases = gmem_state_cases,
};

/* --- gmem_lru --------------------------------------------------------- */

#define NR_PAGES	4

struct lru_fixture {
	struct gm_lru lru;
	struct gm_mapping *m[NR_PAGES];
};

/* NR_PAGES device pages, added to the LRU in order: m[0] is coldest. */
static struct lru_fixture *lru_fixture(struct kunit *test)
{
	struct lru_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	gm_lru_init(&f->lru);
	for (i = 0; i < NR_PAGES; i++) {
		f->m[i] = new_mapping(test);
		mutex_lock(&f->m[i]->lock);
		KUNIT_ASSERT_EQ(test, gm_mapping_set_state(f->m[i],
							   GM_MAPPING_DEVICE),
				0);
		KUNIT_ASSERT_EQ(test, gm_lru_add(&f->lru, f->m[i]), 0);
		mutex_unlock(&f->m[i]->lock);
	}
	KUNIT_ASSERT_EQ(test, f->lru.nr, (unsigned long)NR_PAGES);
	return f;
}

/* The next victim, which comes locked: unlocked here. */
static struct gm_mapping *pick(struct kunit *test, struct lru_fixture *f)
{
	struct gm_mapping *m = gm_lru_pick_victim(&f->lru);

	if (m) {
		KUNIT_EXPECT_TRUE(test, mutex_is_locked(&m->lock));
		mutex_unlock(&m->lock);
	}
	return m;
}

static void lru_victims_coldest_first(struct kunit *test)
{
	struct lru_fixture *f = lru_fixture(test);

	/* Using m[0] makes m[1] the coldest. */
	gm_lru_touch(&f->lru, f->m[0]);
	KUNIT_EXPECT_PTR_EQ(test, pick(test, f), f->m[1]);
	KUNIT_EXPECT_TRUE(test, f->m[1]->flags & GM_MAPPING_EVICTING);
	/* A page being evicted is not picked twice. */
	KUNIT_EXPECT_PTR_EQ(test, pick(test, f), f->m[2]);
	KUNIT_EXPECT_PTR_EQ(test, pick(test, f), f->m[3]);
	KUNIT_EXPECT_PTR_EQ(test, pick(test, f), f->m[0]);
	KUNIT_EXPECT_NULL(test, pick(test, f));

	/* Eviction done: off the LRU, no longer marked. */
	mutex_lock(&f->m[1]->lock);
	gm_lru_del(&f->lru, f->m[1]);
	mutex_unlock(&f->m[1]->lock);
	KUNIT_EXPECT_EQ(test, f->lru.nr, (unsigned long)NR_PAGES - 1);
	KUNIT_EXPECT_FALSE(test, f->m[1]->flags & GM_MAPPING_EVICTING);
	/* Touching a page off the LRU does not put it back. */
	gm_lru_touch(&f->lru, f->m[1]);
	KUNIT_EXPECT_EQ(test, f->lru.nr, (unsigned long)NR_PAGES - 1);
	KUNIT_EXPECT_TRUE(test, list_empty(&f->m[1]->lru));
}

static void lru_pinned_pages_are_never_victims(struct kunit *test)
{
	struct lru_fixture *f = lru_fixture(test);
	int i;

	for (i = 0; i < NR_PAGES; i++) {
		mutex_lock(&f->m[i]->lock);
		if (i != 2)
			KUNIT_EXPECT_EQ(test,
					gm_lru_pin(&f->lru, f->m[i], true), 0);
		mutex_unlock(&f->m[i]->lock);
	}
	KUNIT_EXPECT_PTR_EQ(test, pick(test, f), f->m[2]);
	KUNIT_EXPECT_NULL(test, pick(test, f));

	/* The victim cannot be pinned any more; unpinning frees m[0]. */
	mutex_lock(&f->m[2]->lock);
	KUNIT_EXPECT_EQ(test, gm_lru_pin(&f->lru, f->m[2], true), -EBUSY);
	mutex_unlock(&f->m[2]->lock);
	mutex_lock(&f->m[0]->lock);
	KUNIT_EXPECT_EQ(test, gm_lru_pin(&f->lru, f->m[0], false), 0);
	mutex_unlock(&f->m[0]->lock);
	KUNIT_EXPECT_PTR_EQ(test, pick(test, f), f->m[0]);
}

/* A page whose lock is taken (being faulted or freed) is not evicted. */
static void lru_busy_pages_are_skipped(struct kunit *test)
{
	struct lru_fixture *f = lru_fixture(test);

	mutex_lock(&f->m[0]->lock);
	KUNIT_EXPECT_PTR_EQ(test, pick(test, f), f->m[1]);
	KUNIT_EXPECT_FALSE(test, f->m[0]->flags & GM_MAPPING_EVICTING);
	mutex_unlock(&f->m[0]->lock);
	KUNIT_EXPECT_PTR_EQ(test, pick(test, f), f->m[0]);
}

static void lru_refuses_pages_not_on_a_device(struct kunit *test)
{
	struct gm_mapping *m = new_mapping(test);
	struct lru_fixture *f = lru_fixture(test);

	mutex_lock(&m->lock);
	/* NOMAP and CPU pages have no device memory to evict. */
	KUNIT_EXPECT_EQ(test, gm_lru_add(&f->lru, m), -EINVAL);
	KUNIT_EXPECT_EQ(test, gm_lru_pin(&f->lru, m, true), -EINVAL);
	KUNIT_ASSERT_EQ(test, gm_mapping_set_state(m, GM_MAPPING_CPU), 0);
	KUNIT_EXPECT_EQ(test, gm_lru_add(&f->lru, m), -EINVAL);
	/* A device page off the LRU cannot be pinned; one on it, twice. */
	KUNIT_ASSERT_EQ(test, gm_mapping_set_state(m, GM_MAPPING_DEVICE), 0);
	KUNIT_EXPECT_EQ(test, gm_lru_pin(&f->lru, m, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, gm_lru_add(&f->lru, m), 0);
	KUNIT_EXPECT_EQ(test, gm_lru_add(&f->lru, m), -EINVAL);
	KUNIT_EXPECT_EQ(test, f->lru.nr, (unsigned long)NR_PAGES + 1);
	gm_lru_del(&f->lru, m);
	mutex_unlock(&m->lock);
	KUNIT_EXPECT_EQ(test, f->lru.nr, (unsigned long)NR_PAGES);
}

static struct kunit_case gmem_lru_cases[] = {
	KUNIT_CASE(lru_victims_coldest_first),
	KUNIT_CASE(lru_pinned_pages_are_never_victims),
	KUNIT_CASE(lru_busy_pages_are_skipped),
	KUNIT_CASE(lru_refuses_pages_not_on_a_device),
	{}
};

static struct kunit_suite gmem_lru_suite = {
	.name = "gmem_lru",
	.exit = test_pages_exit,
	.test_cases = gmem_lru_cases,
};

kunit_test_suites(&gmem_lpt_suite, &gmem_state_suite, &gmem_lru_suite);

MODULE_DESCRIPTION("KUnit tests of the GMem core");
MODULE_LICENSE("GPL");
