/* preflight.h: pure layer. What --check verifies beyond the syntax: that
 * every command (services, drain hooks, exec: checks) can be found and
 * executed, looked up in the PATH the process will have. */
#ifndef DRAINIT_PREFLIGHT_H
#define DRAINIT_PREFLIGHT_H

#include <stddef.h>

#include "config.h"

/* Below this, a prestop may end before a readiness probe has noticed. */
#define PROBE_WINDOW_MS 10000

/* Where argv0 resolves with path: 0 with the file in buf; -ENOENT (not
 * found), -EACCES (found, not executable), -EISDIR. */
int preflight_resolve(const char *argv0, const char *path, char *buf, size_t len);

/* Adds "FILE:LINE: [section] key: CMD: command not found (PATH=...)" and
 * the like to errs for every command that cannot run. Returns how many
 * errors it added. */
size_t preflight_commands(const struct config *c, struct config_errors *errs);
/* The same for the global drain hooks alone, and for one service. */
size_t preflight_global_hooks(const struct config *c, struct config_errors *errs);
size_t preflight_service(const struct config *c, const struct svc_config *s,
			 struct config_errors *errs);
/* "FILE:LINE: [service:NAME] directory: DIR: No such file or directory"
 * (or not a directory) when s has a directory that is not there: 1, or
 * 0. A reload asks this of the services it would (re)start. */
size_t preflight_directory(const struct config *c, const struct svc_config *s,
			   struct config_errors *errs);

/* The longest a shutdown of c can take, stage by stage (ms). */
struct budget {
	msec_t prestop;		/* prestop_delay, or the slowest drain hook */
	msec_t stop;		/* grace periods along the longest dependency chain */
	const char *chain_first, *chain_last;	/* that chain: stopped first, last */
	size_t chain_len;
	msec_t orphans;		/* orphan_grace */
	msec_t reap;		/* the wait for the reaper after SIGKILL */
	msec_t total;
	bool unbounded;		/* a drain hook with drain_timeout 0: no limit */
	bool capped;		/* total is shutdown_timeout and the reaper's wait */
	msec_t cap;		/* shutdown_timeout */
};
void preflight_budget(const struct config *c, struct budget *b);

/* What --check says about the shutdown: errors (a shutdown_timeout shorter
 * than the prestop maximum) into errs, warnings into warns. Returns the
 * number of errors. */
size_t preflight_shutdown(const struct config *c, const struct budget *b,
			  struct config_errors *errs, struct config_errors *warns);

/* Likely mistakes that are still valid: a command word that starts with
 * '#' (an inline comment in the wrong syntax). Into warns. */
void preflight_hints(const struct config *c, struct config_errors *warns);

#endif
