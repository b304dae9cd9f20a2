/* Unit tests: precise deadline timers (timer.c). */
#include <criterion/criterion.h>
#include <time.h>

#include "timer.h"

static ev_tstamp
mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ev_tstamp)ts.tv_sec + (ev_tstamp)ts.tv_nsec / 1e9;
}

static void
nop_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
}

Test(ptimer, armed_early_by_the_kernel_slack)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct ptimer t;

	ptimer_init(&t, nop_cb);
	ptimer_start(loop, &t, 10000);
	cr_assert(ev_is_active(&t.w));
	/* 10 s: 10 ms of epoll slack plus 1.5 ms for libev's rounding */
	cr_expect_float_eq(ev_timer_remaining(loop, &t.w), 10.0 - 0.0115, 0.005);
	cr_expect_float_eq(t.deadline - mono(), 10.0, 0.005);
	ptimer_stop(loop, &t);
	cr_expect_not(ev_is_active(&t.w));

	ptimer_start(loop, &t, 10);	/* short waits are not shortened */
	cr_expect_float_eq(ev_timer_remaining(loop, &t.w), 0.010, 0.002);
	ptimer_stop(loop, &t);
	ev_loop_destroy(loop);
}

Test(ptimer, early_fire_re_arms_for_the_rest)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct ptimer t;

	ptimer_init(&t, nop_cb);
	t.deadline = mono() + 0.5;
	cr_expect_not(ptimer_due(loop, &t), "0.5 s before the deadline");
	cr_expect(ev_is_active(&t.w), "re-armed");
	cr_expect_float_eq(ev_timer_remaining(loop, &t.w), 0.5 - 0.0005 - 0.0015, 0.005);
	t.deadline = mono() - 0.001;
	cr_expect(ptimer_due(loop, &t), "the deadline has passed");
	ptimer_stop(loop, &t);
	ev_loop_destroy(loop);
}

static int fired;
static ev_tstamp fired_at, deadline;

static void
count_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ptimer *t = (struct ptimer *)w;	/* w is its first member */
	(void)revents;
	if (!ptimer_due(loop, t))
		return;
	fired++;
	fired_at = mono();
}

Test(ptimer, never_fires_before_its_deadline)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct ptimer t;

	ptimer_init(&t, count_cb);
	ptimer_start(loop, &t, 120);
	deadline = t.deadline;
	ev_run(loop, 0);	/* returns once no watcher is active */
	cr_expect_eq(fired, 1);
	cr_expect_geq(fired_at, deadline - 0.0002, "fired %.6f s early", deadline - fired_at);
	ev_loop_destroy(loop);
}
