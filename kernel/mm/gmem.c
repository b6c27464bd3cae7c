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

#include <linux/err.h>
#include <linux/gmem.h>
#include <linux/init.h>
#include <linux/kstrtox.h>
#include <linux/lockdep.h>
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
	if (!old)
		return m;
	kfree(m);
	return xa_is_err(old) ? ERR_PTR(xa_err(old)) : old;
}

static void gm_mapping_free(struct gm_mapping *m, gm_release_fn release,
			    void *arg)
{
	if (release)
		release(m, arg);
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
