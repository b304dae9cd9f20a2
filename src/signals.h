/* signals.h: mechanism layer. drainit's signal intake. */
#ifndef DRAINIT_SIGNALS_H
#define DRAINIT_SIGNALS_H

#include "supervisor.h"

/* Blocks every signal signals_setup reads, first thing: one that comes
 * while drainit reads its configuration stays pending for the signalfd
 * (as PID 1 the kernel would drop it, not being handled). */
void signals_block(void);
/* Blocks every catchable signal and reads them from a signalfd watched
 * by w; SIGCHLD reaps (reaper_reap_all), each other signal another
 * process sent is posted as EVT_SIGNAL. 0 or -errno. */
int signals_setup(struct supervisor *sup, ev_io *w);
void signals_free(struct supervisor *sup, ev_io *w);

/* The signals that are faults when the kernel raises them in drainit
 * (SIGSEGV, SIGBUS, SIGXCPU, ...). */
bool signal_is_fault(int sig);

/* --pdeath-signal: PR_SET_PDEATHSIG to sig, unless PID 1; when parent
 * (drainit's parent at start) is gone already, posts sig at once. */
void signals_pdeath(struct supervisor *sup, int sig, pid_t parent);

#endif
