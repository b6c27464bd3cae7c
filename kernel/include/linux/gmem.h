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
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/xarray.h>

/* A logical page is 2 MiB on every architecture GMem supports. */
#define GMEM_PAGE_SHIFT		21
#define GMEM_PAGE_SIZE		BIT(GMEM_PAGE_SHIFT)
#define GMEM_PAGE_MASK		(~(GMEM_PAGE_SIZE - 1))

static inline bool gmem_page_aligned(unsigned long addr)
{
	return !(addr & (GMEM_PAGE_SIZE - 1));
}

/* Where a logical page's data is: exactly one of these. */
enum gm_mapping_state {
	GM_MAPPING_NOMAP,	/* nowhere yet, or freed: reads as zeroes */
	GM_MAPPING_CPU,		/* in host memory */
	GM_MAPPING_DEVICE,	/* in one device's memory */
};

/* Flags of a device-resident page. */
#define GM_MAPPING_PINNED	BIT(0)	/* never evicted, CPU may not fault */
#define GM_MAPPING_EVICTING	BIT(1)	/* chosen as an eviction victim */

/* Base pages in a logical page. */
#define GMEM_NR_SUBPAGES	(GMEM_PAGE_SIZE >> PAGE_SHIFT)

struct gm_dev;
struct gm_lpt;

struct gm_mapping {
	/* Serialises every change of state and flags of this page. */
	struct mutex lock;
	/* The table's reference, and an evictor's while it holds the lock. */
	refcount_t ref;
	enum gm_mapping_state state;
	unsigned int flags;
	unsigned long va;	/* first address of the logical page */
	int hnid;		/* the device's node while DEVICE */
	struct gm_dev *dev;	/* and the device */
	unsigned long dev_pfn;	/* the device page while DEVICE */
	struct list_head lru;	/* on the device's LRU while DEVICE */
	struct gm_lpt *lpt;	/* the table it is in */
	/*
	 * While CPU: base pages brought back from a device and not yet
	 * mapped by a CPU fault (NULL where a fault took it, or there was
	 * nothing). Page-table locks are held where faults take them,
	 * hence a spinlock.
	 */
	spinlock_t host_lock;
	struct page **host;
	unsigned int nr_host;
};

/* The logical page table of one address space. */
struct gm_lpt {
	struct xarray pages;	/* gm_mapping by va >> GMEM_PAGE_SHIFT */
	/* Its pages in each state, so that no reader walks the table. */
	atomic_long_t nr[GM_MAPPING_DEVICE + 1];
	/* Whose pinned_vm counts its pinned pages (NULL: nobody's). */
	struct mm_struct *mm;
};

/* The GMem side of one address space (one per mm that used GMem). */
struct gm_as {
	struct mm_struct *mm;	/* not counted: gone at its exit_mmap */
	struct gm_lpt lpt;	/* every peer-shared mapping of mm */
	struct gm_dev *devs[4];	/* attached, in order; under gm_as_lock */
	struct pid *tgid;	/* the process that first used GMem in mm */
	u64 id;			/* in creation order: where a dump resumes */
	struct hlist_node node;	/* in the table of address spaces */
	struct list_head list;	/* in the list of them, by id */
	struct rcu_head rcu;
};

/* A device's resident pages, coldest first. */
struct gm_lru {
	/* Protects the list, nr, and PINNED/EVICTING of the pages on it. */
	spinlock_t lock;
	struct list_head pages;
	unsigned long nr;
};

/* What a device's MMU callbacks return (openEuler's values). */
enum gm_ret {
	GM_RET_SUCCESS = 0,
	GM_RET_NOMEM,
	GM_RET_PAGE_EXIST,
	GM_RET_DMA_ERROR,
	GM_RET_MIGRATING,
	GM_RET_FAILURE_UNKNOWN,
	GM_RET_UNIMPLEMENTED,
};

/* One logical page moving between host and a device. */
struct gm_fault_t {
	struct mm_struct *mm;
	struct gm_dev *dev;
	unsigned long va;		/* the logical page */
	unsigned long size;		/* GMEM_PAGE_SIZE */
	/*
	 * The host side, GMEM_NR_SUBPAGES base pages: peer_map copies them
	 * in (NULL reads as zeroes); peer_unmap copies out into them, or,
	 * if pages is NULL, drops the data.
	 */
	struct page **pages;
	unsigned long dev_addr;		/* set by peer_map, given to unmap */
};

/* A copy between two ranges of one address space, by a device. */
struct gm_memcpy_t {
	struct mm_struct *mm;
	struct gm_dev *dev;
	unsigned long dest;
	unsigned long src;
	size_t size;		/* within one logical page on each side */
};

/**
 * struct gm_mmu - a device's MMU, as GMem drives it
 * @peer_map: take device memory for the logical page @gmf->va, fill it
 *	from @gmf->pages and set @gmf->dev_addr; %GM_RET_NOMEM when the
 *	device is full (GMem then evicts a page and asks again)
 * @peer_unmap: copy the page at @gmf->dev_addr out into @gmf->pages (or
 *	drop it if that is NULL) and give the device memory back
 * @peer_va_free: the range @gmf->va, @gmf->size of an address space is
 *	gone; va 0 and size 0 mean the whole address space
 * @peer_hmemcpy: copy between two ranges the device holds;
 *	%GM_RET_MIGRATING if one of them left the device meanwhile (GMem
 *	brings it back and asks again)
 *
 * GMem calls them in process context with a logical page's mutex and
 * sometimes mmap_lock held: they may sleep, but must not call back into
 * GMem. All four are required.
 */
