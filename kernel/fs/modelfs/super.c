// SPDX-License-Identifier: GPL-2.0-only
/*
 * ModelFS-K superblock and mount:
 *
 *	mount -t modelfs -o lowerdir=<dir> none <mnt>
 *
 * The mount is read-only and refuses a lower directory that is itself on
 * a stacked filesystem (overlayfs, ecryptfs, another ModelFS).
 */

#include <linux/backing-dev.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/magic.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/statfs.h>

#include "modelfs.h"

/*
 * The lowerdir is looked up as the option is parsed, as overlayfs does:
 * not in fill_super, under the new superblock's s_umount.
 */
struct modelfs_fs_context {
	char *lowerdir;		/* as given, for messages */
	struct path lower;	/* what it names, once given */
};

static struct kmem_cache *modelfs_inode_cachep;

static struct inode *modelfs_alloc_inode(struct super_block *sb)
{
	struct modelfs_inode *mi;

	mi = alloc_inode_sb(sb, modelfs_inode_cachep, GFP_KERNEL);
	if (!mi)
		return NULL;
	mi->lower = NULL;
	mi->ra_pages = 0;
	mi->quiet = false;
	mi->flags = 0;
	return &mi->vfs_inode;
}

static void modelfs_free_inode(struct inode *inode)
{
	kmem_cache_free(modelfs_inode_cachep, MODELFS_I(inode));
}

static void modelfs_evict_inode(struct inode *inode)
{
	/* Prefetched pages still unused now were prefetched for nothing. */
	atomic64_add(modelfs_count_prefetched(&inode->i_data, 0, ULONG_MAX),
		     &modelfs_stats(inode->i_sb)->wasted_pages);
	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	iput(MODELFS_I(inode)->lower);
}

static int modelfs_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	int err = vfs_statfs(modelfs_lower_path(dentry->d_sb->s_root), buf);

	buf->f_type = MODELFS_SUPER_MAGIC;
	return err;
}

static int modelfs_show_options(struct seq_file *m, struct dentry *root)
{
	seq_puts(m, ",lowerdir=");
	seq_path(m, modelfs_lower_path(root), ", \t\n\\");
	return 0;
}

static const struct super_operations modelfs_sops = {
	.alloc_inode	= modelfs_alloc_inode,
	.free_inode	= modelfs_free_inode,
	.evict_inode	= modelfs_evict_inode,
	.statfs		= modelfs_statfs,
	.show_options	= modelfs_show_options,
	.drop_inode	= generic_delete_inode,
};

static int modelfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct modelfs_fs_context *ctx = fc->fs_private;
	struct path lower = ctx->lower;
	struct modelfs_sb_info *sbi;
	struct super_block *lower_sb;
	struct inode *root;
	int err;

	if (!lower.dentry)
		return invalfc(fc, "lowerdir= is required");
	lower_sb = lower.dentry->d_sb;
	err = -ENOMEM;
	sbi = modelfs_sbi_alloc(sb);
	if (!sbi)
		goto out;
	sb->s_fs_info = sbi;
	err = modelfs_channel_init(sb);
	if (err)
		goto out;
	err = -EINVAL;
	if (lower_sb->s_stack_depth) {
		errorfc(fc, "lowerdir %s is on a stacked filesystem (%s)",
			ctx->lowerdir, lower_sb->s_type->name);
		goto out;
	}
	/*
	 * A bdi of our own: the nodev default has readahead off. Read ahead
	 * as the lower device does, or by the default window over a lower
	 * without one (tmpfs).
	 */
	err = super_setup_bdi(sb);
	if (err)
		goto out;
	if (lower_sb->s_bdi->ra_pages) {
		sb->s_bdi->ra_pages = lower_sb->s_bdi->ra_pages;
		sb->s_bdi->io_pages = lower_sb->s_bdi->io_pages;
	}
	sbi->lower_ra_pages = sb->s_bdi->ra_pages;
	sbi->lower_mnt = lower.mnt;
	/* What the lower mount may not execute, ModelFS may not either. */
	if (lower.mnt->mnt_flags & MNT_NOEXEC)
		sb->s_iflags |= SB_I_NOEXEC;
	sb->s_stack_depth = lower_sb->s_stack_depth + 1;
	sb->s_flags |= SB_RDONLY | SB_NOATIME;
	sb->s_magic = MODELFS_SUPER_MAGIC;
	sb->s_op = &modelfs_sops;
	sb->s_d_op = &modelfs_dentry_ops;
	sb->s_maxbytes = lower_sb->s_maxbytes;
	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	sb->s_time_gran = lower_sb->s_time_gran;

	root = modelfs_iget(sb, d_inode(lower.dentry));
	if (IS_ERR(root)) {
		err = PTR_ERR(root);
		goto out;
	}
	sb->s_root = d_make_root(root);
	err = -ENOMEM;
	if (!sb->s_root)
		goto out;
	err = modelfs_set_lower(sb->s_root, &lower);
	if (!err)
		err = modelfs_sbi_publish(sbi);
out:
	return err;
}

enum modelfs_param {
	MODELFS_OPT_LOWERDIR,
};

