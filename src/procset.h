/* procset.h: pure layer. A service's resolved process settings as they
 * are used: its environment, what the child applies (struct spawn_opts),
 * and their description for --check. */
#ifndef DRAINIT_PROCSET_H
#define DRAINIT_PROCSET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "config.h"

struct envbuf;

/* Where a command without a '/' is looked up when its environment has no
 * PATH (glibc's execvp default). */
#define DEFAULT_EXEC_PATH "/bin:/usr/bin"

/* A service's process settings as the child applies them: everything is
 * resolved before fork (names, strings), so the child only makes
 * syscalls with these numbers (spawn.c). */
struct spawn_rlimit {
	int resource;
	struct rlimit lim;
};
struct spawn_opts {
	int stdio[3];		/* fd to dup2 onto 0, 1, 2; -1: keep drainit's */
	const struct spawn_rlimit *rlimits;
	size_t nrlimits;
	bool set_nice;
	int nice;
	const char *oom_score_adj;	/* "500\n" for /proc/self/oom_score_adj; NULL: keep */
	size_t oom_len;
	bool set_umask;
	mode_t umask;
	bool set_ids;		/* setgroups, setgid, then setuid (when set_uid) */
	const gid_t *groups;
	size_t ngroups;
	gid_t gid;
	bool set_uid;
	uid_t uid;
};

/* Adds the service's environment settings to e, which holds drainit's
 * environment (or is empty: clear_env is applied here). 0 or -ENOMEM. */
int procset_env(const struct svc_config *c, struct envbuf *e);

/* Fills the id, limit, nice, umask and OOM parts of o from c. rl must
 * hold _LIM_MAX entries, oom 16 bytes; both must outlive the spawn. */
void procset_spawn_opts(const struct svc_config *c, struct spawn_opts *o,
			 struct spawn_rlimit *rl, char *oom);

/* For --check: "stdout prefix; user www (uid 33); ..." with what differs
 * from drainit's own settings. false (and "") when nothing does. */
bool procset_describe(const struct svc_config *c, char *buf, size_t len);

#endif
