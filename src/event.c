/* event.c: pure layer. Event names and the FIFO behind event_post(). */
#include "event.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *
event_name(enum event_kind k)
{
	static const char *const names[_EVT_MAX] = {
		[EVT_PROC_EXEC] = "proc-exec",
		[EVT_PROC_EXITED] = "proc-exited",
		[EVT_ORPHAN_REAPED] = "orphan-reaped",
		[EVT_SIGNAL] = "signal",
		[EVT_CHECK_RESULT] = "check-result",
		[EVT_NOTIFY] = "notify",
		[EVT_WATCHDOG_EXPIRED] = "watchdog-expired",
		[EVT_RESTART_DUE] = "restart-due",
		[EVT_START_TIMEOUT] = "start-timeout",
		[EVT_PIDFILE_CHANGED] = "pidfile-changed",
		[EVT_GRACE_EXPIRED] = "grace-expired",
		[EVT_STOP_STEP_DUE] = "stop-step-due",
		[EVT_HOOK_TIMEOUT] = "hook-timeout",
		[EVT_PRESTOP_ELAPSED] = "prestop-elapsed",
		[EVT_CAP_EXPIRED] = "cap-expired",
		[EVT_STAGE_TIMEOUT] = "stage-timeout",
		[EVT_SERVICE_ENDED] = "service-ended",
		[EVT_SHUTDOWN_REQUESTED] = "shutdown-requested",
		[EVT_OUTPUT_FLUSHED] = "output-flushed",
		[EVT_RECLAIM_DUE] = "reclaim-due",
		[EVT_DRAIN_SAMPLE] = "drain-sample",
		[EVT_START_PENDING] = "start-pending",
		[EVT_CTL_START] = "ctl-start",
		[EVT_CTL_STOP] = "ctl-stop",
		[EVT_CTL_RESTART] = "ctl-restart",
		[EVT_CTL_SIGNAL] = "ctl-signal",
		[EVT_CTL_RELOAD_CONFIG] = "ctl-reload-config",
		[EVT_CTL_SHUTDOWN] = "ctl-shutdown",
	};
	return (unsigned)k < _EVT_MAX && names[k] ? names[k] : "?";
}

static int
push(struct event_queue *q, const struct event *ev)
{
	if (q->len == q->cap) {
		size_t ncap = q->cap ? q->cap * 2 : 16;
		struct event *nv = malloc(ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		/* unroll the ring into the new array */
		for (size_t i = 0; i < q->len; i++)
			nv[i] = q->v[(q->head + i) % q->cap];
		free(q->v);
		q->v = nv;
		q->cap = ncap;
		q->head = 0;
	}
	q->v[(q->head + q->len) % q->cap] = *ev;
	q->len++;
	return 0;
}

int
event_post(struct event_queue *q, const struct event *ev, event_handler handler, void *ctx)
{
	if (q->busy) {
		if (push(q, ev) == 0)
			return 0;
		handler(ctx, ev);	/* degrade: nested, but never lost */
		return -ENOMEM;
	}
	q->busy = true;
	handler(ctx, ev);
	while (q->len > 0) {
		struct event next = q->v[q->head];

		q->head = (q->head + 1) % q->cap;
		q->len--;
		handler(ctx, &next);
	}
	q->busy = false;
	return 0;
}

void
event_queue_free(struct event_queue *q)
{
	free(q->v);
	memset(q, 0, sizeof(*q));
}
