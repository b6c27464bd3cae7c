// SPDX-License-Identifier: GPL-2.0-only
/*
 * gmem_sim: a simulated accelerator for GMem, as lib/test_hmm.c is one
 * for HMM. Its "device memory" (hbm_mb MiB, in 2 MiB pages) is host
 * memory it keeps to itself, with a page table per paired process. It
 * reaches GMem only through remote_pager, as real hardware would: it
 * answers remote_pager's messages and sends its page faults.
 *
 * With devices=N there are N of them, each with hbm_mb of its own, so
 * that pages move from one device to another.
 *
 * /dev/gmem_simN runs device kernels (GMEM_SIM_RUN) in the calling
 * process: each base page of the range is looked up in the device page
 * table, and a miss is a device fault that GMem serves by migrating the
 * logical page in, evicting the coldest one if the device is full.
 */
#define pr_fmt(fmt) "gmem_sim: " fmt

#include <linux/fs.h>
#include <linux/gmem.h>
#include <linux/highmem.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/remote_pager.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <uapi/linux/gmem_sim.h>

static unsigned int hbm_mb = 64;
module_param(hbm_mb, uint, 0444);
MODULE_PARM_DESC(hbm_mb, "device memory in MiB (whole 2 MiB pages)");

#define SIM_MAX_DEVICES	4
static unsigned int devices = 1;
module_param(devices, uint, 0444);
MODULE_PARM_DESC(devices, "how many devices, 1 to 4: /dev/gmem_sim0...");

/* A 2 MiB page of device memory. */
struct sim_slot {
	bool used;
	bool mapped;		/* in its task's page table */
	unsigned int filled;	/* base pages copied in so far */
	u32 task;
	unsigned long va;
};

/* A paired process: its device page table, va >> 21 -> slot + 1. */
struct sim_ctx {
	struct xarray pt;
};

struct gmem_sim {
	struct rp_channel ch;
	struct miscdevice misc;
	char name[16];		/* gmem_simN: its device file and GMem name */
	/* Serialises slots, contexts and device memory accesses. */
	struct mutex lock;
	void *hbm;
	unsigned long nr_slots, nr_used;
	struct sim_slot *slots;
	struct xarray ctxs;	/* task -> sim_ctx */
};

/* An open /dev/gmem_simN: one paired process. */
struct sim_file {
	struct gmem_sim *sim;
	struct mm_struct *mm;
	u32 task;
};

static struct gmem_sim *sims[SIM_MAX_DEVICES];

/* --- The device side of remote_pager ----------------------------------- */

static struct sim_slot *sim_slot_of(struct gmem_sim *s, u64 dev_addr)
{
	unsigned long nr = dev_addr >> GMEM_PAGE_SHIFT;

	if (nr >= s->nr_slots || !s->slots[nr].used)
		return NULL;
	return &s->slots[nr];
}

/* Take @slot out of its task's page table: the device stops using it. */
static void sim_unmap(struct gmem_sim *s, struct sim_slot *slot)
{
	struct sim_ctx *ctx = xa_load(&s->ctxs, slot->task);

	if (slot->mapped && ctx)
		xa_erase(&ctx->pt, slot->va >> GMEM_PAGE_SHIFT);
	slot->mapped = false;
}

static int sim_alloc_page(struct gmem_sim *s, struct rp_msg *msg)
{
	struct sim_ctx *ctx = xa_load(&s->ctxs, msg->task);
	unsigned long nr;
	int ret;

	if (!ctx || msg->size != GMEM_PAGE_SIZE)
		return -EINVAL;
	if (xa_load(&ctx->pt, msg->va >> GMEM_PAGE_SHIFT))
		return -EEXIST;
	for (nr = 0; nr < s->nr_slots; nr++)
		if (!s->slots[nr].used)
			break;
	if (nr == s->nr_slots)
		return -ENOMEM;
	ret = xa_err(xa_store(&ctx->pt, msg->va >> GMEM_PAGE_SHIFT,
			      xa_mk_value(nr), GFP_KERNEL));
	if (ret)
		return ret;
	s->slots[nr] = (struct sim_slot){
		.used = true, .mapped = true, .task = msg->task, .va = msg->va,
	};
	s->nr_used++;
	msg->dev_addr = (u64)nr << GMEM_PAGE_SHIFT;
	return 0;
}

