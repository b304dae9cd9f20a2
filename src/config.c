/* config.c: pure layer. Reads drainit's INI file with inih into struct config.
 *
 * inih (Debian's build) neither passes line numbers to the handler nor
 * reports more than the first syntax error, so this file feeds inih
 * through its own line reader: the reader counts lines, sees section
 * headers (inih does not call the handler for them, so an empty
 * [service:x] would otherwise vanish) and flags lines inih will reject.
 * Every problem is collected as "FILE:LINE: [section] key: message" and
 * loading goes on, so one run shows all of them.
 *
 * Owns: the key table (the single list of keys that exist), defaults,
 * validation. Never: forks, logs, or touches the event loop. */
#include "config.h"
#include "procattr.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum key_type { K_DURATION, K_SIGNAL, K_STOPSEQ, K_SIGMAP, K_SUCCESS, K_STRING, K_COMMAND, K_HOOK,
		K_ENUM, K_NAMES, K_LIMIT,
		K_LISTEN, K_READY, K_HEALTH, K_COUNT,
		K_BOOL, K_INT, K_UMASK, K_RLIMIT, K_OUTPUT, K_CHOICE,
		K_ENV, K_ENVFILE, K_USER, K_GROUP, K_SIZE, K_SIGSET, K_RUNDIR };

/* Values of K_ENUM keys, NULL-terminated. */
struct enum_val {
	const char *name;
	int value;
};
static const struct enum_val restart_vals[] = {
	{ "no", RESTART_NO }, { "on-failure", RESTART_ON_FAILURE },
	{ "always", RESTART_ALWAYS }, { NULL, 0 },
};
static const struct enum_val type_vals[] = {
	{ "simple", SVC_TYPE_SIMPLE }, { "oneshot", SVC_TYPE_ONESHOT },
	{ "forking", SVC_TYPE_FORKING }, { NULL, 0 },
};
static const struct enum_val on_failure_vals[] = {
	{ "shutdown", ON_FAILURE_SHUTDOWN }, { "keep", ON_FAILURE_KEEP }, { NULL, 0 },
};
enum scope { SCOPE_NONE, SCOPE_GLOBAL, SCOPE_SERVICE, SCOPE_INVALID };

struct key_def {
	const char *name;
	enum scope scope;
	enum key_type type;
	size_t off;		/* into struct config or struct svc_config */
	bool repeatable;
	const struct enum_val *vals;	/* K_ENUM */
};

/* Values of the K_CHOICE and K_INT keys, by key name. A
 * K_CHOICE key stores the index of its value: the lists follow enum
 * stdin_mode, enum log_format and enum log_level. */
static const char *const stdin_choices[] = { "inherit", "null", NULL };
static const char *const log_format_choices[] = { "text", "json", NULL };
static const char *const log_level_choices[] = { "debug", "info", "warn", "error", NULL };
static const char *const sighup_choices[] = { "forward", "reload", NULL };
static const struct value_rule {
	const char *key;
	const char *const *choices;
	long min, max;
} value_rules[] = {
	{ "stdin", stdin_choices, 0, 0 },
	{ "log_format", log_format_choices, 0, 0 },
	{ "log_level", log_level_choices, 0, 0 },
	{ "sighup", sighup_choices, 0, 0 },
	{ "nice", NULL, -20, 19 },
	{ "oom_score_adjust", NULL, -1000, 1000 },
};

#define G(f) offsetof(struct config, f)
#define S(f) offsetof(struct svc_config, f)
static const struct key_def keys[] = {
	{ "prestop_delay", SCOPE_GLOBAL, K_DURATION, G(prestop_delay_ms), false, NULL },
	{ "grace_period", SCOPE_GLOBAL, K_DURATION, G(grace_ms), false, NULL },
	{ "shutdown_timeout", SCOPE_GLOBAL, K_DURATION, G(shutdown_timeout_ms), false, NULL },
	{ "drain_timeout", SCOPE_GLOBAL, K_DURATION, G(drain_timeout_ms), false, NULL },
	{ "orphan_grace", SCOPE_GLOBAL, K_DURATION, G(orphan_grace_ms), false, NULL },
	{ "prestop_min", SCOPE_GLOBAL, K_DURATION, G(prestop_min_ms), false, NULL },
	{ "drain_quiet", SCOPE_GLOBAL, K_DURATION, G(drain_quiet_ms), false, NULL },
	{ "unready_probes", SCOPE_GLOBAL, K_COUNT, G(unready_probes), false, NULL },
	{ "prestop_token", SCOPE_GLOBAL, K_STRING, G(prestop_token), false, NULL },
	{ "main", SCOPE_GLOBAL, K_STRING, G(main), false, NULL },
	{ "drain", SCOPE_GLOBAL, K_HOOK, 0, true, NULL },
	{ "command", SCOPE_SERVICE, K_COMMAND, 0, false, NULL },
	{ "stop_signal", SCOPE_SERVICE, K_STOPSEQ, 0, false, NULL },
	{ "signal_map", SCOPE_SERVICE, K_SIGMAP, 0, true, NULL },
	{ "success_exit", SCOPE_SERVICE, K_SUCCESS, 0, true, NULL },
	{ "grace_period", SCOPE_SERVICE, K_DURATION, S(grace_ms), false, NULL },
	{ "drain_timeout", SCOPE_SERVICE, K_DURATION, S(drain_timeout_ms), false, NULL },
	{ "directory", SCOPE_SERVICE, K_STRING, S(directory), false, NULL },
	{ "drain", SCOPE_SERVICE, K_HOOK, 0, true, NULL },
	{ "on_failure", SCOPE_GLOBAL, K_ENUM, G(on_failure), false, on_failure_vals },
	{ "type", SCOPE_SERVICE, K_ENUM, S(type), false, type_vals },
	{ "restart", SCOPE_SERVICE, K_ENUM, S(restart), false, restart_vals },
	{ "restart_delay", SCOPE_SERVICE, K_DURATION, S(restart_delay_ms), false, NULL },
	{ "restart_delay_max", SCOPE_SERVICE, K_DURATION, S(restart_delay_max_ms), false, NULL },
	{ "restart_reset", SCOPE_SERVICE, K_DURATION, S(restart_reset_ms), false, NULL },
	{ "restart_limit", SCOPE_SERVICE, K_LIMIT, 0, false, NULL },
	{ "after", SCOPE_SERVICE, K_NAMES, S(after), true, NULL },
	{ "requires", SCOPE_SERVICE, K_NAMES, S(requires), true, NULL },
	{ "pidfile", SCOPE_SERVICE, K_STRING, S(pidfile), false, NULL },
	{ "start_timeout", SCOPE_SERVICE, K_DURATION, S(start_timeout_ms), false, NULL },
	{ "reload_signal", SCOPE_SERVICE, K_SIGNAL, S(reload_signal), false, NULL },
	{ "log_buffer", SCOPE_SERVICE, K_SIZE, S(log_buffer), false, NULL },
	{ "forward_signals", SCOPE_SERVICE, K_SIGSET, 0, false, NULL },
	{ "runtime_directory", SCOPE_SERVICE, K_RUNDIR, 0, false, NULL },
	{ "sighup", SCOPE_GLOBAL, K_CHOICE, G(sighup), false, NULL },
	/* the control socket (drainit ctl) */
	{ "control_socket", SCOPE_GLOBAL, K_STRING, G(control_socket), false, NULL },
	/* probes, readiness, health, sd_notify */
	{ "probe_listen", SCOPE_GLOBAL, K_LISTEN, G(probe_listen), false, NULL },
	{ "ready", SCOPE_SERVICE, K_READY, S(ready), false, NULL },
	{ "ready_interval", SCOPE_SERVICE, K_DURATION, S(ready_interval_ms), false, NULL },
	{ "ready_timeout", SCOPE_SERVICE, K_DURATION, S(ready_timeout_ms), false, NULL },
	{ "health", SCOPE_SERVICE, K_HEALTH, S(health), false, NULL },
	{ "health_interval", SCOPE_SERVICE, K_DURATION, S(health_interval_ms), false, NULL },
	{ "health_timeout", SCOPE_SERVICE, K_DURATION, S(health_timeout_ms), false, NULL },
	{ "health_failures", SCOPE_SERVICE, K_COUNT, S(health_failures), false, NULL },
	{ "watchdog", SCOPE_SERVICE, K_DURATION, S(watchdog_ms), false, NULL },
	/* process settings and output */
	{ "log_format", SCOPE_GLOBAL, K_CHOICE, G(log_format), false, NULL },
	{ "log_level", SCOPE_GLOBAL, K_CHOICE, G(log_level), false, NULL },
	{ "log_timestamps", SCOPE_GLOBAL, K_BOOL, G(log_timestamps), false, NULL },
	{ "user", SCOPE_SERVICE, K_USER, 0, false, NULL },
	{ "group", SCOPE_SERVICE, K_GROUP, 0, false, NULL },
	{ "env", SCOPE_SERVICE, K_ENV, 0, true, NULL },
	{ "env_file", SCOPE_SERVICE, K_ENVFILE, 0, false, NULL },
	{ "clear_env", SCOPE_SERVICE, K_BOOL, S(clear_env), false, NULL },
	{ "umask", SCOPE_SERVICE, K_UMASK, S(umask), false, NULL },
	{ "nice", SCOPE_SERVICE, K_INT, S(nice), false, NULL },
	{ "oom_score_adjust", SCOPE_SERVICE, K_INT, S(oom_score_adjust), false, NULL },
	{ "stdin", SCOPE_SERVICE, K_CHOICE, S(stdin_mode), false, NULL },
	{ "stdout", SCOPE_SERVICE, K_OUTPUT, 0, false, NULL },
	{ "stderr", SCOPE_SERVICE, K_OUTPUT, 1, false, NULL },
	{ "limit_nofile", SCOPE_SERVICE, K_RLIMIT, LIM_NOFILE, false, NULL },
	{ "limit_nproc", SCOPE_SERVICE, K_RLIMIT, LIM_NPROC, false, NULL },
	{ "limit_core", SCOPE_SERVICE, K_RLIMIT, LIM_CORE, false, NULL },
	{ "limit_memlock", SCOPE_SERVICE, K_RLIMIT, LIM_MEMLOCK, false, NULL },
	{ "limit_stack", SCOPE_SERVICE, K_RLIMIT, LIM_STACK, false, NULL },
	{ "limit_as", SCOPE_SERVICE, K_RLIMIT, LIM_AS, false, NULL },
	{ "limit_data", SCOPE_SERVICE, K_RLIMIT, LIM_DATA, false, NULL },
	{ "limit_fsize", SCOPE_SERVICE, K_RLIMIT, LIM_FSIZE, false, NULL },
	{ "limit_cpu", SCOPE_SERVICE, K_RLIMIT, LIM_CPU, false, NULL },
};
#undef G
#undef S
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

