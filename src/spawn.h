/* spawn.h: mechanism layer. The only place that forks. */
#ifndef DRAINIT_SPAWN_H
#define DRAINIT_SPAWN_H

#include "procset.h"
#include "supervisor.h"

/* What a process is started with. */
struct spawn_req {
	char *const *argv;
	const char *dir;	/* NULL: the directory drainit was started in */
	char *const *envp;	/* NULL: drainit's environment */
	const struct spawn_opts *opts;	/* NULL: as drainit */
	bool foreground;	/* take the terminal on fd 0, if it is one */
	bool dir_default;	/* dir is drainit's start directory, not asked for:
				 * a child that may not enter it starts in / */
};

/* Starts req as p through sup->sys->spawn and tracks p in the proc
 * table. 0 or -errno (nothing is left running then). */
int spawn_start(struct supervisor *sup, struct proc *p, const struct spawn_req *req);

/* The real sys_ops.spawn: fork, new process group, signals reset, only
 * fds 0-2 left, chdir, exec. Failures after fork come back through a
 * close-on-exec pipe watched by an ev_io; its answer is posted as
 * EVT_PROC_EXEC. */
int spawn_proc(struct supervisor *sup, struct proc *p, const struct spawn_req *req);

/* Reads the exec-status pipe if still open (never blocks once the child
 * has exited) and posts EVT_PROC_EXEC. Safe to call twice. */
void proc_collect_status(struct supervisor *sup, struct proc *p);

/* Marks every inherited fd >= 3 close-on-exec (drainit's parent may have
 * leaked some to us; the services must not see them). */
void fds_cloexec_inherited(void);

#endif
