/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fake oe-ctld the oe-ctl tests run against: the oe-ctl built beside
 * the tests ($(O)/oe-ctl) is started on a socket the test listens on;
 * run() gives what it sent (req[]), printed (out[], errout[]) and how it
 * exited; assert_usage_errors() and assert_unreachable() are the checks
 * each command's test makes. Included by each test_oe_ctl_*.c, with
 * setup/teardown.
 */
#ifndef OE_CTL_FIXTURE_H
#define OE_CTL_FIXTURE_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

static char bin[PATH_MAX + 16];
static char dir[64], sock[128], out_path[128], err_path[128];
static int lfd = -1;

static char out[16384], errout[16384], req[4096];

static int setup(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char self[PATH_MAX];
	ssize_t n;

	(void)state;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = '\0';
	/* $(O)/tests/test_x -> $(O)/oe-ctl */
	*strrchr(self, '/') = '\0';
	snprintf(bin, sizeof(bin), "%s/../oe-ctl", self);
	if (access(bin, X_OK) < 0) {
		fprintf(stderr, "no %s: build it first\n", bin);
		return -1;
	}
	snprintf(dir, sizeof(dir), "/tmp/oe-ctl-test-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/ctl.sock", dir);
	snprintf(out_path, sizeof(out_path), "%s/out", dir);
	snprintf(err_path, sizeof(err_path), "%s/err", dir);
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	close(lfd);
	unlink(sock);
	unlink(out_path);
	unlink(err_path);
	rmdir(dir);
	return 0;
}

static void slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	buf[0] = '\0';
	if (!f)
		return;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* No connection waits on the socket: nothing was sent. */
static inline void assert_nothing_sent(void)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	assert_int_equal(poll(&p, 1, 0), 0);
}

/*
 * Run oe-ctl -s @path ARGS... (NULL-terminated). With @reply, accept its
 * connection, keep the request in req[] and answer @reply ("" closes
 * without answering). Returns the exit status; output in out[]/errout[].
 */
static int run_at(const char *path, const char *reply, const char *const *args)
{
	const char *argv[16];
	int n = 0, status, c;
	pid_t pid;

	argv[n++] = bin;
	argv[n++] = "-s";
	argv[n++] = path;
	for (int i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	req[0] = '\0';
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(99);
		execv(bin, (char *const *)argv);
		_exit(98);
	}
	if (reply) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		ssize_t got;

		assert_int_equal(poll(&p, 1, 10000), 1);
		c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		assert_true(c >= 0);
		got = recv(c, req, sizeof(req) - 1, 0);
		assert_true(got > 0);
		req[got] = '\0';
		if (*reply)
			assert_int_equal(send(c, reply, strlen(reply), 0), (ssize_t)strlen(reply));
		close(c);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	slurp(out_path, out, sizeof(out));
	slurp(err_path, errout, sizeof(errout));
	return WEXITSTATUS(status);
}

/* run_at() the socket the test listens on. */
static int run(const char *reply, const char *const *args)
{
	return run_at(sock, reply, args);
}

/*
 * oe-ctl exits 3 when no daemon listens (@args on a socket nobody
 * binds), and when the daemon hangs up without answering (@hangup_args).
 */
static inline void assert_unreachable(const char *const *args,
				      const char *const *hangup_args)
{
	assert_int_equal(run_at("/nonexistent/ctl.sock", NULL, args), 3);
	assert_int_equal(run("", hangup_args), 3);
}

/* A command line oe-ctl refuses, and the start of what it says (NULL: anything). */
struct usage_error {
	const char *const *args;
	const char *msg;
};

/* Each is refused before connecting: exit 2, nothing sent or printed on stdout. */
static inline void assert_usage_errors(const struct usage_error *bad, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(run(NULL, bad[i].args), 2);
		assert_nothing_sent();
		assert_string_equal(out, "");
		if (bad[i].msg)
			assert_memory_equal(errout, bad[i].msg, strlen(bad[i].msg));
		else
			assert_true(strlen(errout) > 0);
	}
}

/* The request's member @key as a string, or NULL if absent. */
static const char *req_member(const char *key)
{
	static char val[4096];
	struct json_object *o = json_tokener_parse(req), *v;
	const char *r = NULL;

	assert_non_null(o);
	if (json_object_object_get_ex(o, key, &v)) {
		snprintf(val, sizeof(val), "%s", json_object_get_string(v));
		r = val;
	}
	json_object_put(o);
	return r;
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

#endif /* OE_CTL_FIXTURE_H */
