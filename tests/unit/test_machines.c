/* Unit tests: each machine as a table of (state, event) -> (new state,
 * commands). A row brings one service (or the shutdown) to a state
 * through the real event path, then feeds one event straight to the
 * machine's handler and compares what it did: the state it left, the
 * signals it sent (fake kill), the processes it started (fake spawn), the
 * timers it armed and the events it posted, which are recorded here
 * instead of dispatched. */
#include "fakesys.h"

#include "check.h"
#include "dispatch.h"
#include "hooks.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#define MAXPOSTED 16
static enum event_kind posted[MAXPOSTED];
static bool posted_failed[MAXPOSTED];
static int nposted;

static void
record(void *ctx, const struct event *ev)
{
	(void)ctx;
	if (nposted < MAXPOSTED) {
		posted_failed[nposted] = ev->failed;
		posted[nposted] = ev->kind;
	}
	nposted++;
}

/* From here on the machine's own posts are recorded, not dispatched. */
static void
start_recording(void)
{
	nposted = 0;
	nkills = 0;
	nspawned = 0;
	sup.on_event = record;
}

/* ---- the lifecycle machine --------------------------------------------------- */

enum prep { P_STARTING, P_RUNNING, P_RESTARTED, P_STOPPING, P_KILLING, P_BACKOFF, P_EXITED,
	    P_LEFTOVERS, P_NOTFOUND,
	    P_LEFTOVERS_KILLED /* the leftovers' grace expired: SIGKILLed, still there */,
	    P_LAST_STEP /* stopping, at the last step of its stop sequence */ };

struct lc_row {
	const char *name;
	const char *ini;	/* service a is svcs[0], pid 100 */
	enum prep prep;
	struct event ev;	/* .proc / .svc / .check filled in by the test */
	enum svc_state state;	/* a's state after the event */
	int kill_sig;		/* sent to a's group (-100), 0: nothing sent */
	int spawned;		/* processes started */
	enum event_kind post;	/* posted, _EVT_MAX: nothing */
	bool post_failed;
	bool grace_armed, restart_armed;
	bool step_armed;	/* the wait of a stop sequence's step */
};

#define A "[service:a]\ncommand = a\n"
#define A_SEQ A "stop_signal = TERM 1s INT 2s QUIT\ngrace_period = 10s\n"
#define A_SEQ2 A "stop_signal = TERM 1s INT\ngrace_period = 10s\n"
#define A_HEALTH A "health = tcp:127.0.0.1:9\nhealth_failures = 3\n"

