/* watchers.h: mechanism layer. The timers and file watches the model
 * holds (grace, restart, start_timeout, pid file, prestop,
 * shutdown_timeout): each posts one event when it fires. The machines
 * arm and stop them; this file only gives them their callbacks. */
#ifndef DRAINIT_WATCHERS_H
#define DRAINIT_WATCHERS_H

#include "supervisor.h"

/* Gives every timer and watch of the model its callback (none started). */
void watchers_init(struct supervisor *sup);
void watchers_init_service(struct service *svc);	/* one service added by a reload */

/* Watches svc's pid file (inotify where libev has it, else a 100 ms
 * poll, only while it is waited for). */
void watch_pidfile_start(struct supervisor *sup, struct service *svc);
void watch_pidfile_stop(struct supervisor *sup, struct service *svc);
/* While a stale pid file is there: EVT_PIDFILE_CHANGED every 100 ms too. */
void watch_pidfile_poll(struct supervisor *sup, struct service *svc);
/* EVT_RECLAIM_DUE before each time the loop blocks, while on. */
void watch_reclaim(struct supervisor *sup, bool on);

#endif
