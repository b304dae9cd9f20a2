/* ctlproto.c: pure layer. Requests of the control protocol, version 1,
 * parsed and built with jansson. Strict: an unknown field, a field the
 * command does not take, a wrong type or a second value of a field is
 * an error, so a typo never passes for a different request. */
#include "ctlproto.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What each command takes. */
enum svc_arity { SVC_NONE, SVC_ANY, SVC_ONE, SVC_SOME };
static const struct cmd_def {
	const char *name;
	enum svc_arity services;
	const char *fields;	/* extra fields, space-separated */
} cmds[_CTL_MAX] = {
	[CTL_STATUS] = { "status", SVC_ANY, "" },
	[CTL_START] = { "start", SVC_SOME, "" },
	[CTL_STOP] = { "stop", SVC_SOME, "" },
	[CTL_RESTART] = { "restart", SVC_SOME, "" },
	[CTL_SIGNAL] = { "signal", SVC_ONE, "signal" },
	[CTL_RELOAD] = { "reload", SVC_ONE, "" },
	[CTL_WAIT_READY] = { "wait-ready", SVC_ANY, "timeout_ms" },
	[CTL_READY] = { "ready", SVC_ANY, "" },
	[CTL_PRESTOP] = { "prestop", SVC_NONE, "" },
	[CTL_SHUTDOWN] = { "shutdown", SVC_NONE, "force" },
	[CTL_LOGS] = { "logs", SVC_ONE, "lines follow" },
	[CTL_RELOAD_CONFIG] = { "reload-config", SVC_NONE, "" },
};

#define LINES_MAX 100000

const char *
ctl_cmd_name(enum ctl_cmd c)
{
	return (unsigned)c < _CTL_MAX ? cmds[c].name : NULL;
}

int
ctl_cmd_parse(const char *name)
{
	for (int i = 0; i < _CTL_MAX; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return i;
	return -1;
}

void
ctl_request_init(struct ctl_request *req)
{
	memset(req, 0, sizeof(*req));
	req->timeout_ms = -1;
	req->lines = 10;
}

void
ctl_request_free(struct ctl_request *req)
{
	argv_free(req->services);
	req->services = NULL;
	req->nservices = 0;
}

static bool
takes(const struct cmd_def *d, const char *field)
{
	size_t n = strlen(field);
	const char *p = d->fields;

	while ((p = strstr(p, field))) {
		if ((p == d->fields || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

static bool
valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CTL_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("_.-@", *s)))
			return false;
	return true;
}

static int
parse_services(json_t *v, const struct cmd_def *d, struct ctl_request *req, char *err,
	       size_t errlen)
{
	size_t n, i;
	json_t *e;

	if (!json_is_array(v)) {
		snprintf(err, errlen, "\"services\" must be an array of service names");
		return -1;
	}
	n = json_array_size(v);
	if (n > 1024) {
		snprintf(err, errlen, "\"services\": too many names (at most 1024)");
		return -1;
	}
	req->services = calloc(n + 1, sizeof(*req->services));
	if (!req->services) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_array_foreach(v, i, e) {
		const char *s = json_string_value(e);

		if (!s || !valid_name(s)) {
			snprintf(err, errlen, "\"services\"[%zu]: not a service name", i);
			return -1;
		}
		if (!(req->services[req->nservices] = strdup(s))) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		req->nservices++;
	}
	(void)d;
	return 0;
}

static int
parse_fields(json_t *root, const struct cmd_def *d, struct ctl_request *req, char *err,
	     size_t errlen)
{
	const char *key;
	json_t *v;

	json_object_foreach(root, key, v) {
		if (strcmp(key, "v") == 0 || strcmp(key, "cmd") == 0)
			continue;
		if (strcmp(key, "services") == 0 && d->services != SVC_NONE) {
			if (parse_services(v, d, req, err, errlen) < 0)
				return -1;
		} else if (!takes(d, key)) {
			snprintf(err, errlen, "%s: unknown field \"%.40s\"", d->name, key);
			return -1;
		} else if (strcmp(key, "signal") == 0) {
			if (json_is_integer(v) && json_integer_value(v) > 0 &&
			    json_integer_value(v) < 65) {
				req->sig = (int)json_integer_value(v);
			} else if (!json_is_string(v) ||
				   parse_signal(json_string_value(v), &req->sig) < 0) {
				snprintf(err, errlen, "\"signal\": not a signal (use e.g. \"SIGHUP\", \"USR1\" or 10)");
				return -1;
			}
		} else if (strcmp(key, "timeout_ms") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > TIMEOUT_MAX_MS) {
				snprintf(err, errlen, "\"timeout_ms\": use an integer from 0 to %lld",
					 (long long)TIMEOUT_MAX_MS);
				return -1;
			}
			req->timeout_ms = (msec_t)json_integer_value(v);
		} else if (strcmp(key, "force") == 0 || strcmp(key, "follow") == 0) {
			if (!json_is_boolean(v)) {
				snprintf(err, errlen, "\"%s\": use true or false", key);
				return -1;
			}
			if (strcmp(key, "force") == 0)
				req->force = json_is_true(v);
			else
				req->follow = json_is_true(v);
		} else if (strcmp(key, "lines") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > LINES_MAX) {
				snprintf(err, errlen, "\"lines\": use an integer from 0 to %d", LINES_MAX);
				return -1;
			}
			req->lines = (long)json_integer_value(v);
		}
	}
	return 0;
}

