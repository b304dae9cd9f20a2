/* supervisor.h: model layer. The runtime objects built from a config:
 * the supervisor, its services, drain hooks and the processes drainit
 * started, with their states and counters. The model holds data and
 * answers questions about it; it never decides and does no I/O. One
 * struct supervisor is reached from every watcher via ev_userdata(loop).
 *
 * Who writes what: the lifecycle machine (lifecycle.c) writes a service's
 * state, the shutdown machine (shutdown.c) the stage; mechanisms write
 * only their own bookkeeping (a proc's pid and exec result, counters). */
#ifndef DRAINIT_SUPERVISOR_H
#define DRAINIT_SUPERVISOR_H

#include <ev.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "config.h"
#include "event.h"
#include "exitcodes.h"
#include "log.h"
#include "parse.h"
#include "timer.h"

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

struct supervisor;
struct proc;
struct spawn_req;	/* spawn.h */

/* Everything drainit does to processes and the clock goes through here,
 * so the unit tests drive both machines with no process and no clock. */
struct sys_ops {
	int (*kill)(pid_t pid, int sig);
	/* Starts req as p (fills p->pid); 0 or -errno. */
	int (*spawn)(struct supervisor *sup, struct proc *p, const struct spawn_req *req);
	msec_t (*now)(void);	/* monotonic milliseconds */
	msec_t (*wall)(void);	/* milliseconds since the epoch; NULL: unknown */
	pid_t (*getpgid)(pid_t pid);	/* -1 when gone */
	pid_t (*getsid)(pid_t pid);	/* 0: drainit's own session; -1 when gone */
	pid_t (*parent_of)(pid_t pid);	/* -1 when gone (reaper_parent_of) */
	/* drainit's children, reaped or not, into buf (at most max): how many
	 * there are, or -1 when /proc is not this pid namespace's. */
	int (*children)(pid_t *buf, int max);
	bool (*has_children)(void);	/* any child left, zombies included */
	/* The services' sockets now; prev holds the connections of the
	 * previous sample (drain.c). 0 or -errno. */
	int (*drain_sample)(struct supervisor *sup, struct drain_sample *out);
};

enum proc_kind { PROC_SERVICE, PROC_HOOK, PROC_CHECK /* exec: check */ };

/* Steps of the child between fork and exec, reported on failure. */
enum spawn_step {
	SPAWN_STEP_NONE,
	SPAWN_STEP_SETPGID,
	SPAWN_STEP_SIGNALS,
	SPAWN_STEP_CHDIR,
	SPAWN_STEP_EXEC,
	SPAWN_STEP_STDIN,
	SPAWN_STEP_STDOUT,
	SPAWN_STEP_STDERR,
	SPAWN_STEP_RLIMIT,
	SPAWN_STEP_NICE,
	SPAWN_STEP_OOM,
	SPAWN_STEP_SETGROUPS,
	SPAWN_STEP_SETGID,
	SPAWN_STEP_SETUID,
	SPAWN_STEP_PIDFILE,	/* forking: no valid pid file after the launcher (drainit's side) */
	_SPAWN_STEP_MAX
};
const char *spawn_step_name(enum spawn_step s);

/* One process drainit tracks: one it started (leader of its own process
 * group), or a daemon it adopted from a pid file or MAINPID=. A tracked
 * proc is in the supervisor's proc table, findable by pid. */
