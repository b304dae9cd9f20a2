/* check.c: mechanism layer. Readiness and health checks of the services.
 *
 * One ev_timer per check drives it: idle, the timer waits ready_interval
 * (or health_interval) until the next attempt; during an attempt it is
 * the attempt's deadline (ready_timeout / health_timeout). Attempts:
 *   tcp:HOST:PORT   non-blocking connect; connected = pass
 *   http://...      connect, send "GET PATH HTTP/1.0", read the status
 *                   line; 200-399 = pass (the rest is not read)
 *   exec:COMMAND    spawned (spawn_start) in the service's directory,
 *                   reaped by reaper.c; exit 0 = pass; at the deadline
 *                   its process group is SIGKILLed
 * Each attempt's outcome is posted as EVT_CHECK_RESULT (ok, failures in a
 * row, what failed); what it means (ready, unhealthy, a restart) is the
 * lifecycle machine's to decide. A check runs from check_start() until
 * check_stop(), and only while its service is running and drainit is not
 * shutting down; a service with no check arms no timer, so an idle
 * drainit stays asleep. The first ready check runs at once, the first
 * health check one health_interval later.
 * Never: blocks, sleeps, or decides anything. */
#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "env.h"
#include "http.h"
#include "log.h"
#include "procset.h"
#include "service.h"
#include "sockdiag.h"
#include "spawn.h"

#ifndef DRAINIT_VERSION
#define DRAINIT_VERSION "unknown"
#endif

extern char **environ;

static void check_timer_cb(EV_P_ ev_timer *w, int revents);
static void out_close(struct supervisor *sup, struct check *c);
static void check_io_cb(EV_P_ ev_io *w, int revents);

static struct check *
check_new(struct service *svc, const struct check_spec *spec, enum check_role role)
{
	struct check *c = calloc(1, sizeof(*c));
	const struct svc_config *sc = svc->cfg;

	if (!c)
		return NULL;
	c->svc = svc;
	c->spec = spec;
	c->role = role;
	c->interval_ms = role == CHECK_ROLE_READY ? sc->ready_interval_ms : sc->health_interval_ms;
	c->timeout_ms = role == CHECK_ROLE_READY ? sc->ready_timeout_ms : sc->health_timeout_ms;
	c->fd = -1;
	c->out_fd = -1;
	c->proc.kind = PROC_CHECK;
	c->proc.status_fd = -1;
	ev_init(&c->timer, check_timer_cb);
	ev_init(&c->io, check_io_cb);
	return c;
}

static bool
is_probe(const struct check_spec *s)
{
	return s->kind == CHECK_TCP || s->kind == CHECK_HTTP || s->kind == CHECK_EXEC ||
	       s->kind == CHECK_LISTEN;
}

int
check_init_service(struct supervisor *sup, struct service *svc)
{
	(void)sup;
	if (is_probe(&svc->cfg->ready) && !svc->pr.ready_chk &&
	    !(svc->pr.ready_chk = check_new(svc, &svc->cfg->ready, CHECK_ROLE_READY)))
		return -ENOMEM;
	if (is_probe(&svc->cfg->health) && !svc->pr.health_chk &&
	    !(svc->pr.health_chk = check_new(svc, &svc->cfg->health, CHECK_ROLE_HEALTH)))
		return -ENOMEM;
	return 0;
}

int
check_init(struct supervisor *sup)
{
	for (size_t i = 0; i < sup->nsvcs; i++)
		if (check_init_service(sup, sup->svcs[i]) < 0)
			return -ENOMEM;
	return 0;
}

static void
check_close_fd(struct supervisor *sup, struct check *c)
{
	if (c->fd < 0)
		return;
	ev_io_stop(sup->loop, &c->io);
	close(c->fd);
	c->fd = -1;
}

/* Ends whatever the check is doing: its timer, its socket, and (with
 * kill) its exec: process group. */
static void
check_halt(struct supervisor *sup, struct check *c, bool kill)
{
	ev_timer_stop(sup->loop, &c->timer);
	check_close_fd(sup, c);
	c->busy = false;
	c->fails = 0;
	c->passed = false;
	c->backoff_ms = 0;
	if (kill && c->exec_running && sup->sys->kill(-c->proc.pid, SIGKILL) < 0 &&
	    errno != ESRCH)
		log_warn("service %s: check (pid %d): kill: %s", c->svc->cfg->name,
			 (int)c->proc.pid, strerror(errno));
}

