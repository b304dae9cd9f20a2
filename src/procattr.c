/* procattr.c: a service's process settings (issue 6), on drainit's side.
 *
 * Name lookups (NSS) and env_file reading happen here, while the
 * configuration is loaded, so an unknown user is a configuration error
 * with FILE:LINE and the child never calls into NSS or malloc: it gets
 * plain numbers in struct spawn_opts and applies them (spawn.c). */
#include "procattr.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "env.h"
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

/* An env_file is read whole, at configuration time, in drainit's own
 * process: bounded so that "env_file = /dev/zero" or a FIFO is an error
 * at once, never a read without end or a wait. */
#define ENV_FILE_MAX (1024 * 1024)

static const char *
file_kind(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFDIR: return "a directory";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFIFO: return "a FIFO";
	case S_IFSOCK: return "a socket";
	default: return "not a regular file";
	}
}

/* The whole of a regular file of at most ENV_FILE_MAX bytes, in a malloc'd
 * buffer with a NUL after the *len bytes. Opened non-blocking (a FIFO
 * never makes it wait; it is refused after fstat) and without becoming a
 * controlling terminal. 0, or -errno with a message in err. */
static int
read_env_file_bounded(const char *path, char **ret, size_t *len, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY), r = 0;
	struct stat st;
	char *buf = NULL;
	size_t n = 0, cap;

	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(-r));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "'%s' is %s, not a regular file", path, file_kind(st.st_mode));
		r = -EINVAL;
		goto out;
	}
	if (st.st_size > ENV_FILE_MAX) {
		snprintf(err, errlen, "'%s' is larger than 1 MiB (%lld bytes)", path,
			 (long long)st.st_size);
		r = -EFBIG;
		goto out;
	}
	/* One byte more than the limit is asked for, so a file that grew
	 * since fstat (or claims size 0, as /proc files do) is caught. */
	cap = (size_t)st.st_size + 1;
	for (;;) {
		ssize_t got;

		if (n == cap) {
			size_t ncap = cap * 2 > ENV_FILE_MAX + 1 ? ENV_FILE_MAX + 1 : cap * 2;
			char *nb;

			if (ncap <= cap) {
				snprintf(err, errlen, "'%s' is larger than 1 MiB", path);
				r = -EFBIG;
				goto out;
			}
			nb = realloc(buf, ncap + 1);
			if (!nb)
				goto oom;
			buf = nb;
			cap = ncap;
		} else if (!buf) {
			buf = malloc(cap + 1);
			if (!buf)
				goto oom;
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			snprintf(err, errlen, "cannot read '%s': %s", path, strerror(-r));
			goto out;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > ENV_FILE_MAX) {
			snprintf(err, errlen, "'%s' is larger than 1 MiB", path);
			r = -EFBIG;
			goto out;
		}
	}
	buf[n] = '\0';
	*ret = buf;
	*len = n;
	buf = NULL;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
	r = -ENOMEM;
out:
	free(buf);
	close(fd);
	return r;
}

int
procattr_read_env_file(const char *path, char ***vars, size_t *n, char *err, size_t errlen)
{
	char *text = NULL, **v = NULL;
	size_t len = 0, cnt = 0;
	int lineno = 0, r;

	*vars = NULL;
	*n = 0;
	r = read_env_file_bounded(path, &text, &len, err, errlen);
	if (r < 0)
		return r;
	for (char *line = text; line < text + len;) {
		char *nl = memchr(line, '\n', (size_t)(text + len - line));
		char *end = nl ? nl : text + len;
		const char *why = "out of memory";
		char *kv = NULL, **nv;

		lineno++;
		if (memchr(line, '\0', (size_t)(end - line))) {
			snprintf(err, errlen, "%s:%d: a NUL byte in the line", path, lineno);
			r = -EINVAL;
			break;
		}
		*end = '\0';
		r = parse_env_line(line, &kv, &why);
		line = end + 1;
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
	free(text);
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
