/* Unit tests: the INI loader, every documented error with its exact text. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "procset.h"

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

Test(config, full_example_loads)
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

Test(config, nul_byte_is_an_error)
{
	static const char text[] = "[service:a]\ncommand = a\ndirectory = /x\0 rest\n";
	FILE *f;
	int fd, n;

	snprintf(path, sizeof(path), "/tmp/drainit-unit-XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	fwrite(text, 1, sizeof(text) - 1, f);
	fclose(f);
	config_init(&cfg);
	memset(&errs, 0, sizeof(errs));
	n = config_load(path, &cfg, &errs);
	unlink(path);
	cr_assert_eq(n, 1, "%d errors (first: %s)", n, errs.n ? errs.msgs[0] : "-");
	cr_expect(strstr(errs.msgs[0], ":3: [service:a]: a NUL byte in the line"), "%s", errs.msgs[0]);
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

/* ---- probe server, readiness and health checks ---------------- */

Test(config, probe_and_check_keys)
{
	cr_assert_eq(load("[drainit]\nprobe_listen = 0.0.0.0:8080\n"
			  "[service:web]\ncommand = web\nready = http://127.0.0.1:8080/healthz\n"
			  "ready_interval = 500ms\nready_timeout = 2s\n"
			  "health = exec:web-ctl ping\nhealth_interval = 30s\nhealth_timeout = 3s\n"
			  "health_failures = 5\n"
			  "[service:db]\ncommand = db\nready = notify\nwatchdog = 10s\n"
			  "[service:plain]\ncommand = plain\n"),
		     0, "%s", errs.n ? errs.msgs[0] : "");
	cr_expect_str_eq(cfg.probe_listen, "0.0.0.0:8080");
	cr_expect_eq(cfg.probe_addr.port, 8080);
	struct svc_config *w = &cfg.svcs[0], *d = &cfg.svcs[1], *p = &cfg.svcs[2];
	cr_expect_eq(w->ready.kind, CHECK_HTTP);
	cr_expect_str_eq(w->ready.path, "/healthz");
	cr_expect_eq(w->ready_interval_ms, 500);
	cr_expect_eq(w->ready_timeout_ms, 2000);
	cr_expect_eq(w->health.kind, CHECK_EXEC);
	cr_expect_str_eq(w->health.argv[1], "ping");
	cr_expect_eq(w->health_interval_ms, 30000);
	cr_expect_eq(w->health_timeout_ms, 3000);
	cr_expect_eq(w->health_failures, 5);
	cr_expect_eq(d->ready.kind, CHECK_NOTIFY);
	cr_expect_eq(d->watchdog_ms, 10000);
	/* defaults */
	cr_expect_eq(p->ready.kind, CHECK_NONE);
	cr_expect_eq(p->health.kind, CHECK_NONE);
	cr_expect_eq(p->ready_interval_ms, DEFAULT_READY_INTERVAL_MS);
	cr_expect_eq(p->ready_timeout_ms, DEFAULT_READY_TIMEOUT_MS);
	cr_expect_eq(p->health_interval_ms, DEFAULT_HEALTH_INTERVAL_MS);
	cr_expect_eq(p->health_timeout_ms, DEFAULT_HEALTH_TIMEOUT_MS);
	cr_expect_eq(p->health_failures, 3);
	cr_expect_eq(p->watchdog_ms, 0);
}

Test(config, probe_off_by_default)
{
	cr_assert_eq(load("[service:a]\ncommand = a\n"), 0);
	cr_expect_null(cfg.probe_listen);
}

Test(config, bad_probe_listen)
{
	expect_only_error("[drainit]\nprobe_listen = 8080\n[service:a]\ncommand = a\n",
			  "2: [drainit] probe_listen: invalid address '8080' (missing port: use HOST:PORT or :PORT)");
	teardown();
	expect_only_error("[drainit]\nprobe_listen = pod:8080\n[service:a]\ncommand = a\n",
			  "2: [drainit] probe_listen: invalid address 'pod:8080' (the host must be an IP address or localhost, IPv6 in brackets; names are not resolved)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nprobe_listen = :80\n",
			  "3: [service:a] probe_listen: key belongs in [drainit]");
}

