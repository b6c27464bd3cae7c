// SPDX-License-Identifier: GPL-2.0-only
/*
 * modelfs-run: run a ModelFS policy for one mount in the foreground.
 *
 *   modelfs-run [--policy NAME] [--window BYTES] [--count N] MOUNTPOINT
 *   modelfs-run [...] --channel-fd FD
 *
 * --channel-fd runs on a channel fd inherited from the parent (one that
 * attached already, or a SOCK_SEQPACKET socket in tests) instead of
 * attaching to a mount.
 *
 * Exit: 0 stopped by SIGTERM/SIGINT or after N events, 1 runtime error,
 * 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libmodelfs.h"

#define EVENT_BATCH 64

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: modelfs-run [--policy NAME] [--window BYTES] [--count N] MOUNTPOINT\n"
		"  --policy NAME   policy to run (default: sequential); one of:");
	for (i = 0; modelfs_policies[i]; i++)
		fprintf(f, " %s", modelfs_policies[i]->name);
	fprintf(f, "\n  --window BYTES  sequential readahead window, suffix K, M or G allowed\n"
		"                  (default: %llu)\n"
		"  --count N       stop after N events\n"
		"  --channel-fd FD use an inherited channel instead of MOUNTPOINT\n",
		(unsigned long long)MODELFS_SEQ_WINDOW_DEFAULT);
}

/* A positive number with an optional binary K/M/G suffix; -1 if bad. */
static int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	default:
		return -1;
	}
	if (shift && end[1] != '\0')
		return -1;
	if (v == 0 || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static void print_stats(const char *policy, const struct modelfs_stats *s)
{
	printf("modelfs-run: policy=%s events=%" PRIu64 " overflows=%" PRIu64
	       " prefetch=%" PRIu64 " evict=%" PRIu64 " cmd_errors=%" PRIu64 "\n",
	       policy, s->events, s->overflows, s->prefetch_cmds,
	       s->evict_cmds, s->cmd_errors);
	fflush(stdout);
}

static const char *attach_error(int err)
{
	switch (err) {
	case ENOTTY:
		return "not a ModelFS mount";
	case EBUSY:
		return "a policy is already attached to this mount";
	case EPERM:
		return "attaching needs CAP_SYS_ADMIN";
	default:
		return strerror(err);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "window", required_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'c' },
		{ "channel-fd", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct modelfs_policy *pol = &modelfs_policy_sequential;
	struct modelfs_policy_opts popts = { 0 };
	struct modelfs_event evs[EVENT_BATCH];
	uint64_t window = 0, count = 0, seen = 0, chan = 0;
	bool have_chan = false;
	struct sigaction sa;
	sigset_t block, orig;
	struct modelfs_rt *rt;
	void *state = NULL;
	int c, i, n, ret = 0;

	while ((c = getopt_long(argc, argv, "p:w:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pol = modelfs_policy_find(optarg);
			if (!pol) {
				fprintf(stderr, "modelfs-run: unknown policy '%s'\n", optarg);
				usage(stderr);
				return 2;
			}
			break;
		case 'w':
			if (parse_size(optarg, &window) < 0) {
				fprintf(stderr, "modelfs-run: bad --window '%s': want a positive byte count\n", optarg);
				usage(stderr);
				return 2;
			}
			break;
		case 'c':
			if (parse_size(optarg, &count) < 0) {
				fprintf(stderr, "modelfs-run: bad --count '%s': want a positive number\n", optarg);
				usage(stderr);
				return 2;
			}
			break;
		case 'f':
			/* 0 is a valid fd: parse "0" apart */
			if (strcmp(optarg, "0") && (parse_size(optarg, &chan) < 0 ||
			    chan > INT_MAX || strpbrk(optarg, "kKmMgG"))) {
				fprintf(stderr, "modelfs-run: bad --channel-fd '%s'\n", optarg);
				usage(stderr);
				return 2;
			}
			have_chan = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - (have_chan ? 0 : 1)) {
		fprintf(stderr, "modelfs-run: %s\n", have_chan ?
			"MOUNTPOINT and --channel-fd exclude each other" :
			optind >= argc ? "missing MOUNTPOINT" :
			"more than one MOUNTPOINT");
		usage(stderr);
		return 2;
	}
	popts.window = window;

	/* The signals stay blocked except inside ppoll(): no lost wake-up. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &orig);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* a closed channel must show as an error, not kill us */
	signal(SIGPIPE, SIG_IGN);

	if (have_chan) {
		rt = modelfs_init_fd((int)chan);
		if (!rt) {
			fprintf(stderr, "modelfs-run: channel fd %d: %s\n",
				(int)chan, strerror(errno));
			return 1;
		}
	} else {
		rt = modelfs_init(argv[optind]);
		if (!rt) {
			fprintf(stderr, "modelfs-run: %s: %s\n", argv[optind],
				attach_error(errno));
			return 1;
		}
	}
	if (pol->init) {
		n = pol->init(rt, &popts, &state);
		if (n < 0) {
			fprintf(stderr, "modelfs-run: policy %s: init: %s\n", pol->name, strerror(-n));
			modelfs_exit(rt);
			return 1;
		}
	}
	fprintf(stderr, "modelfs-run: policy %s attached to %s\n", pol->name,
		have_chan ? "an inherited channel" : argv[optind]);

	while (!stop_signal && (!count || seen < count)) {
		struct pollfd pfd = { .fd = modelfs_fd(rt), .events = POLLIN };

		n = ppoll(&pfd, 1, NULL, &orig);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "modelfs-run: poll: %s\n", strerror(errno));
			ret = 1;
			break;
		}
		if (pfd.revents & (POLLERR | POLLNVAL)) {
			fprintf(stderr, "modelfs-run: the channel failed\n");
			ret = 1;
			break;
		}
		n = modelfs_read_events(rt, evs, EVENT_BATCH);
		if (n < 0) {
			fprintf(stderr, "modelfs-run: reading events: %s\n",
				n == -EPIPE ? "the channel was closed" : strerror(-n));
			ret = 1;
			break;
		}
		for (i = 0; i < n && (!count || seen < count); i++, seen++)
			if (modelfs_dispatch(rt, pol, state, &evs[i]) < 0)
				fprintf(stderr, "modelfs-run: ignoring event of unknown type %u\n",
					evs[i].type);
	}

	if (pol->exit)
		pol->exit(state);
	print_stats(pol->name, modelfs_stats(rt));
	modelfs_exit(rt);
	return ret;
}
