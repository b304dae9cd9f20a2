/* probe.c: mechanism layer. The HTTP probe server, in drainit's loop (no thread, no
 * process).
 *
 * Life of a connection:
 *   accept4(NONBLOCK|CLOEXEC) -> READING  (at most PROBE_HEAD_MAX bytes,
 *        PROBE_IDLE_MS to complete the head, else closed unanswered)
 *   -> WRITING the whole response, built at once from the model
 *   -> DRAINING: shutdown(SHUT_WR), read and discard what the client
 *        still sends until it closes (so a request body cannot turn our
 *        close into a reset that eats the answer); PROBE_LINGER_MS for
 *        writing and draining together.
 * Bounds: PROBE_MAX_CONNS connections. When full, the oldest connection
 * still READING is dropped to make room (then the oldest DRAINING, then
 * the oldest overall), so a fresh probe is answered however many idle
 * connections pile up. Memory: one head buffer per connection and the
 * response. Every response says "Connection: close".
 * GET /prestop (only with prestop_token set) posts the shutdown request
 * and is HOLDING until its prestop stage ends (probe_notice()).
 * Never: blocks or waits on a client; it writes into the model only what
 * it saw (the clients that asked for /readyz, sup_saw_prober()). */
#include "probe.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "sockio.h"

#define PROBE_DRAIN_MAX 65536	/* bytes discarded after the answer, at most */

enum conn_state { CONN_READING, CONN_HOLDING, CONN_WRITING, CONN_DRAINING };

struct conn {
	struct probe_server *ps;
	int fd;
	enum conn_state st;
	unsigned long seq;	/* accept order: lower is older */
	ev_io io;
	ev_timer timer;
	size_t len;		/* bytes in head */
	struct http_request req;	/* parse state, then the request */
	struct sbuf out;
	size_t off;		/* bytes of out sent */
	size_t drained;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	char head[PROBE_HEAD_MAX];
};

struct probe_server {
	struct supervisor *sup;
	int fd;
	ev_io accept_io;
	ev_timer retry;		/* accepting paused: out of file descriptors */
	struct conn *conns[PROBE_MAX_CONNS];
	size_t nconns;
	unsigned long seq;
	unsigned long dropped;
	size_t holding;		/* GET /prestop answers waiting for the stage to end */
	struct ratelimit refused_rl;	/* GET /prestop refused: anyone may send one */
	char addr[80];
};

/* ---- responses ---------------------------------------------------------- */

static bool
path_is(const struct http_request *req, const char *p)
{
	return req->path_len == strlen(p) && memcmp(req->path, p, req->path_len) == 0;
}

int
probe_response(const struct supervisor *sup, enum http_parse parse,
	       const struct http_request *req, struct sbuf *out)
{
	struct sbuf body = { 0 };
	const char *ctype = "text/plain; charset=utf-8";
	const char *extra = "";
	bool head_only = false;
	int code;

	if (parse == HTTP_PARSE_TOO_LARGE) {
		code = 431;
		sbuf_printf(&body, "request head too large (at most %d bytes)\n", PROBE_HEAD_MAX);
	} else if (parse != HTTP_PARSE_OK) {
		code = 400;
		sbuf_printf(&body, "bad request\n");
	} else {
		enum { R_NONE, R_LIVEZ, R_READYZ, R_STATUS, R_METRICS, R_PRESTOP } route = R_NONE;

		head_only = req->method == HTTP_HEAD;	/* never a body, whatever the status */

		if (path_is(req, "/livez") || path_is(req, "/healthz"))
			route = R_LIVEZ;
		else if (path_is(req, "/readyz"))
			route = R_READYZ;
		else if (path_is(req, "/status"))
			route = R_STATUS;
		else if (path_is(req, "/metrics"))
			route = R_METRICS;
		else if (path_is(req, "/prestop") && sup->cfg->prestop_token)
			route = R_PRESTOP;	/* not a GET: GET is prestop_request's */

		if (route == R_NONE) {
			code = 404;
			sbuf_printf(&body, "not found (try /livez, /readyz, /status or /metrics)\n");
		} else if (route == R_PRESTOP) {
			code = 405;
			extra = "Allow: GET\r\n";
			sbuf_printf(&body, "method not allowed (GET /prestop, with the token)\n");
		} else if (req->method == HTTP_OTHER) {
			code = 405;
			extra = "Allow: GET, HEAD\r\n";
			sbuf_printf(&body, "method not allowed (use GET or HEAD)\n");
		} else {
			switch (route) {
			case R_LIVEZ:
				code = report_livez(sup, &body);
				break;
			case R_READYZ:
				code = report_readyz(sup, http_query_has(req->query, req->query_len,
									 "verbose"), &body);
				break;
			case R_STATUS:
				ctype = "application/json";
				code = report_status(sup, &body);
				break;
			case R_METRICS:
			default:
				ctype = "text/plain; version=0.0.4; charset=utf-8";
				code = report_metrics(sup, &body);
				break;
			}
		}
	}
	if (body.oom) {
		sbuf_free(&body);
		code = 500;
		ctype = "text/plain; charset=utf-8";
		extra = "";
	}
	sbuf_printf(out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		    "Cache-Control: no-store\r\n%sConnection: close\r\n\r\n",
		    code, http_reason(code), ctype, body.len, extra);
	if (!head_only && body.len)
		sbuf_add(out, body.p, body.len);
	sbuf_free(&body);
	return code;
}

