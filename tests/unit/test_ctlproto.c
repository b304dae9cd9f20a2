/* Unit tests: the control protocol's requests (ctlproto.c): what parses,
 * what each malformed request is told, and that a built request parses
 * back to itself. */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "ctlproto.h"

static int
parse(const char *line, struct ctl_request *req, char *err)
{
	return ctl_request_parse(line, strlen(line), req, err, 256);
}

Test(ctlproto, valid_requests)
{
	struct ctl_request req;
	char err[256] = "";

	cr_assert_eq(parse("{\"v\":1,\"cmd\":\"status\"}", &req, err), 0, "%s", err);
	cr_expect_eq(req.cmd, CTL_STATUS);
	cr_expect_eq(req.nservices, 0);
	ctl_request_free(&req);

	cr_assert_eq(parse("{\"cmd\":\"stop\",\"services\":[\"web\",\"db\"],\"v\":1}", &req, err), 0,
		     "%s", err);
	cr_expect_eq(req.cmd, CTL_STOP);
	cr_expect_eq(req.nservices, 2);
	cr_expect_str_eq(req.services[1], "db");
	cr_expect_null(req.services[2]);
	ctl_request_free(&req);

	cr_assert_eq(parse("{\"v\":1,\"cmd\":\"signal\",\"services\":[\"web\"],\"signal\":\"HUP\"}",
			   &req, err), 0, "%s", err);
	cr_expect_eq(req.sig, SIGHUP);
	ctl_request_free(&req);
	cr_assert_eq(parse("{\"v\":1,\"cmd\":\"signal\",\"services\":[\"web\"],\"signal\":10}",
			   &req, err), 0, "%s", err);
	cr_expect_eq(req.sig, 10);
	ctl_request_free(&req);

	cr_assert_eq(parse("{\"v\":1,\"cmd\":\"wait-ready\",\"timeout_ms\":1500}", &req, err), 0);
	cr_expect_eq(req.timeout_ms, 1500);
	ctl_request_free(&req);
	cr_assert_eq(parse("{\"v\":1,\"cmd\":\"wait-ready\"}", &req, err), 0);
	cr_expect_eq(req.timeout_ms, -1, "no timeout unless given");
	ctl_request_free(&req);

	cr_assert_eq(parse("{\"v\":1,\"cmd\":\"shutdown\",\"force\":true}", &req, err), 0);
	cr_expect(req.force);
	ctl_request_free(&req);
	cr_assert_eq(parse("  {\"v\":1,\"cmd\":\"prestop\"}  ", &req, err), 0, "%s", err);
	ctl_request_free(&req);
	cr_assert_eq(parse("{\"v\":1,\"cmd\":\"reload-config\"}", &req, err), 0, "%s", err);
	cr_expect_eq(req.cmd, CTL_RELOAD_CONFIG);
	ctl_request_free(&req);
	/* reload with no service is the file's reload, as drainit(8) says */
	cr_assert_eq(parse("{\"v\":1,\"cmd\":\"reload\"}", &req, err), 0, "%s", err);
	cr_expect_eq(req.cmd, CTL_RELOAD_CONFIG);
	ctl_request_free(&req);
	cr_assert_eq(parse("{\"v\":1,\"cmd\":\"reload\",\"services\":[\"a\"]}", &req, err), 0, "%s", err);
	cr_expect_eq(req.cmd, CTL_RELOAD);
	ctl_request_free(&req);
}

