/* shutdown.h: machine layer. The staged shutdown, an explicit state
 * machine over the stages of enum stage (supervisor.h). */
#ifndef DRAINIT_SHUTDOWN_H
#define DRAINIT_SHUTDOWN_H

#include "supervisor.h"

/* Feeds one event (from dispatch.c); events that do not concern the
 * shutdown are ignored. */
void shutdown_handle(struct supervisor *sup, const struct event *ev);

/* The exit code drainit ends with (valid in STAGE_EXITED). */
int shutdown_exit_code(const struct supervisor *sup);

#endif