/* ---- connections ----------------------------------------------------------- */

static void
conn_close(struct conn *c)
{
	struct probe_server *ps = c->ps;
	struct ev_loop *loop = ps->sup->loop;

	if (c->st == CONN_HOLDING)
		ps->holding--;
	ev_io_stop(loop, &c->io);
	ev_timer_stop(loop, &c->timer);
	close(c->fd);
	sbuf_free(&c->out);
	for (size_t i = 0; i < ps->nconns; i++)
		if (ps->conns[i] == c) {
			ps->conns[i] = ps->conns[--ps->nconns];
			ps->conns[ps->nconns] = NULL;
			break;
		}
	free(c);
}

static void
conn_write(struct conn *c)
{
	switch (sock_send_rest(c->fd, c->out.p, c->out.len, &c->off)) {
	case SOCK_AGAIN:
		return;
	case SOCK_GONE:
		conn_close(c);	/* the client went away */
		return;
	case SOCK_DONE:
		break;
	}
	(void)shutdown(c->fd, SHUT_WR);
	c->st = CONN_DRAINING;
	sock_watch(c->ps->sup->loop, &c->io, c->fd, EV_READ);
}

/* GET /prestop with the right prestop_token: the staged shutdown starts
 * (or goes on) and the answer waits until its prestop stage is over, so a
 * Kubernetes httpGet preStop hook holds the kubelet's SIGTERM until then.
 * Returns false when the request is not one (the usual routing answers). */
static bool
prestop_request(struct conn *c, const struct http_request *req)
{
	struct probe_server *ps = c->ps;
	struct supervisor *sup = ps->sup;
	const char *tok = sup->cfg->prestop_token, *v = NULL;
	size_t vlen = 0;
	msec_t hold;

	if (!path_is(req, "/prestop") || !tok || req->method != HTTP_GET)
		return false;
	if (!http_header_get(c->head, req->head_len, "X-Drainit-Token", &v, &vlen) &&
	    !http_query_get(req->query, req->query_len, "token", &v, &vlen))
		v = NULL;
	if (!v || !http_secret_equal(v, vlen, tok, strlen(tok))) {
		sbuf_printf(&c->out, "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\n"
			    "Content-Length: 38\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
			    "forbidden: wrong or missing the token\n");
		unsigned long held;

		if (ratelimit_allow(&ps->refused_rl, sup->sys->now(), &held))
			log_warn("probe: GET /prestop refused: %s token%s", v ? "wrong" : "no",
				 held ? " (and more refused, not logged)" : "");
		return false;
	}
	log_info("probe: GET /prestop: the staged shutdown %s; answering when its prestop stage ends",
		 sup->stage == STAGE_RUNNING ? "starts" : "is under way");
	if (sup->stage == STAGE_RUNNING)
		sup_post(sup, &(struct event){ .kind = EVT_SHUTDOWN_REQUESTED, .text = "GET /prestop" });
	c->st = CONN_HOLDING;
	ps->holding++;
	ev_io_stop(sup->loop, &c->io);
	ev_timer_stop(sup->loop, &c->timer);
	hold = sup->cfg->prestop_delay_ms + sup->cfg->drain_timeout_ms + 30000;
	ev_timer_set(&c->timer, (ev_tstamp)hold / 1000.0, 0.);
	ev_timer_start(sup->loop, &c->timer);
	probe_notice(sup);	/* the stage may be over already */
	return true;
}

static void conn_send(struct conn *c);