struct load_ctx {
	FILE *f;
	const char *path;
	struct config *c;
	struct config_errors *errs;
	int lineno;
	bool continuation;	/* current line continues the previous value */
	bool has_prev_key;	/* a key line was seen in this section */
	enum scope scope;
	char section[128];	/* for messages: "drainit", "service:web" */
	struct svc_config *svc;
	const struct key_def *last_key;
	int global_seen[NKEYS];
	int svc_seen[NKEYS];
	char *buf;
	size_t cap;
};

void
config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->prestop_delay_ms = UNSET_MS;
	c->grace_ms = UNSET_MS;
	c->shutdown_timeout_ms = UNSET_MS;
	c->drain_timeout_ms = UNSET_MS;
	c->orphan_grace_ms = UNSET_MS;
	c->prestop_min_ms = UNSET_MS;
	c->drain_quiet_ms = UNSET_MS;
	c->log_level = -1;	/* "not set": the command line may set it */
}

/* Process settings and output of a service. */
static void
svc_proc_free(struct svc_config *s)
{
	free(s->user);
	free(s->group);
	free(s->pw_name);
	free(s->pw_home);
	free(s->groups);
	argv_free(s->env);
	free(s->env_file);
	argv_free(s->file_env);
	free(s->out_path[0]);
	free(s->out_path[1]);
}

static void
hook_configs_free(struct hook_config *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].command);
		argv_free(h[i].argv);
	}
	free(h);
}

/* Walks the key table, so a global key added there is compared too; a
 * type it does not know counts as a difference. */
const char *
config_globals_differ(const struct config *a, const struct config *b)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct key_def *k = &keys[i];
		const char *pa = (const char *)a + k->off, *pb = (const char *)b + k->off;
		bool same;

		if (k->scope != SCOPE_GLOBAL)
			continue;
		switch (k->type) {
		case K_DURATION:
			same = *(const msec_t *)pa == *(const msec_t *)pb;
			break;
		case K_COUNT:
			same = *(const unsigned *)pa == *(const unsigned *)pb;
			break;
		case K_ENUM:
		case K_CHOICE:
			same = *(const int *)pa == *(const int *)pb;
			break;
		case K_BOOL:
			same = *(const bool *)pa == *(const bool *)pb;
			break;
		case K_STRING:
		case K_LISTEN: {
			const char *sa = *(char *const *)pa, *sb = *(char *const *)pb;

			same = sa == sb || (sa && sb && strcmp(sa, sb) == 0);
			break;
		}
		case K_HOOK:
			same = a->ndrain == b->ndrain;
			for (size_t j = 0; same && j < a->ndrain; j++)
				same = argv_equal(a->drain[j].argv, b->drain[j].argv) &&
				       a->drain[j].timeout_ms == b->drain[j].timeout_ms;
			break;
		default:
			same = false;
		}
		if (!same)
			return k->name;
	}
	return NULL;
}

void
config_free(struct config *c)
{
	for (size_t i = 0; i < c->nsvcs; i++) {
		struct svc_config *s = &c->svcs[i];
		free(s->name);
		free(s->command);
		argv_free(s->argv);
		free(s->directory);
		hook_configs_free(s->drain, s->ndrain);
		check_spec_free(&s->ready);
		check_spec_free(&s->health);
		svc_proc_free(s);
		argv_free(s->after.names);
		argv_free(s->requires.names);
		free(s->pidfile);
		free(s->runtime_directory);
	}
	free(c->svcs);
	hook_configs_free(c->drain, c->ndrain);
	free(c->main);
	free(c->prestop_token);
	free(c->path);
	free(c->probe_listen);
	free(c->control_socket);
	memset(c, 0, sizeof(*c));
}

void
config_errors_free(struct config_errors *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->msgs[i]);
	free(e->msgs);
	e->msgs = NULL;
	e->n = 0;
}

int
config_errors_add(struct config_errors *e, const char *fmt, ...)
{
	va_list ap;
	char *m, **nv;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&m, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	nv = realloc(e->msgs, (e->n + 1) * sizeof(*nv));
	if (!nv) {
		free(m);
		return -ENOMEM;
	}
	e->msgs = nv;
	e->msgs[e->n++] = m;
	return 0;
}

void
svc_config_init(struct svc_config *s)
{
	memset(s, 0, sizeof(*s));
	s->stop_signal = SIGTERM;
	s->stop_seq.step[0].sig = SIGTERM;
	s->stop_seq.n = 1;
	s->grace_ms = UNSET_MS;
	s->drain_timeout_ms = UNSET_MS;
	s->restart = RESTART_UNSET;
	s->restart_delay_ms = DEFAULT_RESTART_DELAY_MS;
	s->restart_delay_max_ms = DEFAULT_RESTART_DELAY_MAX_MS;
	s->restart_reset_ms = DEFAULT_RESTART_RESET_MS;
	s->restart_limit = DEFAULT_RESTART_LIMIT;
	s->restart_window_ms = DEFAULT_RESTART_WINDOW_MS;
	s->start_timeout_ms = DEFAULT_START_TIMEOUT_MS;
	s->log_buffer = DEFAULT_LOG_BUFFER;
	s->ready_interval_ms = UNSET_MS;
	s->ready_timeout_ms = UNSET_MS;
	s->health_interval_ms = UNSET_MS;
	s->health_timeout_ms = UNSET_MS;
}

