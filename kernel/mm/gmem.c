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
#include <linux/capability.h>
#include <linux/err.h>
#include <linux/gmem.h>
#include <linux/hashtable.h>
#include <linux/highmem.h>
#include <linux/idr.h>
#include <linux/init.h>
#include <linux/kstrtox.h>
#include <linux/lockdep.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/numa.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/printk.h>
#include <linux/refcount.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

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

/**
 * gm_stats_read - GMem's counters, as /proc/gmemstat shows them
 * @st: filled in: address spaces that used GMem, logical pages in each
 *	state and pages being copied now, over the whole system
 *
 * Each counter is read on its own: together they are not a snapshot.
 */
void gm_stats_read(struct gm_stats *st)
{
	int i;

	st->address_spaces = atomic_long_read(&gm_nr_as);
	for (i = 0; i <= GM_MAPPING_DEVICE; i++)
		st->pages[i] = atomic_long_read(&gm_nr_pages[i]);
	st->migrating = atomic_long_read(&gm_nr_migrating);
}

/* --- The logical page table ----------------------------------------- */

/**
 * gm_lpt_init - Set up an empty logical page table
 * @lpt: the table; its pinned pages count against nobody's
 *	RLIMIT_MEMLOCK until @lpt->mm is set
 */
void gm_lpt_init(struct gm_lpt *lpt)
{
	int i;

	xa_init(&lpt->pages);
	for (i = 0; i <= GM_MAPPING_DEVICE; i++)
		atomic_long_set(&lpt->nr[i], 0);
	lpt->mm = NULL;
}

/**
 * gm_lpt_lookup - Find the entry of a logical page
 * @lpt: the table
 * @va: any address in the logical page
 *
 * Return: the entry, or NULL if there is none. The caller keeps it from
 * being erased while it uses it.
 */
struct gm_mapping *gm_lpt_lookup(struct gm_lpt *lpt, unsigned long va)
{
	return xa_load(&lpt->pages, va >> GMEM_PAGE_SHIFT);
}

/**
 * gm_lpt_get - Find or make the entry of a logical page
 * @lpt: the table
 * @va: any address in the logical page
 * @gfp: how to allocate a new entry
 *
 * A new entry is NOMAP. Of two callers racing to make it, both get the
 * same one.
 *
 * Return: the entry, or an ERR_PTR() (-ENOMEM).
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
	refcount_set(&m->ref, 1);
	spin_lock_init(&m->host_lock);
	m->state = GM_MAPPING_NOMAP;
	m->va = index << GMEM_PAGE_SHIFT;
	m->hnid = NUMA_NO_NODE;
	INIT_LIST_HEAD(&m->lru);
	m->lpt = lpt;

	old = xa_cmpxchg(&lpt->pages, index, NULL, m, gfp);
	if (!old) {
		atomic_long_inc(&gm_nr_pages[GM_MAPPING_NOMAP]);
		atomic_long_inc(&lpt->nr[GM_MAPPING_NOMAP]);
		return m;
	}
	kfree(m);
	return xa_is_err(old) ? ERR_PTR(xa_err(old)) : old;
}

static void gm_mapping_put(struct gm_mapping *m)
{
	if (refcount_dec_and_test(&m->ref)) {
		mutex_destroy(&m->lock);
		kfree(m);
	}
}

static void gm_mapping_free(struct gm_mapping *m, gm_release_fn release,
			    void *arg)
{
	if (release)
		release(m, arg);
	atomic_long_dec(&gm_nr_pages[m->state]);
	atomic_long_dec(&m->lpt->nr[m->state]);
	gm_mapping_put(m);
}

/**
 * gm_lpt_erase - Remove the logical pages of a range
 * @lpt: the table
 * @start: first address of the range
 * @end: the address after it
 * @release: called for each page before it goes (it gives back the
 *	page's host or device memory and takes it off its LRU), or NULL
 * @arg: passed to @release
 *
 * Only pages wholly inside [@start, @end) go; pages only partly inside
 * stay.
 *
 * Return: how many pages went.
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

/**
 * gm_lpt_destroy - Remove every logical page and free the table
 * @lpt: the table
 * @release: as for gm_lpt_erase()
 * @arg: passed to @release
 */
void gm_lpt_destroy(struct gm_lpt *lpt, gm_release_fn release, void *arg)
{
	unsigned long index;
	struct gm_mapping *m;

	xa_for_each(&lpt->pages, index, m)
		gm_mapping_free(m, release, arg);
	xa_destroy(&lpt->pages);
}

/* --- The state of a logical page ------------------------------------ */

/* --- Pinning --------------------------------------------------------- */

/*
 * A pinned logical page counts in its mm's pinned_vm, as RDMA's pinned
 * memory does, within RLIMIT_MEMLOCK unless the caller has
 * CAP_IPC_LOCK: one user cannot pin a device's whole memory.
 */
static int gm_pin_account(struct gm_mapping *m)
{
	struct mm_struct *mm = m->lpt->mm;
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;

	if (!mm)
		return 0;
	if (atomic64_add_return(GMEM_NR_SUBPAGES, &mm->pinned_vm) > limit &&
	    !capable(CAP_IPC_LOCK)) {
		atomic64_sub(GMEM_NR_SUBPAGES, &mm->pinned_vm);
		return -ENOMEM;
	}
	return 0;
}

static void gm_pin_unaccount(struct gm_mapping *m)
{
	if (m->lpt->mm)
		atomic64_sub(GMEM_NR_SUBPAGES, &m->lpt->mm->pinned_vm);
}

