// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite sched_ext_dsq: the dispatch queue code of sched_ext, on
 * task structs that never run. Included at the end of ext.c.
 */
#include <kunit/test.h>

static struct task_struct *dsq_test_task(struct kunit *test, u64 vtime)
{
	struct task_struct *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	init_scx_entity(p);
	p->scx.dsq_vtime = vtime;
	return p;
}

/* Check that @dsq hands out @want in order. */
static void expect_dsq_order(struct kunit *test, struct scx_dispatch_q *dsq,
			     struct task_struct **want, int nr)
{
	struct task_struct *p;
	int i = 0;

	KUNIT_EXPECT_EQ(test, dsq->nr, nr);
	list_for_each_entry(p, &dsq->list, scx.dsq_node) {
		KUNIT_ASSERT_LT(test, i, nr);
		KUNIT_EXPECT_PTR_EQ(test, p, want[i]);
		KUNIT_EXPECT_PTR_EQ(test, p->scx.dsq, dsq);
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, nr);
}

static void dsq_fifo_and_head(struct kunit *test)
{
	struct task_struct *t[4], *want[4];
	struct scx_dispatch_q dsq;
	int i;

	init_dsq(&dsq, 1);
	for (i = 0; i < 4; i++)
		t[i] = dsq_test_task(test, 0);

	KUNIT_EXPECT_TRUE(test, dsq_insert_locked(&dsq, t[0], 0));
	KUNIT_EXPECT_TRUE(test, dsq_insert_locked(&dsq, t[1], 0));
	KUNIT_EXPECT_TRUE(test, dsq_insert_locked(&dsq, t[2], SCX_ENQ_HEAD));
	KUNIT_EXPECT_TRUE(test, dsq_insert_locked(&dsq, t[3], 0));

	want[0] = t[2];
	want[1] = t[0];
	want[2] = t[1];
	want[3] = t[3];
	expect_dsq_order(test, &dsq, want, 4);
	KUNIT_EXPECT_EQ(test, dsq.nr_priq, 0);
}

static void dsq_vtime_order(struct kunit *test)
{
	struct task_struct *a, *b, *c, *d, *e, *want[5];
	struct scx_dispatch_q dsq;

	init_dsq(&dsq, 2);
	a = dsq_test_task(test, 300);
	b = dsq_test_task(test, 100);
	c = dsq_test_task(test, 200);
	d = dsq_test_task(test, 100);	/* equal to b: after it */
	e = dsq_test_task(test, 50);

	KUNIT_EXPECT_TRUE(test, dsq_insert_locked(&dsq, a, SCX_ENQ_DSQ_PRIQ));
	KUNIT_EXPECT_TRUE(test, dsq_insert_locked(&dsq, b, SCX_ENQ_DSQ_PRIQ));
	KUNIT_EXPECT_TRUE(test, dsq_insert_locked(&dsq, c, SCX_ENQ_DSQ_PRIQ));
	KUNIT_EXPECT_TRUE(test, dsq_insert_locked(&dsq, d, SCX_ENQ_DSQ_PRIQ));
	KUNIT_EXPECT_TRUE(test, dsq_insert_locked(&dsq, e, SCX_ENQ_DSQ_PRIQ));

	want[0] = e;
	want[1] = b;
	want[2] = d;
	want[3] = c;
	want[4] = a;
	expect_dsq_order(test, &dsq, want, 5);
	KUNIT_EXPECT_EQ(test, dsq.nr_priq, 5);

	/* Out of the middle: the rest keep their order. */
	dsq_remove_locked(&dsq, d);
	want[2] = c;
	want[3] = a;
	expect_dsq_order(test, &dsq, want, 4);
	KUNIT_EXPECT_EQ(test, dsq.nr_priq, 4);
	KUNIT_EXPECT_FALSE(test, d->scx.flags & SCX_TASK_ON_PRIQ);
	KUNIT_EXPECT_TRUE(test, list_empty(&d->scx.dsq_node));
}

static void dsq_vtime_wraps(struct kunit *test)
{
	struct task_struct *late, *early, *want[2];
	struct scx_dispatch_q dsq;

	/* vtime is compared as time: U64_MAX - 10 comes before 5. */
	init_dsq(&dsq, 3);
	late = dsq_test_task(test, 5);
	early = dsq_test_task(test, U64_MAX - 10);
	KUNIT_EXPECT_TRUE(test, dsq_insert_locked(&dsq, late, SCX_ENQ_DSQ_PRIQ));
	KUNIT_EXPECT_TRUE(test, dsq_insert_locked(&dsq, early, SCX_ENQ_DSQ_PRIQ));

	want[0] = early;
	want[1] = late;
	expect_dsq_order(test, &dsq, want, 2);
}

