/* bench-httpget: a small HTTP load generator for the probe scenario, used
 * when wrk is not installed. Loopback only, bounded in count and time.
 *
 * usage: bench-httpget PORT PATH RATE MAX_REQUESTS DURATION_MS [MAX_INFLIGHT]
 *
 * Opens a new connection to 127.0.0.1:PORT for every request (as a probe
 * does; the servers measured answer with Connection: close) and sends
 * "GET PATH HTTP/1.1". Requests start on a fixed schedule, RATE a second
 * (a timerfd), not waiting for earlier answers, until MAX_REQUESTS have
 * started or DURATION_MS has passed; a request whose turn comes while
 * MAX_INFLIGHT (default 32) are still open waits for a free slot. A request
 * not answered within 2 s counts as a timeout. Latency: from the write of
 * the request to the last byte of the response (status line, headers and
 * Content-Length bytes of body), like wrk, so the TCP handshake (done by
 * the kernel, not by the server program) is not part of it.
 *
 * Prints one line per request on stdout: "LATENCY_NS STATUS", with
 * LATENCY_NS -1 for a connection error or a malformed answer and -2 for a
 * timeout (STATUS 0 for both); then a summary on stderr. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include "common.h"

#define TIMEOUT_NS 2000000000LL
#define MAX_SLOTS 64

struct req {
	int fd;			/* -1: slot free */
	bool sent, done;
	int64_t t_start, t_write, t_done;
	int status;
	size_t have, need;	/* bytes read; total expected (0: headers not complete yet) */
	char buf[2048];
};

static struct req slots[MAX_SLOTS];
static int ep;
static struct sockaddr_in addr;
static char request[512];
static size_t request_len;
static long n_ok, n_err, n_timeout;

static void
finish(struct req *r, int64_t lat, int status)
{
	if (lat >= 0)
		n_ok++;
	else if (lat == -2)
		n_timeout++;
	else
		n_err++;
	printf("%lld %d\n", (long long)lat, status);
	if (r->fd >= 0) {
		epoll_ctl(ep, EPOLL_CTL_DEL, r->fd, NULL);
		close(r->fd);
	}
	r->fd = -1;
}

static void
fail(struct req *r)
{
	finish(r, -1, 0);
}

static int
start(struct req *r, int64_t now)
{
	struct epoll_event ev = { .events = EPOLLOUT };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->t_start = now;
	if (fd < 0) {
		fail(r);
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 && errno != EINPROGRESS) {
		fail(r);
		return -1;
	}
	ev.data.ptr = r;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		fail(r);
		return -1;
	}
	return 0;
}

/* Parses what has been read: sets r->status and r->need once the headers
 * are complete. -1 on a malformed answer. */
static int
parse(struct req *r)
{
	char *end, *p;
	long len = -1;

	if (r->need)
		return 0;
	r->buf[r->have] = 0;
	end = strstr(r->buf, "\r\n\r\n");
	if (!end)
		return r->have >= sizeof(r->buf) - 1 ? -1 : 0;
	if (strncmp(r->buf, "HTTP/1.", 7) != 0 || strlen(r->buf) < 12)
		return -1;
	r->status = atoi(r->buf + 9);
	for (p = r->buf; p < end; p++) {
		if ((p == r->buf || p[-1] == '\n') && strncasecmp(p, "content-length:", 15) == 0)
			len = atol(p + 15);
	}
	if (len < 0)
		return -1;
	r->need = (size_t)(end + 4 - r->buf) + (size_t)len;
	return 0;
}

