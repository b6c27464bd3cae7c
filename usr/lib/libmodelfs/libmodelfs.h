/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libmodelfs: the userspace runtime of ModelFS (ModelFS-U).
 *
 * The runtime owns a mount's channel fd (see <linux/modelfs.h>): it reads
 * events, hands them to a policy, and encodes the policy's commands. All
 * calls that can fail return 0 (or a count) on success and -errno on
 * failure; the constructors return NULL with errno set.
 */
#ifndef LIBMODELFS_H
#define LIBMODELFS_H

#include <stddef.h>
#include <stdint.h>

#include <linux/modelfs.h>

#define MODELFS_PAGE_SIZE 4096ULL

struct modelfs_rt;

/* Counters kept by the runtime; read with modelfs_stats(). */
struct modelfs_stats {
	uint64_t events;	/* events passed to modelfs_dispatch() */
	uint64_t overflows;	/* events the kernel dropped (OVERFLOW totals) */
	uint64_t prefetch_cmds;	/* PREFETCH commands the kernel accepted */
	uint64_t evict_cmds;	/* EVICT commands the kernel accepted */
	uint64_t other_cmds;	/* SET_RA and DONE commands accepted */
	uint64_t cmd_errors;	/* commands refused or not sent */
};

/*
 * Open @mountpoint (any file or directory of a ModelFS mount), attach to
 * its channel, and make the channel non-blocking and close-on-exec.
 * errno: EBUSY a policy is attached, EPERM no CAP_SYS_ADMIN, ENOTTY not a
 * ModelFS mount, or whatever open() says.
 */
struct modelfs_rt *modelfs_init(const char *mountpoint);

/*
 * Wrap an already open channel fd (or, in tests, one end of a
 * SOCK_SEQPACKET socketpair). On success the runtime owns @chan_fd; on
 * failure the caller still does.
 */
struct modelfs_rt *modelfs_init_fd(int chan_fd);

/* Close the channel (this detaches the policy) and free the runtime. */
void modelfs_exit(struct modelfs_rt *rt);

/* The channel fd, for poll()/epoll: readable when events are queued. */
int modelfs_fd(const struct modelfs_rt *rt);

const struct modelfs_stats *modelfs_stats(const struct modelfs_rt *rt);

/*
 * Send one command. 0, or -errno: ENOENT unknown ino, EINVAL bad range,
 * EISDIR a directory, EIO a short write.
 */
int modelfs_prefetch(struct modelfs_rt *rt, uint64_t ino, uint64_t off,
		     uint64_t len);
int modelfs_evict(struct modelfs_rt *rt, uint64_t ino, uint64_t off,
		  uint64_t len);
/*
 * Readahead window of file @ino, or with @ino 0 of the mount's files
 * opened from now on; @bytes 0 restores the default (see SET_RA in
 * <linux/modelfs.h>). EINVAL over MODELFS_SET_RA_MAX.
 */
int modelfs_set_ra(struct modelfs_rt *rt, uint64_t ino, uint64_t bytes);
/* No more read events of file @ino until it is opened again. */
int modelfs_done(struct modelfs_rt *rt, uint64_t ino);

/*
 * Read up to @max queued events into @evs without blocking. Returns the
 * count (0 when none are queued) or -errno: EINVAL max < 1, EPIPE the
 * channel was closed by the other side, EPROTO a record of the wrong size.
 */
int modelfs_read_events(struct modelfs_rt *rt, struct modelfs_event *evs,
			int max);

/*
 * Replace the write() of commands (tests, simulators): @fn gets each
 * encoded command and returns 0 or -errno as the kernel would. NULL
 * restores writing to the channel.
 */
typedef int (*modelfs_cmd_fn)(void *arg, const struct modelfs_cmd *cmd);
void modelfs_set_cmd_hook(struct modelfs_rt *rt, modelfs_cmd_fn fn, void *arg);

/*
 * What a policy is started with. Zero/NULL fields take the defaults; a
 * policy ignores the fields that are not its own.
 */
struct modelfs_policy_opts {
	uint64_t window;		/* bytes kept prefetched ahead of the
					 * reader (sequential, template,
					 * aggregate); 0: the policy's default */
	unsigned int streams;		/* aggregate: parallel streams per file;
					 * 0: MODELFS_AGG_STREAMS_DEFAULT */
	const char *template_dir;	/* template: where templates are kept;
					 * NULL: MODELFS_TEMPLATE_DIR */
	const char *template_name;	/* template: this mount's template, a
					 * file name in template_dir (see
					 * modelfs_template_name()); required */
};

