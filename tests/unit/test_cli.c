/* Unit tests: the command line, single-command mode and its errors. */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "supervisor.h"

static struct cli o;
static struct config c;
static char err[512];

static int
parse(char **argv)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	err[0] = '\0';
	return cli_parse(argc, argv, &o, &c, err, sizeof(err));
}

static void
fini(void)
{
	config_free(&c);
}

TestSuite(cli, .fini = fini);

Test(cli, config_mode)
{
	cr_assert_eq(parse((char *[]){ "drainit", "-c", "x.ini", NULL }), 0, "%s", err);
	cr_expect_str_eq(o.config_path, "x.ini");
	cr_expect_null(o.cmd);
	cr_expect_not(c.single);
}

Test(cli, long_and_short_spellings)
{
	cr_assert_eq(parse((char *[]){ "drainit", "--config", "y.ini", "--verbose", NULL }), 0, "%s", err);
	cr_expect_str_eq(o.config_path, "y.ini");
	cr_expect(o.verbose);
	cr_assert_eq(parse((char *[]){ "drainit", "--config=z.ini", "-v", NULL }), 0, "%s", err);
	cr_expect_str_eq(o.config_path, "z.ini");
	cr_expect(o.verbose);
	cr_assert_eq(parse((char *[]){ "drainit", "-h", NULL }), 0, "%s", err);
	cr_expect(o.help);
	cr_assert_eq(parse((char *[]){ "drainit", "--help", NULL }), 0, "%s", err);
	cr_expect(o.help);
}

Test(cli, single_command_mode_builds_one_main_service)
{
	cr_assert_eq(parse((char *[]){ "drainit", "--grace", "2s", "--stop-signal", "QUIT",
				       "--prestop-delay", "250ms", "--drain", "dereg 'a b'",
				       "--drain", "two", "--drain-timeout", "1s",
				       "--shutdown-timeout", "1m", "--", "/usr/bin/my-app", "-x",
				       "--flag", NULL }),
		     0, "%s", err);
	cr_expect(c.single);
	cr_assert_eq(c.nsvcs, 1);
	cr_expect_str_eq(c.svcs[0].name, "my-app");
	cr_expect_str_eq(c.main, "my-app");
	cr_expect_str_eq(c.svcs[0].argv[2], "--flag", "CMD's own flags stay CMD's");
	cr_expect_eq(c.svcs[0].stop_signal, SIGQUIT);
	cr_expect_eq(c.svcs[0].grace_ms, 2000);
	cr_expect_eq(c.prestop_delay_ms, 250);
	cr_expect_eq(c.shutdown_timeout_ms, 60000);
	cr_assert_eq(c.ndrain, 2);
	cr_expect_str_eq(c.drain[0].argv[1], "a b");
	cr_expect_eq(c.drain[1].timeout_ms, 1000);
}

Test(cli, command_without_double_dash)
{
	cr_assert_eq(parse((char *[]){ "drainit", "sleep", "-x", NULL }), 0, "%s", err);
	cr_expect_str_eq(c.svcs[0].argv[1], "-x");
	cr_expect_eq(c.svcs[0].grace_ms, 10000);
}

Test(cli, odd_command_names_become_valid_service_names)
{
	cr_assert_eq(parse((char *[]){ "drainit", "--", "./my app!", NULL }), 0, "%s", err);
	cr_expect_str_eq(c.svcs[0].name, "my_app_");
}

