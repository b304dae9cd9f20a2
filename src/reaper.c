/* reaper.c: mechanism layer. On each SIGCHLD (read from drainit's
 * signalfd, signals.c) reaper_reap_all() reaps with waitpid(-1, WNOHANG)
 * until nothing is left to reap: every child that has ended is reaped in
 * the same wake-up, orphans reparented to drainit included (SIGCHLD is a
 * standard signal: many exits make one pending SIGCHLD). libev reaps
 * nothing: drainit's loop is not libev's default loop, the only one with
 * a child watcher. As PID 1 the kernel
 * reparents orphans to us; otherwise PR_SET_CHILD_SUBREAPER makes the
 * same true for our descendants. A reaped pid is looked up in the proc
 * table: a tracked proc's exit is posted as EVT_PROC_EXITED for the
 * machines to judge; any other pid is an orphan, counted and posted as
 * EVT_ORPHAN_REAPED. */
#include "reaper.h"

#include <errno.h>
#include <unistd.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "log.h"
#include "procstat.h"
#include "spawn.h"

void
reaper_setup(struct supervisor *sup)
{
	if (!sup->is_pid1) {
		if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
			log_warn("cannot become child subreaper: %s; orphans of services will not be reaped by drainit",
				 strerror(errno));
		else
			log_debug("running as child subreaper");
	}
}

void
reaper_reap_all(struct supervisor *sup)
{
	int wstatus;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &wstatus, WNOHANG);
		if (pid > 0) {
			reaper_on_exit(sup, pid, wstatus);
			continue;
		}
		if (pid < 0 && errno == EINTR)
			continue;
		return;	/* 0: the others still run; ECHILD: no child at all */
	}
}

void
reaper_on_exit(struct supervisor *sup, pid_t pid, int wstatus)
{
	struct proc *p = proc_find(sup, pid);

	if (!p) {
		sup->orphans_reaped++;
		log_debug("reaped orphan pid %d", (int)pid);
		sup_post(sup, &(struct event){ .kind = EVT_ORPHAN_REAPED, .pid = pid,
					       .wstatus = wstatus });
		return;
	}
	/* The status pipe is readable now (the child is gone): read it
	 * first so a failed exec is never mistaken for "exited 127". */
	proc_collect_status(sup, p);
	proc_untrack(sup, p);
	sup_post(sup, &(struct event){ .kind = EVT_PROC_EXITED, .proc = p, .wstatus = wstatus });
}

pid_t
reaper_parent_of(pid_t pid)
{
	struct procstat st;

	return procstat_read(pid, &st) ? st.ppid : -1;
}
