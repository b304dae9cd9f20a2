/* control.c: mechanism layer. The control socket drainit ctl talks to,
 * in drainit's loop (no thread).
 *
 * Life of a connection:
 *   accept4(NONBLOCK|CLOEXEC), SO_PEERCRED: root or drainit's own uid,
 *        else an error answer and close. With CONTROL_MAX_CLIENTS
 *        connections open drainit stops accepting: the next ones wait
 *        in the listen backlog (CONTROL_BACKLOG) until one closes
 *   -> READING one request line (at most CTL_REQUEST_MAX bytes within
 *        CONTROL_REQUEST_MS; else an error answer)
 *   -> the request: a query is answered from the model at once; what
 *        needs a decision is posted as an EVT_CTL_* event, whose handler
 *        (lifecycle.c, shutdown.c) fills in its ctl_result before the
 *        post returns
 *   -> WAITING, for stop, restart, wait-ready and prestop: after every
 *        event control_notice() looks again; the peer closing ends it
 *   -> WRITING the answer line (bounded), then DRAINING: shutdown(SHUT_WR),
 *        discard what the peer sends until it closes, CONTROL_LINGER_MS.
 * No timer runs while no client is connected.
 * Never: decides anything, or calls a machine. */
#include "control.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlproto.h"
#include "log.h"
#include "output.h"
#include "parse.h"
#include "report.h"
#include "sockio.h"

#define DRAIN_MAX 65536

enum cstate { C_READING, C_WAITING, C_WRITING, C_DRAINING, C_FOLLOW };
enum cwait { W_NONE, W_STOPPED, W_RESTARTED, W_READY, W_PRESTOP };

struct client {
	struct control_server *cs;
	int fd;
	enum cstate st;
	enum cwait wait;
	ev_io io;
	ev_timer timer;
	ev_timer hup;		/* half-closed while waiting: has it gone since? */
	struct ctl_request req;
	json_t *pending;	/* the answer being put together while waiting */
	unsigned long *runs;	/* W_STOPPED: each named service's runs when asked */
	struct output_tap *tap;	/* logs with follow: new lines */
	bool follow;		/* after the answer: C_FOLLOW, not C_DRAINING */
	bool overflow;		/* a follower that does not read: dropped */
	struct sbuf out;
	size_t off;
	size_t drained;
	size_t len;
	char in[CTL_REQUEST_MAX];
};

struct control_server {
	struct supervisor *sup;
	int fd;
	ev_io accept_io;
	ev_timer retry;
	bool full;		/* accept_io stopped: CONTROL_MAX_CLIENTS are open */
	struct client *clients[CONTROL_MAX_CLIENTS];
	size_t n;
	char path[CONTROL_PATH_MAX];
	dev_t dev;
	ino_t ino;
};

/* ---- the answers, from the model ------------------------------------------------ */

static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *
service_json(const struct supervisor *sup, const struct service *svc)
{
	json_t *o = json_object();
	char why[192], sbuf[160];
	bool ready = service_ready(svc, why, sizeof(why));
	bool alive = service_alive(svc);
	const char *health = NULL;

	if (!o)
		return NULL;
	json_object_set_new(o, "name", json_string(svc->cfg->name));
	json_object_set_new(o, "state", json_string(svc_state_name(svc->state)));
	json_object_set_new(o, "pid", alive && svc->proc.pid > 0 ? json_integer(svc->proc.pid)
								 : json_null());
	json_object_set_new(o, "uptime_ms", alive ? json_integer(sup->sys->now() - svc->started_at)
						  : json_null());
	json_object_set_new(o, "restarts", json_integer(svc->restarts));
	json_object_set_new(o, "ready", json_boolean(ready));
	json_object_set_new(o, "not_ready_reason", str_or_null(ready ? NULL : why));
	if (svc->cfg->health.kind != CHECK_NONE || svc->cfg->watchdog_ms > 0)
		health = svc->pr.unhealthy ? "unhealthy"
			 : svc->pr.watchdog_expired ? "watchdog expired" : "healthy";
	json_object_set_new(o, "health", str_or_null(health));
	if (svc->proc.fail_step != SPAWN_STEP_NONE || svc->pr.exits > 0 ||
	    (svc->state == SVC_FAILED && svc->dep_failed))
		service_describe_end(svc, sbuf, sizeof(sbuf));
	else
		sbuf[0] = '\0';
	json_object_set_new(o, "last_exit", str_or_null(sbuf[0] ? sbuf : NULL));
	json_object_set_new(o, "exit_code", svc->pr.exits > 0 || svc->state == SVC_FAILED ||
						    svc->proc.fail_step != SPAWN_STEP_NONE
						    ? json_integer(service_exit_code(svc))
						    : json_null());
	json_object_set_new(o, "stopped", json_boolean(svc->ctl_stopped));
	json_object_set_new(o, "draining", json_boolean(svc->draining));
	json_object_set_new(o, "main", json_boolean(svc == sup->main));
	return o;
}

