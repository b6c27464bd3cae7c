/* SPDX-License-Identifier: LGPL-2.1-only */
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
 * A policy. init() creates its state; prefetch() sees OPEN, MISS,
 * READAHEAD and CLOSE events; evict() sees PRESSURE events. Any callback
 * but name may be NULL.
 */
struct modelfs_policy {
	const char *name;
	int (*init)(struct modelfs_rt *rt, void **state);
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

/* A built-in policy by name ("sequential"), or NULL. */
const struct modelfs_policy *modelfs_policy_find(const char *name);

/* The built-in policies, NULL-terminated. */
extern const struct modelfs_policy *const modelfs_policies[];

/* policy "sequential" */
extern const struct modelfs_policy modelfs_policy_sequential;
#define MODELFS_SEQ_WINDOW_DEFAULT (8ULL << 20)
/* The window of sequential states created from now on; 0: the default. */
void modelfs_sequential_window(uint64_t bytes);
/* The window of one state; 0: the default. */
void modelfs_sequential_set_window(void *state, uint64_t bytes);

#endif /* LIBMODELFS_H */