/**
 * gm_mapping_set_state - Record where a logical page's data now is
 * @m: the logical page, whose lock the caller holds
 * @to: its new state
 *
 * Every move between the three states is allowed but one: a pinned
 * device page does not go back to the CPU (it may only be freed). A
 * device page leaves its LRU before it leaves the device. Leaving the
 * device clears the page's device, flags and pin (and its charge to
 * the owner's pinned memory).
 *
 * Return: 0; -EINVAL if @to is the current state or not a state;
 * -EBUSY if @m is still on an LRU, or pinned and @to is CPU.
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
		if (m->flags & GM_MAPPING_PINNED)
			gm_pin_unaccount(m);
		m->flags = 0;
		m->hnid = NUMA_NO_NODE;
		m->dev = NULL;
		m->dev_pfn = 0;
	}
	atomic_long_dec(&gm_nr_pages[m->state]);
	atomic_long_inc(&gm_nr_pages[to]);
	atomic_long_dec(&m->lpt->nr[m->state]);
	atomic_long_inc(&m->lpt->nr[to]);
	m->state = to;
	return 0;
}

/* --- A device's LRU ------------------------------------------------- */

/**
 * gm_lru_init - Set up an empty LRU
 * @lru: the LRU
 */
void gm_lru_init(struct gm_lru *lru)
{
	spin_lock_init(&lru->lock);
	INIT_LIST_HEAD(&lru->pages);
	lru->nr = 0;
}

/**
 * gm_lru_add - Put a device page on its device's LRU, at the hot end
 * @lru: the device's LRU
 * @m: the page, whose lock the caller holds
 *
 * Return: 0, or -EINVAL if @m is not a device page or is on an LRU
 * already.
 */
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

/**
 * gm_lru_touch - A device page was used: make it the hottest
 * @lru: its device's LRU
 * @m: the page; nothing happens if it is not on @lru
 */
void gm_lru_touch(struct gm_lru *lru, struct gm_mapping *m)
{
	spin_lock(&lru->lock);
	if (!list_empty(&m->lru))
		list_move_tail(&m->lru, &lru->pages);
	spin_unlock(&lru->lock);
}

/**
 * gm_lru_del - Take a page off its LRU, and out of eviction
 * @lru: the LRU
 * @m: the page, whose lock the caller holds; nothing happens if it is
 *	not on @lru
 */
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

/**
 * gm_lru_pin - Pin a device page, so that it is never evicted, or unpin it
 * @lru: its device's LRU
 * @m: the page, whose lock the caller holds (PINNED changes only under
 *	it)
 * @pin: true to pin, false to unpin
 *
 * A pinned page counts in its owner's pinned memory (VmPin), within
 * RLIMIT_MEMLOCK unless the caller has CAP_IPC_LOCK. Pinning a page
 * that is pinned, or unpinning one that is not, does nothing.
 *
 * Return: 0; -EINVAL if @m is not a device page on @lru; -EBUSY if it
 * is being evicted; -ENOMEM if the pin would pass RLIMIT_MEMLOCK.
 */
int gm_lru_pin(struct gm_lru *lru, struct gm_mapping *m, bool pin)
{
	bool pinned = m->flags & GM_MAPPING_PINNED;
	int ret = 0;

	lockdep_assert_held(&m->lock);

	if (m->state != GM_MAPPING_DEVICE)
		return -EINVAL;
	if (pin == pinned)
		return list_empty(&m->lru) ? -EINVAL : 0;
	if (pin) {
		ret = gm_pin_account(m);
		if (ret)
			return ret;
	}
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
	if (!ret && !pin)
		gm_pin_unaccount(m);
	else if (ret && pin)
		gm_pin_unaccount(m);
	return ret;
}

/**
 * gm_lru_pick_victim - Choose the page to evict from a device
 * @lru: the device's LRU
 *
 * The coldest page that is neither pinned nor already being evicted,
 * and whose lock is free. A page whose lock is taken is busy (being
 * faulted or freed), so it is not cold; trying its lock also keeps the
 * LRU lock outside page locks.
 *
 * Return: the page, locked, marked EVICTING and left on the LRU until
 * its eviction takes it off; NULL if there is none.
 */
struct gm_mapping *gm_lru_pick_victim(struct gm_lru *lru)
{
	struct gm_mapping *m;

	spin_lock(&lru->lock);
	list_for_each_entry(m, &lru->pages, lru) {
		if (m->flags & (GM_MAPPING_PINNED | GM_MAPPING_EVICTING))
			continue;
		if (!mutex_trylock(&m->lock))
			continue;
		m->flags |= GM_MAPPING_EVICTING;
		spin_unlock(&lru->lock);
		return m;
	}
	spin_unlock(&lru->lock);
	return NULL;
}

/* --- Devices ----------------------------------------------------------- */

/*
 * Registered devices. A device's hnid is the first node id outside
 * node_possible_map that no other device has. Users of a device found
 * by hnid hold a reference, and unregistering waits for them.
 */
static LIST_HEAD(gm_devs);
static DEFINE_MUTEX(gm_devs_lock);
static DEFINE_IDR(gm_dev_users);	/* hnid -> in use, for allocation */

struct gm_dev_ref {
	struct gm_dev *dev;
	refcount_t users;
};

/**
 * gm_dev_register - Put an accelerator under GMem
 * @dev: the device; the driver has set @dev->name, @dev->mmu (every
 *	callback), @dev->priv and @dev->capacity, and keeps @dev until
 *	gm_dev_unregister() has returned
 *
 * Gives the device a heterogeneous NUMA id (hnid): the lowest node id
 * that no possible node and no other device has. Processes name the
 * device by it in /dev/gmem's ioctls. Also sets up the device's LRU.
 *
 * Context: process context; may sleep.
 * Return: 0, with @dev->hnid set; -ENODEV if GMem is off (no gmem=on);
 * -ENOMEM; -ENOSPC if every node id is taken.
 */
