/* preflight.c: pure layer. Resolves every command of a config the way
 * spawn.c's child will: an argv[0] with a '/' as is, any other in each
 * directory of the PATH of the process's own environment (a service's
 * env, env_file and clear_env settings apply; drainit's PATH otherwise).
 * Reads the filesystem only. */
#include "preflight.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "env.h"
#include "procset.h"

extern char **environ;

/* 0: runnable; -EACCES, -EISDIR, -ENOENT. */
static int
runnable(const char *file)
{
	struct stat st;

	if (stat(file, &st) < 0) {
		int e = errno;
		return e == ENOTDIR ? -ENOENT : -e;
	}
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		return -EACCES;
	return 0;
}

int
preflight_resolve(const char *argv0, const char *path, char *buf, size_t len)
{
	int best = -ENOENT;
	const char *p = path;

	if (strchr(argv0, '/')) {
		snprintf(buf, len, "%s", argv0);
		return runnable(argv0);
	}
	for (;;) {
		const char *end = strchrnul(p, ':');
		int dlen = (int)(end - p), r;

		/* an empty entry means the working directory */
		snprintf(buf, len, "%.*s%s%s", dlen, p, dlen ? "/" : "", argv0);
		r = runnable(buf);
		if (r == 0)
			return 0;
		if (r != -ENOENT)
			best = r;	/* found, but cannot run: say so */
		if (!*end)
			break;
		p = end + 1;
	}
	return best;
}

/* The PATH a service's process will search: from its environment. */
static char *
service_path(const struct svc_config *s)
{
	struct envbuf e;
	char *path = NULL;

	if (env_init(&e, environ) < 0)
		return NULL;
	if (!s || procset_env(s, &e) == 0) {
		for (size_t i = 0; i < e.n; i++)
			if (strncmp(e.v[i], "PATH=", 5) == 0) {
				path = strdup(e.v[i] + 5);
				break;
			}
		if (!path)
			path = strdup(DEFAULT_EXEC_PATH);
	}
	env_free(&e);
	return path;
}

static size_t
check_one(const struct config *c, struct config_errors *errs, const char *section, int line,
	  const char *key, char *const *argv, const char *path)
{
	char file[PATH_MAX], where[PATH_MAX + 128];
	int r;

	if (!argv || !argv[0])
		return 0;
	r = preflight_resolve(argv[0], path, file, sizeof(file));
	if (r == 0)
		return 0;
	/* "FILE:LINE: [section] key", or for -- CMD "(command line): key" */
	if (c->path)
		snprintf(where, sizeof(where), "%s:%d: [%s] %s", c->path, line, section, key);
	else
		snprintf(where, sizeof(where), "(command line): %s", key);
	if (r == -ENOENT && !strchr(argv[0], '/'))
		config_errors_add(errs, "%s: %s: command not found (PATH=%s)", where, argv[0], path);
	else if (r == -ENOENT)
		config_errors_add(errs, "%s: %s: no such file", where, argv[0]);
	else if (r == -EISDIR)
		config_errors_add(errs, "%s: %s: is a directory", where, file);
	else
		config_errors_add(errs, "%s: %s: not executable", where, file);
	return 1;
}

size_t
preflight_commands(const struct config *c, struct config_errors *errs)
{
	char *path = service_path(NULL), sect[80];
	size_t n = 0;

	for (size_t i = 0; path && i < c->ndrain; i++)
		n += check_one(c, errs, "drainit", c->drain[i].line, "drain", c->drain[i].argv, path);
	free(path);
	for (size_t i = 0; i < c->nsvcs; i++) {
		const struct svc_config *s = &c->svcs[i];

		snprintf(sect, sizeof(sect), "service:%s", s->name);
		path = service_path(s);
		if (!path)
			continue;
		n += check_one(c, errs, sect, s->command_line, "command", s->argv, path);
		for (size_t k = 0; k < s->ndrain; k++)
			n += check_one(c, errs, sect, s->drain[k].line, "drain", s->drain[k].argv, path);
		if (s->ready.kind == CHECK_EXEC)
			n += check_one(c, errs, sect, s->line, "ready", s->ready.argv, path);
		if (s->health.kind == CHECK_EXEC)
			n += check_one(c, errs, sect, s->line, "health", s->health.argv, path);
		free(path);
	}
	return n;
}
