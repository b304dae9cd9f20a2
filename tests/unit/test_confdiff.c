/* Unit tests: reload_diff, what a configuration reload changes. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "confdiff.h"

static struct config a, b;
static struct reload_diff d;

static void
load(struct config *c, const char *text)
{
	char path[64];
	struct config_errors errs = { 0 };
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/drainit-unit-XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	config_init(c);
	cr_assert_eq(config_load(path, c, &errs), 0, "%s", errs.n ? errs.msgs[0] : "");
	unlink(path);
	config_errors_free(&errs);
}

static void
teardown(void)
{
	reload_diff_free(&d);
	config_free(&a);
	config_free(&b);
}

static const struct diff_entry *
entry(const char *name)
{
	for (size_t i = 0; i < d.n; i++)
		if (strcmp(d.v[i].name, name) == 0)
			return &d.v[i];
	cr_assert_fail("no entry for %s", name);
	return NULL;
}

TestSuite(confdiff, .fini = teardown);

Test(confdiff, added_removed_changed_kept)
{
	load(&a, "[service:keep]\ncommand = /bin/sleep 1\n"
		 "[service:change]\ncommand = /bin/sleep 2\n"
		 "[service:gone]\ncommand = /bin/sleep 3\n");
	load(&b, "; moved around: line numbers do not count\n\n"
		 "[service:new]\ncommand = /bin/sleep 4\n"
		 "[service:change]\ncommand = /bin/sleep 22\n"
		 "[service:keep]\ncommand = /bin/sleep 1\n");
	cr_assert_eq(reload_diff(&a, &b, &d), 0);
	cr_expect_eq(d.added, 1);
	cr_expect_eq(d.removed, 1);
	cr_expect_eq(d.changed, 1);
	cr_expect_eq(d.kept, 1);
	cr_assert_eq(d.n, 4);
	/* new file order, then what was removed */
	cr_expect_str_eq(d.v[0].name, "new");
	cr_expect_str_eq(d.v[1].name, "change");
	cr_expect_str_eq(d.v[2].name, "keep");
	cr_expect_str_eq(d.v[3].name, "gone");
	cr_expect_eq(entry("new")->kind, DIFF_ADDED);
	cr_expect_null(entry("new")->old);
	cr_expect_eq(entry("gone")->kind, DIFF_REMOVED);
	cr_expect_null(entry("gone")->new);
	cr_expect_eq(entry("change")->kind, DIFF_CHANGED);
	cr_expect_str_eq(entry("change")->key, "command");
	cr_expect_eq(entry("keep")->kind, DIFF_KEPT);
	cr_expect_eq(entry("keep")->new, &b.svcs[2]);
	cr_expect_eq(entry("keep")->old, &a.svcs[0]);
	cr_expect_eq(d.nfixed, 0);
}

/* One service s (beside o) with one setting before and after, diffed. */
static void
diff_one(const char *before, const char *after)
{
	char t1[512], t2[512];

	snprintf(t1, sizeof(t1), "[service:s]\ncommand = /bin/true\n%s\n[service:o]\ncommand = /bin/true\n", before);
	snprintf(t2, sizeof(t2), "[service:s]\ncommand = /bin/true\n%s\n[service:o]\ncommand = /bin/true\n", after);
	load(&a, t1);
	load(&b, t2);
	cr_assert_eq(reload_diff(&a, &b, &d), 0);
}

/* One setting at a time: the key that is reported (NULL: none). */
static void
expect_change(const char *before, const char *after, const char *key)
{
	diff_one(before, after);
	if (!key) {
		cr_expect_eq(entry("s")->kind, DIFF_KEPT, "%s -> %s: %s", before, after,
			     entry("s")->key ? entry("s")->key : "");
	} else {
		cr_expect_eq(entry("s")->kind, DIFF_CHANGED, "%s -> %s", before, after);
		cr_expect_str_eq(entry("s")->key ? entry("s")->key : "(none)", key);
	}
	cr_expect_eq(entry("o")->kind, DIFF_KEPT);
	teardown();
}

/* A setting the running service takes without a restart: kept, the key named. */
static void
expect_update(const char *before, const char *after, const char *key)
{
	diff_one(before, after);
	cr_expect_eq(entry("s")->kind, DIFF_KEPT, "%s -> %s: %s", before, after,
		     entry("s")->key ? entry("s")->key : "");
	cr_expect_str_eq(entry("s")->key ? entry("s")->key : "(none)", key);
	cr_expect_eq(d.updated, 1);
	cr_expect_not(d.services_same, "an update is not 'nothing changed'");
	teardown();
}

Test(confdiff, each_setting)
{
	expect_change("", "", NULL);
	expect_change("stop_signal = TERM", "stop_signal = SIGTERM", NULL);	/* same signal */
	expect_change("grace_period = 10s", "", NULL);	/* the default */
	expect_change("", "stop_signal = QUIT", "stop_signal");
	expect_update("", "grace_period = 1.5s", "grace_period");
	expect_update("", "restart_delay = 1s", "restart_delay");
	expect_update("", "start_timeout = 3s", "start_timeout");
	expect_change("", "restart_limit = 2/10s", "restart_limit");
	expect_change("", "env = A=1", "env");
	expect_change("env = A=1", "env = A=2", "env");
	expect_change("", "user = nobody", "user");
	expect_change("", "limit_nofile = 1024", "limit_nofile");
	expect_change("", "ready = tcp:127.0.0.1:1", "ready");
	expect_change("", "drain = /bin/true", "drain");
	expect_update("drain = /bin/true", "drain = /bin/true\ndrain_timeout = 1s", "drain_timeout");
	expect_change("", "restart = always", "restart");
	expect_update("", "after = o", "after");
	expect_change("", "after = o\nstop_signal = QUIT", "stop_signal");	/* one needs a restart */
	expect_change("", "stdout = null", "stdout");
	expect_change("", "forward_signals = HUP", "forward_signals");
	expect_change("forward_signals = HUP USR1", "forward_signals = USR1,HUP", NULL);
	expect_change("", "runtime_directory = s", "runtime_directory");
	expect_change("", "directory = /tmp", "directory");
	expect_update("", "success_exit = 3", "success_exit");
	expect_change("", "signal_map = HUP:USR1", "signal_map");
	expect_change("", "log_buffer = 0", "log_buffer");
}

