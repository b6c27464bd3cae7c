/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * remote_pager: the messages between GMem on the host and the memory
 * manager on an accelerator, over a channel the device's driver
 * provides. The host side turns GMem's gm_mmu calls into messages and
 * page copies; the device side answers them and sends its page faults.
 * Message types and their order are openEuler's.
 */
#ifndef _LINUX_REMOTE_PAGER_H
#define _LINUX_REMOTE_PAGER_H

#include <linux/gmem.h>
#include <linux/types.h>
#include <linux/xarray.h>

enum rp_msg_type {
	RP_TASK_PAIRING_REQUEST,	/* host: a process uses the device */
	RP_TASK_EXIT_ORIGIN,		/* host: the process is gone */
	RP_TASK_EXIT_REMOTE,		/* device: its side of it is gone */
	RP_ALLOC_VMA,
	RP_FREE_VMA,			/* host: a range was unmapped */
	RP_ALLOC_PAGE,			/* host: back va with device memory */
	RP_FREE_PAGE,			/* host: give dev_addr back */
	RP_PAGE_FAULT,			/* device: va is not on the device */
	RP_EVICT_PAGE,
	RP_HMADVISE,
	RP_HMEMCPY,			/* host: the device copies */
	RP_COMMON_RESPONSE,
	RP_NR_MSG_TYPES,
};

/**
 * struct rp_msg - a message between the host and a device
 * @type: enum rp_msg_type
 * @task: the paired process, as remote_pager_pair() numbered it
 * @va: the address the message is about
 * @size: bytes from @va
 * @dev_addr: device memory: given, or set by the device in answer to
 *	%RP_ALLOC_PAGE
 * @src: %RP_HMEMCPY: copy @size bytes from @src to @va
 * @ret: the device's answer: 0 or a negative errno
 */
struct rp_msg {
	u32 type;
	u32 task;		/* the paired process */
	u64 va;
	u64 size;
	u64 dev_addr;		/* device memory: in, or out of ALLOC_PAGE */
	u64 src;		/* HMEMCPY: from src to va, size bytes */
	s32 ret;		/* the answer: 0 or a negative errno */
};

struct rp_channel;

/**
 * struct phys_channel_ops - the link to one device, as its driver provides it
 * @name: the device's name when the channel gives none
 * @open: optional; called by remote_pager_register() before the device
 *	is registered
 * @notify: deliver a message to the device and return once it has
 *	answered, in @msg->ret and its out fields; 0, or an errno if the
 *	message could not be delivered
 * @copy_to: copy one base page of host memory to device memory at
 *	@dev_addr
 * @copy_from: copy one base page of device memory at @dev_addr to host
 *	memory
 * @close: optional; called when the channel is unregistered, or when
 *	its registration fails after @open
 *
 * All are called in process context and may sleep. The device side must
 * not call back into remote_pager from inside them.
 */
struct phys_channel_ops {
	const char *name;
	int (*open)(struct rp_channel *ch);
	int (*notify)(struct rp_channel *ch, struct rp_msg *msg);
	int (*copy_to)(struct rp_channel *ch, u64 dev_addr, struct page *page);
	int (*copy_from)(struct rp_channel *ch, struct page *page,
			 u64 dev_addr);
	void (*close)(struct rp_channel *ch);
};

/**
 * struct rp_channel - one device's channel
 * @ops: the driver's link to the device
 * @priv: the driver's
 * @gm: the device as GMem knows it; a driver may set @gm.name and
 *	@gm.capacity before remote_pager_register()
 * @tasks: the paired processes, task id to mm_struct
 */
struct rp_channel {
	const struct phys_channel_ops *ops;
	void *priv;			/* the device side's */
	struct gm_dev gm;		/* the device, as GMem knows it */
	struct xarray tasks;		/* task id -> mm */
};

int remote_pager_register(struct rp_channel *ch);
void remote_pager_unregister(struct rp_channel *ch);
int remote_pager_pair(struct rp_channel *ch, struct mm_struct *mm);
void remote_pager_unpair(struct rp_channel *ch, struct mm_struct *mm);
int remote_pager_recv(struct rp_channel *ch, struct rp_msg *msg);

#endif /* _LINUX_REMOTE_PAGER_H */
