/* shutdown.h: the staged shutdown, an explicit state machine. */
#ifndef DRAINIT_SHUTDOWN_H
#define DRAINIT_SHUTDOWN_H

#include "supervisor.h"

void shutdown_init(struct supervisor *sup);

/* Feeds one event; svc is the service concerned (SD_GRACE_EXPIRED) or NULL. */
void shutdown_handle(struct supervisor *sup, enum sd_event ev, struct service *svc);

/* SD_REQUESTED with a reason for the log ("SIGTERM received", …). */
void shutdown_begin(struct supervisor *sup, const char *reason);

/* SIGTERM / SIGINT semantics: the first starts the shutdown; during one, a
 * SIGINT forces the kill stage and a SIGTERM is a logged no-op. */
void shutdown_on_signal(struct supervisor *sup, int sig);

/* A service's process was reaped (called by service_on_exit). */
void shutdown_on_service_exit(struct supervisor *sup, struct service *svc);

/* The exit code drainit ends with (valid in STAGE_EXITED). */
int shutdown_exit_code(const struct supervisor *sup);

#endif