struct gm_mmu {
	enum gm_ret (*peer_map)(struct gm_fault_t *gmf);
	enum gm_ret (*peer_unmap)(struct gm_fault_t *gmf);
	enum gm_ret (*peer_va_free)(struct gm_fault_t *gmf);
	enum gm_ret (*peer_hmemcpy)(struct gm_memcpy_t *gmc);
};

/**
 * struct gm_dev - an accelerator under GMem: a heterogeneous NUMA node
 * @name: for messages and netlink; set by the driver
 * @mmu: the device's MMU callbacks; set by the driver
 * @priv: the driver's
 * @capacity: bytes of device memory, 0 if unknown; set by the driver
 * @hnid: the device's node id, set by gm_dev_register()
 * @lru: the device's resident pages, coldest first
 * @node: in GMem's list of devices
 * @nr_faults: device faults served
 * @nr_to_dev: logical pages moved onto the device
 * @nr_to_host: logical pages moved off it (CPU faults, eviction, detach)
 * @nr_evicted: of those, the ones moved off to make room
 */
struct gm_dev {
	const char *name;
	const struct gm_mmu *mmu;
	void *priv;			/* the driver's */
	u64 capacity;			/* bytes of device memory, 0: unknown */
	int hnid;			/* set by gm_dev_register */
	struct gm_lru lru;
	struct list_head node;		/* in the list of devices */
	atomic_long_t nr_faults;	/* device faults served */
	atomic_long_t nr_to_dev;	/* logical pages moved in */
	atomic_long_t nr_to_host;	/* and out (CPU faults, eviction) */
	atomic_long_t nr_evicted;	/* moved out to make room */
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

int gm_dev_register(struct gm_dev *dev);
void gm_dev_unregister(struct gm_dev *dev);
struct gm_dev *gm_dev_get_by_hnid(int hnid);
void gm_dev_put(struct gm_dev *dev);
int gm_dev_fault(struct mm_struct *mm, unsigned long va, struct gm_dev *dev);
int gm_dev_attach(struct mm_struct *mm, struct gm_dev *dev);
void gm_dev_detach(struct mm_struct *mm, struct gm_dev *dev);
int gm_as_first_hnid(struct mm_struct *mm);
bool gm_as_attached(struct mm_struct *mm, struct gm_dev *dev);

/* Hooks in mm/ for peer-shared mappings. */
unsigned long gmem_get_unmapped_area(struct file *file, unsigned long addr,
				     unsigned long len, unsigned long pgoff,
				     unsigned long flags);
int gmem_munmap_check(struct mm_struct *mm, unsigned long start,
		      unsigned long end);
void gmem_munmap(struct mm_struct *mm, unsigned long start,
		 unsigned long end);
vm_fault_t gmem_cpu_fault(struct vm_area_struct *vma, unsigned long addr);
void gmem_fill_host_pages(struct vm_area_struct *vma, unsigned long addr,
			  struct page *page, unsigned int nr);
void gmem_exit_mmap(struct mm_struct *mm);

/* For /dev/gmem and /proc/gmemstat (mm/gmem_dev.c). */
int gm_as_dontneed(struct vm_area_struct *vma, unsigned long start,
		   unsigned long end, struct gm_dev *dev);
int gm_as_prefetch(struct vm_area_struct *vma, unsigned long start,
		   unsigned long end, struct gm_dev *dev);
int gm_as_pin(struct vm_area_struct *vma, unsigned long start,
	      unsigned long end, struct gm_dev *dev, bool pin);
struct vm_area_struct *gm_peer_vma(struct mm_struct *mm, unsigned long start,
				   size_t size);
int gm_as_hmemcpy(struct mm_struct *mm, struct gm_dev *dev,
		  unsigned long dest, unsigned long src, size_t size);
struct gm_stats {
	long address_spaces;
	long pages[GM_MAPPING_DEVICE + 1];	/* by gm_mapping_state */
	long migrating;
};

void gm_stats_read(struct gm_stats *st);

struct gm_as_usage {
	pid_t tgid;
	long pages[GM_MAPPING_DEVICE + 1];	/* by gm_mapping_state */
};

typedef int (*gm_usage_fn)(const struct gm_as_usage *u, void *arg);
int gm_as_walk_usage(gm_usage_fn fn, void *arg, u64 *last_id);

/* The oe_gmem netlink family (mm/gmem_nl.c). */
int gmem_nl_init(void);
void gmem_nl_pressure(struct gm_dev *dev, unsigned int evicted, pid_t pid);

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

static inline void gmem_fill_host_pages(struct vm_area_struct *vma,
					unsigned long addr,
					struct page *page, unsigned int nr)
{
}

static inline void gmem_exit_mmap(struct mm_struct *mm)
{
}

#endif	/* CONFIG_GMEM */
#endif	/* _LINUX_GMEM_H */
