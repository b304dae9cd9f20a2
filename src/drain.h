/* drain.h: mechanism layer. What the services' sockets look like during
 * the prestop stage, asked of the kernel (sockdiag.c): how many listening
 * sockets they hold, how many connections were accepted on them, which of
 * those have a request in flight, and which are new since the last look. */
#ifndef DRAINIT_DRAIN_H
#define DRAINIT_DRAIN_H

#include "supervisor.h"

#define DRAIN_POLL_MS 100	/* how often, during prestop only */

/* The real sys_ops.drain_sample. A connection is in flight when bytes
 * wait in its receive or send queue, or data came in after the last data
 * went out; an idle keep-alive connection is not. */
int drain_sample(struct supervisor *sup, struct drain_sample *out);
void drain_free(struct supervisor *sup);

#endif
