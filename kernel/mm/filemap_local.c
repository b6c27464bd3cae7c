// SPDX-License-Identifier: GPL-2.0-only
/*
 * vm.filemap_alloc_local: keep page cache on NUMA nodes that have CPUs.
 *
 * Memory borrowed from another machine over UnifiedBus (or attached over
 * CXL) shows up as a NUMA node without CPUs. It is slower than local DRAM
 * and may go away with its home node, so when the sysctl is 1 the page
 * cache is kept off such nodes: the task's mempolicy and cpuset still
 * decide, but only among the nodes that have both CPUs and memory.
 */

#include <linux/cpuset.h>
#include <linux/filemap_local.h>
#include <linux/gfp.h>
#include <linux/mempolicy.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/sched.h>
#include <linux/sysctl.h>
#include <kunit/visibility.h>

DEFINE_STATIC_KEY_FALSE(filemap_alloc_local_key);

static unsigned int sysctl_filemap_alloc_local;
static DEFINE_MUTEX(filemap_alloc_local_mutex);
static BLOCKING_NOTIFIER_HEAD(filemap_alloc_local_chain);

/**
 * filemap_local_choose - pick the nodes a page cache folio may come from
 * @mode: the task's mempolicy mode (MPOL_*)
 * @pol_nodes: the nodes that policy names (ignored for MPOL_DEFAULT/LOCAL)
 * @allowed: the task's cpuset mems_allowed
 * @cpu_mem: nodes with both CPUs and memory
 * @local_nid: the node of the CPU we run on
 * @spread: the cpuset asks for page cache to be spread
 * @rotor: round-robin position for interleave and spread, updated
 * @mask: out: the allocation may only use these nodes
 * @nid: out: the preferred node (the zonelist of @nid, filtered by @mask,
 *	 orders the fallback by distance)
 *
 * A policy that names usable nodes keeps its meaning among them: bind
 * restricts, preferred prefers, interleave rotates. A policy that names
 * only CPU-less nodes falls back to the cpuset's nodes minus them.
 *
 * Return: false if the cpuset allows no node with CPUs and memory; the
 * caller then takes the normal path, as nothing better exists.
 */
VISIBLE_IF_KUNIT bool filemap_local_choose(int mode, const nodemask_t *pol_nodes,
					   const nodemask_t *allowed,
					   const nodemask_t *cpu_mem,
					   int local_nid, bool spread, int *rotor,
					   nodemask_t *mask, int *nid)
{
	nodemask_t usable, named = NODE_MASK_NONE;

	nodes_and(usable, *allowed, *cpu_mem);
	if (nodes_empty(usable))
		return false;

	*mask = usable;
	*nid = local_nid;

	switch (mode) {
	case MPOL_BIND:
	case MPOL_INTERLEAVE:
	case MPOL_PREFERRED:
	case MPOL_PREFERRED_MANY:
		nodes_and(named, *pol_nodes, usable);
		break;
	default:
		break;
	}

	if (mode == MPOL_INTERLEAVE && !nodes_empty(named)) {
		*nid = next_node_in(*rotor, named);
		*rotor = *nid;
		return true;
	}
	if (!nodes_empty(named)) {
		if (mode == MPOL_BIND)
			*mask = named;
		if (!node_isset(local_nid, named))
			*nid = first_node(named);
		return true;
	}
	if (spread) {
		*nid = next_node_in(*rotor, usable);
		*rotor = *nid;
	}
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(filemap_local_choose);

/* Called from filemap_alloc_folio() when the sysctl is 1. */
struct folio *filemap_alloc_folio_local(gfp_t gfp, unsigned int order)
{
	struct mempolicy *pol = get_task_policy(current);
	unsigned int cookie;
	struct folio *folio;
	nodemask_t cpu_mem, mask;
	int nid, rotor = current->il_prev;

	nodes_and(cpu_mem, node_states[N_CPU], node_states[N_MEMORY]);
	do {
		cookie = read_mems_allowed_begin();
		if (!filemap_local_choose(pol->mode, &pol->nodes,
					  &cpuset_current_mems_allowed, &cpu_mem,
					  numa_node_id(),
					  cpuset_do_page_mem_spread(),
					  &rotor, &mask, &nid))
			return folio_alloc(gfp, order);
		folio = __folio_alloc(gfp, order, nid, &mask);
	} while (!folio && read_mems_allowed_retry(cookie));
	current->il_prev = rotor;

	return folio;
}

/**
 * filemap_alloc_local_get - the current value of vm.filemap_alloc_local
 *
 * Return: the sysctl's value, read once without a lock.
 */
unsigned int filemap_alloc_local_get(void)
{
	return READ_ONCE(sysctl_filemap_alloc_local);
}
EXPORT_SYMBOL_GPL(filemap_alloc_local_get);

/**
 * filemap_alloc_local_register_notifier - hear about changes of the sysctl
 * @nb: called in process context with the new value as its action
 *
 * Return: 0, or the error of blocking_notifier_chain_register().
 */
int filemap_alloc_local_register_notifier(struct notifier_block *nb)
{
	return blocking_notifier_chain_register(&filemap_alloc_local_chain, nb);
}
EXPORT_SYMBOL_GPL(filemap_alloc_local_register_notifier);

static int filemap_alloc_local_sysctl(struct ctl_table *table, int write,
				      void *buffer, size_t *lenp, loff_t *ppos)
{
	unsigned int val;
	struct ctl_table tmp = *table;
	int ret;

	if (!write)
		return proc_douintvec_minmax(table, write, buffer, lenp, ppos);

	/* Parse into a copy so a refused write changes nothing. */
	mutex_lock(&filemap_alloc_local_mutex);
	val = sysctl_filemap_alloc_local;
	tmp.data = &val;
	ret = proc_douintvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (ret || val == sysctl_filemap_alloc_local)
		goto out;

	if (val)
		static_branch_enable(&filemap_alloc_local_key);
	else
		static_branch_disable(&filemap_alloc_local_key);
	WRITE_ONCE(sysctl_filemap_alloc_local, val);
	blocking_notifier_call_chain(&filemap_alloc_local_chain, val, NULL);
out:
	mutex_unlock(&filemap_alloc_local_mutex);
	return ret;
}

static struct ctl_table filemap_alloc_local_table[] = {
	{
		.procname	= "filemap_alloc_local",
		.data		= &sysctl_filemap_alloc_local,
		.maxlen		= sizeof(unsigned int),
		.mode		= 0644,
		.proc_handler	= filemap_alloc_local_sysctl,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{ }
};

static int __init filemap_alloc_local_init(void)
{
	register_sysctl_init("vm", filemap_alloc_local_table);
	return 0;
}
subsys_initcall(filemap_alloc_local_init);
