/* sockio.h: mechanisms layer. The steps the probe server and the control
 * socket take on a non-blocking stream connection: send what is left,
 * read and drop what the peer still sends, switch the watched events,
 * pause accepting after an error that would otherwise spin. */
#ifndef DRAINIT_SOCKIO_H
#define DRAINIT_SOCKIO_H

#include <ev.h>
#include <stddef.h>

enum sock_io {
	SOCK_DONE,	/* everything was sent */
	SOCK_AGAIN,	/* the socket is full (or empty): wait for the watcher */
	SOCK_GONE,	/* the peer went away, or sent too much: close */
};

/* Sends p[*off..len); *off advances by what went out. */
enum sock_io sock_send_rest(int fd, const char *p, size_t len, size_t *off);

/* Reads and drops what is waiting; SOCK_GONE at end of file, on an error,
 * or once *drained (which grows by what was read) passes max. */
enum sock_io sock_discard(int fd, size_t *drained, size_t max);

/* Watches fd for other events. */
void sock_watch(struct ev_loop *loop, ev_io *w, int fd, int events);

/* accept4() failed with errno e on a level-triggered watcher: logs it for
 * who and stops accepting for a second: retry (zeroed or stopped memory
 * the server owns) then restarts accept_io. */
void sock_accept_pause(struct ev_loop *loop, ev_io *accept_io, ev_timer *retry,
		       const char *who, int e);

#endif
