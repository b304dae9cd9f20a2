/* report.c: mechanism layer (the probe server's view of the model). The
 * bodies of /livez, /readyz, /status and /metrics.
 * Reads the model, never changes it. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"

#ifndef DRAINIT_VERSION
#define DRAINIT_VERSION "unknown"
#endif

/* ---- sbuf --------------------------------------------------------------- */

static bool
sbuf_reserve(struct sbuf *b, size_t n)
{
	size_t cap;
	char *np;

	if (b->oom)
		return false;
	if (b->len + n + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	np = realloc(b->p, cap);
	if (!np) {
		b->oom = true;
		return false;
	}
	b->p = np;
	b->cap = cap;
	return true;
}

void
sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (!sbuf_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !sbuf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
sbuf_json_str(struct sbuf *b, const char *s)
{
	if (!s) {
		sbuf_add(b, "null", 4);
		return;
	}
	sbuf_add(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			sbuf_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			sbuf_printf(b, "\\u%04x", c);
		else
			sbuf_add(b, (const char *)&c, 1);
	}
	sbuf_add(b, "\"", 1);
}

void
sbuf_free(struct sbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* ---- verdicts --------------------------------------------------------------- */

bool
report_live(const struct supervisor *sup)
{
	char why[192];

	for (size_t i = 0; i < sup->nsvcs; i++)
		if (!service_live(sup->svcs[i], why, sizeof(why)))
			return false;
	return true;
}

static bool
shutting_down(const struct supervisor *sup)
{
	return !sup->ready || sup->stage != STAGE_RUNNING;
}

bool
report_ready(const struct supervisor *sup)
{
	char why[192];

	if (shutting_down(sup))
		return false;
	for (size_t i = 0; i < sup->nsvcs; i++)
		if (!service_ready(sup->svcs[i], why, sizeof(why)))
			return false;
	return true;
}

int
report_livez(const struct supervisor *sup, struct sbuf *b)
{
	char why[192];
	size_t n = 0;

	for (size_t i = 0; i < sup->nsvcs; i++) {
		const struct service *svc = sup->svcs[i];
		if (service_live(svc, why, sizeof(why)))
			continue;
		sbuf_printf(b, "%s%s (%s)", n++ ? ", " : "not ok: ", svc->cfg->name, why);
	}
	if (n == 0) {
		sbuf_printf(b, "ok\n");
		return 200;
	}
	sbuf_add(b, "\n", 1);
	return 503;
}

int
report_readyz(const struct supervisor *sup, bool verbose, struct sbuf *b)
{
	char why[192];
	size_t n = 0;
	bool ready = report_ready(sup);

	if (ready) {
		sbuf_printf(b, "ready\n");
	} else if (shutting_down(sup)) {
		sbuf_printf(b, "not ready: shutting down\n");
	} else {
		for (size_t i = 0; i < sup->nsvcs; i++) {
			const struct service *svc = sup->svcs[i];
			if (service_ready(svc, why, sizeof(why)))
				continue;
			sbuf_printf(b, "%s%s (%s)", n++ ? ", " : "not ready: ", svc->cfg->name, why);
		}
		sbuf_add(b, "\n", 1);
	}
	for (size_t i = 0; verbose && i < sup->nsvcs; i++) {
		const struct service *svc = sup->svcs[i];
		if (service_ready(svc, why, sizeof(why)))
			sbuf_printf(b, "%s: ready\n", svc->cfg->name);
		else
			sbuf_printf(b, "%s: not ready (%s)\n", svc->cfg->name, why);
	}
	return ready ? 200 : 503;
}

/* ---- /status ---------------------------------------------------------------- */

static void
json_time(struct sbuf *b, const struct supervisor *sup, msec_t mono)
{
	struct timespec ts;
	char tsbuf[32];
	msec_t wall;
	time_t sec;

	clock_gettime(CLOCK_REALTIME, &ts);
	wall = (msec_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - (sup->sys->now() - mono);
	sec = (time_t)(wall / 1000);
	sbuf_printf(b, "\"%s\"", format_utc_ms(sec, (int)(wall % 1000), tsbuf, sizeof(tsbuf)));
}

static const char *
tf(bool v)
{
	return v ? "true" : "false";
}

static void
status_service(struct sbuf *b, const struct supervisor *sup, const struct service *svc)
{
	char why[192], sbuf[160], tsbuf[32];
	bool ready = service_ready(svc, why, sizeof(why));
	bool live;
	const struct check *rc = svc->pr.ready_chk, *hc = svc->pr.health_chk;

	sbuf_printf(b, "{\"name\":");
	sbuf_json_str(b, svc->cfg->name);
	sbuf_printf(b, ",\"state\":\"%s\"", svc_state_name(svc->state));
	if (service_alive(svc))
		sbuf_printf(b, ",\"pid\":%d", (int)svc->proc.pid);
	else
		sbuf_printf(b, ",\"pid\":null");
	if (svc->pr.mainpid > 0)
		sbuf_printf(b, ",\"main_pid\":%d", (int)svc->pr.mainpid);
	else
		sbuf_printf(b, ",\"main_pid\":null");
	sbuf_printf(b, ",\"started_at\":");
	if (svc->state == SVC_PENDING || (svc->state == SVC_FAILED && svc->proc.pid <= 0))
		sbuf_printf(b, "null");
	else if (svc->started_wall > 0)	/* read once at the start: it never moves */
		sbuf_printf(b, "\"%s\"", format_utc_ms((time_t)(svc->started_wall / 1000),
						      (int)(svc->started_wall % 1000), tsbuf,
						      sizeof(tsbuf)));
	else
		json_time(b, sup, svc->started_at);
	if (svc->state == SVC_EXITED || svc->state == SVC_FAILED) {
		service_describe_end(svc, sbuf, sizeof(sbuf));
		sbuf_printf(b, ",\"exit_status\":");
		sbuf_json_str(b, sbuf);
		sbuf_printf(b, ",\"exit_code\":%d", service_exit_code(svc));
	} else {
		sbuf_printf(b, ",\"exit_status\":null,\"exit_code\":null");
	}
	sbuf_printf(b, ",\"ready\":%s,\"not_ready_reason\":", tf(ready));
	sbuf_json_str(b, ready ? NULL : why);
	sbuf_printf(b, ",\"ready_check\":");
	sbuf_json_str(b, check_kind_name(svc->cfg->ready.kind));
	if (svc->cfg->ready.text && svc->cfg->ready.kind != CHECK_NONE) {
		sbuf_printf(b, ",\"ready_check_spec\":");
		sbuf_json_str(b, svc->cfg->ready.text);
	}
	live = service_live(svc, why, sizeof(why));
	sbuf_printf(b, ",\"live\":%s,\"not_live_reason\":", tf(live));
	sbuf_json_str(b, live ? NULL : why);
	sbuf_printf(b, ",\"healthy\":%s", tf(!svc->pr.unhealthy && !svc->pr.watchdog_expired));
	sbuf_printf(b, ",\"health_check\":");
	sbuf_json_str(b, svc->cfg->health.text && svc->cfg->health.kind != CHECK_NONE
				 ? svc->cfg->health.text : NULL);
	sbuf_printf(b, ",\"health_failures_in_a_row\":%u", hc ? hc->fails : 0);
	sbuf_printf(b, ",\"last_check_failure\":");
	sbuf_json_str(b, hc && hc->fails ? hc->last : rc && rc->failures ? rc->last : NULL);
	sbuf_printf(b, ",\"notify_status\":");
	sbuf_json_str(b, svc->pr.status[0] ? svc->pr.status : NULL);
	sbuf_printf(b, ",\"restarts\":%lu,\"exits\":%lu}", (unsigned long)svc->restarts,
		    svc->pr.exits);
}

int
report_status(const struct supervisor *sup, struct sbuf *b)
{
	msec_t up = sup->sys->now() - sup->stage_started[STAGE_RUNNING];

	sbuf_printf(b, "{\"version\":\"%s\",\"pid1\":%s,\"stage\":\"%s\",\"ready\":%s,\"live\":%s",
		    DRAINIT_VERSION, tf(sup->is_pid1), stage_name(sup->stage),
		    tf(report_ready(sup)), tf(report_live(sup)));
	sbuf_printf(b, ",\"shutdown_reason\":");
	sbuf_json_str(b, sup->stage != STAGE_RUNNING ? sup->reason : NULL);
	sbuf_printf(b, ",\"uptime_seconds\":%.3f,\"orphans_reaped\":%lu,\"services\":[",
		    (double)up / 1000.0, sup->orphans_reaped);
	for (size_t i = 0; i < sup->nsvcs; i++) {
		if (i)
			sbuf_add(b, ",", 1);
		status_service(b, sup, sup->svcs[i]);
	}
	sbuf_printf(b, "]}\n");
	return 200;
}

/* ---- /metrics ---------------------------------------------------------------- */

static void
metric_head(struct sbuf *b, const char *name, const char *type, const char *help)
{
	sbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int
report_metrics(const struct supervisor *sup, struct sbuf *b)
{
	msec_t now = sup->sys->now();
	char why[192];

	metric_head(b, "drainit_ready", "gauge", "1 when /readyz answers 200.");
	sbuf_printf(b, "drainit_ready %d\n", report_ready(sup));
	metric_head(b, "drainit_live", "gauge", "1 when /livez answers 200.");
	sbuf_printf(b, "drainit_live %d\n", report_live(sup));
	metric_head(b, "drainit_uptime_seconds", "gauge", "Seconds since drainit started.");
	sbuf_printf(b, "drainit_uptime_seconds %.3f\n",
		    (double)(now - sup->stage_started[STAGE_RUNNING]) / 1000.0);
	metric_head(b, "drainit_stage", "gauge", "1 for the current stage of drainit.");
	for (enum stage s = STAGE_RUNNING; s < _STAGE_MAX; s++)
		sbuf_printf(b, "drainit_stage{stage=\"%s\"} %d\n", stage_name(s), s == sup->stage);
	metric_head(b, "drainit_shutdown_stage_duration_seconds", "gauge",
		    "Time spent in each shutdown stage entered so far (the current one counts up).");
	for (enum stage s = STAGE_UNREADY; s < STAGE_EXITED; s++) {
		msec_t end;
		if (!sup->stage_seen[s])
			continue;
		end = s == sup->stage ? now : sup->stage_ended[s];
		sbuf_printf(b, "drainit_shutdown_stage_duration_seconds{stage=\"%s\"} %.3f\n",
			    stage_name(s), (double)(end - sup->stage_started[s]) / 1000.0);
	}
	metric_head(b, "drainit_orphans_reaped_total", "counter",
		    "Processes reaped that were not drainit's own children.");
	sbuf_printf(b, "drainit_orphans_reaped_total %lu\n", sup->orphans_reaped);
	if (sup->inflight_at_stop >= 0 || sup->inflight_at_kill >= 0) {
		sbuf_printf(b, "# HELP drainit_shutdown_requests_in_flight Requests in flight on the services' sockets when the stop signal (and SIGKILL) went out; -1: not measured.\n"
			       "# TYPE drainit_shutdown_requests_in_flight gauge\n");
		sbuf_printf(b, "drainit_shutdown_requests_in_flight{at=\"stop_signal\"} %d\n",
			    sup->inflight_at_stop);
		sbuf_printf(b, "drainit_shutdown_requests_in_flight{at=\"sigkill\"} %d\n",
			    sup->inflight_at_kill);
	}
	metric_head(b, "drainit_signals_forwarded_total", "counter",
		    "Signals drainit forwarded to its services, per signal received (the log coalesces repeats).");
	for (int sig = 1; sig < _NSIG; sig++)
		if (sup->fwd.forwarded[sig])
			sbuf_printf(b, "drainit_signals_forwarded_total{signal=\"%s\"} %lu\n",
				    signal_name(sig), sup->fwd.forwarded[sig]);

	metric_head(b, "drainit_service_up", "gauge", "1 while the service's process runs.");
	for (size_t i = 0; i < sup->nsvcs; i++)
		sbuf_printf(b, "drainit_service_up{service=\"%s\"} %d\n", sup->svcs[i]->cfg->name,
			    service_alive(sup->svcs[i]));
	metric_head(b, "drainit_service_ready", "gauge", "1 while the service is ready.");
	for (size_t i = 0; i < sup->nsvcs; i++)
		sbuf_printf(b, "drainit_service_ready{service=\"%s\"} %d\n", sup->svcs[i]->cfg->name,
			    service_ready(sup->svcs[i], why, sizeof(why)));
	metric_head(b, "drainit_service_live", "gauge",
		    "0 once the service failed for good or is unhealthy.");
	for (size_t i = 0; i < sup->nsvcs; i++)
		sbuf_printf(b, "drainit_service_live{service=\"%s\"} %d\n", sup->svcs[i]->cfg->name,
			    service_live(sup->svcs[i], why, sizeof(why)));
	metric_head(b, "drainit_service_restarts_total", "counter", "Restarts of the service.");
	for (size_t i = 0; i < sup->nsvcs; i++)
		sbuf_printf(b, "drainit_service_restarts_total{service=\"%s\"} %lu\n",
			    sup->svcs[i]->cfg->name, (unsigned long)sup->svcs[i]->restarts);
	metric_head(b, "drainit_service_exits_total", "counter",
		    "Times the service's process ended.");
	for (size_t i = 0; i < sup->nsvcs; i++)
		sbuf_printf(b, "drainit_service_exits_total{service=\"%s\"} %lu\n",
			    sup->svcs[i]->cfg->name, sup->svcs[i]->pr.exits);
	metric_head(b, "drainit_service_check_failures_total", "counter",
		    "Failed attempts of the service's ready and health checks.");
	for (size_t i = 0; i < sup->nsvcs; i++) {
		const struct svc_probe *pr = &sup->svcs[i]->pr;
		if (pr->ready_chk)
			sbuf_printf(b, "drainit_service_check_failures_total{service=\"%s\",check=\"ready\"} %lu\n",
				    sup->svcs[i]->cfg->name, pr->ready_chk->failures);
		if (pr->health_chk)
			sbuf_printf(b, "drainit_service_check_failures_total{service=\"%s\",check=\"health\"} %lu\n",
				    sup->svcs[i]->cfg->name, pr->health_chk->failures);
	}
	return 200;
}
