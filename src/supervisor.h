/* supervisor.h: the one top-level object, reached from every watcher via
 * ev_userdata(loop). Owns the services, the drain hooks, the shutdown
 * stage and the syscall seam (struct sys_ops) that lets the unit tests
 * drive the stage machine with no processes and no clock. */
#ifndef DRAINIT_SUPERVISOR_H
#define DRAINIT_SUPERVISOR_H

#include <ev.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "config.h"
#include "parse.h"
#include "timer.h"

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

struct supervisor;
struct proc;

/* ---- per-service process settings, applied by the child (issue 6) ----
 * Everything is resolved before fork (names, strings): the child only
 * makes syscalls with these numbers. */
struct spawn_rlimit {
	int resource;
	struct rlimit lim;
};
struct spawn_opts {
	int stdio[3];		/* fd to dup2 onto 0, 1, 2; -1: keep drainit's */
	const struct spawn_rlimit *rlimits;
	size_t nrlimits;
	bool set_nice;
	int nice;
	const char *oom_score_adj;	/* "500\n" for /proc/self/oom_score_adj; NULL: keep */
	size_t oom_len;
	bool set_umask;
	mode_t umask;
	bool set_ids;		/* setgroups, setgid, then setuid (when set_uid) */
	const gid_t *groups;
	size_t ngroups;
	gid_t gid;
	bool set_uid;
	uid_t uid;
};

/* What a process is started with. */
struct spawn_req {
	char *const *argv;
	const char *dir;	/* NULL: drainit's own */
	char *const *envp;	/* NULL: drainit's environment */
	const struct spawn_opts *opts;	/* NULL: as drainit (issue 6) */
	bool foreground;	/* take the terminal on fd 0, if it is one */
};

/* Everything the supervisor does to the outside world goes through here. */
struct sys_ops {
	int (*kill)(pid_t pid, int sig);
	/* Starts req as p (fills p->pid); 0 or -errno. */
	int (*spawn)(struct supervisor *sup, struct proc *p, const struct spawn_req *req);
	msec_t (*now)(void);	/* monotonic milliseconds */
};

enum proc_kind { PROC_SERVICE, PROC_HOOK, PROC_CHECK /* exec: check (check.c) */ };

/* Steps of the child between fork and exec, reported on failure. */
enum spawn_step {
	SPAWN_STEP_NONE,
	SPAWN_STEP_SETPGID,
	SPAWN_STEP_SIGNALS,
	SPAWN_STEP_CHDIR,
	SPAWN_STEP_EXEC,
	/* process settings (issue 6) */
	SPAWN_STEP_STDIN,
	SPAWN_STEP_STDOUT,
	SPAWN_STEP_STDERR,
	SPAWN_STEP_RLIMIT,
	SPAWN_STEP_NICE,
	SPAWN_STEP_OOM,
	SPAWN_STEP_SETGROUPS,
	SPAWN_STEP_SETGID,
	SPAWN_STEP_SETUID,
	_SPAWN_STEP_MAX
};
const char *spawn_step_name(enum spawn_step s);

/* One process drainit started, leader of its own process group. */
struct proc {
	enum proc_kind kind;
	pid_t pid;		/* 0: not running */
	int status_fd;		/* exec-status pipe, -1 once read */
	ev_io status_io;
	enum spawn_step fail_step;	/* SPAWN_STEP_NONE: exec succeeded or pending */
	int fail_errno;
};

enum svc_state {
	SVC_PENDING,	/* not started yet */
	SVC_STARTING,	/* forked, exec not confirmed */
	SVC_RUNNING,
	SVC_STOPPING,	/* stop signal sent, grace timer running */
	SVC_KILLING,	/* SIGKILL sent */
	SVC_EXITED,
	SVC_FAILED,	/* could not be started, or failed for good */
	SVC_BACKOFF,	/* waiting for its restart timer */
	_SVC_MAX
};
const char *svc_state_name(enum svc_state s);

/* ---- readiness, health and sd_notify of one service (issue 3) ----------
 * Written by check.c (ready/health checks) and notify.c (sd_notify);
 * read by report.c for /readyz, /livez, /status and /metrics. */
struct check;
struct svc_probe {
	bool ready;		/* its ready check passed last (or READY=1 came) */
	bool unhealthy;		/* health_failures health checks failed in a row */
	bool watchdog_expired;	/* watchdog passed without WATCHDOG=1 */
	bool failed;		/* ended uncleanly while drainit was running */
	unsigned long exits;	/* times its process ended */
	char why[160];		/* why not ready: "starting", "check failing: ..." */
	char health_why[160];	/* last health check failure */
	char status[160];	/* last STATUS= (sd_notify) */
	pid_t mainpid;		/* MAINPID= (sd_notify), 0 if none */
	struct check *ready_chk;	/* NULL: ready = none or notify */
	struct check *health_chk;	/* NULL: no health check */
	ev_timer watchdog;	/* armed while watchdog = DUR applies */
};

