/* procattr.c: pure layer. A service's process settings, resolved at load time.
 *
 * Name lookups (NSS) and env_file reading happen here, while the
 * configuration is loaded, so an unknown user is a configuration error
 * with FILE:LINE and the child never calls into NSS or malloc: it gets
 * plain numbers in struct spawn_opts and applies them (spawn.c). */
#include "procattr.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
