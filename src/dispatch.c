/* dispatch.c: assembly layer. Routes each event of the one event path to
 * whoever must hear of it, in a fixed order:
 *
 *   exec result, exit of a hook / check proc -> its mechanism's bookkeeping
 *   everything about a service               -> lifecycle machine
 *   everything about the shutdown            -> shutdown machine
 *   EVT_OUTPUT_FLUSHED                        -> the loop ends
 *   EVT_CTL_RELOAD_CONFIG, SIGHUP (sighup = reload) -> reload.c, which
 *                                                rebuilds the runtime and
 *                                                posts what the machines do
 *   after each                                -> removed services whose run
 *                                                is over are dropped (reload.c)
 *   after each                                -> the control socket's waiting
 *                                                clients look again (control.c)
 *
 * The lifecycle machine hears an event before the shutdown machine, so a
 * stage is judged on states already brought up to date. Handlers post
 * further events instead of calling each other; event_post() queues them
 * until the current one is done. */
#include "dispatch.h"

#include "check.h"
#include "control.h"
#include "hooks.h"
#include "lifecycle.h"
#include "log.h"
#include "probe.h"
#include "reload.h"
#include "shutdown.h"
#include "watchers.h"

#include <signal.h>

static void
proc_event(struct supervisor *sup, const struct event *ev)
{
	struct proc *p = ev->proc;

	if (p->kind == PROC_HOOK) {
		struct hook *h = container_of(p, struct hook, proc);
		if (ev->kind == EVT_PROC_EXEC)
			hook_on_exec(sup, h);
		else
			hook_on_exit(sup, h, ev->wstatus);
	} else if (p->kind == PROC_CHECK) {
		struct check *c = container_of(p, struct check, proc);
		if (ev->kind == EVT_PROC_EXEC)
			check_on_exec(sup, c);
		else
			check_on_exit(sup, c, ev->wstatus);	/* posts EVT_CHECK_RESULT */
	}
}

void
dispatch_event(void *ctx, const struct event *ev)
{
	struct supervisor *sup = ctx;

	switch (ev->kind) {
	case EVT_PROC_EXEC:
	case EVT_PROC_EXITED:
		proc_event(sup, ev);
		break;
	case EVT_OUTPUT_FLUSHED:
		ev_break(sup->loop, EVBREAK_ALL);
		return;
	case EVT_CTL_RELOAD_CONFIG:
		reload_config(sup, ev->reply);
		break;
	case EVT_RECLAIM_DUE:
		/* One pass; what is left waits for a process or check to end */
		reload_reclaim(sup);
		watch_reclaim(sup, false);
		return;
	case EVT_SIGNAL:
		/* sighup = reload; the lifecycle machine then forwards nothing */
		if (ev->sig == SIGHUP && sup->cfg->sighup == SIGHUP_RELOAD)
			reload_config(sup, NULL);
		break;
	default:
		break;
	}
	lifecycle_handle(sup, ev);
	shutdown_handle(sup, ev);
	reload_sweep(sup);
	/* What a reload left can only come free when something of it ends
	 * (a process, a check) or a changed service starts its new run: look
	 * again then, not at every turn of the loop. */
	if (sup->reclaim_due && (ev->kind == EVT_PROC_EXITED || ev->kind == EVT_PROC_EXEC ||
				 ev->kind == EVT_CHECK_RESULT || ev->kind == EVT_SERVICE_ENDED))
		watch_reclaim(sup, true);
	control_notice(sup);
	probe_notice(sup);
}
