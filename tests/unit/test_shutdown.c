/* Unit tests: the shutdown stage machine and the lifecycle machine, fed
 * events through the real dispatcher over the fake syscalls of fakesys.h. */
#include "fakesys.h"

static void
setup(const char *ini)
{
	fake_setup(ini);
	lifecycle_start_all(&sup);
	exec_all();
}

static void
teardown(void)
{
	fake_teardown();
}

TestSuite(stages, .fini = teardown);

Test(stages, full_sequence_clean)
{
	setup("[drainit]\nprestop_delay = 5s\n"
	      "[service:web]\ncommand = web\n"
	      "[service:worker]\ncommand = worker\nstop_signal = QUIT\n");
	cr_assert_eq(sup.stage, STAGE_RUNNING);
	cr_assert(sup.ready);

	post_signal(SIGTERM);
	cr_expect_eq(sup.stage, STAGE_PRESTOP, "stage %s", stage_name(sup.stage));
	cr_expect_not(sup.ready, "readiness must flip at once");
	cr_expect(ev_is_active(&sup.prestop_timer));
	cr_expect_eq(nkills, 0, "nothing may be signalled during prestop");
	cr_expect_not(ev_is_active(&sup.cap_timer.w), "no cap configured");

	fake_now += 5000;
	post(EVT_PRESTOP_ELAPSED, NULL);
	cr_expect_eq(sup.stage, STAGE_STOPPING);
	cr_expect(killed(-100, SIGTERM));
	cr_expect(killed(-101, SIGQUIT));
	cr_expect(ev_is_active(&sup.svcs[0]->grace_timer.w));
	cr_expect_eq(sup.svcs[1]->state, SVC_STOPPING);

	reaper_on_exit(&sup, 100, EXITED(0));
	cr_expect_eq(sup.stage, STAGE_STOPPING);
	cr_expect_not(ev_is_active(&sup.svcs[0]->grace_timer.w));
	reaper_on_exit(&sup, 101, SIGNALED(SIGQUIT));
	cr_expect_eq(sup.stage, STAGE_EXITED);
	cr_expect_eq(shutdown_exit_code(&sup), 0, "died of its stop signal = clean");
	cr_expect_not(ev_is_active(&sup.svcs[1]->grace_timer.w));
	cr_expect_eq(sup.stage_ended[STAGE_PRESTOP] - sup.stage_started[STAGE_PRESTOP], 5000);
	cr_expect_not(sup.stage_seen[STAGE_KILLING]);
}

Test(stages, grace_expiry_escalates_per_service)
{
	setup("[service:a]\ncommand = a\ngrace_period = 1s\n"
	      "[service:b]\ncommand = b\ngrace_period = 9s\n");
	post_signal(SIGTERM);
	cr_assert_eq(sup.stage, STAGE_STOPPING, "no delay, no hooks: straight to stopping");
	post(EVT_GRACE_EXPIRED, sup.svcs[0]);
	cr_expect(killed(-100, SIGKILL));
	cr_expect_not(killed(-101, SIGKILL));
	cr_expect_eq(sup.stage, STAGE_STOPPING, "b is still in its grace period");
	post(EVT_GRACE_EXPIRED, sup.svcs[1]);
	cr_expect(killed(-101, SIGKILL));
	cr_expect_eq(sup.stage, STAGE_KILLING);
	cr_expect_not(killed(-1, SIGKILL), "kill(-1) only as PID 1");
	reaper_on_exit(&sup, 101, SIGNALED(SIGKILL));
	reaper_on_exit(&sup, 100, SIGNALED(SIGKILL));
	cr_expect_eq(sup.stage, STAGE_EXITED);
	cr_expect_eq(shutdown_exit_code(&sup), 137);
	cr_expect(sup.svcs[0]->killed && sup.svcs[1]->killed);
}

Test(stages, prestop_waits_for_hooks_and_delay)
{
	setup("[drainit]\nprestop_delay = 1s\ndrain = g\n"
	      "[service:a]\ncommand = a\ndrain = h\n");
	/* pids: service 100, hooks 101 (global) and 102 */
	post_signal(SIGTERM);
	cr_assert_eq(sup.stage, STAGE_PRESTOP);
	cr_expect_eq(sup.nhooks, 2);
	cr_expect(sup.hooks[0]->running && sup.hooks[1]->running);
	cr_expect(ev_is_active(&sup.hooks[0]->timer), "hooks have a timeout timer");
	post(EVT_PRESTOP_ELAPSED, NULL);
	cr_expect_eq(sup.stage, STAGE_PRESTOP, "hooks still run");
	reaper_on_exit(&sup, 101, EXITED(0));
	cr_expect_eq(sup.stage, STAGE_PRESTOP);
	reaper_on_exit(&sup, 102, EXITED(1));	/* a failed hook does not stop the shutdown */
	cr_expect_eq(sup.stage, STAGE_STOPPING);
	cr_expect(killed(-100, SIGTERM));
}

