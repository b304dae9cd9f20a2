/* lifecycle.c: machine layer. The per-service state machine.
 *
 *   PENDING --deps ready--> STARTING --exec ok--> RUNNING --stop--> STOPPING
 *      \                      |  \--exec failed / fork failed--> FAILED
 *       \--a dependency failed for good--> FAILED     STOPPING --grace--> KILLING
 *   any alive state --reaped--> EXITED, then: BACKOFF --restart due--> PENDING,
 *                                         or FAILED for good, or EXITED
 *
 * Events it takes (lifecycle_handle): a service proc's exec result and
 * exit, check results, sd_notify messages, the watchdog, restart and
 * start_timeout timers, pid file changes, grace expiry, and the signals
 * it forwards. It commands mechanisms (service_spawn, service_signal,
 * check_start/stop, the watchdog, timers) and tells the shutdown machine
 * what it needs to know by posting EVT_SERVICE_ENDED: it never calls it.
 *
 * Restart decision, on every exit while drainit is running (never during a
 * shutdown):
 *   failed = non-zero exit, a signal, or a start failure
 *   restart = always, or on-failure and failed  -> BACKOFF, then start again
 *   restart refused by restart_limit            -> FAILED for good
 *   oneshot exited 0                            -> completed (unblocks dependents)
 *   oneshot failed, no restart                  -> FAILED for good
 *   otherwise                                   -> EXITED (logged, nothing else)
 * FAILED for good: dependents waiting to start never start, running ones
 * that `requires` it are stopped; whether drainit shuts down is the
 * shutdown machine's call ([drainit] on_failure).
 *
 * Dependencies: a PENDING service starts when every service it is `after`
 * (or `requires`) is ready: a oneshot once it exited 0, another service
 * once it runs. Shutdown runs the same graph in reverse (shutdown.c asks
 * service_live_dependent()).
 *
 * Forking daemons: the command's first process must exit 0; the pid file
 * is then read (watched, bounded by start_timeout) and the pid adopted
 * only if it is drainit's child (reparented to us as PID 1 or subreaper)
 * and no other proc of drainit's has it: drainit never signals a process
 * it does not own. */
#include "lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "hooks.h"
#include "log.h"
#include "notify.h"
#include "output.h"
#include "service.h"
#include "spawn.h"
#include "watchers.h"

#define PIDFILE_MAX 64	/* bytes: a pid and a newline, with room to spare */

static void deps_changed(struct supervisor *sup);
static void failed_for_good(struct supervisor *sup, struct service *svc);
static const char *failed_dependency(struct supervisor *sup, const struct service *svc);
static int try_adopt(struct supervisor *sup, struct service *svc, bool last_chance);
static pid_t read_pidfile(const struct service *svc, char *why, size_t len, bool *stale);
static void note_old_pidfile(struct service *svc);
static void run_ended(struct supervisor *sup, struct service *svc, bool failed);
static void run_over(struct supervisor *sup, struct service *svc);

static void
post_ended(struct supervisor *sup, struct service *svc, bool failed)
{
	sup_post(sup, &(struct event){ .kind = EVT_SERVICE_ENDED, .svc = svc, .failed = failed });
}

/* ---- dependencies ------------------------------------------------------------ */

/* A dependency lets its dependents start while it is ready now: not
 * while it starts, waits to restart or is being stopped, nor while
 * drainit ctl holds it stopped; a oneshot once it has completed. One
 * that ran, was ready and has ended for good holds nothing up. */
static bool
satisfied(const struct service *dep)
{
	char why[96];

	if (dep->ctl_stopped || dep->restart_pending)
		return false;
	if (dep->cfg->type == SVC_TYPE_ONESHOT)
		return dep->completed;
	if (dep->state == SVC_EXITED)
		return dep->was_ready;
	return service_ready(dep, why, sizeof(why));
}

static bool
blocked(const struct service *dep)
{
	if (dep->ctl_stopped)
		return false;	/* held by drainit ctl stop: waited for, not failed */
	if (dep->state == SVC_FAILED)
		return true;
	return dep->cfg->type == SVC_TYPE_ONESHOT && dep->state == SVC_EXITED && !dep->completed;
}

msec_t
lifecycle_backoff(const struct svc_config *c, unsigned streak)
{
	msec_t d = c->restart_delay_ms;

	for (unsigned i = 0; i < streak && d < c->restart_delay_max_ms; i++)
		d *= 2;
	return d < c->restart_delay_max_ms ? d : c->restart_delay_max_ms;
}

/* ---- start ------------------------------------------------------------------ */

static void
start_one(struct supervisor *sup, struct service *svc)
{
	svc->runs++;
	svc->dep_failed = false;
	svc->started_at = sup->sys->now();
	svc->started_wall = sup->sys->wall ? sup->sys->wall() : 0;
	if (svc->cfg->type == SVC_TYPE_FORKING)
		note_old_pidfile(svc);
	svc->sent_signal = 0;
	svc->sent_mask = 0;
	svc->stop_step = 0;
	svc->killed = false;
	if (service_spawn(sup, svc) < 0) {
		svc->state = SVC_FAILED;	/* could not fork: a failed run */
		svc->wstatus = 0;
		svc->launching = false;
		run_ended(sup, svc, true);
		return;
	}
	svc->state = SVC_STARTING;
	svc->launching = svc->cfg->type == SVC_TYPE_FORKING;
}

/* Starts pending services whose dependencies are met; marks those whose
 * dependencies can never be met. Repeats until nothing changes, since a
 * service marked FAILED can block others in turn. */
static void
deps_changed(struct supervisor *sup)
{
	bool changed = true;

	while (changed && sup->stage == STAGE_RUNNING) {
		changed = false;
		for (size_t i = 0; i < sup->nsvcs; i++) {
			struct service *svc = sup->svcs[i];
			const struct name_list *lists[2] = { &svc->cfg->after, &svc->cfg->requires };
			const char *blocker;
			bool ready = true;

			if (svc->state != SVC_PENDING)
				continue;
			blocker = failed_dependency(sup, svc);
			for (int l = 0; l < 2 && !blocker; l++)
				for (size_t k = 0; k < lists[l]->n; k++) {
					struct service *dep = service_by_name(sup, lists[l]->names[k]);
					if (dep && !satisfied(dep))
						ready = false;
				}
			if (blocker) {
				log_error("service %s: will not start: it depends on %s, which failed",
					  svc->cfg->name, blocker);
				svc->dep_failed = true;
				snprintf(svc->start_why, sizeof(svc->start_why),
					 "will not start: it depends on %s, which failed", blocker);
				failed_for_good(sup, svc);	/* a main service that never starts ends drainit */
				changed = true;
			} else if (ready) {
				start_one(sup, svc);
				changed = true;
			}
		}
	}
}

/* The name of a dependency of svc that failed for good, or NULL. */
static const char *
failed_dependency(struct supervisor *sup, const struct service *svc)
{
	const struct name_list *lists[2] = { &svc->cfg->after, &svc->cfg->requires };

	for (int l = 0; l < 2; l++)
		for (size_t k = 0; k < lists[l]->n; k++) {
			struct service *dep = service_by_name(sup, lists[l]->names[k]);
			if (dep && blocked(dep))
				return dep->cfg->name;
		}
	return NULL;
}

/* "service web: waiting for its dependencies: db (starting), migrate (pending)" */
static void
log_waiting(struct supervisor *sup, struct service *svc)
{
	const struct name_list *lists[2] = { &svc->cfg->after, &svc->cfg->requires };
	char line[512], why[96];
	size_t off = 0;

	line[0] = '\0';
	for (int l = 0; l < 2; l++)
		for (size_t k = 0; k < lists[l]->n && off < sizeof(line); k++) {
			struct service *dep = service_by_name(sup, lists[l]->names[k]);
			if (!dep || satisfied(dep) || (l == 1 && name_list_has(&svc->cfg->after, dep->cfg->name)))
				continue;	/* named in after and requires: once */
			if (dep->ctl_stopped)
				snprintf(why, sizeof(why), "held stopped by drainit ctl stop");
			else if (dep->restart_pending)
				snprintf(why, sizeof(why), "restarting");
			else if (service_ready(dep, why, sizeof(why)))
				snprintf(why, sizeof(why), "%s", svc_state_name(dep->state));
			off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%s (%s)",
						off ? ", " : "", dep->cfg->name, why);
		}
	log_info("service %s: waiting for its dependencies: %s", svc->cfg->name, line);
}

