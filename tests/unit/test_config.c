/* Unit tests: the INI loader, every documented error with its exact text. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static char path[64];
static struct config cfg;
static struct config_errors errs;

static int
load(const char *text)
{
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/drainit-unit-XXXXXX");
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	config_init(&cfg);
	memset(&errs, 0, sizeof(errs));
	int n = config_load(path, &cfg, &errs);
	unlink(path);
	return n;
}

static void
teardown(void)
{
	config_free(&cfg);
	config_errors_free(&errs);
}

/* Exactly one error, with this text after "PATH:". */
static void
expect_only_error(const char *text, const char *want)
{
	char full[512];
	int n = load(text);

	snprintf(full, sizeof(full), "%s:%s", path, want);
	cr_assert_eq(n, 1, "want 1 error, got %d (first: %s)", n, errs.n ? errs.msgs[0] : "-");
	cr_expect_str_eq(errs.msgs[0], full);
}

TestSuite(config, .fini = teardown);

Test(config, issue_example_loads)
{
	cr_assert_eq(load("[drainit]\n"
			  "prestop_delay = 5s         ; comment\n"
			  "grace_period = 30s\n"
			  "shutdown_timeout = 40s\n"
			  "main = web\n"
			  "drain = /usr/local/bin/deregister-from-consul\n"
			  "drain_timeout = 10s\n"
			  "\n"
			  "[service:web]\n"
			  "command = /opt/legacy/server --port 8080 \"--name=a b\"   ; split\n"
			  "stop_signal = SIGQUIT\n"
			  "grace_period = 20s\n"
			  "drain = /opt/legacy/bin/drain-web\n"
			  "drain_timeout = 3s\n"
			  "directory = /opt/legacy\n"),
		     0, "%s", errs.n ? errs.msgs[0] : "");
	cr_expect_eq(cfg.prestop_delay_ms, 5000);
	cr_expect_eq(cfg.grace_ms, 30000);
	cr_expect_eq(cfg.shutdown_timeout_ms, 40000);
	cr_expect_str_eq(cfg.main, "web");
	cr_assert_eq(cfg.ndrain, 1);
	cr_expect_eq(cfg.drain[0].timeout_ms, 10000);
	cr_assert_eq(cfg.nsvcs, 1);
	struct svc_config *s = &cfg.svcs[0];
	cr_expect_str_eq(s->name, "web");
	cr_expect_str_eq(s->argv[3], "--name=a b");
	cr_expect_null(s->argv[4]);
	cr_expect_eq(s->stop_signal, SIGQUIT);
	cr_expect_eq(s->grace_ms, 20000);
	cr_expect_str_eq(s->directory, "/opt/legacy");
	cr_assert_eq(s->ndrain, 1);
	cr_expect_eq(s->drain[0].timeout_ms, 3000);
}

Test(config, defaults_and_inheritance)
{
	cr_assert_eq(load("[drainit]\ngrace_period = 7s\ndrain_timeout = 2s\n"
			  "[service:a]\ncommand = a\ndrain = ha\n"
			  "[service:b]\ncommand = b\ngrace_period = 1s\n"),
		     0);
	cr_expect_eq(cfg.prestop_delay_ms, 0);
	cr_expect_eq(cfg.shutdown_timeout_ms, 0);
	cr_expect_null(cfg.main);
	cr_expect_eq(cfg.svcs[0].grace_ms, 7000);
	cr_expect_eq(cfg.svcs[0].stop_signal, SIGTERM);
	cr_expect_eq(cfg.svcs[0].drain[0].timeout_ms, 2000);
	cr_expect_eq(cfg.svcs[1].grace_ms, 1000);
}

Test(config, builtin_defaults)
{
	cr_assert_eq(load("[service:a]\ncommand = a\ndrain = x\n"), 0);
	cr_expect_eq(cfg.grace_ms, DEFAULT_GRACE_MS);
	cr_expect_eq(cfg.svcs[0].grace_ms, 10000);
	cr_expect_eq(cfg.svcs[0].drain[0].timeout_ms, 10000);
}

Test(config, repeated_drain_and_services_in_file_order)
{
	cr_assert_eq(load("[drainit]\ndrain = one\ndrain = two 'x y'\n"
			  "[service:z]\ncommand = z\n[service:a]\ncommand = a\n"),
		     0);
	cr_assert_eq(cfg.ndrain, 2);
	cr_expect_str_eq(cfg.drain[1].argv[1], "x y");
	cr_expect_str_eq(cfg.svcs[0].name, "z");
	cr_expect_str_eq(cfg.svcs[1].name, "a");
}

