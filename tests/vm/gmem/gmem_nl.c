// SPDX-License-Identifier: GPL-2.0-only
/*
 * gmem_nl CASE: the oe_gmem family, with raw generic netlink. Each case
 * exits 0 when the kernel's answers are right, and prints what it saw.
 *
 *   stats      get-stats agrees with /proc/gmemstat
 *   devices    get-devices dumps gmem_sim0 with its hnid and capacity
 *   processes  get-processes has this process with its CPU and device
 *              pages
 *   pressure   a device fault that evicts sends a pressure event with
 *              the device, this process and a rising seq
 *   bad        a do of a dump-only command, an unknown command, and
 *              requests carrying attributes (none is defined) are
 *              refused
 *   unpriv     a user without CAP_NET_ADMIN cannot join the events
 *              group (events name every user's pids), but may dump;
 *              nor can the root of a user namespace it made (the
 *              family is the initial network namespace's)
 *   pidns      a process in its own pid namespace sees itself, by its
 *              pid there, and nothing outside
 *   race       dumps of get-processes while another process maps,
 *              faults and unmaps peer-shared memory over and over
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/gmem_sim.h>
#include <linux/oe_gmem.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../genl_raw.h"
#include "gmem_test.h"

/* Every attribute of one message, by type (u64 or u32 payloads). */
struct answer {
	int n;
	uint64_t v[8][16];
	char name[8][32];
};

static void collect(const struct nlmsghdr *h, void *arg)
{
	struct answer *ans = arg;
	const struct nlattr *a;

	if (ans->n == 8)
		return;
	genl_for_each_attr(a, h) {
		if (a->nla_type >= 16)
			continue;
		ans->v[ans->n][a->nla_type] = attr_uint(a);
		if (a->nla_type == OE_GMEM_A_DEVICE_NAME)
			snprintf(ans->name[ans->n], sizeof(ans->name[0]), "%s",
				 (const char *)a + NLA_HDRLEN);
	}
	ans->n++;
}

static int sim_run(int fd, int op, void *va, size_t len)
{
	struct gmem_sim_kernel k = {
		.op = op, .va = (uintptr_t)va, .len = len,
	};

	return ioctl(fd, GMEM_SIM_RUN, &k) ? -errno : 0;
}

static int case_stats(int id)
{
	struct answer ans = { 0 };
	int err = genl_transact(id, OE_GMEM_CMD_GET_STATS, 0, NULL, 0,
				GENL_HDRLEN, collect, &ans);

	expect(!err && ans.n == 1, "get-stats: %s, %d messages",
	       strerror(err), ans.n);
	expect((long)ans.v[0][OE_GMEM_A_STATS_PROCESSES] == gmemstat("processes") &&
	       (long)ans.v[0][OE_GMEM_A_STATS_PAGES_CPU] == gmemstat("pages_cpu") &&
	       (long)ans.v[0][OE_GMEM_A_STATS_PAGES_DEVICE] ==
	       gmemstat("pages_device") &&
	       (long)ans.v[0][OE_GMEM_A_STATS_MIGRATING] == gmemstat("migrating"),
	       "get-stats differs from /proc/gmemstat");
	return failures;
}

static int case_devices(int id)
{
	struct answer ans = { 0 };
	int err = genl_transact(id, OE_GMEM_CMD_GET_DEVICES, NLM_F_DUMP, NULL,
				0, GENL_HDRLEN, collect, &ans);

	expect(!err && ans.n == 1, "get-devices: %s, %d devices",
	       strerror(err), ans.n);
	expect(ans.v[0][OE_GMEM_A_DEVICE_HNID] == 3 &&
	       !strcmp(ans.name[0], "gmem_sim0") &&
	       ans.v[0][OE_GMEM_A_DEVICE_CAPACITY] == 64UL << 20,
	       "device %llu %s %llu", (unsigned long long)
	       ans.v[0][OE_GMEM_A_DEVICE_HNID], ans.name[0],
	       (unsigned long long)ans.v[0][OE_GMEM_A_DEVICE_CAPACITY]);
	return failures;
}

