/* Unit tests: drainit's own log: level and format names, and
 * json lines with their service/pid fields taken from the message. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "log.h"

static char buf[16384];

static const char *
json(enum log_level lvl, const char *msg, const char *stage)
{
	size_t n = log_format_json(buf, sizeof(buf), "2026-11-25T08:30:00.123Z", lvl, msg, stage);
	cr_assert_lt(n, sizeof(buf));
	cr_assert_eq(buf[n - 1], '\n');
	buf[n] = '\0';
	return buf;
}

Test(log, level_names)
{
	enum log_level l = LOG_ERROR;
	cr_expect_eq(log_level_parse("debug", &l), 0);
	cr_expect_eq(l, LOG_DEBUG);
	cr_expect_eq(log_level_parse("warn", &l), 0);
	cr_expect_eq(l, LOG_WARN);
	cr_expect_eq(log_level_parse("error", &l), 0);
	cr_expect_eq(l, LOG_ERROR);
	cr_expect_eq(log_level_parse("info", &l), 0);
	cr_expect_eq(l, LOG_INFO);
	cr_expect_eq(log_level_parse("warning", &l), -EINVAL);
	cr_expect_eq(log_level_parse("INFO", &l), -EINVAL);
	cr_expect_eq(log_level_parse("", &l), -EINVAL);
}

Test(log, format_names)
{
	enum log_format f = LOG_FORMAT_TEXT;
	cr_expect_eq(log_format_parse("json", &f), 0);
	cr_expect_eq(f, LOG_FORMAT_JSON);
	cr_expect_eq(log_format_parse("text", &f), 0);
	cr_expect_eq(f, LOG_FORMAT_TEXT);
	cr_expect_eq(log_format_parse("xml", &f), -EINVAL);
}

Test(log, json_service_and_pid)
{
	cr_expect_str_eq(json(LOG_ERROR, "service web (pid 12): failed to start: setuid: Operation not permitted", "running"),
			 "{\"ts\":\"2026-11-25T08:30:00.123Z\",\"level\":\"error\","
			 "\"msg\":\"service web (pid 12): failed to start: setuid: Operation not permitted\","
			 "\"service\":\"web\",\"pid\":12,\"stage\":\"running\"}\n");
}

Test(log, json_pgid_and_colon_forms)
{
	cr_expect(strstr(json(LOG_INFO, "shutdown: sending SIGTERM to service api-1 (pgid 7), grace period 10s", "stopping"),
			 "\"service\":\"api-1\",\"pid\":7,\"stage\":\"stopping\"}"));
	cr_expect(strstr(json(LOG_ERROR, "service db: failed to start: open /x: Permission denied", NULL),
			 "\"service\":\"db\",\"pid\":null,\"stage\":null}"));
}

Test(log, json_drain_hooks)
{
	cr_expect(strstr(json(LOG_INFO, "drain hook web#2 (pid 44): done", "prestop"),
			 "\"service\":\"web\",\"pid\":44,"));
	cr_expect(strstr(json(LOG_INFO, "drain hook #1 (pid 45): done", "prestop"),
			 "\"service\":null,\"pid\":45,"));
}

Test(log, json_no_service_in_other_wordings)
{
	cr_expect(strstr(json(LOG_INFO, "forwarded SIGHUP to 2 services: web (pgid 7), worker (pgid 9)", "running"),
			 "\"service\":null,\"pid\":null,"));
	cr_expect(strstr(json(LOG_INFO, "exiting with code 3 (first service not stopped cleanly: early)", "exited"),
			 "\"service\":null,\"pid\":null,"));
}

Test(log, json_escapes)
{
	cr_expect(strstr(json(LOG_WARN, "a \"quoted\" back\\slash\ttab\nnl \x01 end", "running"),
			 "\"msg\":\"a \\\"quoted\\\" back\\\\slash\\ttab\\nnl \\u0001 end\""));
	cr_expect(strstr(json(LOG_DEBUG, "x", "running"), "\"level\":\"debug\""));
	cr_expect(strstr(json(LOG_WARN, "x", "running"), "\"level\":\"warn\""));
}

Test(log, json_long_message_stays_valid)
{
	static char msg[2048];
	memset(msg, '"', sizeof(msg) - 1);
	const char *j = json(LOG_INFO, msg, "running");
	cr_expect(strstr(j, "\"stage\":\"running\"}\n"), "tail fields lost");
}
