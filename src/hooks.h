/* hooks.h: mechanism layer. Drain hooks: started together, each in its
 * own process group, each with its drain_timeout timer. */
#ifndef DRAINIT_HOOKS_H
#define DRAINIT_HOOKS_H

#include "supervisor.h"

/* Starts every hook; returns how many are running. A hook's timer posts
 * EVT_HOOK_TIMEOUT at its drain_timeout. */
size_t hooks_start_all(struct supervisor *sup);
/* Starts the hooks of one service (drainit ctl stop); how many run. */
size_t hooks_start_service(struct supervisor *sup, struct service *svc);
/* SIGKILLs one running hook's process group; why is logged. */
void hook_kill(struct supervisor *sup, struct hook *h, const char *why);
/* A hook's process was reaped: bookkeeping and its log line. */
void hook_on_exit(struct supervisor *sup, struct hook *h, int wstatus);
/* Its exec failed: the log line. */
void hook_on_exec(struct supervisor *sup, struct hook *h);

#endif