int gm_dev_register(struct gm_dev *dev)
{
	struct gm_dev_ref *ref;
	int hnid;

	if (!gmem_is_enabled())
		return -ENODEV;
	ref = kzalloc(sizeof(*ref), GFP_KERNEL);
	if (!ref)
		return -ENOMEM;
	ref->dev = dev;
	refcount_set(&ref->users, 1);

	mutex_lock(&gm_devs_lock);
	for (hnid = 0; hnid < MAX_NUMNODES; hnid++)
		if (!node_possible(hnid) && !idr_find(&gm_dev_users, hnid))
			break;
	if (hnid == MAX_NUMNODES ||
	    idr_alloc(&gm_dev_users, ref, hnid, hnid + 1, GFP_KERNEL) < 0) {
		mutex_unlock(&gm_devs_lock);
		kfree(ref);
		return -ENOSPC;
	}
	dev->hnid = hnid;
	gm_lru_init(&dev->lru);
	list_add_tail(&dev->node, &gm_devs);
	mutex_unlock(&gm_devs_lock);
	pr_info("device %s is hnid %d\n", dev->name, hnid);
	return 0;
}
EXPORT_SYMBOL_GPL(gm_dev_register);

/**
 * gm_dev_get_by_hnid - Find a registered device by its hnid
 * @hnid: the device's heterogeneous NUMA id
 *
 * The reference taken keeps gm_dev_unregister() waiting, so the device
 * stays usable until gm_dev_put().
 *
 * Context: may sleep.
 * Return: the device, or NULL if no device has @hnid or it is being
 * unregistered.
 */
struct gm_dev *gm_dev_get_by_hnid(int hnid)
{
	struct gm_dev_ref *ref = NULL;

	if (hnid < 0 || hnid >= MAX_NUMNODES)
		return NULL;
	mutex_lock(&gm_devs_lock);
	ref = idr_find(&gm_dev_users, hnid);
	if (ref && !refcount_inc_not_zero(&ref->users))
		ref = NULL;
	mutex_unlock(&gm_devs_lock);
	return ref ? ref->dev : NULL;
}

/**
 * gm_dev_put - Drop a reference gm_dev_get_by_hnid() took
 * @dev: the device
 *
 * The last one lets a waiting gm_dev_unregister() finish.
 *
 * Context: may sleep.
 */
void gm_dev_put(struct gm_dev *dev)
{
	struct gm_dev_ref *ref;

	mutex_lock(&gm_devs_lock);
	ref = idr_find(&gm_dev_users, dev->hnid);
	mutex_unlock(&gm_devs_lock);
	if (refcount_dec_and_test(&ref->users))
		wake_up_var(&ref->users);
}

/**
 * gm_dev_unregister - Take a device out of GMem
 * @dev: a device gm_dev_register() accepted
 *
 * The driver is going. No page may still be on the device: every
 * process that attached it must have been detached first
 * (gm_dev_detach(), which brings its pages home), since GMem holds no
 * reference of its own on an attached device. New lookups by hnid fail
 * at once; this waits for the references already taken, then frees the
 * hnid for the next device.
 *
 * Context: process context; sleeps until the last gm_dev_put().
 */
void gm_dev_unregister(struct gm_dev *dev)
{
	struct gm_dev_ref *ref;

	mutex_lock(&gm_devs_lock);
	ref = idr_find(&gm_dev_users, dev->hnid);
	list_del(&dev->node);
	mutex_unlock(&gm_devs_lock);
	gm_dev_put(dev);
	wait_var_event(&ref->users, !refcount_read(&ref->users));
	mutex_lock(&gm_devs_lock);
	idr_remove(&gm_dev_users, dev->hnid);
	mutex_unlock(&gm_devs_lock);
	kfree(ref);
	WARN_ON_ONCE(dev->lru.nr);
}
EXPORT_SYMBOL_GPL(gm_dev_unregister);

/* --- Address spaces ------------------------------------------------------ */

/*
 * The gm_as of each mm that used a peer-shared mapping. Lookups run
 * under RCU; a gm_as is only removed by its mm's exit_mmap, when no
 * fault or ioctl can be using that mm any more. gm_as_list holds them
 * too, in the order of their ids.
 */
static DEFINE_HASHTABLE(gm_as_table, 6);
static LIST_HEAD(gm_as_list);
static DEFINE_SPINLOCK(gm_as_lock);
static u64 gm_as_last_id;		/* under gm_as_lock */

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
	as = kzalloc(sizeof(*as), GFP_KERNEL_ACCOUNT);
	if (!as)
		return NULL;
	as->mm = mm;
	gm_lpt_init(&as->lpt);
	as->lpt.mm = mm;

	spin_lock(&gm_as_lock);
	hash_for_each_possible(gm_as_table, old, node, (unsigned long)mm) {
		if (old->mm == mm) {
			spin_unlock(&gm_as_lock);
			kfree(as);
			return old;
		}
	}
	as->tgid = get_pid(task_tgid(current));
	as->id = ++gm_as_last_id;
	hash_add_rcu(gm_as_table, &as->node, (unsigned long)mm);
	list_add_tail(&as->list, &gm_as_list);
	spin_unlock(&gm_as_lock);
	atomic_long_inc(&gm_nr_as);
	return as;
}

