/* procattr.h: pure layer. Resolving a service's process settings while
 * the config is loaded: user and group names, supplementary groups, env
 * files, the limit_* keys. The child between fork and exec only applies
 * the numbers (procset.h, spawn.c). */
#ifndef DRAINIT_PROCATTR_H
#define DRAINIT_PROCATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>


/* Resource limits, in the order of limit_defs[]. */
enum svc_limit_idx {
	LIM_NOFILE, LIM_NPROC, LIM_CORE, LIM_MEMLOCK, LIM_STACK,
	LIM_AS, LIM_DATA, LIM_FSIZE, LIM_CPU, _LIM_MAX
};

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

#endif
