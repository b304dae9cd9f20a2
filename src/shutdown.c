/* shutdown.c: the staged shutdown.
 *
 *   RUNNING --SD_REQUESTED--> UNREADY --(at once)--> PRESTOP
 *   PRESTOP   ends when prestop_delay has elapsed AND no drain hook runs
 *             (or earlier when no service is left alive) --> STOPPING
 *   STOPPING  stop_signal to each service's process group, grace timer each;
 *             a grace expiry SIGKILLs that service; when every live service
 *             has been SIGKILLed --> KILLING
 *   KILLING   SIGKILL to what is left (and kill(-1) when PID 1)
 *   any stage --(all services and hooks reaped, from STOPPING on)--> EXITED
 *
 *   SD_FORCE (second SIGINT) and SD_CAP_EXPIRED (shutdown_timeout) jump to
 *   KILLING from any stage before it. A repeated SIGTERM changes nothing.
 *
 * Per stage, what is ignored: SD_PRESTOP_ELAPSED outside PRESTOP,
 * SD_GRACE_EXPIRED outside STOPPING, everything in EXITED.
 *
 * stage_enter() is the only writer of sup->stage; stages only move forward.
 * After every event shutdown_advance() re-checks the exit conditions in a
 * loop, so no stage waits on a timer it no longer needs. All effects go
 * through sup->sys (kill, spawn, clock), which the unit tests replace. */
#include "shutdown.h"

#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "hooks.h"
#include "lifecycle.h"
#include "log.h"
#include "output.h"
#include "service.h"

const char *
stage_name(enum stage s)
{
	static const char *const names[_STAGE_MAX] = {
		[STAGE_RUNNING] = "running",   [STAGE_UNREADY] = "unready",
		[STAGE_PRESTOP] = "prestop",   [STAGE_STOPPING] = "stopping",
		[STAGE_KILLING] = "killing",   [STAGE_EXITED] = "exited",
	};
	return (unsigned)s < _STAGE_MAX ? names[s] : "?";
}

const char *
sd_event_name(enum sd_event e)
{
	static const char *const names[_SD_MAX] = {
		[SD_REQUESTED] = "requested",	  [SD_FORCE] = "force",
		[SD_PRESTOP_ELAPSED] = "prestop-elapsed", [SD_HOOK_DONE] = "hook-done",
		[SD_REAPED] = "reaped",		  [SD_GRACE_EXPIRED] = "grace-expired",
		[SD_CAP_EXPIRED] = "cap-expired",
	};
	return (unsigned)e < _SD_MAX ? names[e] : "?";
}

static void
prestop_timer_cb(EV_P_ ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	shutdown_handle(ev_userdata(EV_A), SD_PRESTOP_ELAPSED, NULL);
}

static void
cap_timer_cb(EV_P_ ev_timer *w, int revents)
{
	(void)revents;
	if (!ptimer_due(EV_A_ container_of(w, struct ptimer, w)))
		return;
	shutdown_handle(ev_userdata(EV_A), SD_CAP_EXPIRED, NULL);
}

static void
grace_timer_cb(EV_P_ ev_timer *w, int revents)
{
	struct service *svc = container_of(w, struct service, grace_timer.w);

	(void)revents;
	if (!ptimer_due(EV_A_ &svc->grace_timer))
		return;
	shutdown_handle(ev_userdata(EV_A), SD_GRACE_EXPIRED, svc);
}

void
shutdown_init(struct supervisor *sup)
{
	sup->stage = STAGE_RUNNING;
	sup->stage_started[STAGE_RUNNING] = sup->sys->now();
	sup->stage_seen[STAGE_RUNNING] = true;
	ev_init(&sup->prestop_timer, prestop_timer_cb);
	ptimer_init(&sup->cap_timer, cap_timer_cb);
	for (size_t i = 0; i < sup->nsvcs; i++)
		ptimer_init(&sup->svcs[i].grace_timer, grace_timer_cb);
}

static void
arm(struct supervisor *sup, ev_timer *t, msec_t ms)
{
	ev_timer_set(t, (ev_tstamp)ms / 1000.0, 0.);
	ev_timer_start(sup->loop, t);
}

