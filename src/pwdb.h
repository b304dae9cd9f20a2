/* pwdb.h: pure layer. Users and groups by name or number, and the
 * supplementary groups of a user, for the user and group keys.
 *
 * Two back ends, chosen at compile time: the C library's NSS functions
 * (getpwnam_r, getgrnam_r, getgrouplist), or, with DRAINIT_NSS_FREE (the
 * static build), reading /etc/passwd and /etc/group directly, so a
 * statically linked drainit never loads an NSS module. No drainit state,
 * no event loop; only drainit's side calls it, never a child. */
#ifndef DRAINIT_PWDB_H
#define DRAINIT_PWDB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PWDB_PASSWD "/etc/passwd"
#define PWDB_GROUP "/etc/group"

/* A passwd entry. name and home are allocated: pwdb_user_free(). */
struct pwdb_user {
	uid_t uid;
	gid_t gid;		/* primary group */
	char *name;
	char *home;
};

/* Both return 0 with *u filled, -ENOENT when there is no such entry (a
 * missing passwd file has none), -ENOMEM, or another -errno when the
 * database cannot be read. */
int pwdb_user_by_name(const char *name, struct pwdb_user *u);
int pwdb_user_by_uid(uid_t uid, struct pwdb_user *u);
void pwdb_user_free(struct pwdb_user *u);

/* A group entry: 0 with *gid (and, if name is not NULL, *name allocated),
 * -ENOENT, -ENOMEM or another -errno, as above. */
int pwdb_group_by_name(const char *name, gid_t *gid);
int pwdb_group_by_gid(gid_t gid, char **name);

/* The groups initgroups(3) would give user with primary group gid: gid
 * first, then every group that lists user as a member, each once.
 * 0 with *ret allocated (*n entries), -ENOMEM or another -errno. A
 * missing group file lists gid alone. */
int pwdb_group_list(const char *user, gid_t gid, gid_t **ret, size_t *n);

/* Reads passwd and group from these files from now on, whatever the
 * compile-time back end (NULL: the default path). For tests. */
void pwdb_use_files(const char *passwd, const char *group);

/* true when lookups read the files (DRAINIT_NSS_FREE, or pwdb_use_files). */
bool pwdb_reads_files(void);

#endif
