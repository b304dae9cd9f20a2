/* reload.h: assembly layer. drainit ctl reload-config (and SIGHUP with
 * [drainit] sighup = reload): the configuration file is read again and
 * only what changed is applied. */
#ifndef DRAINIT_RELOAD_H
#define DRAINIT_RELOAD_H

#include "supervisor.h"

/* Reads sup->cfg->path again. A file with errors changes nothing: the
 * errors are logged and are the answer (reply may be NULL). Otherwise
 * added services start, removed ones get their staged stop, changed ones
 * are stopped the same way and start again with their new settings, and
 * the others are left alone. */
void reload_config(struct supervisor *sup, struct ctl_result *reply);

/* Drops the removed services whose last run is over from sup->svcs.
 * Called after every event (cheap when none is left). */
void reload_sweep(struct supervisor *sup);
/* Frees the services, hooks, checks and configurations reloads replaced,
 * once no event waits and nothing of them runs; what still runs stays
 * for a later call (after each event). */
void reload_reclaim(struct supervisor *sup);

#endif