Test(config, bad_check_specs)
{
	expect_only_error("[service:a]\ncommand = a\nready = tcp:db:5432\n",
			  "3: [service:a] ready: invalid check 'tcp:db:5432' (the host must be an IP address or localhost, IPv6 in brackets; names are not resolved)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nready = tcp:127.0.0.1\n",
			  "3: [service:a] ready: invalid check 'tcp:127.0.0.1' (missing port: use tcp:HOST:PORT)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nready = maybe\n",
			  "3: [service:a] ready: invalid check 'maybe' (use tcp:HOST:PORT, http://HOST:PORT/PATH, exec:COMMAND, listen[:PORT], notify or none)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nhealth = notify\n",
			  "3: [service:a] health: invalid check 'notify' (notify is for ready only; a notify service proves liveness with WATCHDOG=1, see the watchdog key)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nhealth = exec:'x\n",
			  "3: [service:a] health: invalid check 'exec:'x' (unterminated single quote)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nready = https://127.0.0.1/\n",
			  "3: [service:a] ready: invalid check 'https://127.0.0.1/' (https is not supported; use http://, or exec: with a client such as curl)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nready = http://127.0.0.1:99999/\n",
			  "3: [service:a] ready: invalid check 'http://127.0.0.1:99999/' (the port must be a number from 1 to 65535)");
	teardown();
	expect_only_error("[drainit]\nready = none\n[service:a]\ncommand = a\n",
			  "2: [drainit] ready: key belongs in a [service:NAME] section");
}

Test(config, bad_check_settings)
{
	expect_only_error("[service:a]\ncommand = a\nhealth_failures = 0\n",
			  "3: [service:a] health_failures: invalid count '0' (use a whole number from 1 to 1000)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nhealth_failures = three\n",
			  "3: [service:a] health_failures: invalid count 'three' (use a whole number from 1 to 1000)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nready_interval = 0\n",
			  "3: [service:a] ready_interval: must be more than 0");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nhealth_timeout = 0s\n",
			  "3: [service:a] health_timeout: must be more than 0");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nready_timeout = soon\n",
			  "3: [service:a] ready_timeout: invalid duration 'soon' (use e.g. 250ms, 5s, 2m, 1m30s)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nwatchdog = 5s\nready = tcp:127.0.0.1:1\n",
			  "3: [service:a] watchdog: needs ready = notify (WATCHDOG=1 comes through the notify socket)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nready = exec:check\n  --flag\n",
			  "4: [service:a] ready: this value cannot continue on the next line");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nready = none\nready = notify\n",
			  "4: [service:a] ready: set twice (first at line 3)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nready_intervall = 1s\n",
			  "3: [service:a] ready_intervall: unknown key (did you mean 'ready_interval'?)");
}

/* ---- process settings, output, drainit's log ------------------ */