static const struct fs_parameter_spec modelfs_params[] = {
	fsparam_string("lowerdir", MODELFS_OPT_LOWERDIR),
	{}
};

static int modelfs_parse_param(struct fs_context *fc,
			       struct fs_parameter *param)
{
	struct modelfs_fs_context *ctx = fc->fs_private;
	struct fs_parse_result result;
	struct path lower;
	int opt, err;

	opt = fs_parse(fc, modelfs_params, param, &result);
	if (opt < 0)
		return opt;
	switch (opt) {
	case MODELFS_OPT_LOWERDIR:
		/* A remount keeps its lower; mount(8) repeats the option. */
		if (fc->purpose == FS_CONTEXT_FOR_RECONFIGURE)
			break;
		err = kern_path(param->string, LOOKUP_FOLLOW | LOOKUP_DIRECTORY,
				&lower);
		if (err) {
			errorfc(fc, "lowerdir %s: error %d", param->string, err);
			return err;
		}
		/* Given again: the last one counts, as for other options. */
		path_put(&ctx->lower);
		ctx->lower = lower;
		kfree(ctx->lowerdir);
		ctx->lowerdir = param->string;
		param->string = NULL;
		break;
	}
	return 0;
}

static int modelfs_get_tree(struct fs_context *fc)
{
	return get_tree_nodev(fc, modelfs_fill_super);
}

static void modelfs_free_fc(struct fs_context *fc)
{
	struct modelfs_fs_context *ctx = fc->fs_private;

	if (ctx) {
		path_put(&ctx->lower);
		kfree(ctx->lowerdir);
	}
	kfree(ctx);
}

static int modelfs_reconfigure(struct fs_context *fc)
{
	/* Only the generic flags may change, and the mount stays read-only. */
	if ((fc->sb_flags_mask & SB_RDONLY) && !(fc->sb_flags & SB_RDONLY))
		return invalfc(fc, "modelfs is read-only");
	return 0;
}

static const struct fs_context_operations modelfs_context_ops = {
	.parse_param	= modelfs_parse_param,
	.get_tree	= modelfs_get_tree,
	.reconfigure	= modelfs_reconfigure,
	.free		= modelfs_free_fc,
};

static int modelfs_init_fs_context(struct fs_context *fc)
{
	struct modelfs_fs_context *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	fc->fs_private = ctx;
	fc->ops = &modelfs_context_ops;
	/* A new mount is read-only whatever it asked; a remount is checked. */
	if (fc->purpose == FS_CONTEXT_FOR_MOUNT)
		fc->sb_flags |= SB_RDONLY;
	return 0;
}

static void modelfs_kill_sb(struct super_block *sb)
{
	struct modelfs_sb_info *sbi = MODELFS_SB(sb);

	if (sbi) {
		modelfs_sbi_unpublish(sbi);
		/* No prefetch may hold an inode past this point. */
		modelfs_prefetch_stop(sb);
		modelfs_channel_exit(sb);
	}
	kill_anon_super(sb);
	if (sbi)
		kobject_put(&sbi->kobj);
}

static struct file_system_type modelfs_fs_type = {
	.owner			= THIS_MODULE,
	.name			= "modelfs",
	.init_fs_context	= modelfs_init_fs_context,
	.parameters		= modelfs_params,
	.kill_sb		= modelfs_kill_sb,
};
MODULE_ALIAS_FS("modelfs");

static void modelfs_inode_init_once(void *obj)
{
	struct modelfs_inode *mi = obj;

	inode_init_once(&mi->vfs_inode);
}

static int __init modelfs_init(void)
{
	int err;

	modelfs_inode_cachep = kmem_cache_create("modelfs_inode",
						 sizeof(struct modelfs_inode),
						 0, SLAB_RECLAIM_ACCOUNT |
						 SLAB_ACCOUNT,
						 modelfs_inode_init_once);
	if (!modelfs_inode_cachep)
		return -ENOMEM;
	err = modelfs_sysfs_init();
	if (err)
		goto out_cache;
	err = modelfs_prefetch_init();
	if (err)
		goto out_sysfs;
	err = modelfs_netlink_init();
	if (err)
		goto out_prefetch;
	err = register_filesystem(&modelfs_fs_type);
	if (err)
		goto out_netlink;
	return 0;
out_netlink:
	modelfs_netlink_exit();
out_prefetch:
	modelfs_prefetch_exit();
out_sysfs:
	modelfs_sysfs_exit();
out_cache:
	kmem_cache_destroy(modelfs_inode_cachep);
	return err;
}

static void __exit modelfs_exit(void)
{
	unregister_filesystem(&modelfs_fs_type);
	modelfs_netlink_exit();
	modelfs_prefetch_exit();
	modelfs_sysfs_exit();
	/* Inodes are freed after an RCU grace period. */
	rcu_barrier();
	kmem_cache_destroy(modelfs_inode_cachep);
}

module_init(modelfs_init);
module_exit(modelfs_exit);

MODULE_DESCRIPTION("ModelFS: stacked read-only filesystem for model loading");
MODULE_LICENSE("GPL");