static const struct lc_row lc_rows[] = {
	{ "starting + exec ok -> running", A, P_STARTING, { .kind = EVT_PROC_EXEC },
	  SVC_RUNNING, 0, 0, _EVT_MAX, false, false, false, false },
	{ "starting + exec failed -> still starting, its exit follows", A, P_STARTING,
	  { .kind = EVT_PROC_EXEC }, SVC_STARTING, 0, 0, _EVT_MAX, false, false, false, false },
	{ "running + crash, on-failure -> backoff", A, P_RUNNING,
	  { .kind = EVT_PROC_EXITED, .wstatus = EXITED(1) },
	  SVC_BACKOFF, 0, 0, _EVT_MAX, false, false, true, false },
	{ "running + exit 0, on-failure -> exited, run ended", A, P_RUNNING,
	  { .kind = EVT_PROC_EXITED, .wstatus = EXITED(0) },
	  SVC_EXITED, 0, 0, EVT_SERVICE_ENDED, false, false, false, false },
	{ "running + exit 0, always -> backoff", A "restart = always\n", P_RUNNING,
	  { .kind = EVT_PROC_EXITED, .wstatus = EXITED(0) },
	  SVC_BACKOFF, 0, 0, _EVT_MAX, false, false, true, false },
	{ "running + crash, restart no -> exited, run ended", A "restart = no\n", P_RUNNING,
	  { .kind = EVT_PROC_EXITED, .wstatus = EXITED(3) },
	  SVC_EXITED, 0, 0, EVT_SERVICE_ENDED, false, false, false, false },
	{ "running + crash, limit reached -> failed for good", A "restart_limit = 1/1m\n",
	  P_RESTARTED, { .kind = EVT_PROC_EXITED, .wstatus = EXITED(1) },
	  SVC_FAILED, 0, 0, EVT_SERVICE_ENDED, true, false, false, false },
	{ "backoff + restart due -> starting", A, P_BACKOFF, { .kind = EVT_RESTART_DUE },
	  SVC_STARTING, 0, 1, _EVT_MAX, false, false, false, false },
	{ "running + grace expired -> ignored", A, P_RUNNING, { .kind = EVT_GRACE_EXPIRED },
	  SVC_RUNNING, 0, 0, _EVT_MAX, false, false, false, false },
	{ "stopping + grace expired -> killing", A, P_STOPPING, { .kind = EVT_GRACE_EXPIRED },
	  SVC_KILLING, SIGKILL, 0, _EVT_MAX, false, false, false, false },
	{ "stopping + exit -> exited, run ended", A, P_STOPPING,
	  { .kind = EVT_PROC_EXITED, .wstatus = SIGNALED(SIGTERM) },
	  SVC_EXITED, 0, 0, EVT_SERVICE_ENDED, false, false, false, false },
	{ "killing + exit -> exited, run ended", A, P_KILLING,
	  { .kind = EVT_PROC_EXITED, .wstatus = SIGNALED(SIGKILL) },
	  SVC_EXITED, 0, 0, EVT_SERVICE_ENDED, false, false, false, false },
	{ "running + 3rd health failure in a row -> stopping (restart)", A_HEALTH, P_RUNNING,
	  { .kind = EVT_CHECK_RESULT, .ok = false, .fails = 3, .text = "refused" },
	  SVC_STOPPING, SIGTERM, 0, _EVT_MAX, false, true, false, false },
	{ "running + 1st health failure -> running", A_HEALTH, P_RUNNING,
	  { .kind = EVT_CHECK_RESULT, .ok = false, .fails = 1, .text = "refused" },
	  SVC_RUNNING, 0, 0, _EVT_MAX, false, false, false, false },
	{ "running + health failure, restart no -> reported only", A_HEALTH "restart = no\n",
	  P_RUNNING, { .kind = EVT_CHECK_RESULT, .ok = false, .fails = 3, .text = "refused" },
	  SVC_RUNNING, 0, 0, _EVT_MAX, false, false, false, false },
	{ "running + SIGUSR1 -> forwarded to its group", A, P_RUNNING,
	  { .kind = EVT_SIGNAL, .sig = SIGUSR1 }, SVC_RUNNING, SIGUSR1, 0, _EVT_MAX, false, false, false, false },
	{ "running + SIGTERM -> not the lifecycle's", A, P_RUNNING,
	  { .kind = EVT_SIGNAL, .sig = SIGTERM }, SVC_RUNNING, 0, 0, _EVT_MAX, false, false, false, false },
	{ "exited + SIGHUP -> nobody to forward to", A "restart = no\n", P_EXITED,
	  { .kind = EVT_SIGNAL, .sig = SIGHUP }, SVC_EXITED, 0, 0, _EVT_MAX, false, false, false, false },
	{ "running + WATCHDOG_EXPIRED without watchdog -> ignored", A, P_RUNNING,
	  { .kind = EVT_WATCHDOG_EXPIRED }, SVC_RUNNING, 0, 0, _EVT_MAX, false, false, false, false },
	{ "running + exit, its group lives on -> stopping the leftovers", A, P_RUNNING,
	  { .kind = EVT_PROC_EXITED, .wstatus = EXITED(0), false },
	  SVC_STOPPING, SIGTERM, 0, _EVT_MAX, false, true, false, false },
	{ "leftovers + last one reaped -> exited, run ended", A "restart = no\n", P_LEFTOVERS,
	  { .kind = EVT_ORPHAN_REAPED }, SVC_EXITED, 0, 0, EVT_SERVICE_ENDED, false, false, false, false },
	{ "leftovers + grace expired -> killing the group, its re-check armed", A, P_LEFTOVERS,
	  { .kind = EVT_GRACE_EXPIRED }, SVC_KILLING, SIGKILL, 0, _EVT_MAX, false, false, false, true },
	{ "leftovers + grace expired, group emptied unseen -> exited, run ended", A "restart = no\n",
	  P_LEFTOVERS, { .kind = EVT_GRACE_EXPIRED }, SVC_EXITED, SIGKILL, 0, EVT_SERVICE_ENDED,
	  false, false, false, false },
	{ "leftovers killed + re-check, group still there -> killing, re-check again", A,
	  P_LEFTOVERS_KILLED, { .kind = EVT_STOP_STEP_DUE }, SVC_KILLING, 0, 0, _EVT_MAX,
	  false, false, false, true },
	{ "leftovers killed + re-check, group empty -> exited, run ended", A "restart = no\n",
	  P_LEFTOVERS_KILLED, { .kind = EVT_STOP_STEP_DUE }, SVC_EXITED, 0, 0, EVT_SERVICE_ENDED,
	  false, false, false, false },
	{ "starting + command not found, exit -> failed for good, no restart", A, P_NOTFOUND,
	  { .kind = EVT_PROC_EXITED, .wstatus = EXITED(127), false },
	  SVC_FAILED, 0, 0, EVT_SERVICE_ENDED, true, false, false, false },
	/* stop sequences */
	{ "stopping (sequence) + step due -> next signal, next wait armed", A_SEQ, P_STOPPING,
	  { .kind = EVT_STOP_STEP_DUE }, SVC_STOPPING, SIGINT, 0, _EVT_MAX, false, true, false, true },
	{ "stopping at the last step + step due -> nothing more (SIGKILL at grace)", A_SEQ2,
	  P_LAST_STEP, { .kind = EVT_STOP_STEP_DUE }, SVC_STOPPING, 0, 0, _EVT_MAX, false, true,
	  false, false },
	{ "running + step due -> ignored", A_SEQ, P_RUNNING, { .kind = EVT_STOP_STEP_DUE },
	  SVC_RUNNING, 0, 0, _EVT_MAX, false, false, false, false },
	{ "stopping (sequence) + death by its 2nd signal -> exited, clean", A_SEQ, P_LAST_STEP,
	  { .kind = EVT_PROC_EXITED, .wstatus = SIGNALED(SIGINT) },
	  SVC_EXITED, 0, 0, EVT_SERVICE_ENDED, false, false, false, false },
	/* signal_map */
	{ "running + SIGHUP, signal_map HUP:USR1 -> USR1 to its group", A "signal_map = HUP:USR1\n",
	  P_RUNNING, { .kind = EVT_SIGNAL, .sig = SIGHUP }, SVC_RUNNING, SIGUSR1, 0, _EVT_MAX, false,
	  false, false, false },
	{ "running + SIGWINCH, signal_map WINCH:0 -> dropped", A "signal_map = WINCH:0\n",
	  P_RUNNING, { .kind = EVT_SIGNAL, .sig = SIGWINCH }, SVC_RUNNING, 0, 0, _EVT_MAX, false,
	  false, false, false },
	{ "running + SIGSEGV sent by kill -> forwarded", A, P_RUNNING,
	  { .kind = EVT_SIGNAL, .sig = SIGSEGV }, SVC_RUNNING, SIGSEGV, 0, _EVT_MAX, false, false,
	  false, false },
};