void
probe_notice(struct supervisor *sup)
{
	struct probe_server *ps = sup->probe;

	if (!ps || !ps->holding || sup->stage <= STAGE_PRESTOP)
		return;
	for (size_t i = 0; i < ps->nconns; i++) {
		struct conn *c = ps->conns[i];
		struct sbuf body = { 0 };

		if (c->st != CONN_HOLDING)
			continue;
		ps->holding--;
		sbuf_printf(&body, "prestop over (stage %s)%s%s\n", stage_name(sup->stage),
			    sup->prestop_why[0] ? ": " : "", sup->prestop_why);
		sbuf_printf(&c->out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
			    "Content-Length: %zu\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
			    body.len);
		sbuf_add(&c->out, body.p, body.len);
		sbuf_free(&body);
		conn_send(c);
	}
}

static void
conn_respond(struct conn *c, enum http_parse parse, const struct http_request *req)
{
	struct ev_loop *loop = c->ps->sup->loop;
	int code;

	if (parse == HTTP_PARSE_OK && prestop_request(c, req))
		return;
	code = c->out.len ? 403 : probe_response(c->ps->sup, parse, req, &c->out);
	if (parse == HTTP_PARSE_OK && code != 403 && path_is(req, "/readyz"))
		sup_saw_prober(c->ps->sup, (const struct sockaddr *)&c->peer, c->peerlen, code);

	if (parse == HTTP_PARSE_OK)
		log_debug("probe: %s %.*s -> %d",
			  req->method == HTTP_GET ? "GET" : req->method == HTTP_HEAD ? "HEAD" : "other",
			  (int)req->path_len, req->path, code);
	else
		log_debug("probe: malformed request -> %d", code);
	(void)loop;
	conn_send(c);
}

/* The answer is in c->out: write it, then linger. */
static void
conn_send(struct conn *c)
{
	struct ev_loop *loop = c->ps->sup->loop;

	if (c->out.oom) {
		conn_close(c);
		return;
	}
	c->st = CONN_WRITING;
	ev_timer_stop(loop, &c->timer);
	ev_timer_set(&c->timer, PROBE_LINGER_MS / 1000.0, 0.);
	ev_timer_start(loop, &c->timer);
	sock_watch(c->ps->sup->loop, &c->io, c->fd, EV_WRITE);
	conn_write(c);
}

/* Leading bytes of a request parsed on every read, so that junk is
 * answered 400 at once: the method (at most 32 characters), its space and
 * the start of the target. Past them, only a line end (or a full buffer)
 * can change the verdict. */
#define PROBE_JUNK_WINDOW 64

static void
conn_read(struct conn *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->head + c->len, sizeof(c->head) - c->len, 0);
		enum http_parse r;
		size_t seen;
		bool nl;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				conn_close(c);
			return;
		}
		if (n == 0) {
			conn_close(c);	/* closed before a complete request */
			return;
		}
		nl = memchr(c->head + c->len, '\n', (size_t)n) != NULL;
		seen = c->len;
		c->len += (size_t)n;
		/* Only a new line end can complete the head, but the first
		 * PROBE_JUNK_WINDOW bytes are judged as soon as they arrive,
		 * however many come in one read, so what cannot begin a request
		 * line (a TLS ClientHello, an SSH banner) is answered 400 at
		 * once; a full buffer is always judged. */
		if (!nl && seen >= PROBE_JUNK_WINDOW && c->len < sizeof(c->head))
			continue;
		r = http_parse_request(c->head, c->len, sizeof(c->head), &c->req);
		if (r != HTTP_PARSE_INCOMPLETE) {
			conn_respond(c, r, &c->req);
			return;
		}
	}
}

static void
conn_drain(struct conn *c)
{
	if (sock_discard(c->fd, &c->drained, PROBE_DRAIN_MAX) == SOCK_GONE)
		conn_close(c);
}

static void
conn_io_cb(EV_P_ ev_io *w, int revents)
{
	struct conn *c = container_of(w, struct conn, io);

	(void)loop;
	(void)revents;
	switch (c->st) {
	case CONN_READING:
		conn_read(c);
		break;
	case CONN_WRITING:
		conn_write(c);
		break;
	case CONN_DRAINING:
		conn_drain(c);
		break;
	case CONN_HOLDING:	/* its io watcher is stopped */
		break;
	}
}

static void
conn_timer_cb(EV_P_ ev_timer *w, int revents)
{
	struct conn *c = container_of(w, struct conn, timer);

	(void)loop;
	(void)revents;
	if (c->st == CONN_READING)
		log_debug("probe: closing a connection without a complete request after %dms",
			  PROBE_IDLE_MS);
	conn_close(c);
}

/* Makes room for one more: the oldest connection still reading its
 * request goes first, then the oldest draining, then the oldest. */