static const struct {
	const char *line;
	const char *error;	/* a part of the message */
} bad[] = {
	{ "", "not a JSON request" },
	{ "garbage", "not a JSON request" },
	{ "{\"v\":1,\"cmd\":\"status\"} {}", "not a JSON request" },
	{ "{\"v\":1,\"cmd\":\"status\",\"v\":1}", "not a JSON request" },	/* duplicate */
	{ "[]", "must be a JSON object" },
	{ "\"status\"", "not a JSON request" },
	{ "{\"cmd\":\"status\"}", "missing \"v\"" },
	{ "{\"v\":\"1\",\"cmd\":\"status\"}", "\"v\" must be the number 1 (an integer, not a string)" },
	{ "{\"v\":1.0,\"cmd\":\"status\"}", "\"v\" must be the number 1 (an integer, not a real)" },
	{ "{\"v\":2,\"cmd\":\"status\"}", "unsupported protocol version 2 (this drainit speaks 1)" },
	{ "{\"v\":1}", "missing \"cmd\"" },
	{ "{\"v\":1,\"cmd\":7}", "\"cmd\" must be a string" },
	{ "{\"v\":1,\"cmd\":\"status\",\"v\":1}", "not a JSON request: a key given twice" },
	{ "{\"v\":1,\"cmd\":\"sta\\u0000tus\"}", "not a JSON request: a NUL character" },
	{ "{\"v\":1,\"cmd\":\"dance\"}", "unknown command \"dance\"" },
	{ "{\"v\":1,\"cmd\":\"status\",\"force\":true}", "status: unknown field \"force\"" },
	{ "{\"v\":1,\"cmd\":\"prestop\",\"services\":[\"a\"]}", "prestop: unknown field \"services\"" },
	{ "{\"v\":1,\"cmd\":\"reload-config\",\"services\":[\"a\"]}", "reload-config: unknown field \"services\"" },
	{ "{\"v\":1,\"cmd\":\"status\",\"services\":\"web\"}", "must be an array" },
	{ "{\"v\":1,\"cmd\":\"status\",\"services\":[1]}", "\"services\"[0]: not a service name" },
	{ "{\"v\":1,\"cmd\":\"status\",\"services\":[\"a b\"]}", "not a service name" },
	{ "{\"v\":1,\"cmd\":\"stop\"}", "stop: name at least one service" },
	{ "{\"v\":1,\"cmd\":\"stop\",\"services\":[]}", "at least one service" },
	{ "{\"v\":1,\"cmd\":\"reload\",\"services\":[\"a\",\"b\"]}", "exactly one service" },
	{ "{\"v\":1,\"cmd\":\"signal\",\"services\":[\"a\"]}", "missing \"signal\"" },
	{ "{\"v\":1,\"cmd\":\"signal\",\"services\":[\"a\"],\"signal\":\"NOPE\"}", "not a signal" },
	{ "{\"v\":1,\"cmd\":\"signal\",\"services\":[\"a\"],\"signal\":0}", "not a signal" },
	{ "{\"v\":1,\"cmd\":\"wait-ready\",\"timeout_ms\":-1}", "timeout_ms" },
	{ "{\"v\":1,\"cmd\":\"wait-ready\",\"timeout_ms\":1.5}", "timeout_ms" },
	{ "{\"v\":1,\"cmd\":\"shutdown\",\"force\":1}", "use true or false" },
};

Test(ctlproto, malformed_requests_are_told_why)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ctl_request req;
		char err[256] = "";

		cr_expect_eq(parse(bad[i].line, &req, err), -1, "accepted: %s", bad[i].line);
		cr_expect(strstr(err, bad[i].error) != NULL, "%s: said '%s', want '%s'", bad[i].line,
			  err, bad[i].error);
		cr_expect(strchr(err, '\n') == NULL, "%s: a multi-line message", bad[i].line);
		ctl_request_free(&req);
	}
}

Test(ctlproto, binary_garbage_and_nul_bytes)
{
	struct ctl_request req;
	char err[256];
	const char junk[] = "{\"v\":1,\0\"cmd\":\"status\"}";

	cr_expect_eq(ctl_request_parse("\xff\xfe\xfd", 3, &req, err, sizeof(err)), -1);
	ctl_request_free(&req);
	cr_expect_eq(ctl_request_parse(junk, sizeof(junk) - 1, &req, err, sizeof(err)), -1);
	ctl_request_free(&req);
}

Test(ctlproto, a_built_request_parses_back)
{
	struct ctl_request in, out;
	char *names[] = { "web", "db", NULL }, *line, err[256] = "";

	for (int c = 0; c < _CTL_MAX; c++) {
		ctl_request_init(&in);
		in.cmd = (enum ctl_cmd)c;
		if (c == CTL_SIGNAL || c == CTL_RELOAD || c == CTL_LOGS || c == CTL_START ||
		    c == CTL_STOP || c == CTL_RESTART || c == CTL_STATUS) {
			in.services = names;
			in.nservices = c == CTL_SIGNAL || c == CTL_RELOAD || c == CTL_LOGS ? 1 : 2;
		}
		in.sig = SIGUSR2;
		in.timeout_ms = 2500;
		in.force = true;
		in.lines = 42;
		in.follow = true;
		line = ctl_request_format(&in);
		cr_assert_not_null(line);
		cr_expect_eq(line[strlen(line) - 1], '\n');
		cr_assert_eq(ctl_request_parse(line, strlen(line) - 1, &out, err, sizeof(err)), 0,
			     "%s: %s", line, err);
		cr_expect_eq(out.cmd, in.cmd);
		cr_expect_eq(out.nservices, in.nservices, "%s", line);
		if (c == CTL_SIGNAL)
			cr_expect_eq(out.sig, SIGUSR2);
		if (c == CTL_WAIT_READY)
			cr_expect_eq(out.timeout_ms, 2500);
		if (c == CTL_SHUTDOWN)
			cr_expect(out.force);
		if (c == CTL_LOGS)
			cr_expect(out.lines == 42 && out.follow);
		ctl_request_free(&out);
		free(line);
		cr_expect_str_eq(ctl_cmd_name((enum ctl_cmd)c), ctl_cmd_name(out.cmd));
		cr_expect_eq(ctl_cmd_parse(ctl_cmd_name((enum ctl_cmd)c)), c);
	}
	cr_expect_eq(ctl_cmd_parse("nope"), -1);
}