Test(cli, errors_exit_64_with_one_line)
{
	struct {
		char *argv[8];
		const char *want;
	} cases[] = {
		{ { "drainit", "--grace", "soon", "--", "x", NULL }, "--grace: invalid duration 'soon' (use e.g. 250ms, 5s, 2m, 1m30s)" },
		{ { "drainit", "--stop-signal", "NOPE", "--", "x", NULL }, "--stop-signal: unknown signal 'NOPE' (use e.g. SIGTERM, QUIT, 2)" },
		{ { "drainit", "--drain", "'x", "--", "x", NULL }, "--drain: unterminated single quote ''x'" },
		{ { "drainit", "--wat", NULL }, "--wat: unknown option (see drainit --help)" },
		{ { "drainit", "-z", NULL }, "-z: unknown option (see drainit --help)" },
		{ { "drainit", "--grace", NULL }, "--grace: missing argument" },
		{ { "drainit", NULL }, "nothing to run: give -c FILE or -- CMD (see drainit --help)" },
		{ { "drainit", "-c", "f", "--", "x", NULL }, "give either -c FILE or -- CMD, not both" },
		{ { "drainit", "--grace", "1s", "-c", "f", NULL }, "--grace applies to -- CMD only; with -c set it in the [drainit] or [service:NAME] section" },
		{ { "drainit", "--stop-signal", "TERM 5s", "--", "x", NULL }, "--stop-signal: ends with a wait: the last step must be a signal (e.g. SIGTERM 30s SIGQUIT)" },
		{ { "drainit", "-e", "256", "--", "x", NULL }, "-e: '256' is not an exit code (0-255) or a signal name" },
		{ { "drainit", "--success-exit", "x", "--", "x", NULL }, "--success-exit: 'x' is not an exit code (0-255) or a signal name" },
		{ { "drainit", "-r", "HUP", "--", "x", NULL }, "-r: 'HUP' is not FROM:TO (e.g. HUP:USR1, or WINCH:0 to drop it)" },
		{ { "drainit", "--rewrite", "KILL:0", "--", "x", NULL }, "--rewrite: SIGKILL is never forwarded: it cannot be rewritten" },
		{ { "drainit", "-p", "NOPE", "--", "x", NULL }, "-p: unknown signal 'NOPE' (use e.g. SIGTERM, QUIT, 2)" },
		{ { "drainit", "-e", "3", "-c", "f", NULL }, "--success-exit applies to -- CMD only; with -c set it in the [drainit] or [service:NAME] section" },
		{ { "drainit", "-r", "HUP:0", "-c", "f", NULL }, "--rewrite applies to -- CMD only; with -c set it in the [drainit] or [service:NAME] section" },
		{ { "drainit", "--single-child", "-c", "f", NULL }, "--single-child applies to -- CMD only; with -c set it in the [drainit] or [service:NAME] section" },
		{ { "drainit", "-c", "--", "x", NULL }, "-c: drainit's -c is --config FILE; for dumb-init's -c (signals to the child only) use --single-child" },
		{ { "drainit", "-w", "--", "x", NULL }, "-w: tini's warning on reaped zombies is not supported; drainit logs every reaped orphan at debug level (-v)" },
		{ { "drainit", "-l", NULL }, "-l: tini's license option is not supported; drainit --version prints the version" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_expect_eq(parse(cases[i].argv), EXIT_USAGE, "case %zu", i);
		cr_expect_str_eq(err, cases[i].want, "case %zu", i);
		config_free(&c);
	}
}

Test(cli, drop_in_flags)
{
	cr_assert_eq(parse((char *[]){ "drainit", "-s", "-g", "-e", "143", "--success-exit", "SIGUSR1",
				       "-r", "HUP:USR1", "--rewrite", "WINCH:0", "-p", "TERM",
				       "--single-child", "--stop-signal", "TERM 2s INT", "--", "x", NULL }),
		     0, "%s", err);
	cr_expect(success_exit_match(&c.svcs[0].success_exit, 143, 0));
	cr_expect(success_exit_match(&c.svcs[0].success_exit, 138, SIGUSR1));
	cr_expect_eq(signal_map_apply(&c.svcs[0].signal_map, SIGHUP), SIGUSR1);
	cr_expect_eq(signal_map_apply(&c.svcs[0].signal_map, SIGWINCH), 0);
	cr_expect_eq(c.pdeath_signal, SIGTERM);
	cr_expect(c.svcs[0].single_child);
	cr_expect(c.svcs[0].stop_signal_set);
	cr_expect_eq(c.svcs[0].stop_seq.n, 2);
}

Test(cli, pdeath_signal_with_a_config_file)
{
	cr_assert_eq(parse((char *[]){ "drainit", "-p", "INT", "-c", "f", NULL }), 0, "%s", err);
	cr_expect_eq(c.pdeath_signal, SIGINT);
}

Test(cli, stop_signal_unset_hands_on_the_signal)
{
	cr_assert_eq(parse((char *[]){ "drainit", "--", "x", NULL }), 0, "%s", err);
	cr_expect_not(c.svcs[0].stop_signal_set);
	cr_expect_not(c.svcs[0].single_child);
}

Test(cli, dumb_init_setsid)
{
	setenv("DUMB_INIT_SETSID", "0", 1);
	cr_assert_eq(parse((char *[]){ "drainit", "--", "x", NULL }), 0, "%s", err);
	cr_expect(c.svcs[0].single_child);
	config_free(&c);
	setenv("DUMB_INIT_SETSID", "1", 1);
	cr_assert_eq(parse((char *[]){ "drainit", "--", "x", NULL }), 0, "%s", err);
	cr_expect_not(c.svcs[0].single_child);
	config_free(&c);
	setenv("DUMB_INIT_SETSID", "yes", 1);
	cr_expect_eq(parse((char *[]){ "drainit", "--", "x", NULL }), EXIT_USAGE);
	cr_expect_str_eq(err, "DUMB_INIT_SETSID: invalid value 'yes' (use 0 or 1)");
	unsetenv("DUMB_INIT_SETSID");
}

Test(cli, help_and_version)
{
	cr_expect_eq(parse((char *[]){ "drainit", "--help", NULL }), 0);
	cr_expect(o.help);
	config_free(&c);
	cr_expect_eq(parse((char *[]){ "drainit", "-V", NULL }), 0);
	cr_expect(o.version);
}

/* ---- --probe ---------------------------------------------------- */

Test(cli, probe_in_single_command_mode)
{
	cr_assert_eq(parse((char *[]){ "drainit", "--probe", ":8080", "--", "app", NULL }), 0, "%s", err);
	cr_expect_str_eq(c.probe_listen, ":8080");
	cr_expect(c.probe_addr.any);
	cr_expect_eq(c.probe_addr.port, 8080);
	cr_expect_eq(c.svcs[0].ready.kind, CHECK_LISTEN, "with a probe server: ready once it listens");
	config_free(&c);
	cr_assert_eq(parse((char *[]){ "drainit", "--probe", ":8080", "--ready", "none", "--name", "web",
				       "--health", "tcp:127.0.0.1:80", "--", "app", NULL }), 0, "%s", err);
	cr_expect_eq(c.svcs[0].ready.kind, CHECK_NONE);
	cr_expect_eq(c.svcs[0].health.kind, CHECK_TCP);
	cr_expect_str_eq(c.svcs[0].name, "web");
	config_free(&c);
	cr_expect_eq(parse((char *[]){ "drainit", "--ready", "maybe", "--", "app", NULL }), EXIT_USAGE);
	cr_expect(strstr(err, "--ready: invalid check 'maybe'"), "%s", err);
	cr_expect_eq(parse((char *[]){ "drainit", "--name", "a b", "--", "app", NULL }), EXIT_USAGE);
	cr_expect(strstr(err, "--name: invalid name 'a b'"), "%s", err);
	cr_expect_eq(parse((char *[]){ "drainit", "--ready", "listen", "-c", "x.ini", NULL }), EXIT_USAGE);
	cr_assert_eq(parse((char *[]){ "drainit", "--probe=127.0.0.1:9000", "--", "app", NULL }), 0);
	cr_expect_str_eq(c.probe_listen, "127.0.0.1:9000");
	cr_expect_not(c.probe_addr.any);
}

Test(cli, probe_errors)
{
	cr_expect_eq(parse((char *[]){ "drainit", "--probe", "8080", "--", "app", NULL }), EXIT_USAGE);
	cr_expect_str_eq(err, "--probe: invalid address '8080' (missing port: use HOST:PORT or :PORT)");
	config_free(&c);
	cr_expect_eq(parse((char *[]){ "drainit", "--probe", ":8080", "-c", "f.ini", NULL }), EXIT_USAGE);
	cr_expect_str_eq(err, "--probe applies to -- CMD only; with -c set it in the [drainit] or [service:NAME] section");
	config_free(&c);
	cr_expect_eq(parse((char *[]){ "drainit", "--probe", NULL }), EXIT_USAGE);
	cr_expect_str_eq(err, "--probe: missing argument");
}

/* ---- --log-format, --log-level --------------------------------- */

Test(cli, log_flags_in_both_modes)
{
	cr_assert_eq(parse((char *[]){ "drainit", "-c", "f.ini", "--log-format", "json",
				       "--log-level=warn", NULL }),
		     0, "%s", err);
	cr_expect_eq(o.log_format, LOG_FORMAT_JSON);
	cr_expect_eq(o.log_level, LOG_WARN);
	config_free(&c);
	cr_assert_eq(parse((char *[]){ "drainit", "--log-level", "debug", "--", "app", NULL }), 0, "%s", err);
	cr_expect_eq(o.log_level, LOG_DEBUG);
	cr_expect_eq(o.log_format, -1, "not given");
	/* single-command mode: one service, output left as drainit's */
	cr_expect_eq(c.svcs[0].out[0], OUT_INHERIT);
	cr_expect_eq(c.svcs[0].out[1], OUT_INHERIT);
	config_free(&c);
	cr_assert_eq(parse((char *[]){ "drainit", "-c", "f.ini", NULL }), 0);
	cr_expect_eq(o.log_level, -1);
	cr_expect_eq(o.log_format, -1);
}

Test(cli, log_flag_errors)
{
	cr_expect_eq(parse((char *[]){ "drainit", "--log-format", "xml", "-c", "f.ini", NULL }), EXIT_USAGE);
	cr_expect_str_eq(err, "--log-format: invalid value 'xml' (use text or json)");
	config_free(&c);
	cr_expect_eq(parse((char *[]){ "drainit", "--log-level=loud", "--", "app", NULL }), EXIT_USAGE);
	cr_expect_str_eq(err, "--log-level: invalid value 'loud' (use debug, info, warn or error)");
	config_free(&c);
	cr_expect_eq(parse((char *[]){ "drainit", "-c", "f.ini", "--log-level", NULL }), EXIT_USAGE);
	cr_expect_str_eq(err, "--log-level: missing argument");
}