Test(config, process_settings_load)
{
	char envpath[] = "/tmp/drainit-unit-env-XXXXXX";
	int fd = mkstemp(envpath);
	char text[1024];

	cr_assert_geq(fd, 0);
	cr_assert_gt(write(fd, "# x\nA=1\nexport B='two words'\n", 29), 0);
	close(fd);
	snprintf(text, sizeof(text),
		 "[drainit]\nlog_format = json\nlog_level = warn\nlog_timestamps = yes\n"
		 "[service:a]\ncommand = a\nuser = root\ngroup = 0\nenv = X=1\nenv = Y=a=b\n"
		 "env_file = %s\nclear_env = true\numask = 027\nnice = -5\noom_score_adjust = -500\n"
		 "stdin = null\nstdout = file:/var/log/a.log\nstderr = null\n"
		 "limit_nofile = 1024:4096\nlimit_core = infinity\nlimit_nproc = 100\nlimit_memlock = 64K\n"
		 "limit_stack = 8M\nlimit_as = 1G:2G\nlimit_data = unlimited\nlimit_fsize = 1T\nlimit_cpu = 60\n",
		 envpath);
	int n = load(text);
	unlink(envpath);
	cr_assert_eq(n, 0, "%s", errs.n ? errs.msgs[0] : "");
	cr_expect_eq(cfg.log_format, 1);
	cr_expect_eq(cfg.log_level, 2);
	cr_expect(cfg.log_timestamps);
	struct svc_config *s = &cfg.svcs[0];
	cr_expect(s->has_uid && s->has_gid);
	cr_expect_eq(s->uid, 0);
	cr_expect_eq(s->gid, 0);
	cr_expect_geq(s->ngroups, 1);
	cr_expect_str_eq(s->pw_name, "root");
	cr_assert_eq(s->nenv, 2);
	cr_expect_str_eq(s->env[0], "X=1");
	cr_expect_str_eq(s->env[1], "Y=a=b");
	cr_assert_eq(s->nfile_env, 2);
	cr_expect_str_eq(s->file_env[0], "A=1");
	cr_expect_str_eq(s->file_env[1], "B=two words");
	cr_expect(s->clear_env);
	cr_expect(s->umask.set && s->umask.v == 027);
	cr_expect(s->nice.set && s->nice.v == -5);
	cr_expect(s->oom_score_adjust.set && s->oom_score_adjust.v == -500);
	cr_expect_eq(s->stdin_mode, STDIN_NULL);
	cr_expect_eq(s->out[0], OUT_FILE);
	cr_expect_str_eq(s->out_path[0], "/var/log/a.log");
	cr_expect_eq(s->out[1], OUT_NULL);
	cr_expect(s->limits[LIM_NOFILE].set && s->limits[LIM_NOFILE].soft == 1024 &&
		  s->limits[LIM_NOFILE].hard == 4096);
	cr_expect(s->limits[LIM_CORE].soft == RLIM_INFINITY);
	cr_expect(s->limits[LIM_NPROC].soft == 100 && s->limits[LIM_NPROC].hard == 100);
	cr_expect(s->limits[LIM_MEMLOCK].soft == 65536);
	cr_expect(s->limits[LIM_STACK].soft == 8 << 20);
	cr_expect(s->limits[LIM_AS].soft == 1ull << 30 && s->limits[LIM_AS].hard == 2ull << 30);
	cr_expect(s->limits[LIM_DATA].hard == RLIM_INFINITY);
	cr_expect(s->limits[LIM_FSIZE].soft == 1ull << 40);
	cr_expect(s->limits[LIM_CPU].soft == 60);
}

Test(config, process_settings_defaults)
{
	cr_assert_eq(load("[service:a]\ncommand = a\n"), 0);
	struct svc_config *s = &cfg.svcs[0];
	cr_expect_eq(cfg.log_level, -1);
	cr_expect_eq(cfg.log_format, 0);
	cr_expect_not(cfg.log_timestamps);
	cr_expect_not(s->has_uid || s->has_gid || s->clear_env);
	cr_expect_not(s->umask.set || s->nice.set || s->oom_score_adjust.set);
	for (int i = 0; i < _LIM_MAX; i++)
		cr_expect_not(s->limits[i].set);
	cr_expect_eq(s->stdin_mode, STDIN_INHERIT);
	/* one service: its output is drainit's own */
	cr_expect_eq(s->out[0], OUT_INHERIT);
	cr_expect_eq(s->out[1], OUT_INHERIT);
}

Test(config, output_defaults_to_prefix_with_several_services)
{
	cr_assert_eq(load("[service:a]\ncommand = a\n[service:b]\ncommand = b\nstderr = inherit\n"), 0);
	cr_expect_eq(cfg.svcs[0].out[0], OUT_PREFIX);
	cr_expect_eq(cfg.svcs[0].out[1], OUT_PREFIX);
	cr_expect_eq(cfg.svcs[1].out[0], OUT_PREFIX);
	cr_expect_eq(cfg.svcs[1].out[1], OUT_INHERIT);
}