static int case_processes(int id)
{
	int fd = open("/dev/gmem_sim0", O_RDWR), err, mine = -1;
	char *p = mmap(NULL, 4 * LPAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_PEER_SHARED, -1, 0);
	struct answer ans = { 0 };

	p[0] = 1;
	p[LPAGE] = 1;
	expect(!sim_run(fd, GMEM_SIM_FILL, p + 2 * LPAGE, 2 * LPAGE),
	       "device fill failed");
	err = genl_transact(id, OE_GMEM_CMD_GET_PROCESSES, NLM_F_DUMP, NULL, 0,
			    GENL_HDRLEN, collect, &ans);
	expect(!err, "get-processes: %s", strerror(err));
	for (int i = 0; i < ans.n; i++)
		if (ans.v[i][OE_GMEM_A_PROCESS_PID] == (uint64_t)getpid())
			mine = i;
	expect(mine >= 0, "this process is not in the dump of %d", ans.n);
	if (mine >= 0)
		expect(ans.v[mine][OE_GMEM_A_PROCESS_PAGES_CPU] == 2 &&
		       ans.v[mine][OE_GMEM_A_PROCESS_PAGES_DEVICE] == 2,
		       "cpu %llu device %llu", (unsigned long long)
		       ans.v[mine][OE_GMEM_A_PROCESS_PAGES_CPU],
		       (unsigned long long)
		       ans.v[mine][OE_GMEM_A_PROCESS_PAGES_DEVICE]);
	close(fd);
	return failures;
}

/* The id of the family's "events" group, from the controller. */
static void events_group_of(const struct nlmsghdr *h, void *arg)
{
	const struct nlattr *a, *grp, *g;

	genl_for_each_attr(a, h) {
		if (a->nla_type != CTRL_ATTR_MCAST_GROUPS)
			continue;
		for (grp = (const void *)((const char *)a + NLA_HDRLEN);
		     (const char *)grp < (const char *)a + a->nla_len;
		     grp = (const void *)((const char *)grp +
					  NLA_ALIGN(grp->nla_len))) {
			uint32_t gid = 0;
			bool events = false;

			for (g = (const void *)((const char *)grp + NLA_HDRLEN);
			     (const char *)g < (const char *)grp + grp->nla_len;
			     g = (const void *)((const char *)g +
						NLA_ALIGN(g->nla_len))) {
				if (g->nla_type == CTRL_ATTR_MCAST_GRP_ID)
					gid = (uint32_t)attr_uint(g);
				if (g->nla_type == CTRL_ATTR_MCAST_GRP_NAME)
					events = !strcmp((const char *)g +
							 NLA_HDRLEN, "events");
			}
			if (events)
				*(uint32_t *)arg = gid;
		}
	}
}

