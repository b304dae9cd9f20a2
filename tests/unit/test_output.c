/* Unit tests: service output in prefix mode, driven through real
 * pipes with a fake spawn: the "service" is the test writing into the
 * pipe's other end, drainit's stdout is a pipe the test reads. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "dispatch.h"
#include "lifecycle.h"
#include "log.h"
#include "output.h"
#include "runtime.h"
#include "spawn.h"
#include "supervisor.h"

static int writers[8][3];	/* per service: dup of the child's stdout/stderr ends */
static int nstarted;
static pid_t next_pid = 100;
static int capture = -1;	/* read end of drainit's stdout */

static int
fake_kill(pid_t pid, int sig)
{
	(void)pid;
	if (sig == 0) {
		errno = ESRCH;
		return -1;
	}
	return 0;
}

static int
fake_spawn(struct supervisor *sup, struct proc *p, const struct spawn_req *req)
{
	(void)sup;
	for (int i = 1; i < 3; i++)
		writers[nstarted][i] = req->opts && req->opts->stdio[i] >= 0 ? dup(req->opts->stdio[i]) : -1;
	nstarted++;
	p->pid = next_pid++;
	p->status_fd = -1;
	return 0;
}

static msec_t
fake_clock(void)
{
	return 1000;
}

static pid_t
fake_self(pid_t pid)
{
	return pid;
}

static int
fake_children(pid_t *buf, int max)
{
	(void)buf;
	(void)max;
	return 0;
}

static bool
fake_has_children(void)
{
	return false;
}

static int
fake_drain(struct supervisor *s, struct drain_sample *out)
{
	(void)s;
	memset(out, 0, sizeof(*out));
	return 0;
}

static const struct sys_ops fake_ops = { .drain_sample = fake_drain, .kill = fake_kill, .spawn = fake_spawn, .now = fake_clock,
					 .getpgid = fake_self, .getsid = fake_self, .parent_of = fake_self,
					 .children = fake_children, .has_children = fake_has_children };
static int flushed;	/* EVT_OUTPUT_FLUSHED seen */

static void
record_event(void *ctx, const struct event *ev)
{
	if (ev->kind == EVT_OUTPUT_FLUSHED)
		flushed++;
	else
		dispatch_event(ctx, ev);
}
static struct config cfg;
static struct supervisor sup;
static struct ev_loop *loop;

static void
setup(const char *ini)
{
	char path[] = "/tmp/drainit-out-XXXXXX";
	struct config_errors errs = { 0 };
	int fd = mkstemp(path), cap[2];
	FILE *f = fdopen(fd, "w");

	fputs(ini, f);
	fclose(f);
	config_init(&cfg);
	cr_assert_eq(config_load(path, &cfg, &errs), 0, "%s", errs.n ? errs.msgs[0] : "");
	unlink(path);
	log_min_level = LOG_ERROR + 1;
	cr_assert_eq(pipe(cap), 0);
	cr_assert_eq(dup2(cap[1], STDOUT_FILENO), STDOUT_FILENO);
	close(cap[1]);
	capture = cap[0];
	fcntl(capture, F_SETFL, O_NONBLOCK);
	loop = ev_loop_new(EVFLAG_AUTO);
	cr_assert_eq(runtime_init(&sup, loop, &cfg, &fake_ops), 0);
	sup.on_event = record_event;
	flushed = 0;
	lifecycle_start_all(&sup);
	cr_assert_eq(nstarted, (int)cfg.nsvcs);
}

static void
spin(void)
{
	for (int i = 0; i < 50; i++)
		ev_run(loop, EVRUN_NOWAIT);
}

/* Everything written to drainit's stdout so far. */
static char *
captured(void)
{
	static char buf[1 << 17];
	static size_t len;
	ssize_t n;

	spin();
	while ((n = read(capture, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	return buf;
}

static void
put(int svc, const char *s)
{
	cr_assert_eq(write(writers[svc][1], s, strlen(s)), (ssize_t)strlen(s));
}

TestSuite(output);

Test(output, lines_are_prefixed_and_partial_lines_held)
{
	setup("[service:a]\ncommand = a\n[service:bb]\ncommand = b\n");
	put(0, "abc");
	cr_expect_str_eq(captured(), "", "a partial line was written");
	put(0, "def\nxy");
	put(1, "one\ntwo\n");
	char *out = captured();
	cr_expect(strstr(out, "a  | abcdef\n"), "%s", out);
	cr_expect(strstr(out, "bb | one\nbb | two\n"), "%s", out);
	cr_expect_null(strstr(out, "xy"), "the held partial line leaked");
	close(writers[0][1]);	/* the service ends: its last line gets a newline */
	out = captured();
	cr_expect(strstr(out, "a  | xy\n"), "%s", out);
}

Test(output, long_lines_are_split_never_dropped)
{
	static char big[OUTPUT_LINE_MAX * 2 + 101];

	setup("[service:a]\ncommand = a\nstdout = prefix\n");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 2] = '\n';
	put(0, big);
	close(writers[0][1]);
	char *out = captured(), *nl1 = strchr(out, '\n');
	cr_assert_not_null(nl1);
	cr_expect_eq(nl1 - out, (long)strlen("a | ") + OUTPUT_LINE_MAX);
	char *nl2 = strchr(nl1 + 1, '\n');
	cr_assert_not_null(nl2);
	cr_expect_eq(nl2 - nl1 - 1, (long)strlen("a | ") + OUTPUT_LINE_MAX);
	/* the rest: 2 * OUTPUT_LINE_MAX + 99 bytes in all, none lost */
	cr_expect_eq(strlen(nl2 + 1), strlen("a | ") + 99 + 1);
	cr_expect_eq(strspn(nl2 + 1 + strlen("a | "), "x"), 99);
}

Test(output, a_line_of_exactly_the_limit_stays_whole)
{
	static char big[OUTPUT_LINE_MAX + 2];

	setup("[service:a]\ncommand = a\nstdout = prefix\n");
	memset(big, 'y', OUTPUT_LINE_MAX);
	big[OUTPUT_LINE_MAX] = '\n';
	put(0, big);
	char *out = captured();
	cr_expect_eq(strlen(out), strlen("a | ") + OUTPUT_LINE_MAX + 1);
	cr_expect_eq(strchr(out, '\n') - out, (long)(strlen("a | ") + OUTPUT_LINE_MAX));
}

Test(output, exit_flushes_what_is_left)
{
	setup("[service:a]\ncommand = a\n[service:b]\ncommand = b\n");
	put(0, "last\nwords");
	put(1, "held by a descendant, no newline");
	close(writers[0][1]);
	/* writers[1][1] stays open, as if a leftover child held the pipe */
	output_exit_begin(&sup);
	cr_expect_eq(flushed, 1, "exit waited for a pipe a descendant holds");
	char *out = captured();
	cr_expect(strstr(out, "a | last\na | words\n"), "%s", out);
	cr_expect(strstr(out, "b | held by a descendant, no newline\n"), "%s", out);
}
