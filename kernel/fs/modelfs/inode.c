// SPDX-License-Identifier: GPL-2.0-only
/*
 * ModelFS-K inodes, dentries and files.
 *
 * Every ModelFS dentry holds the path of its lower dentry. Regular files
 * get their own page cache, filled by reading the lower file, so that the
 * page cache policy of a mount can later differ from the lower fs's.
 * Directories are iterated through the lower directory. Nothing is ever
 * written: the superblock is read-only.
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/bvec.h>
#include <linux/uio.h>
#include <linux/xarray.h>
#include <uapi/linux/modelfs.h>

#include "modelfs.h"

static void modelfs_d_release(struct dentry *dentry)
{
	struct path *lower = modelfs_lower_path(dentry);

	if (lower) {
		path_put(lower);
		kfree(lower);
	}
}

/*
 * i_size_write() wants its writers serialized (a seqcount on 32-bit
 * SMP): opens, getattr and revalidation all copy the lower size.
 */
static void modelfs_set_size(struct inode *inode, loff_t size)
{
	spin_lock(&inode->i_lock);
	i_size_write(inode, size);
	spin_unlock(&inode->i_lock);
}

/*
 * Take the lower inode's attributes, as the lower mount shows them (its
 * idmapping; no setuid or setgid on a nosuid mount). The size may change
 * under us. A regular file whose size or mtime changed below has its
 * cached data dropped at its next open (modelfs_open).
 */
static void modelfs_copy_attr(struct inode *inode, struct inode *lower)
{
	struct vfsmount *mnt = MODELFS_SB(inode->i_sb)->lower_mnt;
	struct mnt_idmap *idmap = mnt_idmap(mnt);
	umode_t mode = lower->i_mode;

	if (S_ISREG(mode) &&
	    (!timespec64_equal(&inode->i_mtime, &lower->i_mtime) ||
	     i_size_read(inode) != i_size_read(lower)))
		set_bit(MODELFS_I_STALE, &MODELFS_I(inode)->flags);
	if (mnt->mnt_flags & MNT_NOSUID)
		mode &= ~(S_ISUID | S_ISGID);
	inode->i_mode = mode;
	inode->i_uid = vfsuid_into_kuid(i_uid_into_vfsuid(idmap, lower));
	inode->i_gid = vfsgid_into_kgid(i_gid_into_vfsgid(idmap, lower));
	inode->i_atime = lower->i_atime;
	inode->i_mtime = lower->i_mtime;
	inode_set_ctime_to_ts(inode, inode_get_ctime(lower));
	set_nlink(inode, lower->i_nlink);
	modelfs_set_size(inode, i_size_read(lower));
	inode->i_blocks = lower->i_blocks;
}

/*
 * The lower directory may change under the mount: a negative dentry is
 * looked up again, a positive one lives as long as its lower dentry and
 * takes its attributes again (a chmod, chown or truncate below shows at
 * once, whether or not anyone stats the file here).
 */
static int modelfs_d_revalidate(struct dentry *dentry, unsigned int flags)
{
	struct path *lower = modelfs_lower_path(dentry);

	if (flags & LOOKUP_RCU)
		return -ECHILD;
	if (!lower || d_really_is_negative(dentry))
		return 0;
	if (d_unhashed(lower->dentry) || d_really_is_negative(lower->dentry))
		return 0;
	modelfs_copy_attr(d_inode(dentry), d_inode(lower->dentry));
	return 1;
}

const struct dentry_operations modelfs_dentry_ops = {
	.d_revalidate	= modelfs_d_revalidate,
	.d_release	= modelfs_d_release,
};

int modelfs_set_lower(struct dentry *dentry, const struct path *lower)
{
	struct path *p = kmalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	*p = *lower;
	path_get(p);
	dentry->d_fsdata = p;
	return 0;
}

static int modelfs_getattr(struct mnt_idmap *idmap, const struct path *path,
			   struct kstat *stat, u32 request_mask,
			   unsigned int flags)
{
	struct inode *inode = d_inode(path->dentry);

	modelfs_copy_attr(inode, MODELFS_I(inode)->lower);
	generic_fillattr(idmap, request_mask, inode, stat);
	return 0;
}

