// SPDX-License-Identifier: GPL-2.0-only
/*
 * oe-ctld: the OE extensions control daemon. One epoll loop serving the
 * signalfd, the watchdog timerfd, the control socket, its clients and
 * whatever fds the feature modules register.
 */
#include "config.h"
#include "ctlproto.h"
#include "log.h"
#include "module.h"
#include "privs.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <json-c/json.h>
#include <systemd/sd-daemon.h>

#ifndef OE_VERSION
#define OE_VERSION "0.1"
#endif

#define MAX_CLIENTS	64
#define MAX_MODULES	16

enum handler_kind { H_SIGNAL, H_TIMER, H_LISTEN, H_CLIENT, H_MODULE };

struct handler {
	enum handler_kind kind;
	int fd;
	bool dead;		/* freed after the current epoll batch */
	struct oe_module_inst *mi;	/* H_MODULE */
	/* H_CLIENT */
	bool admin;
	bool subscribed;
	pid_t pid;
	uid_t uid;
	struct handler *next;	/* clients / module fds list */
};

struct daemon {
	int epfd;
	const char *config_path;
	bool config_explicit;
	const char *socket_override;
	struct oectld_config cfg;
	char socket_path[OECTLD_SOCKET_MAX];
	bool have_admin_gid;
	gid_t admin_gid;
	oe_capmask caps_kept;
	struct handler sig, timer, listen;
	struct handler *clients;
	struct handler *modfds;
	size_t nclients;
	bool quit;
	struct oe_module_inst mods[MAX_MODULES];
	size_t nmods;
};

static int epoll_add(struct daemon *d, struct handler *h)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = h };

	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, h->fd, &ev);
}

/* ---- module host services ---- */

static int host_watch_fd(void *host, struct oe_module_inst *mi, int fd)
{
	struct daemon *d = host;
	struct handler *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	h->kind = H_MODULE;
	h->fd = fd;
	h->mi = mi;
	if (epoll_add(d, h) < 0) {
		int e = errno;

		free(h);
		return -e;
	}
	h->next = d->modfds;
	d->modfds = h;
	return 0;
}

static void host_unwatch_fd(void *host, struct oe_module_inst *mi, int fd)
{
	struct daemon *d = host;

	for (struct handler *h = d->modfds; h; h = h->next) {
		if (!h->dead && h->mi == mi && h->fd == fd) {
			epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL);
			h->dead = true;
			return;
		}
	}
}

static void client_close(struct daemon *d, struct handler *c)
{
	if (c->dead)
		return;
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->dead = true;
	d->nclients--;
}

static int client_send(struct daemon *d, struct handler *c, const char *s)
{
	if (send(c->fd, s, strlen(s), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			log_warn("control: client pid %d is not reading; disconnecting it",
				 (int)c->pid);
		else
			log_debug("control: send to pid %d: %s", (int)c->pid,
				  strerror(errno));
		client_close(d, c);
		return -1;
	}
	return 0;
}

static void host_emit_event(void *host, struct oe_module_inst *mi,
			    struct json_object *ev)
{
	struct daemon *d = host;
	const char *s = json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN);

	(void)mi;
	for (struct handler *c = d->clients; c; c = c->next)
		if (!c->dead && c->subscribed)
			client_send(d, c, s);
}

static const struct oe_host_ops host_ops = {
	.watch_fd = host_watch_fd,
	.unwatch_fd = host_unwatch_fd,
	.emit_event = host_emit_event,
};

/* Free handlers marked dead once no epoll batch can refer to them. */
static void reap(struct daemon *d)
{
	struct handler **pp;

	for (pp = &d->clients; *pp; ) {
		struct handler *h = *pp;

		if (h->dead) {
			*pp = h->next;
			free(h);
		} else {
			pp = &h->next;
		}
	}
	for (pp = &d->modfds; *pp; ) {
		struct handler *h = *pp;

		if (h->dead) {
			*pp = h->next;
			free(h);
		} else {
			pp = &h->next;
		}
	}
}

/* ---- configuration ---- */

static void resolve_admin_group(struct daemon *d)
{
	struct group grp, *res = NULL;
	char buf[4096];

	d->have_admin_gid = false;
	if (getgrnam_r(d->cfg.daemon.admin_group, &grp, buf, sizeof(buf), &res) == 0 &&
	    res) {
		d->admin_gid = grp.gr_gid;
		d->have_admin_gid = true;
		log_debug("control: admin group %s is gid %u",
			  d->cfg.daemon.admin_group, (unsigned int)grp.gr_gid);
	} else {
		log_info("control: admin group '%s' does not exist; only root is admin",
			 d->cfg.daemon.admin_group);
	}
}

