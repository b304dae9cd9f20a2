/* procattr.c: a service's process settings (issue 6), on drainit's side.
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

#include "env.h"
#include "pwdb.h"
#include "supervisor.h"

extern char **environ;

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

/* PATH for clear_env when drainit itself has none. */
#define FALLBACK_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

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

int
procattr_env(const struct svc_config *c, struct envbuf *e)
{
	if (c->clear_env) {
		const char *path = getenv("PATH");
		env_free(e);
		if (env_init(e, NULL) < 0 || env_setf(e, "PATH=%s", path ? path : FALLBACK_PATH) < 0)
			return -ENOMEM;
	}
	/* Like login(1) would: the user's identity, unless env says otherwise. */
	if (c->pw_name && (env_setf(e, "USER=%s", c->pw_name) < 0 ||
			   env_setf(e, "LOGNAME=%s", c->pw_name) < 0 ||
			   env_setf(e, "HOME=%s", c->pw_home) < 0))
		return -ENOMEM;
	for (size_t i = 0; i < c->nfile_env; i++)
		if (env_put(e, c->file_env[i]) == -ENOMEM)
			return -ENOMEM;
	for (size_t i = 0; i < c->nenv; i++)
		if (env_put(e, c->env[i]) == -ENOMEM)
			return -ENOMEM;
	return 0;
}

void
procattr_spawn_opts(const struct svc_config *c, struct spawn_opts *o, struct spawn_rlimit *rl,
		    char *oom)
{
	size_t n = 0;

	for (size_t i = 0; i < _LIM_MAX; i++) {
		if (!c->limits[i].set)
			continue;
		rl[n].resource = limit_defs[i].resource;
		rl[n].lim.rlim_cur = c->limits[i].soft;
		rl[n].lim.rlim_max = c->limits[i].hard;
		n++;
	}
	o->rlimits = rl;
	o->nrlimits = n;
	o->set_nice = c->nice.set;
	o->nice = c->nice.v;
	o->set_umask = c->umask.set;
	o->umask = (mode_t)c->umask.v;
	if (c->oom_score_adjust.set) {
		int len = snprintf(oom, 16, "%d\n", c->oom_score_adjust.v);
		o->oom_score_adj = oom;
		o->oom_len = (size_t)len;
	}
	o->set_ids = c->has_gid;
	o->groups = c->groups;
	o->ngroups = c->ngroups;
	o->gid = c->gid;
	o->set_uid = c->has_uid;
	o->uid = c->uid;
}

/* One --check line: the settings that differ from drainit's own. */
bool
procattr_describe(const struct svc_config *c, char *buf, size_t len)
{
	static const char *const modes[] = {
		[OUT_DEFAULT] = "inherit", [OUT_INHERIT] = "inherit", [OUT_PREFIX] = "prefix",
		[OUT_NULL] = "null", [OUT_FILE] = "file:",
	};
	size_t off = 0;
	bool any = false;

#define ADD(...)                                                                       \
	do {                                                                           \
		if (off < len)                                                         \
			off += (size_t)snprintf(buf + off, len - off, "%s", any ? "; " : ""); \
		if (off < len)                                                         \
			off += (size_t)snprintf(buf + off, len - off, __VA_ARGS__);      \
		any = true;                                                            \
	} while (0)

	buf[0] = '\0';
	for (int i = 0; i < 2; i++)
		if (c->out[i] != OUT_INHERIT && c->out[i] != OUT_DEFAULT)
			ADD("%s %s%s", i ? "stderr" : "stdout", modes[c->out[i]],
			    c->out[i] == OUT_FILE ? c->out_path[i] : "");
	if (c->stdin_mode == STDIN_NULL)
		ADD("stdin null");
	if (c->has_uid)
		ADD("user %s (uid %u)", c->user, (unsigned)c->uid);
	if (c->has_gid)
		ADD("gid %u, %zu group%s", (unsigned)c->gid, c->ngroups, c->ngroups == 1 ? "" : "s");
	if (c->clear_env)
		ADD("clear_env");
	if (c->env_file)
		ADD("env_file %s (%zu variable%s)", c->env_file, c->nfile_env,
		    c->nfile_env == 1 ? "" : "s");
	if (c->nenv)
		ADD("%zu env", c->nenv);
	if (c->umask.set)
		ADD("umask %04o", (unsigned)c->umask.v);
	if (c->nice.set)
		ADD("nice %d", c->nice.v);
	if (c->oom_score_adjust.set)
		ADD("oom_score_adjust %d", c->oom_score_adjust.v);
	for (int i = 0; i < _LIM_MAX; i++) {
		char so[32], ha[32];

		if (!c->limits[i].set)
			continue;
		snprintf(so, sizeof(so), "%llu", (unsigned long long)c->limits[i].soft);
		snprintf(ha, sizeof(ha), "%llu", (unsigned long long)c->limits[i].hard);
		ADD("%s %s:%s", limit_defs[i].key,
		    c->limits[i].soft == RLIM_INFINITY ? "infinity" : so,
		    c->limits[i].hard == RLIM_INFINITY ? "infinity" : ha);
	}
#undef ADD
	return any;
}