static struct dentry *modelfs_lookup(struct inode *dir, struct dentry *dentry,
				     unsigned int flags)
{
	struct path *parent = modelfs_lower_path(dentry->d_parent);
	struct path lower;
	struct inode *inode = NULL;
	int err;

	lower.mnt = parent->mnt;
	lower.dentry = lookup_one_unlocked(mnt_idmap(parent->mnt),
					   dentry->d_name.name, parent->dentry,
					   dentry->d_name.len);
	if (IS_ERR(lower.dentry))
		return ERR_CAST(lower.dentry);

	err = modelfs_set_lower(dentry, &lower);
	if (!err && d_really_is_positive(lower.dentry)) {
		inode = modelfs_iget(dir->i_sb, d_inode(lower.dentry));
		if (IS_ERR(inode))
			err = PTR_ERR(inode);
	}
	dput(lower.dentry);
	if (err)
		return ERR_PTR(err);
	return d_splice_alias(inode, dentry);
}

/*
 * Access is the lower filesystem's to decide, for the caller, on the
 * lower inode as it is now: its mode, its ACLs, the lower mount's
 * idmapping. The VFS has already refused writes (a read-only sb).
 */
static int modelfs_permission(struct mnt_idmap *idmap, struct inode *inode,
			      int mask)
{
	struct vfsmount *mnt = MODELFS_SB(inode->i_sb)->lower_mnt;

	return inode_permission(mnt_idmap(mnt), MODELFS_I(inode)->lower, mask);
}

static const struct inode_operations modelfs_dir_iops = {
	.lookup		= modelfs_lookup,
	.permission	= modelfs_permission,
	.getattr	= modelfs_getattr,
};

static const struct inode_operations modelfs_file_iops = {
	.permission	= modelfs_permission,
	.getattr	= modelfs_getattr,
};

static const char *modelfs_get_link(struct dentry *dentry, struct inode *inode,
				    struct delayed_call *done)
{
	if (!dentry)
		return ERR_PTR(-ECHILD);
	return vfs_get_link(modelfs_lower_path(dentry)->dentry, done);
}

static const struct inode_operations modelfs_symlink_iops = {
	.get_link	= modelfs_get_link,
	.permission	= modelfs_permission,
	.getattr	= modelfs_getattr,
};

/* Files: the lower file is opened alongside and kept in private_data. */
static int modelfs_open(struct inode *inode, struct file *file)
{
	struct file *lower;

	lower = dentry_open(modelfs_lower_path(file->f_path.dentry),
			    file->f_flags & (O_DIRECTORY | O_LARGEFILE |
					     O_NOATIME),
			    current_cred());
	if (IS_ERR(lower))
		return PTR_ERR(lower);
	file->private_data = lower;
	if (S_ISREG(inode->i_mode)) {
		WRITE_ONCE(MODELFS_I(inode)->quiet, false);
		modelfs_copy_attr(inode, file_inode(lower));
		/*
		 * Close-to-open, as NFS: the data cached from before a change
		 * below goes. A folio locked by a read in flight stays; that
		 * read started after the change and reads the new data.
		 */
		if (test_and_clear_bit(MODELFS_I_STALE,
				       &MODELFS_I(inode)->flags))
			invalidate_inode_pages2(inode->i_mapping);
		modelfs_emit(inode->i_sb, MODELFS_EV_OPEN, inode->i_ino, 0,
			     i_size_read(inode));
	}
	return 0;
}

static int modelfs_release(struct inode *inode, struct file *file)
{
	fput(file->private_data);
	if (S_ISREG(inode->i_mode))
		modelfs_emit(inode->i_sb, MODELFS_EV_CLOSE, inode->i_ino, 0,
			     i_size_read(inode));
	return 0;
}

static int modelfs_iterate_shared(struct file *file, struct dir_context *ctx)
{
	struct file *lower = file->private_data;
	int err;

	lower->f_pos = ctx->pos;
	err = iterate_dir(lower, ctx);
	file->f_pos = lower->f_pos;
	return err;
}

static loff_t modelfs_dir_llseek(struct file *file, loff_t offset, int whence)
{
	struct file *lower = file->private_data;
	loff_t pos = vfs_llseek(lower, offset, whence);

	if (pos >= 0)
		file->f_pos = pos;
	return pos;
}