static json_t *
answer_new(bool ok)
{
	json_t *o = json_object();

	if (o) {
		json_object_set_new(o, "v", json_integer(CTL_PROTO_VERSION));
		json_object_set_new(o, "ok", json_boolean(ok));
	}
	return o;
}

static void
add_stage(json_t *o, const struct supervisor *sup)
{
	json_object_set_new(o, "stage", json_string(stage_name(sup->stage)));
	json_object_set_new(o, "shutdown_reason",
			    str_or_null(sup->stage != STAGE_RUNNING ? sup->reason : NULL));
}

/* The services named in the request (all when none), as a status array. */
static json_t *
services_json(const struct supervisor *sup, const struct ctl_request *req)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < sup->nsvcs; i++) {
		const struct service *svc = sup->svcs[i];
		bool want = req->nservices == 0;

		for (size_t k = 0; k < req->nservices && !want; k++)
			want = strcmp(req->services[k], svc->cfg->name) == 0;
		if (want)
			json_array_append_new(a, service_json(sup, svc));
	}
	return a;
}

static json_t *
status_json(const struct supervisor *sup, const struct ctl_request *req)
{
	json_t *o = answer_new(true);

	if (!o)
		return NULL;
	add_stage(o, sup);
	json_object_set_new(o, "ready", json_boolean(report_ready(sup)));
	json_object_set_new(o, "live", json_boolean(report_live(sup)));
	json_object_set_new(o, "pid1", json_boolean(sup->is_pid1));
	json_object_set_new(o, "uptime_ms",
			    json_integer(sup->sys->now() - sup->stage_started[STAGE_RUNNING]));
	json_object_set_new(o, "services", services_json(sup, req));
	return o;
}

/* Readiness of the named services (all when none); not_ready lists why. */
static bool
ready_json(const struct supervisor *sup, const struct ctl_request *req, json_t *o)
{
	json_t *why = json_array();
	char buf[192];
	bool ready;

	if (sup->stage != STAGE_RUNNING || !sup->ready) {
		json_t *e = json_object();
		json_object_set_new(e, "name", json_null());
		json_object_set_new(e, "reason", json_string("shutting down"));
		json_array_append_new(why, e);
		ready = false;
	} else {
		ready = true;
		for (size_t i = 0; i < sup->nsvcs; i++) {
			const struct service *svc = sup->svcs[i];
			bool want = req->nservices == 0;

			for (size_t k = 0; k < req->nservices && !want; k++)
				want = strcmp(req->services[k], svc->cfg->name) == 0;
			if (!want || service_ready(svc, buf, sizeof(buf)))
				continue;
			ready = false;
			json_t *e = json_object();
			json_object_set_new(e, "name", json_string(svc->cfg->name));
			json_object_set_new(e, "reason", json_string(buf));
			json_array_append_new(why, e);
		}
	}
	json_object_set_new(o, "ready", json_boolean(ready));
	json_object_set_new(o, "not_ready", why);
	return ready;
}

/* ---- connections ---------------------------------------------------------------- */

static void
client_close(struct client *c)
{
	struct control_server *cs = c->cs;
	struct ev_loop *loop = cs->sup->loop;

	ev_io_stop(loop, &c->io);
	ev_timer_stop(loop, &c->timer);
	ev_timer_stop(loop, &c->hup);
	output_unfollow(cs->sup, c->tap);
	close(c->fd);
	sbuf_free(&c->out);
	json_decref(c->pending);
	free(c->runs);
	ctl_request_free(&c->req);
	for (size_t i = 0; i < cs->n; i++)
		if (cs->clients[i] == c) {
			cs->clients[i] = cs->clients[--cs->n];
			cs->clients[cs->n] = NULL;
			break;
		}
	free(c);
	if (cs->full) {
		cs->full = false;
		ev_io_start(loop, &cs->accept_io);
	}
}