static void
stage_enter(struct supervisor *sup, enum stage next)
{
	msec_t now = sup->sys->now();

	assert(next > sup->stage);
	sup->stage_ended[sup->stage] = now;
	sup->stage_started[next] = now;
	sup->stage_seen[next] = true;
	sup->stage = next;
}

/* ---- entry actions, one per stage --------------------------------------- */

static void
enter_unready(struct supervisor *sup)
{
	char dbuf[32];

	stage_enter(sup, STAGE_UNREADY);
	sup->ready = false;
	lifecycle_shutdown_begins(sup);
	if (sup->cfg->shutdown_timeout_ms > 0) {
		ptimer_start(sup->loop, &sup->cap_timer, sup->cfg->shutdown_timeout_ms);
		log_info("shutdown: stage unready (%s): readiness is now \"not ready\"; shutdown_timeout %s",
			 sup->reason, format_duration(sup->cfg->shutdown_timeout_ms, dbuf, sizeof(dbuf)));
	} else {
		log_info("shutdown: stage unready (%s): readiness is now \"not ready\"", sup->reason);
	}
}

static void
enter_prestop(struct supervisor *sup)
{
	char dbuf[32];

	stage_enter(sup, STAGE_PRESTOP);
	log_info("shutdown: stage prestop (delay %s, %zu drain hook%s)",
		 format_duration(sup->cfg->prestop_delay_ms, dbuf, sizeof(dbuf)),
		 sup->nhooks, sup->nhooks == 1 ? "" : "s");
	if (sup->cfg->prestop_delay_ms > 0)
		arm(sup, &sup->prestop_timer, sup->cfg->prestop_delay_ms);
	else
		sup->prestop_elapsed = true;
	hooks_start_all(sup);
}

/* Sends the stop signal to every live service that no live service
 * depends on (reverse dependency order); the others wait their turn. */
static void
stop_ready_services(struct supervisor *sup, bool announce)
{
	char dbuf[32];

	for (size_t i = 0; i < sup->nsvcs; i++) {
		struct service *svc = &sup->svcs[i], *dep;

		if (!service_alive(svc) || svc->sent_signal || svc->state == SVC_KILLING)
			continue;
		dep = lifecycle_live_dependent(sup, svc);
		if (dep) {
			if (announce)
				log_info("shutdown: service %s waits for %s to stop first",
					 svc->cfg->name, dep->cfg->name);
			continue;
		}
		log_info("shutdown: sending %s to service %s (pgid %d), grace period %s",
			 signal_name(svc->cfg->stop_signal), svc->cfg->name, (int)svc->proc.pid,
			 format_duration(svc->cfg->grace_ms, dbuf, sizeof(dbuf)));
		service_stop(sup, svc);
	}
}

static void
enter_stopping(struct supervisor *sup)
{
	size_t alive = service_count_alive(sup);

	stage_enter(sup, STAGE_STOPPING);
	ev_timer_stop(sup->loop, &sup->prestop_timer);
	log_info("shutdown: stage stopping (%zu service%s to stop)", alive, alive == 1 ? "" : "s");
	stop_ready_services(sup, true);
}

static void
kill_service(struct supervisor *sup, struct service *svc)
{
	ptimer_stop(sup->loop, &svc->grace_timer);
	svc->state = SVC_KILLING;
	svc->killed = true;
	service_signal(sup, svc, SIGKILL);
}

static void
enter_killing(struct supervisor *sup, const char *why)
{
	stage_enter(sup, STAGE_KILLING);
	ev_timer_stop(sup->loop, &sup->prestop_timer);
	ptimer_stop(sup->loop, &sup->cap_timer);
	log_info("shutdown: stage killing (%s)", why);
	hooks_kill_all(sup);
	for (size_t i = 0; i < sup->nsvcs; i++) {
		struct service *svc = &sup->svcs[i];

		if (!service_alive(svc) || svc->state == SVC_KILLING)
			continue;
		log_info("shutdown: sending SIGKILL to service %s (pgid %d)", svc->cfg->name,
			 (int)svc->proc.pid);
		kill_service(sup, svc);
	}
	/* Processes that left their group (setsid) are still ours as PID 1.
	 * Never outside PID 1: there kill(-1) would hit the whole host. */
	if (sup->is_pid1) {
		log_info("shutdown: sending SIGKILL to every other process (kill -1)");
		if (sup->sys->kill(-1, SIGKILL) < 0 && errno != ESRCH)
			log_warn("shutdown: kill(-1, SIGKILL): %s", strerror(errno));
	}
}