/*
 * Call @fn with the logical pages of each address space whose id is
 * above *@last_id, in id order, setting *@last_id to each one done; stops
 * at @fn's first error (its message did not fit: the next dump call goes
 * on there). Address spaces come and go between calls, but none is seen
 * twice or skipped. Pids are as the caller's pid namespace sees them;
 * processes it does not see are left out.
 */
int gm_as_walk_usage(gm_usage_fn fn, void *arg, u64 *last_id)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct gm_as_usage u;
	struct gm_as *as;
	int i, ret = 0;

	spin_lock(&gm_as_lock);
	list_for_each_entry(as, &gm_as_list, list) {
		if (as->id <= *last_id)
			continue;
		u.tgid = pid_nr_ns(as->tgid, ns);
		if (u.tgid) {
			for (i = 0; i <= GM_MAPPING_DEVICE; i++)
				u.pages[i] = atomic_long_read(&as->lpt.nr[i]);
			ret = fn(&u, arg);
			if (ret)
				break;
		}
		*last_id = as->id;
	}
	spin_unlock(&gm_as_lock);
	return ret;
}

/* --- Moving a logical page --------------------------------------------- */

static void gm_put_pages(struct page **pages)
{
	int i;

	for (i = 0; i < GMEM_NR_SUBPAGES; i++)
		if (pages[i])
			put_page(pages[i]);
	kfree(pages);
}

static struct page **gm_alloc_page_array(void)
{
	return kcalloc(GMEM_NR_SUBPAGES, sizeof(struct page *),
		       GFP_KERNEL_ACCOUNT);
}

/* Take @m's unmapped host pages, if it has any. Caller holds m->lock. */
static struct page **gm_take_host(struct gm_mapping *m)
{
	struct page **host;

	spin_lock(&m->host_lock);
	host = m->host;
	m->host = NULL;
	m->nr_host = 0;
	spin_unlock(&m->host_lock);
	return host;
}

static void gm_give_host(struct gm_mapping *m, struct page **host)
{
	unsigned int i, nr = 0;

	for (i = 0; i < GMEM_NR_SUBPAGES; i++)
		nr += !!host[i];
	spin_lock(&m->host_lock);
	m->host = host;
	m->nr_host = nr;
	spin_unlock(&m->host_lock);
}

/*
 * Host pages for logical page @m's data on its way home, charged to the
 * memory cgroup of the mm that owns @m, whoever evicts it.
 */
static struct page **gm_alloc_host_pages(struct gm_mapping *m)
{
	struct mem_cgroup *memcg = get_mem_cgroup_from_mm(m->lpt->mm);
	struct mem_cgroup *old = set_active_memcg(memcg);
	struct page **pages = gm_alloc_page_array();
	int i;

	for (i = 0; pages && i < GMEM_NR_SUBPAGES; i++) {
		pages[i] = alloc_page(GFP_HIGHUSER | __GFP_ACCOUNT);
		if (!pages[i]) {
			gm_put_pages(pages);
			pages = NULL;
		}
	}
	set_active_memcg(old);
	mem_cgroup_put(memcg);
	return pages;
}

/*
 * Device page @m comes home: its data into fresh host pages that the
 * next CPU faults map, its device memory back to the device. Caller
 * holds m->lock; @m is off its LRU (or EVICTING, and taken off here).
 * A pinned page stays (-EBUSY): unpin it first.
 */
static int gm_page_to_host(struct gm_mapping *m)
{
	struct gm_dev *dev = m->dev;
	struct gm_fault_t gmf = {
		.dev = dev, .va = m->va, .size = GMEM_PAGE_SIZE,
		.dev_addr = m->dev_pfn,
	};
	struct page **pages;
	int ret;

	lockdep_assert_held(&m->lock);
	if (m->flags & GM_MAPPING_PINNED)
		return -EBUSY;
	pages = gm_alloc_host_pages(m);
	if (!pages)
		return -ENOMEM;
	gmf.pages = pages;
	gm_lru_del(&dev->lru, m);
	atomic_long_inc(&gm_nr_migrating);
	if (dev->mmu->peer_unmap(&gmf) != GM_RET_SUCCESS) {
		atomic_long_dec(&gm_nr_migrating);
		gm_lru_add(&dev->lru, m);
		gm_put_pages(pages);
		return -EIO;
	}
	atomic_long_dec(&gm_nr_migrating);
	atomic_long_inc(&dev->nr_to_host);
	ret = gm_mapping_set_state(m, GM_MAPPING_CPU);
	/* Off the LRU and not pinned: nothing can refuse the move. */
	if (WARN_ON_ONCE(ret)) {
		gm_put_pages(pages);
		return ret;
	}
	gm_give_host(m, pages);
	return 0;
}

/* Drop device page @m's data. Caller holds m->lock. */
static void gm_page_discard(struct gm_mapping *m)
{
	struct gm_dev *dev = m->dev;
	struct gm_fault_t gmf = {
		.dev = dev, .va = m->va, .size = GMEM_PAGE_SIZE,
		.dev_addr = m->dev_pfn,
	};

	gm_lru_del(&dev->lru, m);
	dev->mmu->peer_unmap(&gmf);
	gm_mapping_set_state(m, GM_MAPPING_NOMAP);
}

/*
 * Make room on @dev: send its coldest evictable page home. The victim
 * may be another process's, whose munmap or exit waits for its lock to
 * free it: a reference keeps it until mutex_unlock() is done with it.
 */
