/* check.h: mechanism layer. Per-service readiness ("ready =") and
 * liveness ("health =") checks, run in the loop: TCP and HTTP with
 * non-blocking sockets and a timer, exec: commands spawned like any child
 * and reaped by reaper.c. Each attempt's outcome is posted as
 * EVT_CHECK_RESULT. */
#ifndef DRAINIT_CHECK_H
#define DRAINIT_CHECK_H

#include "supervisor.h"

enum check_role { CHECK_ROLE_READY, CHECK_ROLE_HEALTH };

/* Documented cadence of ready checks (drainit.ini(5), READINESS AND HEALTH). */
#define READY_FIRST_RETRY_MS 50
#define READY_SETTLED_FACTOR 10

/* One configured check of one service; lives as long as the supervisor. */
struct check {
	struct service *svc;
	const struct check_spec *spec;
	enum check_role role;
	msec_t interval_ms;
	msec_t timeout_ms;
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
	int out_fd;		/* its stdout and stderr, for the debug log; -1 */
	ev_io out_io;
	char obuf[256];		/* the current line */
	size_t olen, obytes;	/* bytes in obuf; read in this attempt */

	/* results */
	bool passed;		/* passed once since its service started */
	msec_t backoff_ms;	/* ready: the next retry before it first passes */
	unsigned fails;		/* failures in a row */
	unsigned long attempts;
	unsigned long failures;	/* in total */
	char last[160];		/* the last failure */
};

/* Frees c (NULL: nothing), stopping whatever it still runs. */
void check_destroy(struct supervisor *sup, struct check *c);
/* Nothing of c runs or waits to be reaped: freeing it loses nothing. */
bool check_idle(const struct check *c);

/* Builds the checks of every service (at runtime assembly). */
int check_init(struct supervisor *sup);
void check_free(struct supervisor *sup);
/* The checks of one service (one added by a reload); 0 or -ENOMEM. */
int check_init_service(struct supervisor *sup, struct service *svc);
/* svc->cfg changed (a reload): its checks are made again from it. The
 * old ones stop and wait in old_checks for reload_reclaim. 0 or -ENOMEM. */
int check_replace(struct supervisor *sup, struct service *svc);

/* The service runs: its ready check starts at once, its health check
 * one health_interval later (nothing once a shutdown has begun). */
void check_start(struct supervisor *sup, struct service *svc);
/* The service's process ended: stops its checks (an exec: check's
 * process group is SIGKILLed). */
void check_stop(struct supervisor *sup, struct service *svc);

/* An exec: check's process: its exec result and its exit. */
void check_on_exec(struct supervisor *sup, struct check *c);
void check_on_exit(struct supervisor *sup, struct check *c, int wstatus);

#endif