bool
check_idle(const struct check *c)
{
	return !c->busy && !c->exec_running && c->proc.status_fd < 0;
}

void
check_destroy(struct supervisor *sup, struct check *c)
{
	if (!c)
		return;
	check_halt(sup, c, false);
	out_close(sup, c);
	if (c->proc.status_fd >= 0) {
		ev_io_stop(sup->loop, &c->proc.status_io);
		close(c->proc.status_fd);
	}
	argv_free(c->envp);
	free(c);
}

void
check_free(struct supervisor *sup)
{
	for (size_t i = 0; i < sup->nall_svcs; i++) {
		struct svc_probe *pr = &sup->all_svcs[i]->pr;

		check_destroy(sup, pr->ready_chk);
		check_destroy(sup, pr->health_chk);
		pr->ready_chk = pr->health_chk = NULL;
	}
	for (size_t i = 0; i < sup->nold_checks; i++)
		check_destroy(sup, sup->old_checks[i]);
	free(sup->old_checks);
	sup->old_checks = NULL;
	sup->nold_checks = 0;
}

int
check_replace(struct supervisor *sup, struct service *svc)
{
	struct check **cs[2] = { &svc->pr.ready_chk, &svc->pr.health_chk };

	for (int k = 0; k < 2; k++) {
		if (!*cs[k])
			continue;
		/* a reaped exec: check still finds its object */
		check_halt(sup, *cs[k], true);
		if (sup_keep_check(sup, *cs[k]) < 0)
			return -ENOMEM;
		*cs[k] = NULL;
	}
	return check_init_service(sup, svc);
}

/* ---- verdicts ----------------------------------------------------------- */

static bool
should_run(const struct supervisor *sup, const struct check *c)
{
	return c->svc->state == SVC_RUNNING && sup->stage == STAGE_RUNNING;
}

static void
arm(struct supervisor *sup, struct check *c, msec_t ms)
{
	ev_timer_stop(sup->loop, &c->timer);
	ev_timer_set(&c->timer, (ev_tstamp)ms / 1000.0, 0.);
	ev_timer_start(sup->loop, &c->timer);
}

/* When the next attempt comes. A ready check that has not passed yet
 * runs again soon: 50 ms, doubling up to ready_interval, so readiness
 * is seen on time. Once it has passed it runs every READY_SETTLED_FACTOR
 * x ready_interval: one that talks to the service (tcp, http, exec) does
 * not hit a ready service every second, and listen (two sock_diag dumps
 * and a walk of /proc) does not wake drainit every second. Health
 * checks: health_interval. */
static msec_t
next_attempt(struct check *c)
{
	msec_t next;

	if (c->role != CHECK_ROLE_READY)
		return c->interval_ms;
	if (!c->passed) {
		next = c->backoff_ms ? c->backoff_ms : READY_FIRST_RETRY_MS;
		c->backoff_ms = next * 2;
		return next < c->interval_ms ? next : c->interval_ms;
	}
	return c->interval_ms * READY_SETTLED_FACTOR;
}

/* Ends the running attempt: posts its result (unless the service is no
 * longer running) and arms the timer for the next one. */
static void __attribute__((format(printf, 4, 5)))
attempt_done(struct supervisor *sup, struct check *c, bool ok, const char *fmt, ...)
{
	struct event ev = { .kind = EVT_CHECK_RESULT, .svc = c->svc, .check = c, .ok = ok };
	va_list ap;

	check_close_fd(sup, c);
	ev_timer_stop(sup->loop, &c->timer);
	c->busy = false;
	if (ok) {
		c->fails = 0;
	} else {
		va_start(ap, fmt);
		vsnprintf(c->last, sizeof(c->last), fmt, ap);
		va_end(ap);
		c->failures++;
		if (c->fails < UINT_MAX)
			c->fails++;
		snprintf(ev.text, sizeof(ev.text), "%s", c->last);
	}
	ev.fails = c->fails;
	if (c->svc->state != SVC_RUNNING)
		return;
	if (ok)
		c->passed = true;
	if (should_run(sup, c))
		arm(sup, c, next_attempt(c));
	sup_post(sup, &ev);
}

/* ---- tcp: and http:// ----------------------------------------------------- */

