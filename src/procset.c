/* procset.c: pure layer. A service's resolved process settings in the
 * forms they are used in: the environment it starts with, the numbers
 * the child applies between fork and exec (struct spawn_opts), and the
 * --check line that describes them. */
#include "procset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "env.h"

/* PATH for clear_env when drainit itself has none. */
#define FALLBACK_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int
procset_env(const struct svc_config *c, struct envbuf *e)
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
procset_spawn_opts(const struct svc_config *c, struct spawn_opts *o, struct spawn_rlimit *rl,
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
procset_describe(const struct svc_config *c, char *buf, size_t len)
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