static void sim_ctx_free(struct gmem_sim *s, u32 task)
{
	struct sim_ctx *ctx = xa_erase(&s->ctxs, task);
	unsigned long index;
	void *entry;

	if (!ctx)
		return;
	/* GMem freed every page first; anything left is a leak to report. */
	xa_for_each(&ctx->pt, index, entry) {
		WARN_ONCE(1, "task %u exited with a device page\n", task);
		pr_warn("task %u left va %#lx in slot %lu\n", task,
			index << GMEM_PAGE_SHIFT, xa_to_value(entry));
		s->slots[xa_to_value(entry)].used = false;
		s->nr_used--;
	}
	xa_destroy(&ctx->pt);
	kfree(ctx);
}

static void *sim_translate(struct gmem_sim *s, u32 task, unsigned long va);

/* The device's copy engine: both ranges must be on the device. */
static int sim_hmemcpy(struct gmem_sim *s, struct rp_msg *msg)
{
	void *dest = sim_translate(s, msg->task, msg->va);
	void *src = sim_translate(s, msg->task, msg->src);

	if (!msg->size || msg->size > GMEM_PAGE_SIZE -
	    (msg->va & (GMEM_PAGE_SIZE - 1)) ||
	    msg->size > GMEM_PAGE_SIZE - (msg->src & (GMEM_PAGE_SIZE - 1)))
		return -EINVAL;
	if (!dest || !src)
		return -EAGAIN;
	memmove(dest, src, msg->size);
	return 0;
}