static void
client_timer(struct client *c, msec_t ms)
{
	struct ev_loop *loop = c->cs->sup->loop;

	ev_timer_stop(loop, &c->timer);
	if (ms < 0)
		return;
	ev_timer_set(&c->timer, (ev_tstamp)ms / 1000.0, 0.);
	ev_timer_start(loop, &c->timer);
}

static void
client_write(struct client *c)
{
	switch (sock_send_rest(c->fd, c->out.p, c->out.len, &c->off)) {
	case SOCK_AGAIN:
		return;
	case SOCK_GONE:
		client_close(c);	/* the peer went away */
		return;
	case SOCK_DONE:
		break;
	}
	if (c->follow) {
		/* everything so far is out: wait for more lines, or the end */
		c->out.len = c->off = 0;
		if (c->st != C_FOLLOW) {
			c->st = C_FOLLOW;
			ev_timer_stop(c->cs->sup->loop, &c->timer);
		}
		sock_watch(c->cs->sup->loop, &c->io, c->fd, EV_READ);
		return;
	}
	(void)shutdown(c->fd, SHUT_WR);
	c->st = C_DRAINING;
	sock_watch(c->cs->sup->loop, &c->io, c->fd, EV_READ);
}

/* Sends answer (consumed) as the one line of the connection. */
static void
client_answer(struct client *c, json_t *answer)
{
	char *s = answer ? json_dumps(answer, JSON_COMPACT) : NULL;

	json_decref(answer);
	if (!s) {
		client_close(c);	/* out of memory */
		return;
	}
	sbuf_printf(&c->out, "%s\n", s);
	free(s);
	if (c->out.oom) {
		client_close(c);
		return;
	}
	c->st = C_WRITING;
	c->wait = W_NONE;
	client_timer(c, CONTROL_LINGER_MS);
	sock_watch(c->cs->sup->loop, &c->io, c->fd, EV_WRITE);
	client_write(c);
}

static void
client_error(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
client_error(struct client *c, const char *fmt, ...)
{
	json_t *o = answer_new(false);
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (o)
		json_object_set_new(o, "error", json_string(msg));
	log_debug("control: request refused: %s", msg);
	client_answer(c, o);
}

/* ---- requests ------------------------------------------------------------------- */

/* Posts one EVT_CTL_* request; what the machine answered. */
static struct ctl_result
post_request(struct supervisor *sup, enum event_kind kind, struct service *svc, int sig,
	     bool force, const char *why)
{
	struct ctl_result r = { 0 };
	struct event ev = { .kind = kind, .svc = svc, .sig = sig, .force = force, .reply = &r };

	if (why)
		snprintf(ev.text, sizeof(ev.text), "%s", why);
	sup_post(sup, &ev);
	if (!r.done) {
		r.ok = false;
		snprintf(r.msg, sizeof(r.msg), "drainit is exiting (stage %s)",
			 stage_name(sup->stage));
	}
	return r;
}

/* A line of output as a JSON string: bytes that are not UTF-8 become '?'. */
static json_t *
line_json(const char *s, size_t n)
{
	json_t *j = json_stringn(s, n);
	char *copy;

	if (j)
		return j;
	copy = malloc(n ? n : 1);
	if (!copy)
		return NULL;
	/* only the bytes that are no UTF-8 become '?': the characters stay */
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq_len((const unsigned char *)s + i, n - i);

		if (!k) {
			copy[i++] = '?';
			continue;
		}
		memcpy(copy + i, s + i, k);
		i += k;
	}
	j = json_stringn(copy, n);
	free(copy);
	return j;
}

static void
tail_line(void *ctx, const char *line, size_t len)
{
	json_array_append_new(ctx, line_json(line, len));
}

