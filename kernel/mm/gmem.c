// SPDX-License-Identifier: GPL-2.0-only
/*
 * GMem core: the logical page table of peer-shared mappings, the state
 * of each logical page, and the per-device LRU that eviction uses.
 *
 * Locking: a gm_mapping's own mutex serialises changes of its state and
 * of its LRU membership. While the page is on an LRU, that LRU's lock
 * also guards its PINNED and EVICTING flags, since eviction picks pages
 * without taking their mutex. The caller keeps a mapping from being
 * erased while it uses it (the fault paths hold mmap_lock).
 */
#define pr_fmt(fmt) "gmem: " fmt

#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/gmem.h>
#include <linux/hashtable.h>
#include <linux/init.h>
#include <linux/kstrtox.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/numa.h>
#include <linux/printk.h>
#include <linux/slab.h>

DEFINE_STATIC_KEY_FALSE(gmem_status);

static bool gmem_requested __initdata;

static int __init setup_gmem(char *s)
{
	if (kstrtobool(s, &gmem_requested)) {
		pr_warn("gmem=%s is not a boolean; GMem stays off\n", s);
		gmem_requested = false;
	}
	return 1;
}
__setup("gmem=", setup_gmem);

/* The key is flipped once the kernel can patch code, not while parsing. */
static int __init gmem_init(void)
{
	if (!gmem_requested)
		return 0;
	static_branch_enable(&gmem_status);
	pr_info("enabled\n");
	return 0;
}
core_initcall(gmem_init);

/* Logical pages in each state, over every address space. */
static atomic_long_t gm_nr_pages[GM_MAPPING_DEVICE + 1];
static atomic_long_t gm_nr_as;
/* Pages being copied between host and a device (none move yet). */
static atomic_long_t gm_nr_migrating;

void gm_stats_read(struct gm_stats *st)
{
	int i;

	st->address_spaces = atomic_long_read(&gm_nr_as);
	for (i = 0; i <= GM_MAPPING_DEVICE; i++)
		st->pages[i] = atomic_long_read(&gm_nr_pages[i]);
	st->migrating = atomic_long_read(&gm_nr_migrating);
}

/* --- The logical page table ----------------------------------------- */

void gm_lpt_init(struct gm_lpt *lpt)
{
	xa_init(&lpt->pages);
}

/* The entry of the logical page holding @va, or NULL if there is none. */
struct gm_mapping *gm_lpt_lookup(struct gm_lpt *lpt, unsigned long va)
{
	return xa_load(&lpt->pages, va >> GMEM_PAGE_SHIFT);
}

/*
 * The entry of the logical page holding @va, made (NOMAP) if there is
 * none. Of two callers racing to make it, both get the same one.
 */
struct gm_mapping *gm_lpt_get(struct gm_lpt *lpt, unsigned long va,
			      gfp_t gfp)
{
	unsigned long index = va >> GMEM_PAGE_SHIFT;
	struct gm_mapping *m, *old;

	m = xa_load(&lpt->pages, index);
	if (m)
		return m;

	m = kzalloc(sizeof(*m), gfp);
	if (!m)
		return ERR_PTR(-ENOMEM);
	mutex_init(&m->lock);
	m->state = GM_MAPPING_NOMAP;
	m->va = index << GMEM_PAGE_SHIFT;
	m->hnid = NUMA_NO_NODE;
	INIT_LIST_HEAD(&m->lru);

	old = xa_cmpxchg(&lpt->pages, index, NULL, m, gfp);
	if (!old) {
		atomic_long_inc(&gm_nr_pages[GM_MAPPING_NOMAP]);
		return m;
	}
	kfree(m);
	return xa_is_err(old) ? ERR_PTR(xa_err(old)) : old;
}

static void gm_mapping_free(struct gm_mapping *m, gm_release_fn release,
			    void *arg)
{
	if (release)
		release(m, arg);
	atomic_long_dec(&gm_nr_pages[m->state]);
	mutex_destroy(&m->lock);
	kfree(m);
}

