// SPDX-License-Identifier: GPL-2.0-only
/*
 * modelfs-run: run a ModelFS policy for one mount in the foreground.
 *
 *   modelfs-run [--policy NAME] [--window BYTES] [--streams N]
 *               [--template-dir DIR] [--template NAME] [--count N] MOUNTPOINT
 *   modelfs-run [...] --channel-fd FD
 *
 * --channel-fd runs on a channel fd inherited from the parent (one that
 * attached already, or a SOCK_SEQPACKET socket in tests) instead of
 * attaching to a mount; the template policy then needs --template.
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
#define STR_(x) #x
#define STR(x) STR_(x)

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *f)
{
	char names[128];

	modelfs_policy_names(names, sizeof(names));
	fprintf(f, "usage: modelfs-run [OPTIONS] MOUNTPOINT\n"
		"       modelfs-run [OPTIONS] --channel-fd FD\n"
		"  --policy NAME      policy to run (default: sequential); one of:\n"
		"                     %s\n", names);
	fprintf(f, "  --window BYTES     bytes kept prefetched ahead, suffix K, M or G allowed\n"
		"                     (default: sequential %lluM, aggregate %lluM, template\n"
		"                     0.25 s of the recorded bandwidth within %lluM..%lluM)\n"
		"  --streams N        aggregate: parallel streams per file, 1..%d (default: %d)\n"
		"  --template-dir DIR template: where templates are kept\n"
		"                     (default: " MODELFS_TEMPLATE_DIR ")\n"
		"  --template NAME    template: this mount's template file in DIR\n"
		"                     (default: named after the mount's lower directory)\n"
		"  --count N          stop after N events\n"
		"  --channel-fd FD    use an inherited channel instead of MOUNTPOINT\n",
		MODELFS_SEQ_WINDOW_DEFAULT >> 20, MODELFS_AGG_WINDOW_DEFAULT >> 20,
		MODELFS_TEMPLATE_WINDOW_MIN >> 20, MODELFS_TEMPLATE_WINDOW_MAX >> 20,
		MODELFS_AGG_STREAMS_MAX, MODELFS_AGG_STREAMS_DEFAULT);
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

/* A usage error: say what is wrong, show the usage, exit code 2. */
static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "modelfs-run: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	usage(stderr);
	return 2;
}

static bool bad_template_name(const char *s)
{
	return !*s || strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, "..") ||
	       strlen(s) > NAME_MAX;
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
		{ "streams", required_argument, NULL, 's' },
		{ "template-dir", required_argument, NULL, 'd' },
		{ "template", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'c' },
		{ "channel-fd", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct modelfs_policy *pol = &modelfs_policy_sequential;
	struct modelfs_policy_opts popts = { 0 };
	struct modelfs_event evs[EVENT_BATCH];
	uint64_t count = 0, seen = 0, chan = 0, streams;
	char tname[NAME_MAX + 1];
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
			if (!pol)
				return bad_usage("unknown policy '%s'", optarg);
			break;
		case 'w':
			if (parse_size(optarg, &popts.window) < 0 ||
			    popts.window < MODELFS_PAGE_SIZE)
				return bad_usage("bad --window '%s': want a byte count of at least 4K", optarg);
			break;
		case 's':
			if (parse_size(optarg, &streams) < 0 ||
			    strpbrk(optarg, "kKmMgG") ||
			    streams > MODELFS_AGG_STREAMS_MAX)
				return bad_usage("bad --streams '%s': want 1 to "
						 STR(MODELFS_AGG_STREAMS_MAX), optarg);
			popts.streams = (unsigned int)streams;
			break;
		case 'd':
			if (!*optarg)
				return bad_usage("bad --template-dir '%s': want a directory", optarg);
			popts.template_dir = optarg;
			break;
		case 't':
			if (bad_template_name(optarg))
				return bad_usage("bad --template '%s': want a file name, no '/'", optarg);
			popts.template_name = optarg;
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
	if (pol == &modelfs_policy_template && have_chan && !popts.template_name)
		return bad_usage("%s needs --template NAME with --channel-fd", pol->name);

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
	if (pol == &modelfs_policy_template && !popts.template_name) {
		n = modelfs_template_name(argv[optind], tname, sizeof(tname));
		if (n < 0) {
			fprintf(stderr, "modelfs-run: %s: no template name: %s\n",
				argv[optind], n == -ENOTTY ? "not a ModelFS mount" : strerror(-n));
			modelfs_exit(rt);
			return 1;
		}
		popts.template_name = tname;
	}
	if (pol->init) {
		n = pol->init(rt, &popts, &state);
		if (n < 0) {
			fprintf(stderr, "modelfs-run: policy %s: init: %s\n", pol->name,
				n == -EINVAL ? "invalid options" : strerror(-n));
			modelfs_exit(rt);
			return n == -EINVAL ? 2 : 1;
		}
	}
	fprintf(stderr, "modelfs-run: policy %s attached to %s\n", pol->name,
		have_chan ? "an inherited channel" : argv[optind]);
	if (pol == &modelfs_policy_template) {
		enum modelfs_template_mode mode = modelfs_template_mode(state);

		fprintf(stderr, "modelfs-run: template %s/%s: %s%s\n",
			popts.template_dir ? popts.template_dir : MODELFS_TEMPLATE_DIR,
			popts.template_name, modelfs_template_mode_name(mode),
			mode == MODELFS_TEMPLATE_RECORD ? " (none stored yet)" :
			mode == MODELFS_TEMPLATE_REBUILD ? " (the stored one is corrupt; recording a new one)" : "");
	}

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
