/* ctlclient.c: top layer. drainit ctl [--socket PATH] [--json] COMMAND.
 * A short-lived client, not the supervisor: it may block, bounded by
 * poll() timeouts. One connection, one request line, the answer line(s);
 * errors are one line on stderr. */
#include "ctlclient.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "control.h"
#include "ctlproto.h"
#include "exitcodes.h"

#define ANSWER_MS 10000		/* for an answer that needs no waiting */

static void
usage(FILE *f)
{
	fputs("usage: drainit ctl [--socket PATH] [--json] COMMAND\n"
	      "commands:\n"
	      "  status [SVC...]                 state, pid, uptime, restarts, ready, health, last exit\n"
	      "  start|stop|restart SVC...       stop: drain hooks, stop signal, grace, SIGKILL; stays stopped\n"
	      "  signal SVC SIG                  send SIG to the service's process group\n"
	      "  reload SVC                      send the service its reload_signal\n"
	      "  reload | reload-config          read the configuration file again, apply what changed\n"
	      "  ready [SVC...]                  exit 0 when ready, 3 when not\n"
	      "  wait-ready [--timeout DUR] [SVC...]   wait until ready (3 on timeout)\n"
	      "  prestop                         begin the staged shutdown; return when prestop ends\n"
	      "  shutdown [--force]              begin the staged shutdown (--force: SIGKILL now)\n"
	      "  logs SVC [-n N] [-f]            its last N lines (default 10); -f: then new ones\n"
	      "exit status: 0 done, 1 failed, 3 not ready, 64 usage, 69 no drainit at the socket\n",
	      f);
}

static int
usage_error(const char *fmt, const char *arg)
{
	fputs("drainit ctl: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (see drainit ctl --help)\n", stderr);
	return EXIT_USAGE;
}

/* ---- the connection ----------------------------------------------------------- */

static int
connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int
send_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads one line into *buf (grown): 1 a line, 0 EOF, -1 an error,
 * -2 timeout_ms passed (-1: no timeout). */
struct reader {
	int fd;
	char *buf;
	size_t len, cap;	/* bytes held, the first line first */
};

