// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suites of sched_ext, included at the end of ext.c:
 * sched_ext_dsq, the dispatch queue code, on task structs that never run;
 * sched_ext_idle, the idle CPU masks, on masks of the test's own.
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

/* --- sched_ext_idle -------------------------------------------------- */

static int idle_test_init(struct kunit *test)
{
	struct scx_idle_cpus *idle;

	idle = kunit_kzalloc(test, sizeof(*idle), GFP_KERNEL);
	if (!idle)
		return -ENOMEM;
	if (!zalloc_cpumask_var(&idle->cpu, GFP_KERNEL))
		return -ENOMEM;
	if (!zalloc_cpumask_var(&idle->smt, GFP_KERNEL)) {
		free_cpumask_var(idle->cpu);
		return -ENOMEM;
	}
	test->priv = idle;
	return 0;
}

static void idle_test_exit(struct kunit *test)
{
	struct scx_idle_cpus *idle = test->priv;

	free_cpumask_var(idle->smt);
	free_cpumask_var(idle->cpu);
}

static void idle_set_tracks_cores(struct kunit *test)
{
	struct scx_idle_cpus *idle = test->priv;
	int cpu = cpumask_first(cpu_possible_mask);
	int sib;

	for_each_cpu(sib, scx_smt_mask(cpu))
		idle_set(idle, sib, true);
	KUNIT_EXPECT_TRUE(test, cpumask_equal(idle->cpu, scx_smt_mask(cpu)));
	KUNIT_EXPECT_TRUE(test, cpumask_equal(idle->smt, scx_smt_mask(cpu)));

	idle_set(idle, cpu, false);
	KUNIT_EXPECT_FALSE(test, cpumask_test_cpu(cpu, idle->cpu));
	KUNIT_EXPECT_TRUE(test, cpumask_empty(idle->smt));
}

static void idle_claim_once(struct kunit *test)
{
	struct scx_idle_cpus *idle = test->priv;
	int cpu = cpumask_first(cpu_possible_mask);

	idle_set(idle, cpu, true);
	KUNIT_EXPECT_TRUE(test, idle_claim(idle, cpu));
	KUNIT_EXPECT_FALSE(test, idle_claim(idle, cpu));
	KUNIT_EXPECT_TRUE(test, cpumask_empty(idle->cpu));
	KUNIT_EXPECT_TRUE(test, cpumask_empty(idle->smt));
}

/*
 * A core bit left on a CPU that is no longer idle, as a claim racing
 * with the CPU going idle leaves it: picking must drop it and report
 * nothing idle. It once made every waking CPU retry that CPU for ever.
 */
static void idle_pick_drops_stale_core_bit(struct kunit *test)
{
	struct scx_idle_cpus *idle = test->priv;
	int cpu = cpumask_first(cpu_possible_mask);

	cpumask_set_cpu(cpu, idle->smt);
	KUNIT_EXPECT_EQ(test, idle_pick(idle, cpu_possible_mask, 0), -EBUSY);
	KUNIT_EXPECT_TRUE(test, cpumask_empty(idle->smt));

	cpumask_set_cpu(cpu, idle->smt);
	KUNIT_EXPECT_FALSE(test, idle_claim(idle, cpu));
	KUNIT_EXPECT_TRUE(test, cpumask_empty(idle->smt));
}

static void idle_pick_prefers_idle_cores(struct kunit *test)
{
	struct scx_idle_cpus *idle = test->priv;
	int half, whole;

	if (num_possible_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	half = cpumask_first(cpu_possible_mask);
	whole = cpumask_next(half, cpu_possible_mask);

	/* @half's core has a busy CPU, @whole's is all idle. */
	cpumask_set_cpu(half, idle->cpu);
	cpumask_set_cpu(whole, idle->cpu);
	cpumask_set_cpu(whole, idle->smt);

	KUNIT_EXPECT_EQ(test, idle_pick(idle, cpu_possible_mask,
					SCX_PICK_IDLE_CORE), whole);
	KUNIT_EXPECT_EQ(test, idle_pick(idle, cpu_possible_mask,
					SCX_PICK_IDLE_CORE), -EBUSY);
	KUNIT_EXPECT_EQ(test, idle_pick(idle, cpu_possible_mask, 0), half);
	KUNIT_EXPECT_EQ(test, idle_pick(idle, cpu_possible_mask, 0), -EBUSY);
}

static void idle_pick_keeps_to_allowed(struct kunit *test)
{
	struct scx_idle_cpus *idle = test->priv;
	int cpu = cpumask_first(cpu_possible_mask);
	int other;

	if (num_possible_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	other = cpumask_next(cpu, cpu_possible_mask);

	idle_set(idle, other, true);
	KUNIT_EXPECT_EQ(test, idle_pick(idle, cpumask_of(cpu), 0), -EBUSY);
	KUNIT_EXPECT_TRUE(test, cpumask_test_cpu(other, idle->cpu));
	KUNIT_EXPECT_EQ(test, idle_pick(idle, cpumask_of(other), 0), other);
}

static struct kunit_case sched_ext_idle_cases[] = {
	KUNIT_CASE(idle_set_tracks_cores),
	KUNIT_CASE(idle_claim_once),
	KUNIT_CASE(idle_pick_drops_stale_core_bit),
	KUNIT_CASE(idle_pick_prefers_idle_cores),
	KUNIT_CASE(idle_pick_keeps_to_allowed),
	{}
};

static struct kunit_suite sched_ext_idle_suite = {
	.name = "sched_ext_idle",
	.init = idle_test_init,
	.exit = idle_test_exit,
	.test_cases = sched_ext_idle_cases,
};

kunit_test_suite(sched_ext_idle_suite);
