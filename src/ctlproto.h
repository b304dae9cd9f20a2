/* ctlproto.h: pure layer. The control socket's protocol, version 1
 * (man/drainit.8, CONTROL): one request per connection, one JSON object
 * on one line; the answer is one JSON object on one line ("logs" with
 * follow: more lines after it). Parsing and building requests, shared by
 * drainit's control socket (control.c) and drainit ctl (ctlclient.c). */
#ifndef DRAINIT_CTLPROTO_H
#define DRAINIT_CTLPROTO_H

#include <stdbool.h>
#include <stddef.h>

#include "parse.h"

#define CTL_PROTO_VERSION 1
#define CTL_REQUEST_MAX 4096	/* bytes of a request line, its newline included */
#define CTL_NAME_MAX 64		/* a service name */
#define TIMEOUT_MAX_MS (24LL * 3600 * 1000)	/* wait-ready's timeout_ms */

enum ctl_cmd {
	CTL_STATUS,
	CTL_START,
	CTL_STOP,
	CTL_RESTART,
	CTL_SIGNAL,
	CTL_RELOAD,		/* the service's reload_signal */
	CTL_WAIT_READY,
	CTL_READY,
	CTL_PRESTOP,
	CTL_SHUTDOWN,
	CTL_LOGS,
	CTL_RELOAD_CONFIG,	/* read the configuration file again */
	_CTL_MAX
};

struct ctl_request {
	enum ctl_cmd cmd;
	char **services;	/* NULL-terminated; NULL when none were named */
	size_t nservices;
	int sig;		/* signal */
	msec_t timeout_ms;	/* wait-ready; -1: no timeout */
	bool force;		/* shutdown */
	long lines;		/* logs: how many of the last lines (default 10) */
	bool follow;		/* logs: then every new line */
};

/* "status", "wait-ready", ...; NULL for an unknown value. */
const char *ctl_cmd_name(enum ctl_cmd c);
/* -1 for an unknown name. */
int ctl_cmd_parse(const char *name);

/* Parses one request line (without its newline). 0, or -1 with a
 * one-line reason in err. Free with ctl_request_free (also after -1). */
int ctl_request_parse(const char *line, size_t len, struct ctl_request *req, char *err,
		      size_t errlen);
void ctl_request_init(struct ctl_request *req);
void ctl_request_free(struct ctl_request *req);

/* The request as one JSON line, newline included (malloc'd), or NULL. */
char *ctl_request_format(const struct ctl_request *req);

#endif
