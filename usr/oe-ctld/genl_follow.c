// SPDX-License-Identifier: GPL-2.0-only
#include "genl_follow.h"
#include "genl_msg.h"
#include "log.h"
#include "module.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/genetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#define GENL_FOLLOW_RCVBUF	(1 << 20)

static const char *name(const struct genl_follow *f)
{
	return f->mi->mod->name;
}

static void forget_family(struct genl_follow *f)
{
	if (f->group_id >= 0)
		nl_socket_drop_membership(f->ev_sk, f->group_id);
	f->group_id = -1;
	f->family_id = -1;
	f->spec->forget(f->arg);
}

void genl_follow_resolve(struct genl_follow *f)
{
	const struct genl_follow_spec *sp = f->spec;
	int id, grp, rc;

	forget_family(f);
	id = genl_ctrl_resolve(f->cmd_sk, sp->family);
	if (id < 0) {
		oe_module_set_unavailable(f->mi, "kernel has no %s family",
					  sp->family);
		if (!f->missing_logged)
			log_warn("%s: kernel has no %s family%s; module unavailable",
				 name(f), sp->family,
				 sp->missing_hint ? sp->missing_hint : "");
		f->missing_logged = true;
		return;
	}
	grp = genl_ctrl_resolve_grp(f->cmd_sk, sp->family, sp->group);
	if (grp < 0) {
		oe_module_set_unavailable(f->mi, "%s family has no \"%s\" group",
					  sp->family, sp->group);
		log_warn("%s: %s family has no \"%s\" multicast group; module unavailable",
			 name(f), sp->family, sp->group);
		return;
	}
	rc = nl_socket_add_membership(f->ev_sk, grp);
	if (rc < 0) {
		oe_module_set_unavailable(f->mi, "cannot join the %s group: %s",
					  sp->group, nl_geterror(rc));
		log_warn("%s: cannot join the %s group: %s", name(f), sp->group,
			 nl_geterror(rc));
		return;
	}
	f->family_id = id;
	f->group_id = grp;
	/* joined first, so no change falls between the state read and the events */
	sp->sync(f->arg);
	oe_module_set_available(f->mi);
	f->missing_logged = false;
	log_info("%s: following %s (family %d, %s group %d)", name(f),
		 sp->family, id, sp->group, grp);
}

static void handle_ctrl(struct genl_follow *f, const struct nlmsghdr *nlh)
{
	const char *family = f->spec->family;
	struct ctrl_notice n;

	if (genl_parse_ctrl(nlh, &n))
		return;		/* other nlctrl notifications */
	if (strcmp(n.family_name, family))
		return;
	if (n.cmd == CTRL_CMD_NEWFAMILY) {
		log_info("%s: %s family registered (id %u)", name(f), family,
			 n.family_id);
		genl_follow_resolve(f);
	} else if (n.cmd == CTRL_CMD_DELFAMILY) {
		log_info("%s: %s family unregistered", name(f), family);
		forget_family(f);
		oe_module_set_unavailable(f->mi, "%s family was unregistered",
					  family);
		f->missing_logged = true;
	}
}

static void handle_message(struct genl_follow *f, const struct nlmsghdr *nlh)
{
	int rc = f->spec->message(f->arg, nlh);

	if (rc && rc != -EOPNOTSUPP) {
		f->bad++;
		log_debug("%s: dropped malformed event: %s", name(f),
			  strerror(-rc));
	}
}

static void overrun(struct genl_follow *f)
{
	uint64_t n = f->spec->overrun(f->arg);

	if (n == 1)
		log_warn("%s: event socket overrun (ENOBUFS), events were lost; resyncing from the kernel (further overruns are logged at debug level)",
			 name(f));
	else
		log_debug("%s: event socket overrun #%llu; resyncing", name(f),
			  (unsigned long long)n);
	/*
	 * Resync once the queued (older) events are handled, so none of
	 * them overwrites the fresher state read.
	 */
	f->need_resync = true;
}

