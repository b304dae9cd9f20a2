/* spec.h: pure layer. Parsers for the values of the probe server and the
 * per-service checks: the listen address of probe_listen / --probe, and
 * the "ready =" / "health =" check specs. Nothing here logs, resolves a
 * name or opens a socket: host names are refused (resolving one would
 * block the loop), except "localhost", which means 127.0.0.1. */
#ifndef DRAINIT_SPEC_H
#define DRAINIT_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Where the probe server listens. */
struct listen_addr {
	struct sockaddr_storage ss;	/* unused when any */
	socklen_t len;
	bool any;			/* ":PORT": every address, IPv6 and IPv4 */
	unsigned port;
};

/* "0.0.0.0:8080", "[::]:8080", "127.0.0.1:9000", "localhost:9000",
 * ":8080". Returns 0, or -EINVAL with *why set to a static reason. */
int parse_listen_addr(const char *s, struct listen_addr *ret, const char **why);

/* "127.0.0.1:8080", "[::1]:8080". buf should hold 64 bytes. */
const char *format_sockaddr(const struct sockaddr *sa, char *buf, size_t len);

enum check_kind {
	CHECK_NONE,	/* ready as soon as running / no health check */
	CHECK_TCP,	/* a TCP connect succeeds */
	CHECK_HTTP,	/* GET answers 200-399 */
	CHECK_EXEC,	/* a command exits 0 */
	CHECK_NOTIFY,	/* sd_notify READY=1 (readiness only) */
	CHECK_LISTEN,	/* one of the service's processes listens on TCP (port) */
	_CHECK_MAX
};
const char *check_kind_name(enum check_kind k);

struct check_spec {
	enum check_kind kind;
	char *text;		/* as written, NULL for an unset spec */
	char *label;		/* for messages: "tcp 127.0.0.1:5432" */
	struct sockaddr_storage addr;	/* TCP, HTTP */
	socklen_t addrlen;
	char *host;		/* HTTP: value of the Host header */
	char *path;		/* HTTP: "/PATH?QUERY", at least "/" */
	char **argv;		/* EXEC */
	unsigned port;		/* LISTEN: 0 for any port */
};

/* tcp:HOST:PORT | http://HOST[:PORT]/PATH | exec:COMMAND | listen[:PORT] |
 * notify | none.
 * allow_notify is false for health checks. Returns 0, -EINVAL with *why
 * set to a static reason, or -ENOMEM. ret is only written on success. */
int parse_check_spec(const char *s, bool allow_notify, struct check_spec *ret,
		     const char **why);
void check_spec_free(struct check_spec *c);

/* A whole number from lo to hi. 0 or -EINVAL. */
int parse_count(const char *s, unsigned lo, unsigned hi, unsigned *ret);

#endif
