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

static void test_usage(void **state)
{
	static const char *const bad_policy[] = { "--policy", "nope", NULL };
	static const char *const bad_window[] = { "--window", "12q", NULL };
	static const char *const both[] = { "/mnt", NULL };
	char out[512], err[1024];
	struct run r;

	(void)state;
	start(&r, bad_policy);
	assert_int_equal(finish(&r, out, sizeof(out), err, sizeof(err)), 2);
	assert_non_null(strstr(err, "unknown policy 'nope'"));
	start(&r, bad_window);
	assert_int_equal(finish(&r, out, sizeof(out), err, sizeof(err)), 2);
	assert_non_null(strstr(err, "bad --window"));
	start(&r, both);
	assert_int_equal(finish(&r, out, sizeof(out), err, sizeof(err)), 2);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_sigterm),
		cmocka_unit_test(test_channel_closed),
		cmocka_unit_test(test_usage),
	};

	return cmocka_run_group_tests_name("modelfs_run", tests, NULL, NULL);
}
