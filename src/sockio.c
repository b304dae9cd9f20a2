/* sockio.c: non-blocking stream socket steps shared by the servers. */
#include "sockio.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"

enum sock_io
sock_send_rest(int fd, const char *p, size_t len, size_t *off)
{
	while (*off < len) {
		ssize_t n = send(fd, p + *off, len - *off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? SOCK_AGAIN : SOCK_GONE;
		}
		*off += (size_t)n;
	}
	return SOCK_DONE;
}

enum sock_io
sock_discard(int fd, size_t *drained, size_t max)
{
	char buf[4096];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return SOCK_AGAIN;
		if (n <= 0 || (*drained += (size_t)n) > max)
			return SOCK_GONE;
	}
}

void
sock_watch(struct ev_loop *loop, ev_io *w, int fd, int events)
{
	ev_io_stop(loop, w);
	ev_io_set(w, fd, events);
	ev_io_start(loop, w);
}

static void
accept_retry_cb(EV_P_ ev_timer *w, int revents)
{
	(void)revents;
	ev_io_start(EV_A, (ev_io *)w->data);
}

void
sock_accept_pause(struct ev_loop *loop, ev_io *accept_io, ev_timer *retry,
		  const char *who, int e)
{
	log_warn("%s: accept: %s; pausing for 1s", who, strerror(e));
	ev_io_stop(loop, accept_io);
	ev_timer_stop(loop, retry);
	ev_timer_init(retry, accept_retry_cb, 1.0, 0.);
	retry->data = accept_io;
	ev_timer_start(loop, retry);
}
