/* Unit tests: durations, signals, argv splitting, edit distance. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>

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

Test(duration, rejected_forms)
{
	const char *bad[] = { "", " ", "s", "-5s", "5x", "1.5s", "1m30", "5 s", "ms5", "5sec", "abc" };
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