static int gm_evict_one(struct gm_dev *dev)
{
	struct gm_mapping *victim = gm_lru_pick_victim(&dev->lru);
	int ret;

	if (!victim)
		return -ENOMEM;
	refcount_inc(&victim->ref);
	ret = gm_page_to_host(victim);
	if (ret) {
		gm_lru_del(&dev->lru, victim);
		gm_lru_add(&dev->lru, victim);	/* the hottest: try others */
	} else {
		atomic_long_inc(&dev->nr_evicted);
	}
	mutex_unlock(&victim->lock);
	gm_mapping_put(victim);
	return ret;
}

/*
 * The CPU's copy of logical page @m, each base page faulted in (swapped
 * in, or made, zeroed, where the CPU never wrote) and referenced; the
 * faults also map what a device sent back. Caller holds mmap_lock for
 * writing, but not m->lock, which the faults take.
 */
static struct page **gm_cpu_pages(struct gm_mapping *m)
{
	struct page **pages = gm_alloc_page_array();
	long n;

	if (!pages)
		return ERR_PTR(-ENOMEM);
	n = get_user_pages(m->va, GMEM_NR_SUBPAGES, 0, pages);
	if (n == GMEM_NR_SUBPAGES)
		return pages;
	gm_put_pages(pages);
	return ERR_PTR(n < 0 ? n : -EFAULT);
}

/*
 * Whether someone DMAs into one of @pages: an RDMA region, an io_uring
 * fixed buffer, a vfio mapping. Moving the page would leave the DMA
 * writing into a page the process no longer maps.
 */
static bool gm_pages_dma_pinned(struct page **pages)
{
	int i;

	for (i = 0; i < GMEM_NR_SUBPAGES; i++)
		if (folio_maybe_dma_pinned(page_folio(pages[i])))
			return true;
	return false;
}

/*
 * Logical page @m of @vma moves to @dev. Its data is in @cpu_pages (see
 * gm_cpu_pages), or in host pages a device sent back, or nowhere (it
 * reads as zeroes). The page tables let go of it before the copy, so a
 * write racing with the unmap lands in a page still to be copied, and a
 * later one faults. Caller holds mmap_lock for writing, has write-locked
 * @vma (no CPU fault runs in it), and holds m->lock; @m is not on a
 * device. A page pinned for DMA stays (-EBUSY).
 */
static int gm_page_to_dev(struct vm_area_struct *vma, struct gm_mapping *m,
			  struct gm_dev *dev, struct page **cpu_pages)
{
	struct gm_fault_t gmf = {
		.mm = vma->vm_mm, .dev = dev, .va = m->va,
		.size = GMEM_PAGE_SIZE,
	};
	struct page **pages;
	unsigned int evicted = 0;
	enum gm_ret r;
	int ret = 0;

	if (cpu_pages && gm_pages_dma_pinned(cpu_pages)) {
		gm_put_pages(cpu_pages);
		return -EBUSY;
	}
	pages = cpu_pages ?: gm_take_host(m);
	if (!pages)
		pages = gm_alloc_page_array();
	if (!pages)
		return -ENOMEM;
	zap_page_range_single(vma, m->va, GMEM_PAGE_SIZE, NULL);

	gmf.pages = pages;
	atomic_long_inc(&gm_nr_migrating);
	while ((r = dev->mmu->peer_map(&gmf)) == GM_RET_NOMEM) {
		ret = gm_evict_one(dev);
		if (ret)
			break;
		evicted++;
	}
	atomic_long_dec(&gm_nr_migrating);
	if (evicted)
		gmem_nl_pressure(dev, evicted, task_tgid_nr(current));
	if (r != GM_RET_SUCCESS) {
		/* The data stays on the host, now unmapped. */
		if (m->state == GM_MAPPING_NOMAP)
			gm_mapping_set_state(m, GM_MAPPING_CPU);
		gm_give_host(m, pages);
		return ret ?: -EIO;
	}
	gm_put_pages(pages);
	if (m->state != GM_MAPPING_DEVICE)
		gm_mapping_set_state(m, GM_MAPPING_DEVICE);
	m->dev = dev;
	m->hnid = dev->hnid;
	m->dev_pfn = gmf.dev_addr;
	gm_lru_add(&dev->lru, m);
	atomic_long_inc(&dev->nr_to_dev);
	return 0;
}

/*
 * Bring the logical page holding @va to @dev, as a device fault or a
 * prefetch does. Caller holds mmap_lock for writing and has
 * write-locked @vma.
 */
static int gm_page_fault_locked(struct vm_area_struct *vma,
				unsigned long va, struct gm_dev *dev)
{
	struct gm_as *as = gm_as_get(vma->vm_mm);
	struct page **cpu_pages = NULL;
	struct gm_mapping *m;
	int ret = 0;

	if (!as)
		return -ENOMEM;
	m = gm_lpt_get(&as->lpt, va, GFP_KERNEL_ACCOUNT);
	if (IS_ERR(m))
		return PTR_ERR(m);
	/* Only faults and DONTNEED make a page CPU: both are kept out. */
	if (READ_ONCE(m->state) == GM_MAPPING_CPU) {
		cpu_pages = gm_cpu_pages(m);
		if (IS_ERR(cpu_pages))
			return PTR_ERR(cpu_pages);
	}
	mutex_lock(&m->lock);
	if (m->state == GM_MAPPING_DEVICE && m->dev == dev) {
		gm_lru_touch(&dev->lru, m);
		goto out;
	}
	if (m->state == GM_MAPPING_DEVICE) {
		if (m->flags & GM_MAPPING_PINNED) {
			ret = -EBUSY;
			goto out;
		}
		ret = gm_page_to_host(m);
		if (ret)
			goto out;
	}
	ret = gm_page_to_dev(vma, m, dev, cpu_pages);
	cpu_pages = NULL;
out:
	mutex_unlock(&m->lock);
	if (cpu_pages)
		gm_put_pages(cpu_pages);
	return ret;
}