struct proc {
	enum proc_kind kind;
	pid_t pid;		/* 0: not running */
	bool tracked;		/* in sup->procs */
	int status_fd;		/* exec-status pipe, -1 once read */
	ev_io status_io;
	enum spawn_step fail_step;	/* SPAWN_STEP_NONE: exec succeeded or pending */
	int fail_errno;
	int fail_detail;	/* SPAWN_STEP_RLIMIT: the resource; else -1 */
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

/* Readiness, health and sd_notify facts of one service, read by the
 * probe server's report (/readyz, /livez, /status, /metrics). */
struct check;
struct svc_probe {
	bool ready;		/* its ready check passed last (or READY=1 came) */
	bool unhealthy;		/* health_failures health checks failed in a row */
	bool watchdog_expired;	/* watchdog passed without WATCHDOG=1 */
	bool failed;		/* ended uncleanly while drainit was running */
	bool gone;		/* ended while drainit runs, and nothing will restart it */
	msec_t notready_logged;	/* when "not ready after ..." was last logged, 0: never */
	unsigned long exits;	/* times its process ended */
	char why[160];		/* why not ready: "starting", "check failing: ..." */
	char health_why[160];	/* last health check failure */
	char status[160];	/* last STATUS= (sd_notify) */
	pid_t mainpid;		/* MAINPID= (sd_notify), 0 if none */
	struct check *ready_chk;	/* NULL: ready = none or notify */
	struct check *health_chk;	/* NULL: no health check */
	ev_timer watchdog;	/* armed while watchdog = DUR applies */
	struct ratelimit warn_rl;	/* warnings about its sd_notify messages */
};

struct service {
	struct svc_config *cfg;
	struct proc proc;
	enum svc_state state;
	int wstatus;		/* valid once EXITED */
	int sent_signal;	/* stop signal drainit sent last, 0 if none */
	uint64_t sent_mask;	/* every stop signal sent in this run: bit N-1 for N */
	size_t stop_step;	/* the step of its stop sequence sent last */
	ev_timer step_timer;	/* the wait of that step (a sequence only) */
	bool killed;		/* drainit escalated to SIGKILL */
	struct ptimer grace_timer;	/* stop signal -> SIGKILL */
	unsigned long runs;	/* processes started for it so far */
	msec_t recheck_ms;	/* killing a group whose main is gone: the next look */
	msec_t killed_at;	/* when its SIGKILL went out */
	const char *stop_why;	/* a stop that waits (drain hooks, a dependent): who asked (static) */
	msec_t started_at;
	msec_t started_wall;	/* the same instant by the wall clock (/status), 0: unknown */
	char **envp;		/* environment of the current run */
	struct svc_probe pr;
	pid_t spawn_pgid;	/* the process group drainit made for it, 0: none */
	bool main_exited;	/* its main process is gone, its group is not (yet) */
	bool notfound;		/* exec said ENOENT: no restart can help */

	/* restarts, dependencies, forking daemons (lifecycle.c) */
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
	pid_t adopted_pid;	/* forking: the daemon its pid file named in this run, 0 */
	/* forking: the pid file as it was when this run started (stale
	 * while it is still the same file, time and pid) */
	bool old_pidfile;
	ino_t old_pidfile_ino;
	struct timespec old_pidfile_mtim;
	pid_t old_pidfile_pid;
	char start_why[256];	/* why no daemon was adopted (SPAWN_STEP_PIDFILE), or dep_failed's */
	bool dep_failed;	/* failed for good without a run: what it depends on failed */
	bool health_restart;	/* being stopped for failing its health check */
	/* drainit ctl (lifecycle.c) */
	bool ctl_stopped;	/* stopped with drainit ctl stop: held until ctl start */
	bool restart_pending;	/* drainit ctl restart: start again once its run ends */
	bool draining;		/* ctl stop/restart: its drain hooks run before the stop signal */
	bool stop_waiting;	/* ctl stop/restart: waits for a dependent that stops first */
	ev_stat pidfile_watch;
	ev_timer pidfile_poll;	/* while a stale pid file is there: look every 100 ms */
	ev_timer start_timer;

	/* its drain hooks (also in sup->hooks) */
	struct hook **hooks;
	size_t nhooks;
	/* drainit ctl reload-config */
	struct svc_config *next_cfg;	/* changed: the settings of its next run */
	bool removed;		/* gone from the file: stopping, then dropped */
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
	char out_name[104];	/* "web#1": the prefix of its output lines */
};

enum stage {
	STAGE_RUNNING,
	STAGE_UNREADY,
	STAGE_PRESTOP,
	STAGE_STOPPING,
	STAGE_ORPHANS,
	STAGE_KILLING,
	STAGE_EXITED,
	_STAGE_MAX
};
const char *stage_name(enum stage s);

/* A client that asked for /readyz (a load balancer, the kubelet): the
 * adaptive prestop waits until each recent one has seen enough 503s. */
#define PROBERS_MAX 32
struct prober {
	struct sockaddr_storage addr;	/* port cleared: one entry per host */
	msec_t last_seen;
	unsigned unready_seen;	/* 503s answered to it since the shutdown began */
};

struct probe_server;
struct control_server;
struct notify_server;
struct output;
struct drain_state;

struct supervisor {
	struct ev_loop *loop;
	struct config *cfg;
	const struct sys_ops *sys;
	bool is_pid1;
	const char *cwd;	/* where drainit was started: the default directory of
				 * what it spawns (drainit itself moves to /); NULL: its own */