int
parse_restart_limit(const char *s, int *ret_n, msec_t *ret_window)
{
	char *slash, *end;
	long n;
	msec_t w;

	errno = 0;
	n = strtol(s, &end, 10);
	if (end == s || errno || n < 1 || n > 1000000)
		return -EINVAL;
	slash = end;
	while (*slash == ' ')
		slash++;
	if (*slash != '/' || parse_duration(slash + 1, &w) < 0 || w <= 0)
		return -EINVAL;
	*ret_n = (int)n;
	*ret_window = w;
	return 0;
}

bool
name_list_has(const struct name_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->names[i], name) == 0)
			return true;
	return false;
}

bool
svc_depends_on(const struct svc_config *svc, const char *dep)
{
	return name_list_has(&svc->after, dep) || name_list_has(&svc->requires, dep);
}

bool
svc_forwards(const struct svc_config *s, int sig)
{
	if (!s->forward_set)
		return true;
	return sig >= 1 && sig <= 64 && (s->forward_mask & ((uint64_t)1 << (sig - 1)));
}

struct svc_config *
config_find_service(struct config *c, const char *name)
{
	for (size_t i = 0; i < c->nsvcs; i++)
		if (strcmp(c->svcs[i].name, name) == 0)
			return &c->svcs[i];
	return NULL;
}

int
config_add_hook(struct hook_config **list, size_t *n, const char *cmd, int line,
		const char **ret_err)
{
	struct hook_config *nl, h = { .timeout_ms = UNSET_MS, .line = line };
	int argc, r;

	r = split_argv(cmd, &h.argv, &argc, ret_err);
	if (r < 0)
		return r;
	h.command = strdup(cmd);
	nl = h.command ? realloc(*list, (*n + 1) * sizeof(*nl)) : NULL;
	if (!nl) {
		free(h.command);
		argv_free(h.argv);
		return -ENOMEM;
	}
	nl[*n] = h;
	*list = nl;
	(*n)++;
	return 0;
}

/* ---- error helpers ---------------------------------------------------- */

#define ERR(ctx, ...) config_errors_add((ctx)->errs, __VA_ARGS__)

static const char *
closest_key(const char *name, enum scope scope)
{
	const char *best = NULL;
	int bestd = 3;	/* suggest only when at most 2 edits away */

	for (size_t i = 0; i < NKEYS; i++) {
		int d;
		if (keys[i].scope != scope)
			continue;
		d = edit_distance(name, keys[i].name);
		if (d < bestd) {
			bestd = d;
			best = keys[i].name;
		}
	}
	return best;
}

static const struct key_def *
find_key(const char *name, enum scope scope)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].scope == scope && strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

/* ---- sections --------------------------------------------------------- */

bool
valid_service_name(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len > 64)
		return false;
	for (; *n; n++)
		if (!isalnum((unsigned char)*n) && !strchr("_.-@", *n))
			return false;
	return true;
}

static void
enter_section(struct load_ctx *ctx, const char *name)
{
	snprintf(ctx->section, sizeof(ctx->section), "%s", name);
	ctx->svc = NULL;
	ctx->has_prev_key = false;
	ctx->last_key = NULL;
	memset(ctx->svc_seen, 0, sizeof(ctx->svc_seen));

	if (strcmp(name, "drainit") == 0) {
		ctx->scope = SCOPE_GLOBAL;
		return;
	}
	ctx->scope = SCOPE_INVALID;
	if (strncmp(name, "service:", 8) == 0) {
		const char *sn = name + 8;
		struct svc_config *prev, *nv;

		if (!valid_service_name(sn)) {
			ERR(ctx, "%s:%d: [%s]: invalid service name '%s' (use 1-64 letters, digits, '_', '-', '.', '@')",
			    ctx->path, ctx->lineno, name, sn);
			return;
		}
		prev = config_find_service(ctx->c, sn);
		if (prev) {
			ERR(ctx, "%s:%d: [%s]: duplicate service '%s' (first defined at line %d)",
			    ctx->path, ctx->lineno, name, sn, prev->line);
			return;
		}
		nv = realloc(ctx->c->svcs, (ctx->c->nsvcs + 1) * sizeof(*nv));
		if (!nv)
			return;
		ctx->c->svcs = nv;
		ctx->svc = &nv[ctx->c->nsvcs];
		memset(ctx->svc, 0, sizeof(*ctx->svc));
		svc_config_init(ctx->svc);
		ctx->svc->name = strdup(sn);
		ctx->svc->line = ctx->lineno;
		if (!ctx->svc->name)
			return;
		ctx->c->nsvcs++;
		ctx->scope = SCOPE_SERVICE;
		return;
	}
	{
		const char *colon = strchr(name, ':');
		char prefix[64];
		size_t pl = colon ? (size_t)(colon - name) : strlen(name);

		snprintf(prefix, sizeof(prefix), "%.*s", (int)pl, name);
		if (colon && edit_distance(prefix, "service") <= 2)
			ERR(ctx, "%s:%d: [%s]: unknown section (did you mean [service:%s]?)",
			    ctx->path, ctx->lineno, name, colon + 1);
		else if (!colon && edit_distance(name, "drainit") <= 2)
			ERR(ctx, "%s:%d: [%s]: unknown section (did you mean [drainit]?)",
			    ctx->path, ctx->lineno, name);
		else
			ERR(ctx, "%s:%d: [%s]: unknown section (expected [drainit] or [service:NAME])",
			    ctx->path, ctx->lineno, name);
	}
}

/* ---- the line reader handed to inih ------------------------------------ */

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static char *
reader(char *str, int num, void *stream)
{
	struct load_ctx *ctx = stream;
	ssize_t len = getline(&ctx->buf, &ctx->cap, ctx->f);
	char *copy, *t;

	if (len < 0)
		return NULL;
	ctx->lineno++;
	ctx->continuation = false;

	if (len >= num - 1 && !(len == num - 1 && ctx->buf[len - 1] == '\n')) {
		ERR(ctx, "%s:%d: [%s]: line too long (at most %d characters; continue a long command on indented lines)",
		    ctx->path, ctx->lineno, ctx->section[0] ? ctx->section : "-", num - 2);
		snprintf(str, num, "\n");
		return str;
	}
	/* a NUL byte would end the line there for inih: the rest would vanish */
	if (memchr(ctx->buf, '\0', (size_t)len)) {
		ERR(ctx, "%s:%d: [%s]: a NUL byte in the line (is this a text file?)",
		    ctx->path, ctx->lineno, ctx->section[0] ? ctx->section : "-");
		snprintf(str, num, "\n");
		return str;
	}
	/* a UTF-8 byte order mark, as some editors write, is not a key */
	if (ctx->lineno == 1 && len >= 3 && memcmp(ctx->buf, "\xef\xbb\xbf", 3) == 0) {
		memmove(ctx->buf, ctx->buf + 3, (size_t)len - 2);
		len -= 3;
	}
	memcpy(str, ctx->buf, (size_t)len + 1);

	/* Classify the line the way inih will, on a copy. */
	copy = strdup(ctx->buf);
	if (!copy)
		return NULL;
	t = trim(copy);
	if (*t == '\0' || *t == ';' || *t == '#') {
		/* blank or comment */
	} else if (ctx->has_prev_key && (ctx->buf[0] == ' ' || ctx->buf[0] == '\t')) {
		ctx->continuation = true;
	} else if (*t == '[') {
		char *end = strchr(t, ']');
		if (!end) {
			ERR(ctx, "%s:%d: syntax error: section header without ']'",
			    ctx->path, ctx->lineno);
			snprintf(ctx->section, sizeof(ctx->section), "%s", t + 1);
			ctx->scope = SCOPE_INVALID;
			ctx->has_prev_key = false;
		} else {
			*end = '\0';
			enter_section(ctx, trim(t + 1));
		}
	} else if (!strpbrk(t, "=:")) {
		ERR(ctx, "%s:%d: [%s]: syntax error: expected 'key = value', got '%s'",
		    ctx->path, ctx->lineno, ctx->section[0] ? ctx->section : "-", t);
	} else {
		ctx->has_prev_key = true;
	}
	free(copy);
	return str;
}

/* ---- key handler -------------------------------------------------------- */