/*
 * Remove the logical pages wholly inside [@start, @end), handing each to
 * @release first (which gives back its host or device page and takes it
 * off its LRU). Pages only partly inside stay. Returns how many went.
 */
unsigned long gm_lpt_erase(struct gm_lpt *lpt, unsigned long start,
			   unsigned long end, gm_release_fn release,
			   void *arg)
{
	unsigned long first = DIV_ROUND_UP(start, GMEM_PAGE_SIZE);
	unsigned long stop = end >> GMEM_PAGE_SHIFT;
	unsigned long index, nr = 0;
	struct gm_mapping *m;

	if (end <= start || first >= stop)
		return 0;
	xa_for_each_range(&lpt->pages, index, m, first, stop - 1) {
		xa_erase(&lpt->pages, index);
		gm_mapping_free(m, release, arg);
		nr++;
	}
	return nr;
}

void gm_lpt_destroy(struct gm_lpt *lpt, gm_release_fn release, void *arg)
{
	unsigned long index;
	struct gm_mapping *m;

	xa_for_each(&lpt->pages, index, m)
		gm_mapping_free(m, release, arg);
	xa_destroy(&lpt->pages);
}

/* --- The state of a logical page ------------------------------------ */

/*
 * Record that @m's data moved to @to. Every move between the three
 * states is allowed but one: a pinned device page does not go back to
 * the CPU (it may only be freed). A device page leaves its LRU before
 * it leaves the device. The caller holds m->lock.
 */
int gm_mapping_set_state(struct gm_mapping *m, enum gm_mapping_state to)
{
	lockdep_assert_held(&m->lock);

	if (to == m->state || to > GM_MAPPING_DEVICE)
		return -EINVAL;
	if (m->state == GM_MAPPING_DEVICE) {
		if (!list_empty(&m->lru))
			return -EBUSY;
		if ((m->flags & GM_MAPPING_PINNED) && to == GM_MAPPING_CPU)
			return -EBUSY;
		m->flags = 0;
		m->hnid = NUMA_NO_NODE;
		m->dev_pfn = 0;
	}
	if (m->state == GM_MAPPING_CPU)
		m->page = NULL;
	atomic_long_dec(&gm_nr_pages[m->state]);
	atomic_long_inc(&gm_nr_pages[to]);
	m->state = to;
	return 0;
}

/* --- A device's LRU ------------------------------------------------- */

void gm_lru_init(struct gm_lru *lru)
{
	spin_lock_init(&lru->lock);
	INIT_LIST_HEAD(&lru->pages);
	lru->nr = 0;
}

/* Put device page @m at the hot end. The caller holds m->lock. */
int gm_lru_add(struct gm_lru *lru, struct gm_mapping *m)
{
	lockdep_assert_held(&m->lock);

	if (m->state != GM_MAPPING_DEVICE || !list_empty(&m->lru))
		return -EINVAL;
	spin_lock(&lru->lock);
	list_add_tail(&m->lru, &lru->pages);
	lru->nr++;
	spin_unlock(&lru->lock);
	return 0;
}

/* @m was used: it becomes the hottest page, if it is on the LRU. */
void gm_lru_touch(struct gm_lru *lru, struct gm_mapping *m)
{
	spin_lock(&lru->lock);
	if (!list_empty(&m->lru))
		list_move_tail(&m->lru, &lru->pages);
	spin_unlock(&lru->lock);
}

/* Take @m off the LRU (and out of eviction). The caller holds m->lock. */
void gm_lru_del(struct gm_lru *lru, struct gm_mapping *m)
{
	lockdep_assert_held(&m->lock);

	spin_lock(&lru->lock);
	if (!list_empty(&m->lru)) {
		list_del_init(&m->lru);
		lru->nr--;
		m->flags &= ~GM_MAPPING_EVICTING;
	}
	spin_unlock(&lru->lock);
}

/*
 * Pin device page @m (never evicted) or unpin it. A page already chosen
 * for eviction cannot be pinned. The caller holds m->lock.
 */