/* A new line for a follower: queued, written when the socket takes it. */
static void
follow_line(void *ctx, const char *line, size_t len)
{
	struct client *c = ctx;
	json_t *o = json_object();
	char *s;

	if (c->overflow || !o)
		goto out;
	if (c->off && c->off >= c->out.len / 2) {	/* what is sent goes: the queue stays bounded */
		memmove(c->out.p, c->out.p + c->off, c->out.len - c->off);
		c->out.len -= c->off;
		c->off = 0;
	}
	json_object_set_new(o, "v", json_integer(CTL_PROTO_VERSION));
	json_object_set_new(o, "line", line_json(line, len));
	s = json_dumps(o, JSON_COMPACT);
	if (s)
		sbuf_printf(&c->out, "%s\n", s);
	free(s);
	if (!s || c->out.oom || c->out.len - c->off > CONTROL_OUT_MAX)
		c->overflow = true;	/* closed by client_io_cb, not here */
	sock_watch(c->cs->sup->loop, &c->io, c->fd, EV_READ | EV_WRITE);
out:
	json_decref(o);
}

static void
do_logs(struct client *c)
{
	struct supervisor *sup = c->cs->sup;
	struct service *svc = service_by_name(sup, c->req.services[0]);
	json_t *o, *lines;

	if (c->req.follow) {	/* followers stay: they must leave room for the rest */
		size_t nf = 0;

		for (size_t i = 0; i < c->cs->n; i++)
			nf += c->cs->clients[i]->follow;
		if (nf >= CONTROL_MAX_FOLLOWERS) {
			client_error(c, "too many logs followers (%d at once); one must end first",
				     CONTROL_MAX_FOLLOWERS);
			return;
		}
	}
	o = answer_new(true);
	lines = json_array();
	output_tail(sup, svc->cfg->name, (size_t)c->req.lines, tail_line, lines);
	json_object_set_new(o, "service", json_string(svc->cfg->name));
	json_object_set_new(o, "log_buffer", json_integer((json_int_t)svc->cfg->log_buffer));
	json_object_set_new(o, "lines", lines);
	if (c->req.follow) {
		c->tap = output_follow(sup, svc->cfg->name, follow_line, c);
		c->follow = c->tap != NULL;
	}
	client_answer(c, o);
}

/* Whether what the client waits for has happened. */
static bool
wait_over(struct client *c)
{
	struct supervisor *sup = c->cs->sup;
	const struct ctl_request *req = &c->req;

	switch (c->wait) {
	case W_STOPPED:
	case W_RESTARTED:
		for (size_t i = 0; i < req->nservices; i++) {
			struct service *svc = service_by_name(sup, req->services[i]);
			if (!svc)
				continue;
			/* stopped, or started again since (a restart came in):
			 * either way this stop is over */
			if (c->wait == W_STOPPED && service_alive(svc) &&
			    (!c->runs || svc->runs == c->runs[i]))
				return false;
			if (c->wait == W_RESTARTED && (svc->restart_pending || svc->draining))
				return false;
		}
		return true;
	case W_READY: {
		json_t *tmp = json_object();
		bool ready = ready_json(sup, req, tmp);
		json_decref(tmp);
		return ready || sup->stage != STAGE_RUNNING;
	}
	case W_PRESTOP:
		return sup->stage >= STAGE_STOPPING;
	case W_NONE:
	default:
		return true;
	}
}

/* The wait is over (or timed out): the answer. */
static void
finish_wait(struct client *c, bool timed_out)
{
	struct supervisor *sup = c->cs->sup;
	json_t *o = c->pending;

	c->pending = NULL;
	switch (c->wait) {
	case W_READY:
		ready_json(sup, &c->req, o);
		if (timed_out)
			json_object_set_new(o, "timed_out", json_true());
		break;
	case W_PRESTOP:
		add_stage(o, sup);
		break;
	case W_STOPPED:
	case W_RESTARTED:
		add_stage(o, sup);
		json_object_set_new(o, "services", services_json(sup, &c->req));
		break;
	case W_NONE:
	default:
		break;
	}
	client_answer(c, o);
}

static void
start_wait(struct client *c, enum cwait w, json_t *pending, msec_t timeout_ms)
{
	c->wait = w;
	c->pending = pending;
	if (wait_over(c)) {
		finish_wait(c, false);
		return;
	}
	c->st = C_WAITING;
	client_timer(c, timeout_ms);
	sock_watch(c->cs->sup->loop, &c->io, c->fd, EV_READ);	/* to see the peer give up */
}

/* start, stop, restart: every service named must exist; one event each.
 * Stops go out in reverse dependency order (a service named with one it
 * depends on stops first); the results keep the order of the request. */