static void
lc_prep(enum prep p)
{
	struct service *a = sup.svcs[0];

	lifecycle_start_all(&sup);
	if (p == P_STARTING)
		return;
	if (p == P_NOTFOUND) {	/* exec said ENOENT */
		a->proc.fail_step = SPAWN_STEP_EXEC;
		a->proc.fail_errno = ENOENT;
		exec_ok(&a->proc);
		return;
	}
	exec_ok(&a->proc);
	switch (p) {
	case P_STOPPING:
		a->stop_requested = true;
		lifecycle_stop(&sup, a);
		break;
	case P_KILLING:
		a->stop_requested = true;
		lifecycle_kill(&sup, a);
		break;
	case P_BACKOFF:
		reaper_on_exit(&sup, 100, EXITED(1));
		break;
	case P_EXITED:
		reaper_on_exit(&sup, 100, EXITED(0));
		break;
	case P_LEFTOVERS:	/* main exited 0, its group still has members */
		fake_group_alive = true;
		reaper_on_exit(&sup, 100, EXITED(0));
		break;
	case P_LEFTOVERS_KILLED:
		fake_group_alive = true;
		reaper_on_exit(&sup, 100, EXITED(0));
		ptimer_stop(loop, &a->grace_timer);	/* libev stopped it */
		lifecycle_handle(&sup, &(struct event){ .kind = EVT_GRACE_EXPIRED, .svc = a });
		break;
	case P_LAST_STEP:
		a->stop_requested = true;
		lifecycle_stop(&sup, a);
		ev_timer_stop(loop, &a->step_timer);	/* libev stopped it */
		lifecycle_handle(&sup, &(struct event){ .kind = EVT_STOP_STEP_DUE, .svc = a });
		ev_timer_stop(loop, &a->step_timer);
		break;
	case P_RESTARTED:	/* crashed once, restarted, runs again */
		reaper_on_exit(&sup, 100, EXITED(1));
		fire(&a->restart_timer);
		exec_ok(&a->proc);
		break;
	default:
		break;
	}
}

Test(lifecycle_table, rows)
{
	for (size_t i = 0; i < sizeof(lc_rows) / sizeof(lc_rows[0]); i++) {
		const struct lc_row *r = &lc_rows[i];
		struct service *a;
		struct event ev = r->ev;

		fake_setup(r->ini);
		lc_prep(r->prep);
		a = sup.svcs[0];
		if (strstr(r->name, "exec failed")) {
			a->proc.fail_step = SPAWN_STEP_EXEC;
			a->proc.fail_errno = EACCES;
		}
		ev.svc = a;
		if (ev.kind == EVT_PROC_EXEC || ev.kind == EVT_PROC_EXITED)
			ev.proc = &a->proc;
		if (ev.kind == EVT_CHECK_RESULT)
			ev.check = a->pr.health_chk;
		if (ev.kind == EVT_RESTART_DUE)	/* a timer event: libev stopped it */
			ev_timer_stop(loop, &a->restart_timer);
		if (ev.kind == EVT_GRACE_EXPIRED)
			ptimer_stop(loop, &a->grace_timer);
		/* the leftovers row: the group is alive when the main exits */
		fake_group_alive = strstr(r->name, "group lives on") ||
				   strstr(r->name, "group still there") ||
				   (r->prep == P_LEFTOVERS && ev.kind != EVT_ORPHAN_REAPED &&
				    !strstr(r->name, "emptied unseen"));
		fake_group_empty = strstr(r->name, "emptied unseen") != NULL;
		if (ev.kind == EVT_STOP_STEP_DUE)
			ev_timer_stop(loop, &a->step_timer);
		start_recording();
		lifecycle_handle(&sup, &ev);

		cr_expect_eq(a->state, r->state, "%s: state %s", r->name, svc_state_name(a->state));
		if (r->kill_sig)
			cr_expect(nkills == 1 && killed(-100, r->kill_sig),
				  "%s: %d kills, last %d to %d",
				  r->name, nkills, last_kill_sig, (int)last_kill_pid);
		else
			cr_expect_eq(nkills, 0, "%s: sent %d signals", r->name, nkills);
		cr_expect_eq(nspawned, r->spawned, "%s: %d started", r->name, nspawned);
		if (r->post == _EVT_MAX) {
			cr_expect_eq(nposted, 0, "%s: posted %s", r->name,
				     nposted ? event_name(posted[0]) : "");
		} else {
			cr_expect(nposted == 1 && posted[0] == r->post, "%s: posted %d", r->name, nposted);
			cr_expect_eq(posted_failed[0], r->post_failed, "%s: failed flag", r->name);
		}
		cr_expect_eq(!!ev_is_active(&a->grace_timer.w), r->grace_armed || r->state == SVC_STOPPING,
			     "%s: grace timer %d", r->name, ev_is_active(&a->grace_timer.w));
		cr_expect_eq(!!ev_is_active(&a->restart_timer), r->restart_armed, "%s: restart timer",
			     r->name);
		cr_expect_eq(!!ev_is_active(&a->step_timer), r->step_armed, "%s: step timer", r->name);
		if (strstr(r->name, "clean"))
			cr_expect(service_clean(a), "%s: not clean", r->name);
		fake_teardown();
	}
}

/* ---- the shutdown machine --------------------------------------------------------- */

enum sprep { S_RUNNING, S_PRESTOP, S_PRESTOP_ELAPSED, S_STOPPING, S_ORPHANS, S_KILLING, S_EXITED };

struct sd_row {
	const char *name;
	const char *ini;	/* service a, pid 100; a global hook, when any, pid 101 */
	enum sprep prep;
	struct event ev;
	bool a_gone;		/* a was reaped just before the event */
	enum stage stage;	/* after the event */
	pid_t kill_pid;		/* a signal sent to it, 0: none at all */
	int kill_sig;
	bool prestop_armed, cap_armed;
	int kids;		/* fake children left (pids 500, 501, ...) at the event */
	bool stage_armed;	/* orphan_grace / reap wait timer after the event */
	int exit_code;		/* when EXITED; -1: not looked at */
	bool single;		/* drainit -- CMD (a's config as --stop-signal, -r would set it) */
};

#define SD_A "[service:a]\ncommand = a\n"
#define SD_DELAY "[drainit]\nprestop_delay = 5s\ndrain = g\n" SD_A

