/* report.h: mechanism layer (a view of the model). What the probe server answers, as functions of the model:
 * /livez, /readyz, /status (JSON) and /metrics (Prometheus text). No
 * I/O; the clock is sup->sys->now, so the unit tests can drive it. */
#ifndef DRAINIT_REPORT_H
#define DRAINIT_REPORT_H

#include <stdarg.h>

#include "supervisor.h"

/* A growable byte buffer; zero-initialise. After an allocation failure
 * oom is set and further appends are dropped. */
struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};
void sbuf_add(struct sbuf *b, const char *s, size_t n);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s as a JSON string, quotes included; NULL gives null. */
void sbuf_json_str(struct sbuf *b, const char *s);
void sbuf_free(struct sbuf *b);

/* /livez: drainit's loop answers and no service has failed for good. */
bool report_live(const struct supervisor *sup);
/* /readyz: no shutdown under way and every service is ready. */
bool report_ready(const struct supervisor *sup);

/* Each appends the body and returns the HTTP status (200 or 503). */
int report_livez(const struct supervisor *sup, struct sbuf *b);
int report_readyz(const struct supervisor *sup, bool verbose, struct sbuf *b);
int report_status(const struct supervisor *sup, struct sbuf *b);
int report_metrics(const struct supervisor *sup, struct sbuf *b);

#endif
