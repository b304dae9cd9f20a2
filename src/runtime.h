/* runtime.h: assembly layer. Builds the runtime from a config (the model,
 * then each mechanism) and wires the event path to dispatch.c. */
#ifndef DRAINIT_RUNTIME_H
#define DRAINIT_RUNTIME_H

#include "supervisor.h"

/* sys NULL: the real syscalls. 0 or -ENOMEM. Starts no service and no
 * listening socket (main does, in its order). */
int runtime_init(struct supervisor *sup, struct ev_loop *loop, struct config *cfg,
		 const struct sys_ops *sys);
void runtime_free(struct supervisor *sup);

#endif