Test(confdiff, a_global_default_a_service_inherits_changes_it)
{
	load(&a, "[service:s]\ncommand = /bin/true\n");
	load(&b, "[drainit]\ngrace_period = 3s\n[service:s]\ncommand = /bin/true\n");
	cr_assert_eq(reload_diff(&a, &b, &d), 0);
	cr_expect_eq(entry("s")->kind, DIFF_KEPT, "taken without a restart");
	cr_expect_str_eq(entry("s")->key, "grace_period");
}

Test(confdiff, output_left_to_its_default_does_not_follow_the_service_count)
{
	/* one service inherits, two are prefixed: the kept one is not restarted */
	load(&a, "[service:s]\ncommand = /bin/true\n");
	load(&b, "[service:s]\ncommand = /bin/true\n[service:n]\ncommand = /bin/true\n");
	cr_assert_eq(reload_diff(&a, &b, &d), 0);
	cr_expect_eq(entry("s")->kind, DIFF_KEPT);
	cr_expect_null(entry("s")->key);
	teardown();
	/* set in the file: a change of the output is a change */
	load(&a, "[service:s]\ncommand = /bin/true\nstdout = inherit\n");
	load(&b, "[service:s]\ncommand = /bin/true\nstdout = prefix\n");
	cr_assert_eq(reload_diff(&a, &b, &d), 0);
	cr_expect_eq(entry("s")->kind, DIFF_CHANGED);
	cr_expect_str_eq(entry("s")->key, "stdout");
}

Test(confdiff, startup_settings_are_listed)
{
	load(&a, "[drainit]\nprestop_delay = 1s\n[service:s]\ncommand = /bin/true\n");
	load(&b, "[drainit]\nprobe_listen = :9412\ncontrol_socket = /tmp/x.sock\nlog_format = json\n"
		 "log_level = warn\nprestop_delay = 2s\n[service:s]\ncommand = /bin/true\n");
	cr_assert_eq(reload_diff(&a, &b, &d), 0);
	cr_assert_eq(d.nfixed, 4);
	cr_expect_str_eq(d.fixed[0], "probe_listen");
	cr_expect_str_eq(d.fixed[1], "control_socket");
	cr_expect_str_eq(d.fixed[2], "log_format");
	cr_expect_str_eq(d.fixed[3], "log_level");
	cr_expect_eq(d.kept, 1);	/* prestop_delay applies at once: no service changes */
}

Test(confdiff, unchanged_services_and_globals)
{
	static const char *const base = "[drainit]\nprestop_delay = 1s\ndrain = /bin/true\n"
					"[service:a]\ncommand = /bin/sleep 1\n"
					"[service:b]\ncommand = /bin/sleep 2\n";

	load(&a, base);
	load(&b, "; a comment: line numbers do not count\n"
		 "[drainit]\nprestop_delay = 1000ms\ndrain = /bin/true\n"
		 "[service:a]\ncommand = /bin/sleep 1\n"
		 "[service:b]\ncommand = /bin/sleep 2\n");
	cr_assert_eq(reload_diff(&a, &b, &d), 0);
	cr_assert(d.services_same);
	cr_assert_null(config_globals_differ(&a, &b));
	reload_diff_free(&d);
	config_free(&b);

	/* the same services in another order */
	load(&b, "[drainit]\nprestop_delay = 1s\ndrain = /bin/true\n"
		 "[service:b]\ncommand = /bin/sleep 2\n"
		 "[service:a]\ncommand = /bin/sleep 1\n");
	cr_assert_eq(reload_diff(&a, &b, &d), 0);
	cr_assert_not(d.services_same);
	reload_diff_free(&d);
	config_free(&b);

	/* each global that a reload applies */
	static const struct {
		const char *text, *key;
	} globals[] = {
		{ "prestop_delay = 2s\ndrain = /bin/true\n", "prestop_delay" },
		{ "prestop_delay = 1s\ndrain = /bin/false\n", "drain" },
		{ "prestop_delay = 1s\ndrain = /bin/true\ndrain_timeout = 3s\n", "drain_timeout" },
		{ "prestop_delay = 1s\ndrain = /bin/true\nmain = b\n", "main" },
		{ "prestop_delay = 1s\ndrain = /bin/true\nsighup = reload\n", "sighup" },
		{ "prestop_delay = 1s\ndrain = /bin/true\nlog_timestamps = yes\n", "log_timestamps" },
		{ "prestop_delay = 1s\ndrain = /bin/true\nprestop_token = s3cret\n", "prestop_token" },
	};
	for (size_t i = 0; i < sizeof(globals) / sizeof(globals[0]); i++) {
		char text[512];

		snprintf(text, sizeof(text), "[drainit]\n%s[service:a]\ncommand = /bin/sleep 1\n"
			 "[service:b]\ncommand = /bin/sleep 2\n", globals[i].text);
		load(&b, text);
		cr_assert_str_eq(config_globals_differ(&a, &b), globals[i].key, "%s", globals[i].text);
		config_free(&b);
	}
	config_init(&b);
}
