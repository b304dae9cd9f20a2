/* Unit tests: durations, signals, argv splitting, edit distance. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "parse.h"

static msec_t
dur(const char *s)
{
	msec_t ms = -42;
	cr_assert_eq(parse_duration(s, &ms), 0, "parse_duration(\"%s\") failed", s);
	return ms;
}

Test(duration, accepted_forms)
{
	cr_expect_eq(dur("250ms"), 250);
	cr_expect_eq(dur("5s"), 5000);
	cr_expect_eq(dur("2m"), 120000);
	cr_expect_eq(dur("1h"), 3600000);
	cr_expect_eq(dur("1m30s"), 90000);
	cr_expect_eq(dur("1h2m3s4ms"), 3723004);
	cr_expect_eq(dur("7"), 7000);
	cr_expect_eq(dur("0"), 0);
	cr_expect_eq(dur(" 10s "), 10000);
}

Test(duration, decimals)
{
	cr_expect_eq(dur("1.5s"), 1500);
	cr_expect_eq(dur("0.25s"), 250);
	cr_expect_eq(dur("0.001s"), 1);
	cr_expect_eq(dur("1.5"), 1500);
	cr_expect_eq(dur("1.5m"), 90000);
	cr_expect_eq(dur("0.5h"), 1800000);
	cr_expect_eq(dur("1m0.5s"), 60500);
	cr_expect_eq(dur("2.000s"), 2000);
}

Test(signal_set, lists_and_none)
{
	uint64_t m = 1;
	char err[128];

	cr_assert_eq(parse_signal_set("HUP USR1", &m, err, sizeof(err)), 0);
	cr_expect_eq(m, (1ULL << (SIGHUP - 1)) | (1ULL << (SIGUSR1 - 1)));
	cr_assert_eq(parse_signal_set("SIGWINCH,2, 10", &m, err, sizeof(err)), 0);
	cr_expect_eq(m, (1ULL << (SIGWINCH - 1)) | (1ULL << 1) | (1ULL << 9));
	cr_assert_eq(parse_signal_set("none", &m, err, sizeof(err)), 0);
	cr_expect_eq(m, 0);
	cr_expect_eq(parse_signal_set("HUP BOGUS", &m, err, sizeof(err)), -EINVAL);
	cr_expect_str_eq(err, "unknown signal 'BOGUS' (a list such as HUP USR1 WINCH, or none)");
	cr_expect_eq(parse_signal_set("none HUP", &m, err, sizeof(err)), -EINVAL);
	cr_expect_str_eq(err, "none cannot be combined with signals");
	cr_expect_eq(parse_signal_set(" ", &m, err, sizeof(err)), -EINVAL);
	cr_expect_str_eq(err, "empty list (a list such as HUP USR1 WINCH, or none)");
}

Test(duration, rejected_forms)
{
	const char *bad[] = { "", " ", "s", "-5s", "5x", "1.s", ".5s", "1.5ms", "0.0001s", "1,5s",
			      "1m30", "5 s", "ms5", "5sec", "abc" };
	msec_t ms = 77;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_eq(parse_duration(bad[i], &ms), -EINVAL, "accepted \"%s\"", bad[i]);
		cr_expect_eq(ms, 77, "\"%s\" clobbered the output", bad[i]);
	}
}

Test(duration, out_of_range)
{
	msec_t ms;
	cr_expect_eq(parse_duration("99999999999999999999s", &ms), -ERANGE);
	cr_expect_eq(parse_duration("9000h", &ms), -ERANGE);
	cr_expect_eq(parse_duration("8000h8000h", &ms), -ERANGE);
}

Test(duration, format_round_trips)
{
	char buf[32];
	cr_expect_str_eq(format_duration(0, buf, sizeof(buf)), "0s");
	cr_expect_str_eq(format_duration(250, buf, sizeof(buf)), "250ms");
	cr_expect_str_eq(format_duration(90000, buf, sizeof(buf)), "1m30s");
	cr_expect_str_eq(format_duration(1500, buf, sizeof(buf)), "1.500s");
	cr_expect_str_eq(format_duration(3600000, buf, sizeof(buf)), "1h");
}

Test(utc, formats_without_the_time_zone)
{
	char b[32];
	cr_expect_str_eq(format_utc_ms(0, 0, b, sizeof(b)), "1970-01-01T00:00:00.000Z");
	cr_expect_str_eq(format_utc_ms(951782400, 5, b, sizeof(b)), "2000-02-29T00:00:00.005Z");
	cr_expect_str_eq(format_utc_ms(1764059400, 123, b, sizeof(b)), "2025-11-25T08:30:00.123Z");
	cr_expect_str_eq(format_utc_ms(4107542399LL, 999, b, sizeof(b)), "2100-02-28T23:59:59.999Z");
	cr_expect_str_eq(format_utc_ms(-1, 0, b, sizeof(b)), "1969-12-31T23:59:59.000Z");
	/* outside the fixed layout: snprintf's rendering, never a wrong digit */
	cr_expect_str_eq(format_utc_ms(253402300800LL, 0, b, sizeof(b)), "10000-01-01T00:00:00.000Z");
	cr_expect_str_eq(format_utc_ms(0, 1234, b, sizeof(b)), "1970-01-01T00:00:00.1234Z");
	{
		char small[11];
		cr_expect_str_eq(format_utc_ms(1764059400, 123, small, sizeof(small)), "2025-11-25");
	}
	/* every field at both ends of its range */
	cr_expect_str_eq(format_utc_ms(1767225599, 999, b, sizeof(b)), "2025-12-31T23:59:59.999Z");
	cr_expect_str_eq(format_utc_ms(1767225600, 0, b, sizeof(b)), "2026-01-01T00:00:00.000Z");
	cr_expect_str_eq(format_utc_ms(-62167219200LL, 7, b, sizeof(b)), "0000-01-01T00:00:00.007Z");
	/* the same as gmtime_r over a spread of instants */
	for (int64_t t = 0; t < 5000000000LL; t += 86399 * 397) {
		time_t tt = (time_t)t;
		struct tm tm;
		char want[80];
		gmtime_r(&tt, &tm);
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.000Z", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		cr_assert_str_eq(format_utc_ms(t, 0, b, sizeof(b)), want, "t=%lld", (long long)t);
	}
}