static const char *
connect_error(int e)
{
	switch (e) {
	case ECONNREFUSED: return "refused";
	case ETIMEDOUT: return "timed out";
	case EHOSTUNREACH:
	case ENETUNREACH: return "unreachable";
	case ECONNRESET: return "reset";
	default: return strerror(e);
	}
}

static void
http_send(struct supervisor *sup, struct check *c)
{
	while (c->sent < c->len) {
		ssize_t n = send(c->fd, c->buf + c->sent, c->len - c->sent, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			attempt_done(sup, c, false, "%s %s", c->spec->label, connect_error(errno));
			return;
		}
		c->sent += (size_t)n;
	}
	/* Request out: now wait for the status line. */
	c->len = 0;
	c->reading = true;
	ev_io_stop(sup->loop, &c->io);
	ev_io_set(&c->io, c->fd, EV_READ);
	ev_io_start(sup->loop, &c->io);
}

static void
http_recv(struct supervisor *sup, struct check *c)
{
	int code = 0;

	for (;;) {
		ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		enum http_parse r;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			attempt_done(sup, c, false, "%s %s", c->spec->label, connect_error(errno));
			return;
		}
		if (n == 0) {
			attempt_done(sup, c, false, "%s closed the connection without an answer",
				     c->spec->label);
			return;
		}
		c->len += (size_t)n;
		r = http_parse_status(c->buf, c->len, &code);
		if (r == HTTP_PARSE_OK) {
			if (code >= 200 && code < 400)
				attempt_done(sup, c, true, "%s", "");
			else
				attempt_done(sup, c, false, "%s answered %d", c->spec->label, code);
			return;
		}
		if (r == HTTP_PARSE_BAD || c->len == sizeof(c->buf)) {
			attempt_done(sup, c, false, "%s answered something other than HTTP/1",
				     c->spec->label);
			return;
		}
	}
}

static void
on_connected(struct supervisor *sup, struct check *c)
{
	int n;

	c->connected = true;
	if (c->spec->kind == CHECK_TCP) {
		attempt_done(sup, c, true, "%s", "");
		return;
	}
	n = snprintf(c->buf, sizeof(c->buf),
		     "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: drainit/%s\r\n"
		     "Accept: */*\r\nConnection: close\r\n\r\n",
		     c->spec->path, c->spec->host, DRAINIT_VERSION);
	if (n < 0 || (size_t)n >= sizeof(c->buf)) {
		attempt_done(sup, c, false, "%s: path too long", c->spec->label);
		return;
	}
	c->len = (size_t)n;
	c->sent = 0;
	if (!ev_is_active(&c->io)) {
		ev_io_set(&c->io, c->fd, EV_WRITE);
		ev_io_start(sup->loop, &c->io);
	}
	http_send(sup, c);
}

static void
check_io_cb(EV_P_ ev_io *w, int revents)
{
	struct supervisor *sup = ev_userdata(EV_A);
	struct check *c = container_of(w, struct check, io);

	(void)revents;
	if (!c->connected) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err == EINPROGRESS || err == EALREADY)
			return;
		if (err) {
			attempt_done(sup, c, false, "%s %s", c->spec->label, connect_error(err));
			return;
		}
		on_connected(sup, c);
		return;
	}
	if (!c->reading)
		http_send(sup, c);
	else
		http_recv(sup, c);
}

static void
start_net(struct supervisor *sup, struct check *c)
{
	const struct sockaddr *sa = (const struct sockaddr *)&c->spec->addr;

	c->connected = false;
	c->reading = false;
	c->len = c->sent = 0;
	c->fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		attempt_done(sup, c, false, "%s: socket: %s", c->spec->label, strerror(errno));
		return;
	}
	ev_io_set(&c->io, c->fd, EV_WRITE);
	if (connect(c->fd, sa, c->spec->addrlen) == 0) {
		on_connected(sup, c);
		return;
	}
	if (errno != EINPROGRESS && errno != EINTR) {
		attempt_done(sup, c, false, "%s %s", c->spec->label, connect_error(errno));
		return;
	}
	ev_io_start(sup->loop, &c->io);
}

/* ---- exec: ------------------------------------------------------------------ */

/* What an exec: check prints goes to drainit's debug log, a line at a
 * time (at most OUT_MAX bytes an attempt), never to drainit's output. */
#define OUT_MAX 4096