/*
 * A policy. init() creates its state from @opts (never NULL); prefetch()
 * sees OPEN, MISS, READAHEAD, HIT, FAULT and CLOSE events; evict() sees PRESSURE
 * events. Any callback but name may be NULL. init() returns 0 or -errno
 * (EINVAL for options it cannot use).
 */
struct modelfs_policy {
	const char *name;
	int (*init)(struct modelfs_rt *rt, const struct modelfs_policy_opts *opts,
		    void **state);
	void (*exit)(void *state);
	void (*prefetch)(struct modelfs_rt *rt, void *state,
			 const struct modelfs_event *ev);
	void (*evict)(struct modelfs_rt *rt, void *state,
		      const struct modelfs_event *ev);
};

/*
 * Route one event to @pol and count it. OVERFLOW is accounted in the
 * runtime's stats and not passed on. Returns 0, or -EINVAL for an event
 * of unknown type (counted, not passed on).
 */
int modelfs_dispatch(struct modelfs_rt *rt, const struct modelfs_policy *pol,
		     void *state, const struct modelfs_event *ev);

/* A built-in policy by name ("sequential", "template", "aggregate"), or NULL. */
const struct modelfs_policy *modelfs_policy_find(const char *name);

/* The built-in policies, NULL-terminated. */
extern const struct modelfs_policy *const modelfs_policies[];

/*
 * Their names, as "sequential, template, aggregate", into @buf. 0, or
 * -ENAMETOOLONG when they do not fit @len (@buf then holds what did).
 */
int modelfs_policy_names(char *buf, size_t len);

/* policy "sequential" */
extern const struct modelfs_policy modelfs_policy_sequential;
#define MODELFS_SEQ_WINDOW_DEFAULT (8ULL << 20)

/* policy "aggregate" */
extern const struct modelfs_policy modelfs_policy_aggregate;
#define MODELFS_AGG_STREAMS_DEFAULT 4
#define MODELFS_AGG_STREAMS_MAX 64		/* more: init() says EINVAL */
#define MODELFS_AGG_WINDOW_DEFAULT (32ULL << 20) /* per file, all stripes */

/* policy "template" and its store */
extern const struct modelfs_policy modelfs_policy_template;
#define MODELFS_TEMPLATE_DIR "/var/lib/oe-ctld/modelfs"
/* the default window: 0.25 s of the recorded bandwidth, within these */
#define MODELFS_TEMPLATE_WINDOW_MIN (8ULL << 20)
#define MODELFS_TEMPLATE_WINDOW_MAX (256ULL << 20)

/* What a template state found at init(). */
enum modelfs_template_mode {
	MODELFS_TEMPLATE_RECORD = 1,	/* none stored: this load is recorded */
	MODELFS_TEMPLATE_REPLAY,	/* replayed; new or changed files are
					 * recorded and added at exit() */
	MODELFS_TEMPLATE_REBUILD,	/* a corrupt one: recorded anew, and
					 * replaced at exit() */
};

/* The mode of a state created by modelfs_policy_template.init(). */
enum modelfs_template_mode modelfs_template_mode(const void *state);

/* "record", "replay" or "rebuild". */
const char *modelfs_template_mode_name(enum modelfs_template_mode mode);

/* Corrupt templates found by template states since the process started. */
uint64_t modelfs_template_corrupt_count(void);

/*
 * The template name of the ModelFS mount at @mountpoint: derived from its
 * lower directory (read from /sys/fs/modelfs/<major>:<minor>/lowerdir),
 * so that it survives remounts and reboots. 0, or -errno (ENOTTY: not a
 * ModelFS mount, ENAMETOOLONG: @len too small).
 */
int modelfs_template_name(const char *mountpoint, char *buf, size_t len);

/* What a stored template holds. */
struct modelfs_template_info {
	uint32_t files;		/* files recorded */
	uint64_t ranges;	/* ranges recorded, over all files */
	uint64_t bytes;		/* bytes the ranges cover */
	uint64_t load_ns;	/* duration of the recorded load */
};

/*
 * Check the template file at @path and describe it. 0, or -errno:
 * ENOENT none there, EBADMSG corrupt (bad magic, version, checksum, size
 * or contents); a corrupt template is never used, and the next load with
 * the template policy records a new one in its place.
 */
int modelfs_template_info(const char *path, struct modelfs_template_info *info);

#endif /* LIBMODELFS_H */
