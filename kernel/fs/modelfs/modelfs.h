/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ModelFS-K: a read-only filesystem stacked over a directory of another
 * one, with a page cache of its own filled from the lower files.
 */
#ifndef _FS_MODELFS_H
#define _FS_MODELFS_H

#include <linux/fs.h>
#include <linux/path.h>

/* A ModelFS inode shadows one lower inode, which it holds a reference to. */
struct modelfs_inode {
	struct inode vfs_inode;
	struct inode *lower;
};

static inline struct modelfs_inode *MODELFS_I(struct inode *inode)
{
	return container_of(inode, struct modelfs_inode, vfs_inode);
}

/* The lower path of a dentry lives in d_fsdata for the dentry's lifetime. */
static inline struct path *modelfs_lower_path(const struct dentry *dentry)
{
	return dentry->d_fsdata;
}

extern const struct dentry_operations modelfs_dentry_ops;

struct inode *modelfs_iget(struct super_block *sb, struct inode *lower);
int modelfs_set_lower(struct dentry *dentry, const struct path *lower);

#endif /* _FS_MODELFS_H */