static void
do_services(struct client *c, enum event_kind kind)
{
	struct supervisor *sup = c->cs->sup;
	const struct ctl_request *req = &c->req;
	struct service **order;
	json_t *o, *results, *e;
	bool all_ok = true;

	for (size_t i = 0; i < req->nservices; i++)
		if (!service_by_name(sup, req->services[i])) {
			client_error(c, "unknown service '%s'", req->services[i]);
			return;
		}
	order = calloc(req->nservices, sizeof(*order));
	results = json_array();
	if (!order || !results) {
		free(order);
		json_decref(results);
		client_error(c, "out of memory");
		return;
	}
	for (size_t i = 0; i < req->nservices; i++) {
		order[i] = service_by_name(sup, req->services[i]);
		json_array_append_new(results, json_object());
	}
	if (kind != EVT_CTL_START)
		services_stop_order(order, req->nservices);
	for (size_t i = 0; i < req->nservices; i++) {
		struct ctl_result r = post_request(sup, kind, order[i], 0, false, NULL);
		size_t at = 0;

		/* its place in the request: the first of that name not answered yet */
		while (strcmp(req->services[at], order[i]->cfg->name) != 0 ||
		       json_object_get(json_array_get(results, at), "name"))
			at++;
		e = json_array_get(results, at);
		all_ok &= r.ok;
		json_object_set_new(e, "name", json_string(req->services[at]));
		json_object_set_new(e, "ok", json_boolean(r.ok));
		json_object_set_new(e, "message", json_string(r.msg));
	}
	free(order);
	o = answer_new(all_ok);
	json_object_set_new(o, "results", results);
	if (!all_ok) {
		json_t *first = NULL;
		size_t i;

		json_array_foreach(results, i, e)
			if (!json_is_true(json_object_get(e, "ok")) && !first)
				first = json_object_get(e, "message");
		json_object_set(o, "error", first);
	}
	if (!all_ok)
		start_wait(c, W_NONE, o, -1);
	else if (kind == EVT_CTL_STOP) {
		free(c->runs);
		c->runs = calloc(req->nservices ? req->nservices : 1, sizeof(*c->runs));
		for (size_t i = 0; c->runs && i < req->nservices; i++) {
			struct service *svc = service_by_name(sup, req->services[i]);

			c->runs[i] = svc ? svc->runs : 0;
		}
		start_wait(c, W_STOPPED, o, -1);
	}
	else if (kind == EVT_CTL_RESTART)
		start_wait(c, W_RESTARTED, o, -1);
	else
		start_wait(c, W_NONE, o, -1);
}

static void
do_signal(struct client *c)
{
	struct supervisor *sup = c->cs->sup;
	struct service *svc = service_by_name(sup, c->req.services[0]);
	struct ctl_result r;
	json_t *o;
	int sig = c->req.sig;

	if (!svc) {
		client_error(c, "unknown service '%s'", c->req.services[0]);
		return;
	}
	if (c->req.cmd == CTL_RELOAD) {
		sig = svc->cfg->reload_signal;
		if (!sig) {
			client_error(c, "service %s has no reload_signal (set reload_signal = SIGNAL in its section)",
				     svc->cfg->name);
			return;
		}
	}
	r = post_request(sup, EVT_CTL_SIGNAL, svc, sig, false, NULL);
	o = answer_new(r.ok);
	json_object_set_new(o, r.ok ? "message" : "error", json_string(r.msg));
	json_object_set_new(o, "signal", json_string(signal_name(sig)));
	client_answer(c, o);
}