static const struct sd_row sd_rows[] = {
	{ "running + SIGTERM -> stopping (no delay, no hooks)", SD_A, S_RUNNING,
	  { .kind = EVT_SIGNAL, .sig = SIGTERM }, false, STAGE_STOPPING, -100, SIGTERM, false, false , 0, false, -1, false },
	{ "running + SIGTERM -> prestop (delay, hook)", SD_DELAY, S_RUNNING,
	  { .kind = EVT_SIGNAL, .sig = SIGTERM }, false, STAGE_PRESTOP, 0, 0, true, false , 0, false, -1, false },
	{ "running + SIGTERM, shutdown_timeout -> cap armed",
	  "[drainit]\nshutdown_timeout = 9s\nprestop_delay = 1s\n" SD_A, S_RUNNING,
	  { .kind = EVT_SIGNAL, .sig = SIGTERM }, false, STAGE_PRESTOP, 0, 0, true, true , 0, false, -1, false },
	{ "running + SIGUSR1 -> not the shutdown's", SD_A, S_RUNNING,
	  { .kind = EVT_SIGNAL, .sig = SIGUSR1 }, false, STAGE_RUNNING, 0, 0, false, false , 0, false, -1, false },
	{ "running + request -> stopping", SD_A, S_RUNNING,
	  { .kind = EVT_SHUTDOWN_REQUESTED, .text = "asked" }, false, STAGE_STOPPING, -100, SIGTERM,
	  false, false , 0, false, -1, false },
	{ "running + last service ended -> exited", SD_A, S_RUNNING,
	  { .kind = EVT_SERVICE_ENDED }, true, STAGE_EXITED, 0, 0, false, false , 0, false, -1, false },
	{ "running + main ended -> stopping the rest",
	  "[drainit]\nmain = a\n" SD_A "[service:b]\ncommand = b\n", S_RUNNING,
	  { .kind = EVT_SERVICE_ENDED }, true, STAGE_STOPPING, -101, SIGTERM, false, false , 0, false, -1, false },
	{ "running + one of two ended cleanly -> running",
	  SD_A "[service:b]\ncommand = b\n", S_RUNNING,
	  { .kind = EVT_SERVICE_ENDED }, true, STAGE_RUNNING, 0, 0, false, false , 0, false, -1, false },
	{ "running + failed for good, on_failure shutdown -> stopping",
	  SD_A "[service:b]\ncommand = b\n", S_RUNNING,
	  { .kind = EVT_SERVICE_ENDED, .failed = true }, true, STAGE_STOPPING, -101, SIGTERM,
	  false, false , 0, false, -1, false },
	{ "running + failed for good, on_failure keep -> running",
	  "[drainit]\non_failure = keep\n" SD_A "[service:b]\ncommand = b\n", S_RUNNING,
	  { .kind = EVT_SERVICE_ENDED, .failed = true }, true, STAGE_RUNNING, 0, 0, false, false , 0, false, -1, false },
	{ "prestop + delay elapsed, hook running -> prestop", SD_DELAY, S_PRESTOP,
	  { .kind = EVT_PRESTOP_ELAPSED }, false, STAGE_PRESTOP, 0, 0, false, false , 0, false, -1, false },
	{ "prestop + hook done, delay elapsed -> stopping", SD_DELAY, S_PRESTOP_ELAPSED,
	  { .kind = EVT_PROC_EXITED }, false, STAGE_STOPPING, -100, SIGTERM, false, false , 0, false, -1, false },
	{ "prestop + hook timeout -> hook killed", SD_DELAY, S_PRESTOP,
	  { .kind = EVT_HOOK_TIMEOUT }, false, STAGE_PRESTOP, -101, SIGKILL, true, false , 0, false, -1, false },
	{ "prestop + SIGTERM again -> no-op", SD_DELAY, S_PRESTOP,
	  { .kind = EVT_SIGNAL, .sig = SIGTERM }, false, STAGE_PRESTOP, 0, 0, true, false , 0, false, -1, false },
	{ "prestop + SIGINT -> killing", SD_DELAY, S_PRESTOP,
	  { .kind = EVT_SIGNAL, .sig = SIGINT }, false, STAGE_KILLING, -100, SIGKILL, false, false , 0, true, -1, false },
	{ "prestop + everything ended -> waits for the hook", SD_DELAY, S_PRESTOP,
	  { .kind = EVT_SERVICE_ENDED }, true, STAGE_PRESTOP, 0, 0, true, false , 0, false, -1, false },
	{ "stopping + grace expired (a killed) -> killing", SD_A, S_STOPPING,
	  { .kind = EVT_GRACE_EXPIRED }, false, STAGE_KILLING, 0, 0, false, false , 0, true, -1, false },
	{ "stopping + cap expired -> killing", "[drainit]\nshutdown_timeout = 9s\n" SD_A,
	  S_STOPPING, { .kind = EVT_CAP_EXPIRED }, false, STAGE_KILLING, -100, SIGKILL, false, false , 0, true, -1, false },
	{ "stopping + a ended -> exited", SD_A, S_STOPPING, { .kind = EVT_SERVICE_ENDED, false },
	  true, STAGE_EXITED, 0, 0, false, false , 0, false, -1, false },
	{ "killing + a ended -> exited", SD_A, S_KILLING, { .kind = EVT_SERVICE_ENDED, false },
	  true, STAGE_EXITED, 0, 0, false, false , 0, false, -1, false },
	{ "killing + SIGINT -> no-op", SD_A, S_KILLING, { .kind = EVT_SIGNAL, .sig = SIGINT, false },
	  false, STAGE_KILLING, 0, 0, false, false , 0, true, -1, false },
	{ "exited + anything -> ignored", SD_A, S_EXITED, { .kind = EVT_CAP_EXPIRED, false },
	  false, STAGE_EXITED, 0, 0, false, false , 0, false, -1, false },
	{ "stopping + last service ended, orphans left -> orphans", SD_A, S_STOPPING,
	  { .kind = EVT_SERVICE_ENDED }, true, STAGE_ORPHANS, -500, SIGTERM, false, false,
	  1, true, -1, false },
	{ "orphans + one reaped, none left -> exited", SD_A, S_ORPHANS,
	  { .kind = EVT_ORPHAN_REAPED }, false, STAGE_EXITED, 0, 0, false, false, 0, false, 0, false },
	{ "orphans + newly adopted -> it gets SIGTERM too", SD_A, S_ORPHANS,
	  { .kind = EVT_ORPHAN_REAPED }, false, STAGE_ORPHANS, -501, SIGTERM, false, false,
	  2, true, -1, false },
	{ "orphans + orphan_grace over -> killing", SD_A, S_ORPHANS,
	  { .kind = EVT_STAGE_TIMEOUT }, false, STAGE_KILLING, -500, SIGKILL, false, false,
	  1, true, -1, false },
	{ "killing + never reaped, reap wait over -> exited 70", SD_A, S_KILLING,
	  { .kind = EVT_STAGE_TIMEOUT }, false, STAGE_EXITED, 0, 0, false, false, 0, false,
	  EXIT_UNREAPED, false },
	{ "killing + shutdown_timeout -> exited 70", "[drainit]\nshutdown_timeout = 9s\n" SD_A,
	  S_KILLING, { .kind = EVT_CAP_EXPIRED }, false, STAGE_EXITED, 0, 0, false, false, 0,
	  false, EXIT_UNREAPED, false },
	{ "killing + still a child -> waits", SD_A, S_KILLING, { .kind = EVT_SERVICE_ENDED, false },
	  true, STAGE_KILLING, 0, 0, false, false, 1, true, -1, false },
	/* -- CMD: the signal received is handed on; a second one is forwarded */
	{ "-- CMD: running + SIGINT -> stopping with SIGINT", SD_A, S_RUNNING,
	  { .kind = EVT_SIGNAL, .sig = SIGINT }, false, STAGE_STOPPING, -100, SIGINT, false, false,
	  0, false, -1, true },
	{ "-- CMD, --stop-signal QUIT: running + SIGINT -> stopping with SIGQUIT",
	  SD_A "stop_signal = QUIT\n", S_RUNNING, { .kind = EVT_SIGNAL, .sig = SIGINT }, false,
	  STAGE_STOPPING, -100, SIGQUIT, false, false, 0, false, -1, true },
	{ "-- CMD, -r INT:USR2: running + SIGINT -> stopping with SIGUSR2",
	  SD_A "signal_map = INT:USR2\n", S_RUNNING, { .kind = EVT_SIGNAL, .sig = SIGINT }, false,
	  STAGE_STOPPING, -100, SIGUSR2, false, false, 0, false, -1, true },
	{ "-- CMD: prestop + SIGINT -> forwarded, still prestop", SD_DELAY, S_PRESTOP,
	  { .kind = EVT_SIGNAL, .sig = SIGINT }, false, STAGE_PRESTOP, -100, SIGINT, true, false,
	  0, false, -1, true },
	{ "-- CMD: stopping + SIGTERM again -> forwarded", SD_A, S_STOPPING,
	  { .kind = EVT_SIGNAL, .sig = SIGTERM }, false, STAGE_STOPPING, -100, SIGTERM, false, false,
	  0, false, -1, true },
	{ "-- CMD: stopping + SIGINT -> forwarded, not killing", SD_A, S_STOPPING,
	  { .kind = EVT_SIGNAL, .sig = SIGINT }, false, STAGE_STOPPING, -100, SIGINT, false, false,
	  0, false, -1, true },
};

