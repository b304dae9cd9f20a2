/* probe.h: mechanism layer. The HTTP probe server (probe_listen / --probe), in drainit's
 * own loop: /livez (/healthz), /readyz, /status, /metrics. */
#ifndef DRAINIT_PROBE_H
#define DRAINIT_PROBE_H

#include "http.h"
#include "report.h"
#include "supervisor.h"

#define PROBE_MAX_CONNS 64	/* concurrent connections */
#define PROBE_HEAD_MAX 8192	/* request head; more is 431 */
#define PROBE_IDLE_MS 5000	/* to send a complete request head */
#define PROBE_LINGER_MS 5000	/* to take the answer and close */

/* Listens when the config has probe_listen. 0, or -errno (logged). */
int probe_setup(struct supervisor *sup);
/* Closes the listening socket and every connection. */
void probe_free(struct supervisor *sup);

/* After each event: GET /prestop answers held until the prestop stage
 * ends are sent once it has. */
void probe_notice(struct supervisor *sup);

/* The whole response (status line, headers, body unless HEAD) to a
 * request head parsed as parse (HTTP_PARSE_OK, _BAD or _TOO_LARGE).
 * Returns the status code. Pure but for the clock of sup. */
int probe_response(const struct supervisor *sup, enum http_parse parse,
		   const struct http_request *req, struct sbuf *out);

#endif