static void
handle(struct client *c, const char *line, size_t len)
{
	struct supervisor *sup = c->cs->sup;
	struct ctl_request *req = &c->req;
	char err[256];
	json_t *o;

	if (ctl_request_parse(line, len, req, err, sizeof(err)) < 0) {
		client_error(c, "%s", err);
		return;
	}
	log_debug("control: request %s", ctl_cmd_name(req->cmd));
	if (req->cmd != CTL_START && req->cmd != CTL_STOP && req->cmd != CTL_RESTART)
		for (size_t i = 0; i < req->nservices; i++)
			if (!service_by_name(sup, req->services[i])) {
				client_error(c, "unknown service '%s'", req->services[i]);
				return;
			}
	switch (req->cmd) {
	case CTL_STATUS:
		client_answer(c, status_json(sup, req));
		return;
	case CTL_READY:
		o = answer_new(true);
		ready_json(sup, req, o);
		client_answer(c, o);
		return;
	case CTL_WAIT_READY: {
		size_t nw = 0;

		for (size_t i = 0; i < c->cs->n; i++)
			nw += c->cs->clients[i]->st == C_WAITING && c->cs->clients[i]->wait == W_READY;
		if (nw >= CONTROL_MAX_READY_WAITERS) {	/* they must leave room for the rest */
			client_error(c, "too many wait-ready requests waiting (%d at once); one must end first",
				     CONTROL_MAX_READY_WAITERS);
			return;
		}
		start_wait(c, W_READY, answer_new(true), req->timeout_ms);
		return;
	}
	case CTL_START:
		do_services(c, EVT_CTL_START);
		return;
	case CTL_STOP:
		do_services(c, EVT_CTL_STOP);
		return;
	case CTL_RESTART:
		do_services(c, EVT_CTL_RESTART);
		return;
	case CTL_SIGNAL:
	case CTL_RELOAD:
		do_signal(c);
		return;
	case CTL_PRESTOP:
	case CTL_SHUTDOWN: {
		struct ctl_result r = post_request(sup, EVT_CTL_SHUTDOWN, NULL, 0, req->force,
						   req->cmd == CTL_PRESTOP ? "drainit ctl prestop"
									   : req->force ? "drainit ctl shutdown --force"
											: "drainit ctl shutdown");
		o = answer_new(r.ok);
		json_object_set_new(o, r.ok ? "message" : "error", json_string(r.msg));
		if (req->cmd == CTL_PRESTOP && r.ok) {
			start_wait(c, W_PRESTOP, o, -1);
			return;
		}
		add_stage(o, sup);
		client_answer(c, o);
		return;
	}
	case CTL_LOGS:
		do_logs(c);
		return;
	case CTL_RELOAD_CONFIG: {
		struct ctl_result r = post_request(sup, EVT_CTL_RELOAD_CONFIG, NULL, 0, false, NULL);
		json_t *d = json_array();

		o = answer_new(r.ok);
		json_object_set_new(o, r.ok ? "message" : "error", json_string(r.msg));
		for (char *p = r.detail, *nl; p && *p; p = nl ? nl + 1 : p + strlen(p)) {
			nl = strchr(p, '\n');
			json_array_append_new(d, line_json(p, nl ? (size_t)(nl - p) : strlen(p)));
		}
		json_object_set_new(o, "details", d);
		free(r.detail);
		client_answer(c, o);
		return;
	}
	default:
		client_error(c, "%s: not supported by this drainit", ctl_cmd_name(req->cmd));
		return;
	}
}

static void
client_read(struct client *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->in + c->len, sizeof(c->in) - c->len, 0);
		char *nl;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				client_close(c);
			return;
		}
		if (n == 0) {
			/* a request may end with the connection instead of a newline */
			if (c->len > 0)
				handle(c, c->in, c->len);
			else
				client_close(c);
			return;
		}
		nl = memchr(c->in + c->len, '\n', (size_t)n);
		c->len += (size_t)n;
		if (nl) {
			size_t l = (size_t)(nl - c->in);
			if (l > 0 && c->in[l - 1] == '\r')
				l--;
			handle(c, c->in, l);
			return;
		}
		if (c->len == sizeof(c->in)) {
			client_error(c, "request too long (at most %d bytes, newline included)",
				     CTL_REQUEST_MAX);
			return;
		}
	}
}

/* Reads and drops what the peer sends: EOF closes (it gave up, or has
 * taken the answer). */
static void
client_discard(struct client *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLOUT };

	if (sock_discard(c->fd, &c->drained, DRAIN_MAX) != SOCK_GONE)
		return;
	if (c->st == C_WAITING && poll(&p, 1, 0) == 1 && !(p.revents & (POLLHUP | POLLERR))) {
		/* It only shut its sending side (the request ended there):
		 * it still reads. Nothing more to read until the answer; a
		 * look each second tells whether it has gone since. */
		ev_io_stop(c->cs->sup->loop, &c->io);
		ev_timer_again(c->cs->sup->loop, &c->hup);
		return;
	}
	if (c->st == C_WAITING)
		log_debug("control: client left while waiting for %s", ctl_cmd_name(c->req.cmd));
	client_close(c);
}