struct service {
	struct svc_config *cfg;
	struct proc proc;
	enum svc_state state;
	int wstatus;		/* valid once EXITED */
	int sent_signal;	/* stop signal drainit sent, 0 if none */
	bool killed;		/* drainit escalated to SIGKILL */
	struct ptimer grace_timer;	/* stop signal -> SIGKILL */
	msec_t started_at;
	char **envp;		/* environment of the current run */
	struct svc_probe pr;	/* issue 3: readiness, health, sd_notify */
	pid_t kill_target;	/* -pgid, or the pid of a daemon sharing drainit's group */

	/* lifecycle (lifecycle.c): restarts, dependencies, forking daemons */
	unsigned restarts;	/* how often drainit restarted it */
	unsigned streak;	/* restarts since the last run longer than restart_reset */
	msec_t *restart_log;	/* ring of the last restart_limit restart instants */
	size_t restart_log_n, restart_log_head;
	ev_timer restart_timer;
	bool was_ready;		/* became ready once in this drainit's life */
	bool completed;		/* oneshot: exited 0 */
	bool stop_requested;	/* stopped by drainit outside a shutdown: no restart */
	bool launching;		/* forking: proc is the launcher, not the daemon */
	bool waiting_pidfile;	/* forking: launcher exited 0, pid file not read yet */
	bool health_restart;	/* being stopped for failing its health check */
	ev_stat pidfile_watch;
	ev_timer start_timer;
};

struct hook {
	struct hook_config *cfg;
	struct service *svc;	/* NULL for a global hook */
	struct proc proc;
	bool running;
	bool timed_out;
	bool forced;		/* SIGKILLed by the killing stage */
	ev_timer timer;
	char **envp;		/* environment handed to the hook */
};

enum stage {
	STAGE_RUNNING,
	STAGE_UNREADY,
	STAGE_PRESTOP,
	STAGE_STOPPING,
	STAGE_KILLING,
	STAGE_EXITED,
	_STAGE_MAX
};
const char *stage_name(enum stage s);

enum sd_event {
	SD_REQUESTED,		/* SIGTERM, SIGINT, main exited, nothing left */
	SD_FORCE,		/* second SIGINT: skip the waits */
	SD_PRESTOP_ELAPSED,
	SD_HOOK_DONE,
	SD_REAPED,		/* a service's process was reaped */
	SD_GRACE_EXPIRED,	/* a service's grace timer fired */
	SD_CAP_EXPIRED,		/* shutdown_timeout reached */
	_SD_MAX
};
const char *sd_event_name(enum sd_event e);

/* Exit codes of drainit itself (man/drainit.8). */
#define EXIT_USAGE 64		/* EX_USAGE: bad command line */
#define EXIT_CONFIG 78		/* EX_CONFIG: bad configuration */
#define EXIT_OSERR 71		/* EX_OSERR: drainit could not set itself up */
#define EXIT_NOEXEC 126		/* command found but could not be executed */
#define EXIT_NOTFOUND 127	/* command not found */

struct supervisor {
	struct ev_loop *loop;
	struct config *cfg;
	const struct sys_ops *sys;
	bool is_pid1;

	struct service *svcs;
	size_t nsvcs;
	struct service *main;	/* NULL when none */

	struct hook *hooks;	/* global hooks first, then per service */
	size_t nhooks;

	bool ready;		/* readiness as a probe would report it */

	/* ---- probe server and sd_notify socket (issue 3) ---- */
	struct probe_server *probe;	/* NULL: no probe_listen (probe.c) */
	struct notify_server *notify;	/* NULL: no notify service (notify.c) */

	/* ---- service output: prefix and file:PATH streams (issue 6) ---- */
	struct output *out;	/* output.c; NULL until output_init */

	/* shutdown stage machine (shutdown.c is its only writer) */
	enum stage stage;
	msec_t stage_started[_STAGE_MAX];
	msec_t stage_ended[_STAGE_MAX];
	bool stage_seen[_STAGE_MAX];
	bool prestop_elapsed;
	ev_timer prestop_timer;
	struct ptimer cap_timer;	/* shutdown_timeout */
	char reason[128];

	struct service *first_unclean;	/* first service that did not stop cleanly */
	int exit_code;
	unsigned long orphans_reaped;
};

extern const struct sys_ops real_sys_ops;

/* sys NULL: the real syscalls. 0 or -ENOMEM. */
int supervisor_init(struct supervisor *sup, struct ev_loop *loop,
		     struct config *cfg, const struct sys_ops *sys);
void supervisor_free(struct supervisor *sup);

#endif