Test(config, users_and_groups_by_name_and_number)
{
	cr_assert_eq(load("[service:a]\ncommand = a\nuser = nobody\n"
			  "[service:b]\ncommand = b\nuser = 4242\ngroup = 4343\n"
			  "[service:c]\ncommand = c\ngroup = nogroup\n"),
		     0, "%s", errs.n ? errs.msgs[0] : "");
	cr_expect(cfg.svcs[0].has_uid && cfg.svcs[0].uid == 65534 && cfg.svcs[0].gid == 65534);
	cr_expect_str_eq(cfg.svcs[0].pw_home, "/nonexistent");
	/* a uid with no passwd entry: its group is given, its only group */
	cr_expect(cfg.svcs[1].uid == 4242 && cfg.svcs[1].gid == 4343);
	cr_expect_null(cfg.svcs[1].pw_name);
	cr_assert_eq(cfg.svcs[1].ngroups, 1);
	cr_expect_eq(cfg.svcs[1].groups[0], 4343);
	/* a group alone: drainit's uid, that group only */
	cr_expect(!cfg.svcs[2].has_uid && cfg.svcs[2].has_gid && cfg.svcs[2].gid == 65534);
	cr_expect_eq(cfg.svcs[2].ngroups, 1);
}

Test(config, bad_user_and_group)
{
	expect_only_error("[service:a]\ncommand = a\nuser = no-such-user-x\n",
			  "3: [service:a] user: unknown user 'no-such-user-x'");
	teardown();
	expect_only_error("[service:a]\ncommand = a\ngroup = no-such-group-x\n",
			  "3: [service:a] group: unknown group 'no-such-group-x'");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nuser = 4242\n",
			  "3: [service:a] user: user '4242' has no passwd entry: set group too");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nuser = 4294967295\n",
			  "3: [service:a] user: user id '4294967295' out of range");
	teardown();
	expect_only_error("[service:a]\ncommand = a\ngroup = 99999999999\n",
			  "3: [service:a] group: group id '99999999999' out of range");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nuser = root\nuser = nobody\n",
			  "4: [service:a] user: set twice (first at line 3)");
	teardown();
	expect_only_error("[drainit]\nuser = root\n[service:a]\ncommand = a\n",
			  "2: [drainit] user: key belongs in a [service:NAME] section");
}

Test(config, bad_env_and_env_file)
{
	expect_only_error("[service:a]\ncommand = a\nenv = NOVALUE\n",
			  "3: [service:a] env: expected KEY=VALUE, got 'NOVALUE'");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nenv = 1A=x\n",
			  "3: [service:a] env: invalid variable name '1A' (use letters, digits and '_', not starting with a digit)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nenv = A=1\n  more\n",
			  "4: [service:a] env: this value cannot continue on the next line");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nenv_file = /nonexistent/x.env\n",
			  "3: [service:a] env_file: cannot read '/nonexistent/x.env': No such file or directory");
}

Test(config, bad_env_file_line)
{
	char envpath[] = "/tmp/drainit-unit-env-XXXXXX", text[256], want[256];
	int fd = mkstemp(envpath);

	cr_assert_geq(fd, 0);
	cr_assert_gt(write(fd, "OK=1\n\nB='open\n", 14), 0);
	close(fd);
	snprintf(text, sizeof(text), "[service:a]\ncommand = a\nenv_file = %s\n", envpath);
	snprintf(want, sizeof(want), "3: [service:a] env_file: %s:3: unterminated single quote", envpath);
	expect_only_error(text, want);
	unlink(envpath);
}

/* An env_file that is not a regular file, or is over 1 MiB, is refused
 * at once: no read without end (/dev/zero), no wait (a FIFO nobody
 * writes to). The timeout makes a blocking open or read a failure. */