Test(stages, hooks_done_before_delay_still_wait_for_delay)
{
	setup("[drainit]\nprestop_delay = 1s\ndrain = g\n[service:a]\ncommand = a\n");
	post_signal(SIGTERM);
	reaper_on_exit(&sup, 101, EXITED(0));
	cr_expect_eq(sup.stage, STAGE_PRESTOP);
	cr_expect_eq(nkills, 0);
	post(EVT_PRESTOP_ELAPSED, NULL);
	cr_expect_eq(sup.stage, STAGE_STOPPING);
}

Test(stages, repeated_sigterm_is_a_no_op)
{
	setup("[drainit]\nprestop_delay = 1s\n[service:a]\ncommand = a\n");
	post_signal(SIGTERM);
	post_signal(SIGTERM);
	post_signal(SIGTERM);
	cr_expect_eq(sup.stage, STAGE_PRESTOP);
	cr_expect_eq(nkills, 0);
}

Test(stages, second_sigint_forces_killing_as_pid1)
{
	setup("[drainit]\nprestop_delay = 1m\ndrain = g\n[service:a]\ncommand = a\n");
	sup.is_pid1 = true;
	post_signal(SIGINT);
	cr_assert_eq(sup.stage, STAGE_PRESTOP);
	post_signal(SIGINT);
	cr_expect_eq(sup.stage, STAGE_KILLING);
	cr_expect(killed(-101, SIGKILL), "running hook killed");
	cr_expect(killed(-100, SIGKILL), "service killed");
	cr_expect(killed(-1, SIGKILL), "stragglers swept as PID 1");
	cr_expect_not(killed(-100, SIGTERM), "stop signal skipped");
	cr_expect_not(ev_is_active(&sup.prestop_timer));
	reaper_on_exit(&sup, 101, SIGNALED(SIGKILL));
	cr_expect_eq(sup.stage, STAGE_KILLING);
	reaper_on_exit(&sup, 100, SIGNALED(SIGKILL));
	cr_expect_eq(sup.stage, STAGE_EXITED);
	cr_expect_not(sup.stage_seen[STAGE_STOPPING]);
}

Test(stages, cap_expiry_kills_everything)
{
	setup("[drainit]\nshutdown_timeout = 2s\n[service:a]\ncommand = a\ngrace_period = 1h\n");
	post_signal(SIGTERM);
	cr_expect(ev_is_active(&sup.cap_timer.w));
	cr_expect_eq(sup.stage, STAGE_STOPPING);
	post(EVT_CAP_EXPIRED, NULL);
	cr_expect_eq(sup.stage, STAGE_KILLING);
	cr_expect(killed(-100, SIGKILL));
	cr_expect_not(ev_is_active(&sup.svcs[0]->grace_timer.w));
	reaper_on_exit(&sup, 100, SIGNALED(SIGKILL));
	cr_expect_eq(sup.stage, STAGE_EXITED);
	cr_expect_not(ev_is_active(&sup.cap_timer.w));
}

Test(stages, everything_gone_during_prestop_skips_the_delay)
{
	setup("[drainit]\nprestop_delay = 1h\n[service:a]\ncommand = a\n");
	post_signal(SIGTERM);
	cr_assert_eq(sup.stage, STAGE_PRESTOP);
	reaper_on_exit(&sup, 100, EXITED(0));
	cr_expect_eq(sup.stage, STAGE_EXITED, "never wait out a timer no longer needed");
	cr_expect_eq(nkills, 0, "nothing left to signal");
	cr_expect_not(ev_is_active(&sup.prestop_timer));
}

Test(stages, main_exit_starts_shutdown_with_its_code)
{
	setup("[drainit]\nmain = web\n[service:web]\ncommand = web\n[service:db]\ncommand = db\n");
	reaper_on_exit(&sup, 100, EXITED(3));
	cr_expect_eq(sup.stage, STAGE_STOPPING);
	cr_expect(killed(-101, SIGTERM));
	cr_expect_not(killed(-100, SIGTERM), "main is gone: never signal a reaped pid");
	reaper_on_exit(&sup, 101, SIGNALED(SIGTERM));
	cr_expect_eq(sup.stage, STAGE_EXITED);
	cr_expect_eq(shutdown_exit_code(&sup), 3);
}