static void
sd_prep(enum sprep p)
{
	struct service *a = sup.svcs[0];

	lifecycle_start_all(&sup);
	exec_all();
	if (p == S_RUNNING)
		return;
	post_signal(SIGTERM);
	if (p == S_PRESTOP)
		return;
	if (sup.stage == STAGE_PRESTOP) {
		ev_timer_stop(loop, &sup.prestop_timer);
		post(EVT_PRESTOP_ELAPSED, NULL);
	}
	if (p == S_PRESTOP_ELAPSED)
		return;
	if (p == S_STOPPING)
		return;
	if (p == S_ORPHANS) {	/* a is gone, pid 500 was adopted and got SIGTERM */
		fake_kids[0] = 500;
		nfake_kids = 1;
		reaper_on_exit(&sup, a->proc.pid, SIGNALED(SIGTERM));
		return;
	}
	if (p == S_KILLING) {
		post_signal(SIGINT);
		return;
	}
	reaper_on_exit(&sup, a->proc.pid, SIGNALED(SIGTERM));
}

Test(shutdown_table, rows)
{
	for (size_t i = 0; i < sizeof(sd_rows) / sizeof(sd_rows[0]); i++) {
		const struct sd_row *r = &sd_rows[i];
		struct event ev = r->ev;
		struct service *a;

		fake_setup(r->ini);
		cfg.single = r->single;
		sd_prep(r->prep);
		a = sup.svcs[0];
		if (r->a_gone) {
			/* as the lifecycle machine leaves it; its event is this row's */
			sup.on_event = record;
			proc_untrack(&sup, &a->proc);
			lifecycle_handle(&sup, &(struct event){ .kind = EVT_PROC_EXITED,
								.proc = &a->proc,
								.wstatus = EXITED(0) });
		}
		if (r->ev.kind == EVT_SERVICE_ENDED)
			ev.svc = a;
		if (r->ev.kind == EVT_PROC_EXITED) {	/* the hook ended; hooks.c noted it */
			ev.proc = &sup.hooks[0]->proc;
			proc_untrack(&sup, ev.proc);
			hook_on_exit(&sup, sup.hooks[0], EXITED(0));
		}
		if (r->ev.kind == EVT_HOOK_TIMEOUT) {
			ev.hook = sup.hooks[0];
			ev_timer_stop(loop, &sup.hooks[0]->timer);	/* libev stopped it */
		}
		if (r->ev.kind == EVT_PRESTOP_ELAPSED)
			ev_timer_stop(loop, &sup.prestop_timer);
		if (r->ev.kind == EVT_CAP_EXPIRED)
			ptimer_stop(loop, &sup.cap_timer);
		if (r->ev.kind == EVT_STAGE_TIMEOUT)
			ptimer_stop(loop, &sup.stage_timer);
		for (int k = 0; k < r->kids; k++)
			fake_kids[k] = 500 + k;
		nfake_kids = r->kids;
		if (r->ev.kind == EVT_GRACE_EXPIRED) {
			ev.svc = a;
			lifecycle_kill(&sup, a);	/* what the lifecycle machine did first */
		}
		start_recording();
		shutdown_handle(&sup, &ev);

		cr_expect_eq(sup.stage, r->stage, "%s: stage %s", r->name, stage_name(sup.stage));
		if (r->kill_pid)
			cr_expect(killed(r->kill_pid, r->kill_sig) && (!r->single || nkills == 1),
				  "%s: %d kills, last %d to %d", r->name, nkills, last_kill_sig,
				  (int)last_kill_pid);
		else
			cr_expect_eq(nkills, 0, "%s: sent %d signals", r->name, nkills);
		cr_expect_eq(!!ev_is_active(&sup.prestop_timer), r->prestop_armed, "%s: prestop timer",
			     r->name);
		cr_expect_eq(!!ev_is_active(&sup.cap_timer.w), r->cap_armed, "%s: cap timer", r->name);
		if (r->stage == STAGE_EXITED && r->prep != S_EXITED)
			cr_expect(nposted == 1 && posted[0] == EVT_OUTPUT_FLUSHED,
				  "%s: the exit flushes output, then ends the loop", r->name);
		if (r->stage != STAGE_EXITED)
			cr_expect_eq(!!ev_is_active(&sup.stage_timer.w), r->stage_armed,
				     "%s: stage timer", r->name);
		if (r->exit_code >= 0 && r->stage == STAGE_EXITED)
			cr_expect_eq(shutdown_exit_code(&sup), r->exit_code, "%s: exit code %d", r->name,
				     shutdown_exit_code(&sup));
		fake_teardown();
	}
}

