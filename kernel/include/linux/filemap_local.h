/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vm.filemap_alloc_local: keep page cache on NUMA nodes that have CPUs.
 */
#ifndef _LINUX_FILEMAP_LOCAL_H
#define _LINUX_FILEMAP_LOCAL_H

#include <linux/gfp_types.h>
#include <linux/jump_label.h>
#include <linux/nodemask.h>

struct folio;
struct notifier_block;

#ifdef CONFIG_OE_FILEMAP_ALLOC_LOCAL
DECLARE_STATIC_KEY_FALSE(filemap_alloc_local_key);

static inline bool filemap_alloc_local_enabled(void)
{
	return static_branch_unlikely(&filemap_alloc_local_key);
}

struct folio *filemap_alloc_folio_local(gfp_t gfp, unsigned int order);
unsigned int filemap_alloc_local_get(void);
int filemap_alloc_local_register_notifier(struct notifier_block *nb);

#if IS_ENABLED(CONFIG_KUNIT)
bool filemap_local_choose(int mode, const nodemask_t *pol_nodes,
			  const nodemask_t *allowed, const nodemask_t *cpu_mem,
			  int local_nid, bool spread, int *rotor,
			  nodemask_t *mask, int *nid);
#endif

#else /* !CONFIG_OE_FILEMAP_ALLOC_LOCAL */

static inline bool filemap_alloc_local_enabled(void)
{
	return false;
}

static inline struct folio *filemap_alloc_folio_local(gfp_t gfp,
						      unsigned int order)
{
	return NULL;
}

static inline unsigned int filemap_alloc_local_get(void)
{
	return 0;
}

static inline int
filemap_alloc_local_register_notifier(struct notifier_block *nb)
{
	return 0;
}
#endif /* CONFIG_OE_FILEMAP_ALLOC_LOCAL */

#endif /* _LINUX_FILEMAP_LOCAL_H */