static void
on_event(struct req *r, uint32_t events)
{
	if (!r->sent) {
		int err = 0;
		socklen_t l = sizeof(err);
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = r };

		if (getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0 || err) {
			fail(r);
			return;
		}
		r->t_write = now_ns();
		if (write(r->fd, request, request_len) != (ssize_t)request_len) {
			fail(r);
			return;
		}
		r->sent = true;
		epoll_ctl(ep, EPOLL_CTL_MOD, r->fd, &ev);
		return;
	}
	for (;;) {
		ssize_t n;

		if (r->done) {	/* answered: drain to the server's close */
			char sink[512];

			n = read(r->fd, sink, sizeof(sink));
			if (n > 0)
				continue;
			if (n < 0 && errno == EAGAIN && !(events & (EPOLLHUP | EPOLLRDHUP)))
				return;
			finish(r, r->t_done - r->t_write, r->status);
			return;
		}
		n = read(r->fd, r->buf + r->have, sizeof(r->buf) - 1 - r->have);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			fail(r);	/* closed before a complete answer */
			return;
		}
		r->have += (size_t)n;
		if (parse(r) < 0) {
			fail(r);
			return;
		}
		if (r->need && r->have >= r->need) {
			r->t_done = now_ns();
			r->done = true;
		}
	}
}

int
main(int argc, char **argv)
{
	long port, rate, max_req, dur_ms, max_inflight = 32, started = 0, due = 0, inflight;
	struct itimerspec its = { 0 };
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	int tfd;
	int64_t t0, t_end;

	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: bench-httpget PORT PATH RATE MAX_REQUESTS DURATION_MS [MAX_INFLIGHT]\n");
		return 2;
	}
	port = atol(argv[1]);
	rate = atol(argv[3]);
	max_req = atol(argv[4]);
	dur_ms = atol(argv[5]);
	if (argc == 7)
		max_inflight = atol(argv[6]);
	if (port <= 0 || port > 65535 || rate <= 0 || rate > 100000 || max_req <= 0 ||
	    max_req > 1000000 || dur_ms <= 0 || dur_ms > 600000 || max_inflight <= 0 ||
	    max_inflight > MAX_SLOTS || argv[2][0] != '/' || strlen(argv[2]) > 256) {
		fprintf(stderr, "bench-httpget: bad arguments\n");
		return 2;
	}
	request_len = (size_t)snprintf(request, sizeof(request),
	    "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%ld\r\nUser-Agent: bench-httpget\r\n"
	    "Connection: close\r\n\r\n", argv[2], port);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);	/* loopback only, always */
	for (int i = 0; i < MAX_SLOTS; i++)
		slots[i].fd = -1;

	ep = epoll_create1(EPOLL_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (ep < 0 || tfd < 0) {
		perror("bench-httpget");
		return 1;
	}
	its.it_interval.tv_nsec = 1000000000L / rate;
	its.it_value.tv_nsec = 1;
	timerfd_settime(tfd, 0, &its, NULL);
	epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
	t0 = now_ns();
	t_end = t0 + dur_ms * 1000000LL;

	for (;;) {
		struct epoll_event evs[MAX_SLOTS + 1];
		int64_t now = now_ns();
		int n;

		inflight = 0;
		for (int i = 0; i < MAX_SLOTS; i++) {
			if (slots[i].fd < 0)
				continue;
			if (now - slots[i].t_start > TIMEOUT_NS) {
				/* answered but never closed: still answered */
				if (slots[i].done)
					finish(&slots[i], slots[i].t_done - slots[i].t_write, slots[i].status);
				else
					finish(&slots[i], -2, 0);
				continue;
			}
			inflight++;
		}
		if (started < max_req && now >= t_end)
			max_req = started;	/* out of time: no new requests */
		while (due > 0 && started < max_req && inflight < max_inflight) {
			for (int i = 0; i < MAX_SLOTS; i++) {
				if (slots[i].fd < 0) {
					start(&slots[i], now);
					break;
				}
			}
			started++;
			inflight++;
			due--;
		}
		if (started >= max_req && inflight == 0)
			break;
		n = epoll_wait(ep, evs, MAX_SLOTS + 1, 50);
		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == NULL) {
				uint64_t ticks;

				if (read(tfd, &ticks, sizeof(ticks)) == sizeof(ticks))
					due += (long)ticks;
				continue;
			}
			on_event(evs[i].data.ptr, evs[i].events);
		}
	}
	fprintf(stderr, "bench-httpget: %ld requests in %.3f s: %ld answered, %ld errors, %ld timeouts\n",
	    started, (double)(now_ns() - t0) / 1e9, n_ok, n_err, n_timeout);
	return 0;
}