static int load_config(struct daemon *d, struct oectld_config *out,
		       char *err, size_t errlen)
{
	if (oectld_config_load(d->config_path, oe_module_table, oe_module_count,
			       out, err, errlen) < 0) {
		if (errno == ENOENT && !d->config_explicit) {
			log_info("no %s; using built-in defaults", d->config_path);
			oectld_config_defaults(out, oe_module_table,
					       oe_module_count);
			return 0;
		}
		return -1;
	}
	return 0;
}

static int do_reload(struct daemon *d, char *err, size_t errlen)
{
	/* a config is about 100 KiB: not on the stack */
	static struct oectld_config nc;
	oe_capmask need;

	sd_notify(0, "RELOADING=1\nSTATUS=Reloading configuration");
	if (load_config(d, &nc, err, errlen) < 0) {
		log_err("%s", err);
		log_err("reload: configuration refused; keeping the running configuration");
		sd_notify(0, "READY=1\nSTATUS=Running (reload refused)");
		return -1;
	}
	oe_log_set_level(nc.daemon.log_level);
	if (!d->socket_override && strcmp(nc.daemon.socket, d->socket_path))
		log_warn("reload: socket path change takes effect after a restart");
	if (nc.daemon.watchdog != d->cfg.daemon.watchdog)
		log_warn("reload: watchdog change takes effect after a restart");
	need = oe_modules_caps(oe_module_table, oe_module_count, &nc);
	if (need & ~d->caps_kept)
		log_warn("reload: enabled modules need capabilities dropped at startup; restart oe-ctld");
	d->cfg = nc;
	resolve_admin_group(d);
	oe_modules_reload(d->mods, d->nmods, &d->cfg);
	log_info("configuration reloaded from %s", d->config_path);
	sd_notify(0, "READY=1\nSTATUS=Running");
	return 0;
}

/* ---- control socket ---- */

static int mkdir_parents(const char *path)
{
	char tmp[OECTLD_SOCKET_MAX];
	char *p;

	snprintf(tmp, sizeof(tmp), "%s", path);
	p = strrchr(tmp, '/');
	if (!p || p == tmp)
		return 0;
	*p = '\0';
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

static int listen_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_err("control: socket path too long: %s", path);
		return -1;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (mkdir_parents(path) < 0) {
		log_err("control: cannot create the directory of %s: %s", path,
			strerror(errno));
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		log_err("control: socket: %s", strerror(errno));
		return -1;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_err("control: %s exists and is not a socket", path);
			goto fail;
		}
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			log_err("control: %s is in use; is another oe-ctld running?", path);
			goto fail;
		}
		/* stale socket of a dead daemon */
		close(fd);
		unlink(path);
		fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			return -1;
	}
	/*
	 * Bind to "<path>.new", make it 0666 and listening, then rename it
	 * into place: whoever waits for the socket to appear can connect.
	 */
	if (strlen(path) + 4 < sizeof(sa.sun_path))
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s.new", path);
	unlink(sa.sun_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		log_err("control: bind %s: %s", sa.sun_path, strerror(errno));
		goto fail;
	}
	if (chmod(sa.sun_path, 0666) < 0) {
		log_err("control: chmod %s: %s", sa.sun_path, strerror(errno));
		goto fail_unlink;
	}
	if (listen(fd, 16) < 0) {
		log_err("control: listen: %s", strerror(errno));
		goto fail_unlink;
	}
	if (strcmp(sa.sun_path, path) && rename(sa.sun_path, path) < 0) {
		log_err("control: rename %s: %s", sa.sun_path, strerror(errno));
		goto fail_unlink;
	}
	return fd;
fail_unlink:
	unlink(sa.sun_path);
fail:
	close(fd);
	return -1;
}

static bool peer_admin(struct daemon *d, int fd, const struct ucred *cr)
{
	gid_t groups[256];
	socklen_t len = sizeof(groups);
	size_t n = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0)
		n = len / sizeof(gid_t);
	else
		log_debug("control: SO_PEERGROUPS: %s", strerror(errno));
	return ctlproto_peer_is_admin(cr->uid, cr->gid, groups, n,
				      d->have_admin_gid, d->admin_gid);
}

static void accept_client(struct daemon *d)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	struct handler *c;
	int fd;

	fd = accept4(d->listen.fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("control: accept: %s", strerror(errno));
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0) {
		log_warn("control: SO_PEERCRED: %s", strerror(errno));
		close(fd);
		return;
	}
	if (d->nclients >= MAX_CLIENTS) {
		log_warn("control: too many clients; refusing pid %d", (int)cr.pid);
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->kind = H_CLIENT;
	c->fd = fd;
	c->pid = cr.pid;
	c->uid = cr.uid;
	c->admin = peer_admin(d, fd, &cr);
	if (epoll_add(d, c) < 0) {
		close(fd);
		free(c);
		return;
	}
	c->next = d->clients;
	d->clients = c;
	d->nclients++;
	log_debug("control: client pid %d uid %u connected (%s)", (int)cr.pid,
		  (unsigned int)cr.uid, c->admin ? "admin" : "read-only");
}

