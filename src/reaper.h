/* reaper.h: mechanism layer. Reaps every child (services, hooks, checks,
 * orphans) and posts what it reaped. */
#ifndef DRAINIT_REAPER_H
#define DRAINIT_REAPER_H

#include "supervisor.h"

/* Becomes child subreaper unless PID 1. */
void reaper_setup(struct supervisor *sup);

/* SIGCHLD came: reaps every child that has ended, until waitpid(-1,
 * WNOHANG) finds none, each through reaper_on_exit(). */
void reaper_reap_all(struct supervisor *sup);

/* A process ended (reaper_reap_all calls this; unit tests too):
 * EVT_PROC_EXITED for a tracked proc (after its exec result), else
 * EVT_ORPHAN_REAPED. */
void reaper_on_exit(struct supervisor *sup, pid_t pid, int wstatus);

/* The parent of pid, from /proc/PID/stat; -1 when it is gone. Used to
 * check that a pid named by someone else (a pid file, MAINPID=) is ours. */
pid_t reaper_parent_of(pid_t pid);

#endif
