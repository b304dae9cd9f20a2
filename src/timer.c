/* timer.c: pure layer (over libev's timers). Precise one-shot timers.
 *
 * libev sleeps in epoll_wait, and the kernel may end that sleep up to 0.1%
 * of the timeout late (select_estimate_accuracy(), capped at 100 ms): a
 * SIGKILL due after a 10 s grace period would go out ~10 ms late. So a
 * ptimer is armed early by that margin (plus libev's millisecond rounding)
 * and, when it fires early, re-armed for the few milliseconds left: the
 * kernel's slack on those is microseconds, libev's whole-millisecond
 * epoll timeout leaves it within ~1 ms of the deadline (bench scenario 7).
 * One extra wake-up per deadline, none while idle. */
#include "timer.h"

#include <time.h>

static ev_tstamp
mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ev_tstamp)ts.tv_sec + (ev_tstamp)ts.tv_nsec / 1e9;
}

void
ptimer_init(struct ptimer *t, void (*cb)(struct ev_loop *, ev_timer *, int))
{
	ev_init(&t->w, cb);
	t->deadline = 0;
}

static void
arm_for(struct ev_loop *loop, struct ptimer *t, ev_tstamp left)
{
	/* kernel slack (0.1%) + libev rounding the wait up to 1 ms */
	ev_tstamp early = left > 0.02 ? left / 1000.0 + 0.0015 : 0.;

	ev_timer_stop(loop, &t->w);
	ev_timer_set(&t->w, left - early, 0.);
	ev_timer_start(loop, &t->w);
}

void
ptimer_start(struct ev_loop *loop, struct ptimer *t, msec_t ms)
{
	t->deadline = mono_now() + (ev_tstamp)ms / 1000.0;
	arm_for(loop, t, (ev_tstamp)ms / 1000.0);
}

void
ptimer_stop(struct ev_loop *loop, struct ptimer *t)
{
	ev_timer_stop(loop, &t->w);
}

bool
ptimer_due(struct ev_loop *loop, struct ptimer *t)
{
	ev_tstamp left = t->deadline - mono_now();

	if (left <= 0.0002)
		return true;
	arm_for(loop, t, left);
	return false;
}

void
timer_arm(struct ev_loop *loop, ev_timer *t, msec_t ms)
{
	ev_timer_stop(loop, t);
	ev_timer_set(t, (ev_tstamp)ms / 1000.0, 0.);
	ev_timer_start(loop, t);
}
