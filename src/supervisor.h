/* supervisor.h: the one top-level object, reached from every watcher via
 * ev_userdata(loop). Owns the services, the drain hooks, the shutdown
 * stage and the syscall seam (struct sys_ops) that lets the unit tests
 * drive the stage machine with no processes and no clock. */
#ifndef DRAINIT_SUPERVISOR_H
#define DRAINIT_SUPERVISOR_H

#include <ev.h>
#include <stdbool.h>
#include <sys/types.h>

#include "config.h"
#include "parse.h"

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

struct supervisor;
struct proc;

/* What a process is started with. */
struct spawn_req {
	char *const *argv;
	const char *dir;	/* NULL: drainit's own */
	char *const *envp;	/* NULL: drainit's environment */
	bool foreground;	/* take the terminal on fd 0, if it is one */
};

/* Everything the supervisor does to the outside world goes through here. */
struct sys_ops {
	int (*kill)(pid_t pid, int sig);
	/* Starts req as p (fills p->pid); 0 or -errno. */
	int (*spawn)(struct supervisor *sup, struct proc *p, const struct spawn_req *req);
	msec_t (*now)(void);	/* monotonic milliseconds */
};

enum proc_kind { PROC_SERVICE, PROC_HOOK };

/* Steps of the child between fork and exec, reported on failure. */
enum spawn_step {
	SPAWN_STEP_NONE,
	SPAWN_STEP_SETPGID,
	SPAWN_STEP_SIGNALS,
	SPAWN_STEP_CHDIR,
	SPAWN_STEP_EXEC,
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

struct service {
	struct svc_config *cfg;
	struct proc proc;
	enum svc_state state;
	int wstatus;		/* valid once EXITED */
	int sent_signal;	/* stop signal drainit sent, 0 if none */
	bool killed;		/* drainit escalated to SIGKILL */
	ev_timer grace_timer;
	msec_t started_at;
	char **envp;		/* environment of the current run */
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
	ev_stat pidfile_watch;
	ev_timer start_timer;
};

struct hook {
	struct hook_config *cfg;
	struct service *svc;	/* NULL for a global hook */
	struct proc proc;
	bool running;
	bool timed_out;
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

	/* shutdown stage machine (shutdown.c is its only writer) */
	enum stage stage;
	msec_t stage_started[_STAGE_MAX];
	msec_t stage_ended[_STAGE_MAX];
	bool stage_seen[_STAGE_MAX];
	bool prestop_elapsed;
	ev_timer prestop_timer;
	ev_timer cap_timer;
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
