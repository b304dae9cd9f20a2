/* procattr.c: pure layer. A service's process settings, resolved at load time.
 *
 * Name lookups (NSS) and env_file reading happen here, while the
 * configuration is loaded, so an unknown user is a configuration error
 * with FILE:LINE and the child never calls into NSS or malloc: it gets
 * plain numbers in struct spawn_opts and applies them (spawn.c). */
#include "procattr.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "pwdb.h"

const struct limit_def limit_defs[_LIM_MAX] = {
	[LIM_NOFILE] = { "limit_nofile", RLIMIT_NOFILE, false },
	[LIM_NPROC] = { "limit_nproc", RLIMIT_NPROC, false },
	[LIM_CORE] = { "limit_core", RLIMIT_CORE, true },
	[LIM_MEMLOCK] = { "limit_memlock", RLIMIT_MEMLOCK, true },
	[LIM_STACK] = { "limit_stack", RLIMIT_STACK, true },
	[LIM_AS] = { "limit_as", RLIMIT_AS, true },
	[LIM_DATA] = { "limit_data", RLIMIT_DATA, true },
	[LIM_FSIZE] = { "limit_fsize", RLIMIT_FSIZE, true },
	[LIM_CPU] = { "limit_cpu", RLIMIT_CPU, false },
};

static bool
all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int
parse_id(const char *s, unsigned *ret)
{
	long v;

	/* (uid_t)-1 means "unchanged" to setuid(2): refuse it. */
	if (parse_int_range(s, 0, 0xfffffffeL, &v) < 0)
		return -ERANGE;
	*ret = (unsigned)v;
	return 0;
}

int
procattr_lookup_user(const char *name, uid_t *uid, gid_t *gid, char **pw_name, char **home)
{
	struct pwdb_user u;
	unsigned id = 0;
	bool number = all_digits(name);
	int r;

	*pw_name = *home = NULL;
	if (number && parse_id(name, &id) < 0)
		return -ERANGE;
	r = number ? pwdb_user_by_uid(id, &u) : pwdb_user_by_name(name, &u);
	if (r == -ENOENT && number) {
		/* A number with no passwd entry is still a uid. */
		*uid = id;
		return 0;
	}
	if (r < 0)
		return r;
	*uid = u.uid;
	*gid = u.gid;
	*pw_name = u.name;
	*home = u.home;
	return 0;
}

int
procattr_lookup_group(const char *name, gid_t *gid)
{
	unsigned id;

	if (all_digits(name)) {
		if (parse_id(name, &id) < 0)
			return -ERANGE;
		*gid = id;
		return 0;
	}
	return pwdb_group_by_name(name, gid);
}

int
procattr_group_list(const char *pw_name, gid_t gid, gid_t **ret, size_t *n)
{
	return pwdb_group_list(pw_name, gid, ret, n);
}

int
procattr_read_env_file(const char *path, char ***vars, size_t *n, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *line = NULL, **v = NULL;
	size_t cap = 0, cnt = 0;
	int lineno = 0, r = 0;

	*vars = NULL;
	*n = 0;
	if (!f) {
		r = -errno;
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(-r));
		return r;
	}
	while (getline(&line, &cap, f) >= 0) {
		const char *why = "out of memory";
		char *kv = NULL, **nv;

		lineno++;
		r = parse_env_line(line, &kv, &why);
		if (r == 0)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
			break;
		}
		nv = realloc(v, (cnt + 2) * sizeof(*v));
		if (!nv) {
			free(kv);
			snprintf(err, errlen, "out of memory");
			r = -ENOMEM;
			break;
		}
		v = nv;
		v[cnt++] = kv;
		v[cnt] = NULL;
		r = 0;
	}
	if (r == 0 && ferror(f)) {
		r = -EIO;
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(EIO));
	}
	free(line);
	fclose(f);
	if (r < 0) {
		argv_free(v);
		return r;
	}
	*vars = v;
	*n = cnt;
	return 0;
}
