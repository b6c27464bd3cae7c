/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GMem: one virtual address space for the CPU and accelerators.
 *
 * The core keeps, for each peer-shared mapping, a logical page table:
 * one entry per 2 MiB logical page, saying where its data lives (nowhere
 * yet, host memory or one device's memory). Device-resident pages sit on
 * their device's LRU, coldest first, from which eviction takes victims
 * when device memory runs out.
 */
#ifndef _LINUX_GMEM_H
#define _LINUX_GMEM_H

#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/jump_label.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mman.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/xarray.h>

/* A logical page is 2 MiB on every architecture GMem supports. */
#define GMEM_PAGE_SHIFT		21
#define GMEM_PAGE_SIZE		BIT(GMEM_PAGE_SHIFT)
#define GMEM_PAGE_MASK		(~(GMEM_PAGE_SIZE - 1))

/* Where a logical page's data is: exactly one of these. */
enum gm_mapping_state {
	GM_MAPPING_NOMAP,	/* nowhere yet, or freed: reads as zeroes */
	GM_MAPPING_CPU,		/* in host memory */
	GM_MAPPING_DEVICE,	/* in one device's memory */
};

/* Flags of a device-resident page. */
#define GM_MAPPING_PINNED	BIT(0)	/* never evicted, CPU may not fault */
#define GM_MAPPING_EVICTING	BIT(1)	/* chosen as an eviction victim */

struct gm_mapping {
	/* Serialises every change of state and flags of this page. */
	struct mutex lock;
	enum gm_mapping_state state;
	unsigned int flags;
	unsigned long va;	/* first address of the logical page */
	int hnid;		/* the device's node while DEVICE */
	unsigned long dev_pfn;	/* the device page while DEVICE */
	struct page *page;	/* the host page while CPU */
	struct list_head lru;	/* on the device's LRU while DEVICE */
};

/* The logical page table of one peer-shared mapping. */
struct gm_lpt {
	struct xarray pages;	/* gm_mapping by va >> GMEM_PAGE_SHIFT */
};

/* The GMem side of one address space (one per mm that used GMem). */
struct gm_as {
	struct mm_struct *mm;	/* not counted: gone at its exit_mmap */
	struct gm_lpt lpt;	/* every peer-shared mapping of mm */
	struct hlist_node node;	/* in the table of address spaces */
	struct rcu_head rcu;
};

/* A device's resident pages, coldest first. */
struct gm_lru {
	/* Protects the list, nr, and PINNED/EVICTING of the pages on it. */
	spinlock_t lock;
	struct list_head pages;
	unsigned long nr;
};

#ifdef CONFIG_GMEM

DECLARE_STATIC_KEY_FALSE(gmem_status);

/* gmem=on on the command line; off by default, and then nothing changes. */
static inline bool gmem_is_enabled(void)
{
	return static_branch_unlikely(&gmem_status);
}

typedef void (*gm_release_fn)(struct gm_mapping *m, void *arg);

void gm_lpt_init(struct gm_lpt *lpt);
struct gm_mapping *gm_lpt_lookup(struct gm_lpt *lpt, unsigned long va);
struct gm_mapping *gm_lpt_get(struct gm_lpt *lpt, unsigned long va,
			      gfp_t gfp);
unsigned long gm_lpt_erase(struct gm_lpt *lpt, unsigned long start,
			   unsigned long end, gm_release_fn release,
			   void *arg);
void gm_lpt_destroy(struct gm_lpt *lpt, gm_release_fn release, void *arg);

int gm_mapping_set_state(struct gm_mapping *m, enum gm_mapping_state to);

void gm_lru_init(struct gm_lru *lru);
int gm_lru_add(struct gm_lru *lru, struct gm_mapping *m);
void gm_lru_touch(struct gm_lru *lru, struct gm_mapping *m);
void gm_lru_del(struct gm_lru *lru, struct gm_mapping *m);
int gm_lru_pin(struct gm_lru *lru, struct gm_mapping *m, bool pin);
struct gm_mapping *gm_lru_pick_victim(struct gm_lru *lru);

/*
 * MAP_PEER_SHARED shares its bit with the hugetlb page size field, which
 * means something only with MAP_HUGETLB: there the bit is a size.
 */
static inline bool gmem_is_peer_shared_request(unsigned long flags)
{
	return gmem_is_enabled() &&
	       (flags & (MAP_PEER_SHARED | MAP_HUGETLB)) == MAP_PEER_SHARED;
}

/* The flags every peer-shared mapping gets (see gmem_get_unmapped_area). */
#define VM_PEER_SHARED_FLAGS	(VM_PEER_SHARED | VM_HUGEPAGE | VM_WIPEONFORK)

/* Hooks in mm/ for peer-shared mappings. */
unsigned long gmem_get_unmapped_area(struct file *file, unsigned long addr,
				     unsigned long len, unsigned long pgoff,
				     unsigned long flags);
int gmem_munmap_check(struct mm_struct *mm, unsigned long start,
		      unsigned long end);
void gmem_munmap(struct mm_struct *mm, unsigned long start,
		 unsigned long end);
vm_fault_t gmem_cpu_fault(struct vm_area_struct *vma, unsigned long addr);
void gmem_exit_mmap(struct mm_struct *mm);

/* For /dev/gmem and /proc/gmemstat (mm/gmem_dev.c). */
int gm_as_dontneed(struct vm_area_struct *vma, unsigned long start,
		   unsigned long end);
struct gm_stats {
	long address_spaces;
	long pages[GM_MAPPING_DEVICE + 1];	/* by gm_mapping_state */
	long migrating;
};

void gm_stats_read(struct gm_stats *st);

#else	/* !CONFIG_GMEM */

static inline bool gmem_is_enabled(void)
{
	return false;
}

static inline bool gmem_is_peer_shared_request(unsigned long flags)
{
	return false;
}

#define VM_PEER_SHARED_FLAGS	VM_NONE

static inline unsigned long
gmem_get_unmapped_area(struct file *file, unsigned long addr,
		       unsigned long len, unsigned long pgoff,
		       unsigned long flags)
{
	return -EINVAL;
}

static inline int gmem_munmap_check(struct mm_struct *mm,
				    unsigned long start, unsigned long end)
{
	return 0;
}

static inline void gmem_munmap(struct mm_struct *mm, unsigned long start,
			       unsigned long end)
{
}

static inline vm_fault_t gmem_cpu_fault(struct vm_area_struct *vma,
					unsigned long addr)
{
	return 0;
}

static inline void gmem_exit_mmap(struct mm_struct *mm)
{
}

#endif	/* CONFIG_GMEM */
#endif	/* _LINUX_GMEM_H */