static const struct file_operations modelfs_dir_fops = {
	.open		= modelfs_open,
	.release	= modelfs_release,
	.iterate_shared	= modelfs_iterate_shared,
	.llseek		= modelfs_dir_llseek,
	.read		= generic_read_dir,
	.unlocked_ioctl	= modelfs_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

/* What a walk over the cached folios of a range found. */
struct modelfs_scan {
	unsigned long uptodate;		/* pages ready to be read */
	unsigned long prefetched;	/* flagged, unmapped pages */
	loff_t start, end;		/* span of the flagged folios */
};

/*
 * Walk the folios cached in [first, last]. With @use set, the walk stands
 * for a read or a mapping about to use them: the prefetched flags are
 * cleared, so each prefetched folio is reported used once.
 */
static void modelfs_scan(struct address_space *mapping, pgoff_t first,
			 pgoff_t last, bool use, struct modelfs_scan *scan)
{
	XA_STATE(xas, &mapping->i_pages, first);
	struct folio *folio;

	*scan = (struct modelfs_scan){ .start = LLONG_MAX };
	rcu_read_lock();
	xas_for_each(&xas, folio, last) {
		if (xas_retry(&xas, folio) || xa_is_value(folio))
			continue;
		/* A reference, so that the flags are this mapping's folio's. */
		if (!folio_try_get_rcu(folio)) {
			xas_reset(&xas);
			continue;
		}
		if (unlikely(folio != xas_reload(&xas))) {
			folio_put(folio);
			xas_reset(&xas);
			continue;
		}
		if (folio_test_uptodate(folio))
			scan->uptodate += folio_nr_pages(folio);
		if (modelfs_folio_prefetched(folio)) {
			if (!folio_mapped(folio))
				scan->prefetched += folio_nr_pages(folio);
			if (use)
				folio_clear_checked(folio);
			scan->start = min(scan->start, folio_pos(folio));
			scan->end = max(scan->end,
					folio_pos(folio) + (loff_t)folio_size(folio));
		}
		folio_put(folio);
	}
	rcu_read_unlock();
}

/* Prefetched pages of [first, last] not yet used by a read or mapping. */
unsigned long modelfs_count_prefetched(struct address_space *mapping,
				       pgoff_t first, pgoff_t last)
{
	struct modelfs_scan scan;

	modelfs_scan(mapping, first, last, false, &scan);
	return scan.prefetched;
}

/* Pages [first, last] of @inode are about to be read (@read) or mapped. */
/* Return: how many of those pages are cached and uptodate. */
static unsigned long modelfs_use(struct inode *inode, pgoff_t first,
				 pgoff_t last, bool read)
{
	struct modelfs_scan scan;

	modelfs_scan(inode->i_mapping, first, last, true, &scan);
	if (read)
		atomic64_add(scan.uptodate, &modelfs_stats(inode->i_sb)->hits);
	if (scan.end)
		modelfs_emit_read(inode, MODELFS_EV_HIT, scan.start,
				  scan.end - scan.start);
	return scan.uptodate;
}

/* A window a policy set with SET_RA wins over the one the file opened with. */
void modelfs_apply_ra(struct file *file)
{
	unsigned int pages = READ_ONCE(MODELFS_I(file_inode(file))->ra_pages);

	if (pages)
		WRITE_ONCE(file->f_ra.ra_pages, pages);
}

static ssize_t modelfs_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	loff_t size = i_size_read(inode), pos = iocb->ki_pos;
	size_t count = iov_iter_count(to);

	if (count && pos >= 0 && pos < size)
		modelfs_use(inode, pos >> PAGE_SHIFT,
			    (min_t(u64, size, pos + count) - 1) >> PAGE_SHIFT,
			    true);
	modelfs_apply_ra(iocb->ki_filp);
	return generic_file_read_iter(iocb, to);
}

static ssize_t modelfs_splice_read(struct file *in, loff_t *ppos,
				   struct pipe_inode_info *pipe, size_t len,
				   unsigned int flags)
{
	struct inode *inode = file_inode(in);
	loff_t size = i_size_read(inode);

	if (len && *ppos >= 0 && *ppos < size)
		modelfs_use(inode, *ppos >> PAGE_SHIFT,
			    (min_t(u64, size, *ppos + len) - 1) >> PAGE_SHIFT,
			    true);
	return filemap_splice_read(in, ppos, pipe, len, flags);
}

static vm_fault_t modelfs_fault(struct vm_fault *vmf)
{
	struct inode *inode = file_inode(vmf->vma->vm_file);

	/* A fault the cache cannot serve: the mapping waits for I/O. */
	if (!modelfs_use(inode, vmf->pgoff, vmf->pgoff, false))
		modelfs_emit_read(inode, MODELFS_EV_FAULT,
				  (u64)vmf->pgoff << PAGE_SHIFT, PAGE_SIZE);
	modelfs_apply_ra(vmf->vma->vm_file);
	return filemap_fault(vmf);
}

