/* procstat.h: pure layer (it reads a /proc file). One process's state
 * letter, parent and process group, from /proc/PID/stat. */
#ifndef DRAINIT_PROCSTAT_H
#define DRAINIT_PROCSTAT_H

#include <stdbool.h>
#include <sys/types.h>

struct procstat {
	char state;		/* R, S, D, Z, T, ... */
	pid_t ppid;
	pid_t pgrp;
};

/* false when pid is gone (or its stat cannot be read). */
bool procstat_read(pid_t pid, struct procstat *ret);

#endif