/* Check intervals, timeouts and the watchdog cannot be 0. */
static bool
positive_duration(const struct key_def *k)
{
	static const char *const names[] = { "ready_interval", "ready_timeout", "health_interval",
					     "health_timeout", "watchdog" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (k->scope == SCOPE_SERVICE && strcmp(k->name, names[i]) == 0)
			return true;
	return false;
}

/* Values of the probe and check keys: one line each, parsed
 * by the pure parsers of spec.c. */
static void
set_probe_value(struct load_ctx *ctx, const struct key_def *k, const char *value, bool cont)
{
	void *base = k->scope == SCOPE_GLOBAL ? (void *)ctx->c : (void *)ctx->svc;
	const char *why = "out of memory";
	int r;

	if (cont) {
		ERR(ctx, "%s:%d: [%s] %s: this value cannot continue on the next line",
		    ctx->path, ctx->lineno, ctx->section, k->name);
		return;
	}
	switch (k->type) {
	case K_LISTEN: {
		struct listen_addr a;

		if (parse_listen_addr(value, &a, &why) < 0) {
			ERR(ctx, "%s:%d: [%s] %s: invalid address '%s' (%s)",
			    ctx->path, ctx->lineno, ctx->section, k->name, value, why);
			return;
		}
		free(ctx->c->probe_listen);
		ctx->c->probe_listen = strdup(value);
		ctx->c->probe_addr = a;
		return;
	}
	case K_READY:
	case K_HEALTH: {
		struct check_spec *spec = (struct check_spec *)((char *)base + k->off);
		struct check_spec c;

		r = parse_check_spec(value, k->type == K_READY, &c, &why);
		if (r == -EINVAL)
			ERR(ctx, "%s:%d: [%s] %s: invalid check '%s' (%s)",
			    ctx->path, ctx->lineno, ctx->section, k->name, value, why);
		if (r < 0)
			return;
		check_spec_free(spec);
		*spec = c;
		return;
	}
	case K_COUNT:
		if (parse_count(value, 1, 1000, (unsigned *)((char *)base + k->off)) < 0)
			ERR(ctx, "%s:%d: [%s] %s: invalid count '%s' (use a whole number from 1 to 1000)",
			    ctx->path, ctx->lineno, ctx->section, k->name, value);
		return;
	default:
		return;
	}
}

/* "use a, b or c" from a K_CHOICE list. */
static void
choice_hint(const char *const *choices, char *buf, size_t len)
{
	size_t n = 0, off;

	while (choices[n])
		n++;
	off = (size_t)snprintf(buf, len, "use");
	for (size_t i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i == 0 ? " " : i + 1 == n ? " or " : ", ", choices[i]);
}

/* Values of the process-setting and output keys: one line
 * each. Names are resolved and env files read right here, so their
 * errors carry this line. */
static void
set_proc_value(struct load_ctx *ctx, const struct key_def *k, const char *value, bool cont)
{
	void *base = k->scope == SCOPE_GLOBAL ? (void *)ctx->c : (void *)ctx->svc;
	struct svc_config *s = ctx->svc;
	const char *why = "out of memory";
	const struct value_rule *rule = NULL;	/* K_CHOICE, K_INT: from value_rules[] */
	char hint[128];
	int r;

	for (size_t i = 0; i < sizeof(value_rules) / sizeof(value_rules[0]); i++)
		if (strcmp(value_rules[i].key, k->name) == 0)
			rule = &value_rules[i];
	if ((k->type == K_CHOICE || k->type == K_INT) && !rule) {
		ERR(ctx, "%s:%d: [%s] %s: no value rule for this key (a bug in drainit)",
		    ctx->path, ctx->lineno, ctx->section, k->name);
		return;
	}
	if (cont) {
		ERR(ctx, "%s:%d: [%s] %s: this value cannot continue on the next line",
		    ctx->path, ctx->lineno, ctx->section, k->name);
		return;
	}
	switch (k->type) {
	case K_BOOL:
		if (parse_bool(value, (bool *)((char *)base + k->off)) < 0)
			ERR(ctx, "%s:%d: [%s] %s: invalid boolean '%s' (use true or false)",
			    ctx->path, ctx->lineno, ctx->section, k->name, value);
		return;
	case K_INT: {
		struct opt_int *o = (struct opt_int *)((char *)base + k->off);
		long v;

		if (parse_int_range(value, rule->min, rule->max, &v) < 0) {
			ERR(ctx, "%s:%d: [%s] %s: invalid value '%s' (use an integer from %ld to %ld)",
			    ctx->path, ctx->lineno, ctx->section, k->name, value, rule->min, rule->max);
			return;
		}
		o->set = true;
		o->v = (int)v;
		return;
	}
	case K_UMASK: {
		struct opt_int *o = (struct opt_int *)((char *)base + k->off);
		unsigned v;

		if (parse_umask(value, &v) < 0) {
			ERR(ctx, "%s:%d: [%s] %s: invalid umask '%s' (use an octal mask such as 022 or 0077)",
			    ctx->path, ctx->lineno, ctx->section, k->name, value);
			return;
		}
		o->set = true;
		o->v = (int)v;
		return;
	}
	case K_RLIMIT: {
		struct svc_limit *l = &s->limits[k->off];

		if (parse_rlimit(value, limit_defs[k->off].bytes, &l->soft, &l->hard, &why) < 0) {
			ERR(ctx, "%s:%d: [%s] %s: invalid limit '%s' (%s)",
			    ctx->path, ctx->lineno, ctx->section, k->name, value, why);
			return;
		}
		l->set = true;
		return;
	}
	case K_CHOICE: {
		const char *const *ch = rule->choices;

		for (int i = 0; ch[i]; i++)
			if (strcmp(value, ch[i]) == 0) {
				*(int *)((char *)base + k->off) = i;
				return;
			}
		choice_hint(ch, hint, sizeof(hint));
		ERR(ctx, "%s:%d: [%s] %s: invalid value '%s' (%s)",
		    ctx->path, ctx->lineno, ctx->section, k->name, value, hint);
		return;
	}
	case K_OUTPUT: {
		static const struct { const char *name; enum out_mode m; } modes[] = {
			{ "inherit", OUT_INHERIT }, { "prefix", OUT_PREFIX }, { "null", OUT_NULL },
		};
		size_t i = k->off;

		for (size_t j = 0; j < sizeof(modes) / sizeof(modes[0]); j++)
			if (strcmp(value, modes[j].name) == 0) {
				s->out[i] = modes[j].m;
				return;
			}
		if (strncmp(value, "file:", 5) != 0) {
			ERR(ctx, "%s:%d: [%s] %s: invalid value '%s' (use inherit, prefix, null or file:PATH)",
			    ctx->path, ctx->lineno, ctx->section, k->name, value);
			return;
		}
		if (value[5] == '\0') {
			ERR(ctx, "%s:%d: [%s] %s: file: needs a path (file:PATH)",
			    ctx->path, ctx->lineno, ctx->section, k->name);
			return;
		}
		free(s->out_path[i]);
		s->out_path[i] = strdup(value + 5);
		s->out[i] = OUT_FILE;
		return;
	}
	case K_ENV: {
		const char *eq = strchr(value, '=');
		char **nv;

		if (!eq) {
			ERR(ctx, "%s:%d: [%s] %s: expected KEY=VALUE, got '%s'",
			    ctx->path, ctx->lineno, ctx->section, k->name, value);
			return;
		}
		if (!valid_env_name(value, (size_t)(eq - value))) {
			ERR(ctx, "%s:%d: [%s] %s: invalid variable name '%.*s' (use letters, digits and '_', not starting with a digit)",
			    ctx->path, ctx->lineno, ctx->section, k->name, (int)(eq - value), value);
			return;
		}
		nv = realloc(s->env, (s->nenv + 2) * sizeof(*nv));
		if (!nv)
			return;
		s->env = nv;
		s->env[s->nenv] = strdup(value);
		if (s->env[s->nenv])
			s->nenv++;
		s->env[s->nenv] = NULL;
		return;
	}
	case K_ENVFILE: {
		char msg[512];

		free(s->env_file);
		s->env_file = strdup(value);
		argv_free(s->file_env);
		if (procattr_read_env_file(value, &s->file_env, &s->nfile_env, msg, sizeof(msg)) < 0)
			ERR(ctx, "%s:%d: [%s] %s: %s",
			    ctx->path, ctx->lineno, ctx->section, k->name, msg);
		return;
	}
	case K_USER:
		free(s->user);
		free(s->pw_name);
		free(s->pw_home);
		s->user = strdup(value);
		s->user_line = ctx->lineno;
		r = procattr_lookup_user(value, &s->uid, &s->pw_gid, &s->pw_name, &s->pw_home);
		if (r == -ENOENT)
			ERR(ctx, "%s:%d: [%s] %s: unknown user '%s'",
			    ctx->path, ctx->lineno, ctx->section, k->name, value);
		else if (r == -ERANGE)
			ERR(ctx, "%s:%d: [%s] %s: user id '%s' out of range",
			    ctx->path, ctx->lineno, ctx->section, k->name, value);
		else if (r < 0)
			ERR(ctx, "%s:%d: [%s] %s: cannot look up user '%s': %s",
			    ctx->path, ctx->lineno, ctx->section, k->name, value, strerror(-r));
		else
			s->has_uid = true;
		return;
	case K_GROUP: {
		gid_t gid;

		free(s->group);
		s->group = strdup(value);
		s->group_line = ctx->lineno;
		r = procattr_lookup_group(value, &gid);
		if (r == -ENOENT)
			ERR(ctx, "%s:%d: [%s] %s: unknown group '%s'",
			    ctx->path, ctx->lineno, ctx->section, k->name, value);
		else if (r == -ERANGE)
			ERR(ctx, "%s:%d: [%s] %s: group id '%s' out of range",
			    ctx->path, ctx->lineno, ctx->section, k->name, value);
		else if (r < 0)
			ERR(ctx, "%s:%d: [%s] %s: cannot look up group '%s': %s",
			    ctx->path, ctx->lineno, ctx->section, k->name, value, strerror(-r));
		else {
			s->group_ok = true;
			s->group_gid = gid;
		}
		return;
	}
	default:
		return;
	}
}

static void
set_value(struct load_ctx *ctx, const struct key_def *k, const char *value,
	  bool cont)
{
	void *base = k->scope == SCOPE_GLOBAL ? (void *)ctx->c : (void *)ctx->svc;
	const char *why = NULL;
	char *joined = NULL;
	int r;

	switch (k->type) {
	case K_DURATION: {
		msec_t ms;
		if (cont) {
			ERR(ctx, "%s:%d: [%s] %s: a duration cannot continue on the next line",
			    ctx->path, ctx->lineno, ctx->section, k->name);
			return;
		}
		r = parse_duration(value, &ms);
		if (r < 0)
			ERR(ctx, "%s:%d: [%s] %s: %s duration '%s' (use e.g. 250ms, 5s, 2m, 1m30s)",
			    ctx->path, ctx->lineno, ctx->section, k->name,
			    r == -ERANGE ? "out-of-range" : "invalid", value);
		else if (ms == 0 && positive_duration(k))
			ERR(ctx, "%s:%d: [%s] %s: must be more than 0",
			    ctx->path, ctx->lineno, ctx->section, k->name);
		else
			*(msec_t *)((char *)base + k->off) = ms;
		/* the lines the whole-file checks name */
		if (k->scope == SCOPE_GLOBAL && strcmp(k->name, "prestop_delay") == 0)
			ctx->c->prestop_delay_line = ctx->lineno;
		else if (k->scope == SCOPE_GLOBAL && strcmp(k->name, "prestop_min") == 0)
			ctx->c->prestop_min_line = ctx->lineno;
		else if (k->scope == SCOPE_GLOBAL && strcmp(k->name, "shutdown_timeout") == 0)
			ctx->c->shutdown_timeout_line = ctx->lineno;
		return;
	}
	case K_SIGNAL: {
		int sig;
		if (cont || parse_signal(value, &sig) < 0)
			ERR(ctx, "%s:%d: [%s] %s: unknown signal '%s' (use e.g. SIGTERM, QUIT, 2)",
			    ctx->path, ctx->lineno, ctx->section, k->name, value);
		else
			*(int *)((char *)base + k->off) = sig;
		return;
	}
	case K_STOPSEQ:
	case K_SIGMAP:
	case K_SUCCESS: {
		struct svc_config *s = ctx->svc;
		char why2[256];

		if (k->type == K_STOPSEQ) {
			r = cont ? -EINVAL : parse_stop_seq(value, &s->stop_seq, why2, sizeof(why2));
			if (cont)
				snprintf(why2, sizeof(why2), "a stop sequence cannot continue on the next line");
			if (r == 0) {
				s->stop_signal = s->stop_seq.step[0].sig;
				s->stop_signal_set = true;
				s->stop_signal_line = ctx->lineno;
			}
		} else if (k->type == K_SIGMAP) {
			r = parse_signal_map(value, &s->signal_map, why2, sizeof(why2));
		} else {
			r = parse_success_exit(value, &s->success_exit, why2, sizeof(why2));
		}
		if (r < 0)
			ERR(ctx, "%s:%d: [%s] %s: %s", ctx->path, ctx->lineno, ctx->section, k->name,
			    why2);
		(void)base;
		return;
	}
	case K_STRING: {
		char **p = (char **)((char *)base + k->off);
		if (cont && *p) {
			if (asprintf(&joined, "%s %s", *p, value) < 0)
				return;
			free(*p);
			*p = joined;
		} else {
			free(*p);
			*p = strdup(value);
		}
		if (*p && **p == '\0')
			ERR(ctx, "%s:%d: [%s] %s: empty value",
			    ctx->path, ctx->lineno, ctx->section, k->name);
		if (strcmp(k->name, "prestop_token") == 0)
			ctx->c->prestop_token_line = ctx->lineno;
		else if (strcmp(k->name, "pidfile") == 0)
			ctx->svc->pidfile_line = ctx->lineno;
		return;
	}
	case K_COMMAND: {
		struct svc_config *s = ctx->svc;
		char **argv;
		int argc;

		if (cont && s->command) {
			if (asprintf(&joined, "%s %s", s->command, value) < 0)
				return;
			value = joined;
		}
		r = split_argv(value, &argv, &argc, &why);
		if (r == -EINVAL) {
			ERR(ctx, "%s:%d: [%s] %s: %s",
			    ctx->path, ctx->lineno, ctx->section, k->name, why);
			s->command_line = ctx->lineno;	/* given, just wrong */
		} else if (r == 0) {
			argv_free(s->argv);
			free(s->command);
			s->argv = argv;
			s->command = strdup(value);
			if (!cont)
				s->command_line = ctx->lineno;
		}
		free(joined);
		return;
	}
	case K_LISTEN:
	case K_READY:
	case K_HEALTH:
	case K_COUNT:
		set_probe_value(ctx, k, value, cont);
		return;
	case K_BOOL:
	case K_INT:
	case K_UMASK:
	case K_RLIMIT:
	case K_OUTPUT:
	case K_CHOICE:
	case K_ENV:
	case K_ENVFILE:
	case K_USER:
	case K_GROUP:
		set_proc_value(ctx, k, value, cont);
		return;
	case K_ENUM: {
		size_t nv = 0;
		char allowed[128] = "";

		if (!cont)
			for (const struct enum_val *v = k->vals; v->name; v++) {
				if (strcmp(v->name, value) == 0) {
					*(int *)((char *)base + k->off) = v->value;
					if (k->vals == type_vals)
						ctx->svc->type_line = ctx->lineno;
					return;
				}
			}
		for (const struct enum_val *v = k->vals; v->name; v++) {
			size_t used = strlen(allowed);
			snprintf(allowed + used, sizeof(allowed) - used, "%s%s",
				 nv++ ? ", " : "", v->name);
		}
		ERR(ctx, "%s:%d: [%s] %s: invalid value '%s' (one of: %s)",
		    ctx->path, ctx->lineno, ctx->section, k->name, value, allowed);
		return;
	}
	case K_SIZE:
		r = cont ? -EINVAL : parse_size(value, LOG_BUFFER_MAX, (size_t *)((char *)base + k->off));
		if (r < 0)
			ERR(ctx, "%s:%d: [%s] %s: %s size '%s' (use e.g. 64KiB, 1MiB or 0; at most 64MiB)",
			    ctx->path, ctx->lineno, ctx->section, k->name,
			    r == -ERANGE ? "out-of-range" : "invalid", value);
		return;
	case K_SIGSET: {
		struct svc_config *s = ctx->svc;
		char why2[128];

		if (cont)
			snprintf(why2, sizeof(why2), "this value cannot continue on the next line");
		if (cont || parse_signal_set(value, &s->forward_mask, why2, sizeof(why2)) < 0) {
			ERR(ctx, "%s:%d: [%s] %s: %s", ctx->path, ctx->lineno, ctx->section, k->name,
			    why2);
			return;
		}
		s->forward_set = true;
		return;
	}
	case K_RUNDIR: {
		struct svc_config *s = ctx->svc;
		bool ok = !cont && *value && strcmp(value, ".") != 0 && strcmp(value, "..") != 0 &&
			  strlen(value) <= 64;

		for (const char *p = value; ok && *p; p++)
			ok = isalnum((unsigned char)*p) || strchr("_.-@", *p);
		if (!ok) {
			ERR(ctx, "%s:%d: [%s] %s: invalid name '%s' (one directory name under " RUNTIME_DIR_BASE ": 1-64 letters, digits, '_', '-', '.', '@')",
			    ctx->path, ctx->lineno, ctx->section, k->name, value);
			return;
		}
		free(s->runtime_directory);
		s->runtime_directory = strdup(value);
		return;
	}
	case K_LIMIT:
		if (cont || parse_restart_limit(value, &ctx->svc->restart_limit,
						&ctx->svc->restart_window_ms) < 0)
			ERR(ctx, "%s:%d: [%s] %s: invalid limit '%s' (use COUNT/DURATION, e.g. 5/60s)",
			    ctx->path, ctx->lineno, ctx->section, k->name, value);
		return;
	case K_NAMES: {
		struct name_list *l = (struct name_list *)((char *)base + k->off);
		char **words;
		int nw;

		if (split_argv(value, &words, &nw, &why) < 0) {
			if (why && strncmp(why, "empty command", 13) == 0)
				why = "no service named";
			else if (why && strncmp(why, "the command's name is empty", 27) == 0)
				why = "an empty service name";
			ERR(ctx, "%s:%d: [%s] %s: %s", ctx->path, ctx->lineno, ctx->section,
			    k->name, why ? why : "out of memory");
			return;
		}
		if (!l->line)
			l->line = ctx->lineno;
		for (int i = 0; i < nw; i++) {
			char **nl = realloc(l->names, (l->n + 2) * sizeof(*nl));
			if (!nl)
				break;
			l->names = nl;
			l->names[l->n++] = words[i];
			l->names[l->n] = NULL;
			words[i] = NULL;
		}
		argv_free(words);
		return;
	}
	case K_HOOK: {
		struct hook_config **list = k->scope == SCOPE_GLOBAL ? &ctx->c->drain
								    : &ctx->svc->drain;
		size_t *n = k->scope == SCOPE_GLOBAL ? &ctx->c->ndrain : &ctx->svc->ndrain;
		int line = ctx->lineno;

		if (cont && *n > 0) {
			struct hook_config *last = &(*list)[*n - 1];
			if (asprintf(&joined, "%s %s", last->command, value) < 0)
				return;
			value = joined;
			line = last->line;
			free(last->command);
			argv_free(last->argv);
			(*n)--;
		}
		r = config_add_hook(list, n, value, line, &why);
		if (r == -EINVAL)
			ERR(ctx, "%s:%d: [%s] %s: %s",
			    ctx->path, ctx->lineno, ctx->section, k->name, why);
		free(joined);
		return;
	}
	}
}

/* An indented "name = value" or "[section]" is almost certainly a
 * mis-indented line, not more of the previous value. */
static bool
looks_like_key_line(const char *v)
{
	size_t n = 0;

	if (*v == '[')
		return true;
	if (!isalpha((unsigned char)*v) && *v != '_')
		return false;
	while (isalnum((unsigned char)v[n]) || v[n] == '_')
		n++;
	while (v[n] == ' ' || v[n] == '\t')
		n++;
	return v[n] == '=';
}

/* "5s # comment": inih keeps what follows '#' in the value. */
static bool
hash_comment(const char *v)
{
	for (const char *p = strchr(v, '#'); p; p = strchr(p + 1, '#'))
		if (p > v && (p[-1] == ' ' || p[-1] == '\t'))
			return true;
	return false;
}

/* Appends hint to the last error. */
static void
add_hint(struct config_errors *e, const char *hint)
{
	char *m;

	if (e->n == 0 || asprintf(&m, "%s%s", e->msgs[e->n - 1], hint) < 0)
		return;
	free(e->msgs[e->n - 1]);
	e->msgs[e->n - 1] = m;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *ctx = user;
	const struct key_def *k;
	int *seen;
	bool cont = ctx->continuation;
	size_t before;

	(void)section;	/* tracked by the reader, with its line */
	if (ctx->scope == SCOPE_INVALID)
		return 1;	/* the section's own error says it all */
	if (ctx->scope == SCOPE_NONE) {
		ERR(ctx, "%s:%d: %s: key outside any section (put it under [drainit] or [service:NAME])",
		    ctx->path, ctx->lineno, name);
		return 1;
	}
	if (cont) {
		k = ctx->last_key;
		if (!k)
			return 1;
		if (looks_like_key_line(value)) {
			ERR(ctx, "%s:%d: [%s] %s: indented line '%s' would continue the value of '%s'; remove the indentation",
			    ctx->path, ctx->lineno, ctx->section, k->name, value, k->name);
			return 1;
		}
		set_value(ctx, k, value, true);
		return 1;
	}

	k = find_key(name, ctx->scope);
	if (!k) {
		enum scope other = ctx->scope == SCOPE_GLOBAL ? SCOPE_SERVICE : SCOPE_GLOBAL;
		const char *hint = closest_key(name, ctx->scope);

		if (find_key(name, other))
			ERR(ctx, "%s:%d: [%s] %s: key belongs in %s",
			    ctx->path, ctx->lineno, ctx->section, name,
			    other == SCOPE_GLOBAL ? "[drainit]" : "a [service:NAME] section");
		else if (hint)
			ERR(ctx, "%s:%d: [%s] %s: unknown key (did you mean '%s'?)",
			    ctx->path, ctx->lineno, ctx->section, name, hint);
		else
			ERR(ctx, "%s:%d: [%s] %s: unknown key",
			    ctx->path, ctx->lineno, ctx->section, name);
		ctx->last_key = NULL;
		return 1;
	}
	ctx->last_key = k;
	seen = ctx->scope == SCOPE_GLOBAL ? ctx->global_seen : ctx->svc_seen;
	if (!k->repeatable && seen[k - keys]) {
		ERR(ctx, "%s:%d: [%s] %s: set twice (first at line %d)",
		    ctx->path, ctx->lineno, ctx->section, name, seen[k - keys]);
		return 1;
	}
	seen[k - keys] = ctx->lineno;
	before = ctx->errs->n;
	if (k->type == K_STRING && k->scope == SCOPE_GLOBAL && strcmp(k->name, "main") == 0)
		ctx->c->main_line = ctx->lineno;
	if (k->scope == SCOPE_GLOBAL && strcmp(k->name, "control_socket") == 0)
		ctx->c->control_line = ctx->lineno;
	if (k->scope == SCOPE_SERVICE && strcmp(k->name, "watchdog") == 0)
		ctx->svc->watchdog_line = ctx->lineno;	/* checked in config_finish */
	set_value(ctx, k, value, false);
	if (ctx->errs->n > before && hash_comment(value))
		add_hint(ctx->errs, "; inline comments start with ';', not '#'");
	return 1;
}

int
config_load(const char *path, struct config *c, struct config_errors *errs)
{
	struct load_ctx ctx = { .path = path, .c = c, .errs = errs };
	size_t before = errs->n;
	struct stat st;
	int r, fd;

	c->path = strdup(path);
	/* O_NONBLOCK: a FIFO or a device at PATH must not hang the opening
	 * (a reload runs in the event loop); it is refused just below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	ctx.f = fd < 0 ? NULL : fdopen(fd, "r");
	if (!ctx.f) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		if (r == -EACCES)
			config_errors_add(errs, "%s: cannot read: %s (drainit runs as uid %d; check the file's mode and owner)",
					  path, strerror(-r), (int)geteuid());
		else
			config_errors_add(errs, "%s: cannot read: %s", path, strerror(-r));
		return r;
	}
	if (fstat(fileno(ctx.f), &st) == 0 && !S_ISREG(st.st_mode)) {
		bool dir = S_ISDIR(st.st_mode);

		fclose(ctx.f);
		config_errors_add(errs, "%s: is %s, not a configuration file (give the path of the INI file, e.g. /etc/drainit.ini)",
				  path, dir ? "a directory" : "not a regular file");
		return dir ? -EISDIR : -EINVAL;
	}
	r = ini_parse_stream(reader, &ctx, handler, &ctx);
	fclose(ctx.f);
	free(ctx.buf);
	if (r == -2) {
		config_errors_add(errs, "%s: out of memory", path);
	} else if (r > 0) {
		/* inih's first error: reported already unless the reader missed it. */
		bool known = false;
		char needle[32];
		snprintf(needle, sizeof(needle), ":%d:", r);
		for (size_t i = before; i < errs->n; i++)
			if (strstr(errs->msgs[i], needle))
				known = true;
		if (!known)
			config_errors_add(errs, "%s:%d: syntax error", path, r);
	}
	if (c->nsvcs == 0 && errs->n == before)
		config_errors_add(errs, "%s: no [service:NAME] section: nothing to run", path);
	config_finish(c, errs);
	return (int)(errs->n - before);
}

