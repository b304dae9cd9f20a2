/* service.h: mechanism layer. A service's process: starting it (its
 * environment, process settings, output pipes, the spawn) and sending it
 * signals. What the results mean is the lifecycle machine's to decide. */
#ifndef DRAINIT_SERVICE_H
#define DRAINIT_SERVICE_H

#include "supervisor.h"

/* Forks the service's command; fills svc->proc (pid, tracked) and
 * svc->kill_target. 0, or -errno with the failing step logged. */
int service_spawn(struct supervisor *sup, struct service *svc);

/* Sends sig to the service's process group; logs and returns -errno on
 * failure (ESRCH, the group already gone, is not logged). */
int service_signal(struct supervisor *sup, struct service *svc, int sig);

/* Sends sig to every live service's process group; logs one line. */
void service_forward_all(struct supervisor *sup, int sig);

#endif
