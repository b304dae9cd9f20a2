/* notify.h: mechanism layer. sd_notify for daemons written for systemd. One datagram
 * socket of drainit's (close-on-exec, SO_PASSCRED) under a runtime
 * directory; every service with "ready = notify" gets its path in
 * NOTIFY_SOCKET. Messages are attributed to a service by the sender's
 * pid (the service's process, its MAINPID, a member of its process group
 * or a descendant); anything else is ignored and logged once per pid. */
#ifndef DRAINIT_NOTIFY_H
#define DRAINIT_NOTIFY_H

#include "env.h"
#include "sdnotify.h"
#include "supervisor.h"

/* Whether the service gets a NOTIFY_SOCKET. */
bool notify_wanted(const struct svc_config *sc);

/* Creates the socket when some service wants it. 0 or -errno (logged). */
int notify_setup(struct supervisor *sup);
void notify_free(struct supervisor *sup);

/* Adds NOTIFY_SOCKET (and WATCHDOG_USEC) to a notify service's
 * environment; nothing for other services. 0 or -ENOMEM. */
int notify_env(struct supervisor *sup, const struct service *svc, struct envbuf *e);

/* The notify service pid belongs to, or NULL. Reads /proc for the
 * ancestry of a pid that is not one of the services' own. */
struct service *notify_owner(struct supervisor *sup, pid_t pid);

/* "; 12 similar warnings held back" after a rate-limited stretch, or "". */
const char *suppressed_note(unsigned long held, char *buf, size_t len);

/* The watchdog timer of each service: init once; kick (re)arms it for
 * watchdog = DUR; when it runs out EVT_WATCHDOG_EXPIRED is posted. */
void notify_watchdog_init(struct supervisor *sup);
void notify_watchdog_init_service(struct service *svc);
void notify_watchdog_kick(struct supervisor *sup, struct service *svc);
void notify_watchdog_stop(struct supervisor *sup, struct service *svc);
bool notify_watchdog_armed(const struct service *svc);

#endif