static void
resolve_hooks(struct hook_config *h, size_t n, msec_t timeout)
{
	for (size_t i = 0; i < n; i++)
		h[i].timeout_ms = timeout;
}

/* Check defaults; a watchdog needs the notify socket. */
static void
resolve_checks(struct svc_config *s, const char *path, struct config_errors *errs)
{
	if (s->ready_interval_ms == UNSET_MS || s->ready_interval_ms == 0)
		s->ready_interval_ms = DEFAULT_READY_INTERVAL_MS;
	if (s->ready_timeout_ms == UNSET_MS || s->ready_timeout_ms == 0)
		s->ready_timeout_ms = DEFAULT_READY_TIMEOUT_MS;
	if (s->health_interval_ms == UNSET_MS || s->health_interval_ms == 0)
		s->health_interval_ms = DEFAULT_HEALTH_INTERVAL_MS;
	if (s->health_timeout_ms == UNSET_MS || s->health_timeout_ms == 0)
		s->health_timeout_ms = DEFAULT_HEALTH_TIMEOUT_MS;
	if (s->health_failures == 0)
		s->health_failures = DEFAULT_HEALTH_FAILURES;
	if (s->watchdog_ms > 0 && s->ready.kind != CHECK_NOTIFY)
		config_errors_add(errs, "%s:%d: [service:%s] watchdog: needs ready = notify (WATCHDOG=1 comes through the notify socket)",
				  path, s->watchdog_line, s->name);
}