Test(signal, names_and_numbers)
{
	int s = 0;
	cr_expect_eq(parse_signal("SIGTERM", &s), 0);
	cr_expect_eq(s, SIGTERM);
	cr_expect_eq(parse_signal("TERM", &s), 0);
	cr_expect_eq(s, SIGTERM);
	cr_expect_eq(parse_signal("term", &s), 0);
	cr_expect_eq(s, SIGTERM);
	cr_expect_eq(parse_signal("sigquit", &s), 0);
	cr_expect_eq(s, SIGQUIT);
	cr_expect_eq(parse_signal("15", &s), 0);
	cr_expect_eq(s, 15);
	cr_expect_eq(parse_signal("SIGWINCH", &s), 0);
	cr_expect_eq(s, SIGWINCH);
}

Test(signal, rejected)
{
	const char *bad[] = { "", "0", "-1", "65", "SIGFOO", "SIG", "15x", "TERMX" };
	int s = 123;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(parse_signal(bad[i], &s), -EINVAL, "accepted \"%s\"", bad[i]);
	cr_expect_eq(s, 123);
}

Test(signal, name_of_number)
{
	cr_expect_str_eq(signal_name(SIGKILL), "SIGKILL");
	cr_expect_str_eq(signal_name(SIGUSR2), "SIGUSR2");
	cr_expect_str_eq(signal_name(0), "SIG?");
	cr_expect_str_eq(signal_name(200), "SIG?");
}

