/* check.h: per-service readiness ("ready =") and liveness ("health =")
 * checks, run in the loop: TCP and HTTP with non-blocking sockets and a
 * timer, exec: commands spawned through sup->sys->spawn and reaped by
 * reaper.c like any child. Also the readiness and liveness verdicts per
 * service that /readyz, /livez, /status and /metrics report. */
#ifndef DRAINIT_CHECK_H
#define DRAINIT_CHECK_H

#include "supervisor.h"

enum check_role { CHECK_ROLE_READY, CHECK_ROLE_HEALTH };

/* One configured check of one service; lives as long as the supervisor. */
struct check {
	struct service *svc;
	const struct check_spec *spec;
	enum check_role role;
	msec_t interval_ms;
	msec_t timeout_ms;
	unsigned max_fails;	/* health: failures in a row that make it unhealthy */
	ev_timer timer;		/* until the next attempt, or bounds the running one */
	bool busy;		/* an attempt is under way */

	/* tcp: and http:// */
	int fd;			/* -1 when closed */
	ev_io io;
	bool connected;
	bool reading;		/* http: request sent, reading the answer */
	char buf[512];		/* HTTP request out, then the response's first bytes */
	size_t len, sent;

	/* exec: */
	struct proc proc;	/* kind PROC_CHECK; pid 0 when none runs */
	bool exec_running;	/* spawned, not reaped yet */
	bool timed_out;
	char **envp;

	/* results */
	unsigned fails;		/* failures in a row */
	unsigned long attempts;
	unsigned long failures;	/* in total */
	char last[160];		/* the last failure */
};

/* Builds the checks of every service (supervisor_init calls it). */
int check_init(struct supervisor *sup);
void check_free(struct supervisor *sup);

/* The service's exec was confirmed: starts its checks (and its watchdog). */
void check_on_service_running(struct supervisor *sup, struct service *svc);
/* The service's process ended: stops its checks, records the verdicts.
 * Called by service_on_exit before the shutdown machine hears of it. */
void check_on_service_exit(struct supervisor *sup, struct service *svc);

/* exec: checks, routed here by reaper.c. */
struct check *check_find_by_pid(struct supervisor *sup, pid_t pid);
void check_on_exec(struct supervisor *sup, struct check *c);
void check_on_exit(struct supervisor *sup, struct check *c, int wstatus);

/* Whether the service is ready as /readyz counts it; otherwise why
 * ("starting", "check failing: tcp 127.0.0.1:5432 refused", "exited"). */
bool check_service_ready(const struct service *svc, char *why, size_t len);
/* Whether the service is live as /livez counts it: false when it failed
 * to start, ended uncleanly while drainit was running, or is unhealthy. */
bool check_service_live(const struct service *svc, char *why, size_t len);
/* Restarts of the service: always 0 until restart policies exist. */
unsigned long check_service_restarts(const struct service *svc);

#endif
