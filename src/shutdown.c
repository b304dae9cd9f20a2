/* shutdown.c: machine layer. The staged shutdown.
 *
 *   RUNNING --requested--> UNREADY --(at once)--> PRESTOP
 *   PRESTOP   ends when prestop_delay has elapsed AND no drain hook runs
 *             (or earlier when no service is left alive) --> STOPPING
 *   STOPPING  stop_signal to each service's process group, grace timer each
 *             (reverse dependency order); a grace expiry SIGKILLs that
 *             service (lifecycle.c); when every live service has been
 *             SIGKILLed --> KILLING
 *   ORPHANS   no service or hook is left, but processes drainit adopted are
 *             (daemonised or setsid'ed descendants): its stop signal to
 *             each (its group when it leads one), orphan_grace, then
 *             KILLING; EXITED as soon as drainit has no child left
 *   KILLING   SIGKILL to everything left (and kill(-1) when PID 1); then at
 *             most REAP_WAIT_MS (or what is left of shutdown_timeout) for
 *             the reaper, after which every pid not reaped is logged and
 *             drainit exits anyway: a shutdown always ends
 *   STOPPING, ORPHANS, KILLING --(no service, hook or child left)--> EXITED
 *
 * Events it takes (shutdown_handle):
 *   EVT_SIGNAL TERM/INT      the first starts the shutdown (and, in -- CMD
 *                           mode, is the command's stop signal); during one,
 *                           in -- CMD mode either is forwarded to the
 *                           command; with -c a SIGINT forces KILLING, a
 *                           SIGTERM is a logged no-op
 *   EVT_SHUTDOWN_REQUESTED   starts it (text: why)
 *   EVT_CTL_SHUTDOWN         drainit ctl shutdown / prestop: starts it; with
 *                           force, KILLING from any stage before it
 *   EVT_SERVICE_ENDED        the main service, the last service, or one that
 *                           failed for good ([drainit] on_failure) starts it;
 *                           during one, it may let the next stage begin
 *   EVT_PROC_EXITED (hook)   a drain hook ended (hooks.c has logged it)
 *   EVT_HOOK_TIMEOUT         its drain_timeout: SIGKILL to that hook
 *   EVT_PRESTOP_ELAPSED      prestop_delay is over
 *   EVT_GRACE_EXPIRED        a service was SIGKILLed (lifecycle.c)
 *   EVT_CAP_EXPIRED          shutdown_timeout: KILLING from any stage before it
 * Ignored: EVT_PRESTOP_ELAPSED outside PRESTOP, everything in EXITED.
 *
 * stage_enter() is the only writer of sup->stage; stages only move forward.
 * After every event shutdown_advance() re-checks the exit conditions in a
 * loop, so no stage waits on a timer it no longer needs. Effects go through
 * the lifecycle machine's commands (stop, kill) and sup->sys (kill, spawn,
 * clock), which the unit tests replace. */
#include "shutdown.h"

