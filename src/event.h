/* event.h: pure layer. The one vocabulary of what can happen to a service
 * or to drainit, and the FIFO that carries it.
 *
 * Mechanisms (spawn, reaper, checks, sd_notify, hooks, timers, signals,
 * output) report what happened as a struct event; they never decide. The
 * dispatcher (dispatch.c) hands each event to the machines that decide:
 * the per-service lifecycle machine and the shutdown stage machine.
 *
 * An event posted while another is being handled waits in the queue until
 * that handler has returned, so no handler ever runs inside another
 * (nothing recurses, and a machine always sees its own writes done). */
#ifndef DRAINIT_EVENT_H
#define DRAINIT_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sdnotify.h"

/* What the sockets of the services look like at one moment, during the
 * prestop stage (drain.c). */
struct drain_sample {
	bool ok;		/* the kernel answered, and all of it was counted */
	bool too_many;		/* not ok: more connections than one sample holds */
	unsigned listening;	/* listening sockets the services hold */
	unsigned conns;		/* connections accepted on them, still open */
	unsigned inflight;	/* of those, with a request in flight */
	unsigned fresh;		/* connections not seen in the previous sample */
};

struct service;
struct hook;
struct check;
struct proc;

enum event_kind {
	EVT_PROC_EXEC,		/* proc's exec-status pipe answered: fail_step says how */
	EVT_PROC_EXITED,		/* proc was reaped (wstatus) */
	EVT_ORPHAN_REAPED,	/* a pid no proc owns was reaped */
	EVT_SIGNAL,		/* drainit received sig */
	EVT_CHECK_RESULT,	/* check finished an attempt (ok, fails, text) */
	EVT_NOTIFY,		/* svc sent an sd_notify datagram (sender, notify) */
	EVT_WATCHDOG_EXPIRED,	/* svc's watchdog = DUR passed */
	EVT_RESTART_DUE,		/* svc's restart backoff is over */
	EVT_START_TIMEOUT,	/* svc's start_timeout passed (forking) */
	EVT_PIDFILE_CHANGED,	/* svc's pid file changed (forking) */
	EVT_GRACE_EXPIRED,	/* svc's grace period after its stop signal passed */
	EVT_STOP_STEP_DUE,	/* the wait of svc's current stop sequence step passed */
	EVT_HOOK_TIMEOUT,	/* hook's drain_timeout passed */
	EVT_PRESTOP_ELAPSED,	/* prestop_delay passed */
	EVT_CAP_EXPIRED,		/* shutdown_timeout passed */
	EVT_STAGE_TIMEOUT,	/* the stage timer passed (orphan_grace, the reap wait) */
	EVT_SERVICE_ENDED,	/* svc's run ended and no restart follows */
	EVT_SHUTDOWN_REQUESTED,	/* a staged shutdown is asked for (text: why) */
	EVT_OUTPUT_FLUSHED,	/* at exit, every service's last output is written */
	EVT_RECLAIM_DUE,	/* the loop is between callbacks: what reloads replaced may go */
	EVT_DRAIN_SAMPLE,	/* during prestop: the services' sockets now (drain) */
	EVT_START_PENDING,	/* a reload's stops are under way: start what may start now */
	/* requests of the control socket (drainit ctl); the machine that
	 * decides fills in ev->reply before the post returns */
	EVT_CTL_START,		/* start svc (it was stopped, exited or failed) */
	EVT_CTL_STOP,		/* staged stop of svc; it stays stopped */
	EVT_CTL_RESTART,		/* staged stop of svc, then start it again */
	EVT_CTL_SIGNAL,		/* send sig to svc */
	EVT_CTL_SHUTDOWN,	/* the staged shutdown (text: why; force: skip the waits) */
	EVT_CTL_RELOAD_CONFIG,	/* read the configuration file again, apply what changed */
	_EVT_MAX
};
const char *event_name(enum event_kind k);

/* What a machine answers to an EVT_CTL_* request. */
struct ctl_result {
	bool done;		/* a machine handled the request */
	bool ok;
	char msg[200];		/* what was done, or why not */
	char *detail;		/* NULL, or more lines ('\n'-separated, malloc'd): the
				 * file's errors, or what a reload changed */
};

struct event {
	enum event_kind kind;
	struct service *svc;
	struct hook *hook;
	struct check *check;
	struct proc *proc;
	pid_t pid;		/* EVT_ORPHAN_REAPED; EVT_NOTIFY, EVT_SIGNAL: the sender */
	int wstatus;		/* EVT_PROC_EXITED, EVT_ORPHAN_REAPED */
	int sig;		/* EVT_SIGNAL */
	bool ok;		/* EVT_CHECK_RESULT */
	bool failed;		/* EVT_SERVICE_ENDED: it failed for good */
	bool force;		/* EVT_CTL_SHUTDOWN: straight to the killing stage */
	bool by_reload;		/* EVT_CTL_STOP, EVT_CTL_RESTART: posted by reload-config */
	struct ctl_result *reply;	/* EVT_CTL_*: where the answer goes */
	unsigned fails;		/* EVT_CHECK_RESULT: failures in a row */
	char text[160];		/* EVT_CHECK_RESULT: the failure; EVT_SHUTDOWN_REQUESTED: why */
	struct notify_msg notify;	/* EVT_NOTIFY */
	struct drain_sample drain;	/* EVT_DRAIN_SAMPLE */
};

typedef void (*event_handler)(void *ctx, const struct event *ev);

/* Growable FIFO of events; zero-initialise. */
struct event_queue {
	struct event *v;
	size_t head, len, cap;
	bool busy;		/* a handler is running */
	bool oom_logged;
};

/* Runs handler on ev now, and on whatever it posts, in order; or, when a
 * handler is already running, queues ev behind what is waiting. When the
 * queue cannot grow, ev is handled at once (nested) rather than lost;
 * returns -ENOMEM then (the caller logs it once), else 0. */
int event_post(struct event_queue *q, const struct event *ev, event_handler handler, void *ctx);
void event_queue_free(struct event_queue *q);

#endif
