// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmocka tests: the modelfs-run runner ($MODELFS_RUN, set by make check),
 * driven through --channel-fd with a SOCK_SEQPACKET socketpair.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libmodelfs.h"
#include "modelfs_event.h"

#define MiB (1ULL << 20)
#define KiB (1ULL << 10)

struct run {
	pid_t pid;
	int chan;	/* our end of the channel */
	int out;	/* the runner's stdout */
	int err;	/* the runner's stderr */
};

/* Start the runner on a fresh channel with @args (NULL-terminated). */
static void start(struct run *r, const char *const *args)
{
	const char *bin = getenv("MODELFS_RUN");
	int sv[2], po[2], pe[2];
	char fdstr[16];
	const char *argv[16];
	int i, n = 0;

	if (!bin)
		skip();
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(pipe2(po, O_CLOEXEC), 0);
	assert_int_equal(pipe2(pe, O_CLOEXEC), 0);
	snprintf(fdstr, sizeof(fdstr), "%d", sv[1]);
	argv[n++] = bin;
	argv[n++] = "--channel-fd";
	argv[n++] = fdstr;
	for (i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;

	r->pid = fork();
	assert_true(r->pid >= 0);
	if (r->pid == 0) {
		fcntl(sv[1], F_SETFD, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(sv[1]);
	close(po[1]);
	close(pe[1]);
	r->chan = sv[0];
	r->out = po[0];
	r->err = pe[0];
}

static void send_ev(struct run *r, uint32_t type, uint64_t ino, uint64_t off,
		    uint64_t len)
{
	struct modelfs_event e = make_event(type, ino, off, len);

	assert_int_equal(write(r->chan, &e, sizeof(e)), (ssize_t)sizeof(e));
}

/* The next command from the runner, within 10 s. */
static void expect_cmd(struct run *r, uint32_t type, uint64_t ino,
		       uint64_t off, uint64_t len)
{
	struct pollfd pfd = { .fd = r->chan, .events = POLLIN };
	struct modelfs_cmd c;

	assert_int_equal(poll(&pfd, 1, 10000), 1);
	assert_int_equal(read(r->chan, &c, sizeof(c)), (ssize_t)sizeof(c));
	assert_int_equal(c.type, type);
	assert_int_equal(c.reserved, 0);
	assert_int_equal(c.ino, ino);
	assert_int_equal(c.off, off);
	assert_int_equal(c.len, len);
}

/* Wait for the runner (at most 10 s); its exit code, its output in @out. */
static int finish(struct run *r, char *out, size_t outsz, char *err,
		  size_t errsz)
{
	int status, i;
	ssize_t n;
	size_t got;

	for (i = 0; i < 1000; i++) {
		if (waitpid(r->pid, &status, WNOHANG) == r->pid)
			break;
		usleep(10000);
	}
	if (i == 1000) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, &status, 0);
		fail_msg("modelfs-run did not exit");
	}
	got = 0;
	while (got < outsz - 1 && (n = read(r->out, out + got, outsz - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	got = 0;
	while (got < errsz - 1 && (n = read(r->err, err + got, errsz - 1 - got)) > 0)
		got += (size_t)n;
	err[got] = '\0';
	close(r->out);
	close(r->err);
	if (r->chan >= 0)
		close(r->chan);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_count(void **state)
{
	static const char *const args[] = { "--window", "1M", "--count", "3", NULL };
	char out[512], err[512];
	struct run r;

	(void)state;
	start(&r, args);
	send_ev(&r, MODELFS_EV_OPEN, 5, 0, 3 * MiB);
	send_ev(&r, MODELFS_EV_READAHEAD, 5, 512 * KiB, 128 * KiB);
	send_ev(&r, MODELFS_EV_CLOSE, 5, 0, 0);
	expect_cmd(&r, MODELFS_CMD_PREFETCH, 5, 0, MiB);
	expect_cmd(&r, MODELFS_CMD_PREFETCH, 5, MiB, 512 * KiB);
	assert_int_equal(finish(&r, out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "modelfs-run: policy=sequential events=3 overflows=0 prefetch=2 evict=0 cmd_errors=0\n");
	assert_string_equal(err, "modelfs-run: policy sequential attached to an inherited channel\n");
}

static void test_sigterm(void **state)
{
	static const char *const args[] = { "--policy", "sequential", NULL };
	char out[512], err[512];
	struct run r;

	(void)state;
	start(&r, args);
	send_ev(&r, MODELFS_EV_OVERFLOW, 0, 0, 5);
	send_ev(&r, MODELFS_EV_OPEN, 8, 0, 4096);
	/* its answer shows both were handled */
	expect_cmd(&r, MODELFS_CMD_PREFETCH, 8, 0, 4096);
	send_ev(&r, MODELFS_EV_CLOSE, 8, 0, 0);
	send_ev(&r, MODELFS_EV_PRESSURE, 0, 0, 1);
	expect_cmd(&r, MODELFS_CMD_EVICT, 8, 0, 4096);
	assert_int_equal(kill(r.pid, SIGTERM), 0);
	assert_int_equal(finish(&r, out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "modelfs-run: policy=sequential events=4 overflows=5 prefetch=1 evict=1 cmd_errors=0\n");
}

static void test_channel_closed(void **state)
{
	static const char *const args[] = { NULL };
	char out[512], err[512];
	struct run r;

	(void)state;
	start(&r, args);
	close(r.chan);
	r.chan = -1;
	assert_int_equal(finish(&r, out, sizeof(out), err, sizeof(err)), 1);
	assert_non_null(strstr(err, "the channel was closed"));
	assert_non_null(strstr(out, "events=0"));
}

/* Exit code 2 and @msg on stderr for these arguments. */
static void expect_usage_error(const char *const *args, const char *msg)
{
	char out[512], err[4096];
	struct run r;

	start(&r, args);
	assert_int_equal(finish(&r, out, sizeof(out), err, sizeof(err)), 2);
	if (!strstr(err, msg))
		fail_msg("'%s' not in: %s", msg, err);
	assert_string_equal(out, "");
}

static void test_usage(void **state)
{
	static const char *const bad_policy[] = { "--policy", "nope", NULL };
	static const char *const bad_window[] = { "--window", "12q", NULL };
	static const char *const tiny_window[] = { "--window", "100", NULL };
	static const char *const both[] = { "/mnt", NULL };
	static const char *const streams0[] = { "--streams", "0", NULL };
	static const char *const streams65[] = { "--streams", "65", NULL };
	static const char *const streams4k[] = { "--streams", "4k", NULL };
	static const char *const streamsx[] = { "--streams", "x", NULL };
	static const char *const tmpl_slash[] = { "--template", "a/b", NULL };
	static const char *const tmpl_empty[] = { "--template", "", NULL };
	static const char *const tmpl_dots[] = { "--template", "..", NULL };
	static const char *const tdir_empty[] = { "--template-dir", "", NULL };
	static const char *const no_name[] = { "--policy", "template", NULL };

	(void)state;
	expect_usage_error(bad_policy, "unknown policy 'nope'");
	expect_usage_error(bad_policy, "one of:\n                     sequential, template, aggregate\n");
	expect_usage_error(bad_window, "bad --window '12q'");
	expect_usage_error(tiny_window, "bad --window '100'");
	expect_usage_error(both, "MOUNTPOINT and --channel-fd exclude each other");
	expect_usage_error(streams0, "bad --streams '0': want 1 to 64");
	expect_usage_error(streams65, "bad --streams '65'");
	expect_usage_error(streams4k, "bad --streams '4k'");
	expect_usage_error(streamsx, "bad --streams 'x'");
	expect_usage_error(tmpl_slash, "bad --template 'a/b'");
	expect_usage_error(tmpl_empty, "bad --template ''");
	expect_usage_error(tmpl_dots, "bad --template '..'");
	expect_usage_error(tdir_empty, "bad --template-dir ''");
	expect_usage_error(no_name, "template needs --template NAME with --channel-fd");
}

/* Record on the first run, replay on the second, rebuild a corrupt one. */
static void test_template(void **state)
{
	char dir[] = "/tmp/oe-mfsrun.XXXXXX", path[64], want[256];
	const char *args[] = { "--policy", "template", "--template-dir", dir,
			       "--template", "t", "--count", "3", NULL };
	struct modelfs_template_info info;
	char out[512], err[1024];
	struct run r;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t", dir);

	start(&r, args);
	send_ev(&r, MODELFS_EV_OPEN, 5, 0, 4 * MiB);
	send_ev(&r, MODELFS_EV_READAHEAD, 5, 0, MiB);
	send_ev(&r, MODELFS_EV_CLOSE, 5, 0, 4 * MiB);
	assert_int_equal(finish(&r, out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "modelfs-run: policy=template events=3 overflows=0 prefetch=0 evict=0 cmd_errors=0\n");
	snprintf(want, sizeof(want), "modelfs-run: policy template attached to an inherited channel\n"
		 "modelfs-run: template %s: record (none stored yet)\n", path);
	assert_string_equal(err, want);
	assert_int_equal(modelfs_template_info(path, &info), 0);
	assert_int_equal(info.files, 1);
	assert_int_equal(info.bytes, MiB);

	args[7] = "2";
	start(&r, args);
	send_ev(&r, MODELFS_EV_OPEN, 5, 0, 4 * MiB);
	expect_cmd(&r, MODELFS_CMD_PREFETCH, 5, 0, MiB);
	send_ev(&r, MODELFS_EV_CLOSE, 5, 0, 4 * MiB);
	assert_int_equal(finish(&r, out, sizeof(out), err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "modelfs-run: template %s: replay\n", path);
	assert_non_null(strstr(err, want));

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "junk", 4), 4);
	close(fd);
	assert_int_equal(modelfs_template_info(path, &info), -EBADMSG);
	args[7] = "3";
	start(&r, args);
	send_ev(&r, MODELFS_EV_OPEN, 5, 0, 4 * MiB);
	send_ev(&r, MODELFS_EV_READAHEAD, 5, 0, 2 * MiB);
	send_ev(&r, MODELFS_EV_CLOSE, 5, 0, 4 * MiB);
	assert_int_equal(finish(&r, out, sizeof(out), err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "modelfs-run: template %s: rebuild (the stored one is corrupt; recording a new one)\n",
		 path);
	assert_non_null(strstr(err, want));
	assert_int_equal(modelfs_template_info(path, &info), 0);
	assert_int_equal(info.bytes, 2 * MiB);

	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

static void test_aggregate(void **state)
{
	static const char *const args[] = { "--policy", "aggregate", "--streams", "2",
					    "--window", "4M", "--count", "1", NULL };
	char out[512], err[512];
	struct run r;

	(void)state;
	start(&r, args);
	send_ev(&r, MODELFS_EV_OPEN, 7, 0, 8 * MiB);
	expect_cmd(&r, MODELFS_CMD_PREFETCH, 7, 0, 2 * MiB);
	expect_cmd(&r, MODELFS_CMD_PREFETCH, 7, 4 * MiB, 2 * MiB);
	assert_int_equal(finish(&r, out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "modelfs-run: policy=aggregate events=1 overflows=0 prefetch=2 evict=0 cmd_errors=0\n");
	assert_string_equal(err, "modelfs-run: policy aggregate attached to an inherited channel\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_sigterm),
		cmocka_unit_test(test_channel_closed),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_template),
		cmocka_unit_test(test_aggregate),
	};

	return cmocka_run_group_tests_name("modelfs_run", tests, NULL, NULL);
}
