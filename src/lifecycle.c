/* lifecycle.c: restarts, dependencies, one-shots, forking daemons.
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
 * that `requires` it are stopped, and [drainit] on_failure decides between
 * a staged shutdown and keeping the rest.
 *
 * Dependencies: a PENDING service starts when every service it is `after`
 * (or `requires`) is ready: a oneshot once it exited 0, another service
 * once it runs. Shutdown runs the same graph in reverse (shutdown.c asks
 * lifecycle_live_dependent()).
 *
 * Forking daemons: the command's first process must exit 0; the pid file
 * is then read (ev_stat, bounded by start_timeout) and the pid adopted only
 * if it is drainit's child (reparented to us as PID 1 or subreaper):
 * drainit never signals a process it does not own. */
#include "lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "log.h"
#include "reaper.h"
#include "service.h"
#include "shutdown.h"

static void deps_changed(struct supervisor *sup);

/* ---- helpers --------------------------------------------------------------- */

static struct service *
find(struct supervisor *sup, const char *name)
{
	for (size_t i = 0; i < sup->nsvcs; i++)
		if (strcmp(sup->svcs[i].cfg->name, name) == 0)
			return &sup->svcs[i];
	return NULL;
}

static bool
satisfied(const struct service *dep)
{
	if (dep->cfg->type == SVC_TYPE_ONESHOT)
		return dep->completed;
	return dep->was_ready;
}

static bool
blocked(const struct service *dep)
{
	if (dep->state == SVC_FAILED)
		return true;
	return dep->cfg->type == SVC_TYPE_ONESHOT && dep->state == SVC_EXITED && !dep->completed;
}

struct service *
lifecycle_live_dependent(struct supervisor *sup, const struct service *svc)
{
	for (size_t i = 0; i < sup->nsvcs; i++) {
		struct service *o = &sup->svcs[i];
		if (o != svc && service_alive(o) && svc_depends_on(o->cfg, svc->cfg->name))
			return o;
	}
	return NULL;
}

size_t
lifecycle_count_active(const struct supervisor *sup)
{
	size_t n = 0;
	for (size_t i = 0; i < sup->nsvcs; i++) {
		const struct service *s = &sup->svcs[i];
		n += service_alive(s) || s->state == SVC_BACKOFF || s->state == SVC_PENDING;
	}
	return n;
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
	if (service_start(sup, svc) < 0)
		lifecycle_on_exit(sup, svc);	/* could not fork: a failed run */
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
			struct service *svc = &sup->svcs[i];
			const struct name_list *lists[2] = { &svc->cfg->after, &svc->cfg->requires };
			const char *blocker = NULL;
			bool ready = true;

			if (svc->state != SVC_PENDING)
				continue;
			for (int l = 0; l < 2; l++)
				for (size_t k = 0; k < lists[l]->n; k++) {
					struct service *dep = find(sup, lists[l]->names[k]);
					if (!dep)
						continue;
					if (blocked(dep))
						blocker = dep->cfg->name;
					else if (!satisfied(dep))
						ready = false;
				}
			if (blocker) {
				svc->state = SVC_FAILED;
				log_error("service %s: will not start: it depends on %s, which failed",
					  svc->cfg->name, blocker);
				changed = true;
			} else if (ready) {
				start_one(sup, svc);
				changed = true;
			}
		}
	}
}

void
lifecycle_start_all(struct supervisor *sup)
{
	for (size_t i = 0; i < sup->nsvcs; i++) {
		struct service *svc = &sup->svcs[i];
		ev_init(&svc->restart_timer, NULL);
		ev_init(&svc->start_timer, NULL);
		if (svc->cfg->restart_limit > 0 && !svc->restart_log)
			svc->restart_log = calloc((size_t)svc->cfg->restart_limit,
						  sizeof(*svc->restart_log));
	}
	for (size_t i = 0; i < sup->nsvcs; i++) {
		struct service *svc = &sup->svcs[i];
		if (svc->cfg->after.n == 0 && svc->cfg->requires.n == 0 &&
		    svc->state == SVC_PENDING && sup->stage == STAGE_RUNNING)
			start_one(sup, svc);
	}
	deps_changed(sup);
	for (size_t i = 0; i < sup->nsvcs; i++)
		if (sup->svcs[i].state == SVC_PENDING && sup->stage == STAGE_RUNNING)
			log_info("service %s: waiting for its dependencies", sup->svcs[i].cfg->name);
}

void
lifecycle_on_running(struct supervisor *sup, struct service *svc)
{
	if (svc->pr.ready)	/* ready = none: ready as soon as it runs */
		lifecycle_on_ready(sup, svc);
}