Test(stages, non_main_exit_is_only_logged)
{
	setup("[service:a]\ncommand = a\nrestart = no\n[service:b]\ncommand = b\n");
	reaper_on_exit(&sup, 100, EXITED(2));
	cr_expect_eq(sup.stage, STAGE_RUNNING);
	cr_expect_eq(sup.svcs[0]->state, SVC_EXITED);
	post_signal(SIGTERM);
	cr_expect(killed(-101, SIGTERM));
	reaper_on_exit(&sup, 101, EXITED(0));
	cr_expect_eq(sup.stage, STAGE_EXITED);
	cr_expect_eq(shutdown_exit_code(&sup), 2, "first service that did not stop cleanly");
}

Test(stages, last_service_ending_starts_shutdown)
{
	setup("[service:a]\ncommand = a\n[service:b]\ncommand = b\n");
	reaper_on_exit(&sup, 100, EXITED(0));
	cr_expect_eq(sup.stage, STAGE_RUNNING);
	reaper_on_exit(&sup, 101, EXITED(0));
	cr_expect_eq(sup.stage, STAGE_EXITED);
	cr_expect_eq(shutdown_exit_code(&sup), 0);
}

Test(stages, orphans_are_counted_not_acted_on)
{
	setup("[service:a]\ncommand = a\n");
	reaper_on_exit(&sup, 4242, EXITED(0));
	reaper_on_exit(&sup, 4243, SIGNALED(9));
	cr_expect_eq(sup.orphans_reaped, 2);
	cr_expect_eq(sup.stage, STAGE_RUNNING);
	cr_expect(service_alive(sup.svcs[0]));
}

Test(stages, events_after_exit_are_ignored)
{
	setup("[service:a]\ncommand = a\n");
	post_signal(SIGTERM);
	reaper_on_exit(&sup, 100, EXITED(0));
	cr_assert_eq(sup.stage, STAGE_EXITED);
	int before = nkills;
	post_signal(SIGINT);
	post(EVT_CAP_EXPIRED, NULL);
	post(EVT_GRACE_EXPIRED, sup.svcs[0]);
	cr_expect_eq(sup.stage, STAGE_EXITED);
	cr_expect_eq(nkills, before);
}

Test(stages, forwarding_reaches_live_groups_only)
{
	setup("[service:a]\ncommand = a\n[service:b]\ncommand = b\n[service:c]\ncommand = c\n");
	reaper_on_exit(&sup, 101, EXITED(0));
	post_signal(SIGHUP);
	cr_expect(killed(-100, SIGHUP));
	cr_expect_not(killed(-101, SIGHUP));
	cr_expect(killed(-102, SIGHUP));
}

Test(exit_codes, mapping)
{
	struct service s = { 0 };
	struct svc_config c;

	svc_config_init(&c);
	s.cfg = &c;
	cr_expect_eq(status_to_code(EXITED(0)), 0);
	cr_expect_eq(status_to_code(EXITED(42)), 42);
	cr_expect_eq(status_to_code(SIGNALED(SIGKILL)), 137);
	cr_expect_eq(status_to_code(SIGNALED(SIGTERM)), 143);
	s.state = SVC_EXITED;
	s.wstatus = SIGNALED(SIGTERM);
	cr_expect_not(service_clean(&s), "SIGTERM drainit did not send is not clean");
	s.sent_signal = SIGTERM;
	s.sent_mask = 1u << (SIGTERM - 1);
	cr_expect(service_clean(&s));
	s.wstatus = SIGNALED(SIGQUIT);
	cr_expect_not(service_clean(&s), "a signal other than the one sent");
	s.sent_mask |= 1u << (SIGQUIT - 1);	/* a later step of its stop sequence */
	cr_expect(service_clean(&s));
	s.killed = true;
	cr_expect_not(service_clean(&s), "SIGKILLed: not clean, whatever it died of");
	s.killed = false;
	s.sent_mask = 0;
	s.sent_signal = 0;
	s.proc.fail_step = SPAWN_STEP_EXEC;
	s.proc.fail_errno = 2;	/* ENOENT */
	cr_expect_eq(service_exit_code(&s), 127);
	s.proc.fail_errno = 13;	/* EACCES */
	cr_expect_eq(service_exit_code(&s), 126);
	s.proc.fail_step = SPAWN_STEP_CHDIR;
	s.proc.fail_errno = 2;	/* a missing directory is not a missing command */
	cr_expect_eq(service_exit_code(&s), 126);
	cr_expect_not(service_clean(&s));
}