static void
out_close(struct supervisor *sup, struct check *c)
{
	if (c->out_fd < 0)
		return;
	ev_io_stop(sup->loop, &c->out_io);
	close(c->out_fd);
	c->out_fd = -1;
}

static void
out_flush_line(struct check *c, bool all)
{
	char *nl;

	while (c->olen > 0 && ((nl = memchr(c->obuf, '\n', c->olen)) || all ||
			       c->olen == sizeof(c->obuf))) {
		size_t l = nl ? (size_t)(nl - c->obuf) : c->olen;

		log_debug("service %s: %s check says: %.*s", c->svc->cfg->name,
			  c->role == CHECK_ROLE_READY ? "ready" : "health", (int)l, c->obuf);
		l += nl ? 1 : 0;
		memmove(c->obuf, c->obuf + l, c->olen - l);
		c->olen -= l;
	}
}

static void
out_read(struct supervisor *sup, struct check *c)
{
	for (;;) {
		char tmp[512];
		ssize_t n = read(c->out_fd, tmp, sizeof(tmp));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0 || errno != EAGAIN) {
				out_flush_line(c, true);
				out_close(sup, c);
			}
			return;
		}
		for (ssize_t i = 0; i < n && c->obytes < OUT_MAX; i++, c->obytes++) {
			c->obuf[c->olen++] = tmp[i];
			if (c->olen == sizeof(c->obuf) || tmp[i] == '\n')
				out_flush_line(c, false);
		}
	}
}

static void
out_cb(EV_P_ ev_io *w, int revents)
{
	(void)revents;
	out_read(ev_userdata(EV_A), container_of(w, struct check, out_io));
}

/* An exec: check runs as its service would: its user and groups, limits,
 * environment and directory, stdin on /dev/null, stdout and stderr into
 * a pipe that drainit reads for its debug log. */
static void
start_exec(struct supervisor *sup, struct check *c)
{
	struct service *svc = c->svc;
	struct spawn_req req = { .argv = c->spec->argv, .dir = svc->cfg->directory };
	struct spawn_opts opts = { .stdio = { -1, -1, -1 } };
	struct spawn_rlimit rl[_LIM_MAX];
	char oom[16];
	struct envbuf e;
	int r = -ENOMEM, fds[2] = { -1, -1 }, devnull;

	argv_free(c->envp);
	c->envp = NULL;
	out_close(sup, c);
	c->olen = c->obytes = 0;
	procset_spawn_opts(svc->cfg, &opts, rl, oom);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	opts.stdio[0] = devnull;
	if (pipe2(fds, O_CLOEXEC) == 0) {
		(void)fcntl(fds[0], F_SETFL, O_NONBLOCK);
		opts.stdio[1] = opts.stdio[2] = fds[1];
	}
	req.opts = &opts;
	if (env_init(&e, environ) == 0 && procset_env(svc->cfg, &e) == 0 &&
	    env_setf(&e, "DRAINIT_SERVICE=%s", svc->cfg->name) == 0 &&
	    env_setf(&e, "DRAINIT_SERVICE_PID=%d", (int)svc->proc.pid) == 0) {
		c->envp = env_take(&e);
		req.envp = c->envp;
		c->proc.kind = PROC_CHECK;
		c->timed_out = false;
		r = spawn_start(sup, &c->proc, &req);
	}
	env_free(&e);
	if (devnull >= 0)
		close(devnull);
	if (fds[1] >= 0)
		close(fds[1]);
	if (r < 0) {
		if (fds[0] >= 0)
			close(fds[0]);
		attempt_done(sup, c, false, "exec: fork: %s", strerror(-r));
		return;
	}
	if (fds[0] >= 0) {
		c->out_fd = fds[0];
		ev_io_init(&c->out_io, out_cb, c->out_fd, EV_READ);
		ev_io_start(sup->loop, &c->out_io);
	}
	c->exec_running = true;
	log_debug("service %s: %s check (pid %d) started", svc->cfg->name,
		  c->role == CHECK_ROLE_READY ? "ready" : "health", (int)c->proc.pid);
}

/* ---- listen ------------------------------------------------------------------ */

/* Whether one of the service's processes (its process group, and the
 * tracked pid) holds a listening TCP socket, on the check's port if it
 * names one: asked of the kernel, nothing is sent to the service. */