void
lifecycle_on_ready(struct supervisor *sup, struct service *svc)
{
	if (svc->was_ready)
		return;
	svc->was_ready = true;
	deps_changed(sup);
}

void
lifecycle_on_unhealthy(struct supervisor *sup, struct service *svc, const char *why)
{
	char dbuf[32];

	if (sup->stage != STAGE_RUNNING || svc->cfg->restart == RESTART_NO ||
	    svc->state != SVC_RUNNING || svc->sent_signal)
		return;	/* reported only (/livez, /status) */
	svc->health_restart = true;
	log_warn("service %s (pid %d): restarting: %s; sending %s, grace period %s",
		 svc->cfg->name, (int)svc->proc.pid, why, signal_name(svc->cfg->stop_signal),
		 format_duration(svc->cfg->grace_ms, dbuf, sizeof(dbuf)));
	service_stop(sup, svc);
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
	service_stop(sup, svc);
}

static void
fail_for_good(struct supervisor *sup, struct service *svc, const char *why)
{
	char reason[160];

	svc->state = SVC_FAILED;
	svc->pr.failed = true;	/* /livez */
	log_error("service %s: failed: %s", svc->cfg->name, why);
	if (!sup->first_unclean)
		sup->first_unclean = svc;
	for (size_t i = 0; i < sup->nsvcs; i++) {
		struct service *o = &sup->svcs[i];
		for (size_t k = 0; k < o->cfg->requires.n; k++)
			if (strcmp(o->cfg->requires.names[k], svc->cfg->name) == 0)
				stop_for_dependency(sup, o, svc->cfg->name);
	}
	deps_changed(sup);
	if (svc != sup->main && sup->cfg->on_failure == ON_FAILURE_SHUTDOWN &&
	    sup->stage == STAGE_RUNNING) {
		snprintf(reason, sizeof(reason), "service %s failed", svc->cfg->name);
		shutdown_begin(sup, reason);
		return;
	}
	shutdown_on_service_exit(sup, svc);
}

/* ---- restart ------------------------------------------------------------------ */

static void
restart_timer_cb(EV_P_ ev_timer *w, int revents)
{
	struct supervisor *sup = ev_userdata(EV_A);
	struct service *svc = container_of(w, struct service, restart_timer);

	(void)revents;
	if (sup->stage != STAGE_RUNNING || svc->state != SVC_BACKOFF)
		return;
	svc->state = SVC_PENDING;
	start_one(sup, svc);
}

/* Records a restart; false when restart_limit forbids it. */
static bool
restart_allowed(struct supervisor *sup, struct service *svc)
{
	const struct svc_config *c = svc->cfg;
	msec_t now = sup->sys->now();
	size_t cap = (size_t)c->restart_limit;

	if (!svc->restart_log)
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
	ev_timer_init(&svc->restart_timer, restart_timer_cb, (ev_tstamp)delay / 1000.0, 0.);
	ev_timer_start(sup->loop, &svc->restart_timer);
}