static void
log_summary(struct supervisor *sup)
{
	char line[1024], dbuf[32], sbuf[96];
	size_t off = 0;
	msec_t total = sup->stage_started[STAGE_EXITED] - sup->stage_started[STAGE_UNREADY];

	off += snprintf(line + off, sizeof(line) - off, "shutdown: summary: total %s (",
			format_duration(total, dbuf, sizeof(dbuf)));
	for (enum stage s = STAGE_UNREADY; s < STAGE_EXITED; s++) {
		const char *sep = s == STAGE_UNREADY ? "" : ", ";
		if (!sup->stage_seen[s])
			off += snprintf(line + off, sizeof(line) - off, "%s%s skipped", sep,
					stage_name(s));
		else
			off += snprintf(line + off, sizeof(line) - off, "%s%s %s", sep,
					stage_name(s),
					format_duration(sup->stage_ended[s] - sup->stage_started[s],
							dbuf, sizeof(dbuf)));
		if (off >= sizeof(line))
			break;
	}
	if (off < sizeof(line))
		off += snprintf(line + off, sizeof(line) - off, "); SIGKILL needed:");
	{
		bool any = false;
		for (size_t i = 0; i < sup->nsvcs && off < sizeof(line); i++)
			if (sup->svcs[i].killed) {
				off += snprintf(line + off, sizeof(line) - off, " %s",
						sup->svcs[i].cfg->name);
				any = true;
			}
		if (!any && off < sizeof(line))
			off += snprintf(line + off, sizeof(line) - off, " none");
	}
	log_info("%s", line);

	if (sup->main)
		snprintf(sbuf, sizeof(sbuf), "main service %s", sup->main->cfg->name);
	else if (sup->first_unclean)
		snprintf(sbuf, sizeof(sbuf), "first service not stopped cleanly: %s",
			 sup->first_unclean->cfg->name);
	else
		snprintf(sbuf, sizeof(sbuf), "every service stopped cleanly");
	log_info("exiting with code %d (%s)", sup->exit_code, sbuf);
}

static void
enter_exited(struct supervisor *sup)
{
	stage_enter(sup, STAGE_EXITED);
	sup->stage_ended[STAGE_EXITED] = sup->stage_started[STAGE_EXITED];
	ev_timer_stop(sup->loop, &sup->prestop_timer);
	ptimer_stop(sup->loop, &sup->cap_timer);
	for (size_t i = 0; i < sup->nsvcs; i++)
		ptimer_stop(sup->loop, &sup->svcs[i].grace_timer);
	if (sup->main)
		sup->exit_code = service_exit_code(sup->main);
	else if (sup->first_unclean)
		sup->exit_code = service_exit_code(sup->first_unclean);
	else
		sup->exit_code = 0;
	log_summary(sup);
	/* The services' last output first: else output.c breaks the loop
	 * once their pipes are drained (issue 6). */
	if (output_exit_ready(sup))
		ev_break(sup->loop, EVBREAK_ALL);
}

/* ---- transitions ---------------------------------------------------------- */

static bool
any_in_grace(const struct supervisor *sup)
{
	for (size_t i = 0; i < sup->nsvcs; i++)
		if (service_alive(&sup->svcs[i]) && sup->svcs[i].state != SVC_KILLING)
			return true;
	return false;
}