void
lifecycle_start_all(struct supervisor *sup)
{
	for (size_t i = 0; i < sup->nsvcs; i++) {
		struct service *svc = sup->svcs[i];
		if (svc->cfg->after.n == 0 && svc->cfg->requires.n == 0 &&
		    svc->state == SVC_PENDING && sup->stage == STAGE_RUNNING)
			start_one(sup, svc);
	}
	deps_changed(sup);
	for (size_t i = 0; i < sup->nsvcs; i++)
		if (sup->svcs[i]->state == SVC_PENDING && sup->stage == STAGE_RUNNING)
			log_waiting(sup, sup->svcs[i]);
}

/* The service has just turned ready (in this run, or again). */
static void
became_ready(struct supervisor *sup, struct service *svc)
{
	svc->was_ready = true;
	deps_changed(sup);	/* may start its dependents */
}

static bool
watchdog_applies(const struct supervisor *sup, const struct service *svc)
{
	return svc->cfg->watchdog_ms > 0 && svc->state == SVC_RUNNING &&
	       sup->stage == STAGE_RUNNING;
}

/* The service runs (exec confirmed, or its daemon adopted). */
static void
service_running(struct supervisor *sup, struct service *svc)
{
	struct svc_probe *pr = &svc->pr;

	pr->gone = false;
	pr->notready_logged = 0;
	switch (svc->cfg->ready.kind) {
	case CHECK_NONE:
		pr->ready = true;
		break;
	case CHECK_NOTIFY:
		/* READY=1 may have come before the exec was confirmed. */
		if (!pr->ready)
			snprintf(pr->why, sizeof(pr->why), "waiting for READY=1");
		break;
	default:
		pr->ready = false;
		snprintf(pr->why, sizeof(pr->why), "starting");
		break;
	}
	if (sup->stage == STAGE_RUNNING) {
		check_start(sup, svc);
		if (watchdog_applies(sup, svc))
			notify_watchdog_kick(sup, svc);
	}
	if (pr->ready)	/* ready = none: ready as soon as it runs */
		became_ready(sup, svc);
}

