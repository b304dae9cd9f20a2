/* signals.h: drainit's signal intake: shutdown signals and forwarding. */
#ifndef DRAINIT_SIGNALS_H
#define DRAINIT_SIGNALS_H

#include "supervisor.h"

/* Signals forwarded to every service's process group, as data. */
extern const int forwarded_signals[];
extern const size_t n_forwarded_signals;

/* Starts one ev_signal per handled signal; ws must hold signals_count(). */
size_t signals_count(void);
void signals_setup(struct supervisor *sup, ev_signal *ws);

#endif
