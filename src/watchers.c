/* watchers.c: mechanism layer. Callbacks of the model's timers and
 * watches: each turns "it fired" into one event on the event path.
 * Deadlines that send SIGKILL (grace, shutdown_timeout) are ptimers
 * (timer.c), which fire on time; the callback reports only once the
 * deadline has really come. */
#include "watchers.h"

static void
grace_cb(EV_P_ ev_timer *w, int revents)
{
	struct service *svc = container_of(w, struct service, grace_timer.w);

	(void)revents;
	if (ptimer_due(EV_A_ &svc->grace_timer))
		sup_post(ev_userdata(EV_A), &(struct event){ .kind = EVT_GRACE_EXPIRED, .svc = svc });
}

static void
step_cb(EV_P_ ev_timer *w, int revents)
{
	(void)revents;
	sup_post(ev_userdata(EV_A), &(struct event){
		.kind = EVT_STOP_STEP_DUE, .svc = container_of(w, struct service, step_timer) });
}

static void
restart_cb(EV_P_ ev_timer *w, int revents)
{
	(void)revents;
	sup_post(ev_userdata(EV_A), &(struct event){
		.kind = EVT_RESTART_DUE, .svc = container_of(w, struct service, restart_timer) });
}

static void
start_timeout_cb(EV_P_ ev_timer *w, int revents)
{
	(void)revents;
	sup_post(ev_userdata(EV_A), &(struct event){
		.kind = EVT_START_TIMEOUT, .svc = container_of(w, struct service, start_timer) });
}

static void
pidfile_cb(EV_P_ ev_stat *w, int revents)
{
	(void)revents;
	sup_post(ev_userdata(EV_A), &(struct event){
		.kind = EVT_PIDFILE_CHANGED, .svc = container_of(w, struct service, pidfile_watch) });
}

static void
pidfile_poll_cb(EV_P_ ev_timer *w, int revents)
{
	(void)revents;
	sup_post(ev_userdata(EV_A), &(struct event){
		.kind = EVT_PIDFILE_CHANGED, .svc = container_of(w, struct service, pidfile_poll) });
}

static void
prestop_cb(EV_P_ ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	sup_post(ev_userdata(EV_A), &(struct event){ .kind = EVT_PRESTOP_ELAPSED });
}

static void
cap_cb(EV_P_ ev_timer *w, int revents)
{
	(void)revents;
	if (ptimer_due(EV_A_ container_of(w, struct ptimer, w)))
		sup_post(ev_userdata(EV_A), &(struct event){ .kind = EVT_CAP_EXPIRED });
}

static void
stage_cb(EV_P_ ev_timer *w, int revents)
{
	(void)revents;
	if (ptimer_due(EV_A_ container_of(w, struct ptimer, w)))
		sup_post(ev_userdata(EV_A), &(struct event){ .kind = EVT_STAGE_TIMEOUT });
}

/* During prestop only: a look at the services' sockets every
 * DRAIN_POLL_MS, posted for the shutdown machine to judge. */
static void
drain_cb(EV_P_ ev_timer *w, int revents)
{
	struct supervisor *sup = ev_userdata(EV_A);
	struct event ev = { .kind = EVT_DRAIN_SAMPLE };

	(void)w;
	(void)revents;
	if (sup->sys->drain_sample(sup, &ev.drain) < 0)
		ev.drain.ok = false;
	sup_post(sup, &ev);
}

void
watchers_init_service(struct service *svc)
{
	ptimer_init(&svc->grace_timer, grace_cb);
	ev_init(&svc->step_timer, step_cb);
	ev_init(&svc->restart_timer, restart_cb);
	ev_init(&svc->start_timer, start_timeout_cb);
	ev_init(&svc->pidfile_watch, pidfile_cb);
	ev_init(&svc->pidfile_poll, pidfile_poll_cb);
}

/* Just before the loop blocks no callback is half done: whatever a
 * reload replaced can be looked at then. Started for one pass after a
 * reload and after events that may free something (dispatch.c); it
 * never wakes the loop itself. */
static void
reclaim_cb(EV_P_ ev_prepare *w, int revents)
{
	(void)w;
	(void)revents;
	sup_post(ev_userdata(EV_A), &(struct event){ .kind = EVT_RECLAIM_DUE });
}

void
watch_reclaim(struct supervisor *sup, bool on)
{
	if (on)
		ev_prepare_start(sup->loop, &sup->reclaim_watch);
	else
		ev_prepare_stop(sup->loop, &sup->reclaim_watch);
}

void
watchers_init(struct supervisor *sup)
{
	ev_prepare_init(&sup->reclaim_watch, reclaim_cb);
	ev_init(&sup->drain_timer, drain_cb);
	ev_init(&sup->prestop_timer, prestop_cb);
	ptimer_init(&sup->cap_timer, cap_cb);
	ptimer_init(&sup->stage_timer, stage_cb);
	for (size_t i = 0; i < sup->nsvcs; i++)
		watchers_init_service(sup->svcs[i]);
}

void
watch_pidfile_start(struct supervisor *sup, struct service *svc)
{
	ev_stat_set(&svc->pidfile_watch, svc->cfg->pidfile, 0.1);
	ev_stat_start(sup->loop, &svc->pidfile_watch);
}

void
watch_pidfile_stop(struct supervisor *sup, struct service *svc)
{
	ev_stat_stop(sup->loop, &svc->pidfile_watch);
	ev_timer_stop(sup->loop, &svc->pidfile_poll);
}

/* ev_stat compares whole seconds and sizes: a stale pid file rewritten
 * within the same second with a pid as long is seen only by looking. */
void
watch_pidfile_poll(struct supervisor *sup, struct service *svc)
{
	if (ev_is_active(&svc->pidfile_poll))
		return;
	ev_timer_set(&svc->pidfile_poll, 0.1, 0.1);
	ev_timer_start(sup->loop, &svc->pidfile_poll);
}