/* The PATH a service's command is looked up in. */
static const char *
service_path(const struct service *svc)
{
	for (char **e = svc->envp; e && *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			return *e + 5;
	return DEFAULT_EXEC_PATH;
}

static void
on_exec(struct supervisor *sup, struct service *svc)
{
	const char *cmd = svc->cfg->argv[0];

	if (svc->proc.fail_step == SPAWN_STEP_EXEC && svc->proc.fail_errno == ENOENT) {
		/* permanent: no restart can make it appear */
		svc->notfound = true;
		if (strchr(cmd, '/'))
			log_error("service %s (pid %d): failed to start: exec: %s: %s", svc->cfg->name,
				  (int)svc->proc.pid, cmd, strerror(ENOENT));
		else
			log_error("service %s (pid %d): failed to start: exec: %s: command not found (PATH=%s)",
				  svc->cfg->name, (int)svc->proc.pid, cmd, service_path(svc));
		return;	/* its exit follows */
	}
	if (svc->proc.fail_step == SPAWN_STEP_RLIMIT) {
		const char *key = "?";

		for (int i = 0; i < _LIM_MAX; i++)
			if (limit_defs[i].resource == svc->proc.fail_detail)
				key = limit_defs[i].key;
		log_error("service %s (pid %d): failed to start: setrlimit: %s: %s%s", svc->cfg->name,
			  (int)svc->proc.pid, key, strerror(svc->proc.fail_errno),
			  svc->proc.fail_errno == EPERM ? " (raising a hard limit needs CAP_SYS_RESOURCE)" : "");
		return;	/* its exit follows */
	}
	if (svc->proc.fail_step != SPAWN_STEP_NONE) {
		log_error("service %s (pid %d): failed to start: %s: %s", svc->cfg->name,
			  (int)svc->proc.pid, spawn_step_name(svc->proc.fail_step),
			  strerror(svc->proc.fail_errno));
		return;	/* its exit follows */
	}
	if (svc->launching || svc->state != SVC_STARTING)
		return;	/* a forking service is running once its daemon is adopted */
	svc->state = SVC_RUNNING;
	log_info("service %s (pid %d): running", svc->cfg->name, (int)svc->proc.pid);
	service_running(sup, svc);
}

/* ---- stopping ----------------------------------------------------------------- */

int
lifecycle_stop_signal(const struct supervisor *sup, const struct service *svc)
{
	int sig;

	if (!sup->cfg->single || svc->cfg->stop_signal_set || !sup->shutdown_sig)
		return svc->cfg->stop_seq.step[0].sig;
	/* -- CMD: hand on what started the shutdown, as --rewrite maps it */
	sig = signal_map_apply(&svc->cfg->signal_map, sup->shutdown_sig);
	return sig ? sig : sup->shutdown_sig;
}

/* After the SIGKILL of a group whose main process is gone, the group is
 * looked at again this often: its last members may be children of
 * another of its processes, and their ends reach that parent, not
 * drainit. */
#define GROUP_RECHECK_MS 100
/* ... and twice as long after each look, up to this: a member that never
 * goes (a zombie its parent does not reap, a process stuck in D state)
 * must not wake drainit ten times a second for ever. */
#define GROUP_RECHECK_MAX_MS 5000

/* The main process is gone and so is the rest of its group (a kill found
 * no one, or the last ones were reaped by their own parent): the run is
 * over. true when it was. */
static bool
group_gone(struct supervisor *sup, struct service *svc)
{
	if (!svc->main_exited || service_group_alive(sup, svc))
		return false;
	log_info("service %s: its process group (pgid %d) is empty", svc->cfg->name,
		 (int)svc->spawn_pgid);
	run_over(sup, svc);
	return true;
}

/* true: the group was found empty, and the run is over. */
static bool
send_stop(struct supervisor *sup, struct service *svc, int sig)
{
	svc->sent_signal = sig;
	if (sig > 0 && sig < SIG_SLOTS)
		svc->sent_mask |= (uint64_t)1 << (sig - 1);
	return service_signal(sup, svc, sig) == -ESRCH && group_gone(sup, svc);
}

void
lifecycle_stop(struct supervisor *sup, struct service *svc)
{
	const struct stop_seq *q = &svc->cfg->stop_seq;
	char dbuf[32], qbuf[160];
	int sig = lifecycle_stop_signal(sup, svc);

	svc->state = SVC_STOPPING;
	svc->stop_step = 0;
	if (svc->waiting_pidfile) {
		/* The launcher is gone and the daemon not known yet: nothing
		 * to signal. The stop goes out once it is adopted; without a
		 * pid file by start_timeout the run ends by itself. */
		svc->sent_signal = sig;
		log_info("service %s: its stop waits for its pid file %s (start_timeout %s)",
			 svc->cfg->name, svc->cfg->pidfile,
			 format_duration(svc->cfg->start_timeout_ms, dbuf, sizeof(dbuf)));
		return;
	}
	if (send_stop(sup, svc, sig))
		return;
	if (q->n > 1) {
		log_info("service %s (pid %d): stop sequence %s: step 1 of %zu: sent %s, next step in %s",
			 svc->cfg->name, (int)svc->proc.pid, format_stop_seq(q, qbuf, sizeof(qbuf)),
			 q->n, signal_name(sig), format_duration(q->step[0].wait_ms, dbuf, sizeof(dbuf)));
		timer_arm(sup->loop, &svc->step_timer, q->step[0].wait_ms);
	}
	ptimer_start(sup->loop, &svc->grace_timer, svc->cfg->grace_ms);
}

/* The wait of the current step is over and the service still runs: the
 * next signal of its sequence. */
static void
stop_step_due(struct supervisor *sup, struct service *svc)
{
	const struct stop_seq *q = &svc->cfg->stop_seq;
	const struct stop_step *prev, *cur;
	char dbuf[32], lbuf[32];

	if (sup->stage == STAGE_EXITED)
		return;
	if (svc->state == SVC_KILLING) {	/* the re-check of an emptying group */
		if (svc->main_exited && service_group_alive(sup, svc) &&
		    sup->sys->now() - svc->killed_at >= REAP_WAIT_MS) {
			/* Only what SIGKILL cannot end is left: a zombie whose
			 * parent is outside the group, or a process stuck in the
			 * kernel. The run is over without it; the group is not
			 * looked at or signalled again. */
			log_warn("service %s: its process group (pgid %d) still has members %s after SIGKILL (a zombie whose parent is elsewhere, or a process stuck in the kernel): the run is over without them",
				 svc->cfg->name, (int)svc->spawn_pgid,
				 format_duration(REAP_WAIT_MS, dbuf, sizeof(dbuf)));
			svc->spawn_pgid = 0;
			run_over(sup, svc);
			return;
		}
		if (!group_gone(sup, svc) && svc->main_exited) {
			msec_t left = svc->killed_at + REAP_WAIT_MS - sup->sys->now();

			svc->recheck_ms = svc->recheck_ms * 2 < GROUP_RECHECK_MAX_MS
						  ? svc->recheck_ms * 2 : GROUP_RECHECK_MAX_MS;
			/* the last look falls on the 5 s after the SIGKILL, not past it */
			timer_arm(sup->loop, &svc->step_timer,
				  left > 0 && left < svc->recheck_ms ? left : svc->recheck_ms);
		}
		return;
	}
	if (svc->state != SVC_STOPPING || svc->stop_step + 1 >= q->n)
		return;
	prev = &q->step[svc->stop_step];
	cur = &q->step[++svc->stop_step];
	if (svc->stop_step + 1 < q->n)
		snprintf(lbuf, sizeof(lbuf), "next step in %s",
			 format_duration(cur->wait_ms, dbuf, sizeof(dbuf)));
	else
		snprintf(lbuf, sizeof(lbuf), "SIGKILL at grace expiry");
	log_info("service %s (pid %d): stop sequence step %zu of %zu: still running %s after %s, sending %s; %s",
		 svc->cfg->name, (int)svc->proc.pid, svc->stop_step + 1, q->n,
		 format_duration(prev->wait_ms, dbuf, sizeof(dbuf)),
		 signal_name(svc->sent_signal),
		 signal_name(cur->sig), lbuf);
	if (send_stop(sup, svc, cur->sig))
		return;
	if (svc->stop_step + 1 < q->n)
		timer_arm(sup->loop, &svc->step_timer, cur->wait_ms);
}

void
lifecycle_kill(struct supervisor *sup, struct service *svc)
{
	ptimer_stop(sup->loop, &svc->grace_timer);
	ev_timer_stop(sup->loop, &svc->step_timer);
	int r;

	svc->state = SVC_KILLING;
	svc->killed = true;
	if (svc->waiting_pidfile) {
		/* no more waiting: the daemon named now is killed, else the run is over */
		svc->killed = false;	/* nothing was sent yet */
		try_adopt(sup, svc, true);
		return;
	}
	r = service_signal(sup, svc, SIGKILL);
	svc->killed_at = sup->sys->now();
	if (r == -ESRCH)
		svc->killed = false;	/* it reached no one: nothing needed it */
	if (r == -ESRCH && group_gone(sup, svc))
		return;
	if (svc->main_exited) {
		svc->recheck_ms = GROUP_RECHECK_MS;
		timer_arm(sup->loop, &svc->step_timer, svc->recheck_ms);
	}
}

static void
grace_expired(struct supervisor *sup, struct service *svc)
{
	char dbuf[32];

	if (svc->state != SVC_STOPPING || sup->stage == STAGE_EXITED)
		return;
	log_info("%sservice %s (%s %d): grace period %s expired, sending SIGKILL to its process group",
		 sup->stage == STAGE_RUNNING ? "" : "shutdown: ", svc->cfg->name,
		 svc->main_exited ? "pgid" : "pid",
		 (int)(svc->main_exited ? svc->spawn_pgid : svc->proc.pid),
		 format_duration(svc->cfg->grace_ms, dbuf, sizeof(dbuf)));
	lifecycle_kill(sup, svc);
}

static void
unhealthy(struct supervisor *sup, struct service *svc, const char *why)
{
	char dbuf[32];

	if (sup->stage != STAGE_RUNNING || svc->cfg->restart == RESTART_NO ||
	    svc->state != SVC_RUNNING || svc->sent_signal)
		return;	/* reported only (/livez, /status) */
	svc->health_restart = true;
	log_warn("service %s (pid %d): restarting: %s; sending %s, grace period %s",
		 svc->cfg->name, (int)svc->proc.pid, why, signal_name(svc->cfg->stop_signal),
		 format_duration(svc->cfg->grace_ms, dbuf, sizeof(dbuf)));
	lifecycle_stop(sup, svc);
}

/* ---- readiness and health --------------------------------------------------- */

/* A service that is not ready after a while is said so: after 10 s, after
 * a minute, then every 10 minutes, with the reason. */
static void
not_ready_yet(struct supervisor *sup, struct service *svc)
{
	msec_t now = sup->sys->now(), up = now - svc->started_at, last = svc->pr.notready_logged;
	char dbuf[32];

	if (svc->pr.ready || svc->was_ready)
		return;
	if ((!last && up >= 10000) || (last && last - svc->started_at < 60000 && up >= 60000) ||
	    (last && now - last >= 600000)) {
		svc->pr.notready_logged = now;
		log_warn("service %s (pid %d): not ready after %s: %s", svc->cfg->name,
			 (int)svc->proc.pid, format_duration(up - up % 1000, dbuf, sizeof(dbuf)),
			 svc->pr.why);
	}
}

static void
check_result(struct supervisor *sup, const struct event *ev)
{
	struct service *svc = ev->svc;
	struct check *c = ev->check;
	struct svc_probe *pr = &svc->pr;
	unsigned max = svc->cfg->health_failures ? svc->cfg->health_failures
						  : DEFAULT_HEALTH_FAILURES;

	if (svc->state != SVC_RUNNING)
		return;
	if (c->role == CHECK_ROLE_READY) {
		if (ev->ok) {
			if (pr->ready)
				return;
			log_info("service %s (pid %d): ready (%s passed)", svc->cfg->name,
				 (int)svc->proc.pid, c->spec->label);
			pr->ready = true;
			pr->why[0] = '\0';
			became_ready(sup, svc);
			return;
		}
		snprintf(pr->why, sizeof(pr->why), "check failing: %.140s", ev->text);
		not_ready_yet(sup, svc);
		if (pr->ready)
			log_warn("service %s (pid %d): not ready: check failing: %s", svc->cfg->name,
				 (int)svc->proc.pid, ev->text);
		else
			log_debug("service %s (pid %d): ready check failed: %s", svc->cfg->name,
				  (int)svc->proc.pid, ev->text);
		pr->ready = false;
		return;
	}
	if (ev->ok) {
		if (pr->unhealthy)
			log_info("service %s (pid %d): healthy again (%s passed)", svc->cfg->name,
				 (int)svc->proc.pid, c->spec->label);
		pr->unhealthy = false;
		return;
	}
	snprintf(pr->health_why, sizeof(pr->health_why), "%s", ev->text);
	if (ev->fails > max)
		return;	/* still unhealthy; said so already */
	if (ev->fails == max) {
		pr->unhealthy = true;
		log_error("service %s (pid %d): unhealthy: %u health check%s failed in a row (last: %s)",
			  svc->cfg->name, (int)svc->proc.pid, ev->fails, ev->fails == 1 ? "" : "s",
			  ev->text);
		unhealthy(sup, svc, "unhealthy");
	} else {
		log_warn("service %s (pid %d): health check failed (%u of %u in a row): %s",
			 svc->cfg->name, (int)svc->proc.pid, ev->fails, max, ev->text);
	}
}

/* ---- sd_notify ----------------------------------------------------------------- */

static void
notify_message(struct supervisor *sup, struct service *svc, pid_t sender,
	       const struct notify_msg *m)
{
	struct svc_probe *pr = &svc->pr;
	const char *name = svc->cfg->name;
	int pid = (int)svc->proc.pid;

	unsigned long held;
	char note[80];

	if (m->bad_mainpid && ratelimit_allow(&pr->warn_rl, sup->sys->now(), &held))
		log_warn("service %s (pid %d): ignoring an invalid MAINPID= from pid %d%s", name, pid,
			 (int)sender, suppressed_note(held, note, sizeof(note)));
	if (m->has_mainpid && m->mainpid == svc->proc.pid) {
		pr->mainpid = 0;	/* its own process again */
	} else if (m->has_mainpid && m->mainpid != pr->mainpid) {
		if (notify_owner(sup, m->mainpid) != svc) {
			if (ratelimit_allow(&pr->warn_rl, sup->sys->now(), &held))
				log_warn("service %s (pid %d): ignoring MAINPID=%d: not a process of this service%s",
					 name, pid, (int)m->mainpid,
					 suppressed_note(held, note, sizeof(note)));
		} else {
			pr->mainpid = m->mainpid;
			log_info("service %s (pid %d): main pid is now %d (MAINPID=)", name, pid,
				 (int)m->mainpid);
		}
	}
	if (m->has_status) {
		snprintf(pr->status, sizeof(pr->status), "%s", m->status);
		log_debug("service %s (pid %d): status: %s", name, pid, pr->status);
	}
	if (m->stopping)
		log_info("service %s (pid %d): says it is stopping (STOPPING=1)", name, pid);
	if (m->ready && service_alive(svc) && !pr->ready) {
		log_info("service %s (pid %d): ready (READY=1)", name, pid);
		pr->ready = true;
		pr->why[0] = '\0';
		if (svc->state == SVC_RUNNING)
			became_ready(sup, svc);
	}
	if (m->watchdog && svc->cfg->watchdog_ms > 0) {
		if (pr->watchdog_expired)
			log_info("service %s (pid %d): healthy again (WATCHDOG=1)", name, pid);
		pr->watchdog_expired = false;
		if (watchdog_applies(sup, svc))
			notify_watchdog_kick(sup, svc);
	}
	if (m->watchdog_trigger && svc->cfg->watchdog_ms > 0 && watchdog_applies(sup, svc)) {
		pr->watchdog_expired = true;
		notify_watchdog_stop(sup, svc);
		log_error("service %s (pid %d): unhealthy: WATCHDOG=trigger", name, pid);
		unhealthy(sup, svc, "WATCHDOG=trigger");
	}
}

static void
watchdog_expired(struct supervisor *sup, struct service *svc)
{
	char dbuf[32];

	/* a WATCHDOG=1 read just before this event re-armed it */
	if (!watchdog_applies(sup, svc) || notify_watchdog_armed(svc) || svc->pr.watchdog_expired)
		return;
	svc->pr.watchdog_expired = true;
	log_error("service %s (pid %d): unhealthy: no WATCHDOG=1 within watchdog %s",
		  svc->cfg->name, (int)svc->proc.pid,
		  format_duration(svc->cfg->watchdog_ms, dbuf, sizeof(dbuf)));
	unhealthy(sup, svc, "watchdog expired");
}

/* The service's own process was reaped. When it had named another live
 * process, leader of its own process group, with MAINPID=, that process
 * becomes the service's tracked pid: true, the service goes on. */
static bool
mainpid_takes_over(struct supervisor *sup, struct service *svc, int wstatus)
{
	pid_t mp = svc->pr.mainpid, pg;
	char sbuf[96];

	if (mp <= 0 || mp == svc->proc.pid || svc->proc.fail_step != SPAWN_STEP_NONE)
		return false;
	pg = sup->sys->getpgid(mp);
	if (pg != mp) {
		log_warn("service %s (pid %d): main pid %d (MAINPID=) %s; the service has ended",
			 svc->cfg->name, (int)svc->proc.pid, (int)mp,
			 pg < 0 ? "is gone too" : "does not lead its own process group");
		return false;
	}
	if (proc_find(sup, mp)) {
		log_warn("service %s (pid %d): main pid %d (MAINPID=) is already tracked by drainit; the service has ended",
			 svc->cfg->name, (int)svc->proc.pid, (int)mp);
		return false;
	}
	/* Only a child is drainit's to reap and signal: another process's
	 * child would exit unseen, and its pid could then be reused. */
	if (sup->sys->parent_of(mp) != getpid()) {
		log_warn("service %s (pid %d): main pid %d (MAINPID=) is not drainit's child; the service has ended",
			 svc->cfg->name, (int)svc->proc.pid, (int)mp);
		return false;
	}
	log_info("service %s (pid %d): %s; main pid %d (MAINPID=) goes on as the service",
		 svc->cfg->name, (int)svc->proc.pid, describe_status(wstatus, sbuf, sizeof(sbuf)),
		 (int)mp);
	svc->proc.pid = mp;	/* it leads its own group (checked above) */
	(void)proc_track(sup, &svc->proc);
	return true;
}

/* ---- failure for good ------------------------------------------------------- */

static void
stop_for_dependency(struct supervisor *sup, struct service *svc, const char *dep)
{
	char dbuf[32];

	svc->stop_requested = true;
	if (svc->state == SVC_BACKOFF) {
		ev_timer_stop(sup->loop, &svc->restart_timer);
		svc->state = SVC_EXITED;
		return;
	}
	if (!service_alive(svc) || svc->sent_signal)
		return;
	log_info("service %s (pid %d): stopping: it requires %s, which failed; sending %s, grace period %s",
		 svc->cfg->name, (int)svc->proc.pid, dep, signal_name(svc->cfg->stop_signal),
		 format_duration(svc->cfg->grace_ms, dbuf, sizeof(dbuf)));
	lifecycle_stop(sup, svc);
}

/* Failed for good (logged by the caller): /livez says so, the services
 * that require it stop, those waiting for it never start, and the
 * shutdown machine hears of it before it hears of them. */
static void
failed_for_good(struct supervisor *sup, struct service *svc)
{
	svc->state = SVC_FAILED;
	svc->pr.failed = true;	/* /livez */
	if (!sup->first_unclean)
		sup->first_unclean = svc;
	post_ended(sup, svc, true);
	for (size_t i = 0; i < sup->nsvcs; i++)
		if (name_list_has(&sup->svcs[i]->cfg->requires, svc->cfg->name))
			stop_for_dependency(sup, sup->svcs[i], svc->cfg->name);
	deps_changed(sup);
}

static void
fail_for_good(struct supervisor *sup, struct service *svc, const char *why)
{
	log_error("service %s: failed: %s", svc->cfg->name, why);
	failed_for_good(sup, svc);
}

/* ---- restart ------------------------------------------------------------------ */

/* Its restart delay is over: it starts again as it did the first time,
 * once what it depends on is ready. */
static void
restart_due(struct supervisor *sup, struct service *svc)
{
	if (sup->stage != STAGE_RUNNING || svc->state != SVC_BACKOFF)
		return;
	svc->state = SVC_PENDING;
	deps_changed(sup);
	if (svc->state == SVC_PENDING)
		log_waiting(sup, svc);
}

/* Records a restart; false when restart_limit forbids it. */
static bool
restart_allowed(struct supervisor *sup, struct service *svc)
{
	const struct svc_config *c = svc->cfg;
	msec_t now = sup->sys->now();
	size_t cap = (size_t)c->restart_limit;

	if (c->restart_limit <= 0)
		return true;
	if (svc->restart_log_n == cap &&
	    now - svc->restart_log[svc->restart_log_head] < c->restart_window_ms)
		return false;
	svc->restart_log[svc->restart_log_head] = now;
	svc->restart_log_head = (svc->restart_log_head + 1) % cap;
	if (svc->restart_log_n < cap)
		svc->restart_log_n++;
	return true;
}

static void
schedule_restart(struct supervisor *sup, struct service *svc)
{
	const struct svc_config *c = svc->cfg;
	msec_t ran = sup->sys->now() - svc->started_at, delay;
	char dbuf[32], lbuf[32], why[128];

	if (ran >= c->restart_reset_ms)
		svc->streak = 0;
	if (!restart_allowed(sup, svc)) {
		snprintf(why, sizeof(why), "restart limit %d/%s reached", c->restart_limit,
			 format_duration(c->restart_window_ms, lbuf, sizeof(lbuf)));
		fail_for_good(sup, svc, why);
		return;
	}
	delay = lifecycle_backoff(c, svc->streak);
	svc->streak++;
	svc->restarts++;
	svc->state = SVC_BACKOFF;
	log_info("service %s: restarting in %s (restart %u, restart = %s)", c->name,
		 format_duration(delay, dbuf, sizeof(dbuf)), svc->restarts,
		 c->restart == RESTART_ALWAYS ? "always" : "on-failure");
	timer_arm(sup->loop, &svc->restart_timer, delay);
}

/* One run of the service is over: decide what comes next. */
static void
next_after_run(struct supervisor *sup, struct service *svc, bool failed)
{
	const struct svc_config *c = svc->cfg;

	if (svc->health_restart) {	/* stopped for failing its health check */
		svc->health_restart = false;
		failed = true;
	}
	if (svc->restart_pending && sup->stage == STAGE_RUNNING) {
		bool reloaded = svc->next_cfg != NULL;

		svc->restart_pending = false;
		svc->stop_requested = false;
		svc->completed = false;
		svc->restarts++;
		if (reloaded)
			lifecycle_adopt_config(sup, svc);
		log_info("service %s: starting again (%s)", c->name,
			 reloaded ? "with its new settings: drainit ctl reload-config"
				  : "drainit ctl restart");
		svc->state = SVC_PENDING;
		deps_changed(sup);
		return;
	}

	if (sup->stage != STAGE_RUNNING || svc->stop_requested) {
		if (!service_clean(svc) && !sup->first_unclean)
			sup->first_unclean = svc;
		post_ended(sup, svc, false);
		return;
	}
	if (svc->notfound) {
		fail_for_good(sup, svc, "command not found");
		return;
	}
	if (c->restart == RESTART_ALWAYS || (c->restart == RESTART_ON_FAILURE && failed)) {
		schedule_restart(sup, svc);
		return;
	}
	if (c->type == SVC_TYPE_ONESHOT) {
		if (!failed) {
			svc->completed = true;
			svc->state = SVC_EXITED;
			log_info("service %s: completed", c->name);
			deps_changed(sup);
			post_ended(sup, svc, false);
		} else {
			fail_for_good(sup, svc, "one-shot task did not exit 0");
		}
		return;
	}
	if (svc->state == SVC_FAILED || failed) {
		if (!sup->first_unclean)
			sup->first_unclean = svc;
		svc->pr.failed = true;	/* ended uncleanly, no restart coming: /livez */
		if (svc->state == SVC_FAILED || !svc->was_ready) {
			fail_for_good(sup, svc, "it never got running");
			return;
		}
	}
	/* It will not come back: /livez says so, as /readyz does. */
	svc->pr.gone = !svc->stop_requested && !svc->ctl_stopped;
	deps_changed(sup);
	post_ended(sup, svc, false);
}

static void resume_waiting_stops(struct supervisor *sup);

/* The daemon of a forking service is gone: a pid file that still names
 * it is removed, so that the next run waits for its own daemon's. */
static void
forget_pidfile(struct service *svc)
{
	char why[256];
	bool stale;

	if (svc->adopted_pid > 0 && read_pidfile(svc, why, sizeof(why), &stale) == svc->adopted_pid &&
	    unlink(svc->cfg->pidfile) < 0 && errno != ENOENT)
		log_warn("service %s: cannot remove pid file %s: %s", svc->cfg->name, svc->cfg->pidfile,
			 strerror(errno));
	svc->adopted_pid = 0;
}

static void
run_ended(struct supervisor *sup, struct service *svc, bool failed)
{
	svc->stop_waiting = false;
	svc->draining = false;	/* a hook still running stops nothing of a next run */
	forget_pidfile(svc);
	next_after_run(sup, svc, failed);
	resume_waiting_stops(sup);	/* svc may have been what they waited for */
}

/* ---- forking daemons ------------------------------------------------------------ */

/* Reads svc's pid file: >0 a pid, 0 not there (yet), <0 a reason in why.
 * Trusted only when it cannot have been planted: a regular file (not
 * followed through a symlink), owned by root, drainit or the service's
 * user, in a directory that others cannot write to (or a sticky one),
 * holding one positive integer and nothing else. */
static pid_t
read_pidfile(const struct service *svc, char *why, size_t len, bool *stale)
{
	const char *path = svc->cfg->pidfile;
	char buf[PIDFILE_MAX + 1], dir[PATH_MAX], *end, *slash;
	struct stat st, dst;
	ssize_t n;
	long v;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(why, len, "cannot open pid file %s: %s", path,
			 errno == ELOOP ? "it is a symbolic link" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(why, len, "pid file %s is not a regular file", path);
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid() &&
	    !(svc->cfg->has_uid && st.st_uid == svc->cfg->uid)) {
		close(fd);
		snprintf(why, len, "pid file %s is owned by uid %u, not by root or the service's user",
			 path, (unsigned)st.st_uid);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	if (stat(slash ? dir : ".", &dst) == 0 && (dst.st_mode & S_IWOTH) &&
	    !(dst.st_mode & S_ISVTX)) {
		close(fd);
		snprintf(why, len, "pid file %s is in a directory anyone can write to", path);
		return -1;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 0)
		return 0;	/* created, not written yet */
	if (n > PIDFILE_MAX) {
		snprintf(why, len, "pid file %s is larger than %d bytes", path, PIDFILE_MAX);
		return -1;
	}
	buf[n] = '\0';
	if (buf[0] < '0' || buf[0] > '9')
		goto bad;
	errno = 0;
	v = strtol(buf, &end, 10);
	while (*end == '\n' || *end == ' ' || *end == '\t' || *end == '\r')
		end++;
	if (errno || *end || v <= 0 || v > 4194304)
		goto bad;
	/* Still the file this run found at its start: the last daemon's. */
	*stale = svc->old_pidfile && st.st_ino == svc->old_pidfile_ino &&
		 st.st_mtim.tv_sec == svc->old_pidfile_mtim.tv_sec &&
		 st.st_mtim.tv_nsec == svc->old_pidfile_mtim.tv_nsec && (pid_t)v == svc->old_pidfile_pid;
	return (pid_t)v;
bad:
	snprintf(why, len, "pid file %s does not hold one positive number", path);
	return -1;
}

/* What the pid file is as this run starts, to tell a stale one (the
 * daemon has not written it yet) from the new daemon's: a different
 * file, time or pid is new. Not by time alone: a file system may keep
 * whole seconds. */
static void
note_old_pidfile(struct service *svc)
{
	char why[256];
	bool stale;
	struct stat st;

	svc->old_pidfile = false;
	if (lstat(svc->cfg->pidfile, &st) < 0)
		return;
	svc->old_pidfile_pid = read_pidfile(svc, why, sizeof(why), &stale);
	svc->old_pidfile = svc->old_pidfile_pid > 0;
	svc->old_pidfile_ino = st.st_ino;
	svc->old_pidfile_mtim = st.st_mtim;
}

static void
stop_waiting(struct supervisor *sup, struct service *svc)
{
	svc->waiting_pidfile = false;
	watch_pidfile_stop(sup, svc);
	ev_timer_stop(sup->loop, &svc->start_timer);
}

/* 1 adopted, 0 keep waiting, -1 failed (reason logged, run ended). */
static int
try_adopt(struct supervisor *sup, struct service *svc, bool last_chance)
{
	char why[256];
	bool stale = false;
	pid_t pid = read_pidfile(svc, why, sizeof(why), &stale);
	pid_t target, pp = pid > 0 ? sup->sys->parent_of(pid) : -1;
	struct proc *owner;

	if (!svc->waiting_pidfile)
		return -1;
	if (pid > 0 && stale && !last_chance) {
		watch_pidfile_poll(sup, svc);	/* a rewrite may not show in its stat */
		return 0;	/* the last run's: the daemon writes it soon */
	}
	if (pid == 0 && !last_chance)
		return 0;	/* none yet */
	if (pid == 0 && svc->state == SVC_KILLING)
		snprintf(why, sizeof(why), "pid file %s had not named its daemon when the shutdown stopped waiting for it",
			 svc->cfg->pidfile);
	else if (pid == 0)
		snprintf(why, sizeof(why), "pid file %s did not appear within start_timeout",
			 svc->cfg->pidfile);
	else if (pid > 0 && stale) {
		snprintf(why, sizeof(why), "pid file %s was not written since the service started (it names pid %d)",
			 svc->cfg->pidfile, (int)pid);
		pid = -1;
	} else if (pid > 0 && pp != getpid()) {
		if (pp < 0)
			snprintf(why, sizeof(why), "pid %d from %s is not running",
				 (int)pid, svc->cfg->pidfile);
		else
			snprintf(why, sizeof(why),
				 "pid %d from %s is not a child of drainit (its parent is %d); refusing to track it",
				 (int)pid, svc->cfg->pidfile, (int)pp);
		pid = -1;
	} else if (pid > 0 && (owner = proc_find(sup, pid))) {
		snprintf(why, sizeof(why), "pid %d from %s is already tracked by drainit; refusing to track it twice",
			 (int)pid, svc->cfg->pidfile);
		pid = -1;
	}
	stop_waiting(sup, svc);
	if (pid <= 0) {
		log_error("service %s: failed to start: %s", svc->cfg->name, why);
		svc->state = SVC_FAILED;	/* a start that failed: 126, never clean */
		svc->proc.fail_step = SPAWN_STEP_PIDFILE;
		snprintf(svc->start_why, sizeof(svc->start_why), "%s", why);
		run_ended(sup, svc, true);
		return -1;
	}
	svc->proc.pid = pid;
	svc->adopted_pid = pid;
	svc->proc.fail_step = SPAWN_STEP_NONE;
	(void)proc_track(sup, &svc->proc);
	/* Where its signals go is decided when each is sent (service_target):
	 * a daemon that moves to a group of its own later is followed. */
	target = service_target(sup, svc);
	log_info("service %s (pid %d): running: tracking pid %d from %s (%s %d)", svc->cfg->name,
		 (int)pid, (int)pid, svc->cfg->pidfile, target < 0 ? "process group" : "pid",
		 (int)(target < 0 ? -target : target));
	if (svc->state == SVC_KILLING) {	/* SIGKILLed before it was known */
		log_info("service %s (pid %d): it was sent SIGKILL while its pid file was awaited: sending it now",
			 svc->cfg->name, (int)pid);
		lifecycle_kill(sup, svc);
		return 1;
	}
	if (svc->state == SVC_STOPPING) {	/* asked to stop before it was known */
		log_info("service %s (pid %d): it was asked to stop while its pid file was awaited: sending %s now",
			 svc->cfg->name, (int)pid, signal_name(svc->sent_signal));
		lifecycle_stop(sup, svc);
		return 1;
	}
	svc->state = SVC_RUNNING;
	service_running(sup, svc);
	return 1;
}

static void
launcher_exited(struct supervisor *sup, struct service *svc)
{
	char dbuf[32];

	svc->launching = false;
	if (svc->state == SVC_FAILED || !WIFEXITED(svc->wstatus) || WEXITSTATUS(svc->wstatus) != 0) {
		run_ended(sup, svc, true);
		return;
	}
	/* Exited 0: the daemon is in the background now. Stay STARTING,
	 * or, when it was being stopped already, stopping: the daemon gets
	 * the stop once it is known (try_adopt). */
	if (svc->state != SVC_STOPPING && svc->state != SVC_KILLING)
		svc->state = SVC_STARTING;
	svc->proc.pid = 0;
	svc->waiting_pidfile = true;
	/* The launcher was reaped with its group empty (the daemon moved to a
	 * session of its own): that group's number is free for anyone now,
	 * so nothing is sent to it; the pid file names what is ours. */
	if (!service_group_alive(sup, svc)) {
		log_debug("service %s: the launcher's process group (pgid %d) is empty: no signal goes to it",
			  svc->cfg->name, (int)svc->spawn_pgid);
		svc->spawn_pgid = 0;
	}
	if (sup->stage >= STAGE_KILLING) {
		try_adopt(sup, svc, true);
		return;
	}
	if (try_adopt(sup, svc, false) != 0)
		return;
	log_info("service %s: waiting up to %s for pid file %s", svc->cfg->name,
		 format_duration(svc->cfg->start_timeout_ms, dbuf, sizeof(dbuf)), svc->cfg->pidfile);
	watch_pidfile_start(sup, svc);
	timer_arm(sup->loop, &svc->start_timer, svc->cfg->start_timeout_ms);
}

/* ---- exits ------------------------------------------------------------------------ */

/* The main process is gone but its group is not: the processes left in
 * it belong to the service. They get its stop signal now (unless it was
 * sent already) and its grace; the run is over when the group is empty. */
static void
leftovers(struct supervisor *sup, struct service *svc)
{
	char dbuf[32];

	svc->main_exited = true;
	svc->proc.pid = 0;
	check_stop(sup, svc);
	notify_watchdog_stop(sup, svc);
	svc->pr.ready = false;
	if (svc->killed) {	/* the SIGKILL went to the whole group */
		log_info("service %s: processes are left in its process group (pgid %d): SIGKILLed with it",
			 svc->cfg->name, (int)svc->spawn_pgid);
		svc->state = SVC_KILLING;
		svc->recheck_ms = GROUP_RECHECK_MS;
		timer_arm(sup->loop, &svc->step_timer, svc->recheck_ms);
		return;
	}
	if (svc->sent_signal) {
		log_info("service %s: processes are left in its process group (pgid %d): they get the rest of its grace period",
			 svc->cfg->name, (int)svc->spawn_pgid);
		return;
	}
	log_info("service %s: processes are left in its process group (pgid %d): sending %s, grace period %s",
		 svc->cfg->name, (int)svc->spawn_pgid, signal_name(lifecycle_stop_signal(sup, svc)),
		 format_duration(svc->cfg->grace_ms, dbuf, sizeof(dbuf)));
	lifecycle_stop(sup, svc);
}

/* An adopted process was reaped: it may have been the last one left in a
 * service's group. */
static void
orphan_reaped(struct supervisor *sup)
{
	for (size_t i = 0; i < sup->nsvcs; i++)
		(void)group_gone(sup, sup->svcs[i]);
}

/* A non-zero exit that success_exit does not list, or death by a signal
 * drainit did not send: logged at warn. */
static bool
crashed(const struct service *svc, int wstatus)
{
	int sig;

	if (status_success(svc->cfg, wstatus))
		return false;
	if (WIFEXITED(wstatus))
		return true;
	if (!WIFSIGNALED(wstatus))
		return false;
	sig = WTERMSIG(wstatus);
	if (sig == SIGKILL && svc->killed)
		return false;
	return !(sig < SIG_SLOTS && (svc->sent_mask & ((uint64_t)1 << (sig - 1))));
}

static void
svc_exited(struct supervisor *sup, struct service *svc, int wstatus)
{
	char buf[96], dbuf[32];
	msec_t ran = sup->sys->now() - svc->started_at;

	if (!service_alive(svc) || svc->main_exited)
		return;
	if (mainpid_takes_over(sup, svc, wstatus))
		return;
	svc->wstatus = wstatus;
	if (svc->proc.fail_step == SPAWN_STEP_NONE)
		log_msg(crashed(svc, wstatus) ? LOG_WARN : LOG_INFO,
			"service %s (pid %d): %s%s after %s", svc->cfg->name, (int)svc->proc.pid,
			 svc->launching ? "launcher " : "",
			 describe_status(wstatus, buf, sizeof(buf)),
			 format_duration(ran, dbuf, sizeof(dbuf)));
	if (!svc->launching && svc->proc.fail_step == SPAWN_STEP_NONE &&
	    service_group_alive(sup, svc)) {
		leftovers(sup, svc);
		return;
	}
	run_over(sup, svc);
}

/* Its main process and its whole group are gone: the run is over. */
static void
run_over(struct supervisor *sup, struct service *svc)
{
	struct svc_probe *pr = &svc->pr;
	bool failed;

	ptimer_stop(sup->loop, &svc->grace_timer);
	ev_timer_stop(sup->loop, &svc->step_timer);
	svc->main_exited = false;
	svc->state = svc->proc.fail_step != SPAWN_STEP_NONE ? SVC_FAILED : SVC_EXITED;
	check_stop(sup, svc);
	notify_watchdog_stop(sup, svc);
	pr->mainpid = 0;
	/* a forking launcher's exit 0 is how its daemon starts, not an end */
	if (!svc->launching || svc->state == SVC_FAILED || !WIFEXITED(svc->wstatus) ||
	    WEXITSTATUS(svc->wstatus) != 0)
		pr->exits++;
	pr->ready = false;
	pr->unhealthy = false;
	pr->watchdog_expired = false;
	/* pr->failed (for /livez) is set by run_ended: a crash that will be
	 * restarted is not a failure yet. */
	if (svc->launching) {
		launcher_exited(sup, svc);
		return;
	}
	failed = svc->state == SVC_FAILED || !status_success(svc->cfg, svc->wstatus);
	run_ended(sup, svc, failed);
}

void
lifecycle_shutdown_begins(struct supervisor *sup)
{
	for (size_t i = 0; i < sup->nsvcs; i++) {
		struct service *svc = sup->svcs[i];

		/* the shutdown stops it now, in its own order, and for good */
		svc->restart_pending = false;
		svc->draining = false;

		if (svc->state == SVC_BACKOFF) {
			ev_timer_stop(sup->loop, &svc->restart_timer);
			svc->state = SVC_EXITED;
			if (!service_clean(svc) && !sup->first_unclean)
				sup->first_unclean = svc;
		}
		if (svc->waiting_pidfile)	/* there already: stopped as it is; else awaited */
			try_adopt(sup, svc, false);
	}
}

/* ---- job control ------------------------------------------------------------------ */

/* A terminal stop signal went to the services; drainit stops too, until
 * SIGCONT (which it forwards). As PID 1 it cannot: the kernel ignores a
 * SIGSTOP PID 1 sends itself. */
static void
job_control_stop(struct supervisor *sup, int sig)
{
	if (sup->is_pid1) {
		log_info("%s: drainit does not stop itself as PID 1", signal_name(sig));
		return;
	}
	log_info("%s: stopping drainit itself (SIGSTOP) until SIGCONT", signal_name(sig));
	if (sup->sys->kill(getpid(), SIGSTOP) < 0)
		log_warn("cannot stop drainit: %s", strerror(errno));
}

/* ---- drainit ctl requests ------------------------------------------------------- */

static void
answer(const struct event *ev, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
answer(const struct event *ev, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (!ev->reply)
		return;
	ev->reply->done = true;
	ev->reply->ok = ok;
	va_start(ap, fmt);
	vsnprintf(ev->reply->msg, sizeof(ev->reply->msg), fmt, ap);
	va_end(ap);
}

/* Its stop signal now; the caller said why in the log. */
static void
ctl_signal_stop(struct supervisor *sup, struct service *svc, const char *what)
{
	char dbuf[32];

	if (svc->waiting_pidfile)	/* lifecycle_stop says what it waits for */
		log_info("service %s: stopping (%s)", svc->cfg->name, what);
	else
		log_info("service %s (pid %d): stopping (%s): sending %s, grace period %s",
			 svc->cfg->name, (int)svc->proc.pid, what, signal_name(svc->cfg->stop_signal),
			 format_duration(svc->cfg->grace_ms, dbuf, sizeof(dbuf)));
	lifecycle_stop(sup, svc);
}

/* Puts a service that does not run back on the way to starting: it
 * starts once its dependencies are met (at once, usually). */
static void
ctl_start_again(struct supervisor *sup, struct service *svc)
{
	if (svc->state == SVC_BACKOFF)
		ev_timer_stop(sup->loop, &svc->restart_timer);
	if (svc->next_cfg)	/* changed by a reload while it was stopped */
		lifecycle_adopt_config(sup, svc);
	svc->ctl_stopped = false;
	svc->stop_requested = false;
	svc->completed = false;
	svc->notfound = false;
	svc->streak = 0;
	svc->restart_log_n = svc->restart_log_head = 0;
	svc->pr.failed = false;
	svc->state = SVC_PENDING;
	deps_changed(sup);
}

static void
ctl_start(struct supervisor *sup, struct service *svc, const struct event *ev)
{
	const char *name = svc->cfg->name;

	if (sup->stage != STAGE_RUNNING) {
		answer(ev, false, "drainit is shutting down (stage %s)", stage_name(sup->stage));
		return;
	}
	if (svc->removed) {
		answer(ev, false, "service %s was removed from the configuration: it is not started again", name);
		return;
	}
	if (service_alive(svc)) {
		if (svc->sent_signal || svc->draining || svc->stop_waiting)
			answer(ev, false, "service %s is stopping; start it once it has stopped", name);
		else
			answer(ev, true, "service %s is already running", name);
		return;
	}
	if (svc->state == SVC_PENDING) {
		answer(ev, true, "service %s waits for its dependencies", name);
		return;
	}
	log_info("service %s: starting (drainit ctl start)", name);
	ctl_start_again(sup, svc);
	if (service_alive(svc))
		answer(ev, true, "service %s started (pid %d)", name, (int)svc->proc.pid);
	else if (svc->state == SVC_PENDING)
		answer(ev, true, "service %s waits for its dependencies", name);
	else if (failed_dependency(sup, svc))
		answer(ev, false, "service %s did not start: it depends on %s, which failed (start that first)",
		       name, failed_dependency(sup, svc));
	else
		answer(ev, false, "service %s did not start (%s)", name, svc_state_name(svc->state));
}

/* The stop itself: its drain hooks first, else its stop signal now. */
static void
ctl_begin_stop(struct supervisor *sup, struct service *svc)
{
	const char *what = svc->stop_why ? svc->stop_why : "drainit ctl stop";
	size_t hooks = hooks_start_service(sup, svc);

	if (hooks > 0) {
		svc->draining = true;
		log_info("service %s (pid %d): stopping (%s): %zu drain hook%s first",
			 svc->cfg->name, (int)svc->proc.pid, what, hooks, hooks == 1 ? "" : "s");
	} else {
		ctl_signal_stop(sup, svc, what);
	}
}

/* stop and restart: the service's drain hooks, then its stop signal and
 * grace period, then SIGKILL (lifecycle_stop). A stopped service stays
 * stopped (no restart policy applies) until drainit ctl start. */
static void
ctl_stop(struct supervisor *sup, struct service *svc, const struct event *ev, bool restart)
{
	const char *name = svc->cfg->name;
	const char *what = ev->by_reload ? (restart ? "reload-config: its settings changed"
						    : "reload-config: removed from the file")
					 : (restart ? "drainit ctl restart" : "drainit ctl stop");
	struct service *dep;

	if (sup->stage != STAGE_RUNNING) {
		answer(ev, false, "drainit is shutting down (stage %s)", stage_name(sup->stage));
		return;
	}
	if (svc->removed && restart) {
		answer(ev, false, "service %s was removed from the configuration: it is not started again", name);
		return;
	}
	if (svc->waiting_pidfile)
		try_adopt(sup, svc, false);	/* the daemon, if it is there already, is what stops */
	if (!service_alive(svc)) {
		if (svc->state == SVC_BACKOFF)
			ev_timer_stop(sup->loop, &svc->restart_timer);
		if (restart) {
			log_info("service %s: starting (drainit ctl restart; it was %s)", name,
				 svc_state_name(svc->state));
			ctl_start_again(sup, svc);
			answer(ev, true, "service %s was not running: %s", name,
			       service_alive(svc) ? "started" : svc_state_name(svc->state));
			return;
		}
		if (svc->state == SVC_BACKOFF || svc->state == SVC_PENDING)
			svc->state = SVC_EXITED;
		svc->stop_requested = true;
		svc->ctl_stopped = true;
		log_info("service %s: stopped (drainit ctl stop; it was not running)", name);
		answer(ev, true, "service %s was not running; it stays stopped", name);
		return;
	}
	svc->stop_requested = true;
	svc->ctl_stopped = !restart;
	svc->restart_pending = restart;
	if (svc->sent_signal || svc->draining || svc->stop_waiting) {
		answer(ev, true, "service %s is already stopping", name);
		return;
	}
	svc->stop_why = what;
	dep = service_stopping_dependent(sup, svc);
	if (dep) {
		/* As at shutdown: what depends on it stops first. */
		svc->stop_waiting = true;
		log_info("service %s (pid %d): stopping (%s): waits for %s to stop first", name,
			 (int)svc->proc.pid, what, dep->cfg->name);
		answer(ev, true, "service %s is stopping (once %s has stopped)", name, dep->cfg->name);
		return;
	}
	ctl_begin_stop(sup, svc);
	answer(ev, true, "service %s is stopping", name);
}

/* A service whose stop waited for a dependent: its turn once none that
 * depends on it is still stopping. */
static void
resume_waiting_stops(struct supervisor *sup)
{
	for (size_t i = 0; i < sup->nsvcs; i++) {
		struct service *svc = sup->svcs[i];

		if (!svc->stop_waiting || service_stopping_dependent(sup, svc))
			continue;
		svc->stop_waiting = false;
		if (sup->stage != STAGE_RUNNING || !service_alive(svc))
			continue;	/* the shutdown, or its own end, took over */
		ctl_begin_stop(sup, svc);
	}
}

/* A drain hook ended: a service drained by ctl stop gets its stop
 * signal once its last hook is done. */
static void
hook_ended(struct supervisor *sup, struct hook *h)
{
	struct service *svc = h->svc;

	if (!svc || !svc->draining || hooks_running_of(sup, svc) > 0)
		return;
	svc->draining = false;
	if (sup->stage == STAGE_RUNNING && service_alive(svc) && !svc->sent_signal)
		ctl_signal_stop(sup, svc, svc->stop_why ? svc->stop_why : "drainit ctl stop");
}

static void
ctl_signal(struct supervisor *sup, struct service *svc, const struct event *ev)
{
	char tbuf[32];
	int r;

	if (!service_alive(svc)) {
		answer(ev, false, "service %s is not running (%s)", svc->cfg->name,
		       svc_state_name(svc->state));
		return;
	}
	service_target_name(sup, svc, tbuf, sizeof(tbuf));
	r = service_signal(sup, svc, ev->sig);
	if (r == -ESRCH && svc->waiting_pidfile && svc->spawn_pgid <= 0) {
		answer(ev, false, "service %s has no process to signal yet (it waits for its pid file %s)",
		       svc->cfg->name, svc->cfg->pidfile);
		return;
	}
	if (r < 0 && r != -ESRCH) {
		answer(ev, false, "cannot send %s to service %s: %s", signal_name(ev->sig),
		       svc->cfg->name, strerror(-r));
		return;
	}
	log_info("service %s (pid %d): sent %s to %s (drainit ctl)", svc->cfg->name,
		 (int)svc->proc.pid, signal_name(ev->sig), tbuf);
	answer(ev, true, "sent %s to service %s (%s)", signal_name(ev->sig), svc->cfg->name, tbuf);
}

/* ---- a configuration reload ------------------------------------------------------ */

void
lifecycle_adopt_config(struct supervisor *sup, struct service *svc)
{
	struct svc_config *c = svc->next_cfg;

	if (!c || service_alive(svc))
		return;
	svc->next_cfg = NULL;
	notify_watchdog_stop(sup, svc);
	if (service_set_config(sup, svc, c) < 0 || check_replace(sup, svc) < 0)
		log_error("service %s: out of memory taking its new settings; some may be missing (drain hooks, checks)",
			  c->name);
	svc->pr.ready = false;
	svc->pr.why[0] = '\0';
}

/* ---- the one entry point ---------------------------------------------------------- */

static struct service *
service_of(const struct event *ev)
{
	if (ev->proc)
		return ev->proc->kind == PROC_SERVICE ? container_of(ev->proc, struct service, proc)
						      : NULL;
	return ev->svc;
}

void
lifecycle_handle(struct supervisor *sup, const struct event *ev)
{
	struct service *svc = service_of(ev);

	switch (ev->kind) {
	case EVT_PROC_EXEC:
		if (svc)
			on_exec(sup, svc);
		break;
	case EVT_PROC_EXITED:
		if (svc)
			svc_exited(sup, svc, ev->wstatus);
		else if (ev->proc && ev->proc->kind == PROC_HOOK)
			hook_ended(sup, container_of(ev->proc, struct hook, proc));
		break;
	case EVT_CHECK_RESULT:
		check_result(sup, ev);
		break;
	case EVT_NOTIFY:
		notify_message(sup, svc, ev->pid, &ev->notify);
		break;
	case EVT_WATCHDOG_EXPIRED:
		watchdog_expired(sup, svc);
		break;
	case EVT_RESTART_DUE:
		restart_due(sup, svc);
		break;
	case EVT_PIDFILE_CHANGED:
		try_adopt(sup, svc, false);
		break;
	case EVT_START_TIMEOUT:
		try_adopt(sup, svc, true);
		break;
	case EVT_GRACE_EXPIRED:
		grace_expired(sup, svc);
		break;
	case EVT_STOP_STEP_DUE:
		stop_step_due(sup, svc);
		break;
	case EVT_ORPHAN_REAPED:
		orphan_reaped(sup);
		break;
	case EVT_SIGNAL:
		if (ev->sig == SIGTERM || ev->sig == SIGINT)
			break;	/* the shutdown machine's */
		if (ev->sig == SIGHUP)
			output_reopen(sup);	/* file:PATH outputs, for logrotate */
		if (ev->sig == SIGHUP && sup->cfg->sighup == SIGHUP_RELOAD)
			break;	/* sighup = reload: a config reload (dispatch.c), not forwarded */
		service_forward_all(sup, ev->sig);
		if (ev->sig == SIGTSTP || ev->sig == SIGTTIN || ev->sig == SIGTTOU)
			job_control_stop(sup, ev->sig);
		break;
	case EVT_START_PENDING:
		if (sup->stage == STAGE_RUNNING)
			lifecycle_start_all(sup);
		break;
	case EVT_CTL_START:
		ctl_start(sup, svc, ev);
		break;
	case EVT_CTL_STOP:
	case EVT_CTL_RESTART:
		ctl_stop(sup, svc, ev, ev->kind == EVT_CTL_RESTART);
		break;
	case EVT_CTL_SIGNAL:
		ctl_signal(sup, svc, ev);
		break;
	default:
		break;
	}
}