#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "hooks.h"
#include "lifecycle.h"
#include "log.h"
#include "drain.h"
#include "orphans.h"
#include "output.h"
#include "service.h"
#include "spec.h"

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
enter_unready(struct supervisor *sup, const char *reason)
{
	char dbuf[32];

	snprintf(sup->reason, sizeof(sup->reason), "%s", reason);
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

/* ---- the adaptive prestop -------------------------------------------------
 *
 * prestop_delay is the longest the prestop stage lasts. It ends sooner,
 * but not before prestop_min, once the traffic is gone:
 *   the probers have seen it: every client that asked for /readyz in the
 *     PROBER_RECENT_MS before the shutdown began has since been answered
 *     503 at least unready_probes times (no probe server: nothing to see);
 *   the connections are idle: the services' listening sockets have had no
 *     new connection for drain_quiet, and no connection accepted on them
 *     has a request in flight (drain.c; no listening socket: nothing to
 *     wait for).
 * A shutdown with no probe server and no listening socket keeps the fixed
 * delay. The sockets are sampled every DRAIN_POLL_MS, in prestop only. */

static bool
probers_saw_it(struct supervisor *sup, char *why, size_t len)
{
	msec_t since = sup->stage_started[STAGE_UNREADY] - PROBER_RECENT_MS;
	size_t off = 0, n = 0;
	bool all = true;

	why[0] = '\0';
	for (size_t i = 0; i < sup->nprobers && sup->cfg->probe_listen; i++) {
		const struct prober *p = &sup->probers[i];
		char host[64], *colon;

		if (p->last_seen < since)
			continue;
		format_sockaddr((const struct sockaddr *)&p->addr, host, sizeof(host));
		/* the port was cleared: print the host alone */
		if ((colon = strrchr(host, ':')) && strcmp(colon, ":0") == 0)
			*colon = '\0';
		if (host[0] == '[' && host[strlen(host) - 1] == ']') {
			memmove(host, host + 1, strlen(host));
			host[strlen(host) - 1] = '\0';
		}
		if (p->unready_seen < sup->cfg->unready_probes)
			all = false;
		if (off < len)
			off += (size_t)snprintf(why + off, len - off, "%s%s saw 503 x%u%s", n++ ? ", " : "",
						host, p->unready_seen,
						p->unready_seen < sup->cfg->unready_probes ? " (not enough)" : "");
	}
	if (n == 0 && len)
		snprintf(why, len, sup->cfg->probe_listen ? "no prober asked for /readyz lately" : "no probe server");
	return all;
}

static bool
conns_idle(struct supervisor *sup, msec_t now, char *why, size_t len)
{
	const struct drain_sample *s = &sup->drain_last;
	char dbuf[32];
	msec_t quiet = now - sup->drain_last_fresh;

	if (!s->ok) {
		snprintf(why, len, s->too_many ? "more than 4096 connections on the services' ports: not all counted"
					       : "the services' sockets could not be read");
		return false;
	}
	if (s->listening == 0) {
		snprintf(why, len, "no listening socket");
		return true;
	}
	snprintf(why, len, "%s %s%s; %u request%s in flight (%u idle keep-alive)",
		 quiet >= sup->cfg->drain_quiet_ms ? "no new connection for" : "a new connection",
		 format_duration(quiet, dbuf, sizeof(dbuf)),
		 quiet >= sup->cfg->drain_quiet_ms ? "" : " ago", s->inflight, s->inflight == 1 ? "" : "s",
		 s->conns - s->inflight);
	return quiet >= sup->cfg->drain_quiet_ms && s->inflight == 0;
}

/* Whether the traffic is gone; sup->prestop_why says how it looks. */
static bool
drained(struct supervisor *sup)
{
	msec_t now = sup->sys->now();
	char pw[200], cw[120];
	bool probers = probers_saw_it(sup, pw, sizeof(pw));
	bool conns = conns_idle(sup, now, cw, sizeof(cw));

	snprintf(sup->prestop_why, sizeof(sup->prestop_why), "%s; %s", pw, cw);
	return probers && conns && now - sup->stage_started[STAGE_PRESTOP] >= sup->cfg->prestop_min_ms;
}

static void
enter_prestop(struct supervisor *sup)
{
	char dbuf[32];

	stage_enter(sup, STAGE_PRESTOP);
	sup->drain_last_fresh = sup->sys->now();
	if (sup->cfg->prestop_delay_ms > 0 && sup->sys->drain_sample(sup, &sup->drain_last) < 0)
		sup->drain_last.ok = false;
	sup->adaptive = sup->cfg->prestop_delay_ms > sup->cfg->prestop_min_ms &&
			(sup->cfg->probe_listen || sup->drain_last.listening > 0);
	log_info("shutdown: stage prestop (%s %s, %zu drain hook%s)",
		 sup->adaptive ? "at most" : "delay",
		 format_duration(sup->cfg->prestop_delay_ms, dbuf, sizeof(dbuf)),
		 sup->nhooks, sup->nhooks == 1 ? "" : "s");
	if (sup->cfg->prestop_delay_ms > 0)
		timer_arm(sup->loop, &sup->prestop_timer, sup->cfg->prestop_delay_ms);
	else
		sup->prestop_elapsed = true;
	if (sup->adaptive) {
		ev_timer_set(&sup->drain_timer, DRAIN_POLL_MS / 1000.0, DRAIN_POLL_MS / 1000.0);
		ev_timer_start(sup->loop, &sup->drain_timer);
	}
	hooks_start_all(sup);
}

/* The prestop stage is over: why, for the log and GET /prestop. */
static void
prestop_over(struct supervisor *sup, const char *how)
{
	char dbuf[32], mbuf[32];
	msec_t took = sup->sys->now() - sup->stage_started[STAGE_PRESTOP];

	ev_timer_stop(sup->loop, &sup->drain_timer);
	if (!sup->adaptive)
		return;
	if (!sup->prestop_why[0])
		(void)drained(sup);
	log_info("prestop: %s after %s (max %s): %s", how, format_duration(took, dbuf, sizeof(dbuf)),
		 format_duration(sup->cfg->prestop_delay_ms, mbuf, sizeof(mbuf)), sup->prestop_why);
}

/* Requests in flight right now, -1 when that cannot be told or does not
 * apply: only a shutdown with a probe server or a listening service looks
 * (the look is a /proc scan and a sock_diag dump: kept off the others). */
static int
inflight_now(struct supervisor *sup)
{
	struct drain_sample s;

	if (!sup->cfg->probe_listen && sup->drain_last.listening == 0)
		return -1;
	if (sup->sys->drain_sample(sup, &s) < 0 || !s.ok || s.listening == 0)
		return -1;
	return (int)s.inflight;
}

/* Sends the stop signal to every live service that no live service
 * depends on (reverse dependency order); the others wait their turn. */
static void
stop_ready_services(struct supervisor *sup, bool announce)
{
	char dbuf[32], tbuf[32];

	for (size_t i = 0; i < sup->nsvcs; i++) {
		struct service *svc = sup->svcs[i], *dep;

		if (!service_alive(svc) || svc->sent_signal || svc->state == SVC_KILLING)
			continue;
		dep = service_live_dependent(sup, svc);
		if (dep) {
			if (announce)
				log_info("shutdown: service %s waits for %s to stop first",
					 svc->cfg->name, dep->cfg->name);
			continue;
		}
		if (svc->waiting_pidfile)	/* lifecycle_stop says what it waits for */
			log_info("shutdown: stopping service %s", svc->cfg->name);
		else
			log_info("shutdown: sending %s to service %s (%s), grace period %s",
				 signal_name(lifecycle_stop_signal(sup, svc)), svc->cfg->name,
				 service_target_name(sup, svc, tbuf, sizeof(tbuf)),
				 format_duration(svc->cfg->grace_ms, dbuf, sizeof(dbuf)));
		lifecycle_stop(sup, svc);
	}
}

static void
enter_stopping(struct supervisor *sup)
{
	size_t alive = service_count_alive(sup);

	stage_enter(sup, STAGE_STOPPING);
	ev_timer_stop(sup->loop, &sup->prestop_timer);
	sup->inflight_at_stop = inflight_now(sup);
	log_info("shutdown: stage stopping (%zu service%s to stop)", alive, alive == 1 ? "" : "s");
	stop_ready_services(sup, true);
}

/* Sends sig to the adopted processes not sent it yet in this stage.
 * true: the children could not be listed, and kill(-1) went out instead. */
static bool
signal_orphans(struct supervisor *sup, int sig, bool first)
{
	char list[512];
	bool everyone;
	size_t n = orphans_signal(sup, sig, list, sizeof(list), &everyone);

	if (sig == SIGKILL && !everyone)	/* kill(-1) counts no process */
		sup->orphans_killed += n;
	if (n > 0)
		log_info("shutdown: sent %s to %s adopted process%s: %s", signal_name(sig),
			 first ? "the" : "the newly", n == 1 ? "" : "es", list);
	return everyone;
}

static void
enter_orphans(struct supervisor *sup)
{
	char dbuf[32];

	stage_enter(sup, STAGE_ORPHANS);
	log_info("shutdown: stage orphans (processes drainit adopted are left: sending SIGTERM, orphan_grace %s)",
		 format_duration(sup->cfg->orphan_grace_ms, dbuf, sizeof(dbuf)));
	orphans_forget(sup);
	signal_orphans(sup, SIGTERM, true);
	ptimer_start(sup->loop, &sup->stage_timer, sup->cfg->orphan_grace_ms);
}

static void
enter_killing(struct supervisor *sup, const char *why)
{
	char dbuf[32], tbuf[32];

	if (sup->stage == STAGE_PRESTOP)
		prestop_over(sup, "cut short");
	stage_enter(sup, STAGE_KILLING);
	ev_timer_stop(sup->loop, &sup->prestop_timer);
	sup->inflight_at_kill = inflight_now(sup);
	log_info("shutdown: stage killing (%s)", why);
	for (size_t i = 0; i < sup->nhooks; i++)
		if (sup->hooks[i]->running) {
			sup->hooks[i]->forced = true;
			hook_kill(sup, sup->hooks[i], "sending SIGKILL (shutdown forced)");
		}
	for (size_t i = 0; i < sup->nsvcs; i++) {
		struct service *svc = sup->svcs[i];

		if (!service_alive(svc) || svc->state == SVC_KILLING)
			continue;
		if (svc->waiting_pidfile)
			log_info("shutdown: service %s: no more waiting for its pid file", svc->cfg->name);
		else
			log_info("shutdown: sending SIGKILL to service %s (%s)", svc->cfg->name,
				 service_target_name(sup, svc, tbuf, sizeof(tbuf)));
		lifecycle_kill(sup, svc);
	}
	/* The adopted children one by one (counted for the summary); then,
	 * as PID 1, everything else left in the namespace: processes that
	 * left their group (setsid) are still ours there. Never outside PID 1:
	 * there kill(-1) would hit the whole host. */
	orphans_forget(sup);
	if (!signal_orphans(sup, SIGKILL, true) && sup->is_pid1) {
		log_info("shutdown: sending SIGKILL to every other process (kill -1)");
		if (sup->sys->kill(-1, SIGKILL) < 0 && errno != ESRCH)
			log_warn("shutdown: kill(-1, SIGKILL): %s", strerror(errno));
	}
	ptimer_start(sup->loop, &sup->stage_timer, REAP_WAIT_MS);
	log_debug("shutdown: waiting at most %s for the reaper",
		  format_duration(REAP_WAIT_MS, dbuf, sizeof(dbuf)));
}

/* The reaper did not get everything after SIGKILL: say what is left and
 * why, and end anyway. */
static void
give_up(struct supervisor *sup, const char *why)
{
	char left[1024];

	orphans_describe(sup, left, sizeof(left));
	log_error("shutdown: giving up: %s; not reaped: %s", why, left);
	sup->gave_up = true;
}

static void
log_summary(struct supervisor *sup)
{
	char line[1024], dbuf[32], sbuf[512];
	size_t off = 0;
	msec_t total = sup->stage_started[STAGE_EXITED] - sup->stage_started[STAGE_UNREADY];
	bool any = false;

	off += snprintf(line + off, sizeof(line) - off, "shutdown: summary: total %s (",
			format_duration(total, dbuf, sizeof(dbuf)));
	for (enum stage s = STAGE_UNREADY; s < STAGE_EXITED && off < sizeof(line); s++) {
		const char *sep = s == STAGE_UNREADY ? "" : ", ";
		if (!sup->stage_seen[s])
			off += snprintf(line + off, sizeof(line) - off, "%s%s skipped", sep,
					stage_name(s));
		else
			off += snprintf(line + off, sizeof(line) - off, "%s%s %s", sep,
					stage_name(s),
					format_duration(sup->stage_ended[s] - sup->stage_started[s],
							dbuf, sizeof(dbuf)));
	}
	if (off < sizeof(line))
		off += snprintf(line + off, sizeof(line) - off, "); SIGKILL needed:");
	for (size_t i = 0; i < sup->nsvcs && off < sizeof(line); i++)
		if (sup->svcs[i]->killed) {
			off += snprintf(line + off, sizeof(line) - off, " %s", sup->svcs[i]->cfg->name);
			any = true;
		}
	if (sup->orphans_killed && off < sizeof(line)) {
		off += snprintf(line + off, sizeof(line) - off, "%s %zu adopted process%s", any ? "," : "",
				sup->orphans_killed, sup->orphans_killed == 1 ? "" : "es");
		any = true;
	}
	if (!any && off < sizeof(line))
		off += snprintf(line + off, sizeof(line) - off, " none");
	if (off < sizeof(line) && sup->inflight_at_stop >= 0)
		off += snprintf(line + off, sizeof(line) - off,
				"; requests in flight at the stop signal: %d", sup->inflight_at_stop);
	if (off < sizeof(line) && sup->inflight_at_kill >= 0)
		off += snprintf(line + off, sizeof(line) - off, "%s at SIGKILL: %d",
				sup->inflight_at_stop >= 0 ? "," : "; requests in flight",
				sup->inflight_at_kill);
	log_info("%s", line);

	if (sup->exit_code == EXIT_UNREAPED && service_count_alive(sup) > 0)
		snprintf(sbuf, sizeof(sbuf), "a service was never reaped");
	else if (sup->main)
		snprintf(sbuf, sizeof(sbuf), "main service %s", sup->main->cfg->name);
	else if (sup->first_unclean) {
		const struct service *u = sup->first_unclean;
		char st[320], st2[320];

		service_describe_end(u, st2, sizeof(st2));
		if (strncmp(st2, "failed to start: ", 17) == 0)
			snprintf(st, sizeof(st), "never started: %s", st2 + 17);
		else
			snprintf(st, sizeof(st), "%s", st2);
		snprintf(sbuf, sizeof(sbuf), "first service not stopped cleanly: %s (%s%s)", u->cfg->name,
			 u->state == SVC_FAILED && u->proc.fail_step == SPAWN_STEP_NONE && !u->dep_failed &&
				 !u->proc.fail_errno ? "failed: " : "", st);
		if (service_unclean_code(u) == 128 + SIGKILL && u->killed &&
		    !(WIFSIGNALED(u->wstatus) && WTERMSIG(u->wstatus) == SIGKILL))
			snprintf(sbuf + strlen(sbuf) - 1, sizeof(sbuf) - strlen(sbuf) + 1,
				 "; what it left in its group needed SIGKILL)");
	}
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
	ptimer_stop(sup->loop, &sup->stage_timer);
	for (size_t i = 0; i < sup->nsvcs; i++)
		ptimer_stop(sup->loop, &sup->svcs[i]->grace_timer);
	if (sup->main && !service_alive(sup->main))
		sup->exit_code = service_exit_code(sup->main);
	else if (service_count_alive(sup) > 0)
		sup->exit_code = EXIT_UNREAPED;	/* a service never reaped */
	else if (sup->main)
		sup->exit_code = service_exit_code(sup->main);
	else if (sup->first_unclean)
		sup->exit_code = service_unclean_code(sup->first_unclean);
	else
		sup->exit_code = 0;
	service_forward_flush(sup);	/* forwards still only counted get their line */
	log_summary(sup);
	/* The services' last output first; EVT_OUTPUT_FLUSHED ends the loop. */
	output_exit_begin(sup);
}

/* ---- transitions ---------------------------------------------------------- */

static bool
any_in_grace(const struct supervisor *sup)
{
	for (size_t i = 0; i < sup->nsvcs; i++)
		if (service_alive(sup->svcs[i]) && sup->svcs[i]->state != SVC_KILLING)
			return true;
	return false;
}

/* Nothing of drainit's is left: no service, no hook, no child. */
static bool
all_gone(struct supervisor *sup, size_t alive, size_t hooks)
{
	return alive == 0 && hooks == 0 && !sup->sys->has_children();
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
				prestop_over(sup, sup->prestop_elapsed ? "ended at its maximum" : "ended");
				enter_stopping(sup);
				continue;
			}
			if (hooks == 0 && sup->adaptive && drained(sup)) {
				prestop_over(sup, "ended");
				enter_stopping(sup);
				continue;
			}
			return;
		case STAGE_STOPPING:
			stop_ready_services(sup, false);
			if (alive == 0 && hooks == 0) {
				if (sup->sys->has_children())
					enter_orphans(sup);
				else
					enter_exited(sup);
				continue;
			}
			if (alive > 0 && !any_in_grace(sup)) {
				/* The services left are SIGKILLed; what drainit
				 * adopted still gets SIGTERM and orphan_grace while
				 * they are reaped. */
				if (orphans_count(sup) > 0)
					enter_orphans(sup);
				else
					enter_killing(sup, "every grace period expired");
				continue;
			}
			return;
		case STAGE_ORPHANS:
		case STAGE_KILLING:
			if (all_gone(sup, alive, hooks) || sup->gave_up) {
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

static void
begin(struct supervisor *sup, const char *reason)
{
	if (sup->stage == STAGE_RUNNING)
		enter_unready(sup, reason);
}

static void
on_signal(struct supervisor *sup, int sig)
{
	char why[64];

	if (sup->stage == STAGE_RUNNING) {
		snprintf(why, sizeof(why), "%s received", signal_name(sig));
		sup->shutdown_sig = sig;	/* -- CMD hands it on as the stop signal */
		begin(sup, why);
	} else if (sup->cfg->single && !sup->shutdown_sig) {
		/* started another way (GET /prestop, ctl): this signal joins it,
		 * and is the one handed on as the command's stop signal */
		sup->shutdown_sig = sig;
		log_info("%s received during shutdown (stage %s): it joins the shutdown under way",
			 signal_name(sig), stage_name(sup->stage));
	} else if (sup->cfg->single) {
		/* -- CMD, like tini: the command gets every signal drainit does
		 * not act on; a repeated stop request is the command's to judge. */
		log_info("%s received during shutdown (stage %s): forwarding it to the command",
			 signal_name(sig), stage_name(sup->stage));
		service_forward_all(sup, sig);
	} else if (sig == SIGINT && sup->stage < STAGE_KILLING) {
		enter_killing(sup, "SIGINT during shutdown: skipping the remaining waits");
	} else {
		log_info("%s received during shutdown (stage %s): nothing to change",
			 signal_name(sig), stage_name(sup->stage));
	}
}

static void
on_service_ended(struct supervisor *sup, struct service *svc, bool failed)
{
	char why[128];

	if (sup->stage != STAGE_RUNNING || svc->ctl_stopped)
		return;	/* stopped with drainit ctl stop: held, not ended */
	if (failed && svc != sup->main && sup->cfg->on_failure == ON_FAILURE_SHUTDOWN) {
		snprintf(why, sizeof(why), "service %s failed", svc->cfg->name);
		begin(sup, why);
	} else if (svc == sup->main) {
		snprintf(why, sizeof(why), "main service %s ended", svc->cfg->name);
		begin(sup, why);
	} else if (service_count_active(sup) == 0) {
		begin(sup, "every service has ended");
	}
}

static void
on_ctl_shutdown(struct supervisor *sup, const struct event *ev)
{
	struct ctl_result *r = ev->reply;
	bool was_running = sup->stage == STAGE_RUNNING;

	bool forced = false;

	begin(sup, ev->text[0] ? ev->text : "drainit ctl shutdown");
	if (ev->force && sup->stage < STAGE_KILLING) {
		enter_killing(sup, "drainit ctl shutdown --force: skipping the remaining waits");
		forced = true;
	}
	if (!r)
		return;
	r->done = true;
	r->ok = true;
	snprintf(r->msg, sizeof(r->msg), "%s",
		 forced ? (was_running ? "shutdown begun, forced: SIGKILL to everything left"
				       : "shutdown forced: SIGKILL to everything left")
			: was_running ? "shutdown begun" : "already shutting down");
}

static void
on_hook_timeout(struct supervisor *sup, struct hook *h)
{
	char dbuf[32], why[96];

	if (!h->running || sup->stage >= STAGE_KILLING)
		return;
	h->timed_out = true;
	snprintf(why, sizeof(why), "drain_timeout %s reached, sending SIGKILL to its process group",
		 format_duration(h->cfg->timeout_ms, dbuf, sizeof(dbuf)));
	hook_kill(sup, h, why);
}

void
shutdown_handle(struct supervisor *sup, const struct event *ev)
{
	char dbuf[32], why[96];

	if (sup->stage == STAGE_EXITED)
		return;
	switch (ev->kind) {
	case EVT_SIGNAL:
		if (ev->sig != SIGTERM && ev->sig != SIGINT)
			return;
		on_signal(sup, ev->sig);
		break;
	case EVT_SHUTDOWN_REQUESTED:
		begin(sup, ev->text);
		break;
	case EVT_CTL_SHUTDOWN:
		on_ctl_shutdown(sup, ev);
		break;
	case EVT_SERVICE_ENDED:
		on_service_ended(sup, ev->svc, ev->failed);
		break;
	case EVT_CAP_EXPIRED:
		if (sup->stage == STAGE_RUNNING)
			break;
		snprintf(why, sizeof(why), "shutdown_timeout %s reached",
			 format_duration(sup->cfg->shutdown_timeout_ms, dbuf, sizeof(dbuf)));
		if (sup->stage == STAGE_KILLING)
			give_up(sup, why);
		else
			enter_killing(sup, why);
		break;
	case EVT_STAGE_TIMEOUT:
		if (sup->stage == STAGE_ORPHANS) {
			snprintf(why, sizeof(why), "orphan_grace %s expired",
				 format_duration(sup->cfg->orphan_grace_ms, dbuf, sizeof(dbuf)));
			enter_killing(sup, why);
		} else if (sup->stage == STAGE_KILLING) {
			snprintf(why, sizeof(why), "%s after SIGKILL",
				 format_duration(REAP_WAIT_MS, dbuf, sizeof(dbuf)));
			give_up(sup, why);
		}
		break;
	case EVT_ORPHAN_REAPED:
		/* its children, if any, are drainit's now */
		if (sup->stage == STAGE_ORPHANS)
			signal_orphans(sup, SIGTERM, false);
		else if (sup->stage == STAGE_KILLING && !sup->is_pid1)
			signal_orphans(sup, SIGKILL, false);
		else if (sup->stage < STAGE_STOPPING)
			return;
		break;
	case EVT_PRESTOP_ELAPSED:
		if (sup->stage == STAGE_PRESTOP)
			sup->prestop_elapsed = true;
		break;
	case EVT_DRAIN_SAMPLE:
		if (sup->stage != STAGE_PRESTOP)
			return;
		sup->drain_last = ev->drain;
		if (ev->drain.fresh)
			sup->drain_last_fresh = sup->sys->now();
		break;
	case EVT_HOOK_TIMEOUT:
		on_hook_timeout(sup, ev->hook);
		break;
	case EVT_PROC_EXITED:	/* a hook ended, or a service's daemon was adopted */
		break;
	case EVT_GRACE_EXPIRED:
		break;
	default:
		return;
	}
	log_debug("shutdown: event %s in stage %s", event_name(ev->kind), stage_name(sup->stage));
	shutdown_advance(sup);
}

int
shutdown_exit_code(const struct supervisor *sup)
{
	return sup->exit_code;
}
