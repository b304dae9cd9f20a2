/* procattr.h: the process settings of a service (issue 6): who it runs
 * as, its environment, limits, priority, umask and OOM score. Names are
 * resolved and env files read in drainit, at configuration time; the
 * child between fork and exec only applies numbers (spawn.c). */
#ifndef DRAINIT_PROCATTR_H
#define DRAINIT_PROCATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"

struct envbuf;
struct spawn_opts;
struct spawn_rlimit;

/* The limit_* keys, indexed by enum svc_limit_idx. */
struct limit_def {
	const char *key;	/* "limit_nofile" */
	int resource;		/* RLIMIT_NOFILE */
	bool bytes;		/* takes K/M/G/T suffixes */
};
extern const struct limit_def limit_defs[_LIM_MAX];

/* A user name or number. 0 with the uid (and, when the user has a
 * passwd entry, its primary gid, name and home: *pw_name is NULL
 * otherwise); -ENOENT for an unknown name; another -errno on failure. */
int procattr_lookup_user(const char *name, uid_t *uid, gid_t *gid, char **pw_name,
			 char **home);
/* A group name or number. 0, -ENOENT or -errno. */
int procattr_lookup_group(const char *name, gid_t *gid);
/* The supplementary groups initgroups(3) would set for pw_name with
 * primary group gid (gid included). 0 or -errno. */
int procattr_group_list(const char *pw_name, gid_t gid, gid_t **ret, size_t *n);

/* Reads an env_file. 0 with *vars ("KEY=VALUE", *n of them, NULL-ended);
 * -errno / -EINVAL with a message in err ("cannot read: ..." or
 * "PATH:LINE: reason"). */
int procattr_read_env_file(const char *path, char ***vars, size_t *n, char *err,
			   size_t errlen);

/* Adds the service's environment settings to e, which holds drainit's
 * environment (or is empty: clear_env is applied here). 0 or -ENOMEM. */
int procattr_env(const struct svc_config *c, struct envbuf *e);

/* Fills the id, limit, nice, umask and OOM parts of o from c. rl must
 * hold _LIM_MAX entries, oom 16 bytes; both must outlive the spawn. */
void procattr_spawn_opts(const struct svc_config *c, struct spawn_opts *o,
			 struct spawn_rlimit *rl, char *oom);

/* For --check: "stdout prefix; user www (uid 33); ..." with what differs
 * from drainit's own settings. false (and "") when nothing does. */
bool procattr_describe(const struct svc_config *c, char *buf, size_t len);

#endif
