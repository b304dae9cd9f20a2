/* dispatch.h: assembly layer. The one dispatch function of the event
 * path: every event any mechanism posts arrives here. */
#ifndef DRAINIT_DISPATCH_H
#define DRAINIT_DISPATCH_H

#include "supervisor.h"

/* An event_handler (ctx is the struct supervisor). */
void dispatch_event(void *ctx, const struct event *ev);

#endif