static void
shutdown_advance(struct supervisor *sup)
{
	for (;;) {
		size_t alive = service_count_alive(sup);
		size_t hooks = hooks_running(sup);

		switch (sup->stage) {
		case STAGE_UNREADY:
			enter_prestop(sup);
			continue;
		case STAGE_PRESTOP:
			if (hooks == 0 && (sup->prestop_elapsed || alive == 0)) {
				enter_stopping(sup);
				continue;
			}
			return;
		case STAGE_STOPPING:
			stop_ready_services(sup, false);
			if (alive == 0 && hooks == 0) {
				enter_exited(sup);
				continue;
			}
			if (alive > 0 && !any_in_grace(sup)) {
				enter_killing(sup, "every grace period expired");
				continue;
			}
			return;
		case STAGE_KILLING:
			if (alive == 0 && hooks == 0) {
				enter_exited(sup);
				continue;
			}
			return;
		case STAGE_RUNNING:
		case STAGE_EXITED:
		default:
			return;
		}
	}
}

void
shutdown_handle(struct supervisor *sup, enum sd_event ev, struct service *svc)
{
	char dbuf[32], why[96];

	log_debug("shutdown: event %s in stage %s", sd_event_name(ev), stage_name(sup->stage));
	switch (ev) {
	case SD_REQUESTED:
		if (sup->stage == STAGE_RUNNING)
			enter_unready(sup);
		break;
	case SD_FORCE:
	case SD_CAP_EXPIRED:
		if (sup->stage == STAGE_RUNNING || sup->stage >= STAGE_KILLING)
			break;
		if (ev == SD_FORCE)
			snprintf(why, sizeof(why), "SIGINT during shutdown: skipping the remaining waits");
		else
			snprintf(why, sizeof(why), "shutdown_timeout %s reached",
				 format_duration(sup->cfg->shutdown_timeout_ms, dbuf, sizeof(dbuf)));
		enter_killing(sup, why);
		break;
	case SD_PRESTOP_ELAPSED:
		if (sup->stage == STAGE_PRESTOP)
			sup->prestop_elapsed = true;
		break;
	case SD_GRACE_EXPIRED:
		if (!svc || svc->state != SVC_STOPPING ||
		    (sup->stage != STAGE_STOPPING && sup->stage != STAGE_RUNNING))
			break;	/* RUNNING: a service stopped because a dependency failed */
		log_info("shutdown: service %s (pid %d): grace period %s expired, sending SIGKILL to its process group",
			 svc->cfg->name, (int)svc->proc.pid,
			 format_duration(svc->cfg->grace_ms, dbuf, sizeof(dbuf)));
		kill_service(sup, svc);
		break;
	case SD_HOOK_DONE:
	case SD_REAPED:
	case _SD_MAX:
		break;
	}
	shutdown_advance(sup);
}

void
shutdown_begin(struct supervisor *sup, const char *reason)
{
	if (sup->stage == STAGE_RUNNING)
		snprintf(sup->reason, sizeof(sup->reason), "%s", reason);
	shutdown_handle(sup, SD_REQUESTED, NULL);
}

void
shutdown_on_signal(struct supervisor *sup, int sig)
{
	char why[64];

	if (sup->stage == STAGE_RUNNING) {
		snprintf(why, sizeof(why), "%s received", signal_name(sig));
		shutdown_begin(sup, why);
	} else if (sig == SIGINT && sup->stage < STAGE_KILLING) {
		shutdown_handle(sup, SD_FORCE, NULL);
	} else {
		log_info("%s received during shutdown (stage %s): nothing to change",
			 signal_name(sig), stage_name(sup->stage));
	}
}

void
shutdown_on_service_exit(struct supervisor *sup, struct service *svc)
{
	char why[128];

	if (sup->stage == STAGE_RUNNING) {
		if (svc == sup->main) {
			snprintf(why, sizeof(why), "main service %s ended", svc->cfg->name);
			shutdown_begin(sup, why);
			return;
		}
		if (lifecycle_count_active(sup) == 0) {
			shutdown_begin(sup, "every service has ended");
			return;
		}
	}
	shutdown_handle(sup, SD_REAPED, svc);
}

int
shutdown_exit_code(const struct supervisor *sup)
{
	return sup->exit_code;
}