static int
read_line(struct reader *r, char **line, int timeout_ms)
{
	for (;;) {
		char *nl = r->len ? memchr(r->buf, '\n', r->len) : NULL;
		struct pollfd p = { .fd = r->fd, .events = POLLIN };
		ssize_t n;

		if (nl) {
			size_t l = (size_t)(nl - r->buf);
			*line = strndup(r->buf, l);
			memmove(r->buf, nl + 1, r->len - l - 1);
			r->len -= l + 1;
			return *line ? 1 : -1;
		}
		if (r->len + 4096 > r->cap) {
			size_t ncap = r->cap ? r->cap * 2 : 8192;
			char *nb = realloc(r->buf, ncap);
			if (!nb)
				return -1;
			r->buf = nb;
			r->cap = ncap;
		}
		n = poll(&p, 1, timeout_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			return -2;
		n = recv(r->fd, r->buf + r->len, r->cap - r->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		r->len += (size_t)n;
	}
}

/* ---- printing ------------------------------------------------------------------- */

static const char *
jstr(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : dflt;
}

static void
print_status(json_t *a)
{
	static const char *const head[] = { "NAME", "STATE", "PID", "UPTIME", "RESTARTS",
					    "READY", "HEALTH", "LAST EXIT" };
	enum { NCOL = 8 };
	size_t n = json_array_size(a), w[NCOL];
	char (*cells)[NCOL][96] = calloc(n ? n : 1, sizeof(*cells));
	json_t *s;
	size_t i;

	if (!cells)
		return;
	for (int k = 0; k < NCOL; k++)
		w[k] = strlen(head[k]);
	json_array_foreach(a, i, s) {
		json_t *pid = json_object_get(s, "pid"), *up = json_object_get(s, "uptime_ms");
		char dbuf[32];
		const char *state = jstr(s, "state", "?");

		snprintf(cells[i][0], 96, "%s", jstr(s, "name", "?"));
		if (json_is_true(json_object_get(s, "draining")))
			snprintf(cells[i][1], 96, "%s,draining", state);
		else if (json_is_true(json_object_get(s, "stopped")))
			snprintf(cells[i][1], 96, "%s,held", state);
		else
			snprintf(cells[i][1], 96, "%s", state);
		if (json_is_integer(pid))
			snprintf(cells[i][2], 96, "%lld", (long long)json_integer_value(pid));
		else
			snprintf(cells[i][2], 96, "-");
		if (json_is_integer(up))
			snprintf(cells[i][3], 96, "%s",
				 format_duration(json_integer_value(up) / 1000 * 1000, dbuf,
						 sizeof(dbuf)));
		else
			snprintf(cells[i][3], 96, "-");
		snprintf(cells[i][4], 96, "%lld",
			 (long long)json_integer_value(json_object_get(s, "restarts")));
		snprintf(cells[i][5], 96, "%s",
			 json_is_true(json_object_get(s, "ready")) ? "yes" : "no");
		snprintf(cells[i][6], 96, "%s", jstr(s, "health", "-"));
		snprintf(cells[i][7], 96, "%s", jstr(s, "last_exit", "-"));
		for (int k = 0; k < NCOL; k++)
			if (strlen(cells[i][k]) > w[k])
				w[k] = strlen(cells[i][k]);
	}
	for (int k = 0; k < NCOL; k++)
		printf("%-*s%s", k + 1 < NCOL ? (int)w[k] : 0, head[k], k + 1 < NCOL ? "  " : "\n");
	for (i = 0; i < n; i++)
		for (int k = 0; k < NCOL; k++)
			printf("%-*s%s", k + 1 < NCOL ? (int)w[k] : 0, cells[i][k],
			       k + 1 < NCOL ? "  " : "\n");
	free(cells);
}

static void
print_not_ready(json_t *o)
{
	json_t *why = json_object_get(o, "not_ready"), *e;
	size_t i;

	printf("not ready");
	json_array_foreach(why, i, e) {
		const char *name = jstr(e, "name", NULL);
		if (name)
			printf("%s%s (%s)", i ? ", " : ": ", name, jstr(e, "reason", "?"));
		else
			printf("%s%s", i ? ", " : ": ", jstr(e, "reason", "?"));
	}
	printf("%s\n", json_is_true(json_object_get(o, "timed_out")) ? " (timed out)" : "");
}

/* Prints the answer the way COMMAND wants it; the exit code. */
static int
print_answer(const struct ctl_request *req, json_t *o)
{
	json_t *a;
	size_t i;

	if (!json_is_true(json_object_get(o, "ok"))) {
		json_array_foreach(json_object_get(o, "details"), i, a)	/* reload-config's errors */
			fprintf(stderr, "%s\n", json_string_value(a) ? json_string_value(a) : "");
		fprintf(stderr, "drainit ctl: %s\n", jstr(o, "error", "request failed"));
		return CTL_EXIT_FAILED;
	}
	switch (req->cmd) {
	case CTL_STATUS:
		printf("drainit: stage %s, %s", jstr(o, "stage", "?"),
		       json_is_true(json_object_get(o, "ready")) ? "ready" : "not ready");
		if (json_is_string(json_object_get(o, "shutdown_reason")))
			printf(" (shutdown: %s)", jstr(o, "shutdown_reason", ""));
		printf("\n");
		print_status(json_object_get(o, "services"));
		return CTL_EXIT_OK;
	case CTL_READY:
	case CTL_WAIT_READY:
		if (json_is_true(json_object_get(o, "ready"))) {
			printf("ready\n");
			return CTL_EXIT_OK;
		}
		print_not_ready(o);
		return CTL_EXIT_NOT_READY;
	case CTL_START:
		json_array_foreach(json_object_get(o, "results"), i, a)
			printf("%s\n", jstr(a, "message", "?"));
		return CTL_EXIT_OK;
	case CTL_STOP:
	case CTL_RESTART:
		json_array_foreach(json_object_get(o, "services"), i, a) {
			json_t *pid = json_object_get(a, "pid");
			printf("%s: %s", jstr(a, "name", "?"), jstr(a, "state", "?"));
			if (json_is_integer(pid))
				printf(" (pid %lld)", (long long)json_integer_value(pid));
			else if (json_is_string(json_object_get(a, "last_exit")))
				printf(" (%s)", jstr(a, "last_exit", ""));
			printf("\n");
		}
		return CTL_EXIT_OK;
	case CTL_LOGS:
		json_array_foreach(json_object_get(o, "lines"), i, a)
			printf("%s\n", json_string_value(a) ? json_string_value(a) : "");
		return CTL_EXIT_OK;
	case CTL_RELOAD_CONFIG:
		printf("%s\n", jstr(o, "message", "?"));
		json_array_foreach(json_object_get(o, "details"), i, a)
			printf("%s\n", json_string_value(a) ? json_string_value(a) : "");
		return CTL_EXIT_OK;
	case CTL_PRESTOP:
		printf("prestop over (stage %s)\n", jstr(o, "stage", "?"));
		return CTL_EXIT_OK;
	case CTL_SHUTDOWN:
		printf("%s (stage %s)\n", jstr(o, "message", "?"), jstr(o, "stage", "?"));
		return CTL_EXIT_OK;
	default:
		printf("%s\n", jstr(o, "message", "ok"));
		return CTL_EXIT_OK;
	}
}

/* logs -f: each new line as it comes, until drainit closes (it exits). */
static int
follow(struct reader *rd, bool json)
{
	char *line;
	int r;

	fflush(stdout);
	while ((r = read_line(rd, &line, -1)) == 1) {
		json_t *o = json ? NULL : json_loads(line, 0, NULL);

		if (json)
			printf("%s\n", line);
		else if (json_is_string(json_object_get(o, "line")))
			printf("%s\n", json_string_value(json_object_get(o, "line")));
		json_decref(o);
		free(line);
		fflush(stdout);
	}
	return r == 0 ? CTL_EXIT_OK : CTL_EXIT_UNAVAILABLE;
}

/* ---- the command line ----------------------------------------------------------- */

/* COMMAND's own arguments into req; 0 or EXIT_USAGE (said why). */
static int
parse_command(int argc, char **argv, struct ctl_request *req)
{
	const char *name = argv[0];
	int c = ctl_cmd_parse(name), first = 1;
	msec_t ms;
	int nargs = 0;

	if (c < 0)
		return usage_error("unknown command '%s'", name);
	req->cmd = (enum ctl_cmd)c;
	req->services = calloc((size_t)argc + 1, sizeof(*req->services));
	if (!req->services)
		return usage_error("%s", "out of memory");
	for (int i = first; i < argc; i++) {
		const char *a = argv[i];

		if (req->cmd == CTL_WAIT_READY && strcmp(a, "--timeout") == 0) {
			if (++i == argc)
				return usage_error("%s: missing argument", a);
			if (parse_duration(argv[i], &ms) < 0)
				return usage_error("--timeout: invalid duration '%s' (use e.g. 500ms, 30s, 2m)",
						   argv[i]);
			if (ms > TIMEOUT_MAX_MS)
				return usage_error("--timeout: '%s' is more than 24h", argv[i]);
			req->timeout_ms = ms;
			continue;
		}
		if (req->cmd == CTL_SHUTDOWN && strcmp(a, "--force") == 0) {
			req->force = true;
			continue;
		}
		if (req->cmd == CTL_LOGS && (strcmp(a, "-f") == 0 || strcmp(a, "--follow") == 0)) {
			req->follow = true;
			continue;
		}
		if (req->cmd == CTL_LOGS && (strcmp(a, "-n") == 0 || strcmp(a, "--lines") == 0)) {
			long v;
			if (++i == argc)
				return usage_error("%s: missing argument", a);
			if (parse_int_range(argv[i], 0, 100000, &v) < 0)
				return usage_error("-n: invalid count '%s' (use 0 to 100000)", argv[i]);
			req->lines = v;
			continue;
		}
		if (a[0] == '-')
			return usage_error("unknown option '%s'", a);
		if (req->cmd == CTL_SIGNAL && nargs == 1) {
			if (parse_signal(a, &req->sig) < 0)
				return usage_error("unknown signal '%s' (use e.g. HUP, SIGUSR1, 10)", a);
			nargs++;
			continue;
		}
		if ((req->cmd == CTL_PRESTOP || req->cmd == CTL_SHUTDOWN ||
		     req->cmd == CTL_RELOAD_CONFIG) ||
		    ((req->cmd == CTL_SIGNAL || req->cmd == CTL_RELOAD || req->cmd == CTL_LOGS) &&
		     nargs >= 1))
			return usage_error("unexpected argument '%s'", a);
		req->services[req->nservices++] = strdup(a);
		nargs++;
	}
	/* "reload" alone is the whole configuration; "reload SVC" its signal */
	if (req->cmd == CTL_RELOAD && req->nservices == 0)
		req->cmd = CTL_RELOAD_CONFIG;
	if ((req->cmd == CTL_START || req->cmd == CTL_STOP || req->cmd == CTL_RESTART ||
	     req->cmd == CTL_LOGS) && req->nservices == 0)
		return usage_error("%s: name a service", name);
	if (req->cmd == CTL_SIGNAL && req->sig == 0)
		return usage_error("%s: usage: signal SVC SIG", name);
	return 0;
}

int
ctl_main(int argc, char **argv)
{
	struct ctl_request req;
	struct reader rd = { .fd = -1 };
	const char *path = NULL;
	char pbuf[CONTROL_PATH_MAX], *line = NULL, *reqline;
	bool json = false;
	int i, r, rc, timeout = ANSWER_MS;

	ctl_request_init(&req);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--socket") == 0 || strcmp(argv[i], "-s") == 0) {
			if (++i == argc)
				return usage_error("%s: missing argument", argv[i - 1]);
			path = argv[i];
		} else if (strncmp(argv[i], "--socket=", 9) == 0) {
			path = argv[i] + 9;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			return usage_error("unknown option '%s'", argv[i]);
		}
	}
	if (i == argc)
		return usage_error("%s", "missing COMMAND");
	rc = parse_command(argc - i, argv + i, &req);
	if (rc != 0) {
		ctl_request_free(&req);
		return rc;
	}
	if (!path && !(path = control_default_path(pbuf, sizeof(pbuf)))) {
		fprintf(stderr, "drainit ctl: no default socket: XDG_RUNTIME_DIR is not set; use --socket PATH\n");
		ctl_request_free(&req);
		return CTL_EXIT_UNAVAILABLE;
	}
	if (req.cmd == CTL_STOP || req.cmd == CTL_RESTART || req.cmd == CTL_PRESTOP || req.follow ||
	    (req.cmd == CTL_WAIT_READY && req.timeout_ms < 0))
		timeout = -1;	/* bounded by drainit: grace periods, the shutdown */
	else if (req.cmd == CTL_WAIT_READY)
		timeout = (int)req.timeout_ms + ANSWER_MS;

	reqline = ctl_request_format(&req);
	rd.fd = reqline ? connect_to(path) : -1;
	if (rd.fd < 0 && reqline && (errno == EACCES || errno == EPERM)) {
		fprintf(stderr, "drainit ctl: cannot connect to %s: %s (the control socket is for root and drainit's own user)\n",
			path, strerror(errno));
		free(reqline);
		ctl_request_free(&req);
		return CTL_EXIT_FAILED;
	}
	if (rd.fd < 0) {
		fprintf(stderr, "drainit ctl: cannot connect to %s: %s (is drainit running? --socket PATH)\n",
			path, reqline ? strerror(errno) : "out of memory");
		free(reqline);
		ctl_request_free(&req);
		return CTL_EXIT_UNAVAILABLE;
	}
	r = send_all(rd.fd, reqline, strlen(reqline));
	free(reqline);
	/* A refusal (a user not allowed) may be answered and the socket closed
	 * before the request is all out: the answer is still there to read. */
	if (r == 0 || errno == EPIPE || errno == ECONNRESET)
		r = read_line(&rd, &line, timeout);
	if (r <= 0) {
		fprintf(stderr, "drainit ctl: %s: %s\n", path,
			r == -2 ? "no answer in time" : r == 0 ? "closed without an answer"
							      : strerror(errno));
		rc = CTL_EXIT_UNAVAILABLE;
	} else {
		json_error_t jerr;
		json_t *o = json_loads(line, 0, &jerr);

		if (!o || !json_is_object(o)) {
			fprintf(stderr, "drainit ctl: %s: not an answer of the control protocol: %s\n",
				path, jerr.text);
			rc = CTL_EXIT_UNAVAILABLE;
		} else if (json) {
			printf("%s\n", line);
			rc = json_is_true(json_object_get(o, "ok")) ? CTL_EXIT_OK : CTL_EXIT_FAILED;
			if (rc == CTL_EXIT_OK && (req.cmd == CTL_READY || req.cmd == CTL_WAIT_READY) &&
			    !json_is_true(json_object_get(o, "ready")))
				rc = CTL_EXIT_NOT_READY;
		} else {
			rc = print_answer(&req, o);
		}
		json_decref(o);
		if (rc == CTL_EXIT_OK && req.follow)
			rc = follow(&rd, json);
	}
	free(line);
	free(rd.buf);
	close(rd.fd);
	ctl_request_free(&req);
	return rc;
}
