// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the standalone loaders share: the command line, loading through
 * liboesched, and waiting for SIGINT/SIGTERM or for the scheduler to go
 * (its exit record, or /sys/kernel/sched_ext, polled once a second).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "oe_loader.h"
#include "oesched.h"

static bool verbose;

static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void help(FILE *f, const struct oe_loader *l)
{
	fprintf(f, "usage: %s%s%s [--partial] [--timeout-ms N] [-v]\n",
		l->name,
		l->opts & OE_LOADER_QOS ? " --ls CGROUP... --be CGROUP..." : "",
		l->opts & OE_LOADER_DOMAIN ? " --cgroup PATH[=DOMAIN]..." : "");
	if (l->opts & OE_LOADER_QOS)
		fprintf(f,
			"  --ls CGROUP...        latency-sensitive cgroup2 directories\n"
			"  --be CGROUP...        best-effort ones (off a core whose sibling runs LS)\n");
	if (l->opts & OE_LOADER_DOMAIN)
		fprintf(f,
			"  --cgroup PATH[=DOMAIN]...  confine a cgroup2 directory to an LLC\n"
			"                        domain (0, 1, ...; default: the next one)\n");
	fprintf(f,
		"  --partial             only SCHED_EXT tasks (SCX_OPS_SWITCH_PARTIAL)\n"
		"  --timeout-ms N        watchdog timeout, 1-30000 (default: 30000)\n"
		"  -v, --verbose         libbpf's debug output\n"
		"Runs until SIGINT/SIGTERM (exit 0) or until the kernel ejects the\n"
		"scheduler (exit 1).\n");
}

struct args {
	struct oesched_cfg cfg;
	const char **ls, **be;
	struct oesched_domain_assign *dom;
	char **dom_paths;
};

static void free_args(struct args *a)
{
	for (size_t i = 0; a->dom_paths && i < a->cfg.nr_domains; i++)
		free(a->dom_paths[i]);
	free(a->dom_paths);
	free(a->dom);
	free(a->ls);
	free(a->be);
}

/* "PATH[=DOMAIN]": the domain after the last '=', if any. */
static int add_domain(struct args *a, const char *arg)
{
	char *path = strdup(arg), *eq, *end;
	long d = -1;

	if (!path)
		return -1;
	eq = strrchr(path, '=');
	if (eq) {
		*eq = '\0';
		errno = 0;
		d = strtol(eq + 1, &end, 10);
		if (errno || end == eq + 1 || *end || d < 0 || d > INT_MAX ||
		    !*path) {
			free(path);
			return -1;
		}
	}
	a->dom_paths[a->cfg.nr_domains] = path;
	a->dom[a->cfg.nr_domains].cgroup = path;
	a->dom[a->cfg.nr_domains].domain = (int)d;
	a->cfg.nr_domains++;
	return 0;
}