Test(config, env_file_must_be_a_small_regular_file, .timeout = 10)
{
	char dir[] = "/tmp/drainit-unit-envdir-XXXXXX", fifo[128], text[512], want[512];

	expect_only_error("[service:a]\ncommand = a\nenv_file = /dev/zero\n",
			  "3: [service:a] env_file: '/dev/zero' is a character device, not a regular file");
	teardown();
	cr_assert_not_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	snprintf(text, sizeof(text), "[service:a]\ncommand = a\nenv_file = %s\n", fifo);
	snprintf(want, sizeof(want), "3: [service:a] env_file: '%s' is a FIFO, not a regular file", fifo);
	expect_only_error(text, want);
	teardown();
	snprintf(text, sizeof(text), "[service:a]\ncommand = a\nenv_file = %s\n", dir);
	snprintf(want, sizeof(want), "3: [service:a] env_file: '%s' is a directory, not a regular file", dir);
	expect_only_error(text, want);
	unlink(fifo);
	rmdir(dir);
}

static void
write_env_lines(const char *p, size_t bytes)
{
	char line[64];
	FILE *f = fopen(p, "w");

	cr_assert_not_null(f);
	memset(line, 'x', sizeof(line));
	memcpy(line, "A=", 2);
	line[sizeof(line) - 1] = '\n';
	for (size_t done = 0; done < bytes; done += sizeof(line))
		cr_assert_gt(fwrite(line, 1, bytes - done < sizeof(line) ? bytes - done : sizeof(line), f), 0);
	fclose(f);
}

Test(config, env_file_at_most_1_MiB)
{
	char envpath[] = "/tmp/drainit-unit-env-XXXXXX", text[256], want[256];
	int fd = mkstemp(envpath);

	cr_assert_geq(fd, 0);
	close(fd);
	snprintf(text, sizeof(text), "[service:a]\ncommand = a\nenv_file = %s\n", envpath);
	write_env_lines(envpath, 1024 * 1024);
	cr_assert_eq(load(text), 0, "exactly 1 MiB: %s", errs.n ? errs.msgs[0] : "");
	cr_expect_eq(cfg.svcs[0].nfile_env, 1024 * 1024 / 64);
	teardown();
	write_env_lines(envpath, 1024 * 1024 + 1);
	snprintf(want, sizeof(want), "3: [service:a] env_file: '%s' is larger than 1 MiB (1048577 bytes)",
		 envpath);
	expect_only_error(text, want);
	unlink(envpath);
}

Test(config, env_file_nul_byte)
{
	char envpath[] = "/tmp/drainit-unit-env-XXXXXX", text[256], want[256];
	int fd = mkstemp(envpath);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "A=1\nB=x\0y\nC=2\n", 14), 14);
	close(fd);
	snprintf(text, sizeof(text), "[service:a]\ncommand = a\nenv_file = %s\n", envpath);
	snprintf(want, sizeof(want), "3: [service:a] env_file: %s:2: a NUL byte in the line", envpath);
	expect_only_error(text, want);
	unlink(envpath);
}

Test(config, bad_numbers_and_choices)
{
	expect_only_error("[service:a]\ncommand = a\numask = 999\n",
			  "3: [service:a] umask: invalid umask '999' (use an octal mask such as 022 or 0077)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nnice = 20\n",
			  "3: [service:a] nice: invalid value '20' (use an integer from -20 to 19)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\noom_score_adjust = high\n",
			  "3: [service:a] oom_score_adjust: invalid value 'high' (use an integer from -1000 to 1000)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nclear_env = perhaps\n",
			  "3: [service:a] clear_env: invalid boolean 'perhaps' (use true or false)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nstdin = pipe\n",
			  "3: [service:a] stdin: invalid value 'pipe' (use inherit or null)");
	teardown();
	expect_only_error("[drainit]\nlog_format = xml\n[service:a]\ncommand = a\n",
			  "2: [drainit] log_format: invalid value 'xml' (use text or json)");
	teardown();
	expect_only_error("[drainit]\nlog_level = verbose\n[service:a]\ncommand = a\n",
			  "2: [drainit] log_level: invalid value 'verbose' (use debug, info, warn or error)");
	teardown();
	expect_only_error("[drainit]\nlog_timestamps = sometimes\n[service:a]\ncommand = a\n",
			  "2: [drainit] log_timestamps: invalid boolean 'sometimes' (use true or false)");
}

