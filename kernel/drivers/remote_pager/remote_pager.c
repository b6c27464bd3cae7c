// SPDX-License-Identifier: GPL-2.0-only
/*
 * remote_pager, host side: a gm_mmu whose calls become messages to a
 * device's memory manager and page copies over the device's channel,
 * and the handler of the messages the device sends back (its faults).
 *
 * Every process that uses the device is paired with it first and gets
 * a task id, which names it in the messages.
 */
#define pr_fmt(fmt) "remote_pager: " fmt

#include <linux/gmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/remote_pager.h>
#include <linux/sched/mm.h>

static int rp_task_of(struct rp_channel *ch, struct mm_struct *mm)
{
	unsigned long id;
	void *entry;

	xa_for_each(&ch->tasks, id, entry)
		if (entry == mm)
			return id;
	return -ENOENT;
}

/* Deliver @msg to the device and return its answer. */
static int rp_send(struct rp_channel *ch, struct rp_msg *msg)
{
	int ret = ch->ops->notify(ch, msg);

	return ret ?: msg->ret;
}

static enum gm_ret rp_peer_map(struct gm_fault_t *gmf)
{
	struct rp_channel *ch = gmf->dev->priv;
	struct rp_msg msg = {
		.type = RP_ALLOC_PAGE, .va = gmf->va, .size = gmf->size,
	};
	struct page *page;
	int task = rp_task_of(ch, gmf->mm), i, ret;

	if (task < 0)
		return GM_RET_FAILURE_UNKNOWN;
	msg.task = task;
	ret = rp_send(ch, &msg);
	if (ret == -ENOMEM)
		return GM_RET_NOMEM;
	if (ret)
		return GM_RET_FAILURE_UNKNOWN;
	for (i = 0; i < GMEM_NR_SUBPAGES; i++) {
		page = gmf->pages[i] ?: ZERO_PAGE(0);
		if (ch->ops->copy_to(ch, msg.dev_addr + i * PAGE_SIZE, page))
			goto dma_error;
	}
	gmf->dev_addr = msg.dev_addr;
	return GM_RET_SUCCESS;

dma_error:
	msg.type = RP_FREE_PAGE;
	rp_send(ch, &msg);
	return GM_RET_DMA_ERROR;
}

/*
 * The device first stops using the page (EVICT_PAGE), so that nothing
 * it writes afterwards is lost, then the data comes out and the memory
 * goes back (FREE_PAGE).
 */
static enum gm_ret rp_peer_unmap(struct gm_fault_t *gmf)
{
	struct rp_channel *ch = gmf->dev->priv;
	struct rp_msg msg = {
		.type = RP_EVICT_PAGE, .dev_addr = gmf->dev_addr,
		.va = gmf->va, .size = gmf->size,
	};
	int i;

	if (rp_send(ch, &msg))
		return GM_RET_FAILURE_UNKNOWN;
	for (i = 0; gmf->pages && i < GMEM_NR_SUBPAGES; i++)
		if (ch->ops->copy_from(ch, gmf->pages[i],
				       gmf->dev_addr + i * PAGE_SIZE))
			return GM_RET_DMA_ERROR;
	msg.type = RP_FREE_PAGE;
	return rp_send(ch, &msg) ? GM_RET_FAILURE_UNKNOWN : GM_RET_SUCCESS;
}

/* A range of a process is gone; va 0 and size 0: the whole process. */
static enum gm_ret rp_peer_va_free(struct gm_fault_t *gmf)
{
	struct rp_channel *ch = gmf->dev->priv;
	struct rp_msg msg = {
		.type = RP_FREE_VMA, .va = gmf->va, .size = gmf->size,
	};
	int task = rp_task_of(ch, gmf->mm);

	if (task < 0)
		return GM_RET_SUCCESS;
	msg.task = task;
	if (!gmf->va && !gmf->size) {
		msg.type = RP_TASK_EXIT_ORIGIN;
		xa_erase(&ch->tasks, task);
	}
	return rp_send(ch, &msg) ? GM_RET_FAILURE_UNKNOWN : GM_RET_SUCCESS;
}

/* -EAGAIN from the device: a page left it before the copy. */
static enum gm_ret rp_peer_hmemcpy(struct gm_memcpy_t *gmc)
{
	struct rp_channel *ch = gmc->dev->priv;
	struct rp_msg msg = {
		.type = RP_HMEMCPY, .va = gmc->dest, .src = gmc->src,
		.size = gmc->size,
	};
	int task = rp_task_of(ch, gmc->mm), ret;

	if (task < 0)
		return GM_RET_FAILURE_UNKNOWN;
	msg.task = task;
	ret = rp_send(ch, &msg);
	if (ret == -EAGAIN)
		return GM_RET_MIGRATING;
	return ret ? GM_RET_FAILURE_UNKNOWN : GM_RET_SUCCESS;
}

static const struct gm_mmu rp_mmu = {
	.peer_map	= rp_peer_map,
	.peer_unmap	= rp_peer_unmap,
	.peer_va_free	= rp_peer_va_free,
	.peer_hmemcpy	= rp_peer_hmemcpy,
};