static void
expect_split(const char *in, const char *const *want, int n)
{
	char **argv = NULL;
	int argc = -1;
	const char *err = NULL;

	cr_assert_eq(split_argv(in, &argv, &argc, &err), 0, "split(%s): %s", in, err);
	cr_assert_eq(argc, n, "split(%s): %d words, want %d", in, argc, n);
	for (int i = 0; i < n; i++)
		cr_expect_str_eq(argv[i], want[i], "split(%s) word %d", in, i);
	cr_expect_null(argv[n]);
	argv_free(argv);
}

Test(split, plain_and_quoted)
{
	expect_split("/opt/legacy/server --port 8080 \"--name=a b\"",
		     (const char *[]){ "/opt/legacy/server", "--port", "8080", "--name=a b" }, 4);
	expect_split("  a\t b  ", (const char *[]){ "a", "b" }, 2);
	expect_split("'single $HOME \"x\"'", (const char *[]){ "single $HOME \"x\"" }, 1);
	expect_split("\"d \\\" \\\\ \\$ \\` \\n\"", (const char *[]){ "d \" \\ $ ` \\n" }, 1);
	expect_split("a\\ b c", (const char *[]){ "a b", "c" }, 2);
	expect_split("x''y \"\"", (const char *[]){ "xy", "" }, 2);
	expect_split("$HOME *.c ~ ; |", (const char *[]){ "$HOME", "*.c", "~", ";", "|" }, 5);
}

Test(split, errors)
{
	struct {
		const char *in, *why;
	} cases[] = {
		{ "", "empty command" },
		{ "   ", "empty command" },
		{ "\"\"", "the command's name is empty (\"\")" },
		{ "'' arg", "the command's name is empty (\"\")" },
		{ "a 'b", "unterminated single quote" },
		{ "a \"b", "unterminated double quote" },
		{ "a b\\", "trailing backslash" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char **argv = NULL;
		int argc;
		const char *err = NULL;
		cr_expect_eq(split_argv(cases[i].in, &argv, &argc, &err), -EINVAL, "accepted [%s]", cases[i].in);
		cr_expect_str_eq(err, cases[i].why);
		cr_expect_null(argv);
	}
}

Test(edit_distance, basics)
{
	cr_expect_eq(edit_distance("grace_period", "grace_period"), 0);
	cr_expect_eq(edit_distance("grace_perod", "grace_period"), 1);
	cr_expect_eq(edit_distance("stop_sgnal", "stop_signal"), 1);
	cr_expect_eq(edit_distance("Command", "command"), 0);
	cr_expect_gt(edit_distance("foo", "prestop_delay"), 2);
}

/* ---- process settings ---------------------------------------- */

Test(proc_values, booleans)
{
	const char *yes[] = { "true", "TRUE", "yes", "on", "1" }, *no[] = { "false", "No", "off", "0" };
	bool b;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		b = false;
		cr_expect_eq(parse_bool(yes[i], &b), 0, "%s", yes[i]);
		cr_expect(b, "%s", yes[i]);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		b = true;
		cr_expect_eq(parse_bool(no[i], &b), 0, "%s", no[i]);
		cr_expect_not(b, "%s", no[i]);
	}
	cr_expect_eq(parse_bool("maybe", &b), -EINVAL);
	cr_expect_eq(parse_bool("", &b), -EINVAL);
	cr_expect_eq(parse_bool("2", &b), -EINVAL);
}

Test(proc_values, integers_in_range)
{
	long v = 0;
	cr_expect_eq(parse_int_range("-20", -20, 19, &v), 0);
	cr_expect_eq(v, -20);
	cr_expect_eq(parse_int_range("19", -20, 19, &v), 0);
	cr_expect_eq(v, 19);
	cr_expect_eq(parse_int_range("20", -20, 19, &v), -ERANGE);
	cr_expect_eq(parse_int_range("-1001", -1000, 1000, &v), -ERANGE);
	cr_expect_eq(parse_int_range("99999999999999999999", -20, 19, &v), -ERANGE);
	cr_expect_eq(parse_int_range("5x", -20, 19, &v), -EINVAL);
	cr_expect_eq(parse_int_range(" 5", -20, 19, &v), -EINVAL);
	cr_expect_eq(parse_int_range("", -20, 19, &v), -EINVAL);
	cr_expect_eq(v, 19, "a failed parse clobbered the output");
}