static void
evict_one(struct probe_server *ps)
{
	static const int order[] = { CONN_READING, CONN_DRAINING, -1 };
	struct conn *victim = NULL;

	for (size_t k = 0; !victim && k < sizeof(order) / sizeof(order[0]); k++)
		for (size_t i = 0; i < ps->nconns; i++) {
			struct conn *c = ps->conns[i];
			if (order[k] >= 0 && (int)c->st != order[k])
				continue;
			if (!victim || c->seq < victim->seq)
				victim = c;
		}
	if (!victim)
		return;
	ps->dropped++;
	log_debug("probe: %zu connections open, dropping the oldest %s one", ps->nconns,
		  victim->st == CONN_READING ? "idle" : "answered");
	conn_close(victim);
}

static void
accept_cb(EV_P_ ev_io *w, int revents)
{
	struct probe_server *ps = container_of(w, struct probe_server, accept_io);

	(void)revents;
	for (int i = 0; i < 32; i++) {
		struct conn *c;
		struct sockaddr_storage peer;
		socklen_t peerlen = sizeof(peer);
		int fd = accept4(ps->fd, (struct sockaddr *)&peer, &peerlen,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			int e = errno;
			if (e == EINTR || e == ECONNABORTED || e == EPROTO)
				continue;
			if (e == EAGAIN)
				return;
			if ((e == EMFILE || e == ENFILE) && ps->nconns > 0) {
				evict_one(ps);	/* frees a descriptor */
				continue;
			}
			sock_accept_pause(EV_A, &ps->accept_io, &ps->retry, "probe server", e);
			return;
		}
		if (ps->nconns == PROBE_MAX_CONNS)
			evict_one(ps);
		c = malloc(sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		memset(c, 0, offsetof(struct conn, head));
		c->ps = ps;
		c->fd = fd;
		c->st = CONN_READING;
		c->seq = ps->seq++;
		c->peer = peer;
		c->peerlen = peerlen;
		ps->conns[ps->nconns++] = c;
		ev_io_init(&c->io, conn_io_cb, fd, EV_READ);
		ev_io_start(EV_A, &c->io);
		ev_timer_init(&c->timer, conn_timer_cb, PROBE_IDLE_MS / 1000.0, 0.);
		ev_timer_start(EV_A, &c->timer);
	}
}

/* ---- set-up ------------------------------------------------------------------ */

static int
listen_on(const struct sockaddr *sa, socklen_t len, bool dual)
{
	int fd, one = 1, zero = 0, e;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (dual)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, sa, len) < 0 || listen(fd, 128) < 0) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

int
probe_setup(struct supervisor *sup)
{
	const struct config *cfg = sup->cfg;
	struct probe_server *ps;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd;

	if (!cfg->probe_listen)
		return 0;
	if (cfg->probe_addr.any) {
		/* ":PORT": IPv6 and IPv4 on one socket, or IPv4 alone when the
		 * kernel has no IPv6. */
		struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT,
					   .sin6_port = htons((uint16_t)cfg->probe_addr.port) };
		struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY),
					  .sin_port = htons((uint16_t)cfg->probe_addr.port) };
		fd = listen_on((struct sockaddr *)&s6, sizeof(s6), true);
		if (fd == -EAFNOSUPPORT || fd == -EADDRNOTAVAIL)
			fd = listen_on((struct sockaddr *)&s4, sizeof(s4), false);
	} else {
		fd = listen_on((const struct sockaddr *)&cfg->probe_addr.ss, cfg->probe_addr.len, false);
	}
	if (fd < 0) {
		log_error("probe_listen %s: cannot listen: %s", cfg->probe_listen, strerror(-fd));
		return fd;
	}
	ps = calloc(1, sizeof(*ps));
	if (!ps) {
		close(fd);
		return -ENOMEM;
	}
	ps->sup = sup;
	ps->fd = fd;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		format_sockaddr((struct sockaddr *)&ss, ps->addr, sizeof(ps->addr));
	else
		snprintf(ps->addr, sizeof(ps->addr), "%s", cfg->probe_listen);
	ev_io_init(&ps->accept_io, accept_cb, fd, EV_READ);
	ev_io_start(sup->loop, &ps->accept_io);
	sup->probe = ps;
	log_info("probe server listening on %s: /livez /readyz /status /metrics", ps->addr);
	return 0;
}

void
probe_free(struct supervisor *sup)
{
	struct probe_server *ps = sup->probe;

	if (!ps)
		return;
	while (ps->nconns)
		conn_close(ps->conns[0]);
	ev_io_stop(sup->loop, &ps->accept_io);
	ev_timer_stop(sup->loop, &ps->retry);
	close(ps->fd);
	free(ps);
	sup->probe = NULL;
}
