/* signals.h: mechanism layer. drainit's signal intake. */
#ifndef DRAINIT_SIGNALS_H
#define DRAINIT_SIGNALS_H

#include "supervisor.h"

/* Signals forwarded to every service's process group, as data. */
extern const int forwarded_signals[];
extern const size_t n_forwarded_signals;

/* Starts one ev_signal per handled signal; ws must hold signals_count().
 * Each signal received is posted as EVT_SIGNAL. */
size_t signals_count(void);
void signals_setup(struct supervisor *sup, ev_signal *ws);

#endif
