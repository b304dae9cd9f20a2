/* notify.h: sd_notify for daemons written for systemd. One datagram
 * socket of drainit's (close-on-exec, SO_PASSCRED) under a runtime
 * directory; every service with "ready = notify" gets its path in
 * NOTIFY_SOCKET. Messages are attributed to a service by the sender's
 * pid (the service's process, its MAINPID, a member of its process group
 * or a descendant); anything else is ignored and logged once per pid. */
#ifndef DRAINIT_NOTIFY_H
#define DRAINIT_NOTIFY_H

#include "env.h"
#include "supervisor.h"

#define NOTIFY_MSG_MAX 4096

/* One datagram, parsed. Unknown assignments are ignored. */
struct notify_msg {
	bool ready;		/* READY=1 */
	bool stopping;		/* STOPPING=1 */
	bool watchdog;		/* WATCHDOG=1 */
	bool watchdog_trigger;	/* WATCHDOG=trigger */
	bool has_status;
	char status[160];	/* STATUS=..., control characters replaced */
	bool has_mainpid;
	pid_t mainpid;		/* MAINPID=N */
	bool bad_mainpid;	/* MAINPID= that is not a positive number */
};

/* Newline-separated KEY=VALUE lines. 0, or -EINVAL for an empty message
 * or one with a NUL byte. Pure. */
int notify_parse(const char *buf, size_t len, struct notify_msg *m);

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

/* Acts on a message of svc's, sent by pid sender. */
void notify_apply(struct supervisor *sup, struct service *svc, pid_t sender,
		  const struct notify_msg *m);

/* Service lifecycle (called by check.c): arms and stops the watchdog. */
void notify_on_service_running(struct supervisor *sup, struct service *svc);
void notify_on_service_exit(struct supervisor *sup, struct service *svc);
void notify_watchdog_cb(EV_P_ ev_timer *w, int revents);

/* The service's own process was reaped. When it had named another live
 * process, leader of its own process group, with MAINPID=, that process
 * becomes the service's tracked pid and true is returned: the service
 * goes on. Otherwise false: the service has ended. */
bool notify_main_exited(struct supervisor *sup, struct service *svc, int wstatus);

#endif
