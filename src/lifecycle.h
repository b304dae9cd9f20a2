/* lifecycle.h: machine layer. The per-service state machine: what happens
 * to a service between its start and the shutdown (readiness, health,
 * restarts with backoff, dependency order, one-shot tasks, forking
 * daemons, sd_notify), and the per-service half of a stop. */
#ifndef DRAINIT_LIFECYCLE_H
#define DRAINIT_LIFECYCLE_H

#include "supervisor.h"

/* Feeds one event (from dispatch.c); events that are not about a
 * service's lifecycle are ignored. */
void lifecycle_handle(struct supervisor *sup, const struct event *ev);

/* Start-up: starts every service whose dependencies are met. */
void lifecycle_start_all(struct supervisor *sup);

/* Asks a live service to stop: its stop_signal to its group, state
 * STOPPING, grace timer armed (EVT_GRACE_EXPIRED then SIGKILLs it). The
 * caller logs why. */
void lifecycle_stop(struct supervisor *sup, struct service *svc);
/* The first signal lifecycle_stop() sends svc: the first of its stop
 * sequence, or in -- CMD mode without --stop-signal the signal that
 * started the shutdown (sup->shutdown_sig) as --rewrite maps it. */
int lifecycle_stop_signal(const struct supervisor *sup, const struct service *svc);
/* SIGKILL to a live service's group now: state KILLING. */
void lifecycle_kill(struct supervisor *sup, struct service *svc);
/* The shutdown began: no more restarts or starts; pending waits end. */
void lifecycle_shutdown_begins(struct supervisor *sup);

/* A service that is not running takes the settings a reload gave it
 * (svc->next_cfg): its drain hooks and checks are made again. */
void lifecycle_adopt_config(struct supervisor *sup, struct service *svc);

/* Backoff before the next restart, given the streak so far (pure). */
msec_t lifecycle_backoff(const struct svc_config *c, unsigned streak);

#endif
