// SPDX-License-Identifier: GPL-2.0-only
/*
 * The user API of GMem: /dev/gmem (hnid lookup, hmadvise, hmemcpy) and
 * /proc/gmemstat. Both exist only when the kernel runs with gmem=on.
 * Devices are named by hnid; -1 is the host.
 */
#define pr_fmt(fmt) "gmem: " fmt

#include <linux/fs.h>
#include <linux/gmem.h>
#include <linux/init.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/minmax.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/gmem_dev.h>

/* hmemcpy by the host goes through a buffer of this size at a time. */
#define GMEM_BOUNCE_SIZE	(64 * 1024)

static long gmem_get_hnuma_id(void __user *uarg)
{
	struct gmem_hnid_arg arg;

	int hnid;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	/* A process has a device once it opens one. */
	hnid = gm_as_first_hnid(current->mm);
	if (hnid < 0)
		return hnid;
	return put_user(hnid, arg.hnuma_id);
}

/*
 * The range must lie in one peer-shared mapping. PREFETCH, PINNED and
 * UNPINNED act on every logical page it touches; DONTNEED frees only
 * those wholly inside it, so that a neighbour keeps its data. (openEuler
 * skips what is not peer-shared in a DONTNEED range; here it is EINVAL.)
 */
static int gmem_hmadvise_range(struct mm_struct *mm, unsigned long start,
			       unsigned long end, struct gm_dev *dev,
			       int behavior)
{
	unsigned long s = ALIGN_DOWN(start, GMEM_PAGE_SIZE);
	unsigned long e = ALIGN(end, GMEM_PAGE_SIZE);
	struct vm_area_struct *vma = gm_peer_vma(mm, start, end - start);

	if (!vma)
		return -EINVAL;
	vma_start_write(vma);
	switch (behavior) {
	case MADV_DONTNEED:
		return gm_as_dontneed(vma, ALIGN(start, GMEM_PAGE_SIZE),
				      ALIGN_DOWN(end, GMEM_PAGE_SIZE), dev);
	case MADV_PREFETCH:
		return gm_as_prefetch(vma, s, e, dev);
	default:
		return gm_as_pin(vma, s, e, dev, behavior == MADV_PINNED);
	}
}

static long gmem_hmadvise(const struct hmadvise_arg *arg)
{
	struct mm_struct *mm = current->mm;
	unsigned long start = arg->start, end;
	struct gm_dev *dev = NULL;
	long ret;

	if (arg->behavior != MADV_DONTNEED && arg->behavior != MADV_PREFETCH &&
	    arg->behavior != MADV_PINNED && arg->behavior != MADV_UNPINNED)
		return -EINVAL;
	/* The host (-1) only with DONTNEED: free everywhere. */
	if (arg->hnid != NUMA_NO_NODE) {
		dev = gm_dev_get_by_hnid(arg->hnid);
		if (!dev)
			return -EINVAL;
	} else if (arg->behavior != MADV_DONTNEED) {
		return -EINVAL;
	}
	/* Any start, as openEuler takes it: the pages are 2 MiB anyway. */
	if (check_add_overflow(start, arg->len_in, &end)) {
		ret = -EINVAL;
		goto put;
	}
	ret = 0;
	if (!arg->len_in)
		goto put;

	ret = mmap_write_lock_killable(mm);
	if (ret)
		goto put;
	/* A device serves only the processes that opened it. */
	if (dev && !gm_as_attached(mm, dev))
		ret = -EINVAL;
	else
		ret = gmem_hmadvise_range(mm, start, end, dev, arg->behavior);
	mmap_write_unlock(mm);
put:
	if (dev)
		gm_dev_put(dev);
	return ret;
}

/* Both ranges must lie in peer-shared mappings. */
static int gmem_hmemcpy_check(const struct hmemcpy_arg *arg)
{
	struct mm_struct *mm = current->mm;
	int ret = 0;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	if (!gm_peer_vma(mm, arg->dest, arg->size) ||
	    !gm_peer_vma(mm, arg->src, arg->size))
		ret = -EINVAL;
	mmap_read_unlock(mm);
	return ret;
}