/* ---- job control ------------------------------------------------------------------ */

Test(job_control, tstp_goes_to_the_group_then_drainit_stops)
{
	static const int sigs[] = { SIGTSTP, SIGTTIN, SIGTTOU };

	for (size_t i = 0; i < 3; i++) {
		fake_setup(A);
		lc_prep(P_RUNNING);
		start_recording();
		lifecycle_handle(&sup, &(struct event){ .kind = EVT_SIGNAL, .sig = sigs[i] });
		cr_expect_eq(nkills, 2, "%s: %d kills", signal_name(sigs[i]), nkills);
		cr_expect(kills[0].pid == -100 && kills[0].sig == sigs[i], "the service's group first");
		cr_expect(kills[1].pid == getpid() && kills[1].sig == SIGSTOP, "then drainit itself");
		fake_teardown();
	}
	fake_setup(A);
	lc_prep(P_RUNNING);
	sup.is_pid1 = true;
	start_recording();
	lifecycle_handle(&sup, &(struct event){ .kind = EVT_SIGNAL, .sig = SIGTSTP });
	cr_expect(nkills == 1 && kills[0].pid == -100, "as PID 1, the group only");
	fake_teardown();
}

/* ---- the event path itself ------------------------------------------------------------- */

static int order[8], norder;

static void
nesting_handler(void *ctx, const struct event *ev)
{
	struct event_queue *q = ctx;

	order[norder++] = ev->sig;
	if (ev->sig == 1) {	/* posts two more while it runs */
		event_post(q, &(struct event){ .sig = 2 }, nesting_handler, q);
		event_post(q, &(struct event){ .sig = 3 }, nesting_handler, q);
		order[norder++] = 10;	/* ...and finishes before they run */
	}
}

Test(event_path, posts_during_a_handler_wait_their_turn)
{
	struct event_queue q = { 0 };

	event_post(&q, &(struct event){ .sig = 1 }, nesting_handler, &q);
	cr_expect_eq(norder, 4);
	cr_expect(order[0] == 1 && order[1] == 10 && order[2] == 2 && order[3] == 3,
		  "FIFO after the handler: %d %d %d %d", order[0], order[1], order[2], order[3]);
	event_queue_free(&q);
}

/* ---- drainit ctl requests: both machines ------------------------------------------------ */

enum cprep { C_RUNNING, C_HELD, C_BACKOFF, C_STOPPING_CTL };

struct ctl_row {
	const char *name;
	const char *ini;	/* service a is svcs[0], pid 100 */
	enum cprep prep;
	struct event ev;	/* .svc and .reply filled in by the test */
	bool reply_ok;
	enum svc_state state;	/* a's state after the event */
	int kill_sig;		/* sent to a's group, 0: nothing */
	int spawned;
	enum event_kind post;	/* posted, _EVT_MAX: nothing */
	enum stage stage;	/* after the event */
	bool held;		/* a->ctl_stopped after the event */
};

