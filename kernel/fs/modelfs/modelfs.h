/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ModelFS-K: a read-only filesystem stacked over a directory of another
 * one, with a page cache of its own filled from the lower files.
 */
#ifndef _FS_MODELFS_H
#define _FS_MODELFS_H

#include <linux/atomic.h>
#include <linux/bvec.h>
#include <linux/fs.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/page-flags.h>
#include <linux/path.h>
#include <linux/shrinker.h>
#include <linux/types.h>
#include <uapi/linux/modelfs.h>

struct modelfs_channel;

#define MODELFS_RING	1024	/* events queued per channel */

/* The event queue of a channel; its lock is the channel's. */
struct modelfs_ring {
	unsigned int head, tail;	/* free-running; tail <= head */
	u64 dropped;			/* events lost since the last pop */
	struct modelfs_event ev[MODELFS_RING];
};

/* Per-mount counters, shown in /sys/fs/modelfs/<dev>/. */
struct modelfs_stats {
	atomic64_t hits;		/* pages read() found in the cache */
	atomic64_t misses;		/* read_folio: a read found no folio */
	atomic64_t readahead_pages;	/* pages filled by readahead */
	atomic64_t prefetched_pages;	/* pages filled by PREFETCH */
	atomic64_t evicted_pages;	/* pages dropped by EVICT */
	atomic64_t wasted_pages;	/* prefetched, dropped unused */
	atomic64_t lower_bytes;		/* bytes read from lower files */
	atomic64_t events_dropped;	/* events lost to a full queue */
};

/* Per mount; freed by the release of its kobject. */
struct modelfs_sb_info {
	struct super_block *sb;
	struct modelfs_channel __rcu *chan;	/* the attached policy */
	struct mutex attach_mutex;		/* attaching and detaching */
	struct shrinker shrinker;		/* turns pressure into events */
	struct modelfs_stats stats;
	unsigned long lower_ra_pages;		/* the lower device's window */
	/*
	 * The lowerdir's mount (held by the root's lower path): its
	 * idmapping and nosuid apply to every lower inode.
	 */
	struct vfsmount *lower_mnt;
	atomic_t prefetch_inflight;		/* queued or running */
	/* The shrinker's count, summed over s_inodes at most every HZ/10. */
	unsigned long cached_pages;
	unsigned long cached_pages_at;		/* jiffies of that sum */
	bool stopping;				/* kill_sb: prefetch stops */
	struct list_head node;			/* in the netlink mount list */
	u64 nl_id;				/* its place in that list */
	struct kobject kobj;			/* /sys/fs/modelfs/<dev> */
};

/* A policy may not queue more PREFETCH commands than this per mount. */
#define MODELFS_PREFETCH_MAX	1024

/*
 * A folio a PREFETCH filled carries PG_owner_priv_1 until a read or a
 * mapping first uses it: that turns into a HIT event, and dropping the
 * folio with the flag still set counts as wasted prefetch.
 */
static inline bool modelfs_folio_prefetched(struct folio *folio)
{
	return folio_test_checked(folio);
}

static inline void modelfs_folio_set_prefetched(struct folio *folio)
{
	folio_set_checked(folio);
}

static inline struct modelfs_sb_info *MODELFS_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

static inline struct modelfs_stats *modelfs_stats(struct super_block *sb)
{
	return &MODELFS_SB(sb)->stats;
}

/* A ModelFS inode shadows one lower inode, which it holds a reference to. */
struct modelfs_inode {
	struct inode vfs_inode;
	struct inode *lower;
	unsigned int ra_pages;		/* SET_RA window; 0: the mount's */
	bool quiet;			/* DONE: no read events until open */
	unsigned long flags;		/* MODELFS_I_* */
};

/* The lower file changed since its data was cached: drop it at open. */
#define MODELFS_I_STALE		0

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
/* Folios filled by one read of the lower file: 256 KiB with 4 KiB pages. */
#define MODELFS_FILL_BATCH	64

/**
 * struct modelfs_batch - contiguous locked folios for one lower read
 * @bv: one bio_vec per folio, MODELFS_FILL_BATCH of them allocated (a
 *	stacked read path keeps them off the stack), or just @one when the
 *	allocation failed
 * @one: the fallback: batches of one folio
 * @nr: folios in the batch
 * @max: how many @bv holds
 */
struct modelfs_batch {
	struct bio_vec *bv;
	struct bio_vec one;
	unsigned int nr, max;
};

void modelfs_batch_init(struct modelfs_batch *b);
bool modelfs_batch_add(struct modelfs_batch *b, struct folio *folio);
void modelfs_batch_release(struct modelfs_batch *b);
int modelfs_fill_folios(struct file *lower, struct modelfs_batch *b);
void modelfs_apply_ra(struct file *file);
unsigned long modelfs_count_prefetched(struct address_space *mapping,
				       pgoff_t first, pgoff_t last);

#if IS_ENABLED(CONFIG_KUNIT)
bool modelfs_ring_push(struct modelfs_ring *ring,
		       const struct modelfs_event *ev);
bool modelfs_ring_pop(struct modelfs_ring *ring, struct modelfs_event *ev);
int modelfs_cmd_range(const struct modelfs_cmd *cmd, loff_t size,
		      pgoff_t *first, pgoff_t *last);
int modelfs_cmd_ra_pages(const struct modelfs_cmd *cmd, unsigned int *pages);
#endif

void modelfs_emit(struct super_block *sb, u32 type, u64 ino, u64 off, u64 len);
void modelfs_emit_read(struct inode *inode, u32 type, u64 off, u64 len);
long modelfs_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
int modelfs_channel_init(struct super_block *sb);
void modelfs_channel_exit(struct super_block *sb);
int modelfs_prefetch_init(void);
void modelfs_prefetch_exit(void);
void modelfs_prefetch_stop(struct super_block *sb);

int modelfs_sysfs_init(void);
void modelfs_sysfs_exit(void);
struct modelfs_sb_info *modelfs_sbi_alloc(struct super_block *sb);
int modelfs_sbi_publish(struct modelfs_sb_info *sbi);
void modelfs_sbi_unpublish(struct modelfs_sb_info *sbi);

#if IS_ENABLED(CONFIG_NET)
int modelfs_netlink_init(void);
void modelfs_netlink_exit(void);
void modelfs_netlink_add(struct modelfs_sb_info *sbi);
void modelfs_netlink_del(struct modelfs_sb_info *sbi);
#else
static inline int modelfs_netlink_init(void) { return 0; }
static inline void modelfs_netlink_exit(void) { }
static inline void modelfs_netlink_add(struct modelfs_sb_info *sbi) { }
static inline void modelfs_netlink_del(struct modelfs_sb_info *sbi) { }
#endif

#endif /* _FS_MODELFS_H */