Test(config, bad_outputs)
{
	expect_only_error("[service:a]\ncommand = a\nstdout = journal\n",
			  "3: [service:a] stdout: invalid value 'journal' (use inherit, prefix, null or file:PATH)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nstderr = file:\n",
			  "3: [service:a] stderr: file: needs a path (file:PATH)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nstdout = prefix\nstdout = null\n",
			  "4: [service:a] stdout: set twice (first at line 3)");
}

Test(config, bad_limits)
{
	expect_only_error("[service:a]\ncommand = a\nlimit_nofile = 10x\n",
			  "3: [service:a] limit_nofile: invalid limit '10x' (use N, SOFT:HARD or infinity)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nlimit_core = 1Q\n",
			  "3: [service:a] limit_core: invalid limit '1Q' (use N, N[KMGT], SOFT:HARD or infinity)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nlimit_nproc = 20:10\n",
			  "3: [service:a] limit_nproc: invalid limit '20:10' (soft limit above hard limit)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nlimit_fsize = 99999999999T\n",
			  "3: [service:a] limit_fsize: invalid limit '99999999999T' (out of range)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nlimit_nofiles = 10\n",
			  "3: [service:a] limit_nofiles: unknown key (did you mean 'limit_nofile'?)");
}

Test(config, check_summary_of_process_settings)
{
	char buf[512];

	cr_assert_eq(load("[service:a]\ncommand = a\n[service:b]\ncommand = b\nuser = root\n"
			  "stdout = inherit\nstderr = file:/x.log\numask = 027\nlimit_core = 0:infinity\n"),
		     0, "%s", errs.n ? errs.msgs[0] : "");
	cr_expect(procset_describe(&cfg.svcs[0], buf, sizeof(buf)));
	cr_expect_str_eq(buf, "stdout prefix; stderr prefix");
	cr_expect(procset_describe(&cfg.svcs[1], buf, sizeof(buf)));
	cr_expect(strncmp(buf, "stderr file:/x.log; user root (uid 0); gid 0, ", 46) == 0, "%s", buf);
	cr_expect(strstr(buf, "; umask 0027; limit_core 0:infinity"), "%s", buf);
	teardown();
	cr_assert_eq(load("[service:a]\ncommand = a\n"), 0);
	cr_expect_not(procset_describe(&cfg.svcs[0], buf, sizeof(buf)));
	cr_expect_str_eq(buf, "");
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
			  "3: [service:a] pidfile: only used with type = forking");
}

Test(config, stop_sequence_signal_map_success_exit)
{
	cr_assert_eq(load("[service:a]\ncommand = a\nstop_signal = TERM 5s INT\ngrace_period = 30s\n"
			  "signal_map = HUP:USR1\nsignal_map = WINCH:0\nsuccess_exit = 3 SIGUSR2\n"), 0,
		     "%s", errs.n ? errs.msgs[0] : "");
	cr_expect_eq(cfg.svcs[0].stop_seq.n, 2);
	cr_expect_eq(cfg.svcs[0].stop_signal, SIGTERM);
	cr_expect(cfg.svcs[0].stop_signal_set);
	cr_expect_eq(signal_map_apply(&cfg.svcs[0].signal_map, SIGHUP), SIGUSR1);
	cr_expect_eq(signal_map_apply(&cfg.svcs[0].signal_map, SIGWINCH), 0);
	cr_expect(success_exit_match(&cfg.svcs[0].success_exit, 3, 0));
}