static int sim_handle(struct gmem_sim *s, struct rp_msg *msg)
{
	struct sim_slot *slot;
	struct sim_ctx *ctx;

	switch (msg->type) {
	case RP_TASK_PAIRING_REQUEST:
		ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
		if (!ctx)
			return -ENOMEM;
		xa_init(&ctx->pt);
		if (xa_insert(&s->ctxs, msg->task, ctx, GFP_KERNEL)) {
			kfree(ctx);
			return -EBUSY;
		}
		return 0;
	case RP_TASK_EXIT_ORIGIN:
		sim_ctx_free(s, msg->task);
		return 0;
	case RP_FREE_VMA:
		/* Its pages were freed one by one. */
		return 0;
	case RP_ALLOC_PAGE:
		return sim_alloc_page(s, msg);
	case RP_HMEMCPY:
		return sim_hmemcpy(s, msg);
	case RP_EVICT_PAGE:
	case RP_FREE_PAGE:
		slot = sim_slot_of(s, msg->dev_addr);
		if (!slot)
			return -EINVAL;
		sim_unmap(s, slot);
		if (msg->type == RP_FREE_PAGE) {
			slot->used = false;
			s->nr_used--;
		}
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int sim_notify(struct rp_channel *ch, struct rp_msg *msg)
{
	struct gmem_sim *s = ch->priv;

	mutex_lock(&s->lock);
	msg->ret = sim_handle(s, msg);
	mutex_unlock(&s->lock);
	return 0;
}

/* A page becomes usable by the device once all of it has arrived. */
static int sim_copy_to(struct rp_channel *ch, u64 dev_addr, struct page *page)
{
	struct gmem_sim *s = ch->priv;
	struct sim_slot *slot;
	int ret = -EINVAL;

	mutex_lock(&s->lock);
	slot = sim_slot_of(s, dev_addr);
	if (slot && slot->filled < GMEM_NR_SUBPAGES) {
		memcpy_from_page(s->hbm + dev_addr, page, 0, PAGE_SIZE);
		slot->filled++;
		ret = 0;
	}
	mutex_unlock(&s->lock);
	return ret;
}

static int sim_copy_from(struct rp_channel *ch, struct page *page,
			 u64 dev_addr)
{
	struct gmem_sim *s = ch->priv;
	int ret = -EINVAL;

	mutex_lock(&s->lock);
	if (sim_slot_of(s, dev_addr)) {
		memcpy_to_page(page, 0, s->hbm + dev_addr, PAGE_SIZE);
		ret = 0;
	}
	mutex_unlock(&s->lock);
	return ret;
}

static const struct phys_channel_ops sim_channel_ops = {
	.name		= "gmem_sim",
	.notify		= sim_notify,
	.copy_to	= sim_copy_to,
	.copy_from	= sim_copy_from,
};

/* --- Device kernels ------------------------------------------------------ */

/*
 * The device address of @va for @task, or NULL when the device does
 * not have it (a device fault). Caller holds s->lock.
 */
static void *sim_translate(struct gmem_sim *s, u32 task, unsigned long va)
{
	struct sim_ctx *ctx = xa_load(&s->ctxs, task);
	void *entry = ctx ? xa_load(&ctx->pt, va >> GMEM_PAGE_SHIFT) : NULL;
	unsigned long nr;

	if (!entry)
		return NULL;
	nr = xa_to_value(entry);
	if (s->slots[nr].filled < GMEM_NR_SUBPAGES)
		return NULL;	/* still arriving */
	return s->hbm + (nr << GMEM_PAGE_SHIFT) +
	       (va & (GMEM_PAGE_SIZE - 1));
}

static int sim_fault(struct gmem_sim *s, u32 task, unsigned long va)
{
	struct rp_msg msg = { .type = RP_PAGE_FAULT, .task = task, .va = va };

	return remote_pager_recv(&s->ch, &msg);
}

static u64 sim_checksum(u64 sum, const u64 *words, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sum = rol64(sum, 1) ^ le64_to_cpu((__force __le64)words[i]);
	return sum;
}

/*
 * The logical pages of [start, end) that @task has on the device. Only
 * the pages it has are looked at, however large the range: at most one
 * per slot of device memory.
 */
static u64 sim_resident(struct gmem_sim *s, u32 task, unsigned long start,
			unsigned long end)
{
	unsigned long index;
	struct sim_ctx *ctx;
	void *entry;
	u64 n = 0;

	mutex_lock(&s->lock);
	ctx = xa_load(&s->ctxs, task);
	if (ctx)
		xa_for_each_range(&ctx->pt, index, entry,
				  start >> GMEM_PAGE_SHIFT,
				  (end - 1) >> GMEM_PAGE_SHIFT)
			n += s->slots[xa_to_value(entry)].filled >=
			     GMEM_NR_SUBPAGES;
	mutex_unlock(&s->lock);
	return n;
}

/* Do [a, a + len) and [b, b + len) touch a logical page in common? */
static bool sim_same_pages(u64 a, u64 b, u64 len)
{
	return a >> GMEM_PAGE_SHIFT <= (b + len - 1) >> GMEM_PAGE_SHIFT &&
	       b >> GMEM_PAGE_SHIFT <= (a + len - 1) >> GMEM_PAGE_SHIFT;
}

static bool sim_kernel_valid(const struct gmem_sim_kernel *k)
{
	if (k->op > GMEM_SIM_RESIDENT || k->pad || !k->len ||
	    k->va + k->len < k->va)
		return false;
	/*
	 * A buffer in a logical page the kernel works on: copying it would
	 * bring that page home, the device would fault it back, for ever.
	 */
	if ((k->op == GMEM_SIM_READ || k->op == GMEM_SIM_WRITE) &&
	    (k->buf + k->len < k->buf || sim_same_pages(k->buf, k->va, k->len)))
		return false;
	if (k->op == GMEM_SIM_CHECKSUM && ((k->va | k->len) & 7))
		return false;
	if (k->op == GMEM_SIM_FILL && k->value > 0xff)
		return false;
	return true;
}

/* Run @k one base page at a time, faulting what the device lacks. */
static int sim_run(struct sim_file *f, struct gmem_sim_kernel *k)
{
	struct gmem_sim *s = f->sim;
	void __user *buf = u64_to_user_ptr(k->buf);
	unsigned long va, chunk;
	u64 off = 0, sum = 0;
	void *bounce, *dev;
	int ret = 0;

	if (!sim_kernel_valid(k))
		return -EINVAL;
	if (k->op == GMEM_SIM_RESIDENT) {
		k->result = sim_resident(s, f->task, k->va, k->va + k->len);
		return 0;
	}
	bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	while (off < k->len) {
		va = k->va + off;
		chunk = min_t(u64, PAGE_SIZE - offset_in_page(va),
			      k->len - off);
		if (k->op == GMEM_SIM_WRITE &&
		    copy_from_user(bounce, buf + off, chunk)) {
			ret = -EFAULT;
			break;
		}
		mutex_lock(&s->lock);
		dev = sim_translate(s, f->task, va);
		if (!dev) {
			mutex_unlock(&s->lock);
			ret = sim_fault(s, f->task, va);
			if (ret)
				break;
			continue;
		}
		switch (k->op) {
		case GMEM_SIM_READ:
			memcpy(bounce, dev, chunk);
			break;
		case GMEM_SIM_WRITE:
			memcpy(dev, bounce, chunk);
			break;
		case GMEM_SIM_FILL:
			memset(dev, (int)k->value, chunk);
			break;
		case GMEM_SIM_CHECKSUM:
			sum = sim_checksum(sum, dev, chunk / 8);
			break;
		}
		mutex_unlock(&s->lock);
		if (k->op == GMEM_SIM_READ &&
		    copy_to_user(buf + off, bounce, chunk)) {
			ret = -EFAULT;
			break;
		}
		off += chunk;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}
	kfree(bounce);
	k->result = sum;
	return ret;
}

/* --- /dev/gmem_simN ------------------------------------------------------ */

static int sim_open(struct inode *inode, struct file *file)
{
	/* misc_open() left the device's miscdevice here. */
	struct gmem_sim *s = container_of(file->private_data, struct gmem_sim,
					  misc);
	struct sim_file *f;
	int task;

	if (!current->mm)
		return -EINVAL;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->sim = s;
	f->mm = current->mm;
	task = remote_pager_pair(&s->ch, f->mm);
	if (task < 0) {
		kfree(f);
		return task;
	}
	f->task = task;
	mmgrab(f->mm);
	file->private_data = f;
	return 0;
}

static int sim_release(struct inode *inode, struct file *file)
{
	struct sim_file *f = file->private_data;

	remote_pager_unpair(&f->sim->ch, f->mm);
	mmdrop(f->mm);
	kfree(f);
	return 0;
}

static long sim_ioctl(struct file *file, unsigned int cmd, unsigned long u)
{
	struct sim_file *f = file->private_data;
	struct gmem_sim *s = f->sim;
	struct gmem_sim_kernel k;
	struct gmem_sim_info info = {};
	int ret;

	switch (cmd) {
	case GMEM_SIM_RUN:
		/* The device works in the paired process's address space. */
		if (current->mm != f->mm)
			return -EINVAL;
		if (copy_from_user(&k, (void __user *)u, sizeof(k)))
			return -EFAULT;
		ret = sim_run(f, &k);
		if (!ret && copy_to_user((void __user *)u, &k, sizeof(k)))
			ret = -EFAULT;
		return ret;
	case GMEM_SIM_INFO:
		info.hnid = s->ch.gm.hnid;
		info.capacity = s->nr_slots << GMEM_PAGE_SHIFT;
		mutex_lock(&s->lock);
		info.used = s->nr_used << GMEM_PAGE_SHIFT;
		mutex_unlock(&s->lock);
		info.faults = atomic_long_read(&s->ch.gm.nr_faults);
		info.to_dev = atomic_long_read(&s->ch.gm.nr_to_dev);
		info.to_host = atomic_long_read(&s->ch.gm.nr_to_host);
		info.evicted = atomic_long_read(&s->ch.gm.nr_evicted);
		return copy_to_user((void __user *)u, &info, sizeof(info)) ?
		       -EFAULT : 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations sim_fops = {
	.owner		= THIS_MODULE,
	.open		= sim_open,
	.release	= sim_release,
	.unlocked_ioctl	= sim_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static void sim_destroy(struct gmem_sim *s)
{
	kfree(s->slots);
	vfree(s->hbm);
	kfree(s);
}

/* Device @i, registered with GMem and as /dev/gmem_sim@i. */
static struct gmem_sim *sim_create(unsigned int i)
{
	struct gmem_sim *s;
	int ret;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return ERR_PTR(-ENOMEM);
	mutex_init(&s->lock);
	xa_init(&s->ctxs);
	snprintf(s->name, sizeof(s->name), "gmem_sim%u", i);
	s->nr_slots = hbm_mb / 2;
	s->hbm = vzalloc(s->nr_slots << GMEM_PAGE_SHIFT);
	s->slots = kcalloc(s->nr_slots, sizeof(*s->slots), GFP_KERNEL);
	ret = -ENOMEM;
	if (!s->hbm || !s->slots)
		goto free;
	s->ch.ops = &sim_channel_ops;
	s->ch.priv = s;
	s->ch.gm.name = s->name;
	s->ch.gm.capacity = s->nr_slots << GMEM_PAGE_SHIFT;
	/* -ENODEV without gmem=on: no GMem, no device. */
	ret = remote_pager_register(&s->ch);
	if (ret)
		goto free;
	s->misc = (struct miscdevice){
		.minor = MISC_DYNAMIC_MINOR, .name = s->name,
		.fops = &sim_fops, .mode = 0666,
	};
	ret = misc_register(&s->misc);
	if (ret) {
		remote_pager_unregister(&s->ch);
		goto free;
	}
	pr_info("%s: %lu MiB of device memory, hnid %d\n", s->name,
		s->nr_slots * 2, s->ch.gm.hnid);
	return s;
free:
	sim_destroy(s);
	return ERR_PTR(ret);
}

static void sim_remove(struct gmem_sim *s)
{
	misc_deregister(&s->misc);
	remote_pager_unregister(&s->ch);
	xa_destroy(&s->ctxs);
	sim_destroy(s);
}

static void gmem_sim_remove_all(void)
{
	unsigned int i;

	for (i = 0; i < SIM_MAX_DEVICES; i++) {
		if (sims[i])
			sim_remove(sims[i]);
		sims[i] = NULL;
	}
}

static int __init gmem_sim_init(void)
{
	unsigned int i;

	if (hbm_mb < 2) {
		pr_err("hbm_mb=%u: at least one 2 MiB page\n", hbm_mb);
		return -EINVAL;
	}
	if (!devices || devices > SIM_MAX_DEVICES) {
		pr_err("devices=%u: 1 to %d\n", devices, SIM_MAX_DEVICES);
		return -EINVAL;
	}
	for (i = 0; i < devices; i++) {
		struct gmem_sim *s = sim_create(i);

		if (IS_ERR(s)) {
			gmem_sim_remove_all();
			return PTR_ERR(s);
		}
		sims[i] = s;
	}
	return 0;
}
module_init(gmem_sim_init);

static void __exit gmem_sim_exit(void)
{
	gmem_sim_remove_all();
}
module_exit(gmem_sim_exit);

MODULE_DESCRIPTION("gmem_sim: a simulated accelerator for GMem");
MODULE_LICENSE("GPL");
