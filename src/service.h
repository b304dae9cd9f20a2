/* service.h: mechanism layer. A service's process: starting it (its
 * environment, process settings, output pipes, the spawn) and sending it
 * signals. What the results mean is the lifecycle machine's to decide. */
#ifndef DRAINIT_SERVICE_H
#define DRAINIT_SERVICE_H

#include "supervisor.h"

/* Forks the service's command; fills svc->proc (pid, tracked) and
 * svc->spawn_pgid. 0, or -errno with the failing step logged. */
int service_spawn(struct supervisor *sup, struct service *svc);

/* Where a signal to svc goes now: -pgid for a group, a pid, 0: nowhere. */
pid_t service_target(struct supervisor *sup, const struct service *svc);
/* "pgid 42" or "pid 42", for the log. */
const char *service_target_name(struct supervisor *sup, const struct service *svc, char *buf,
				size_t len);

/* Sends sig to service_target(); logs and returns -errno on
 * failure (ESRCH, the group already gone, is not logged). */
int service_signal(struct supervisor *sup, struct service *svc, int sig);

/* Sends sig to every live service's process group, then logs one line;
 * the same signal again within a second is counted, not logged, until
 * one line gives the count. */
void service_forward_all(struct supervisor *sup, int sig);
/* Logs the counts of forwards not logged yet (before drainit exits). */
void service_forward_flush(struct supervisor *sup);

#endif