Test(exit_codes, success_exit)
{
	struct service s = { .state = SVC_EXITED };
	struct svc_config c;
	char err[128];

	svc_config_init(&c);
	s.cfg = &c;
	cr_assert_eq(parse_success_exit("3 143 SIGUSR1", &c.success_exit, err, sizeof(err)), 0);
	s.wstatus = EXITED(3);
	cr_expect(service_clean(&s), "a listed exit code is clean");
	cr_expect_eq(service_exit_code(&s), 0, "and drainit reports 0 for it");
	s.wstatus = EXITED(4);
	cr_expect_not(service_clean(&s));
	cr_expect_eq(service_exit_code(&s), 4);
	s.wstatus = SIGNALED(SIGTERM);	/* 143 */
	cr_expect(service_clean(&s), "143 lists death by SIGTERM too (128+15)");
	cr_expect_eq(service_exit_code(&s), 0);
	s.wstatus = SIGNALED(SIGUSR1);
	cr_expect(service_clean(&s), "a listed signal");
	s.wstatus = EXITED(128 + SIGUSR1);
	cr_expect_not(service_clean(&s), "a signal name is a death by it, not exit 138");
	s.state = SVC_FAILED;
	s.wstatus = EXITED(3);
	cr_expect_not(service_clean(&s), "failed for good stays failed");
	cr_expect_eq(service_exit_code(&s), 3, "its own code, listed or not");
}

Test(names, tables_are_complete)
{
	for (int i = 0; i < _STAGE_MAX; i++)
		cr_expect_str_neq(stage_name(i), "?");
	for (int i = 0; i < _EVT_MAX; i++)
		cr_expect_str_neq(event_name(i), "?");
	for (int i = 0; i < _SVC_MAX; i++)
		cr_expect_str_neq(svc_state_name(i), "?");
	cr_expect_str_eq(stage_name(STAGE_PRESTOP), "prestop");
}

/* ---- lifecycle: restarts, dependencies, oneshots ------------------------- */

Test(lifecycle, backoff_doubles_up_to_the_cap)
{
	struct svc_config c;
	svc_config_init(&c);
	c.restart_delay_ms = 100;
	c.restart_delay_max_ms = 1000;
	cr_expect_eq(lifecycle_backoff(&c, 0), 100);
	cr_expect_eq(lifecycle_backoff(&c, 1), 200);
	cr_expect_eq(lifecycle_backoff(&c, 3), 800);
	cr_expect_eq(lifecycle_backoff(&c, 4), 1000);
	cr_expect_eq(lifecycle_backoff(&c, 200), 1000, "no overflow on long streaks");
}

TestSuite(lifecycle, .fini = teardown);

Test(lifecycle, crash_is_restarted_with_growing_delay_then_reset)
{
	setup("[service:a]\ncommand = a\nrestart_delay = 100ms\nrestart_reset = 10s\n");
	for (int i = 0; i < 3; i++) {
		fake_now += 10;
		reaper_on_exit(&sup, sup.svcs[0]->proc.pid, EXITED(1));
		cr_assert_eq(sup.svcs[0]->state, SVC_BACKOFF);
		cr_assert(ev_is_active(&sup.svcs[0]->restart_timer));
		cr_expect_float_eq(ev_timer_remaining(loop, &sup.svcs[0]->restart_timer),
				   (100 << i) / 1000.0, 0.05, "restart %d", i);
		/* the timer fires */
		fire(&sup.svcs[0]->restart_timer);
		cr_assert_eq(sup.svcs[0]->state, SVC_STARTING);
		exec_all();
	}
	cr_expect_eq(sup.svcs[0]->restarts, 3);
	/* a long run resets the backoff */
	fake_now += 20000;
	reaper_on_exit(&sup, sup.svcs[0]->proc.pid, EXITED(1));
	cr_expect_float_eq(ev_timer_remaining(loop, &sup.svcs[0]->restart_timer), 0.1, 0.05);
	cr_expect_eq(sup.stage, STAGE_RUNNING);
}

