// SPDX-License-Identifier: GPL-2.0-only
/* libmodelfs runtime: the channel, command encoding, event dispatch. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libmodelfs.h"

struct modelfs_rt {
	int fd;
	modelfs_cmd_fn hook;
	void *hook_arg;
	struct modelfs_stats stats;
};

static int set_flags(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	fl = fcntl(fd, F_GETFD);
	if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
		return -1;
	return 0;
}

struct modelfs_rt *modelfs_init_fd(int chan_fd)
{
	struct modelfs_rt *rt;

	if (chan_fd < 0) {
		errno = EBADF;
		return NULL;
	}
	if (set_flags(chan_fd) < 0)
		return NULL;
	rt = calloc(1, sizeof(*rt));
	if (!rt)
		return NULL;
	rt->fd = chan_fd;
	return rt;
}

struct modelfs_rt *modelfs_init(const char *mountpoint)
{
	struct modelfs_rt *rt;
	int dfd, cfd, err;

	if (!mountpoint) {
		errno = EINVAL;
		return NULL;
	}
	dfd = open(mountpoint, O_RDONLY | O_CLOEXEC);
	if (dfd < 0)
		return NULL;
	cfd = ioctl(dfd, MODELFS_IOC_ATTACH);
	err = errno;
	close(dfd);
	if (cfd < 0) {
		errno = err;
		return NULL;
	}
	rt = modelfs_init_fd(cfd);
	if (!rt) {
		err = errno;
		close(cfd);
		errno = err;
	}
	return rt;
}

void modelfs_exit(struct modelfs_rt *rt)
{
	if (!rt)
		return;
	close(rt->fd);
	free(rt);
}

int modelfs_fd(const struct modelfs_rt *rt)
{
	return rt->fd;
}

const struct modelfs_stats *modelfs_stats(const struct modelfs_rt *rt)
{
	return &rt->stats;
}

void modelfs_set_cmd_hook(struct modelfs_rt *rt, modelfs_cmd_fn fn, void *arg)
{
	rt->hook = fn;
	rt->hook_arg = arg;
}

static int send_cmd(struct modelfs_rt *rt, uint32_t type, uint64_t ino,
		    uint64_t off, uint64_t len)
{
	struct modelfs_cmd cmd;
	ssize_t n;
	int ret;

	memset(&cmd, 0, sizeof(cmd));
	cmd.type = type;
	cmd.reserved = 0;
	cmd.ino = ino;
	cmd.off = off;
	cmd.len = len;

	/* Only the range commands carry a range; SET_RA and DONE may be 0. */
	if ((type == MODELFS_CMD_PREFETCH || type == MODELFS_CMD_EVICT) &&
	    (len == 0 || off + len < off)) {
		ret = -EINVAL;
	} else if (rt->hook) {
		ret = rt->hook(rt->hook_arg, &cmd);
		if (ret > 0)
			ret = 0;
	} else {
		do
			n = write(rt->fd, &cmd, sizeof(cmd));
		while (n < 0 && errno == EINTR);
		if (n < 0)
			ret = -errno;
		else if ((size_t)n != sizeof(cmd))
			ret = -EIO;
		else
			ret = 0;
	}

	if (ret < 0)
		rt->stats.cmd_errors++;
	else if (type == MODELFS_CMD_PREFETCH)
		rt->stats.prefetch_cmds++;
	else if (type == MODELFS_CMD_EVICT)
		rt->stats.evict_cmds++;
	else
		rt->stats.other_cmds++;
	return ret;
}

int modelfs_set_ra(struct modelfs_rt *rt, uint64_t ino, uint64_t bytes)
{
	return send_cmd(rt, MODELFS_CMD_SET_RA, ino, 0, bytes);
}

int modelfs_done(struct modelfs_rt *rt, uint64_t ino)
{
	return send_cmd(rt, MODELFS_CMD_DONE, ino, 0, 0);
}

int modelfs_prefetch(struct modelfs_rt *rt, uint64_t ino, uint64_t off,
		     uint64_t len)
{
	return send_cmd(rt, MODELFS_CMD_PREFETCH, ino, off, len);
}

int modelfs_evict(struct modelfs_rt *rt, uint64_t ino, uint64_t off,
		  uint64_t len)
{
	return send_cmd(rt, MODELFS_CMD_EVICT, ino, off, len);
}

int modelfs_read_events(struct modelfs_rt *rt, struct modelfs_event *evs,
			int max)
{
	const size_t esz = sizeof(*evs);
	int count = 0;
	ssize_t n;

	if (max < 1)
		return -EINVAL;
	/*
	 * The kernel returns as many whole records as fit; a SEQPACKET test
	 * peer returns one per read. Read until the buffer is full or
	 * nothing is queued.
	 */
	while (count < max) {
		n = read(rt->fd, evs + count, (size_t)(max - count) * esz);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return count ? count : -errno;
		}
		if (n == 0)
			return count ? count : -EPIPE;
		if ((size_t)n % esz)
			return -EPROTO;
		count += (int)((size_t)n / esz);
	}
	return count;
}

int modelfs_dispatch(struct modelfs_rt *rt, const struct modelfs_policy *pol,
		     void *state, const struct modelfs_event *ev)
{
	rt->stats.events++;
	switch (ev->type) {
	case MODELFS_EV_OPEN:
	case MODELFS_EV_MISS:
	case MODELFS_EV_READAHEAD:
	case MODELFS_EV_CLOSE:
	case MODELFS_EV_HIT:
	case MODELFS_EV_FAULT:
		if (pol && pol->prefetch)
			pol->prefetch(rt, state, ev);
		return 0;
	case MODELFS_EV_PRESSURE:
		if (pol && pol->evict)
			pol->evict(rt, state, ev);
		return 0;
	case MODELFS_EV_OVERFLOW:
		rt->stats.overflows += ev->len;
		return 0;
	default:
		return -EINVAL;
	}
}

const struct modelfs_policy *const modelfs_policies[] = {
	&modelfs_policy_sequential,
	&modelfs_policy_template,
	&modelfs_policy_aggregate,
	NULL,
};

const struct modelfs_policy *modelfs_policy_find(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; modelfs_policies[i]; i++)
		if (!strcmp(modelfs_policies[i]->name, name))
			return modelfs_policies[i];
	return NULL;
}

int modelfs_policy_names(char *buf, size_t len)
{
	size_t i, o = 0;
	int n;

	if (!len)
		return -ENAMETOOLONG;
	buf[0] = '\0';
	for (i = 0; modelfs_policies[i]; i++) {
		n = snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
			     modelfs_policies[i]->name);
		if (n < 0 || (size_t)n >= len - o)
			return -ENAMETOOLONG;
		o += (size_t)n;
	}
	return 0;
}