static int case_pressure(void)
{
	int fd = open("/dev/gmem_sim0", O_RDWR), err, n = 0, ev;
	struct gmem_sim_info info = { 0 };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	uint32_t grp = 0;
	char attrs[32], buf[8192];
	uint64_t last_seq = 0;
	size_t alen, len;
	char *p;

	alen = put_attr(attrs, CTRL_ATTR_FAMILY_NAME, OE_GMEM_FAMILY_NAME,
			sizeof(OE_GMEM_FAMILY_NAME));
	err = genl_transact(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, attrs, alen,
			    GENL_HDRLEN, events_group_of, &grp);
	ev = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK, NETLINK_GENERIC);
	/* Bound: multicast skips sockets with port id 0, the kernel's. */
	expect(!err && grp && ev >= 0 &&
	       !bind(ev, (struct sockaddr *)&sa, sizeof(sa)) &&
	       !setsockopt(ev, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
			   sizeof(grp)), "cannot join events (group %u)", grp);

	ioctl(fd, GMEM_SIM_INFO, &info);
	len = info.capacity + 2 * LPAGE;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_PEER_SHARED, -1, 0);
	expect(!sim_run(fd, GMEM_SIM_FILL, p, len), "device fill failed");

	/* The events were sent before the fill returned. */
	for (;;) {
		ssize_t got = recv(ev, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (got <= 0)
			break;
		for (h = (void *)buf; NLMSG_OK(h, (size_t)got);
		     h = NLMSG_NEXT(h, got)) {
			struct answer ans = { 0 };

			collect(h, &ans);
			expect(ans.v[0][OE_GMEM_A_PRESSURE_HNID] == (uint64_t)info.hnid &&
			       ans.v[0][OE_GMEM_A_PRESSURE_PID] ==
			       (uint64_t)getpid() &&
			       ans.v[0][OE_GMEM_A_PRESSURE_EVICTED] >= 1 &&
			       ans.v[0][OE_GMEM_A_PRESSURE_SEQ] > last_seq,
			       "event hnid %llu pid %llu evicted %llu",
			       (unsigned long long)
			       ans.v[0][OE_GMEM_A_PRESSURE_HNID],
			       (unsigned long long)
			       ans.v[0][OE_GMEM_A_PRESSURE_PID],
			       (unsigned long long)
			       ans.v[0][OE_GMEM_A_PRESSURE_EVICTED]);
			last_seq = ans.v[0][OE_GMEM_A_PRESSURE_SEQ];
			n++;
		}
	}
	printf("%d pressure events\n", n);
	/* Two logical pages past capacity: two faults had to evict. */
	expect(n == 2, "%d pressure events, not 2", n);
	munmap(p, len);
	close(fd);
	return failures;
}

static int case_bad(int id)
{
	uint32_t one = 1;
	char attrs[16];
	size_t alen;
	int err = genl_transact(id, OE_GMEM_CMD_GET_DEVICES, 0, NULL, 0,
				GENL_HDRLEN, NULL, NULL);

	expect(err == EOPNOTSUPP, "do of get-devices: %s", strerror(err));
	err = genl_transact(id, OE_GMEM_CMD_MAX + 1, 0, NULL, 0, GENL_HDRLEN,
			    NULL, NULL);
	expect(err == EOPNOTSUPP, "unknown command: %s", strerror(err));
	/* No request takes attributes: a known type or not, each refused. */
	for (uint16_t type = 1; type < 200; type += 98) {
		alen = put_attr(attrs, type, &one, sizeof(one));
		err = genl_transact(id, OE_GMEM_CMD_GET_STATS, 0, attrs, alen,
				    GENL_HDRLEN, NULL, NULL);
		expect(err == EINVAL, "get-stats with attribute %u: %s", type,
		       strerror(err));
		err = genl_transact(id, OE_GMEM_CMD_GET_PROCESSES, NLM_F_DUMP,
				    attrs, alen, GENL_HDRLEN, NULL, NULL);
		expect(err == EINVAL, "get-processes with attribute %u: %s",
		       type, strerror(err));
	}
	return failures;
}

/* The id of the family's events group; 0 if there is none. */
static uint32_t events_group(void)
{
	uint32_t grp = 0;
	char attrs[32];
	size_t alen = put_attr(attrs, CTRL_ATTR_FAMILY_NAME,
			       OE_GMEM_FAMILY_NAME,
			       sizeof(OE_GMEM_FAMILY_NAME));

	if (genl_transact(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, attrs, alen,
			  GENL_HDRLEN, events_group_of, &grp))
		return 0;
	return grp;
}

static int case_unpriv(int id)
{
	uint32_t grp = events_group();
	int status;
	pid_t pid;

	expect(grp, "no events group");
	pid = fork();
	if (pid == 0) {
		struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
					  .nl_groups = 0 };
		struct answer ans = { 0 };
		int ev, err;

		if (setgid(65534) || setuid(65534))
			_exit(2);
		ev = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
		expect(ev >= 0 && !bind(ev, (struct sockaddr *)&sa, sizeof(sa)),
		       "netlink socket as nobody");
		expect(setsockopt(ev, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				  &grp, sizeof(grp)) && errno == EPERM,
		       "nobody joined the events group: %s", strerror(errno));
		err = genl_transact(id, OE_GMEM_CMD_GET_PROCESSES, NLM_F_DUMP,
				    NULL, 0, GENL_HDRLEN, collect, &ans);
		expect(!err, "get-processes as nobody: %s", strerror(err));
		/* Root of its own user namespace: all capabilities there. */
		expect(!unshare(CLONE_NEWUSER), "unshare(CLONE_NEWUSER): %s",
		       strerror(errno));
		expect(setsockopt(ev, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				  &grp, sizeof(grp)) && errno == EPERM,
		       "a user namespace's root joined the events group: %s",
		       strerror(errno));
		_exit(failures);
	}
	expect(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       !WEXITSTATUS(status), "as nobody: status %#x", status);
	return failures;
}