Test(proc_values, umask)
{
	unsigned m = 1;
	cr_expect_eq(parse_umask("022", &m), 0);
	cr_expect_eq(m, 022);
	cr_expect_eq(parse_umask("0077", &m), 0);
	cr_expect_eq(m, 077);
	cr_expect_eq(parse_umask("0", &m), 0);
	cr_expect_eq(m, 0);
	cr_expect_eq(parse_umask("777", &m), 0);
	cr_expect_eq(m, 0777);
	const char *bad[] = { "", "8", "0o22", "1000", "01777", "22a", "-1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(parse_umask(bad[i], &m), -EINVAL, "accepted \"%s\"", bad[i]);
}

Test(proc_values, rlimits)
{
	rlim_t so = 0, ha = 0;
	const char *why = NULL;

	cr_expect_eq(parse_rlimit("1024", false, &so, &ha, &why), 0);
	cr_expect(so == 1024 && ha == 1024);
	cr_expect_eq(parse_rlimit("1024:4096", false, &so, &ha, &why), 0);
	cr_expect(so == 1024 && ha == 4096);
	cr_expect_eq(parse_rlimit("infinity", false, &so, &ha, &why), 0);
	cr_expect(so == RLIM_INFINITY && ha == RLIM_INFINITY);
	cr_expect_eq(parse_rlimit("0:unlimited", true, &so, &ha, &why), 0);
	cr_expect(so == 0 && ha == RLIM_INFINITY);
	cr_expect_eq(parse_rlimit("8M:1g", true, &so, &ha, &why), 0);
	cr_expect(so == 8ull << 20 && ha == 1ull << 30);
	cr_expect_eq(parse_rlimit("2T", true, &so, &ha, &why), 0);
	cr_expect(so == 2ull << 40);
	cr_expect_eq(parse_rlimit("4K", true, &so, &ha, &why), 0);
	cr_expect(so == 4096);
}

Test(proc_values, rlimit_errors)
{
	rlim_t so = 7, ha = 7;
	const char *why = NULL;

	cr_expect_eq(parse_rlimit("10x", false, &so, &ha, &why), -EINVAL);
	cr_expect_str_eq(why, "use N, SOFT:HARD or infinity");
	cr_expect_eq(parse_rlimit("8M", false, &so, &ha, &why), -EINVAL, "suffix on a count");
	cr_expect_eq(parse_rlimit("8X", true, &so, &ha, &why), -EINVAL);
	cr_expect_str_eq(why, "use N, N[KMGT], SOFT:HARD or infinity");
	cr_expect_eq(parse_rlimit("2:1", false, &so, &ha, &why), -EINVAL);
	cr_expect_str_eq(why, "soft limit above hard limit");
	cr_expect_eq(parse_rlimit("infinity:5", false, &so, &ha, &why), -EINVAL);
	cr_expect_str_eq(why, "soft limit above hard limit");
	cr_expect_eq(parse_rlimit("99999999999999999999999", false, &so, &ha, &why), -EINVAL);
	cr_expect_str_eq(why, "out of range");
	cr_expect_eq(parse_rlimit("99999999T", true, &so, &ha, &why), -EINVAL);
	cr_expect_str_eq(why, "out of range");
	const char *bad[] = { "", ":", "1:", ":1", "-1", "1:2:3", " 1", "1 " };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(parse_rlimit(bad[i], true, &so, &ha, &why), -EINVAL, "accepted \"%s\"", bad[i]);
	cr_expect(so == 7 && ha == 7, "a failed parse clobbered the output");
}

Test(proc_values, env_names)
{
	cr_expect(valid_env_name("PATH", 4));
	cr_expect(valid_env_name("_x1", 3));
	cr_expect(valid_env_name("A=B", 1), "only len bytes count");
	cr_expect_not(valid_env_name("", 0));
	cr_expect_not(valid_env_name("1A", 2));
	cr_expect_not(valid_env_name("A-B", 3));
	cr_expect_not(valid_env_name("A B", 3));
}