static const struct ctl_row ctl_rows[] = {
	{ "running + ctl stop -> stopping, held", A, C_RUNNING, { .kind = EVT_CTL_STOP },
	  true, SVC_STOPPING, SIGTERM, 0, _EVT_MAX, STAGE_RUNNING, true },
	{ "running + ctl stop, drain hook -> its hook first, no signal yet",
	  A "drain = h\n", C_RUNNING, { .kind = EVT_CTL_STOP },
	  true, SVC_RUNNING, 0, 1, _EVT_MAX, STAGE_RUNNING, true },
	{ "stopping (ctl) + exit -> exited, ended, drainit keeps running", A, C_STOPPING_CTL,
	  { .kind = EVT_PROC_EXITED, .wstatus = SIGNALED(SIGTERM) },
	  true, SVC_EXITED, 0, 0, EVT_SERVICE_ENDED, STAGE_RUNNING, true },
	{ "running + ctl restart -> stopping, not held", A, C_RUNNING, { .kind = EVT_CTL_RESTART },
	  true, SVC_STOPPING, SIGTERM, 0, _EVT_MAX, STAGE_RUNNING, false },
	{ "held + ctl start -> starting", A "restart = always\n", C_HELD, { .kind = EVT_CTL_START },
	  true, SVC_STARTING, 0, 1, _EVT_MAX, STAGE_RUNNING, false },
	{ "held + ctl stop -> still held, nothing sent", A, C_HELD, { .kind = EVT_CTL_STOP },
	  true, SVC_EXITED, 0, 0, _EVT_MAX, STAGE_RUNNING, true },
	{ "held + ctl restart -> starting", A, C_HELD, { .kind = EVT_CTL_RESTART },
	  true, SVC_STARTING, 0, 1, _EVT_MAX, STAGE_RUNNING, false },
	{ "running + ctl start -> running, nothing done", A, C_RUNNING, { .kind = EVT_CTL_START },
	  true, SVC_RUNNING, 0, 0, _EVT_MAX, STAGE_RUNNING, false },
	{ "backoff + ctl stop -> exited, held, no restart", A, C_BACKOFF, { .kind = EVT_CTL_STOP },
	  true, SVC_EXITED, 0, 0, _EVT_MAX, STAGE_RUNNING, true },
	{ "backoff + ctl start -> starting now", A, C_BACKOFF, { .kind = EVT_CTL_START },
	  true, SVC_STARTING, 0, 1, _EVT_MAX, STAGE_RUNNING, false },
	{ "running + ctl signal HUP -> sent to its group", A, C_RUNNING,
	  { .kind = EVT_CTL_SIGNAL, .sig = SIGHUP },
	  true, SVC_RUNNING, SIGHUP, 0, _EVT_MAX, STAGE_RUNNING, false },
	{ "held + ctl signal -> refused", A, C_HELD, { .kind = EVT_CTL_SIGNAL, .sig = SIGHUP },
	  false, SVC_EXITED, 0, 0, _EVT_MAX, STAGE_RUNNING, true },
	{ "running + ctl shutdown -> stopping", A, C_RUNNING, { .kind = EVT_CTL_SHUTDOWN },
	  true, SVC_STOPPING, SIGTERM, 0, _EVT_MAX, STAGE_STOPPING, false },
	{ "running + ctl shutdown, prestop_delay -> prestop, nothing sent",
	  "[drainit]\nprestop_delay = 5s\n" A, C_RUNNING, { .kind = EVT_CTL_SHUTDOWN },
	  true, SVC_RUNNING, 0, 0, _EVT_MAX, STAGE_PRESTOP, false },
	{ "running + ctl shutdown --force -> killing", "[drainit]\nprestop_delay = 5s\n" A,
	  C_RUNNING, { .kind = EVT_CTL_SHUTDOWN, .force = true },
	  true, SVC_KILLING, SIGKILL, 0, _EVT_MAX, STAGE_KILLING, false },
	{ "running + ctl stop of the main service, ended -> drainit keeps running",
	  "[drainit]\nmain = a\n" A, C_STOPPING_CTL,
	  { .kind = EVT_PROC_EXITED, .wstatus = SIGNALED(SIGTERM) },
	  true, SVC_EXITED, 0, 0, EVT_SERVICE_ENDED, STAGE_RUNNING, true },
};

static void
ctl_prep(enum cprep p)
{
	struct service *a = sup.svcs[0];
	struct ctl_result r = { 0 };

	lifecycle_start_all(&sup);
	exec_ok(&a->proc);
	switch (p) {
	case C_HELD:
	case C_STOPPING_CTL:
		sup_post(&sup, &(struct event){ .kind = EVT_CTL_STOP, .svc = a, .reply = &r });
		cr_assert(r.done && r.ok, "prep: ctl stop: %s", r.msg);
		if (p == C_HELD)
			reaper_on_exit(&sup, a->proc.pid, SIGNALED(SIGTERM));
		break;
	case C_BACKOFF:
		reaper_on_exit(&sup, 100, EXITED(1));
		break;
	case C_RUNNING:
	default:
		break;
	}
}

Test(ctl_table, rows)
{
	for (size_t i = 0; i < sizeof(ctl_rows) / sizeof(ctl_rows[0]); i++) {
		const struct ctl_row *r = &ctl_rows[i];
		struct ctl_result res = { 0 };
		struct event ev = r->ev;
		struct service *a;

		fake_setup(r->ini);
		ctl_prep(r->prep);
		a = sup.svcs[0];
		ev.svc = a;
		if (ev.kind == EVT_PROC_EXITED) {
			ev.proc = &a->proc;
			proc_untrack(&sup, &a->proc);	/* as the reaper leaves it */
		} else {
			ev.reply = &res;
		}
		start_recording();
		lifecycle_handle(&sup, &ev);
		shutdown_handle(&sup, &ev);
		/* what the lifecycle machine posted, as the dispatcher would deliver it */
		for (int k = 0; k < nposted && k < MAXPOSTED; k++)
			shutdown_handle(&sup, &(struct event){ .kind = posted[k], .svc = a,
							       .failed = posted_failed[k] });

		if (ev.reply) {
			cr_expect(res.done, "%s: not answered", r->name);
			cr_expect_eq(res.ok, r->reply_ok, "%s: answer %d (%s)", r->name, res.ok, res.msg);
		}
		cr_expect_eq(a->state, r->state, "%s: state %s", r->name, svc_state_name(a->state));
		if (r->kill_sig)
			cr_expect(killed(-a->proc.pid, r->kill_sig) || killed(-100, r->kill_sig),
				  "%s: %d kills, last %d to %d", r->name, nkills, last_kill_sig,
				  (int)last_kill_pid);
		else
			cr_expect_eq(nkills, 0, "%s: sent %d signals", r->name, nkills);
		cr_expect_eq(nspawned, r->spawned, "%s: %d started", r->name, nspawned);
		if (r->post == _EVT_MAX)
			cr_expect_eq(nposted, 0, "%s: posted %s", r->name,
				     nposted ? event_name(posted[0]) : "");
		else
			cr_expect(nposted >= 1 && posted[0] == r->post, "%s: posted %d", r->name, nposted);
		cr_expect_eq(sup.stage, r->stage, "%s: stage %s", r->name, stage_name(sup.stage));
		cr_expect_eq(a->ctl_stopped, r->held, "%s: held %d", r->name, a->ctl_stopped);
		fake_teardown();
	}
}