static void
client_io_cb(EV_P_ ev_io *w, int revents)
{
	struct client *c = container_of(w, struct client, io);

	(void)loop;
	switch (c->st) {
	case C_READING:
		client_read(c);
		break;
	case C_WRITING:
		client_write(c);
		break;
	case C_WAITING:
	case C_DRAINING:
		client_discard(c);
		break;
	case C_FOLLOW:
		if (c->overflow) {
			log_warn("control socket: dropping a logs follower that does not read (%d bytes queued)",
				 CONTROL_OUT_MAX);
			client_close(c);
			return;
		}
		if (revents & EV_READ) {
			c->drained = 0;	/* a follower may send nothing; EOF ends it */
			client_discard(c);
			return;	/* maybe closed */
		}
		if (revents & EV_WRITE)
			client_write(c);
		break;
	}
}

static void
client_hup_cb(EV_P_ ev_timer *w, int revents)
{
	struct client *c = container_of(w, struct client, hup);
	struct pollfd p = { .fd = c->fd, .events = POLLOUT };

	(void)revents;
	if (c->st != C_WAITING) {	/* answered: the write sees the rest */
		ev_timer_stop(loop, &c->hup);
		return;
	}
	if (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR))) {
		log_debug("control: client left while waiting for %s", ctl_cmd_name(c->req.cmd));
		client_close(c);
	}
}

static void
client_timer_cb(EV_P_ ev_timer *w, int revents)
{
	struct client *c = container_of(w, struct client, timer);

	(void)loop;
	(void)revents;
	switch (c->st) {
	case C_READING:
		client_error(c, "no complete request within %dms", CONTROL_REQUEST_MS);
		break;
	case C_WAITING:
		finish_wait(c, true);	/* wait-ready --timeout */
		break;
	case C_WRITING:
	case C_DRAINING:
	case C_FOLLOW:
		client_close(c);
		break;
	}
}

void
control_notice(struct supervisor *sup)
{
	struct control_server *cs = sup->control;

	if (!cs)
		return;
	/* backwards: an answer may close a client, which moves the last one here */
	for (size_t i = cs->n; i-- > 0;) {
		struct client *c = cs->clients[i];
		if (c->st == C_WAITING && wait_over(c))
			finish_wait(c, false);
	}
}

/* ---- accepting -------------------------------------------------------------------- */

/* Answers a connection that is not served with one error line, at once
 * and without waiting (the socket buffer takes it). */
static void
refuse(int fd, const char *why)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "{\"v\":%d,\"ok\":false,\"error\":\"%s\"}\n",
			 CTL_PROTO_VERSION, why);

	(void)!send(fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

static void
accept_cb(EV_P_ ev_io *w, int revents)
{
	struct control_server *cs = container_of(w, struct control_server, accept_io);

	(void)revents;
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct ucred cred;
		socklen_t cl = sizeof(cred);
		struct client *c;
		int fd;

		if (cs->n == CONTROL_MAX_CLIENTS) {
			/* the backlog holds the next ones until a client closes */
			cs->full = true;
			ev_io_stop(EV_A, &cs->accept_io);
			return;
		}
		fd = accept4(cs->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			int e = errno;
			if (e == EINTR || e == ECONNABORTED)
				continue;
			if (e == EAGAIN)
				return;
			sock_accept_pause(EV_A, &cs->accept_io, &cs->retry, "control socket", e);
			return;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 ||
		    (cred.uid != 0 && cred.uid != geteuid())) {
			if (geteuid() == 0)
				log_warn("control socket: refused a client (uid %d, pid %d): only root may use it",
					 (int)cred.uid, (int)cred.pid);
			else
				log_warn("control socket: refused a client (uid %d, pid %d): only root and uid %d may use it",
					 (int)cred.uid, (int)cred.pid, (int)geteuid());
			refuse(fd, "permission denied: only root and drainit's own user may use the control socket");
			continue;
		}
		c = malloc(sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		memset(c, 0, offsetof(struct client, in));
		c->cs = cs;
		c->fd = fd;
		c->st = C_READING;
		ctl_request_init(&c->req);
		cs->clients[cs->n++] = c;
		ev_io_init(&c->io, client_io_cb, fd, EV_READ);
		ev_io_start(EV_A, &c->io);
		ev_timer_init(&c->timer, client_timer_cb, CONTROL_REQUEST_MS / 1000.0, 0.);
		ev_timer_init(&c->hup, client_hup_cb, 0., 1.);
		ev_timer_start(EV_A, &c->timer);
	}
}

/* ---- set-up ------------------------------------------------------------------------ */

const char *
control_default_path(char *buf, size_t len)
{
	const char *xdg;

	if (geteuid() == 0) {
		snprintf(buf, len, "/run/drainit.sock");
		return buf;
	}
	xdg = getenv("XDG_RUNTIME_DIR");
	if (!xdg || xdg[0] != '/' ||
	    (size_t)snprintf(buf, len, "%s/drainit.sock", xdg) >= len)
		return NULL;
	return buf;
}

/* A file at path: none, or a socket nobody answers on (removed): 0.
 * A socket someone answers on, or anything else: -errno with why. */
static int
clear_stale(const char *path, const struct sockaddr_un *sa, char *why, size_t len)
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : (snprintf(why, len, "%s", strerror(errno)), -errno);
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(why, len, "it exists and is not a socket; not replacing it");
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return (snprintf(why, len, "socket: %s", strerror(errno)), -errno);
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	if (r == 0 || errno == EAGAIN || errno == EINPROGRESS) {
		close(fd);
		snprintf(why, len, "another process answers on it (another drainit?)");
		return -EADDRINUSE;
	}
	r = errno;
	close(fd);
	if (r != ECONNREFUSED) {
		snprintf(why, len, "cannot tell whether it is in use: %s", strerror(r));
		return -r;
	}
	if (unlink(path) < 0 && errno != ENOENT)
		return (snprintf(why, len, "removing the stale socket: %s", strerror(errno)), -errno);
	log_info("control socket %s: replaced a stale socket file", path);
	return 0;
}