static void dsq_refuses_mixing(struct kunit *test)
{
	struct task_struct *a, *b;
	struct scx_dispatch_q fifo, priq;

	init_dsq(&fifo, 4);
	init_dsq(&priq, 5);
	a = dsq_test_task(test, 1);
	b = dsq_test_task(test, 2);

	KUNIT_EXPECT_TRUE(test, dsq_insert_locked(&fifo, a, 0));
	KUNIT_EXPECT_FALSE(test, dsq_insert_locked(&fifo, b, SCX_ENQ_DSQ_PRIQ));
	KUNIT_EXPECT_EQ(test, fifo.nr, 1);
	KUNIT_EXPECT_NULL(test, b->scx.dsq);

	KUNIT_EXPECT_TRUE(test, dsq_insert_locked(&priq, b, SCX_ENQ_DSQ_PRIQ));
	dsq_remove_locked(&fifo, a);
	WRITE_ONCE(a->scx.dsq, NULL);
	KUNIT_EXPECT_FALSE(test, dsq_insert_locked(&priq, a, 0));
	KUNIT_EXPECT_FALSE(test, dsq_insert_locked(&priq, a, SCX_ENQ_HEAD));
	KUNIT_EXPECT_EQ(test, priq.nr, 1);

	/* Emptied, a queue may change kind. */
	dsq_remove_locked(&priq, b);
	KUNIT_EXPECT_TRUE(test, dsq_insert_locked(&priq, a, 0));
}

static void dsq_ids(struct kunit *test)
{
	u64 id = SCX_DSQ_LOCAL_ON | 3;

	KUNIT_EXPECT_EQ(test, id & SCX_DSQ_LOCAL_ON, (u64)SCX_DSQ_LOCAL_ON);
	KUNIT_EXPECT_EQ(test, id & SCX_DSQ_LOCAL_CPU_MASK, 3ULL);
	KUNIT_EXPECT_NE(test, SCX_DSQ_LOCAL & SCX_DSQ_LOCAL_ON,
			(u64)SCX_DSQ_LOCAL_ON);
	KUNIT_EXPECT_TRUE(test, SCX_DSQ_GLOBAL & SCX_DSQ_FLAG_BUILTIN);
	KUNIT_EXPECT_FALSE(test, 1234ULL & SCX_DSQ_FLAG_BUILTIN);
	KUNIT_EXPECT_TRUE(test, ops_cpu_valid(0));
	KUNIT_EXPECT_FALSE(test, ops_cpu_valid(-1));
	KUNIT_EXPECT_FALSE(test, ops_cpu_valid(nr_cpu_ids));
}

static void task_weights(struct kunit *test)
{
	struct task_struct *p = dsq_test_task(test, 0);

	p->policy = SCHED_NORMAL;
	p->static_prio = NICE_TO_PRIO(0);
	KUNIT_EXPECT_EQ(test, scx_task_weight(p), 100);
	p->static_prio = NICE_TO_PRIO(-20);
	KUNIT_EXPECT_EQ(test, scx_task_weight(p), 8668);
	p->static_prio = NICE_TO_PRIO(19);
	KUNIT_EXPECT_EQ(test, scx_task_weight(p), 1);
	p->policy = SCHED_IDLE;
	p->static_prio = NICE_TO_PRIO(0);
	KUNIT_EXPECT_EQ(test, scx_task_weight(p), 1);
}

static void enq_flags_match_core(struct kunit *test)
{
	/* The BPF-visible values are the core's, passed through as is. */
	KUNIT_EXPECT_EQ(test, (u64)SCX_ENQ_WAKEUP, (u64)ENQUEUE_WAKEUP);
	KUNIT_EXPECT_EQ(test, (u64)SCX_ENQ_HEAD, (u64)ENQUEUE_HEAD);
	KUNIT_EXPECT_EQ(test, (u64)SCX_DEQ_SLEEP, (u64)DEQUEUE_SLEEP);
}

static struct kunit_case sched_ext_dsq_cases[] = {
	KUNIT_CASE(dsq_fifo_and_head),
	KUNIT_CASE(dsq_vtime_order),
	KUNIT_CASE(dsq_vtime_wraps),
	KUNIT_CASE(dsq_refuses_mixing),
	KUNIT_CASE(dsq_ids),
	KUNIT_CASE(task_weights),
	KUNIT_CASE(enq_flags_match_core),
	{}
};

static struct kunit_suite sched_ext_dsq_suite = {
	.name = "sched_ext_dsq",
	.test_cases = sched_ext_dsq_cases,
};

kunit_test_suite(sched_ext_dsq_suite);
