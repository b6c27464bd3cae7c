// SPDX-License-Identifier: GPL-2.0-only
/*
 * ModelFS-K: the channel to a mount's userspace policy.
 *
 * Events are queued in a fixed ring under a spinlock and never wait: when
 * the ring is full they are counted and reported later in one OVERFLOW
 * event. Commands are checked in the policy's own write() call; EVICT is
 * done there, PREFETCH is queued to a workqueue that reads many ranges at
 * once. A slow or dead policy only ever slows itself.
 * See uapi/linux/modelfs.h.
 */

#include <linux/anon_inodes.h>
#include <linux/backing-dev.h>
#include <linux/capability.h>
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/pagemap.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>
#include <uapi/linux/modelfs.h>
#include <kunit/visibility.h>

#include "modelfs.h"

struct modelfs_channel {
	struct super_block *sb;		/* holds an active reference */
	spinlock_t lock;		/* the ring */
	wait_queue_head_t wait;
	struct rcu_head rcu;
	struct modelfs_ring ring;
};

/* Queue @ev, or count it as dropped when the ring is full. */
VISIBLE_IF_KUNIT bool modelfs_ring_push(struct modelfs_ring *ring,
					const struct modelfs_event *ev)
{
	if (ring->head - ring->tail >= MODELFS_RING) {
		ring->dropped++;
		return false;
	}
	ring->ev[ring->head++ % MODELFS_RING] = *ev;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(modelfs_ring_push);

/* The next event; a drop count goes first, as one OVERFLOW event. */
VISIBLE_IF_KUNIT bool modelfs_ring_pop(struct modelfs_ring *ring,
				       struct modelfs_event *ev)
{
	if (ring->dropped) {
		*ev = (struct modelfs_event){ .type = MODELFS_EV_OVERFLOW,
					      .len = ring->dropped };
		ring->dropped = 0;
		return true;
	}
	if (ring->tail == ring->head)
		return false;
	*ev = ring->ev[ring->tail++ % MODELFS_RING];
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(modelfs_ring_pop);

/**
 * modelfs_cmd_range - the page range a command covers in a file
 * @cmd: the command as userspace wrote it
 * @size: the file's size
 * @first: out: first page index
 * @last: out: last page index (inclusive)
 *
 * Return: 0, or -EINVAL for a non-zero reserved field, an unknown type,
 * a zero length or a start at or past the end of the file. The range is
 * cut at the end of the file, also when off + len would wrap.
 */
VISIBLE_IF_KUNIT int modelfs_cmd_range(const struct modelfs_cmd *cmd,
				       loff_t size, pgoff_t *first,
				       pgoff_t *last)
{
	u64 end;

	if (cmd->reserved || !cmd->len ||
	    (cmd->type != MODELFS_CMD_PREFETCH &&
	     cmd->type != MODELFS_CMD_EVICT))
		return -EINVAL;
	if (size <= 0 || cmd->off >= (u64)size)
		return -EINVAL;
	end = cmd->len > (u64)size - cmd->off ? size : cmd->off + cmd->len;
	*first = cmd->off >> PAGE_SHIFT;
	*last = (end - 1) >> PAGE_SHIFT;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(modelfs_cmd_range);

/**
 * modelfs_cmd_ra_pages - the window a SET_RA command asks for
 * @cmd: the command as userspace wrote it
 * @pages: out: the window in pages, 0 for "the default"
 *
 * Return: 0, or -EINVAL for a non-zero reserved field or offset, or a
 * window over MODELFS_SET_RA_MAX.
 */
VISIBLE_IF_KUNIT int modelfs_cmd_ra_pages(const struct modelfs_cmd *cmd,
					  unsigned int *pages)
{
	if (cmd->type != MODELFS_CMD_SET_RA || cmd->reserved || cmd->off ||
	    cmd->len > MODELFS_SET_RA_MAX)
		return -EINVAL;
	*pages = DIV_ROUND_UP(cmd->len, PAGE_SIZE);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(modelfs_cmd_ra_pages);

void modelfs_emit(struct super_block *sb, u32 type, u64 ino, u64 off, u64 len)
{
	struct modelfs_channel *chan;
	unsigned long flags;

	struct modelfs_event ev = { .type = type, .ino = ino, .off = off,
				    .len = len };

	rcu_read_lock();
	chan = rcu_dereference(MODELFS_SB(sb)->chan);
	if (chan) {
		spin_lock_irqsave(&chan->lock, flags);
		if (!modelfs_ring_push(&chan->ring, &ev))
			atomic64_inc(&modelfs_stats(sb)->events_dropped);
		spin_unlock_irqrestore(&chan->lock, flags);
		wake_up_interruptible(&chan->wait);
	}
	rcu_read_unlock();
}

/* An event of reading @inode, unless the policy said DONE with it. */
void modelfs_emit_read(struct inode *inode, u32 type, u64 off, u64 len)
{
	if (!READ_ONCE(MODELFS_I(inode)->quiet))
		modelfs_emit(inode->i_sb, type, inode->i_ino, off, len);
}

static bool modelfs_has_events(struct modelfs_channel *chan)
{
	bool ret;

	spin_lock_irq(&chan->lock);
	ret = chan->ring.dropped || chan->ring.tail != chan->ring.head;
	spin_unlock_irq(&chan->lock);
	return ret;
}

static ssize_t modelfs_chan_read(struct file *file, char __user *buf,
				 size_t count, loff_t *ppos)
{
	struct modelfs_channel *chan = file->private_data;
	struct modelfs_event ev;
	size_t done = 0;
	int err;

	if (count < sizeof(ev))
		return -EINVAL;
	while (!modelfs_has_events(chan)) {
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(chan->wait,
					       modelfs_has_events(chan));
		if (err)
			return err;
	}
	while (count - done >= sizeof(ev)) {
		bool got;

		spin_lock_irq(&chan->lock);
		got = modelfs_ring_pop(&chan->ring, &ev);
		spin_unlock_irq(&chan->lock);
		if (!got)
			break;
		/* An event that cannot be copied is lost, as with a full ring. */
		if (copy_to_user(buf + done, &ev, sizeof(ev)))
			return done ? done : -EFAULT;
		done += sizeof(ev);
	}
	return done;
}

static __poll_t modelfs_chan_poll(struct file *file, poll_table *pt)
{
	struct modelfs_channel *chan = file->private_data;

	poll_wait(file, &chan->wait, pt);
	return (modelfs_has_events(chan) ? EPOLLIN | EPOLLRDNORM : 0) |
	       EPOLLOUT | EPOLLWRNORM;
}

static int modelfs_ino_test(struct inode *inode, void *ino)
{
	return inode->i_ino == *(u64 *)ino;
}

/* One queued PREFETCH; it holds its inode and an open lower file. */
struct modelfs_prefetch {
	struct work_struct work;
	struct inode *inode;
	struct file *lower;
	pgoff_t first, last;
};

static struct workqueue_struct *modelfs_wq;

/* Fill a batch of prefetched folios; false when the read failed. */
static bool modelfs_prefetch_fill(struct modelfs_prefetch *pf,
				  struct modelfs_batch *b)
{
	struct modelfs_sb_info *sbi = MODELFS_SB(pf->inode->i_sb);
	unsigned int i, nr = b->nr;
	unsigned long pages = 0;
	int err;

	/* Flagged while locked: no reader can use them first. */
	for (i = 0; i < nr; i++) {
		struct folio *folio = page_folio(b->bv[i].bv_page);

		modelfs_folio_set_prefetched(folio);
		pages += folio_nr_pages(folio);
	}
	err = modelfs_fill_folios(pf->lower, b);
	for (i = 0; i < nr; i++) {
		struct folio *folio = page_folio(b->bv[i].bv_page);

		if (err)
			folio_clear_checked(folio);
		folio_put(folio);
	}
	if (!err)
		atomic64_add(pages, &sbi->stats.prefetched_pages);
	return !err;
}

/*
 * Read the missing folios of [first, last] from the lower file, each run
 * of missing folios in reads of up to MODELFS_FILL_BATCH folios.
 */
static void modelfs_prefetch_range(struct modelfs_prefetch *pf)
{
	struct address_space *mapping = pf->inode->i_mapping;
	struct modelfs_sb_info *sbi = MODELFS_SB(pf->inode->i_sb);
	pgoff_t index = pf->first;
	struct modelfs_batch b;
	bool ok = true;

	modelfs_batch_init(&b);
	while (ok && index <= pf->last && !READ_ONCE(sbi->stopping)) {
		struct folio *folio;

		folio = __filemap_get_folio(mapping, index,
					    FGP_LOCK | FGP_CREAT,
					    mapping_gfp_mask(mapping));
		if (IS_ERR(folio))
			break;
		index = folio_next_index(folio);
		if (folio_test_uptodate(folio)) {
			/* Cached already: it ends the run before it. */
			folio_unlock(folio);
			folio_put(folio);
			if (b.nr)
				ok = modelfs_prefetch_fill(pf, &b);
		} else if (modelfs_batch_add(&b, folio)) {
			ok = modelfs_prefetch_fill(pf, &b);
		}
		cond_resched();
	}
	if (b.nr)
		modelfs_prefetch_fill(pf, &b);
	modelfs_batch_release(&b);
}

static void modelfs_prefetch_work(struct work_struct *work)
{
	struct modelfs_prefetch *pf =
		container_of(work, struct modelfs_prefetch, work);
	struct modelfs_sb_info *sbi = MODELFS_SB(pf->inode->i_sb);

	modelfs_prefetch_range(pf);
	/*
	 * Release the lower file now rather than from a delayed fput, so that
	 * once kill_sb has seen the count drop the lower mount is free.
	 */
	__fput_sync(pf->lower);
	iput(pf->inode);
	kfree(pf);
	/* wake_up_var() does not touch sbi, which may be gone right after. */
	if (atomic_dec_and_test(&sbi->prefetch_inflight))
		wake_up_var(&sbi->prefetch_inflight);
}

/* Queue a prefetch of [first, last]; takes over @lower and @inode. */
static int modelfs_prefetch_queue(struct inode *inode, struct file *lower,
				  pgoff_t first, pgoff_t last)
{
	struct modelfs_sb_info *sbi = MODELFS_SB(inode->i_sb);
	struct modelfs_prefetch *pf;

	if (atomic_inc_return(&sbi->prefetch_inflight) > MODELFS_PREFETCH_MAX) {
		atomic_dec(&sbi->prefetch_inflight);
		return -EAGAIN;
	}
	pf = kmalloc(sizeof(*pf), GFP_KERNEL);
	if (!pf) {
		atomic_dec(&sbi->prefetch_inflight);
		return -ENOMEM;
	}
	INIT_WORK(&pf->work, modelfs_prefetch_work);
	pf->inode = inode;
	pf->lower = lower;
	pf->first = first;
	pf->last = last;
	queue_work(modelfs_wq, &pf->work);
	return 0;
}

/*
 * kill_sb: make queued and running prefetches stop and wait for them to
 * drop their inodes. Only a channel queues them and it holds the
 * superblock active, so none can be queued from here on.
 */
void modelfs_prefetch_stop(struct super_block *sb)
{
	struct modelfs_sb_info *sbi = MODELFS_SB(sb);

	WRITE_ONCE(sbi->stopping, true);
	wait_var_event(&sbi->prefetch_inflight,
		       !atomic_read(&sbi->prefetch_inflight));
}

int modelfs_prefetch_init(void)
{
	/* Unbound: the reads block on I/O, many at a time, on any CPU. */
	modelfs_wq = alloc_workqueue("modelfs_prefetch", WQ_UNBOUND, 0);
	return modelfs_wq ? 0 : -ENOMEM;
}

void modelfs_prefetch_exit(void)
{
	destroy_workqueue(modelfs_wq);
}

/* SET_RA and DONE: settings of a file (or, for SET_RA, of the mount). */
static int modelfs_file_cmd(struct modelfs_channel *chan,
			    const struct modelfs_cmd *cmd)
{
	struct super_block *sb = chan->sb;
	unsigned int pages = 0;
	struct inode *inode;
	u64 ino = cmd->ino;
	int err = 0;

	if (cmd->type == MODELFS_CMD_SET_RA)
		err = modelfs_cmd_ra_pages(cmd, &pages);
	else if (cmd->reserved || cmd->off || cmd->len)
		err = -EINVAL;
	if (err)
		return err;
	if (!ino && cmd->type == MODELFS_CMD_SET_RA) {
		/* Read once per open by file_ra_state_init(). */
		WRITE_ONCE(sb->s_bdi->ra_pages,
			   pages ? pages : MODELFS_SB(sb)->lower_ra_pages);
		return 0;
	}
	inode = ilookup5(sb, (unsigned long)ino, modelfs_ino_test, &ino);
	if (!inode)
		return -ENOENT;
	if (!S_ISREG(inode->i_mode))
		err = -EISDIR;
	else if (cmd->type == MODELFS_CMD_SET_RA)
		WRITE_ONCE(MODELFS_I(inode)->ra_pages, pages);
	else
		WRITE_ONCE(MODELFS_I(inode)->quiet, true);
	iput(inode);
	return err;
}

static int modelfs_do_cmd(struct modelfs_channel *chan,
			  const struct modelfs_cmd *cmd)
{
	struct inode *inode;
	struct dentry *alias;
	struct file *lower;
	pgoff_t first, last;
	u64 ino = cmd->ino;
	int err = 0;

	if (cmd->type == MODELFS_CMD_SET_RA || cmd->type == MODELFS_CMD_DONE)
		return modelfs_file_cmd(chan, cmd);
	/* Malformed whatever the file: refuse before looking it up. */
	if (modelfs_cmd_range(cmd, LLONG_MAX, &first, &last))
		return -EINVAL;
	inode = ilookup5(chan->sb, (unsigned long)ino, modelfs_ino_test, &ino);
	if (!inode)
		return -ENOENT;
	if (!S_ISREG(inode->i_mode)) {
		err = -EISDIR;
		goto out;
	}
	err = modelfs_cmd_range(cmd, i_size_read(inode), &first, &last);
	if (err)
		goto out;

	if (cmd->type == MODELFS_CMD_EVICT) {
		struct modelfs_stats *stats = modelfs_stats(chan->sb);

		/* Unused prefetch is counted before it goes. */
		atomic64_add(modelfs_count_prefetched(inode->i_mapping, first,
						      last),
			     &stats->wasted_pages);
		/* Clean, unmapped folios go; others stay, as with fadvise. */
		atomic64_add(invalidate_mapping_pages(inode->i_mapping, first,
						      last),
			     &stats->evicted_pages);
		goto out;
	}

	alias = d_find_alias(inode);
	if (!alias) {
		err = -ENOENT;
		goto out;
	}
	lower = dentry_open(modelfs_lower_path(alias), O_RDONLY | O_LARGEFILE,
			    current_cred());
	dput(alias);
	if (IS_ERR(lower)) {
		err = PTR_ERR(lower);
		goto out;
	}
	err = modelfs_prefetch_queue(inode, lower, first, last);
	if (!err)
		return 0;
	fput(lower);
out:
	iput(inode);
	return err;
}

static ssize_t modelfs_chan_write(struct file *file, const char __user *buf,
				  size_t count, loff_t *ppos)
{
	struct modelfs_cmd cmd;
	int err;

	if (count != sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(&cmd, buf, sizeof(cmd)))
		return -EFAULT;
	err = modelfs_do_cmd(file->private_data, &cmd);
	return err ? err : count;
}

static int modelfs_chan_release(struct inode *inode, struct file *file)
{
	struct modelfs_channel *chan = file->private_data;
	struct modelfs_sb_info *sbi = MODELFS_SB(chan->sb);

	mutex_lock(&sbi->attach_mutex);
	RCU_INIT_POINTER(sbi->chan, NULL);
	mutex_unlock(&sbi->attach_mutex);
	deactivate_super(chan->sb);
	kvfree_rcu(chan, rcu);
	return 0;
}

static const struct file_operations modelfs_chan_fops = {
	.owner		= THIS_MODULE,
	.read		= modelfs_chan_read,
	.write		= modelfs_chan_write,
	.poll		= modelfs_chan_poll,
	.release	= modelfs_chan_release,
	.llseek		= noop_llseek,
};

static int modelfs_attach(struct super_block *sb)
{
	struct modelfs_sb_info *sbi = MODELFS_SB(sb);
	struct modelfs_channel *chan;
	int fd;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	chan = kvzalloc(sizeof(*chan), GFP_KERNEL);
	if (!chan)
		return -ENOMEM;
	spin_lock_init(&chan->lock);
	init_waitqueue_head(&chan->wait);
	chan->sb = sb;

	mutex_lock(&sbi->attach_mutex);
	if (rcu_access_pointer(sbi->chan)) {
		fd = -EBUSY;
		goto fail;
	}
	/* The channel keeps the superblock alive past a umount. */
	atomic_inc(&sb->s_active);
	fd = anon_inode_getfd("[modelfs]", &modelfs_chan_fops, chan,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		atomic_dec(&sb->s_active);
		goto fail;
	}
	rcu_assign_pointer(sbi->chan, chan);
	mutex_unlock(&sbi->attach_mutex);
	return fd;
fail:
	mutex_unlock(&sbi->attach_mutex);
	kvfree(chan);
	return fd;
}

long modelfs_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case MODELFS_IOC_ATTACH:
		return modelfs_attach(file_inode(file)->i_sb);
	default:
		return -ENOTTY;
	}
}

/*
 * Memory pressure: while a policy is attached, the shrinker counts the
 * mount's cached pages as its objects, so reclaim asks it in proportion,
 * and each call becomes a PRESSURE event asking the policy to evict. The
 * shrinker frees nothing itself: what to drop is the policy's choice.
 * Reclaim counts often, and the sum walks every inode under the sb's
 * list lock: a sum up to HZ/10 old is good enough for a proportion.
 */
static unsigned long modelfs_shrink_count(struct shrinker *shrinker,
					  struct shrink_control *sc)
{
	struct modelfs_sb_info *sbi =
		container_of(shrinker, struct modelfs_sb_info, shrinker);
	struct super_block *sb = sbi->sb;
	unsigned long pages = 0;
	struct inode *inode;

	if (!rcu_access_pointer(sbi->chan))
		return 0;
	if (time_before(jiffies, READ_ONCE(sbi->cached_pages_at) + HZ / 10))
		return READ_ONCE(sbi->cached_pages);
	spin_lock(&sb->s_inode_list_lock);
	list_for_each_entry(inode, &sb->s_inodes, i_sb_list)
		pages += READ_ONCE(inode->i_mapping->nrpages);
	spin_unlock(&sb->s_inode_list_lock);
	WRITE_ONCE(sbi->cached_pages, pages);
	WRITE_ONCE(sbi->cached_pages_at, jiffies);
	return pages;
}

static unsigned long modelfs_shrink_scan(struct shrinker *shrinker,
					 struct shrink_control *sc)
{
	struct modelfs_sb_info *sbi =
		container_of(shrinker, struct modelfs_sb_info, shrinker);

	modelfs_emit(sbi->sb, MODELFS_EV_PRESSURE, 0, 0, sc->nr_to_scan);
	return SHRINK_STOP;
}

int modelfs_channel_init(struct super_block *sb)
{
	struct modelfs_sb_info *sbi = MODELFS_SB(sb);

	sbi->sb = sb;
	mutex_init(&sbi->attach_mutex);
	sbi->cached_pages_at = jiffies - HZ;	/* the first count sums */
	sbi->shrinker.count_objects = modelfs_shrink_count;
	sbi->shrinker.scan_objects = modelfs_shrink_scan;
	sbi->shrinker.seeks = DEFAULT_SEEKS;
	return register_shrinker(&sbi->shrinker, "modelfs-%s", sb->s_id);
}

void modelfs_channel_exit(struct super_block *sb)
{
	unregister_shrinker(&MODELFS_SB(sb)->shrinker);
}
