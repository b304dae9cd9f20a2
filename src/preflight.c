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
#include "parse.h"

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
	  const char *key, char *const *argv, const char *path, const char *dir)
{
	char file[PATH_MAX], where[PATH_MAX + 128], rel[PATH_MAX];
	const char *argv0;
	int r;

	if (!argv || !argv[0])
		return 0;
	/* bin/app runs in the service's directory: look for it there */
	argv0 = argv[0];
	if (dir && argv0[0] != '/' && strchr(argv0, '/') &&
	    snprintf(rel, sizeof(rel), "%s/%s", dir, argv0) < (int)sizeof(rel))
		argv0 = rel;
	r = preflight_resolve(argv0, path, file, sizeof(file));
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
preflight_global_hooks(const struct config *c, struct config_errors *errs)
{
	char *path = service_path(NULL);
	size_t n = 0;

	for (size_t i = 0; path && i < c->ndrain; i++)
		n += check_one(c, errs, "drainit", c->drain[i].line, "drain", c->drain[i].argv, path,
			       NULL);
	free(path);
	return n;
}

size_t
preflight_service(const struct config *c, const struct svc_config *s, struct config_errors *errs)
{
	char *path = service_path(s), sect[80];
	size_t n = 0;

	if (!path)
		return 0;
	snprintf(sect, sizeof(sect), "service:%s", s->name);
	n += check_one(c, errs, sect, s->command_line, "command", s->argv, path, s->directory);
	for (size_t k = 0; k < s->ndrain; k++)
		n += check_one(c, errs, sect, s->drain[k].line, "drain", s->drain[k].argv, path,
			       s->directory);
	if (s->ready.kind == CHECK_EXEC)
		n += check_one(c, errs, sect, s->line, "ready", s->ready.argv, path, s->directory);
	if (s->health.kind == CHECK_EXEC)
		n += check_one(c, errs, sect, s->line, "health", s->health.argv, path, s->directory);
	free(path);
	return n;
}

size_t
preflight_commands(const struct config *c, struct config_errors *errs)
{
	size_t n = preflight_global_hooks(c, errs);

	for (size_t i = 0; i < c->nsvcs; i++)
		n += preflight_service(c, &c->svcs[i], errs);
	return n;
}

size_t
preflight_directory(const struct config *c, const struct svc_config *s,
		    struct config_errors *errs)
{
	struct stat st;

	if (!s->directory)
		return 0;
	if (stat(s->directory, &st) < 0) {
		config_errors_add(errs, "%s:%d: [service:%s] directory: %s: %s", c->path, s->line,
				  s->name, s->directory, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		config_errors_add(errs, "%s:%d: [service:%s] directory: %s: not a directory", c->path,
				  s->line, s->name, s->directory);
		return 1;
	}
	return 0;
}

/* Grace periods from svc down its dependencies, the longest way. A
 * forking service stopped while its daemon starts waits for its pid
 * file first: its start_timeout counts too. */
static msec_t
chain(const struct config *c, const struct svc_config *s, int depth, const char **last,
      size_t *len)
{
	const struct name_list *lists[2] = { &s->after, &s->requires };
	msec_t best = 0;
	const char *bl = s->name;
	size_t blen = 1;

	for (int l = 0; l < 2 && depth < 64; l++)
		for (size_t k = 0; k < lists[l]->n; k++) {
			const struct svc_config *d = NULL;
			const char *dl;
			size_t dn;
			msec_t t;

			for (size_t i = 0; i < c->nsvcs; i++)
				if (strcmp(c->svcs[i].name, lists[l]->names[k]) == 0)
					d = &c->svcs[i];
			if (!d)
				continue;
			t = chain(c, d, depth + 1, &dl, &dn);
			if (t > best) {
				best = t;
				bl = dl;
				blen = dn + 1;
			}
		}
	*last = bl;
	*len = blen;
	return s->grace_ms + (s->type == SVC_TYPE_FORKING ? s->start_timeout_ms : 0) + best;
}

void
preflight_budget(const struct config *c, struct budget *b)
{
	memset(b, 0, sizeof(*b));
	b->prestop = c->prestop_delay_ms;
	for (size_t i = 0; i < c->ndrain; i++) {
		if (c->drain[i].timeout_ms > b->prestop)
			b->prestop = c->drain[i].timeout_ms;
		if (c->drain[i].timeout_ms == 0)
			b->unbounded = true;
	}
	for (size_t i = 0; i < c->nsvcs; i++) {
		const struct svc_config *s = &c->svcs[i];
		const char *last;
		size_t len;
		msec_t t = chain(c, s, 0, &last, &len);

		for (size_t k = 0; k < s->ndrain; k++) {
			if (s->drain[k].timeout_ms > b->prestop)
				b->prestop = s->drain[k].timeout_ms;
			if (s->drain[k].timeout_ms == 0)
				b->unbounded = true;
		}
		if (t > b->stop || !b->chain_first) {
			b->stop = t;
			b->chain_first = s->name;
			b->chain_last = last;
			b->chain_len = len;
		}
	}
	b->orphans = c->orphan_grace_ms;
	b->reap = REAP_WAIT_MS;
	b->total = b->prestop + b->stop + b->orphans + b->reap;
	/* shutdown_timeout ends every wait: then SIGKILL, and the reaper's */
	b->cap = c->shutdown_timeout_ms;
	if (b->cap > 0 && (b->unbounded || b->cap + b->reap < b->total)) {
		b->total = b->cap + b->reap;
		b->capped = true;
	}
}

/* "FILE:LINE", "FILE" when the key is not in the file, "(command line)". */
static void
at_line(const struct config *c, int line, char *buf, size_t len)
{
	if (!c->path)
		snprintf(buf, len, "(command line)");
	else if (line > 0)
		snprintf(buf, len, "%s:%d", c->path, line);
	else
		snprintf(buf, len, "%s", c->path);
}

size_t
preflight_shutdown(const struct config *c, const struct budget *b, struct config_errors *errs,
		   struct config_errors *warns)
{
	const char *where = c->path ? c->path : "(command line)";
	char d1[32], d2[32], w[PATH_MAX + 16];
	size_t n = 0;

	(void)errs;
	if (c->shutdown_timeout_ms > 0 && c->shutdown_timeout_ms < b->prestop) {
		at_line(c, c->shutdown_timeout_line, w, sizeof(w));
		config_errors_add(warns, "%s: [drainit] shutdown_timeout: %s is shorter than the prestop stage can last (%s, with its drain hooks' drain_timeout): a drain that takes that long is cut short",
				  w, format_duration(c->shutdown_timeout_ms, d1, sizeof(d1)),
				  format_duration(b->prestop, d2, sizeof(d2)));
	}
	if (c->probe_listen && c->prestop_delay_ms < PROBE_WINDOW_MS) {
		at_line(c, c->prestop_delay_line, w, sizeof(w));
		config_errors_add(warns, "%s: [drainit] prestop_delay: %s is less than a usual probe detection window (%s: a Kubernetes readinessProbe every 10s fails after 1 to 3 checks); a load balancer may still send requests when the stop signal goes out",
				  w, format_duration(c->prestop_delay_ms, d1, sizeof(d1)),
				  format_duration(PROBE_WINDOW_MS, d2, sizeof(d2)));
	}
	for (size_t i = 0; c->probe_listen && i < c->nsvcs; i++)
		if (c->svcs[i].ready.kind == CHECK_NONE && c->svcs[i].type != SVC_TYPE_ONESHOT)
			config_errors_add(warns, "%s: [service:%s] ready: not set: /readyz counts it ready as soon as it runs, before it may accept a connection (ready = listen waits until it listens)",
					  where, c->svcs[i].name);
	return n;
}

void
preflight_hints(const struct config *c, struct config_errors *warns)
{
	char w[PATH_MAX + 16];

	for (size_t i = 0; c->path && !c->single && i < c->nsvcs; i++) {
		const struct svc_config *s = &c->svcs[i];

		for (size_t k = 1; s->argv && s->argv[k]; k++)
			if (s->argv[k][0] == '#') {
				at_line(c, s->command_line, w, sizeof(w));
				config_errors_add(warns, "%s: [service:%s] command: word %zu is '%s': '#' does not start a comment (inline comments start with ';'), so it and what follows are arguments",
						  w, s->name, k, s->argv[k]);
				break;
			}
	}
}