/*
 * On a device the process opened, the device copies (its pages fault in
 * first); with hnid -1 the host does, and reading the source and writing
 * the destination fault as any CPU access does. The ranges must not
 * overlap.
 */
static long gmem_hmemcpy(const struct hmemcpy_arg *arg)
{
	void __user *dest = (void __user *)arg->dest;
	const void __user *src = (const void __user *)arg->src;
	size_t done = 0, chunk;
	long ret = 0;
	void *buf;

	if (arg->dest + arg->size < arg->dest ||
	    arg->src + arg->size < arg->src)
		return -EINVAL;
	if (arg->dest < arg->src + arg->size &&
	    arg->src < arg->dest + arg->size)
		return -EINVAL;
	if (arg->hnid != NUMA_NO_NODE) {
		struct gm_dev *dev = gm_dev_get_by_hnid(arg->hnid);

		if (!dev)
			return -EINVAL;
		ret = arg->size ? gm_as_hmemcpy(current->mm, dev, arg->dest,
						arg->src, arg->size) : 0;
		gm_dev_put(dev);
		return ret;
	}
	if (!arg->size)
		return 0;
	ret = gmem_hmemcpy_check(arg);
	if (ret)
		return ret;

	buf = kmalloc(GMEM_BOUNCE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	while (done < arg->size) {
		chunk = min_t(size_t, arg->size - done, GMEM_BOUNCE_SIZE);
		if (copy_from_user(buf, src + done, chunk) ||
		    copy_to_user(dest + done, buf, chunk)) {
			ret = -EFAULT;
			break;
		}
		done += chunk;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}
	kfree(buf);
	return ret;
}

static long gmem_ioctl(struct file *file, unsigned int cmd, unsigned long u)
{
	void __user *uarg = (void __user *)u;

	switch (cmd) {
	case GMEM_GET_HNUMA_ID:
		return gmem_get_hnuma_id(uarg);
	case GMEM_MADVISE: {
		struct hmadvise_arg arg;

		if (copy_from_user(&arg, uarg, sizeof(arg)))
			return -EFAULT;
		return gmem_hmadvise(&arg);
	}
	case GMEM_HMEMCPY: {
		struct hmemcpy_arg arg;

		if (copy_from_user(&arg, uarg, sizeof(arg)))
			return -EFAULT;
		return gmem_hmemcpy(&arg);
	}
	default:
		return -ENOTTY;
	}
}

/*
 * No .compat_ioctl: openEuler's argument structs hold pointers and longs
 * and differ for 32-bit processes, whose ioctls get ENOTTY.
 */
static const struct file_operations gmem_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= gmem_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice gmem_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "gmem",
	.fops	= &gmem_fops,
	.mode	= 0666,
};

static int gmemstat_show(struct seq_file *m, void *v)
{
	struct gm_stats st;

	gm_stats_read(&st);
	seq_printf(m, "migrating     : %ld\n", st.migrating);
	seq_printf(m, "processes     : %ld\n", st.address_spaces);
	seq_printf(m, "pages_nomap   : %ld\n", st.pages[GM_MAPPING_NOMAP]);
	seq_printf(m, "pages_cpu     : %ld\n", st.pages[GM_MAPPING_CPU]);
	seq_printf(m, "pages_device  : %ld\n", st.pages[GM_MAPPING_DEVICE]);
	return 0;
}

static int __init gmem_dev_init(void)
{
	int ret;

	if (!gmem_is_enabled())
		return 0;
	ret = misc_register(&gmem_misc);
	if (ret) {
		pr_err("cannot register /dev/gmem: %d\n", ret);
		return ret;
	}
	if (!proc_create_single("gmemstat", 0444, NULL, gmemstat_show))
		pr_warn("cannot create /proc/gmemstat\n");
	ret = gmem_nl_init();
	if (ret)
		pr_err("cannot register the oe_gmem family: %d\n", ret);
	return 0;
}
device_initcall(gmem_dev_init);
