/* config.h: pure layer. The configuration model, filled from an INI file (config_load)
 * or from the command line (cli.c). Pure: no fork, no event loop, no
 * logging. Errors are collected, never printed here. */
#ifndef DRAINIT_CONFIG_H
#define DRAINIT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "parse.h"
#include "procattr.h"
#include "spec.h"

/* Documented defaults (man/drainit.ini.5). */
#define DEFAULT_PRESTOP_DELAY_MS 0
#define DEFAULT_GRACE_MS 10000
#define DEFAULT_DRAIN_TIMEOUT_MS 10000
#define DEFAULT_ORPHAN_GRACE_MS 5000
#define DEFAULT_DRAIN_QUIET_MS 1000	/* no new connection for this long: quiet */
#define DEFAULT_UNREADY_PROBES 3	/* 503s each prober must have seen */
#define PROBER_RECENT_MS 60000	/* a prober counts if it asked this long before the stop */
#define REAP_WAIT_MS 5000	/* after the last SIGKILL, the longest wait for the reaper */
#define UNSET_MS ((msec_t)-1)
/* Readiness and health checks. */
#define DEFAULT_READY_INTERVAL_MS 1000
#define DEFAULT_READY_TIMEOUT_MS 1000
#define DEFAULT_HEALTH_INTERVAL_MS 10000
#define DEFAULT_HEALTH_TIMEOUT_MS 1000
#define DEFAULT_HEALTH_FAILURES 3
/* A Unix socket path, its terminating NUL included (sun_path). */
#define CONTROL_PATH_MAX 108
#define DEFAULT_LOG_BUFFER (64 * 1024)
#define LOG_BUFFER_MAX (64 * 1024 * 1024)

/* ---- process settings and output of a service ---- */
struct opt_int {
	bool set;
	int v;
};

struct svc_limit {
	bool set;
	rlim_t soft, hard;
};

enum stdin_mode { STDIN_INHERIT, STDIN_NULL };
/* OUT_DEFAULT is resolved by config_finish: prefix when there is more
 * than one service, else inherit. */
enum out_mode { OUT_DEFAULT, OUT_INHERIT, OUT_PREFIX, OUT_NULL, OUT_FILE };

struct hook_config {
	char *command;		/* as written, for the log */
	char **argv;
	msec_t timeout_ms;	/* resolved: never UNSET_MS after validation */
	int line;
};

/* Service lifecycle (restart policies, dependencies, types). */
enum restart_policy { RESTART_UNSET = -1, RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS };
enum svc_type { SVC_TYPE_SIMPLE, SVC_TYPE_ONESHOT, SVC_TYPE_FORKING };
enum on_failure { ON_FAILURE_SHUTDOWN, ON_FAILURE_KEEP };
/* [drainit] sighup =: forwarded to the services, or a config reload. */
enum sighup_mode { SIGHUP_FORWARD, SIGHUP_RELOAD };
/* runtime_directory = NAME is made under this directory. */
#define RUNTIME_DIR_BASE "/run"

#define DEFAULT_RESTART_DELAY_MS 100
#define DEFAULT_RESTART_DELAY_MAX_MS 30000
#define DEFAULT_RESTART_RESET_MS 60000
#define DEFAULT_RESTART_LIMIT 5
#define DEFAULT_RESTART_WINDOW_MS 60000
#define DEFAULT_START_TIMEOUT_MS 10000

/* A list of service names with the line it was given on. */
struct name_list {
	char **names;
	size_t n;
	int line;
};

struct svc_config {
	char *name;
	int line;		/* line of the [service:NAME] header */
	char *command;
	char **argv;
	int command_line;
	int stop_signal;	/* the first signal of stop_seq */
	struct stop_seq stop_seq;	/* stop_signal = SIG [WAIT SIG]... */
	bool stop_signal_set;	/* given (stop_signal or --stop-signal) */
	int stop_signal_line;
	struct signal_map signal_map;	/* signal_map = FROM:TO ... (or -r) */
	struct success_exit success_exit;	/* success_exit = ... (or -e) */
	bool single_child;	/* --single-child: signals to the pid, not its group */
	msec_t grace_ms;
	msec_t drain_timeout_ms;
	char *directory;
	struct hook_config *drain;
	size_t ndrain;

	/* ---- readiness, health, sd_notify (check.c, notify.c) ---- */
	struct check_spec ready;	/* kind CHECK_NONE when unset */
	msec_t ready_interval_ms;
	msec_t ready_timeout_ms;
	struct check_spec health;	/* kind CHECK_NONE when unset */
	msec_t health_interval_ms;
	msec_t health_timeout_ms;
	unsigned health_failures;	/* 0 until resolved */
	msec_t watchdog_ms;		/* 0: no watchdog */
	int watchdog_line;