static int case_pidns(int id)
{
	char *p = mmap(NULL, LPAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_PEER_SHARED, -1, 0);
	int status;
	pid_t pid;

	p[0] = 1;	/* this process uses GMem too, outside the child's view */
	if (unshare(CLONE_NEWPID)) {
		printf("unshare(CLONE_NEWPID): %s\n", strerror(errno));
		return 2;
	}
	pid = fork();
	if (pid == 0) {
		struct answer ans = { 0 };
		char *q = mmap(NULL, LPAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_PEER_SHARED,
			       -1, 0);
		int err;

		q[0] = 1;
		err = genl_transact(id, OE_GMEM_CMD_GET_PROCESSES, NLM_F_DUMP,
				    NULL, 0, GENL_HDRLEN, collect, &ans);
		expect(!err, "get-processes: %s", strerror(err));
		expect(ans.n == 1 && ans.v[0][OE_GMEM_A_PROCESS_PID] == 1 &&
		       ans.v[0][OE_GMEM_A_PROCESS_PAGES_CPU] == 1,
		       "%d processes, the first pid %llu", ans.n,
		       (unsigned long long)ans.v[0][OE_GMEM_A_PROCESS_PID]);
		_exit(failures);
	}
	expect(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       !WEXITSTATUS(status), "in a pid namespace: status %#x", status);
	munmap(p, LPAGE);
	return failures;
}

/* Dumps racing a process whose logical pages come and go. */
static int case_race(int id)
{
	const int rounds = 1500;
	int status = -1, err = 0;
	pid_t pid = fork();

	if (pid == 0) {
		for (int i = 0; i < rounds; i++) {
			char *q = mmap(NULL, 2 * LPAGE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS |
				       MAP_PEER_SHARED, -1, 0);

			if (q == MAP_FAILED)
				_exit(2);
			q[0] = 1;
			q[LPAGE] = 1;
			munmap(q, 2 * LPAGE);
		}
		_exit(0);
	}
	while (!err && waitpid(pid, &status, WNOHANG) == 0) {
		struct answer ans = { 0 };

		err = genl_transact(id, OE_GMEM_CMD_GET_PROCESSES, NLM_F_DUMP,
				    NULL, 0, GENL_HDRLEN, collect, &ans);
		expect(!err, "get-processes: %s", strerror(err));
	}
	if (err)
		waitpid(pid, &status, 0);
	expect(WIFEXITED(status) && !WEXITSTATUS(status),
	       "the mapping process: status %#x", status);
	return failures;
}

int main(int argc, char **argv)
{
	const char *c = argc == 2 ? argv[1] : "";
	int id = genl_open(OE_GMEM_FAMILY_NAME);

	setvbuf(stdout, NULL, _IONBF, 0);
	if (id < 0)
		return 2;
	if (!strcmp(c, "stats"))
		return case_stats(id);
	if (!strcmp(c, "devices"))
		return case_devices(id);
	if (!strcmp(c, "processes"))
		return case_processes(id);
	if (!strcmp(c, "pressure"))
		return case_pressure();
	if (!strcmp(c, "bad"))
		return case_bad(id);
	if (!strcmp(c, "unpriv"))
		return case_unpriv(id);
	if (!strcmp(c, "pidns"))
		return case_pidns(id);
	if (!strcmp(c, "race"))
		return case_race(id);
	fprintf(stderr, "usage: gmem_nl CASE (see the source)\n");
	return 2;
}