/* Output defaults and the ids of a service. The names were
 * looked up as they were read; here the group list is built the way
 * initgroups(3) would, in drainit, never in the child. */
static void
resolve_proc(struct svc_config *s, size_t nsvcs, const char *path, struct config_errors *errs)
{
	int r = 0;

	for (int i = 0; i < 2; i++)
		if (s->out[i] == OUT_DEFAULT) {
			s->out[i] = nsvcs > 1 ? OUT_PREFIX : OUT_INHERIT;
			s->out_defaulted[i] = true;
		}
	if ((s->user && !s->has_uid) || (s->group && !s->group_ok))
		return;		/* the lookup error is reported already */
	if (!s->has_uid && !s->group_ok)
		return;
	if (s->has_uid && !s->pw_name && !s->group_ok) {
		config_errors_add(errs, "%s:%d: [service:%s] user: user '%s' has no passwd entry: set group too",
				  path, s->user_line, s->name, s->user);
		return;
	}
	s->gid = s->group_ok ? s->group_gid : s->pw_gid;
	free(s->groups);
	s->groups = NULL;
	s->ngroups = 0;
	if (s->pw_name) {
		r = procattr_group_list(s->pw_name, s->gid, &s->groups, &s->ngroups);
	} else if ((s->groups = malloc(sizeof(*s->groups)))) {
		s->groups[0] = s->gid;
		s->ngroups = 1;
	} else {
		r = -ENOMEM;
	}
	if (r < 0) {
		config_errors_add(errs, "%s:%d: [service:%s] user: cannot list the groups of '%s': %s",
				  path, s->user_line, s->name, s->pw_name ? s->pw_name : "?", strerror(-r));
		return;
	}
	s->has_gid = true;
}

