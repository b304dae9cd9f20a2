/* timer.h: pure layer (over libev's timers). One-shot timers that fire
 * on time, for deadlines that send SIGKILL (grace periods,
 * shutdown_timeout), and arming a plain ev_timer in milliseconds. */
#ifndef DRAINIT_TIMER_H
#define DRAINIT_TIMER_H

#include <ev.h>
#include <stdbool.h>

#include "parse.h"

struct ptimer {
	ev_timer w;
	ev_tstamp deadline;	/* CLOCK_MONOTONIC seconds */
};

void ptimer_init(struct ptimer *t, void (*cb)(struct ev_loop *, ev_timer *, int));
void ptimer_start(struct ev_loop *loop, struct ptimer *t, msec_t ms);
void ptimer_stop(struct ev_loop *loop, struct ptimer *t);
/* First thing in the callback: true once the deadline has come; otherwise
 * the timer is re-armed for what is left and the callback must return. */
bool ptimer_due(struct ev_loop *loop, struct ptimer *t);

/* (Re)arms a one-shot ev_timer for ms from now. */
void timer_arm(struct ev_loop *loop, ev_timer *t, msec_t ms);

#endif