/**
 * gm_dev_fault - A device fault: bring a logical page to the device
 * @mm: the address space, which the caller keeps alive
 * @va: the faulting address
 * @dev: the device that faulted
 *
 * The 2 MiB logical page holding @va comes to @dev: from the CPU (its
 * base pages faulted in and unmapped), from another device (through
 * host memory), or made as zeroes. When @dev is full, its coldest
 * evictable pages are sent home first, and how many went is reported
 * to the oe_gmem netlink family as a pressure event. A page already on
 * @dev becomes its hottest.
 *
 * Context: process context, without @mm's mmap_lock, which this takes
 * for writing; may sleep.
 * Return: 0; -EFAULT if @va is not in a peer-shared mapping; -EINTR if a
 * fatal signal came while waiting for mmap_lock; -EBUSY if the page is
 * pinned on another device or its host pages are pinned for DMA;
 * -ENOMEM if there is no memory, host or device (nothing left to
 * evict); -EIO if the device refused.
 */
int gm_dev_fault(struct mm_struct *mm, unsigned long va, struct gm_dev *dev)
{
	struct vm_area_struct *vma;
	int ret;

	if (mmap_write_lock_killable(mm))
		return -EINTR;
	vma = vma_lookup(mm, va);
	if (!vma || !(vma->vm_flags & VM_PEER_SHARED)) {
		ret = -EFAULT;
	} else {
		vma_start_write(vma);
		ret = gm_page_fault_locked(vma, va, dev);
	}
	mmap_write_unlock(mm);
	if (!ret)
		atomic_long_inc(&dev->nr_faults);
	return ret;
}
EXPORT_SYMBOL_GPL(gm_dev_fault);

/* --- Processes and devices ---------------------------------------------- */

/**
 * gm_dev_attach - Let a process use a device
 * @mm: the process's address space
 * @dev: the device
 *
 * A driver calls this when a process opens the device. From then on
 * /dev/gmem's ioctls of that process may name @dev, and the device hears
 * of the process's unmapped ranges. The first device attached is the
 * one GMEM_GET_HNUMA_ID reports.
 *
 * Context: process context; may sleep.
 * Return: 0; -EBUSY if @dev is attached already; -ENOSPC if @mm has four
 * devices attached; -ENOMEM.
 */