/* One run of the service is over: decide what comes next. */
static void
run_ended(struct supervisor *sup, struct service *svc, bool failed)
{
	const struct svc_config *c = svc->cfg;

	if (svc->health_restart) {	/* stopped for failing its health check */
		svc->health_restart = false;
		failed = true;
	}

	if (sup->stage != STAGE_RUNNING || svc->stop_requested) {
		if (!service_clean(svc) && !sup->first_unclean && svc->state != SVC_FAILED)
			sup->first_unclean = svc;
		shutdown_on_service_exit(sup, svc);
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
			shutdown_on_service_exit(sup, svc);
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
	deps_changed(sup);
	shutdown_on_service_exit(sup, svc);
}

/* ---- forking daemons ------------------------------------------------------------ */

/* Reads the pid file: >0 a pid, 0 not there (yet), <0 a reason in why. */
static pid_t
read_pidfile(const char *path, char *why, size_t len)
{
	char buf[32], *end;
	ssize_t n;
	long v;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(why, len, "cannot open pid file %s: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;	/* created, not written yet */
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	while (*end == '\n' || *end == ' ')
		end++;
	if (errno || *end || v <= 0 || v > 4194304) {
		snprintf(why, len, "pid file %s does not hold a pid", path);
		return -1;
	}
	return (pid_t)v;
}

static void
stop_waiting(struct supervisor *sup, struct service *svc)
{
	svc->waiting_pidfile = false;
	ev_stat_stop(sup->loop, &svc->pidfile_watch);
	ev_timer_stop(sup->loop, &svc->start_timer);
}

/* 1 adopted, 0 keep waiting, -1 failed (reason logged, run ended). */
static int
try_adopt(struct supervisor *sup, struct service *svc, bool last_chance)
{
	char why[256];
	pid_t pid = read_pidfile(svc->cfg->pidfile, why, sizeof(why));
	pid_t pgid, pp = pid > 0 ? reaper_parent_of(pid) : -1;

	if (pid == 0 && !last_chance)
		return 0;
	if (pid == 0)
		snprintf(why, sizeof(why), "pid file %s did not appear within start_timeout",
			 svc->cfg->pidfile);
	else if (pid > 0 && pp != getpid()) {
		if (pp < 0)
			snprintf(why, sizeof(why), "pid %d from %s is not running",
				 (int)pid, svc->cfg->pidfile);
		else
			snprintf(why, sizeof(why),
				 "pid %d from %s is not a child of drainit (its parent is %d); refusing to track it",
				 (int)pid, svc->cfg->pidfile, (int)pp);
		pid = -1;
	}
	stop_waiting(sup, svc);
	if (pid <= 0) {
		log_error("service %s: failed to start: %s", svc->cfg->name, why);
		svc->state = SVC_EXITED;
		svc->wstatus = W_EXITCODE(1, 0);
		run_ended(sup, svc, true);
		return -1;
	}
	svc->proc.pid = pid;
	svc->proc.fail_step = SPAWN_STEP_NONE;
	pgid = getpgid(pid);
	/* Its own group: signal the group. Still ours: the pid alone. */
	svc->kill_target = pgid > 0 && pgid != getpgrp() ? -pgid : pid;
	svc->state = SVC_RUNNING;
	check_on_service_running(sup, svc);
	log_info("service %s (pid %d): running: tracking pid %d from %s (%s %d)", svc->cfg->name,
		 (int)pid, (int)pid, svc->cfg->pidfile, svc->kill_target < 0 ? "process group" : "pid",
		 (int)(svc->kill_target < 0 ? -svc->kill_target : pid));
	lifecycle_on_running(sup, svc);
	return 1;
}

static void
pidfile_cb(EV_P_ ev_stat *w, int revents)
{
	(void)revents;
	try_adopt(ev_userdata(EV_A), container_of(w, struct service, pidfile_watch), false);
}

static void
start_timeout_cb(EV_P_ ev_timer *w, int revents)
{
	(void)revents;
	try_adopt(ev_userdata(EV_A), container_of(w, struct service, start_timer), true);
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
	/* Exited 0: the daemon is in the background now. Stay STARTING. */
	svc->state = SVC_STARTING;
	svc->proc.pid = 0;
	svc->waiting_pidfile = true;
	if (sup->stage != STAGE_RUNNING) {
		try_adopt(sup, svc, true);
		return;
	}
	if (try_adopt(sup, svc, false) != 0)
		return;
	log_info("service %s: waiting up to %s for pid file %s", svc->cfg->name,
		 format_duration(svc->cfg->start_timeout_ms, dbuf, sizeof(dbuf)), svc->cfg->pidfile);
	/* inotify where libev has it; else a 100ms poll, only while starting */
	ev_stat_init(&svc->pidfile_watch, pidfile_cb, svc->cfg->pidfile, 0.1);
	ev_stat_start(sup->loop, &svc->pidfile_watch);
	ev_timer_init(&svc->start_timer, start_timeout_cb,
		      (ev_tstamp)svc->cfg->start_timeout_ms / 1000.0, 0.);
	ev_timer_start(sup->loop, &svc->start_timer);
}

/* ---- exits ------------------------------------------------------------------------ */

void
lifecycle_on_exit(struct supervisor *sup, struct service *svc)
{
	bool failed;

	if (svc->launching) {
		launcher_exited(sup, svc);
		return;
	}
	failed = svc->state == SVC_FAILED || !WIFEXITED(svc->wstatus) ||
		 WEXITSTATUS(svc->wstatus) != 0;
	run_ended(sup, svc, failed);
}

void
lifecycle_shutdown_begins(struct supervisor *sup)
{
	for (size_t i = 0; i < sup->nsvcs; i++) {
		struct service *svc = &sup->svcs[i];

		if (svc->state == SVC_BACKOFF) {
			ev_timer_stop(sup->loop, &svc->restart_timer);
			svc->state = SVC_EXITED;
			if (!service_clean(svc) && !sup->first_unclean)
				sup->first_unclean = svc;
		}
		if (svc->waiting_pidfile)
			try_adopt(sup, svc, true);
	}
}