/* 0, or 2 after a message: bad arguments. -1: --help. */
static int parse_args(int argc, char **argv, const struct oe_loader *l,
		      struct args *a)
{
	static const struct option longopts[] = {
		{ "ls", required_argument, NULL, 'L' },
		{ "be", required_argument, NULL, 'B' },
		{ "cgroup", required_argument, NULL, 'C' },
		{ "partial", no_argument, NULL, 'p' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	size_t n = (size_t)argc + 1;
	int list = 0, c;

	a->cfg.policy = l->name;
	a->ls = calloc(n, sizeof(*a->ls));
	a->be = calloc(n, sizeof(*a->be));
	a->dom = calloc(n, sizeof(*a->dom));
	a->dom_paths = calloc(n, sizeof(*a->dom_paths));
	if (!a->ls || !a->be || !a->dom || !a->dom_paths) {
		fprintf(stderr, "%s: out of memory\n", l->name);
		return 2;
	}
	a->cfg.ls_cgroups = a->ls;
	a->cfg.be_cgroups = a->be;
	a->cfg.domains = a->dom;

	/* "-": an operand comes as 1, for the list of the last option */
	while ((c = getopt_long(argc, argv, "-vh", longopts, NULL)) != -1) {
		char *end;
		unsigned long ms;

		if (c == 1)
			c = list;
		switch (c) {
		case 'L':
		case 'B':
			if (!(l->opts & OE_LOADER_QOS))
				goto bad_opt;
			list = c;
			if (c == 'L')
				a->ls[a->cfg.nr_ls++] = optarg;
			else
				a->be[a->cfg.nr_be++] = optarg;
			break;
		case 'C':
			if (!(l->opts & OE_LOADER_DOMAIN))
				goto bad_opt;
			list = c;
			if (add_domain(a, optarg)) {
				fprintf(stderr,
					"%s: bad --cgroup %s: PATH or PATH=DOMAIN (a number)\n",
					l->name, optarg);
				goto bad;
			}
			break;
		case 'p':
			a->cfg.partial = true;
			list = 0;
			break;
		case 't':
			errno = 0;
			ms = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || ms < 1 ||
			    ms > 30000 || optarg[0] == '-') {
				fprintf(stderr, "%s: bad --timeout-ms %s: 1-30000\n",
					l->name, optarg);
				goto bad;
			}
			a->cfg.timeout_ms = (unsigned int)ms;
			list = 0;
			break;
		case 'v':
			verbose = true;
			list = 0;
			break;
		case 'h':
			help(stdout, l);
			return -1;
		case 0:
			fprintf(stderr, "%s: unexpected argument %s\n",
				l->name, optarg);
			goto bad;
		default:
			goto bad;
		}
	}
	return 0;
bad_opt:
	fprintf(stderr, "%s: no such option: --%s\n", l->name,
		c == 'L' ? "ls" : c == 'B' ? "be" : "cgroup");
bad:
	help(stderr, l);
	return 2;
}

/* Print how the scheduler went: 1 if the kernel threw it out. */
static int report(const struct oe_loader *l, const struct oe_sched_exit *ei)
{
	printf("%s: exit kind %s (%d)\n", l->name,
	       oesched_exit_kind_name(ei->kind), ei->kind);
	printf("%s: reason: %s\n", l->name, ei->reason);
	if (ei->msg[0])
		printf("%s: message: %s\n", l->name, ei->msg);
	fflush(stdout);
	return oesched_exit_is_ejection(ei->kind) ? 1 : 0;
}

/* Without a record of its own: the kernel's "<kind> <ops> <message>". */
static int report_kstate(const struct oe_loader *l,
			 const struct oesched_kstate *ks)
{
	const char *kind = ks->last_exit, *msg;
	size_t n = strcspn(kind, " ");
	bool ejected;

	msg = kind + n;
	msg += strspn(msg, " ");
	msg += strcspn(msg, " ");
	msg += strspn(msg, " ");
	ejected = !strncmp(kind, "error", 5) || !strncmp(kind, "sysrq", 5);
	printf("%s: the kernel no longer runs it (state %s)\n", l->name,
	       ks->state);
	printf("%s: exit kind %.*s\n", l->name, (int)n, kind);
	if (*msg)
		printf("%s: message: %s\n", l->name, msg);
	fflush(stdout);
	return ejected ? 1 : 0;
}

static void nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* SIGINT or SIGTERM if one came within a second, else 0. */
static int next_signal(const sigset_t *sigs)
{
	struct timespec ts = { 1, 0 };
	int sig = sigtimedwait(sigs, NULL, &ts);

	return sig > 0 ? sig : 0;
}

static int wait_exit(const struct oe_loader *l, struct oesched *s,
		     const sigset_t *sigs)
{
	struct oesched_kstate ks;
	struct oe_sched_exit ei;
	long seq = -1;
	int gone = 0, sig;

	if (!oesched_kstate_read(NULL, &ks))
		seq = ks.enable_seq;
	while (!(sig = next_signal(sigs))) {
		if (oesched_exit_info(s, &ei))
			return report(l, &ei);
		if (oesched_kstate_read(NULL, &ks))
			continue;
		if (!strcmp(ks.state, "enabled") &&
		    (seq < 0 || ks.enable_seq == seq)) {
			gone = 0;
			continue;
		}
		/* ops.exit() records why as the kernel takes it off */
		if (++gone >= 3)
			return report_kstate(l, &ks);
	}

	printf("%s: %s, unloading\n", l->name, strsignal(sig));
	oesched_detach(s);
	for (int i = 0; i < 20; i++) {
		if (oesched_exit_info(s, &ei))
			return report(l, &ei);
		nap(100);
	}
	printf("%s: unloaded, without an exit record\n", l->name);
	return 0;
}

int oe_loader_main(int argc, char **argv, const struct oe_loader *l)
{
	struct bpf_object_skeleton *sk;
	struct oesched *s = NULL;
	struct args a = { 0 };
	void *skel = NULL;
	sigset_t sigs;
	char err[512];
	int rc;

	rc = parse_args(argc, argv, l, &a);
	if (rc) {
		free_args(&a);
		return rc < 0 ? 0 : rc;
	}
	/* Bad cgroups or domains are bad arguments too: nothing is loaded. */
	if (oesched_check(&a.cfg, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", l->name, err);
		free_args(&a);
		return 2;
	}

	libbpf_set_print(print_libbpf);
	/* Taken with sigtimedwait() while waiting: no handler races. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);

	sk = l->create(&skel);
	if (!sk) {
		fprintf(stderr, "%s: cannot set up the skeleton: %s\n",
			l->name, strerror(errno));
		free_args(&a);
		return 1;
	}
	rc = oesched_load_skel(&a.cfg, sk, &s, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "%s: %s\n", l->name, err);
		l->destroy(skel);
		free_args(&a);
		return 1;
	}
	printf("loaded %s\n", l->name);
	fflush(stdout);

	rc = wait_exit(l, s, &sigs);
	oesched_unload(s);
	l->destroy(skel);
	free_args(&a);
	return rc;
}