/* jansson's reason in the protocol's words: its own text names its
 * flags (JSON_ALLOW_NUL, ...), which mean nothing to a client. */
static const char *
json_problem(const json_error_t *e)
{
	switch (json_error_code(e)) {
	case json_error_invalid_utf8: return "not UTF-8";
	case json_error_premature_end_of_input: return "it ends too soon";
	case json_error_end_of_input_expected: return "something follows the object";
	case json_error_null_character: return "a NUL character (\\u0000)";
	case json_error_null_byte_in_key: return "a NUL character in a key";
	case json_error_duplicate_key: return "a key given twice";
	case json_error_numeric_overflow: return "a number out of range";
	case json_error_stack_overflow: return "nested too deep";
	case json_error_out_of_memory: return "out of memory";
	default: return e->text;
	}
}

int
ctl_request_parse(const char *line, size_t len, struct ctl_request *req, char *err,
		  size_t errlen)
{
	json_error_t jerr;
	json_t *root, *v, *cmd;
	const struct cmd_def *d;
	int c, r = -1;

	ctl_request_init(req);
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(err, errlen, "not a JSON request: %s (at byte %d)", json_problem(&jerr),
			 jerr.position);
		return -1;
	}
	if (!json_is_object(root)) {
		snprintf(err, errlen, "the request must be a JSON object");
		goto out;
	}
	v = json_object_get(root, "v");
	if (!v) {
		snprintf(err, errlen, "missing \"v\": the protocol version (%d)", CTL_PROTO_VERSION);
		goto out;
	}
	if (!json_is_integer(v)) {
		snprintf(err, errlen, "\"v\" must be the number %d (an integer, not %s)",
			 CTL_PROTO_VERSION,
			 json_is_string(v)  ? "a string"
			 : json_is_real(v)  ? "a real"
			 : json_is_array(v) ? "an array"
			 : json_is_object(v) ? "an object"
					     : "true, false or null");
		goto out;
	}
	if (json_integer_value(v) != CTL_PROTO_VERSION) {
		snprintf(err, errlen, "unsupported protocol version %lld (this drainit speaks %d)",
			 (long long)json_integer_value(v), CTL_PROTO_VERSION);
		goto out;
	}
	cmd = json_object_get(root, "cmd");
	if (!cmd) {
		snprintf(err, errlen, "missing \"cmd\"");
		goto out;
	}
	if (!json_is_string(cmd)) {
		snprintf(err, errlen, "\"cmd\" must be a string (such as \"status\")");
		goto out;
	}
	c = ctl_cmd_parse(json_string_value(cmd));
	if (c < 0) {
		snprintf(err, errlen, "unknown command \"%.40s\"", json_string_value(cmd));
		goto out;
	}
	req->cmd = (enum ctl_cmd)c;
	d = &cmds[c];
	if (parse_fields(root, d, req, err, errlen) < 0)
		goto out;
	if (req->cmd == CTL_RELOAD && req->nservices == 0)
		req->cmd = CTL_RELOAD_CONFIG;	/* reload with no service: the file */
	else if ((d->services == SVC_ONE && req->nservices != 1) ||
	    (d->services == SVC_SOME && req->nservices == 0)) {
		snprintf(err, errlen, "%s: name %s in \"services\"", d->name,
			 d->services == SVC_ONE ? "exactly one service" : "at least one service");
		goto out;
	}
	if (req->cmd == CTL_SIGNAL && req->sig == 0) {
		snprintf(err, errlen, "signal: missing \"signal\"");
		goto out;
	}
	r = 0;
out:
	json_decref(root);
	return r;
}

char *
ctl_request_format(const struct ctl_request *req)
{
	json_t *root = json_object(), *svcs;
	char *s = NULL, *line = NULL;

	if (!root || (unsigned)req->cmd >= _CTL_MAX)
		goto out;
	json_object_set_new(root, "v", json_integer(CTL_PROTO_VERSION));
	json_object_set_new(root, "cmd", json_string(cmds[req->cmd].name));
	if (req->nservices) {
		svcs = json_array();
		for (size_t i = 0; i < req->nservices; i++)
			json_array_append_new(svcs, json_string(req->services[i]));
		json_object_set_new(root, "services", svcs);
	}
	if (req->cmd == CTL_SIGNAL)
		json_object_set_new(root, "signal", json_integer(req->sig));
	if (req->cmd == CTL_WAIT_READY && req->timeout_ms >= 0)
		json_object_set_new(root, "timeout_ms", json_integer(req->timeout_ms));
	if (req->cmd == CTL_SHUTDOWN && req->force)
		json_object_set_new(root, "force", json_true());
	if (req->cmd == CTL_LOGS) {
		json_object_set_new(root, "lines", json_integer(req->lines));
		if (req->follow)
			json_object_set_new(root, "follow", json_true());
	}
	s = json_dumps(root, JSON_COMPACT);
	if (s && asprintf(&line, "%s\n", s) < 0)
		line = NULL;
out:
	free(s);
	json_decref(root);
	return line;
}