static void read_queued(struct genl_follow *f)
{
	for (int round = 0; round < 64; round++) {
		struct sockaddr_nl from;
		struct iovec iov = { f->buf, sizeof(f->buf) };
		struct msghdr mh = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
		};
		ssize_t n = recvmsg(f->ev_fd, &mh, MSG_DONTWAIT);
		int rem;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				overrun(f);
				continue;
			}
			if (errno != EAGAIN)
				log_warn("%s: recv: %s", name(f), strerror(errno));
			return;
		}
		if (n == 0)
			return;
		if (from.nl_pid != 0 || (mh.msg_flags & MSG_TRUNC)) {
			f->bad++;
			continue;	/* not from the kernel, or cut short */
		}
		rem = (int)n;
		for (struct nlmsghdr *nlh = (struct nlmsghdr *)f->buf;
		     NLMSG_OK(nlh, rem); nlh = NLMSG_NEXT(nlh, rem)) {
			if (nlh->nlmsg_type == GENL_ID_CTRL)
				handle_ctrl(f, nlh);
			else if (f->family_id >= 0 &&
				 nlh->nlmsg_type == (uint16_t)f->family_id)
				handle_message(f, nlh);
		}
	}
}

void genl_follow_read(struct genl_follow *f)
{
	read_queued(f);
	if (f->need_resync) {
		f->need_resync = false;
		if (f->family_id >= 0)
			f->spec->sync(f->arg);
	}
}

void genl_follow_fini(struct genl_follow *f)
{
	if (f->ev_fd >= 0)
		f->mi->host_ops->unwatch_fd(f->mi->host, f->mi, f->ev_fd);
	f->ev_fd = -1;
	if (f->ev_sk)
		nl_socket_free(f->ev_sk);
	if (f->cmd_sk)
		nl_socket_free(f->cmd_sk);
	f->ev_sk = f->cmd_sk = NULL;
}

int genl_follow_init(struct genl_follow *f, const struct genl_follow_spec *spec,
		     struct oe_module_inst *mi, void *arg)
{
	struct timeval tv = { .tv_sec = 2 };
	int rc;

	f->spec = spec;
	f->mi = mi;
	f->arg = arg;
	f->ev_fd = -1;
	f->family_id = -1;
	f->group_id = -1;
	f->ctrl_grp = -1;
	f->ev_sk = nl_socket_alloc();
	f->cmd_sk = nl_socket_alloc();
	if (!f->ev_sk || !f->cmd_sk) {
		oe_module_set_unavailable(mi, "out of memory");
		return -ENOMEM;
	}
	if ((rc = genl_connect(f->ev_sk)) < 0 ||
	    (rc = genl_connect(f->cmd_sk)) < 0) {
		oe_module_set_unavailable(mi, "cannot open a generic netlink socket: %s",
					  nl_geterror(rc));
		return -EIO;
	}
	nl_socket_disable_seq_check(f->ev_sk);
	nl_socket_set_nonblocking(f->ev_sk);
	nl_socket_set_buffer_size(f->ev_sk, GENL_FOLLOW_RCVBUF, 0);
	if (spec->no_auto_ack)
		nl_socket_disable_auto_ack(f->cmd_sk);
	/* never hang the event loop on a kernel that does not answer */
	setsockopt(nl_socket_get_fd(f->cmd_sk), SOL_SOCKET, SO_RCVTIMEO,
		   &tv, sizeof(tv));

	f->ctrl_grp = genl_ctrl_resolve_grp(f->cmd_sk, "nlctrl", "notify");
	if (f->ctrl_grp < 0 ||
	    nl_socket_add_membership(f->ev_sk, f->ctrl_grp) < 0) {
		log_warn("%s: cannot follow nlctrl notifications; %s",
			 mi->mod->name, spec->unfollowed);
		f->ctrl_grp = -1;
	}
	rc = mi->host_ops->watch_fd(mi->host, mi, nl_socket_get_fd(f->ev_sk));
	if (rc < 0) {
		oe_module_set_unavailable(mi, "cannot watch the event socket");
		return rc;
	}
	f->ev_fd = nl_socket_get_fd(f->ev_sk);
	genl_follow_resolve(f);
	return 0;
}