Test(lifecycle, clean_exit_not_restarted_on_failure_but_always)
{
	setup("[service:a]\ncommand = a\n[service:b]\ncommand = b\nrestart = always\n"
	      "[service:c]\ncommand = c\n");
	reaper_on_exit(&sup, 100, EXITED(0));
	cr_expect_eq(sup.svcs[0]->state, SVC_EXITED);
	reaper_on_exit(&sup, 101, EXITED(0));
	cr_expect_eq(sup.svcs[1]->state, SVC_BACKOFF);
	cr_expect_eq(sup.stage, STAGE_RUNNING);
}

Test(lifecycle, restart_limit_fails_for_good_and_shuts_down)
{
	setup("[service:a]\ncommand = a\nrestart_limit = 2/1m\nrestart_delay = 1ms\n"
	      "[service:b]\ncommand = b\n");
	for (int i = 0; i < 2; i++) {
		reaper_on_exit(&sup, sup.svcs[0]->proc.pid, EXITED(4));
		cr_assert_eq(sup.svcs[0]->state, SVC_BACKOFF);
		fire(&sup.svcs[0]->restart_timer);
		exec_all();
	}
	reaper_on_exit(&sup, sup.svcs[0]->proc.pid, EXITED(4));
	cr_expect_eq(sup.svcs[0]->state, SVC_FAILED);
	cr_expect_eq(sup.stage, STAGE_STOPPING, "on_failure = shutdown by default");
	cr_expect(killed(-101, SIGTERM));
	reaper_on_exit(&sup, 101, SIGNALED(SIGTERM));
	cr_expect_eq(sup.stage, STAGE_EXITED);
	cr_expect_eq(shutdown_exit_code(&sup), 4);
}

Test(lifecycle, restart_limit_window_slides)
{
	setup("[service:a]\ncommand = a\nrestart_limit = 2/1s\nrestart_delay = 1ms\n"
	      "[service:b]\ncommand = b\n");
	for (int i = 0; i < 5; i++) {
		fake_now += 600;	/* never two restarts within 1s of each other's pair */
		reaper_on_exit(&sup, sup.svcs[0]->proc.pid, EXITED(4));
		cr_assert_eq(sup.svcs[0]->state, SVC_BACKOFF, "run %d", i);
		fire(&sup.svcs[0]->restart_timer);
		exec_all();
	}
}

Test(lifecycle, on_failure_keep_leaves_the_rest_running)
{
	setup("[drainit]\non_failure = keep\n"
	      "[service:a]\ncommand = a\nrestart = no\ntype = oneshot\n"
	      "[service:b]\ncommand = b\n");
	reaper_on_exit(&sup, 100, EXITED(1));
	cr_expect_eq(sup.svcs[0]->state, SVC_FAILED);
	cr_expect_eq(sup.stage, STAGE_RUNNING);
	cr_expect_eq(nkills, 0);
}

Test(lifecycle, dependencies_start_in_order)
{
	setup("[service:web]\ncommand = web\nafter = db cache\n"
	      "[service:migrate]\ncommand = m\ntype = oneshot\nafter = db\n"
	      "[service:db]\ncommand = db\n"
	      "[service:cache]\ncommand = cache\n"
	      "[service:api]\ncommand = api\nrequires = migrate\n");
	/* fake spawn hands out pids in start order; exec_all already ran */
	struct service *web = sup.svcs[0], *mig = sup.svcs[1], *db = sup.svcs[2],
		       *cache = sup.svcs[3], *api = sup.svcs[4];
	cr_expect_eq(db->proc.pid, 100, "no dependencies: started first");
	cr_expect_eq(cache->proc.pid, 101);
	cr_expect(web->proc.pid > 101 && mig->proc.pid > 101, "started once db and cache ran");
	cr_expect_eq(api->state, SVC_PENDING, "waits for the oneshot to complete");
	reaper_on_exit(&sup, mig->proc.pid, EXITED(0));
	cr_expect(mig->completed);
	cr_expect_eq(api->state, SVC_STARTING);
}

Test(lifecycle, failed_oneshot_blocks_dependents_and_shuts_down)
{
	setup("[service:migrate]\ncommand = m\ntype = oneshot\n"
	      "[service:web]\ncommand = web\nafter = migrate\n"
	      "[service:side]\ncommand = side\n");
	cr_assert_eq(sup.svcs[1]->state, SVC_PENDING);
	reaper_on_exit(&sup, 100, EXITED(2));
	cr_expect_eq(sup.svcs[0]->state, SVC_FAILED);
	cr_expect_eq(sup.svcs[1]->state, SVC_FAILED, "never starts");
	cr_expect_eq(sup.svcs[1]->proc.pid, 0);
	cr_expect_eq(sup.stage, STAGE_STOPPING);
	reaper_on_exit(&sup, 101, SIGNALED(SIGTERM));
	cr_expect_eq(shutdown_exit_code(&sup), 2);
}