/* Fault-around maps what is cached near a fault: that counts as used. */
static vm_fault_t modelfs_map_pages(struct vm_fault *vmf, pgoff_t start,
				    pgoff_t end)
{
	modelfs_use(file_inode(vmf->vma->vm_file), start, end, false);
	return filemap_map_pages(vmf, start, end);
}

static const struct vm_operations_struct modelfs_vm_ops = {
	.fault		= modelfs_fault,
	.map_pages	= modelfs_map_pages,
};

static int modelfs_mmap(struct file *file, struct vm_area_struct *vma)
{
	int err = generic_file_readonly_mmap(file, vma);

	if (!err)
		vma->vm_ops = &modelfs_vm_ops;
	return err;
}

static const struct file_operations modelfs_file_fops = {
	.open		= modelfs_open,
	.release	= modelfs_release,
	.read_iter	= modelfs_read_iter,
	.mmap		= modelfs_mmap,
	.splice_read	= modelfs_splice_read,
	.llseek		= generic_file_llseek,
	.unlocked_ioctl	= modelfs_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

/* Read [pos, pos + count of @iter) of @lower; direct I/O when @direct. */
static ssize_t modelfs_read_lower(struct file *lower, struct iov_iter *iter,
				  loff_t pos, bool direct)
{
	size_t want = iov_iter_count(iter);
	struct kiocb kiocb;
	ssize_t n = 0;

	init_sync_kiocb(&kiocb, lower);
	kiocb.ki_pos = pos;
	if (direct)
		kiocb.ki_flags |= IOCB_DIRECT;
	while (iov_iter_count(iter)) {
		n = vfs_iocb_iter_read(lower, &kiocb, iter);
		if (n <= 0)
			break;
	}
	if (n < 0 && want == iov_iter_count(iter))
		return n;
	return want - iov_iter_count(iter);
}

/**
 * modelfs_batch_init - an empty batch
 * @b: the batch; modelfs_batch_release() frees what this allocates
 *
 * Reclaim may run this from a read: a failed allocation is no error,
 * the batch then takes one folio at a time.
 */
void modelfs_batch_init(struct modelfs_batch *b)
{
	b->bv = kmalloc_array(MODELFS_FILL_BATCH, sizeof(*b->bv),
			      GFP_NOFS | __GFP_NORETRY | __GFP_NOWARN);
	b->max = b->bv ? MODELFS_FILL_BATCH : 1;
	if (!b->bv)
		b->bv = &b->one;
	b->nr = 0;
}

/**
 * modelfs_batch_add - add the next folio of a file to a batch
 * @b: a batch that is not full
 * @folio: locked, not uptodate, right after the batch's last folio
 *
 * Return: true when the batch is full: fill it before adding more.
 */
bool modelfs_batch_add(struct modelfs_batch *b, struct folio *folio)
{
	bvec_set_folio(&b->bv[b->nr++], folio, folio_size(folio), 0);
	return b->nr == b->max;
}

void modelfs_batch_release(struct modelfs_batch *b)
{
	if (b->bv != &b->one)
		kfree(b->bv);
}

/**
 * modelfs_fill_folios - fill a batch of folios from the lower file
 * @lower: the open lower file
 * @b: contiguous locked folios of one file, not uptodate; emptied
 *
 * One read covers them all. It bypasses the lower page cache when the
 * lower file can do direct I/O, so the data is not cached twice and the
 * device sees one large read; otherwise, or if direct I/O fails, it reads
 * through the lower page cache. What lies past the end of the lower file
 * reads as zeroes. Every folio is unlocked, uptodate unless the read
 * failed.
 *
 * Return: 0 or the read's error.
 */
int modelfs_fill_folios(struct file *lower, struct modelfs_batch *b)
{
	struct folio *first = page_folio(b->bv[0].bv_page);
	struct inode *inode = first->mapping->host;
	loff_t pos = folio_pos(first);
	struct iov_iter iter;
	size_t len = 0;
	ssize_t done;
	unsigned int i;
	int err = 0;

	for (i = 0; i < b->nr; i++)
		len += b->bv[i].bv_len;
	iov_iter_bvec(&iter, ITER_DEST, b->bv, b->nr, len);
	done = -EINVAL;
	if (lower->f_mode & FMODE_CAN_ODIRECT)
		done = modelfs_read_lower(lower, &iter, pos, true);
	if (done < 0) {
		iov_iter_bvec(&iter, ITER_DEST, b->bv, b->nr, len);
		done = modelfs_read_lower(lower, &iter, pos, false);
	}
	if (done < 0) {
		err = done;
	} else {
		atomic64_add(done, &modelfs_stats(inode->i_sb)->lower_bytes);
		if (iov_iter_zero(len - done, &iter) != len - done)
			err = -EIO;
	}
	for (i = 0; i < b->nr; i++) {
		struct folio *folio = page_folio(b->bv[i].bv_page);

		if (!err)
			folio_mark_uptodate(folio);
		folio_unlock(folio);
	}
	b->nr = 0;
	return err;
}

/*
 * Every path into the page cache (read, readahead, mmap fault, splice)
 * passes the ModelFS file, whose private_data is the open lower file.
 */
static struct file *modelfs_lower_file(struct file *file)
{
	return file ? file->private_data : NULL;
}

static int modelfs_read_folio(struct file *file, struct folio *folio)
{
	struct inode *inode = folio->mapping->host;
	struct file *lower = modelfs_lower_file(file);
	struct modelfs_batch b = { .bv = &b.one, .max = 1 };

	atomic64_inc(&modelfs_stats(inode->i_sb)->misses);
	modelfs_emit_read(inode, MODELFS_EV_MISS, folio_pos(folio),
			  folio_size(folio));
	if (!lower) {
		folio_unlock(folio);
		return -EIO;
	}
	modelfs_batch_add(&b, folio);
	return modelfs_fill_folios(lower, &b);
}

static void modelfs_readahead(struct readahead_control *ractl)
{
	struct inode *inode = ractl->mapping->host;
	struct file *lower = modelfs_lower_file(ractl->file);
	struct modelfs_batch b;
	struct folio *folio;

	atomic64_add(readahead_count(ractl),
		     &modelfs_stats(inode->i_sb)->readahead_pages);
	modelfs_emit_read(inode, MODELFS_EV_READAHEAD, readahead_pos(ractl),
			  readahead_length(ractl));
	modelfs_batch_init(&b);
	/* The folios are contiguous; a folio left not uptodate is read again. */
	while ((folio = readahead_folio(ractl))) {
		if (!lower)
			folio_unlock(folio);
		else if (modelfs_batch_add(&b, folio))
			modelfs_fill_folios(lower, &b);
	}
	if (b.nr)
		modelfs_fill_folios(lower, &b);
	modelfs_batch_release(&b);
}

static const struct address_space_operations modelfs_aops = {
	.read_folio	= modelfs_read_folio,
	.readahead	= modelfs_readahead,
};

static int modelfs_inode_test(struct inode *inode, void *lower)
{
	return MODELFS_I(inode)->lower == lower;
}

static int modelfs_inode_set(struct inode *inode, void *lower)
{
	MODELFS_I(inode)->lower = igrab(lower);
	return MODELFS_I(inode)->lower ? 0 : -ESTALE;
}

/**
 * modelfs_iget - the ModelFS inode that shadows @lower
 * @sb: the ModelFS superblock
 * @lower: a lower inode; the ModelFS inode takes a reference of its own
 *
 * Return: the inode, found in the cache or made and set up from @lower,
 * or ERR_PTR(-ENOMEM) if it could not be made.
 */
struct inode *modelfs_iget(struct super_block *sb, struct inode *lower)
{
	struct inode *inode;

	/* Hashed by inode number, so the channel can find a file by it. */
	inode = iget5_locked(sb, lower->i_ino, modelfs_inode_test,
			     modelfs_inode_set, lower);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	if (!(inode->i_state & I_NEW))
		return inode;

	inode->i_ino = lower->i_ino;
	modelfs_copy_attr(inode, lower);
	inode->i_mapping->a_ops = &modelfs_aops;
	switch (lower->i_mode & S_IFMT) {
	case S_IFDIR:
		inode->i_op = &modelfs_dir_iops;
		inode->i_fop = &modelfs_dir_fops;
		break;
	case S_IFREG:
		inode->i_op = &modelfs_file_iops;
		inode->i_fop = &modelfs_file_fops;
		break;
	case S_IFLNK:
		inode->i_op = &modelfs_symlink_iops;
		break;
	default:
		/*
		 * Devices, fifos, sockets: shown, but the default i_fop of a
		 * new inode refuses to open them.
		 */
		inode->i_op = &modelfs_file_iops;
		break;
	}
	unlock_new_inode(inode);
	return inode;
}