static void reply_json(struct daemon *d, struct handler *c, struct json_object *o)
{
	client_send(d, c, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

static struct json_object *ok_reply(void)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "ok", json_object_new_boolean(true));
	return o;
}

static void handle_request(struct daemon *d, struct handler *c,
			   const char *buf, size_t len)
{
	struct ctl_request req;
	char err[512];
	struct json_object *o;

	if (ctlproto_parse(buf, len, oe_module_table, oe_module_count, &req,
			   err, sizeof(err)) < 0 ||
	    ctlproto_authorize(&req, c->admin, err, sizeof(err)) < 0) {
		char *s = ctlproto_error_reply(err);

		log_debug("control: pid %d: %s", (int)c->pid, err);
		if (s)
			client_send(d, c, s);
		free(s);
		return;
	}
	o = ok_reply();
	if (req.feature) {
		if (oe_modules_command(d->mods, d->nmods, &req, o, err,
				       sizeof(err)) < 0) {
			char *s = ctlproto_error_reply(err);

			log_debug("control: pid %d: %s: %s", (int)c->pid,
				  req.name, err);
			json_object_put(o);
			if (s)
				client_send(d, c, s);
			free(s);
			return;
		}
		reply_json(d, c, o);
		return;
	}
	switch (req.cmd) {
	case CTL_CMD_PING:
		json_object_object_add(o, "version", json_object_new_string(OE_VERSION));
		json_object_object_add(o, "admin", json_object_new_boolean(c->admin));
		break;
	case CTL_CMD_STATUS:
		json_object_object_add(o, "version", json_object_new_string(OE_VERSION));
		json_object_object_add(o, "features",
				       oe_modules_status(d->mods, d->nmods));
		break;
	case CTL_CMD_SUBSCRIBE:
		c->subscribed = true;
		break;
	case CTL_CMD_RECENT:
		json_object_object_add(o, "events",
				       oe_modules_recent(d->mods, d->nmods));
		break;
	case CTL_CMD_RELOAD:
		if (do_reload(d, err, sizeof(err)) < 0) {
			json_object_put(o);
			o = json_object_new_object();
			json_object_object_add(o, "ok", json_object_new_boolean(false));
			json_object_object_add(o, "error", json_object_new_string(err));
		}
		break;
	default:
		break;
	}
	reply_json(d, c, o);
}

static void client_readable(struct daemon *d, struct handler *c)
{
	static char buf[CTL_MSG_MAX + 1];
	ssize_t n;

	n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			client_close(d, c);
		return;
	}
	if (n == 0) {
		client_close(d, c);
		return;
	}
	if ((size_t)n > CTL_MSG_MAX) {
		char *s = ctlproto_error_reply("bad request: message too large");

		if (s)
			client_send(d, c, s);
		free(s);
		return;
	}
	handle_request(d, c, buf, (size_t)n);
}

/* ---- signals and watchdog ---- */

static void handle_signal(struct daemon *d)
{
	struct signalfd_siginfo si;
	char err[512];

	while (read(d->sig.fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("received %s; stopping",
				 si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
			d->quit = true;
			break;
		case SIGHUP:
			log_info("received SIGHUP; reloading %s", d->config_path);
			do_reload(d, err, sizeof(err));
			break;
		}
	}
}

static int setup_watchdog(struct daemon *d)
{
	uint64_t usec = 0;
	struct itimerspec its = { 0 };
	int r;

	r = sd_watchdog_enabled(0, &usec);
	if (r <= 0)
		return 0;
	if (!d->cfg.daemon.watchdog) {
		log_warn("systemd expects watchdog pings but watchdog = no; systemd will restart the daemon");
		return 0;
	}
	usec /= 2;
	if (usec == 0)
		usec = 1;
	d->timer.kind = H_TIMER;
	d->timer.fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->timer.fd < 0)
		return -1;
	its.it_interval.tv_sec = (time_t)(usec / 1000000);
	its.it_interval.tv_nsec = (long)(usec % 1000000) * 1000;
	its.it_value = its.it_interval;
	if (timerfd_settime(d->timer.fd, 0, &its, NULL) < 0 || epoll_add(d, &d->timer) < 0)
		return -1;
	log_debug("watchdog: pinging systemd every %llu us", (unsigned long long)usec);
	return 0;
}

static void handle_timer(struct daemon *d)
{
	uint64_t n;

	if (read(d->timer.fd, &n, sizeof(n)) == sizeof(n))
		sd_notify(0, "WATCHDOG=1");
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: oe-ctld [OPTIONS]\n"
		"OE extensions control daemon.\n\n"
		"  -c, --config PATH   configuration file (default %s)\n"
		"  -f, --foreground    run in the foreground (the default; it never forks)\n"
		"  -s, --socket PATH   control socket, overrides [daemon] socket\n"
		"  -V, --version       print the version and exit\n"
		"  -h, --help          print this help and exit\n",
		OECTLD_DEFAULT_CONFIG);
}

