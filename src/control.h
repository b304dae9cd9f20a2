/* control.h: mechanism layer. The control socket (control_socket =,
 * --control): a Unix stream socket in drainit's loop that drainit ctl
 * talks to (protocol: ctlproto.h, man/drainit.8 CONTROL). */
#ifndef DRAINIT_CONTROL_H
#define DRAINIT_CONTROL_H

#include "supervisor.h"

#define CONTROL_MAX_CLIENTS 16	/* connections served at once */
#define CONTROL_MAX_FOLLOWERS 8	/* of them, logs --follow at once */
#define CONTROL_MAX_READY_WAITERS 4	/* of them, wait-ready at once (it may wait for ever) */
#define CONTROL_BACKLOG 128	/* connections waiting for one of them to close */
#define CONTROL_REQUEST_MS 5000	/* to send a complete request line */
#define CONTROL_LINGER_MS 5000	/* to take the answer and close */
#define CONTROL_OUT_MAX (1024 * 1024)	/* answer bytes queued per client (logs -f) */

/* The socket path drainit uses when control_socket and --control are
 * not given: /run/drainit.sock as root, $XDG_RUNTIME_DIR/drainit.sock
 * otherwise, NULL when there is no such directory. Into buf. */
const char *control_default_path(char *buf, size_t len);

/* Listens on path (NULL or "none": no control socket). A stale socket
 * file (a socket nobody answers on) is replaced; anything else there is
 * an error. explicit: path was configured, so failing is fatal (-errno,
 * logged); otherwise a failure is a warning and 0 is returned. */
int control_setup(struct supervisor *sup, const char *path, bool explicit);
/* Closes every connection, the socket, and removes its file (when it is
 * still the one drainit made). */
void control_free(struct supervisor *sup);

/* After each event (dispatch.c): answers clients waiting for something
 * (a stop, a restart, readiness, the end of prestop). */
void control_notice(struct supervisor *sup);

#endif