/* ---- the adaptive prestop decision ------------------------------------------------ */

#define PRESTOP_INI "[drainit]\nprobe_listen = 127.0.0.1:9\nprestop_delay = 30s\n" SD_A

static void
prober_asks(const char *ip, int code)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(40000) };

	inet_pton(AF_INET, ip, &sa.sin_addr);
	sup_saw_prober(&sup, (struct sockaddr *)&sa, sizeof(sa), code);
}

/* One sample of the services' sockets, DRAIN_POLL_MS later. */
static void
sample(unsigned listening, unsigned conns, unsigned inflight, unsigned fresh)
{
	fake_now += 100;
	sup_post(&sup, &(struct event){ .kind = EVT_DRAIN_SAMPLE,
					.drain = { .ok = true, .listening = listening, .conns = conns,
						   .inflight = inflight, .fresh = fresh } });
}

static void
prestop_setup(const char *ini)
{
	fake_setup(ini);
	lifecycle_start_all(&sup);
	exec_all();
	fake_drain.listening = 1;	/* the service listens */
}

TestSuite(prestop, .fini = fake_teardown);

Test(prestop, ends_once_probers_saw_503s_and_sockets_are_quiet)
{
	prestop_setup(PRESTOP_INI);
	prober_asks("10.0.0.7", 200);
	post_signal(SIGTERM);
	cr_assert_eq(sup.stage, STAGE_PRESTOP);
	cr_expect(sup.adaptive);
	cr_expect(ev_is_active(&sup.drain_timer), "sampling during prestop");
	prober_asks("10.0.0.7", 503);
	prober_asks("10.0.0.7", 503);
	for (int i = 0; i < 15; i++)	/* 1.5 s of quiet sockets */
		sample(1, 2, 0, 0);
	cr_expect_eq(sup.stage, STAGE_PRESTOP, "the prober has seen 503 twice of 3");
	prober_asks("10.0.0.7", 503);
	sample(1, 2, 0, 0);
	cr_expect_eq(sup.stage, STAGE_STOPPING, "%s", sup.prestop_why);
	cr_expect(strstr(sup.prestop_why, "10.0.0.7 saw 503 x3"), "%s", sup.prestop_why);
	cr_expect(strstr(sup.prestop_why, "0 requests in flight (2 idle keep-alive)"), "%s",
		  sup.prestop_why);
	cr_expect_not(ev_is_active(&sup.drain_timer), "no sampling after prestop");
	cr_expect(killed(-100, SIGTERM));
}

Test(prestop, waits_for_requests_in_flight_and_new_connections)
{
	prestop_setup(PRESTOP_INI);
	post_signal(SIGTERM);	/* no prober: only the sockets count */
	sample(1, 3, 1, 0);
	for (int i = 0; i < 20; i++)
		sample(1, 3, 1, 0);
	cr_expect_eq(sup.stage, STAGE_PRESTOP, "a request is in flight");
	sample(1, 3, 0, 1);	/* done, but a new connection came */
	for (int i = 0; i < 8; i++)
		sample(1, 3, 0, 0);
	cr_expect_eq(sup.stage, STAGE_PRESTOP, "less than drain_quiet since the new connection");
	for (int i = 0; i < 3; i++)
		sample(1, 3, 0, 0);
	cr_expect_eq(sup.stage, STAGE_STOPPING, "%s", sup.prestop_why);
	cr_expect(strstr(sup.prestop_why, "no new connection for 1s"), "%s", sup.prestop_why);
}

Test(prestop, prestop_min_is_a_floor)
{
	prestop_setup("[drainit]\nprobe_listen = 127.0.0.1:9\nprestop_delay = 30s\nprestop_min = 5s\n" SD_A);
	post_signal(SIGTERM);
	for (int i = 0; i < 40; i++)	/* 4 s */
		sample(1, 0, 0, 0);
	cr_expect_eq(sup.stage, STAGE_PRESTOP);
	for (int i = 0; i < 11; i++)
		sample(1, 0, 0, 0);
	cr_expect_eq(sup.stage, STAGE_STOPPING);
}

Test(prestop, ends_at_its_maximum_when_the_traffic_stays)
{
	prestop_setup(PRESTOP_INI);
	post_signal(SIGTERM);
	sample(1, 5, 2, 0);
	fake_now += 30000;
	ev_timer_stop(loop, &sup.prestop_timer);
	post(EVT_PRESTOP_ELAPSED, NULL);
	cr_expect_eq(sup.stage, STAGE_STOPPING);
	cr_expect(strstr(sup.prestop_why, "2 requests in flight"), "%s", sup.prestop_why);
}

Test(prestop, no_probe_server_and_no_socket_keeps_the_fixed_delay)
{
	fake_setup("[drainit]\nprestop_delay = 5s\n" SD_A);
	lifecycle_start_all(&sup);
	exec_all();
	post_signal(SIGTERM);	/* fake_drain: nothing listens */
	cr_expect_not(sup.adaptive);
	cr_expect_not(ev_is_active(&sup.drain_timer), "no sampling: no wake-ups");
	for (int i = 0; i < 20; i++)
		sample(0, 0, 0, 0);
	cr_expect_eq(sup.stage, STAGE_PRESTOP, "waits out the delay");
}