	/* Services and hooks are objects of their own, so their addresses
	 * (watchers, the proc table, events) survive a reload, which
	 * rebuilds these arrays. */
	struct service **svcs;
	size_t nsvcs;
	struct service *main;	/* NULL when none */

	struct hook **hooks;	/* global hooks first, then each service's */
	size_t nhooks;
	struct hook **ghooks;	/* the global ones */
	size_t nghooks;

	/* Every service, hook and check made, and every configuration loaded
	 * by a reload: a replaced one may still be named by a queued event or
	 * a running process; reload_reclaim() frees it once nothing can. */
	struct service **all_svcs;
	size_t nall_svcs;
	struct hook **all_hooks;
	size_t nall_hooks;
	struct check **old_checks;
	size_t nold_checks;
	struct config **cfgs;
	size_t ncfgs;
	bool reclaim_due;	/* a reload left replaced objects: reload_reclaim() */
	ev_prepare reclaim_watch;	/* one pass of reload_reclaim before the loop blocks */

	struct proc **procs;	/* the proc table: every tracked proc */
	size_t nprocs, procs_cap;

	bool ready;		/* readiness as a probe would report it */

	struct probe_server *probe;	/* NULL: no probe_listen (probe.c) */
	struct notify_server *notify;	/* NULL: no notify service (notify.c) */
	struct control_server *control;	/* NULL: no control socket (control.c) */
	struct output *out;	/* service output and drainit's log (output.c) */

	/* the one event path: mechanisms post, on_event decides (dispatch.c) */
	struct event_queue events;
	event_handler on_event;

	/* shutdown stage machine (shutdown.c is its only writer) */
	enum stage stage;
	msec_t stage_started[_STAGE_MAX];
	msec_t stage_ended[_STAGE_MAX];
	bool stage_seen[_STAGE_MAX];
	bool prestop_elapsed;
	ev_timer prestop_timer;
	struct ptimer cap_timer;	/* shutdown_timeout */
	struct ptimer stage_timer;	/* orphan_grace in ORPHANS, the reap wait in KILLING */
	char reason[128];
	int shutdown_sig;	/* the signal that started the shutdown, 0: none */
	/* the adaptive prestop (shutdown.c decides, probe.c and drain.c report) */
	struct prober probers[PROBERS_MAX];
	size_t nprobers;
	bool adaptive;		/* this prestop ends when the traffic is gone */
	ev_timer drain_timer;	/* samples the sockets while in prestop */
	struct drain_sample drain_last;
	msec_t drain_last_fresh;	/* when a new connection was last seen */
	struct drain_state *drain;	/* drain.c's memory between samples */
	char prestop_why[384];	/* why the prestop ended, for the log and /prestop */
	int inflight_at_stop, inflight_at_kill;	/* -1: not measured */
	pid_t *orphans_signalled;	/* adopted processes sent the current stage's signal */
	size_t norphans_signalled, orphans_cap;
	size_t orphans_killed;	/* adopted processes sent SIGKILL (the summary says so) */
	bool gave_up;		/* exited with processes it could not reap */

	struct service *first_unclean;	/* first service that did not stop cleanly */
	int exit_code;
	unsigned long orphans_reaped;