Test(config, stop_sequence_errors)
{
	expect_only_error("[service:a]\ncommand = a\nstop_signal = TERM 5s\n",
			  "3: [service:a] stop_signal: ends with a wait: the last step must be a signal (e.g. SIGTERM 30s SIGQUIT)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\ngrace_period = 10s\nstop_signal = TERM 6s INT 4s QUIT\n",
			  "4: [service:a] stop_signal: its waits add up to 10s, not less than grace_period 10s (SIGKILL comes at grace_period)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nstop_signal = STOP\n",
			  "3: [service:a] stop_signal: SIGSTOP cannot ask a service to stop (use e.g. SIGTERM, INT, QUIT)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nstop_signal = TERM 1s CHLD\n",
			  "3: [service:a] stop_signal: SIGCHLD cannot ask a service to stop (use e.g. SIGTERM, INT, QUIT)");
}

Test(config, empty_command_name_and_empty_lists)
{
	expect_only_error("[service:a]\ncommand = \"\"\n",
			  "2: [service:a] command: the command's name is empty (\"\")");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nafter =\n",
			  "3: [service:a] after: no service named");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nforward_signals = HUP KILL\n",
			  "3: [service:a] forward_signals: SIGKILL never reaches drainit, so it is never forwarded");
}

Test(config, signal_map_and_success_exit_errors)
{
	expect_only_error("[service:a]\ncommand = a\nsignal_map = HUP\n",
			  "3: [service:a] signal_map: 'HUP' is not FROM:TO (e.g. HUP:USR1, or WINCH:0 to drop it)");
	teardown();
	expect_only_error("[service:a]\ncommand = a\nsuccess_exit = 0 300\n",
			  "3: [service:a] success_exit: '300' is not an exit code (0-255) or a signal name");
	teardown();
	expect_only_error("[drainit]\nsuccess_exit = 3\n[service:a]\ncommand = a\n",
			  "2: [drainit] success_exit: key belongs in a [service:NAME] section");
}

Test(config, absolute_paths)
{
	cr_assert_eq(load("[service:a]\ncommand = a\ndirectory = sub\nstdout = file:out.log\n"
			  "[service:b]\ncommand = b\ndirectory = /abs\ntype = forking\npidfile = run/b.pid\n"), 0,
		     "%s", errs.n ? errs.msgs[0] : "");
	cr_assert_eq(config_absolute_paths(&cfg, "/start"), 0);
	cr_expect_str_eq(cfg.svcs[0].directory, "/start/sub");
	cr_expect_str_eq(cfg.svcs[0].out_path[0], "/start/out.log");
	cr_expect_str_eq(cfg.svcs[1].directory, "/abs");
	cr_expect_str_eq(cfg.svcs[1].pidfile, "/start/run/b.pid");
}

/* ---- reload and polish keys ---- */

Test(config, utf8_bom_is_accepted)
{
	cr_assert_eq(load("\xef\xbb\xbf[drainit]\nprestop_delay = 1.5s\n[service:a]\ncommand = /bin/true\n"),
		     0, "%s", errs.n ? errs.msgs[0] : "");
	cr_expect_eq(cfg.prestop_delay_ms, 1500);
	cr_expect_eq(cfg.nsvcs, 1);
}

Test(config, bom_only_at_the_start)
{
	expect_only_error("[service:a]\ncommand = /bin/true\n\xef\xbb\xbfnice = 1\n",
			  "3: [service:a] \xef\xbb\xbfnice: unknown key");
}

Test(config, hash_comment_hint)
{
	expect_only_error("[service:a]\ncommand = /bin/true\ngrace_period = 5s # five\n",
			  "3: [service:a] grace_period: invalid duration '5s # five' (use e.g. 250ms, 5s, 2m, 1m30s); inline comments start with ';', not '#'");
}