int gm_lru_pin(struct gm_lru *lru, struct gm_mapping *m, bool pin)
{
	int ret = 0;

	lockdep_assert_held(&m->lock);

	if (m->state != GM_MAPPING_DEVICE)
		return -EINVAL;
	spin_lock(&lru->lock);
	if (list_empty(&m->lru))
		ret = -EINVAL;
	else if (pin && (m->flags & GM_MAPPING_EVICTING))
		ret = -EBUSY;
	else if (pin)
		m->flags |= GM_MAPPING_PINNED;
	else
		m->flags &= ~GM_MAPPING_PINNED;
	spin_unlock(&lru->lock);
	return ret;
}

/*
 * The coldest page that is neither pinned nor already being evicted,
 * marked EVICTING and left on the LRU until its eviction takes it off;
 * NULL if there is none.
 */
struct gm_mapping *gm_lru_pick_victim(struct gm_lru *lru)
{
	struct gm_mapping *m;

	spin_lock(&lru->lock);
	list_for_each_entry(m, &lru->pages, lru) {
		if (m->flags & (GM_MAPPING_PINNED | GM_MAPPING_EVICTING))
			continue;
		m->flags |= GM_MAPPING_EVICTING;
		spin_unlock(&lru->lock);
		return m;
	}
	spin_unlock(&lru->lock);
	return NULL;
}

/* --- Address spaces and the hooks in mm/ -------------------------------- */

/*
 * The gm_as of each mm that used a peer-shared mapping. Lookups run
 * under RCU; a gm_as is only removed by its mm's exit_mmap, when no
 * fault or ioctl can be using that mm any more.
 */
static DEFINE_HASHTABLE(gm_as_table, 6);
static DEFINE_SPINLOCK(gm_as_lock);

static struct gm_as *gm_as_lookup(struct mm_struct *mm)
{
	struct gm_as *as;

	rcu_read_lock();
	hash_for_each_possible_rcu(gm_as_table, as, node, (unsigned long)mm) {
		if (as->mm == mm) {
			rcu_read_unlock();
			return as;
		}
	}
	rcu_read_unlock();
	return NULL;
}

static struct gm_as *gm_as_get(struct mm_struct *mm)
{
	struct gm_as *as, *old;

	as = gm_as_lookup(mm);
	if (as)
		return as;
	as = kzalloc(sizeof(*as), GFP_KERNEL);
	if (!as)
		return NULL;
	as->mm = mm;
	gm_lpt_init(&as->lpt);

	spin_lock(&gm_as_lock);
	hash_for_each_possible(gm_as_table, old, node, (unsigned long)mm) {
		if (old->mm == mm) {
			spin_unlock(&gm_as_lock);
			kfree(as);
			return old;
		}
	}
	hash_add_rcu(gm_as_table, &as->node, (unsigned long)mm);
	spin_unlock(&gm_as_lock);
	atomic_long_inc(&gm_nr_as);
	return as;
}

/*
 * Where a peer-shared mapping goes: an anonymous private mapping whose
 * start and length are whole 2 MiB logical pages. Without MAP_FIXED the
 * hint is rounded up, and otherwise an area 2 MiB longer is looked for
 * and its start rounded up. The caller holds mmap_lock for writing.
 */
unsigned long gmem_get_unmapped_area(struct file *file, unsigned long addr,
				     unsigned long len, unsigned long pgoff,
				     unsigned long flags)
{
	unsigned long area;

	if (file || (flags & MAP_TYPE) != MAP_PRIVATE ||
	    !(flags & MAP_ANONYMOUS) || (flags & MAP_GROWSDOWN))
		return -EINVAL;
	if (!IS_ALIGNED(len, GMEM_PAGE_SIZE))
		return -EINVAL;
	if (flags & MAP_FIXED) {
		if (!IS_ALIGNED(addr, GMEM_PAGE_SIZE))
			return -EINVAL;
		return get_unmapped_area(NULL, addr, len, pgoff, flags);
	}
	if (addr) {
		area = get_unmapped_area(NULL, ALIGN(addr, GMEM_PAGE_SIZE), len,
					 pgoff, flags);
		if (IS_ERR_VALUE(area) || IS_ALIGNED(area, GMEM_PAGE_SIZE))
			return area;
	}
	if (len > TASK_SIZE - GMEM_PAGE_SIZE)
		return -ENOMEM;
	area = get_unmapped_area(NULL, 0, len + GMEM_PAGE_SIZE, pgoff, flags);
	if (IS_ERR_VALUE(area))
		return area;
	return ALIGN(area, GMEM_PAGE_SIZE);
}