/**
 * remote_pager_register - Put a device's channel under GMem
 * @ch: the channel; the driver has set @ch->ops (notify, copy_to and
 *	copy_from at least) and @ch->priv, and may set @ch->gm.name and
 *	@ch->gm.capacity
 *
 * Calls @ch->ops->open if set, then registers @ch->gm with GMem, whose
 * MMU callbacks become messages over @ch. A driver of several devices
 * names each in @ch->gm.name; otherwise the device takes the name of
 * its ops.
 *
 * Context: process context; may sleep.
 * Return: 0, with @ch->gm.hnid set; the error of @ch->ops->open; or that
 * of gm_dev_register() (-ENODEV when GMem is off), after
 * @ch->ops->close.
 */
int remote_pager_register(struct rp_channel *ch)
{
	int ret;

	xa_init_flags(&ch->tasks, XA_FLAGS_ALLOC);
	/* A driver of several devices names each; one device, its ops. */
	if (!ch->gm.name)
		ch->gm.name = ch->ops->name;
	ch->gm.mmu = &rp_mmu;
	ch->gm.priv = ch;
	ret = ch->ops->open ? ch->ops->open(ch) : 0;
	if (ret)
		return ret;
	ret = gm_dev_register(&ch->gm);
	if (ret && ch->ops->close)
		ch->ops->close(ch);
	return ret;
}
EXPORT_SYMBOL_GPL(remote_pager_register);

/**
 * remote_pager_unregister - Take a device's channel out of GMem
 * @ch: a channel remote_pager_register() accepted
 *
 * Every process paired with the device must have been unpaired first
 * (see gm_dev_unregister()). Then @ch->ops->close is called.
 *
 * Context: process context; may sleep.
 */
void remote_pager_unregister(struct rp_channel *ch)
{
	gm_dev_unregister(&ch->gm);
	if (ch->ops->close)
		ch->ops->close(ch);
	WARN_ON_ONCE(!xa_empty(&ch->tasks));
	xa_destroy(&ch->tasks);
}
EXPORT_SYMBOL_GPL(remote_pager_unregister);

/**
 * remote_pager_pair - A process starts using the device
 * @ch: the device's channel
 * @mm: the process's address space
 *
 * Gives the process a task id, tells the device
 * (%RP_TASK_PAIRING_REQUEST) and attaches the device to @mm in GMem
 * (gm_dev_attach()). If the device or GMem refuses, the device is told
 * the process has gone (%RP_TASK_EXIT_ORIGIN) and the id is freed.
 *
 * Context: process context; may sleep.
 * Return: the task id, which names the process in messages; -EBUSY if
 * @mm is paired already; or the device's, or gm_dev_attach()'s, error.
 */
int remote_pager_pair(struct rp_channel *ch, struct mm_struct *mm)
{
	struct rp_msg msg = { .type = RP_TASK_PAIRING_REQUEST };
	int ret;

	if (rp_task_of(ch, mm) >= 0)
		return -EBUSY;
	ret = xa_alloc(&ch->tasks, &msg.task, mm, xa_limit_31b, GFP_KERNEL);
	if (ret)
		return ret;
	ret = rp_send(ch, &msg);
	if (!ret)
		ret = gm_dev_attach(mm, &ch->gm);
	if (ret) {
		msg.type = RP_TASK_EXIT_ORIGIN;
		rp_send(ch, &msg);
		xa_erase(&ch->tasks, msg.task);
		return ret;
	}
	return msg.task;
}
EXPORT_SYMBOL_GPL(remote_pager_pair);

/**
 * remote_pager_unpair - A process is done with the device
 * @ch: the device's channel
 * @mm: the process's address space; the caller holds a reference on
 *	the mm_struct (mmgrab())
 *
 * The process's pages on the device come home and the device is told
 * the process has gone (gm_dev_detach()). If the process already
 * exited, exit_mmap did all of this, and nothing is done.
 *
 * Context: process context; may sleep.
 */
void remote_pager_unpair(struct rp_channel *ch, struct mm_struct *mm)
{
	if (mmget_not_zero(mm)) {
		gm_dev_detach(mm, &ch->gm);
		mmput(mm);
	}
}
EXPORT_SYMBOL_GPL(remote_pager_unpair);

/**
 * remote_pager_recv - Deliver a message the device sent
 * @ch: the device's channel
 * @msg: the message; only %RP_PAGE_FAULT is handled
 *
 * A page fault (@msg->va of the process @msg->task names) is served
 * with gm_dev_fault(), in the context of that process: the device runs
 * its work there.
 *
 * Context: process context of the process @msg->task names; may sleep.
 * Return: what gm_dev_fault() returned; -EINVAL if @msg->task is not
 * the calling process; -EOPNOTSUPP for any other message type.
 */
int remote_pager_recv(struct rp_channel *ch, struct rp_msg *msg)
{
	struct mm_struct *mm = xa_load(&ch->tasks, msg->task);

	switch (msg->type) {
	case RP_PAGE_FAULT:
		if (!mm || mm != current->mm)
			return -EINVAL;
		return gm_dev_fault(mm, msg->va, &ch->gm);
	default:
		return -EOPNOTSUPP;
	}
}
EXPORT_SYMBOL_GPL(remote_pager_recv);

MODULE_DESCRIPTION("remote_pager: GMem's messages to accelerators");
MODULE_LICENSE("GPL");