Test(config, hash_inside_a_command_is_kept)
{
	cr_assert_eq(load("[service:a]\ncommand = /bin/echo a#b # c\n"), 0);
	cr_expect_str_eq(cfg.svcs[0].command, "/bin/echo a#b # c");
}

Test(config, directory_as_the_file)
{
	config_init(&cfg);
	memset(&errs, 0, sizeof(errs));
	cr_assert_eq(config_load("/tmp", &cfg, &errs), -EISDIR);
	cr_assert_eq(errs.n, 1);
	cr_expect_str_eq(errs.msgs[0], "/tmp: is a directory, not a configuration file (give the path of the INI file, e.g. /etc/drainit.ini)");
}

Test(config, forward_signals)
{
	cr_assert_eq(load("[service:a]\ncommand = /bin/true\nforward_signals = HUP USR1\n"
			  "[service:b]\ncommand = /bin/true\nforward_signals = none\n"
			  "[service:c]\ncommand = /bin/true\n"), 0);
	cr_expect(svc_forwards(&cfg.svcs[0], SIGHUP));
	cr_expect(svc_forwards(&cfg.svcs[0], SIGUSR1));
	cr_expect_not(svc_forwards(&cfg.svcs[0], SIGUSR2));
	cr_expect_not(svc_forwards(&cfg.svcs[1], SIGHUP));
	cr_expect(svc_forwards(&cfg.svcs[2], SIGUSR2));
}

Test(config, forward_signals_errors)
{
	expect_only_error("[service:a]\ncommand = /bin/true\nforward_signals = HUP NOPE\n",
			  "3: [service:a] forward_signals: unknown signal 'NOPE' (a list such as HUP USR1 WINCH, or none)");
}

Test(config, runtime_directory)
{
	cr_assert_eq(load("[service:a]\ncommand = /bin/true\nruntime_directory = sshd\n"), 0);
	cr_expect_str_eq(cfg.svcs[0].runtime_directory, "sshd");
	teardown();
	expect_only_error("[service:a]\ncommand = /bin/true\nruntime_directory = ../etc\n",
			  "3: [service:a] runtime_directory: invalid name '../etc' (one directory name under /run: 1-64 letters, digits, '_', '-', '.', '@')");
}

Test(config, sighup)
{
	cr_assert_eq(load("[drainit]\nsighup = reload\n[service:a]\ncommand = /bin/true\n"), 0);
	cr_expect_eq(cfg.sighup, SIGHUP_RELOAD);
	teardown();
	cr_assert_eq(load("[service:a]\ncommand = /bin/true\n"), 0);
	cr_expect_eq(cfg.sighup, SIGHUP_FORWARD);
	teardown();
	expect_only_error("[drainit]\nsighup = restart\n[service:a]\ncommand = /bin/true\n",
			  "2: [drainit] sighup: invalid value 'restart' (use forward or reload)");
}

/* prestop_token = file:PATH holds at most 1 KiB, its trailing newline not counted. */
static void
token_file(const char *name, size_t n, const char *tail)
{
	FILE *f = fopen(name, "w");

	cr_assert(f != NULL);
	for (size_t i = 0; i < n; i++)
		fputc('a', f);
	fputs(tail, f);
	fclose(f);
}

Test(config, token_file_is_at_most_1kib_without_its_newline)
{
	char text[256], name[64];

	snprintf(name, sizeof(name), "/tmp/drainit-unit-token-%d", (int)getpid());
	token_file(name, 1024, "\n");
	snprintf(text, sizeof(text), "[drainit]\nprestop_token = file:%s\n[service:a]\ncommand = a\n",
		 name);
	cr_assert_eq(load(text), 0, "%s", errs.n ? errs.msgs[0] : "-");
	cr_expect_eq(strlen(cfg.prestop_token), 1024);
	teardown();
	token_file(name, 1025, "");
	cr_assert_eq(load(text), 1);
	cr_expect(strstr(errs.msgs[0], "is longer than 1 KiB") != NULL, "%s", errs.msgs[0]);
	unlink(name);
}