static const char *
closest_service(const struct config *c, const char *name)
{
	const char *best = NULL;
	int bestd = 3;

	for (size_t i = 0; i < c->nsvcs; i++) {
		int d = edit_distance(name, c->svcs[i].name);
		if (d < bestd) {
			bestd = d;
			best = c->svcs[i].name;
		}
	}
	return best;
}

static void
check_names(const struct config *c, const char *path, const struct svc_config *s,
	    const struct name_list *l, const char *key, struct config_errors *errs)
{
	for (size_t i = 0; i < l->n; i++) {
		const char *n = l->names[i], *best;

		if (strcmp(n, s->name) == 0) {
			config_errors_add(errs, "%s:%d: [service:%s] %s: a service cannot depend on itself",
					  path, l->line, s->name, key);
		} else if (!config_find_service((struct config *)c, n)) {
			best = closest_service(c, n);
			if (best)
				config_errors_add(errs, "%s:%d: [service:%s] %s: unknown service '%s' (did you mean '%s'?)",
						  path, l->line, s->name, key, n, best);
			else
				config_errors_add(errs, "%s:%d: [service:%s] %s: unknown service '%s'",
						  path, l->line, s->name, key, n);
		}
	}
}

/* Depth-first search for dependency cycles; each cycle reported once, at
 * the after/requires line of the service where it closes. */
struct cycle_ctx {
	const struct config *c;
	const char *path;
	struct config_errors *errs;
	int *color;	/* 0 new, 1 on the stack, 2 done */
	size_t *stack;
	size_t depth;
};

static void
cycle_visit(struct cycle_ctx *x, size_t v)
{
	const struct svc_config *s = &x->c->svcs[v];
	const struct name_list *lists[2] = { &s->after, &s->requires };

	x->color[v] = 1;
	x->stack[x->depth++] = v;
	for (int li = 0; li < 2; li++)
		for (size_t i = 0; i < lists[li]->n; i++) {
			const struct svc_config *d = config_find_service((struct config *)x->c,
									 lists[li]->names[i]);
			size_t w;

			if (!d || d == s)
				continue;
			w = (size_t)(d - x->c->svcs);
			if (x->color[w] == 0) {
				cycle_visit(x, w);
			} else if (x->color[w] == 1) {
				char chain[512] = "";
				size_t start = 0, off = 0;
				while (x->stack[start] != w)
					start++;
				for (size_t k = start; k < x->depth && off < sizeof(chain); k++)
					off += snprintf(chain + off, sizeof(chain) - off, "%s -> ",
							x->c->svcs[x->stack[k]].name);
				if (off < sizeof(chain))
					snprintf(chain + off, sizeof(chain) - off, "%s", d->name);
				config_errors_add(x->errs, "%s:%d: [service:%s] %s: dependency cycle: %s",
						  x->path, lists[li]->line, s->name,
						  li == 0 ? "after" : "requires", chain);
			}
		}
	x->depth--;
	x->color[v] = 2;
}