int gm_dev_attach(struct mm_struct *mm, struct gm_dev *dev)
{
	struct gm_as *as = gm_as_get(mm);
	int i, ret = -ENOSPC;

	if (!as)
		return -ENOMEM;
	spin_lock(&gm_as_lock);
	for (i = 0; i < ARRAY_SIZE(as->devs); i++) {
		if (as->devs[i] == dev) {
			ret = -EBUSY;
			break;
		}
		if (!as->devs[i]) {
			as->devs[i] = dev;
			ret = 0;
			break;
		}
	}
	spin_unlock(&gm_as_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(gm_dev_attach);

/**
 * gm_as_attached - Whether a process attached a device
 * @mm: the process's address space, kept alive by the caller
 * @dev: the device
 *
 * Context: process context.
 * Return: true if gm_dev_attach() of @dev to @mm succeeded and no
 * gm_dev_detach() followed.
 */
bool gm_as_attached(struct mm_struct *mm, struct gm_dev *dev)
{
	struct gm_as *as = gm_as_lookup(mm);
	bool found = false;
	int i;

	spin_lock(&gm_as_lock);
	for (i = 0; as && i < ARRAY_SIZE(as->devs); i++)
		found |= as->devs[i] == dev;
	spin_unlock(&gm_as_lock);
	return found;
}

/**
 * gm_as_first_hnid - The device GMEM_GET_HNUMA_ID reports
 * @mm: the process's address space, kept alive by the caller
 *
 * Context: process context.
 * Return: the hnid of the first device @mm attached that is still
 * attached, or -ENODEV if there is none.
 */
int gm_as_first_hnid(struct mm_struct *mm)
{
	struct gm_as *as = gm_as_lookup(mm);
	int hnid = -ENODEV;

	spin_lock(&gm_as_lock);
	if (as && as->devs[0])
		hnid = as->devs[0]->hnid;
	spin_unlock(&gm_as_lock);
	return hnid;
}

static void gm_va_free(struct mm_struct *mm, struct gm_dev *dev,
		       unsigned long start, unsigned long end)
{
	struct gm_fault_t gmf = {
		.mm = mm, .dev = dev, .va = start, .size = end - start,
	};

	dev->mmu->peer_va_free(&gmf);
}

/**
 * gm_dev_detach - A process stops using a device
 * @mm: the process's address space; the caller holds a user reference
 *	(mmget()), as an mm already torn down had its pages freed by
 *	exit_mmap
 * @dev: the device
 *
 * A driver calls this when the process closes the device. Each of the
 * process's pages on @dev comes home, pinned ones included (their pin
 * goes); a page that finds no host memory loses its data and reads as
 * zeroes. Then @dev is told that the whole process is gone
 * (peer_va_free with va 0 and size 0). Nothing happens if @mm never used
 * GMem.
 *
 * Context: process context, without @mm's mmap_lock, which this takes
 * for writing; may sleep.
 */
void gm_dev_detach(struct mm_struct *mm, struct gm_dev *dev)
{
	struct gm_as *as = gm_as_lookup(mm);
	struct gm_mapping *m;
	unsigned long index;
	int i;

	if (!as)
		return;
	mmap_write_lock(mm);
	xa_for_each(&as->lpt.pages, index, m) {
		mutex_lock(&m->lock);
		if (m->state == GM_MAPPING_DEVICE && m->dev == dev) {
			/* The device goes: so does the pin that held it there. */
			gm_lru_pin(&dev->lru, m, false);
			if (gm_page_to_host(m))
				gm_page_discard(m); /* no host memory: data lost */
		}
		mutex_unlock(&m->lock);
		cond_resched();
	}
	spin_lock(&gm_as_lock);
	for (i = 0; i < ARRAY_SIZE(as->devs); i++)
		if (as->devs[i] == dev) {
			memmove(&as->devs[i], &as->devs[i + 1],
				(ARRAY_SIZE(as->devs) - i - 1) *
				sizeof(as->devs[0]));
			as->devs[ARRAY_SIZE(as->devs) - 1] = NULL;
			break;
		}
	spin_unlock(&gm_as_lock);
	mmap_write_unlock(mm);
	gm_va_free(mm, dev, 0, 0);
}
EXPORT_SYMBOL_GPL(gm_dev_detach);

/* --- The hooks in mm/ ---------------------------------------------------- */

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

/* A logical page is forgotten: give back its device and host pages. */
static void gm_mapping_release(struct gm_mapping *m, void *arg)
{
	struct page **host;

	mutex_lock(&m->lock);
	if (m->state == GM_MAPPING_DEVICE)
		gm_page_discard(m);
	host = gm_take_host(m);
	if (host)
		gm_put_pages(host);
	mutex_unlock(&m->lock);
}

/* Tell every device @as is attached to that [start, end) is gone. */
static void gm_as_va_free(struct gm_as *as, unsigned long start,
			  unsigned long end)
{
	struct gm_dev *devs[ARRAY_SIZE(as->devs)];
	int i;

	spin_lock(&gm_as_lock);
	memcpy(devs, as->devs, sizeof(devs));
	spin_unlock(&gm_as_lock);
	for (i = 0; i < ARRAY_SIZE(devs) && devs[i]; i++)
		gm_va_free(as->mm, devs[i], start, end);
}

/*
 * [start, end) is no longer mapped: its VMAs are detached, so no fault
 * can reach it. Forget its logical pages.
 */
void gmem_munmap(struct mm_struct *mm, unsigned long start,
		 unsigned long end)
{
	struct gm_as *as = gm_as_lookup(mm);

	if (!as)
		return;
	gm_lpt_erase(&as->lpt, start, end, gm_mapping_release, NULL);
	gm_as_va_free(as, start, end);
}

/*
 * MADV_DONTNEED: free the whole logical pages of [start, end) of
 * peer-shared @vma, everywhere (@dev NULL) or only the copies on @dev.
 * The caller holds mmap_lock for writing and has write-locked @vma,
 * which keeps every fault out of it.
 */
int gm_as_dontneed(struct vm_area_struct *vma, unsigned long start,
		   unsigned long end, struct gm_dev *dev)
{
	struct gm_as *as = gm_as_lookup(vma->vm_mm);
	struct gm_mapping *m;
	unsigned long index;

	mmap_assert_write_locked(vma->vm_mm);
	if (start >= end)
		return 0;
	if (!dev) {
		zap_page_range_single(vma, start, end - start, NULL);
		if (as)
			gm_lpt_erase(&as->lpt, start, end, gm_mapping_release,
				     NULL);
		return 0;
	}
	if (!as)
		return 0;
	/* Only the pages that exist: a range may be far larger. */
	xa_for_each_range(&as->lpt.pages, index, m, start >> GMEM_PAGE_SHIFT,
			  (end - 1) >> GMEM_PAGE_SHIFT) {
		mutex_lock(&m->lock);
		if (m->state == GM_MAPPING_DEVICE && m->dev == dev)
			gm_page_discard(m);
		mutex_unlock(&m->lock);
		cond_resched();
	}
	return 0;
}

/*
 * MADV_PREFETCH: the logical pages of [start, end) go to @dev. Each
 * step may evict and allocate host memory: a fatal signal ends it.
 */
int gm_as_prefetch(struct vm_area_struct *vma, unsigned long start,
		   unsigned long end, struct gm_dev *dev)
{
	unsigned long va;
	int ret = 0;

	mmap_assert_write_locked(vma->vm_mm);
	for (va = start; va < end && !ret; va += GMEM_PAGE_SIZE) {
		if (fatal_signal_pending(current))
			return -EINTR;
		ret = gm_page_fault_locked(vma, va, dev);
		cond_resched();
	}
	return ret;
}

/*
 * MADV_PINNED and MADV_UNPINNED: pinning brings each logical page to
 * @dev first, then keeps it there; unpinning makes the pages of
 * [start, end) on @dev evictable again.
 */
int gm_as_pin(struct vm_area_struct *vma, unsigned long start,
	      unsigned long end, struct gm_dev *dev, bool pin)
{
	struct gm_as *as;
	struct gm_mapping *m;
	unsigned long index;
	int ret = 0;

	if (start >= end)
		return 0;
	if (pin)
		ret = gm_as_prefetch(vma, start, end, dev);
	as = gm_as_lookup(vma->vm_mm);
	if (ret || !as)
		return ret;
	xa_for_each_range(&as->lpt.pages, index, m, start >> GMEM_PAGE_SHIFT,
			  (end - 1) >> GMEM_PAGE_SHIFT) {
		mutex_lock(&m->lock);
		if (m->state == GM_MAPPING_DEVICE && m->dev == dev)
			ret = gm_lru_pin(&dev->lru, m, pin);
		mutex_unlock(&m->lock);
		if (ret)
			break;
		cond_resched();
	}
	return ret;
}

/* The peer-shared VMA that holds all of [start, start + size), or NULL. */
struct vm_area_struct *gm_peer_vma(struct mm_struct *mm, unsigned long start,
				   size_t size)
{
	struct vm_area_struct *vma = vma_lookup(mm, start);

	if (!vma || !(vma->vm_flags & VM_PEER_SHARED) ||
	    size > vma->vm_end - start)
		return NULL;
	return vma;
}

/*
 * hmemcpy on @dev: piece by piece (each within one logical page on
 * either side), both logical pages are brought to the device, which
 * then copies. If eviction took one away before the copy, again.
 */
int gm_as_hmemcpy(struct mm_struct *mm, struct gm_dev *dev,
		  unsigned long dest, unsigned long src, size_t size)
{
	struct gm_memcpy_t gmc = { .mm = mm, .dev = dev };
	struct vm_area_struct *dvma, *svma;
	enum gm_ret r;
	int tries, ret;

	ret = mmap_write_lock_killable(mm);
	if (ret)
		return ret;
	dvma = gm_peer_vma(mm, dest, size);
	svma = gm_peer_vma(mm, src, size);
	ret = -EINVAL;
	if (!dvma || !svma || !gm_as_attached(mm, dev))
		goto out;
	vma_start_write(dvma);
	vma_start_write(svma);
	ret = 0;
	while (size && !ret) {
		gmc.dest = dest;
		gmc.src = src;
		gmc.size = min3(size, GMEM_PAGE_SIZE - (dest & ~GMEM_PAGE_MASK),
				GMEM_PAGE_SIZE - (src & ~GMEM_PAGE_MASK));
		for (tries = 0; tries < 8; tries++) {
			ret = gm_page_fault_locked(svma, src, dev) ?:
			      gm_page_fault_locked(dvma, dest, dev);
			if (ret)
				break;
			r = dev->mmu->peer_hmemcpy(&gmc);
			ret = r == GM_RET_SUCCESS ? 0 : -EIO;
			if (r != GM_RET_MIGRATING)
				break;
		}
		dest += gmc.size;
		src += gmc.size;
		size -= gmc.size;
		if (!ret && fatal_signal_pending(current))
			ret = -EINTR;
	}
out:
	mmap_write_unlock(mm);
	return ret;
}

/*
 * A CPU fault in a peer-shared mapping: the logical page is on the host
 * from now on. A device page comes home first, into host pages that
 * the fault then maps (gmem_fill_host_pages). A pinned device page
 * stays: the CPU gets SIGBUS, as on openEuler.
 */
vm_fault_t gmem_cpu_fault(struct vm_area_struct *vma, unsigned long addr)
{
	struct gm_as *as = gm_as_get(vma->vm_mm);
	struct gm_mapping *m;
	vm_fault_t ret = 0;

	if (!as)
		return VM_FAULT_OOM;
	m = gm_lpt_get(&as->lpt, addr, GFP_KERNEL_ACCOUNT);
	if (IS_ERR(m))
		return VM_FAULT_OOM;
	mutex_lock(&m->lock);
	if (m->state == GM_MAPPING_NOMAP) {
		gm_mapping_set_state(m, GM_MAPPING_CPU);
	} else if (m->state == GM_MAPPING_DEVICE) {
		if (m->flags & GM_MAPPING_PINNED)
			ret = VM_FAULT_SIGBUS;
		else if (gm_page_to_host(m))
			ret = VM_FAULT_OOM;
	}
	mutex_unlock(&m->lock);
	return ret;
}

/*
 * A CPU fault is about to map @nr new zeroed base pages at @addr: those
 * that came back from a device take their data. Called under the
 * page-table lock, so a racing fault of the same address cannot map a
 * zeroed page while this one took the data.
 */
void gmem_fill_host_pages(struct vm_area_struct *vma, unsigned long addr,
			  struct page *page, unsigned int nr)
{
	struct gm_as *as = gm_as_lookup(vma->vm_mm);
	struct gm_mapping *m = as ? gm_lpt_lookup(&as->lpt, addr) : NULL;
	unsigned int i, sub;

	/* m->host holds GMEM_NR_SUBPAGES: a THP fault fills one PMD. */
	BUILD_BUG_ON(HPAGE_PMD_SIZE != GMEM_PAGE_SIZE);
	if (!m)
		return;
	spin_lock(&m->host_lock);
	for (i = 0; m->host && i < nr; i++) {
		sub = ((addr - m->va) >> PAGE_SHIFT) + i;
		if (!m->host[sub])
			continue;
		copy_highpage(page + i, m->host[sub]);
		put_page(m->host[sub]);
		m->host[sub] = NULL;
		if (!--m->nr_host) {
			kfree(m->host);
			m->host = NULL;
		}
	}
	spin_unlock(&m->host_lock);
	/* The data is in place before the PTE that maps it. */
	smp_wmb();
}

/* @mm's last user is gone: drop its logical page table. */
void gmem_exit_mmap(struct mm_struct *mm)
{
	struct gm_as *as = gm_as_lookup(mm);

	if (!as)
		return;
	/* Out of the table first: usage walks must not see it torn down. */
	spin_lock(&gm_as_lock);
	hash_del_rcu(&as->node);
	list_del(&as->list);
	spin_unlock(&gm_as_lock);
	put_pid(as->tgid);
	gm_lpt_destroy(&as->lpt, gm_mapping_release, NULL);
	gm_as_va_free(as, 0, 0);
	/* Lookups for other mms may still be walking past it. */
	kfree_rcu(as, rcu);
	atomic_long_dec(&gm_nr_as);
}