/*
 * munmap (and whatever else unmaps: MAP_FIXED, mremap) may cut a
 * peer-shared mapping only at logical page boundaries.
 */
int gmem_munmap_check(struct mm_struct *mm, unsigned long start,
		      unsigned long end)
{
	VMA_ITERATOR(vmi, mm, start);
	struct vm_area_struct *vma;

	if (IS_ALIGNED(start, GMEM_PAGE_SIZE) && IS_ALIGNED(end, GMEM_PAGE_SIZE))
		return 0;
	for_each_vma_range(vmi, vma, end)
		if (vma->vm_flags & VM_PEER_SHARED)
			return -EINVAL;
	return 0;
}

static void gm_mapping_release(struct gm_mapping *m, void *arg)
{
	/* Host pages go with the page tables; no device holds any yet. */
	WARN_ON_ONCE(m->state == GM_MAPPING_DEVICE);
}

/*
 * [start, end) is no longer mapped: its VMAs are detached, so no fault
 * can reach it. Forget its logical pages.
 */
void gmem_munmap(struct mm_struct *mm, unsigned long start,
		 unsigned long end)
{
	struct gm_as *as = gm_as_lookup(mm);

	if (as)
		gm_lpt_erase(&as->lpt, start, end, gm_mapping_release, NULL);
}

/*
 * MADV_DONTNEED on the host: free [start, end) of peer-shared @vma,
 * whole logical pages only. The caller holds mmap_lock for writing and
 * has write-locked @vma, which keeps every fault out of it.
 */
int gm_as_dontneed(struct vm_area_struct *vma, unsigned long start,
		   unsigned long end)
{
	struct gm_as *as = gm_as_lookup(vma->vm_mm);

	mmap_assert_write_locked(vma->vm_mm);
	if (start >= end)
		return 0;
	zap_page_range_single(vma, start, end - start, NULL);
	if (as)
		gm_lpt_erase(&as->lpt, start, end, gm_mapping_release, NULL);
	return 0;
}

/*
 * A CPU fault in a peer-shared mapping: the logical page is on the host
 * from now on. Its data is brought back first if a device holds it.
 */
vm_fault_t gmem_cpu_fault(struct vm_area_struct *vma, unsigned long addr)
{
	struct gm_as *as = gm_as_get(vma->vm_mm);
	struct gm_mapping *m;
	vm_fault_t ret = 0;

	if (!as)
		return VM_FAULT_OOM;
	m = gm_lpt_get(&as->lpt, addr, GFP_KERNEL);
	if (IS_ERR(m))
		return VM_FAULT_OOM;
	mutex_lock(&m->lock);
	if (m->state == GM_MAPPING_NOMAP)
		gm_mapping_set_state(m, GM_MAPPING_CPU);
	else if (m->state == GM_MAPPING_DEVICE)
		ret = VM_FAULT_SIGBUS;	/* no device can hold pages yet */
	mutex_unlock(&m->lock);
	return ret;
}

/* @mm's last user is gone: drop its logical page table. */
void gmem_exit_mmap(struct mm_struct *mm)
{
	struct gm_as *as = gm_as_lookup(mm);

	if (!as)
		return;
	spin_lock(&gm_as_lock);
	hash_del_rcu(&as->node);
	spin_unlock(&gm_as_lock);
	gm_lpt_destroy(&as->lpt, gm_mapping_release, NULL);
	/* Lookups for other mms may still be walking past it. */
	kfree_rcu(as, rcu);
	atomic_long_dec(&gm_nr_as);
}