	/* forwarded signals (service.c): counts, and the coalesced log */
	struct fwd_log {
		unsigned long forwarded[_NSIG];	/* per signal, for /metrics */
		bool quiet[_NSIG];	/* logged less than a second ago: count only */
		msec_t logged_at[_NSIG];
		unsigned long held[_NSIG];	/* forwards not logged since */
		ev_timer timer;		/* ends the quiet times; armed only while one runs */
	} fwd;
};

extern const struct sys_ops real_sys_ops;

/* Builds the model from a validated config: services, hooks, the proc
 * table; no watcher is started. sys NULL: the real syscalls. 0 or
 * -ENOMEM. */
int supervisor_init(struct supervisor *sup, struct ev_loop *loop,
		     struct config *cfg, const struct sys_ops *sys);
void supervisor_free(struct supervisor *sup);

/* A new service object for c (not in sup->svcs yet), with its drain
 * hooks; NULL: no memory. */
struct service *service_new(struct supervisor *sup, struct svc_config *c);
/* Gives svc fresh hook objects for svc->cfg's drain hooks (the old ones
 * stay in all_hooks until reload_reclaim frees them). 0 or -ENOMEM. */
int service_make_hooks(struct supervisor *sup, struct service *svc);
/* svc runs with c from now on: its restart log and drain hooks follow
 * (sup->hooks is rebuilt). 0 or -ENOMEM. */
int service_set_config(struct supervisor *sup, struct service *svc, struct svc_config *c);
/* Global hook objects for sup->cfg's drain hooks. 0 or -ENOMEM. */
int supervisor_make_global_hooks(struct supervisor *sup);
/* sup->hooks again from the global hooks and each service's. */
int supervisor_hooks_rebuild(struct supervisor *sup);
/* Keeps a replaced check, or a configuration loaded at run time, until
 * reload_reclaim (or supervisor_free) frees it. 0 or -ENOMEM. */
int sup_keep_check(struct supervisor *sup, struct check *c);
int sup_keep_config(struct supervisor *sup, struct config *c);

/* Posts ev on the one event path (see event.h). */
void sup_post(struct supervisor *sup, const struct event *ev);

/* ---- the proc table ---- */
/* Adds p (p->pid set). -EEXIST when another tracked proc has that pid:
 * one owner per pid. -ENOMEM. */
int proc_track(struct supervisor *sup, struct proc *p);
void proc_untrack(struct supervisor *sup, struct proc *p);
struct proc *proc_find(struct supervisor *sup, pid_t pid);

/* ---- questions about services ---- */
bool service_alive(const struct service *svc);
size_t service_count_alive(const struct supervisor *sup);
struct service *service_find_by_pid(struct supervisor *sup, pid_t pid);
struct service *service_by_name(struct supervisor *sup, const char *name);
/* Whether the process group drainit made for svc still has members. */
bool service_group_alive(const struct supervisor *sup, const struct service *svc);
/* A live service that lists svc in after/requires: svc must wait to be stopped. */
struct service *service_live_dependent(struct supervisor *sup, const struct service *svc);
struct service *service_stopping_dependent(struct supervisor *sup, const struct service *svc);
void services_stop_order(struct service **v, size_t n);
/* Services that are alive, waiting to restart, waiting to start, or held
 * stopped by drainit ctl stop (they may be started again). */
size_t service_count_active(const struct supervisor *sup);

/* 0..255: exit status, 128+N for signal N. */
int status_to_code(int wstatus);
/* 0..255, 126/127 when it never started; 0 when the code (or the signal
 * it died of) is listed in its success_exit. */
int service_exit_code(const struct service *svc);
/* The exit code a service that did not stop cleanly gives drainit: its
 * own, or 137 when its main ended but its group had to be SIGKILLed. */
int service_unclean_code(const struct service *svc);
/* How its last run ended: "exited with status 3", "failed to start:
 * exec: Permission denied", "failed to start: pid file ... did not appear". */
const char *service_describe_end(const struct service *svc, char *buf, size_t len);
/* Exited 0, or with an exit code or signal listed in success_exit. */
bool status_success(const struct svc_config *c, int wstatus);
/* Ended successfully (status_success), or died of a signal of its stop
 * sequence that drainit sent it (before any SIGKILL). */
bool service_clean(const struct service *svc);
/* "exited with status 3", "killed by signal 9 (SIGKILL)" */
const char *describe_status(int wstatus, char *buf, size_t len);

/* Whether the service is ready as /readyz counts it (a service removed by
 * a reload always is: it only stops); otherwise why
 * ("starting", "check failing: tcp 127.0.0.1:5432 refused", "exited"). */
bool service_ready(const struct service *svc, char *why, size_t len);
/* Whether the service is live as /livez counts it: false when it failed
 * to start, ended uncleanly while drainit was running, or is unhealthy. */
bool service_live(const struct service *svc, char *why, size_t len);

/* A /readyz answer to addr: remembered for the adaptive prestop. */
void sup_saw_prober(struct supervisor *sup, const struct sockaddr *addr, socklen_t len, int code);

/* ---- questions about hooks ---- */
size_t hooks_running(const struct supervisor *sup);
/* How many drain hooks of svc run. */
size_t hooks_running_of(const struct supervisor *sup, const struct service *svc);
/* "drain hook #1" or "drain hook web#1", for the log. */
const char *hook_label(const struct supervisor *sup, const struct hook *h, char *buf, size_t len);

#endif