static int run(struct daemon *d)
{
	struct epoll_event evs[32];

	while (!d->quit) {
		int n = epoll_wait(d->epfd, evs, 32, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_err("epoll_wait: %s", strerror(errno));
			return -1;
		}
		for (int i = 0; i < n; i++) {
			struct handler *h = evs[i].data.ptr;

			if (h->dead)
				continue;
			switch (h->kind) {
			case H_SIGNAL:
				handle_signal(d);
				break;
			case H_TIMER:
				handle_timer(d);
				break;
			case H_LISTEN:
				accept_client(d);
				break;
			case H_CLIENT:
				client_readable(d, h);
				break;
			case H_MODULE:
				h->mi->mod->event(h->mi, h->fd, evs[i].events);
				break;
			}
		}
		reap(d);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "socket", required_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static struct daemon dd;
	struct daemon *d = &dd;
	char err[512], caps[512];
	sigset_t mask;
	int opt, rc = 0;

	d->config_path = OECTLD_DEFAULT_CONFIG;
	d->timer.fd = -1;
	d->listen.fd = -1;
	d->sig.fd = -1;
	while ((opt = getopt_long(argc, argv, "c:fs:Vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			d->config_path = optarg;
			d->config_explicit = true;
			break;
		case 'f':
			break;
		case 's':
			d->socket_override = optarg;
			break;
		case 'V':
			printf("oe-ctld %s\n", OE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "oe-ctld: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (d->socket_override &&
	    (d->socket_override[0] != '/' ||
	     strlen(d->socket_override) >= OECTLD_SOCKET_MAX)) {
		fprintf(stderr, "oe-ctld: --socket needs an absolute path shorter than %zu bytes\n",
			OECTLD_SOCKET_MAX);
		return 2;
	}

	oe_log_init("oe-ctld");
	if (load_config(d, &d->cfg, err, sizeof(err)) < 0) {
		log_err("%s", err);
		log_err("configuration refused; not starting");
		return 2;
	}
	oe_log_set_level(d->cfg.daemon.log_level);
	{
		const char *sp = d->socket_override ? d->socket_override
						    : d->cfg.daemon.socket;

		/* both checked shorter than OECTLD_SOCKET_MAX */
		memcpy(d->socket_path, sp, strlen(sp) + 1);
	}
	log_info("oe-ctld %s starting (config %s)", OE_VERSION, d->config_path);

	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epfd < 0) {
		log_err("epoll_create1: %s", strerror(errno));
		return 1;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sig.kind = H_SIGNAL;
	d->sig.fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->sig.fd < 0 || epoll_add(d, &d->sig) < 0) {
		log_err("signalfd: %s", strerror(errno));
		return 1;
	}
	d->listen.kind = H_LISTEN;
	d->listen.fd = listen_socket(d->socket_path);
	if (d->listen.fd < 0 || epoll_add(d, &d->listen) < 0)
		return 1;
	resolve_admin_group(d);

	d->nmods = oe_module_count;
	if (d->nmods > MAX_MODULES) {
		log_err("too many modules");
		return 1;
	}
	oe_modules_setup(d->mods, oe_module_table, d->nmods, &host_ops, d);
	oe_modules_start(d->mods, d->nmods, &d->cfg);

	/* keep what enabled modules need; they may need it later, at runtime */
	d->caps_kept = oe_modules_caps(oe_module_table, oe_module_count, &d->cfg);
	if (oe_drop_privileges(d->caps_kept) < 0) {
		oe_capmask_format(d->caps_kept, caps, sizeof(caps));
		log_err("cannot reduce capabilities to: %s", caps);
		rc = 1;
		goto out;
	}
	if (setup_watchdog(d) < 0) {
		log_err("watchdog timer: %s", strerror(errno));
		rc = 1;
		goto out;
	}
	log_info("listening on %s", d->socket_path);
	sd_notify(0, "READY=1\nSTATUS=Running");
	if (run(d) < 0)
		rc = 1;
out:
	sd_notify(0, "STOPPING=1\nSTATUS=Stopping");
	oe_modules_stop(d->mods, d->nmods);
	for (struct handler *c = d->clients; c; c = c->next)
		client_close(d, c);
	reap(d);
	if (d->listen.fd >= 0) {
		close(d->listen.fd);
		unlink(d->socket_path);
	}
	if (d->timer.fd >= 0)
		close(d->timer.fd);
	close(d->sig.fd);
	close(d->epfd);
	log_info("stopped");
	return rc;
}
