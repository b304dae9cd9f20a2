/* lifecycle.h: what happens to a service between its start and the
 * shutdown: restart policies with backoff, dependency order, one-shot
 * tasks and the adoption of forking daemons. */
#ifndef DRAINIT_LIFECYCLE_H
#define DRAINIT_LIFECYCLE_H

#include "supervisor.h"

/* Start-up: starts every service whose dependencies are met. */
void lifecycle_start_all(struct supervisor *sup);
/* A service became ready (exec succeeded, daemon adopted). */
void lifecycle_on_running(struct supervisor *sup, struct service *svc);
/* Its ready check passed (or READY=1 came) for the first time. */
void lifecycle_on_ready(struct supervisor *sup, struct service *svc);
/* It failed health_failures checks (or its watchdog): restart it if its
 * policy allows, else it is only reported. */
void lifecycle_on_unhealthy(struct supervisor *sup, struct service *svc, const char *why);
/* A service's process was reaped: restart, finish, or fail for good. */
void lifecycle_on_exit(struct supervisor *sup, struct service *svc);
/* The shutdown began: no more restarts or starts; pending waits end. */
void lifecycle_shutdown_begins(struct supervisor *sup);

/* A live service lists svc in after/requires: svc must wait to be stopped. */
struct service *lifecycle_live_dependent(struct supervisor *sup, const struct service *svc);
/* Services that are alive, waiting to restart, or waiting to start. */
size_t lifecycle_count_active(const struct supervisor *sup);

/* Backoff before the next restart, given the streak so far (pure). */
msec_t lifecycle_backoff(const struct svc_config *c, unsigned streak);

#endif