	/* ---- process settings and output (procattr.c, output.c) ---- */
	char *user;			/* as written; NULL: drainit's identity */
	char *group;
	int user_line, group_line;
	char *pw_name;			/* the user's passwd name, for its groups */
	char *pw_home;			/* the user's home, for HOME */
	bool has_uid;			/* user resolved: uid */
	bool group_ok;			/* group resolved: group_gid */
	gid_t pw_gid, group_gid;	/* the user's primary group; group's */
	bool has_gid;			/* by config_finish: gid and groups apply */
	uid_t uid;
	gid_t gid;
	gid_t *groups;			/* supplementary groups, set when has_gid */
	size_t ngroups;
	char **env;			/* env = KEY=VALUE, in file order */
	size_t nenv;
	char *env_file;
	char **file_env;		/* KEY=VALUE lines of env_file */
	size_t nfile_env;
	bool clear_env;
	struct opt_int umask, nice, oom_score_adjust;
	struct svc_limit limits[_LIM_MAX];
	enum stdin_mode stdin_mode;
	enum out_mode out[2];		/* [0] stdout, [1] stderr */
	bool out_defaulted[2];		/* not set in the file: resolved by the service count */
	char *out_path[2];		/* file:PATH */
	/* lifecycle */
	enum svc_type type;
	int restart;		/* enum restart_policy; resolved after loading */
	msec_t restart_delay_ms;
	msec_t restart_delay_max_ms;
	msec_t restart_reset_ms;
	int restart_limit;	/* restarts allowed ... */
	msec_t restart_window_ms;	/* ... within this window */
	struct name_list after;	/* start after these are ready, stop before them */
	struct name_list requires;	/* as after, and stop when one fails for good */
	char *pidfile;		/* type = forking */
	int reload_signal;	/* drainit ctl reload SVC; 0: none */
	size_t log_buffer;	/* bytes of its last output kept for drainit ctl logs */
	msec_t start_timeout_ms;
	int type_line;
	int pidfile_line;
	/* forward_signals = LIST | none: which forwarded signals it gets */
	bool forward_set;	/* false: all of them */
	uint64_t forward_mask;	/* bit N-1 for signal N */
	char *runtime_directory;	/* runtime_directory = NAME: /run/NAME */
};

struct config {
	char *path;		/* NULL in single-command mode */
	bool single;		/* drainit -- CMD */
	msec_t prestop_delay_ms;
	msec_t grace_ms;
	msec_t shutdown_timeout_ms;	/* 0 = no cap */
	int prestop_delay_line, prestop_min_line, shutdown_timeout_line;	/* 0: not in the file */
	msec_t drain_timeout_ms;
	msec_t orphan_grace_ms;	/* stop signal to adopted orphans -> SIGKILL */
	msec_t prestop_min_ms;	/* the adaptive prestop ends no sooner */
	msec_t drain_quiet_ms;	/* no new connection for this long */
	unsigned unready_probes;	/* 503s every recent prober must have seen */
	char *prestop_token;	/* GET /prestop's secret; NULL: /prestop is off */
	int prestop_token_line;
	char *main;
	int main_line;
	int on_failure;		/* enum on_failure */
	struct hook_config *drain;
	size_t ndrain;
	struct svc_config *svcs;
	size_t nsvcs;

	/* ---- probe server (probe.c) ---- */
	char *probe_listen;		/* as written; NULL: no probe server */
	struct listen_addr probe_addr;

	/* ---- control socket (control.c) ---- */
	char *control_socket;		/* as written; NULL: the default path; "none": off */
	int control_line;

	/* ---- drainit's log and service output ---- */
	int log_level;			/* enum log_level; -1: not set */
	int log_format;			/* enum log_format */
	bool log_timestamps;		/* time stamps on prefixed lines */

	int pdeath_signal;		/* -p SIG: PR_SET_PDEATHSIG, 0: none */
	int sighup;			/* enum sighup_mode */
};

/* Every problem found, "FILE:LINE: [section] key: message": line by line
 * first, then the whole-file checks (missing command, unknown main). */
struct config_errors {
	char **msgs;
	size_t n;
};

void config_init(struct config *c);
void config_free(struct config *c);
/* NULL when a and b have the same global settings (those of the key
 * table's global scope); else the first key whose value differs. */
const char *config_globals_differ(const struct config *a, const struct config *b);
void config_errors_free(struct config_errors *e);
int config_errors_add(struct config_errors *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Parses and validates PATH. Returns 0 when there is no error, else the
 * number of errors in *errs (or -errno when PATH cannot be read; the
 * reason is in *errs too). */
int config_load(const char *path, struct config *c, struct config_errors *errs);

/* Second half of loading, shared with the command line: resolves
 * inherited settings and checks cross-references. */
int config_finish(struct config *c, struct config_errors *errs);

/* Adds a hook to a list; used by the INI handler and the CLI. */
int config_add_hook(struct hook_config **list, size_t *n, const char *cmd,
		    int line, const char **ret_err);

/* 1-64 letters, digits, '_', '-', '.', '@'. */
bool valid_service_name(const char *n);
struct svc_config *config_find_service(struct config *c, const char *name);

/* Makes the relative paths that are used after start-up (directory,
 * pidfile, file: outputs) absolute against cwd, which is where drainit
 * was started: it moves to / once its services run. 0 or -ENOMEM. */
int config_absolute_paths(struct config *c, const char *cwd);

/* Documented defaults for one service. */
void svc_config_init(struct svc_config *s);

/* Whether the service gets forwarded signal sig (forward_signals). */
bool svc_forwards(const struct svc_config *s, int sig);

/* True when svc lists dep in after or requires. */
bool svc_depends_on(const struct svc_config *svc, const char *dep);
/* Whether name is one of l's names. */
bool name_list_has(const struct name_list *l, const char *name);

/* "5/60s" -> 5 restarts within 60000 ms. 0 or -EINVAL. */
int parse_restart_limit(const char *s, int *ret_n, msec_t *ret_window);

#endif
