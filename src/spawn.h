/* spawn.h: the only place that forks. */
#ifndef DRAINIT_SPAWN_H
#define DRAINIT_SPAWN_H

#include "supervisor.h"

/* The real sys_ops.spawn: fork, new process group, signals reset, only
 * fds 0-2 left, chdir, exec. Failures after fork come back through a
 * close-on-exec pipe watched by an ev_io (see proc_status_cb). */
int spawn_proc(struct supervisor *sup, struct proc *p, const struct spawn_req *req);

/* Reads the exec-status pipe if still open (never blocks once the child
 * has exited), then tells the owner. Safe to call twice. */
void proc_collect_status(struct supervisor *sup, struct proc *p);

/* Marks every inherited fd >= 3 close-on-exec (drainit's parent may have
 * leaked some to us; the services must not see them). */
void fds_cloexec_inherited(void);

#endif