Test(config, continuation_lines_join_the_command)
{
	cr_assert_eq(load("[service:a]\ncommand = /bin/prog --one\n    --two \"x y\"\n"
			  "stop_signal = INT\n"),
		     0, "%s", errs.n ? errs.msgs[0] : "");
	cr_expect_str_eq(cfg.svcs[0].command, "/bin/prog --one --two \"x y\"");
	cr_expect_str_eq(cfg.svcs[0].argv[2], "--two");
	cr_expect_str_eq(cfg.svcs[0].argv[3], "x y");
	cr_expect_eq(cfg.svcs[0].stop_signal, SIGINT);
}

Test(config, colon_separator_and_comments)
{
	cr_assert_eq(load("# comment\n; comment\n[service:a]\ncommand: a b ; trailing\n"), 0);
	cr_expect_str_eq(cfg.svcs[0].argv[1], "b");
	cr_expect_null(cfg.svcs[0].argv[2]);
}

Test(config, unknown_key_with_hint)
{
	expect_only_error("[service:a]\ncommand = a\nstop_sgnal = TERM\n",
			  "3: [service:a] stop_sgnal: unknown key (did you mean 'stop_signal'?)");
}

Test(config, unknown_key_without_hint)
{
	expect_only_error("[service:a]\ncommand = a\nfrobnicate = 1\n",
			  "3: [service:a] frobnicate: unknown key");
}

Test(config, key_in_wrong_section)
{
	expect_only_error("[service:a]\ncommand = a\nmain = a\n",
			  "3: [service:a] main: key belongs in [drainit]");
	teardown();
	expect_only_error("[drainit]\ncommand = a\n[service:a]\ncommand = a\n",
			  "2: [drainit] command: key belongs in a [service:NAME] section");
}

Test(config, unknown_sections)
{
	expect_only_error("[servce:x]\ncommand = a\n[service:a]\ncommand = a\n",
			  "1: [servce:x]: unknown section (did you mean [service:x]?)");
	teardown();
	expect_only_error("[drainitt]\n[service:a]\ncommand = a\n",
			  "1: [drainitt]: unknown section (did you mean [drainit]?)");
	teardown();
	expect_only_error("[global]\nx = 1\n[service:a]\ncommand = a\n",
			  "1: [global]: unknown section (expected [drainit] or [service:NAME])");
}

Test(config, duplicate_service)
{
	expect_only_error("[service:a]\ncommand = a\n\n[service:a]\ncommand = b\n",
			  "4: [service:a]: duplicate service 'a' (first defined at line 1)");
}

Test(config, invalid_service_name)
{
	expect_only_error("[service:a b]\ncommand = a\n[service:ok]\ncommand = a\n",
			  "1: [service:a b]: invalid service name 'a b' (use 1-64 letters, digits, '_', '-', '.', '@')");
}

Test(config, missing_command)
{
	expect_only_error("[service:a]\nstop_signal = TERM\n",
			  "1: [service:a] command: missing (every service needs a command)");
}

Test(config, empty_service_section_is_not_lost)
{
	expect_only_error("[service:a]\n",
			  "1: [service:a] command: missing (every service needs a command)");
}

Test(config, bad_duration)
{
	expect_only_error("[drainit]\ngrace_period = 5 seconds\n[service:a]\ncommand = a\n",
			  "2: [drainit] grace_period: invalid duration '5 seconds' (use e.g. 250ms, 5s, 2m, 1m30s)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\ngrace_period = 9999h\n",
			  "3: [service:a] grace_period: out-of-range duration '9999h' (use e.g. 250ms, 5s, 2m, 1m30s)");
}

Test(config, bad_signal)
{
	expect_only_error("[service:a]\ncommand = a\nstop_signal = SIGFOO\n",
			  "3: [service:a] stop_signal: unknown signal 'SIGFOO' (use e.g. SIGTERM, QUIT, 2)");
}

Test(config, unknown_main)
{
	expect_only_error("[drainit]\nmain = wbe\n[service:web]\ncommand = a\n",
			  "2: [drainit] main: unknown service 'wbe' (did you mean 'web'?)");
	teardown();
	expect_only_error("[drainit]\nmain = database\n[service:web]\ncommand = a\n",
			  "2: [drainit] main: unknown service 'database'");
}

Test(config, key_set_twice)
{
	expect_only_error("[service:a]\ncommand = a\ncommand = b\n",
			  "3: [service:a] command: set twice (first at line 2)");
}

