/* reaper.h: mechanism layer. Reaps every child (services, hooks, checks,
 * orphans) and posts what it reaped. */
#ifndef DRAINIT_REAPER_H
#define DRAINIT_REAPER_H

#include "supervisor.h"

/* Becomes child subreaper unless PID 1, starts the ev_child watcher. */
void reaper_setup(struct supervisor *sup, ev_child *w);

/* A process ended (the ev_child callback calls this; unit tests too):
 * EVT_PROC_EXITED for a tracked proc (after its exec result), else
 * EVT_ORPHAN_REAPED. */
void reaper_on_exit(struct supervisor *sup, pid_t pid, int wstatus);

/* The parent of pid, from /proc/PID/stat; -1 when it is gone. Used to
 * check that a pid named by someone else (a pid file, MAINPID=) is ours. */
pid_t reaper_parent_of(pid_t pid);

#endif