static void
check_lifecycle(struct config *c, const char *path, struct config_errors *errs)
{
	struct cycle_ctx x = { .c = c, .path = path, .errs = errs };

	for (size_t i = 0; i < c->nsvcs; i++) {
		struct svc_config *s = &c->svcs[i];
		bool is_main = c->main && strcmp(c->main, s->name) == 0;

		/* The main service, a oneshot and a wrapped command do not
		 * restart unless told to: their exit is the point. */
		if (s->restart == RESTART_UNSET)
			s->restart = s->type == SVC_TYPE_ONESHOT || is_main || c->single
					     ? RESTART_NO
					     : RESTART_ON_FAILURE;
		if (s->type == SVC_TYPE_FORKING && !s->pidfile)
			config_errors_add(errs, "%s:%d: [service:%s] pidfile: missing (type = forking needs a pid file)",
					  path, s->type_line ? s->type_line : s->line, s->name);
		if (s->type != SVC_TYPE_FORKING && s->pidfile)
			config_errors_add(errs, "%s:%d: [service:%s] pidfile: only used with type = forking",
					  path, s->pidfile_line ? s->pidfile_line : s->line, s->name);
		if (s->restart_delay_max_ms < s->restart_delay_ms)
			s->restart_delay_max_ms = s->restart_delay_ms;
		check_names(c, path, s, &s->after, "after", errs);
		check_names(c, path, s, &s->requires, "requires", errs);
	}
	if (c->nsvcs == 0)
		return;
	x.color = calloc(c->nsvcs, sizeof(*x.color));
	x.stack = calloc(c->nsvcs, sizeof(*x.stack));
	if (x.color && x.stack)
		for (size_t i = 0; i < c->nsvcs; i++)
			if (x.color[i] == 0)
				cycle_visit(&x, i);
	free(x.color);
	free(x.stack);
}

/* *p made absolute against cwd when it is relative. */
static int
absolute(char **p, const char *cwd)
{
	char *abs;

	if (!*p || **p == '/' || !cwd)
		return 0;
	if (asprintf(&abs, "%s%s%s", cwd, cwd[strlen(cwd) - 1] == '/' ? "" : "/", *p) < 0)
		return -ENOMEM;
	free(*p);
	*p = abs;
	return 0;
}

int
config_absolute_paths(struct config *c, const char *cwd)
{
	for (size_t i = 0; i < c->nsvcs; i++) {
		struct svc_config *s = &c->svcs[i];

		if (absolute(&s->directory, cwd) < 0 || absolute(&s->pidfile, cwd) < 0 ||
		    absolute(&s->out_path[0], cwd) < 0 || absolute(&s->out_path[1], cwd) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* prestop_token = SECRET | file:PATH | env:NAME: the secret itself in the
 * end (a file's trailing newline dropped, at most 1 KiB). */
static void
resolve_token(struct config *c, const char *path, struct config_errors *errs)
{
	char buf[1024 + 3], *v = NULL;	/* 1 KiB, a CR LF, one more to see a longer one */
	int line = c->prestop_token_line;

	if (strncmp(c->prestop_token, "file:", 5) == 0) {
		int fd = open(c->prestop_token + 5, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));

		if (fd >= 0)
			close(fd);
		if (n < 0) {
			config_errors_add(errs, "%s:%d: [drainit] prestop_token: cannot read %s: %s", path,
					  line, c->prestop_token + 5, strerror(errno));
			return;
		}
		while (n > 0 && n < (ssize_t)sizeof(buf) && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			n--;
		if (n > 1024) {
			config_errors_add(errs, "%s:%d: [drainit] prestop_token: %s is longer than 1 KiB",
					  path, line, c->prestop_token + 5);
			return;
		}
		buf[n] = '\0';
		v = strdup(buf);
	} else if (strncmp(c->prestop_token, "env:", 4) == 0) {
		const char *e = getenv(c->prestop_token + 4);
		if (!e) {
			config_errors_add(errs, "%s:%d: [drainit] prestop_token: environment variable %s is not set",
					  path, line, c->prestop_token + 4);
			return;
		}
		v = strdup(e);
	} else {
		return;
	}
	if (v && !*v)
		config_errors_add(errs, "%s:%d: [drainit] prestop_token: the secret is empty", path, line);
	free(c->prestop_token);
	c->prestop_token = v;
}

int
config_finish(struct config *c, struct config_errors *errs)
{
	size_t before = errs->n;
	const char *path = c->path ? c->path : "(command line)";

	if (c->prestop_delay_ms == UNSET_MS)
		c->prestop_delay_ms = DEFAULT_PRESTOP_DELAY_MS;
	if (c->grace_ms == UNSET_MS)
		c->grace_ms = DEFAULT_GRACE_MS;
	if (c->drain_timeout_ms == UNSET_MS)
		c->drain_timeout_ms = DEFAULT_DRAIN_TIMEOUT_MS;
	if (c->shutdown_timeout_ms == UNSET_MS)
		c->shutdown_timeout_ms = 0;
	if (c->orphan_grace_ms == UNSET_MS)
		c->orphan_grace_ms = DEFAULT_ORPHAN_GRACE_MS;
	if (c->prestop_min_ms == UNSET_MS)
		c->prestop_min_ms = 0;
	if (c->drain_quiet_ms == UNSET_MS)
		c->drain_quiet_ms = DEFAULT_DRAIN_QUIET_MS;
	if (!c->unready_probes)
		c->unready_probes = DEFAULT_UNREADY_PROBES;
	if (c->prestop_min_ms > c->prestop_delay_ms)
		config_errors_add(errs, "%s:%d: [drainit] prestop_min: longer than prestop_delay, its maximum",
				  path, c->prestop_min_line ? c->prestop_min_line : c->prestop_delay_line);
	if (c->prestop_token)
		resolve_token(c, path, errs);
	resolve_hooks(c->drain, c->ndrain, c->drain_timeout_ms);

	for (size_t i = 0; i < c->nsvcs; i++) {
		struct svc_config *s = &c->svcs[i];

		if (!s->argv && !s->command_line)
			config_errors_add(errs, "%s:%d: [service:%s] command: missing (every service needs a command)",
					  path, s->line, s->name);
		if (s->grace_ms == UNSET_MS)
			s->grace_ms = c->grace_ms;
		if (s->stop_seq.n > 1 && stop_seq_waits(&s->stop_seq) >= s->grace_ms) {
			char d1[32], d2[32];

			format_duration(stop_seq_waits(&s->stop_seq), d1, sizeof(d1));
			format_duration(s->grace_ms, d2, sizeof(d2));
			if (c->single)	/* -- CMD: the options are what to name */
				config_errors_add(errs, "--stop-signal: its waits add up to %s, not less than --grace %s (SIGKILL comes at the grace period)",
						  d1, d2);
			else
				config_errors_add(errs, "%s:%d: [service:%s] stop_signal: its waits add up to %s, not less than grace_period %s (SIGKILL comes at grace_period)",
						  path, s->stop_signal_line, s->name, d1, d2);
		}
		if (s->drain_timeout_ms == UNSET_MS)
			s->drain_timeout_ms = c->drain_timeout_ms;
		resolve_hooks(s->drain, s->ndrain, s->drain_timeout_ms);
		resolve_checks(s, path, errs);
		resolve_proc(s, c->nsvcs, path, errs);
	}
	if (c->main && !config_find_service(c, c->main)) {
		const char *best = closest_service(c, c->main);
		if (best)
			config_errors_add(errs, "%s:%d: [drainit] main: unknown service '%s' (did you mean '%s'?)",
					  path, c->main_line, c->main, best);
		else
			config_errors_add(errs, "%s:%d: [drainit] main: unknown service '%s'",
					  path, c->main_line, c->main);
	}
	if (c->control_socket && strcmp(c->control_socket, "none") != 0) {
		if (c->control_socket[0] != '/')
			config_errors_add(errs, "%s:%d: [drainit] control_socket: '%s' is not an absolute path (or none)",
					  path, c->control_line, c->control_socket);
		else if (strlen(c->control_socket) >= CONTROL_PATH_MAX)
			config_errors_add(errs, "%s:%d: [drainit] control_socket: path too long (at most %d bytes)",
					  path, c->control_line, CONTROL_PATH_MAX - 1);
	}
	check_lifecycle(c, path, errs);
	return (int)(errs->n - before);
}
