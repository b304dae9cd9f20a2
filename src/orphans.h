/* orphans.h: mechanism layer. The processes drainit adopted: its children
 * that are none of its tracked procs (daemonised or setsid'ed descendants
 * of services and hooks, reparented to drainit as PID 1 or subreaper). */
#ifndef DRAINIT_ORPHANS_H
#define DRAINIT_ORPHANS_H

#include "supervisor.h"

/* Sends sig to every adopted child not yet sent one since
 * orphans_forget(): its process group when it leads one, else the pid.
 * The pids signalled go into list ("12 13", cut to len). Returns how many
 * were signalled now. As PID 1 with a /proc that is not this namespace's,

 * kill(-1, sig) instead (1 when it reached anyone; *everyone true). */
size_t orphans_signal(struct supervisor *sup, int sig, char *list, size_t len, bool *everyone);
void orphans_forget(struct supervisor *sup);
/* How many adopted children there are now (as orphans_signal counts
 * them); 1 when they cannot be listed but drainit, as PID 1, has some. */
size_t orphans_count(struct supervisor *sup);

/* "pid 12 (sleeping), pid 13 (disk sleep)": drainit's children, tracked or
 * not, with their state, for the log line of a shutdown that gives up. */
void orphans_describe(struct supervisor *sup, char *buf, size_t len);

/* The real sys_ops.children and .has_children. */
int orphans_children(pid_t *buf, int max);
bool orphans_has_children(void);

#endif