Test(config, key_outside_section)
{
	expect_only_error("grace_period = 1s\n[service:a]\ncommand = a\n",
			  "1: grace_period: key outside any section (put it under [drainit] or [service:NAME])");
}

Test(config, syntax_errors)
{
	expect_only_error("[service:a]\ncommand = a\njust words\n",
			  "3: [service:a]: syntax error: expected 'key = value', got 'just words'");
	teardown();
	expect_only_error("[service:a\ncommand = a\n[service:b]\ncommand = b\n",
			  "1: syntax error: section header without ']'");
}

Test(config, indented_key_is_not_a_silent_continuation)
{
	expect_only_error("[service:a]\ncommand = a\n  stop_signal = QUIT\n",
			  "3: [service:a] command: indented line 'stop_signal = QUIT' would continue the value of 'command'; remove the indentation");
}

Test(config, indented_section_or_unknown_key_is_rejected_too)
{
	expect_only_error("[service:a]\ncommand = a\n  foo = bar\n",
			  "3: [service:a] command: indented line 'foo = bar' would continue the value of 'command'; remove the indentation");
	teardown();
	cr_expect_geq(load("[service:a]\ncommand = a\n  [service:b]\n"), 1);
	teardown();
	cr_expect_eq(load("[service:a]\ncommand = a\n  --url=http://x:1/ ; fine\n"), 0);
	cr_expect_str_eq(cfg.svcs[0].argv[1], "--url=http://x:1/");
}

Test(config, errors_after_a_broken_header_name_it)
{
	cr_assert_eq(load("[service:a]\ncommand = a\n[oops\njust words\n"), 2);
	cr_expect(strstr(errs.msgs[1], "[oops]: syntax error") != NULL, "%s", errs.msgs[1]);
}

Test(config, bad_command_quoting)
{
	expect_only_error("[service:a]\ncommand = sh -c 'oops\n",
			  "2: [service:a] command: unterminated single quote");
	teardown();
	expect_only_error("[drainit]\ndrain = \"x\n[service:a]\ncommand = a\n",
			  "2: [drainit] drain: unterminated double quote");
}

Test(config, empty_value)
{
	expect_only_error("[service:a]\ncommand = a\ndirectory =\n",
			  "3: [service:a] directory: empty value");
}

Test(config, line_too_long)
{
	char text[600];
	char big[300];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(text, sizeof(text), "[service:a]\ncommand = a\ndirectory = /%s\n", big);
	expect_only_error(text,
			  "3: [service:a]: line too long (at most 198 characters; continue a long command on indented lines)");
}

Test(config, no_services)
{
	char full[256];
	cr_assert_eq(load("[drainit]\ngrace_period = 1s\n"), 1);
	snprintf(full, sizeof(full), "%s: no [service:NAME] section: nothing to run", path);
	cr_expect_str_eq(errs.msgs[0], full);
}

Test(config, every_error_reported_in_one_pass)
{
	int n = load("[drainit]\ngrace_perod = 1s\nprestop_delay = x\n"
		     "[service:a]\nstop_signal = NOPE\n[bogus]\n");
	/* grace_perod, prestop_delay, stop_signal, missing command, [bogus] */
	cr_expect_eq(n, 5, "got %d errors", n);
}

Test(config, unreadable_file)
{
	config_init(&cfg);
	memset(&errs, 0, sizeof(errs));
	cr_expect_lt(config_load("/nonexistent/x.ini", &cfg, &errs), 0);
	cr_assert_eq(errs.n, 1);
	cr_expect_str_eq(errs.msgs[0], "/nonexistent/x.ini: cannot read: No such file or directory");
}

/* ---- lifecycle keys --------------------------------------------------------- */