static char *
env_line(const char *line)
{
	char *kv = NULL;
	const char *why = NULL;
	int r = parse_env_line(line, &kv, &why);
	cr_assert_eq(r, 1, "\"%s\": %d (%s)", line, r, why ? why : "-");
	return kv;
}

Test(env_file, assignments)
{
	struct {
		const char *line, *want;
	} cases[] = {
		{ "A=1\n", "A=1" },
		{ "A=\n", "A=" },
		{ "  B = spaced value  \n", "B=spaced value" },
		{ "export C=x\n", "C=x" },
		{ "D=has # hash and 'quotes'\n", "D=has # hash and 'quotes'" },
		{ "E='single $X \\n literal'\n", "E=single $X \\n literal" },
		{ "F=\"esc \\\" \\\\ \\$ \\n\\t end\"  # comment\n", "F=esc \" \\ $ \n\t end" },
		{ "G=\"keeps \\x\"\n", "G=keeps \\x" },
		{ "H=crlf\r\n", "H=crlf" },
		{ "exportI=1", "exportI=1" },
		{ "URL=http://a/b?c=d", "URL=http://a/b?c=d" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *kv = env_line(cases[i].line);
		cr_expect_str_eq(kv, cases[i].want, "line \"%s\"", cases[i].line);
		free(kv);
	}
}

Test(env_file, blanks_and_comments)
{
	const char *none[] = { "", "\n", "   \n", "# comment\n", "   # indented comment\n" };
	char *kv = NULL;
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		cr_expect_eq(parse_env_line(none[i], &kv, NULL), 0, "\"%s\"", none[i]);
	cr_expect_null(kv);
}

Test(env_file, errors)
{
	struct {
		const char *line, *why;
	} cases[] = {
		{ "JUSTAWORD\n", "expected KEY=VALUE" },
		{ "A B=1\n", "expected KEY=VALUE" },
		{ "=1\n", "invalid variable name (use letters, digits and '_', not starting with a digit)" },
		{ "1A=1\n", "invalid variable name (use letters, digits and '_', not starting with a digit)" },
		{ "A-B=1\n", "invalid variable name (use letters, digits and '_', not starting with a digit)" },
		{ "A=\"open\n", "unterminated double quote" },
		{ "A='open\n", "unterminated single quote" },
		{ "A=\"x\" y\n", "unexpected text after the closing quote" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *kv = NULL;
		const char *why = NULL;
		cr_expect_eq(parse_env_line(cases[i].line, &kv, &why), -EINVAL, "\"%s\"", cases[i].line);
		cr_expect_str_eq(why ? why : "-", cases[i].why, "line \"%s\"", cases[i].line);
		cr_expect_null(kv);
	}
}

/* ---- real-time signals, stop sequences, signal maps, success exits ---- */

Test(signal, real_time_names)
{
	int s;

	cr_expect_eq(parse_signal("RTMIN", &s), 0);
	cr_expect_eq(s, SIGRTMIN);
	cr_expect_eq(parse_signal("SIGRTMIN+3", &s), 0);
	cr_expect_eq(s, SIGRTMIN + 3);
	cr_expect_eq(parse_signal("rtmax-1", &s), 0);
	cr_expect_eq(s, SIGRTMAX - 1);
	cr_expect_eq(parse_signal("RTMIN-1", &s), -EINVAL);
	cr_expect_eq(parse_signal("RTMIN+99", &s), -EINVAL);
	cr_expect_str_eq(signal_name(SIGRTMIN), "SIGRTMIN");
	cr_expect_str_eq(signal_name(SIGRTMIN + 2), "SIGRTMIN+2");
}

Test(stop_seq, parses_steps)
{
	struct stop_seq q;
	char err[256], buf[160];

	cr_assert_eq(parse_stop_seq("SIGTERM 30s SIGINT 10s SIGQUIT", &q, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(q.n, 3);
	cr_expect_eq(q.step[0].sig, SIGTERM);
	cr_expect_eq(q.step[0].wait_ms, 30000);
	cr_expect_eq(q.step[1].sig, SIGINT);
	cr_expect_eq(q.step[1].wait_ms, 10000);
	cr_expect_eq(q.step[2].sig, SIGQUIT);
	cr_expect_eq(stop_seq_waits(&q), 40000);
	cr_expect_str_eq(format_stop_seq(&q, buf, sizeof(buf)), "SIGTERM 30s SIGINT 10s SIGQUIT");
	cr_assert_eq(parse_stop_seq("QUIT", &q, err, sizeof(err)), 0);
	cr_expect_eq(q.n, 1);
	cr_expect_eq(q.step[0].sig, SIGQUIT);
	cr_expect_eq(stop_seq_waits(&q), 0);
}

Test(stop_seq, errors_name_the_word)
{
	struct {
		const char *in, *why;
	} cases[] = {
		{ "SIGFOO", "unknown signal 'SIGFOO' (use e.g. SIGTERM, QUIT, 2)" },
		{ "TERM 30s NOPE", "unknown signal 'NOPE' (use e.g. SIGTERM, QUIT, 2)" },
		{ "TERM INT", "'INT' is not a wait: give SIGNAL [WAIT SIGNAL]... (e.g. SIGTERM 30s SIGQUIT)" },
		{ "TERM 0s INT", "'0s' is not a wait: give SIGNAL [WAIT SIGNAL]... (e.g. SIGTERM 30s SIGQUIT)" },
		{ "TERM 30s", "ends with a wait: the last step must be a signal (e.g. SIGTERM 30s SIGQUIT)" },
		{ "HUP 1s HUP 1s HUP 1s HUP 1s HUP 1s HUP 1s HUP 1s HUP 1s HUP", "more than 8 signals" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct stop_seq q = { .n = 7 };
		char err[256] = "";
		cr_expect_eq(parse_stop_seq(cases[i].in, &q, err, sizeof(err)), -EINVAL, "%s", cases[i].in);
		cr_expect_str_eq(err, cases[i].why, "%s", cases[i].in);
		cr_expect_eq(q.n, 7, "%s: result touched on error", cases[i].in);
	}
}

Test(signal_map, rewrites_and_drops)
{
	struct signal_map m = { 0 };
	char err[256];

	cr_assert_eq(parse_signal_map("HUP:USR1 WINCH:0", &m, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(parse_signal_map("15:3", &m, err, sizeof(err)), 0, "%s", err);	/* dumb-init's numbers */
	cr_expect_eq(signal_map_apply(&m, SIGHUP), SIGUSR1);
	cr_expect_eq(signal_map_apply(&m, SIGWINCH), 0);
	cr_expect_eq(signal_map_apply(&m, SIGTERM), SIGQUIT);
	cr_expect_eq(signal_map_apply(&m, SIGUSR2), SIGUSR2);
	cr_expect(m.any);
}

Test(signal_map, errors)
{
	struct {
		const char *in, *why;
	} cases[] = {
		{ "HUP", "'HUP' is not FROM:TO (e.g. HUP:USR1, or WINCH:0 to drop it)" },
		{ "HUP:", "'HUP:' is not FROM:TO (e.g. HUP:USR1, or WINCH:0 to drop it)" },
		{ ":USR1", "':USR1' is not FROM:TO (e.g. HUP:USR1, or WINCH:0 to drop it)" },
		{ "NOPE:USR1", "unknown signal 'NOPE' (use e.g. SIGTERM, QUIT, 2)" },
		{ "HUP:NOPE", "unknown signal 'NOPE' (use e.g. SIGTERM, QUIT, 2, or 0 to drop it)" },
		{ "KILL:TERM", "SIGKILL is never forwarded: it cannot be rewritten" },
		{ "CHLD:0", "SIGCHLD is never forwarded: it cannot be rewritten" },
		{ "HUP:USR1 HUP:USR2", "SIGHUP is rewritten twice" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct signal_map m = { 0 };
		char err[256] = "";
		cr_expect_eq(parse_signal_map(cases[i].in, &m, err, sizeof(err)), -EINVAL, "%s", cases[i].in);
		cr_expect_str_eq(err, cases[i].why, "%s", cases[i].in);
	}
}

Test(success_exit, codes_and_signals)
{
	struct success_exit se = { 0 };
	char err[256];

	cr_expect_not(success_exit_match(&se, 0, 0), "nothing listed");
	cr_assert_eq(parse_success_exit("0 143 SIGHUP", &se, err, sizeof(err)), 0, "%s", err);
	cr_expect(success_exit_match(&se, 143, 0));
	cr_expect(success_exit_match(&se, 143, SIGTERM));
	cr_expect(success_exit_match(&se, 129, SIGHUP));
	cr_expect_not(success_exit_match(&se, 129, 0), "SIGHUP is a death by it, not exit 129");
	cr_expect_not(success_exit_match(&se, 1, 0));
	cr_expect_eq(parse_success_exit("256", &se, err, sizeof(err)), -EINVAL);
	cr_expect_str_eq(err, "'256' is not an exit code (0-255) or a signal name");
	cr_expect_eq(parse_success_exit("SIGNOPE", &se, err, sizeof(err)), -EINVAL);
	cr_expect_str_eq(err, "'SIGNOPE' is not an exit code (0-255) or a signal name");
	cr_expect_eq(parse_success_exit("  ", &se, err, sizeof(err)), -EINVAL);
	cr_expect_str_eq(err, "empty value: give exit codes (0-255) or signal names");
}

Test(parse, sizes)
{
	size_t v;

	cr_expect(parse_size("0", 100, &v) == 0 && v == 0);
	cr_expect(parse_size("64KiB", 1 << 20, &v) == 0 && v == 65536);
	cr_expect(parse_size("64K", 1 << 20, &v) == 0 && v == 65536);
	cr_expect(parse_size("1MiB", 1 << 20, &v) == 0 && v == 1048576);
	cr_expect(parse_size("2M", 1 << 20, &v) == -ERANGE);
	cr_expect(parse_size("12", 100, &v) == 0 && v == 12);
	cr_expect(parse_size("12kb", 1 << 20, &v) == -EINVAL);
	cr_expect(parse_size("-1", 100, &v) == -EINVAL);
	cr_expect(parse_size("", 100, &v) == -EINVAL);
	cr_expect(parse_size("99999999999999999999999", 100, &v) == -ERANGE);
}

Test(utf8, sequences)
{
	const unsigned char ok2[] = "\xc3\xa9", ok3[] = "\xe2\x82\xac", ok4[] = "\xf0\x9f\x98\x80";

	cr_expect_eq(utf8_seq_len((const unsigned char *)"a", 1), 1);
	cr_expect_eq(utf8_seq_len(ok2, 2), 2);
	cr_expect_eq(utf8_seq_len(ok3, 3), 3);
	cr_expect_eq(utf8_seq_len(ok4, 4), 4);
	cr_expect_eq(utf8_seq_len(ok3, 2), 0, "cut short");
	cr_expect_eq(utf8_seq_len((const unsigned char *)"\xff", 1), 0);
	cr_expect_eq(utf8_seq_len((const unsigned char *)"\xa9", 1), 0, "a stray continuation byte");
	cr_expect_eq(utf8_seq_len((const unsigned char *)"\xc0\xaf", 2), 0, "overlong");
	cr_expect_eq(utf8_seq_len((const unsigned char *)"\xe0\x80\xaf", 3), 0, "overlong");
	cr_expect_eq(utf8_seq_len((const unsigned char *)"\xed\xa0\x80", 3), 0, "a surrogate");
	cr_expect_eq(utf8_seq_len((const unsigned char *)"\xf4\x90\x80\x80", 4), 0, "past U+10FFFF");
	cr_expect_eq(utf8_seq_len((const unsigned char *)"\xc3(", 2), 0, "no continuation");
}
