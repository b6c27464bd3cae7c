// SPDX-License-Identifier: GPL-2.0-only
/*
 * genl_fuzz SEED REQUESTS: REQUESTS random requests from SEED to the
 * oe_gmem, oe_sentry and oe_modelfs families: any command, with and
 * without NLM_F_DUMP, short genl headers, and up to six attributes of
 * any type (nested flag included) and any payload; half of them from a
 * process that dropped to nobody, which also tries to join every
 * multicast group. The answers are not checked: the kernel console is.
 */
#define _GNU_SOURCE
#include <linux/oe_gmem.h>
#include <linux/oe_modelfs.h>
#include <linux/oe_sentry.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../genl_raw.h"
#include "fuzz_rand.h"

static const char *const families[] = {
	OE_GMEM_FAMILY_NAME, OE_SENTRY_FAMILY_NAME, OE_MODELFS_FAMILY_NAME,
};
#define NR_FAMILIES	(sizeof(families) / sizeof(families[0]))

static int ids[NR_FAMILIES];

static void one_request(void)
{
	char attrs[sizeof(((struct genl_req *)0)->attrs)];
	uint8_t payload[40];
	size_t alen = 0, genl_len = GENL_HDRLEN;
	int n = fuzz_below(7), id = ids[fuzz_below(NR_FAMILIES)];

	if (id <= 0)
		return;
	while (n--) {
		uint16_t len = fuzz_below(sizeof(payload) + 1);
		uint16_t type = fuzz_below(8) ? fuzz_below(16) :
				fuzz_below(0x10000);

		if (alen + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(attrs))
			break;
		for (uint16_t i = 0; i < len; i++)
			payload[i] = fuzz_u64();
		alen += put_attr(attrs + alen, type, payload, len);
	}
	if (!fuzz_below(10))
		genl_len = fuzz_below(GENL_HDRLEN);
	genl_transact(id, fuzz_below(10) ? fuzz_below(8) : fuzz_below(256),
		      fuzz_below(2) ? NLM_F_DUMP : 0, attrs, alen, genl_len,
		      NULL, NULL);
}

static void join_groups(void)
{
	int s = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);

	for (uint32_t grp = 1; s >= 0 && grp < 64; grp++)
		setsockopt(s, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
			   sizeof(grp));
	if (s >= 0)
		close(s);
}

static void run(uint64_t seed, uint64_t requests)
{
	struct timeval tv = { .tv_sec = 2 };

	fuzz_seed(seed);
	for (size_t i = 0; i < NR_FAMILIES; i++)
		ids[i] = genl_open(families[i]);
	/* An answer that never comes ends the request, not the run. */
	setsockopt(genl_sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (uint64_t i = 0; i < requests; i++)
		one_request();
}

int main(int argc, char **argv)
{
	uint64_t seed, requests;
	pid_t pid;

	fuzz_args(argc, argv, "requests as root and as nobody", &seed,
		  &requests);
	pid = fork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		join_groups();
		run(seed + 1, requests);
		_exit(0);
	}
	run(seed, requests);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return 0;
}