Test(config, lifecycle_keys_and_defaults)
{
	cr_assert_eq(load("[drainit]\nmain = web\non_failure = keep\n"
			  "[service:db]\ncommand = db\nrestart = always\nrestart_delay = 50ms\n"
			  "restart_delay_max = 2s\nrestart_reset = 10s\nrestart_limit = 3/30s\n"
			  "[service:mig]\ncommand = m\ntype = oneshot\nafter = db\n"
			  "[service:web]\ncommand = w\nafter = mig\nafter = db\nrequires = db\n"
			  "[service:legacy]\ncommand = l\ntype = forking\npidfile = /run/l.pid\n"
			  "start_timeout = 3s\n"),
		     0, "%s", errs.n ? errs.msgs[0] : "");
	cr_expect_eq(cfg.on_failure, ON_FAILURE_KEEP);
	cr_expect_eq(cfg.svcs[0].restart, RESTART_ALWAYS);
	cr_expect_eq(cfg.svcs[0].restart_delay_ms, 50);
	cr_expect_eq(cfg.svcs[0].restart_delay_max_ms, 2000);
	cr_expect_eq(cfg.svcs[0].restart_reset_ms, 10000);
	cr_expect_eq(cfg.svcs[0].restart_limit, 3);
	cr_expect_eq(cfg.svcs[0].restart_window_ms, 30000);
	cr_expect_eq(cfg.svcs[1].type, SVC_TYPE_ONESHOT);
	cr_expect_eq(cfg.svcs[1].restart, RESTART_NO, "oneshots default to no");
	cr_expect_eq(cfg.svcs[2].restart, RESTART_NO, "main defaults to no");
	cr_assert_eq(cfg.svcs[2].after.n, 2, "after is repeatable");
	cr_expect_str_eq(cfg.svcs[2].after.names[1], "db");
	cr_expect(svc_depends_on(&cfg.svcs[2], "db"));
	cr_expect_not(svc_depends_on(&cfg.svcs[0], "web"));
	cr_expect_eq(cfg.svcs[3].restart, RESTART_ON_FAILURE, "others default to on-failure");
	cr_expect_str_eq(cfg.svcs[3].pidfile, "/run/l.pid");
	cr_expect_eq(cfg.svcs[3].start_timeout_ms, 3000);
}

Test(config, lifecycle_builtin_defaults)
{
	cr_assert_eq(load("[service:a]\ncommand = a\n"), 0);
	cr_expect_eq(cfg.on_failure, ON_FAILURE_SHUTDOWN);
	cr_expect_eq(cfg.svcs[0].type, SVC_TYPE_SIMPLE);
	cr_expect_eq(cfg.svcs[0].restart_delay_ms, 100);
	cr_expect_eq(cfg.svcs[0].restart_delay_max_ms, 30000);
	cr_expect_eq(cfg.svcs[0].restart_reset_ms, 60000);
	cr_expect_eq(cfg.svcs[0].restart_limit, 5);
	cr_expect_eq(cfg.svcs[0].restart_window_ms, 60000);
	cr_expect_eq(cfg.svcs[0].start_timeout_ms, 10000);
}

Test(config, bad_enum_values)
{
	expect_only_error("[service:a]\ncommand = a\nrestart = sometimes\n",
			  "3: [service:a] restart: invalid value 'sometimes' (one of: no, on-failure, always)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\ntype = daemon\n",
			  "3: [service:a] type: invalid value 'daemon' (one of: simple, oneshot, forking)");
	teardown();
	expect_only_error("[drainit]\non_failure = panic\n[service:a]\ncommand = a\n",
			  "2: [drainit] on_failure: invalid value 'panic' (one of: shutdown, keep)");
}

Test(config, bad_restart_limit)
{
	const char *bad[] = { "5", "5/", "/60s", "0/60s", "x/60s", "5/0s", "5/soon" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[128], want[160];
		snprintf(text, sizeof(text), "[service:a]\ncommand = a\nrestart_limit = %s\n", bad[i]);
		snprintf(want, sizeof(want),
			 "3: [service:a] restart_limit: invalid limit '%s' (use COUNT/DURATION, e.g. 5/60s)", bad[i]);
		expect_only_error(text, want);
		teardown();
	}
}

Test(config, unknown_and_self_dependencies)
{
	expect_only_error("[service:web]\ncommand = a\nafter = bd\n[service:db]\ncommand = d\n",
			  "3: [service:web] after: unknown service 'bd' (did you mean 'db'?)");
	teardown();
	expect_only_error("[service:web]\ncommand = a\nrequires = postgres\n",
			  "3: [service:web] requires: unknown service 'postgres'");
	teardown();
	expect_only_error("[service:web]\ncommand = a\nafter = web\n",
			  "3: [service:web] after: a service cannot depend on itself");
}

Test(config, dependency_cycle_names_the_cycle)
{
	expect_only_error("[service:a]\ncommand = a\nafter = b\n"
			  "[service:b]\ncommand = b\nrequires = c\n"
			  "[service:c]\ncommand = c\nafter = a\n",
			  "9: [service:c] after: dependency cycle: a -> b -> c -> a");
}

Test(config, forking_needs_a_pidfile)
{
	expect_only_error("[service:a]\ncommand = a\ntype = forking\n",
			  "3: [service:a] pidfile: missing (type = forking needs a pid file)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\npidfile = /run/a.pid\n",
			  "1: [service:a] pidfile: only used with type = forking");
}