static void
start_listen(struct supervisor *sup, struct check *c)
{
	static struct tcp_sock socks[1024];
	static ino_t inos[4096];
	pid_t target = service_target(sup, c->svc);
	int ns = sockdiag_tcp(1u << TCP_LISTEN, socks, 1024), ni;

	if (ns > 1024)
		ns = 1024;	/* what was kept */
	if (ns < 0) {
		attempt_done(sup, c, false, "listen: sock_diag: %s", strerror(-ns));
		return;
	}
	ni = sockdiag_group_inodes(target < 0 ? -target : 0, c->svc->proc.pid, inos, 4096);
	for (int i = 0; i < ns; i++) {
		if (c->spec->port && socks[i].lport != c->spec->port)
			continue;
		for (int k = 0; k < ni; k++)
			if (inos[k] == socks[i].ino) {
				attempt_done(sup, c, true, "%s", "");
				return;
			}
	}
	if (c->spec->port)
		attempt_done(sup, c, false, "no process of the service listens on TCP port %u",
			     c->spec->port);
	else
		attempt_done(sup, c, false, "no process of the service listens on a TCP port");
}

void
check_on_exec(struct supervisor *sup, struct check *c)
{
	(void)sup;
	if (c->proc.fail_step != SPAWN_STEP_NONE)
		log_debug("service %s: check (pid %d) failed to start: %s: %s", c->svc->cfg->name,
			  (int)c->proc.pid, spawn_step_name(c->proc.fail_step),
			  strerror(c->proc.fail_errno));
}

void
check_on_exit(struct supervisor *sup, struct check *c, int wstatus)
{
	char dbuf[32], sbuf[96];

	c->exec_running = false;
	c->proc.pid = 0;
	if (c->proc.fail_step != SPAWN_STEP_NONE)
		attempt_done(sup, c, false, "exec failed to start: %s: %s",
			     spawn_step_name(c->proc.fail_step), strerror(c->proc.fail_errno));
	else if (c->timed_out)
		attempt_done(sup, c, false, "exec timed out after %s",
			     format_duration(c->timeout_ms, dbuf, sizeof(dbuf)));
	else if (status_to_code(wstatus) == 0)
		attempt_done(sup, c, true, "%s", "");
	else
		attempt_done(sup, c, false, "exec %s", describe_status(wstatus, sbuf, sizeof(sbuf)));
}

/* ---- the timer: next attempt or deadline ------------------------------------ */

static void
attempt_start(struct supervisor *sup, struct check *c)
{
	c->busy = true;
	c->attempts++;
	arm(sup, c, c->timeout_ms);
	if (c->spec->kind == CHECK_EXEC)
		start_exec(sup, c);
	else if (c->spec->kind == CHECK_LISTEN)
		start_listen(sup, c);
	else
		start_net(sup, c);
}

static void
check_timer_cb(EV_P_ ev_timer *w, int revents)
{
	struct supervisor *sup = ev_userdata(EV_A);
	struct check *c = container_of(w, struct check, timer);
	char dbuf[32];

	(void)revents;
	if (!c->busy) {
		if (should_run(sup, c))
			attempt_start(sup, c);
		return;
	}
	if (c->spec->kind != CHECK_EXEC) {
		attempt_done(sup, c, false, "%s timed out after %s", c->spec->label,
			     format_duration(c->timeout_ms, dbuf, sizeof(dbuf)));
		return;
	}
	/* The attempt ends when the reaper hears of the process. */
	if (c->exec_running && !c->timed_out) {
		c->timed_out = true;
		if (sup->sys->kill(-c->proc.pid, SIGKILL) < 0 && errno != ESRCH)
			log_warn("service %s: check (pid %d): kill: %s", c->svc->cfg->name,
				 (int)c->proc.pid, strerror(errno));
	}
}

/* ---- starting and stopping ---------------------------------------------------- */

void
check_start(struct supervisor *sup, struct service *svc)
{
	struct svc_probe *pr = &svc->pr;

	if (sup->stage != STAGE_RUNNING)
		return;
	if (pr->ready_chk)
		attempt_start(sup, pr->ready_chk);
	if (pr->health_chk)
		arm(sup, pr->health_chk, pr->health_chk->interval_ms);
}

void
check_stop(struct supervisor *sup, struct service *svc)
{
	if (svc->pr.ready_chk)
		check_halt(sup, svc->pr.ready_chk, true);
	if (svc->pr.health_chk)
		check_halt(sup, svc->pr.health_chk, true);
}
