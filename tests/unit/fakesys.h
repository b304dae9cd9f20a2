/* fakesys.h: the fake syscall seam shared by the unit tests of the two
 * machines and the probe report. No process is forked, no signal sent,
 * no clock read; the loop never runs. Events go through the real event
 * path (runtime_init wires dispatch.c), posted by the helpers below the
 * way the mechanisms post them. Include once per test executable. */
#ifndef DRAINIT_TEST_FAKESYS_H
#define DRAINIT_TEST_FAKESYS_H

#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "lifecycle.h"
#include "log.h"
#include "reaper.h"
#include "runtime.h"
#include "shutdown.h"
#include "supervisor.h"

#define EXITED(code) W_EXITCODE(code, 0)
#define SIGNALED(sig) (sig)

#define MAXK 64
static struct {
	pid_t pid;
	int sig;
} kills[MAXK];
static int nkills, nspawned;
static pid_t next_pid, last_kill_pid;
static int last_kill_sig;
static msec_t fake_now;
/* What fake getpgid answers: 0 = the pid itself (a group leader). */
static pid_t fake_pgid_of_all;
/* Whether kill(-pgid, 0) finds members (a group outliving its leader). */
static bool fake_group_alive;
/* Whether a signal to a group finds no one (ESRCH): its last members were
 * reaped by their own parent, unseen. */
static bool fake_group_empty;
/* drainit's children as fake children/has_children report them. */
static pid_t fake_kids[8];
static int nfake_kids;

static __attribute__((unused)) int
fake_kill(pid_t pid, int sig)
{
	if (sig == 0) {	/* a probe, not a signal */
		errno = ESRCH;
		return fake_group_alive ? 0 : -1;
	}
	if (nkills < MAXK) {
		kills[nkills].pid = pid;
		kills[nkills].sig = sig;
	}
	nkills++;
	last_kill_pid = pid;
	last_kill_sig = sig;
	if (pid < 0 && fake_group_empty) {
		errno = ESRCH;
		return -1;
	}
	return 0;
}

static __attribute__((unused)) int
fake_spawn(struct supervisor *s, struct proc *p, const struct spawn_req *req)
{
	(void)s;
	(void)req;
	nspawned++;
	p->pid = next_pid++;
	p->status_fd = -1;	/* the exec result comes from exec_ok() */
	return 0;
}

static __attribute__((unused)) msec_t
fake_clock(void)
{
	return fake_now;
}

static __attribute__((unused)) pid_t
fake_getpgid(pid_t pid)
{
	return fake_pgid_of_all ? fake_pgid_of_all : pid;
}

static __attribute__((unused)) pid_t
fake_parent_of(pid_t pid)
{
	(void)pid;
	return getpid();	/* every pid is drainit's child */
}

static int
fake_children(pid_t *buf, int max)
{
	for (int i = 0; i < nfake_kids && i < max; i++)
		buf[i] = fake_kids[i];
	return nfake_kids;
}

static bool
fake_has_children(void)
{
	return nfake_kids > 0;
}

/* What the fake drain_sample reports: the services' sockets. */
static struct drain_sample fake_drain = { .ok = true };

static int
fake_drain_sample(struct supervisor *s, struct drain_sample *out)
{
	(void)s;
	*out = fake_drain;
	return 0;
}

static const struct sys_ops fake_ops = {
	.kill = fake_kill, .spawn = fake_spawn, .now = fake_clock,
	.getpgid = fake_getpgid, .getsid = fake_getpgid, .parent_of = fake_parent_of,
	.children = fake_children, .has_children = fake_has_children,
	.drain_sample = fake_drain_sample,
};

static struct config cfg;
static struct supervisor sup;
static struct ev_loop *loop;

/* Loads ini as a config file and builds the runtime on the fake seam. */
static __attribute__((unused)) void
fake_setup(const char *ini)
{
	char path[] = "/tmp/drainit-unit-XXXXXX";
	struct config_errors errs = { 0 };
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs(ini, f);
	fclose(f);
	config_init(&cfg);
	cr_assert_eq(config_load(path, &cfg, &errs), 0, "%s", errs.n ? errs.msgs[0] : "");
	unlink(path);
	log_min_level = LOG_ERROR + 1;	/* keep the test output quiet */
	nkills = nspawned = 0;
	last_kill_pid = 0;
	last_kill_sig = 0;
	next_pid = 100;
	fake_now = 1000;
	fake_pgid_of_all = 0;
	fake_group_alive = false;
	fake_group_empty = false;
	nfake_kids = 0;
	memset(&fake_drain, 0, sizeof(fake_drain));
	fake_drain.ok = true;
	loop = ev_loop_new(EVFLAG_AUTO);
	cr_assert_eq(runtime_init(&sup, loop, &cfg, &fake_ops), 0);
}

static __attribute__((unused)) void
fake_teardown(void)
{
	runtime_free(&sup);
	config_free(&cfg);
	ev_loop_destroy(loop);
}

static __attribute__((unused)) bool
killed(pid_t pid, int sig)
{
	for (int i = 0; i < nkills && i < MAXK; i++)
		if (kills[i].pid == pid && kills[i].sig == sig)
			return true;
	return false;
}

static __attribute__((unused)) void
post(enum event_kind kind, struct service *svc)
{
	sup_post(&sup, &(struct event){ .kind = kind, .svc = svc });
}

/* drainit receives sig. */
static __attribute__((unused)) void
post_signal(int sig)
{
	sup_post(&sup, &(struct event){ .kind = EVT_SIGNAL, .sig = sig });
}

/* The exec-status pipe of p said "exec succeeded" (or what p says). */
static __attribute__((unused)) void
exec_ok(struct proc *p)
{
	sup_post(&sup, &(struct event){ .kind = EVT_PROC_EXEC, .proc = p });
}

/* Every started service's exec "succeeds" (may start dependents in turn). */
static __attribute__((unused)) void
exec_all(void)
{
	bool again = true;
	while (again) {
		again = false;
		for (size_t i = 0; i < sup.nsvcs; i++)
			if (sup.svcs[i]->state == SVC_STARTING && !sup.svcs[i]->launching) {
				exec_ok(&sup.svcs[i]->proc);
				again = true;
			}
	}
}

/* A one-shot timer expires: libev stops it, then calls back. */
static __attribute__((unused)) void
fire(ev_timer *t)
{
	ev_timer_stop(loop, t);
	ev_invoke(loop, t, EV_TIMER);
}

#endif