Test(lifecycle, requires_stops_dependents_when_the_dependency_fails)
{
	setup("[drainit]\non_failure = keep\n"
	      "[service:db]\ncommand = db\nrestart = no\n"
	      "[service:web]\ncommand = web\nrequires = db\n"
	      "[service:loose]\ncommand = l\nafter = db\n");
	/* db crashes before it ever ran? no: it ran, then fails for good */
	sup.svcs[0]->cfg->restart = RESTART_ON_FAILURE;
	sup.svcs[0]->cfg->restart_limit = 1;
	reaper_on_exit(&sup, 100, EXITED(1));
	fire(&sup.svcs[0]->restart_timer);
	exec_all();
	nkills = 0;
	reaper_on_exit(&sup, sup.svcs[0]->proc.pid, EXITED(1));
	cr_assert_eq(sup.svcs[0]->state, SVC_FAILED);
	cr_expect(killed(-101, SIGTERM), "web requires db: stopped");
	cr_expect_not(killed(-102, SIGTERM), "after alone does not stop it");
	cr_expect(ev_is_active(&sup.svcs[1]->grace_timer.w));
	post(EVT_GRACE_EXPIRED, sup.svcs[1]);
	cr_expect(killed(-101, SIGKILL), "grace applies outside a shutdown too");
	reaper_on_exit(&sup, 101, SIGNALED(SIGKILL));
	cr_expect_eq(sup.svcs[1]->state, SVC_EXITED, "not restarted");
	cr_expect_eq(sup.stage, STAGE_RUNNING);
}

Test(lifecycle, shutdown_stops_in_reverse_dependency_order)
{
	setup("[service:db]\ncommand = db\n"
	      "[service:app]\ncommand = app\nafter = db\n"
	      "[service:web]\ncommand = web\nafter = app\n");
	pid_t db = sup.svcs[0]->proc.pid, app = sup.svcs[1]->proc.pid, web = sup.svcs[2]->proc.pid;
	post_signal(SIGTERM);
	cr_assert_eq(sup.stage, STAGE_STOPPING);
	cr_expect(killed(-web, SIGTERM));
	cr_expect_not(killed(-app, SIGTERM));
	cr_expect_not(killed(-db, SIGTERM));
	reaper_on_exit(&sup, web, SIGNALED(SIGTERM));
	cr_expect(killed(-app, SIGTERM));
	cr_expect_not(killed(-db, SIGTERM));
	/* app ignores it: killed at its grace, then db's turn */
	post(EVT_GRACE_EXPIRED, sup.svcs[1]);
	cr_expect(killed(-app, SIGKILL));
	cr_expect_eq(sup.stage, STAGE_STOPPING, "db has not had its turn yet");
	reaper_on_exit(&sup, app, SIGNALED(SIGKILL));
	cr_expect(killed(-db, SIGTERM));
	reaper_on_exit(&sup, db, EXITED(0));
	cr_expect_eq(sup.stage, STAGE_EXITED);
	cr_expect_eq(shutdown_exit_code(&sup), 137);
}

Test(lifecycle, no_restart_during_shutdown_and_backoff_cancelled)
{
	setup("[drainit]\nprestop_delay = 1s\n[service:a]\ncommand = a\n[service:b]\ncommand = b\n");
	reaper_on_exit(&sup, 100, EXITED(1));
	cr_assert_eq(sup.svcs[0]->state, SVC_BACKOFF);
	post_signal(SIGTERM);
	cr_expect_not(ev_is_active(&sup.svcs[0]->restart_timer));
	cr_expect_eq(sup.svcs[0]->state, SVC_EXITED);
	reaper_on_exit(&sup, 101, EXITED(1));
	cr_expect_eq(sup.svcs[1]->state, SVC_EXITED, "never restarted during a shutdown");
	cr_expect_eq(sup.stage, STAGE_EXITED);
	cr_expect_eq(shutdown_exit_code(&sup), 1);
}

Test(lifecycle, main_restarts_only_when_told)
{
	setup("[drainit]\nmain = a\n[service:a]\ncommand = a\nrestart = on-failure\n"
	      "[service:b]\ncommand = b\n");
	reaper_on_exit(&sup, 100, EXITED(1));
	cr_expect_eq(sup.svcs[0]->state, SVC_BACKOFF);
	cr_expect_eq(sup.stage, STAGE_RUNNING);
}