static int
listen_unix(const char *path, struct control_server *cs, char *why, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(why, len, "path too long");
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	r = clear_stale(path, &sa, why, len);
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return (snprintf(why, len, "socket: %s", strerror(errno)), -errno);
	old = umask(0177);	/* the file is made 0600 by bind itself */
	r = bind(fd, (const struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || listen(fd, CONTROL_BACKLOG) < 0 || stat(path, &st) < 0) {
		r = -errno;
		snprintf(why, len, "%s", strerror(-r));
		close(fd);
		return r;
	}
	cs->dev = st.st_dev;
	cs->ino = st.st_ino;
	return fd;
}

int
control_setup(struct supervisor *sup, const char *path, bool explicit)
{
	struct control_server *cs;
	char why[256] = "";
	int fd;

	if (!path || strcmp(path, "none") == 0)
		return 0;
	/* A container's root file system may have no /run: as PID 1 with
	 * the default path, drainit makes it (0755, like a distribution's). */
	if (!explicit && strncmp(path, "/run/", 5) == 0 && mkdir("/run", 0755) == 0)
		log_info("control socket: created /run");
	cs = calloc(1, sizeof(*cs));
	if (!cs)
		return -ENOMEM;
	fd = listen_unix(path, cs, why, sizeof(why));
	if (fd < 0) {
		free(cs);
		if (explicit) {
			log_error("control socket %s: cannot listen: %s", path, why);
			return fd;
		}
		log_warn("control socket %s: cannot listen: %s; drainit ctl will not reach this drainit (set control_socket = PATH or none)",
			 path, why);
		return 0;
	}
	cs->sup = sup;
	cs->fd = fd;
	snprintf(cs->path, sizeof(cs->path), "%s", path);
	ev_io_init(&cs->accept_io, accept_cb, fd, EV_READ);
	ev_io_start(sup->loop, &cs->accept_io);
	sup->control = cs;
	log_info("control socket listening on %s", path);
	return 0;
}

void
control_free(struct supervisor *sup)
{
	struct control_server *cs = sup->control;
	struct stat st;

	if (!cs)
		return;
	while (cs->n)
		client_close(cs->clients[0]);
	ev_io_stop(sup->loop, &cs->accept_io);
	ev_timer_stop(sup->loop, &cs->retry);
	close(cs->fd);
	/* only the file this drainit made: another may have replaced it */
	if (stat(cs->path, &st) == 0 && st.st_dev == cs->dev && st.st_ino == cs->ino)
		unlink(cs->path);
	free(cs);
	sup->control = NULL;
}
