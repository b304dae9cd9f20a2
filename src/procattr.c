/* procattr.c: pure layer. A service's process settings, resolved at load time.
 *
 * Name lookups (NSS) and env_file reading happen here, while the
 * configuration is loaded, so an unknown user is a configuration error
 * with FILE:LINE and the child never calls into NSS or malloc: it gets
 * plain numbers in struct spawn_opts and applies them (spawn.c). */
#include "procattr.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"


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
	struct passwd pw, *res = NULL;
	char *buf = NULL;
	size_t len = 1024;
	unsigned id = 0;
	int r;

	*pw_name = *home = NULL;
	if (all_digits(name) && parse_id(name, &id) < 0)
		return -ERANGE;
	for (;;) {
		char *nb = realloc(buf, len);
		if (!nb) {
			free(buf);
			return -ENOMEM;
		}
		buf = nb;
		r = all_digits(name) ? getpwuid_r(id, &pw, buf, len, &res)
				     : getpwnam_r(name, &pw, buf, len, &res);
		if (r != ERANGE || len > 1 << 20)
			break;
		len *= 2;
	}
	if (!res) {
		free(buf);
		/* A number with no passwd entry is still a uid. */
		if (all_digits(name) && (r == 0 || r == ENOENT)) {
			*uid = id;
			return 0;
		}
		return r == 0 || r == ENOENT || r == ESRCH ? -ENOENT : -r;
	}
	*uid = res->pw_uid;
	*gid = res->pw_gid;
	*pw_name = strdup(res->pw_name);
	*home = strdup(res->pw_dir);
	free(buf);
	if (!*pw_name || !*home) {
		free(*pw_name);
		free(*home);
		*pw_name = *home = NULL;
		return -ENOMEM;
	}
	return 0;
}

int
procattr_lookup_group(const char *name, gid_t *gid)
{
	struct group gr, *res = NULL;
	char *buf = NULL;
	size_t len = 1024;
	unsigned id;
	int r;

	if (all_digits(name)) {
		if (parse_id(name, &id) < 0)
			return -ERANGE;
		*gid = id;
		return 0;
	}
	for (;;) {
		char *nb = realloc(buf, len);
		if (!nb) {
			free(buf);
			return -ENOMEM;
		}
		buf = nb;
		r = getgrnam_r(name, &gr, buf, len, &res);
		if (r != ERANGE || len > 1 << 22)
			break;
		len *= 2;
	}
	if (res)
		*gid = res->gr_gid;
	free(buf);
	if (res)
		return 0;
	return r == 0 || r == ENOENT || r == ESRCH ? -ENOENT : -r;
}

int
procattr_group_list(const char *pw_name, gid_t gid, gid_t **ret, size_t *n)
{
	int cnt = 16;
	gid_t *g = NULL;

	for (;;) {
		int want = cnt;
		gid_t *ng = realloc(g, (size_t)cnt * sizeof(*g));
		if (!ng) {
			free(g);
			return -ENOMEM;
		}
		g = ng;
		if (getgrouplist(pw_name, gid, g, &want) >= 0) {
			cnt = want;
			break;
		}
		if (want <= cnt || want > 65536) {
			free(g);
			return -EINVAL;
		}
		cnt = want;
	}
	*ret = g;
	*n = (size_t)cnt;
	return 0;
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
