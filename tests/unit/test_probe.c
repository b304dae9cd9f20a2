/* Unit tests: readiness and health verdicts, exec: checks routed through
 * the reaper, sd_notify messages, and the probe server's responses,
 * driven with fake syscalls: no process is forked, the loop never runs. */
#include "fakesys.h"

#include "check.h"
#include "notify.h"
#include "probe.h"
#include "report.h"

static struct sbuf out;

static void
setup(const char *ini)
{
	fake_setup(ini);
	lifecycle_start_all(&sup);
	memset(&out, 0, sizeof(out));
}

static void
teardown(void)
{
	sbuf_free(&out);
	fake_teardown();
}

/* svc's sd_notify datagram m, sent by pid sender. */
static void
notify_from(struct service *svc, pid_t sender, const struct notify_msg *m)
{
	sup_post(&sup, &(struct event){ .kind = EVT_NOTIFY, .svc = svc, .pid = sender, .notify = *m });
}

static const char *
readyz(bool verbose)
{
	sbuf_free(&out);
	report_readyz(&sup, verbose, &out);
	return out.p;
}

static int
get(const char *raw)
{
	struct http_request req;
	enum http_parse r;

	memset(&req, 0, sizeof(req));
	sbuf_free(&out);
	r = http_parse_request(raw, strlen(raw), PROBE_HEAD_MAX, &req);
	return probe_response(&sup, r, &req, &out);
}

TestSuite(ready, .fini = teardown);

Test(ready, none_is_ready_once_running)
{
	setup("[service:web]\ncommand = web\n");
	cr_expect_not(report_ready(&sup), "exec not confirmed yet");
	cr_expect_str_eq(readyz(false), "not ready: web (starting)\n");
	exec_ok(&sup.svcs[0]->proc);
	cr_expect(report_ready(&sup));
	cr_expect_str_eq(readyz(false), "ready\n");
	cr_expect_str_eq(readyz(true), "ready\nweb: ready\n");
	cr_expect_eq(nspawned, 1, "no check process for ready = none");
	cr_expect_not(ev_is_active(&sup.svcs[0]->pr.watchdog));
}

Test(ready, exec_check_gates_readiness_and_can_fail_again)
{
	setup("[service:web]\ncommand = web\n"
	      "[service:db]\ncommand = db\nready = exec:pg_isready\nready_interval = 2s\n");
	struct service *db = sup.svcs[1];
	struct check *c = db->pr.ready_chk;

	cr_assert_not_null(c);
	exec_ok(&sup.svcs[0]->proc);
	exec_ok(&db->proc);
	cr_assert(c->exec_running, "first attempt at once");
	cr_expect_eq(c->proc.pid, 102);
	cr_expect(ev_is_active(&c->timer), "the attempt's deadline");
	cr_expect_str_eq(readyz(false), "not ready: db (starting)\n");

	reaper_on_exit(&sup, 102, EXITED(2));
	cr_expect_not(c->exec_running);
	cr_expect_eq(sup.orphans_reaped, 0, "a check is not an orphan");
	cr_expect_str_eq(readyz(false), "not ready: db (check failing: exec exited with status 2)\n");
	cr_expect(ev_is_active(&c->timer), "next attempt scheduled");

	fire(&c->timer);	/* ready_interval elapsed */
	cr_assert(c->exec_running);
	reaper_on_exit(&sup, c->proc.pid, EXITED(0));
	cr_expect(report_ready(&sup));
	cr_expect_str_eq(readyz(true), "ready\nweb: ready\ndb: ready\n");

	fire(&c->timer);
	reaper_on_exit(&sup, c->proc.pid, EXITED(1));
	cr_expect_not(report_ready(&sup), "a ready service whose check fails is not ready");
	cr_expect_eq(c->failures, 2);
}

Test(ready, exec_check_timeout_kills_its_group)
{
	setup("[service:db]\ncommand = db\nready = exec:slow\nready_timeout = 1s\n");
	struct check *c = sup.svcs[0]->pr.ready_chk;

	exec_ok(&sup.svcs[0]->proc);
	pid_t pid = c->proc.pid;
	fire(&c->timer);	/* deadline */
	cr_expect_eq(last_kill_pid, -pid);
	cr_expect_eq(last_kill_sig, SIGKILL);
	cr_expect(c->exec_running, "the attempt ends when it is reaped");
	reaper_on_exit(&sup, pid, SIGKILL);
	cr_expect_str_eq(readyz(false), "not ready: db (check failing: exec timed out after 1s)\n");
}

Test(ready, exec_check_that_cannot_start)
{
	setup("[service:db]\ncommand = db\nready = exec:/nonexistent\n");
	struct check *c = sup.svcs[0]->pr.ready_chk;

	exec_ok(&sup.svcs[0]->proc);
	c->proc.fail_step = SPAWN_STEP_EXEC;
	c->proc.fail_errno = 2;
	exec_ok(&c->proc);
	reaper_on_exit(&sup, c->proc.pid, EXITED(127));
	cr_expect_str_eq(readyz(false),
			 "not ready: db (check failing: exec failed to start: exec: No such file or directory)\n");
}

Test(ready, shutdown_is_not_ready_and_stops_checks)
{
	setup("[drainit]\nprestop_delay = 5s\n"
	      "[service:db]\ncommand = db\nready = exec:check\n");
	struct check *c = sup.svcs[0]->pr.ready_chk;

	exec_ok(&sup.svcs[0]->proc);
	reaper_on_exit(&sup, c->proc.pid, EXITED(0));
	cr_assert(report_ready(&sup));
	post_signal(SIGTERM);
	cr_expect_eq(sup.stage, STAGE_PRESTOP);
	cr_expect_not(report_ready(&sup));
	cr_expect_str_eq(readyz(false), "not ready: shutting down\n");
	cr_expect_str_eq(readyz(true), "not ready: shutting down\ndb: ready\n");
	int before = nspawned;
	fire(&c->timer);
	cr_expect_eq(nspawned, before, "no new attempt once the shutdown began");
	cr_expect_not(ev_is_active(&c->timer));
}

Test(ready, service_exit_kills_a_running_check)
{
	setup("[service:a]\ncommand = a\n[service:db]\ncommand = db\nrestart = no\nready = exec:check\n");
	struct check *c = sup.svcs[1]->pr.ready_chk;

	exec_ok(&sup.svcs[0]->proc);
	exec_ok(&sup.svcs[1]->proc);
	pid_t cpid = c->proc.pid;
	reaper_on_exit(&sup, 101, EXITED(0));	/* db ends */
	cr_expect_eq(last_kill_pid, -cpid);
	cr_expect_eq(last_kill_sig, SIGKILL);
	cr_expect_not(ev_is_active(&c->timer));
	reaper_on_exit(&sup, cpid, SIGKILL);
	cr_expect_eq(sup.orphans_reaped, 0);
	cr_expect_str_eq(readyz(false), "not ready: db (exited)\n");
	cr_expect_not(ev_is_active(&c->timer), "no attempt for a service that ended");
}

Test(ready, completed_oneshot_does_not_gate_readiness)
{
	setup("[service:prep]\ncommand = prep\ntype = oneshot\n"
	      "[service:web]\ncommand = web\nafter = prep\n");
	exec_ok(&sup.svcs[0]->proc);
	cr_expect_not(report_ready(&sup), "web has not started");
	reaper_on_exit(&sup, 100, EXITED(0));
	cr_assert(sup.svcs[0]->completed);
	exec_ok(&sup.svcs[1]->proc);
	cr_expect(report_ready(&sup), "%s", readyz(true));
	cr_expect_str_eq(readyz(true), "ready\nprep: ready\nweb: ready\n");
}

TestSuite(live, .fini = teardown);

Test(live, health_failures_in_a_row_make_it_unhealthy)
{
	setup("[service:web]\ncommand = web\nrestart = no\nhealth = exec:probe\nhealth_interval = 3s\n"
	      "health_failures = 2\n");
	struct check *c = sup.svcs[0]->pr.health_chk;

	exec_ok(&sup.svcs[0]->proc);
	cr_expect_not(c->exec_running, "the first health check waits one interval");
	cr_expect(ev_is_active(&c->timer));
	cr_expect(report_live(&sup));

	fire(&c->timer);
	reaper_on_exit(&sup, c->proc.pid, EXITED(1));
	cr_expect(report_live(&sup), "one failure of two");
	fire(&c->timer);
	reaper_on_exit(&sup, c->proc.pid, EXITED(1));
	cr_expect_not(report_live(&sup));
	cr_expect(sup.svcs[0]->pr.unhealthy);
	cr_expect(report_ready(&sup), "health does not gate readiness");
	cr_expect_eq(get("GET /livez HTTP/1.1\r\n\r\n"), 503);
	cr_expect(strstr(out.p, "\r\n\r\nnot ok: web (unhealthy: exec exited with status 1)\n"));

	fire(&c->timer);
	reaper_on_exit(&sup, c->proc.pid, EXITED(0));
	cr_expect(report_live(&sup), "healthy again");
	cr_expect_eq(c->fails, 0);
}

Test(live, unclean_exit_while_running_is_failed_for_good)
{
	setup("[service:a]\ncommand = a\ntype = oneshot\n[service:b]\ncommand = b\nrestart = no\n"
	      "[service:c]\ncommand = c\n");
	exec_ok(&sup.svcs[0]->proc);
	exec_ok(&sup.svcs[1]->proc);
	exec_ok(&sup.svcs[2]->proc);
	reaper_on_exit(&sup, 100, EXITED(0));
	cr_expect(report_live(&sup), "a clean exit of a one-shot job is no failure");
	reaper_on_exit(&sup, 101, SIGKILL);
	cr_expect_not(report_live(&sup));
	cr_expect_eq(get("GET /healthz HTTP/1.1\r\n\r\n"), 503);
	cr_expect(strstr(out.p, "not ok: b (killed by signal 9 (SIGKILL))\n"));
}

Test(live, a_service_gone_for_good_is_not_live)
{
	setup("[service:a]\ncommand = a\n[service:c]\ncommand = c\n");
	exec_ok(&sup.svcs[0]->proc);
	exec_ok(&sup.svcs[1]->proc);
	reaper_on_exit(&sup, 100, EXITED(0));	/* on-failure: a clean exit is not restarted */
	cr_expect_not(report_live(&sup), "/livez must agree with /readyz: it will not come back");
	cr_expect_eq(get("GET /livez HTTP/1.1\r\n\r\n"), 503);
	cr_expect(strstr(out.p, "not ok: a (exited with status 0 and will not be restarted)\n"), "%s",
		  out.p);
}

Test(live, exits_during_the_shutdown_do_not_count)
{
	setup("[service:a]\ncommand = a\n[service:b]\ncommand = b\n");
	exec_ok(&sup.svcs[0]->proc);
	exec_ok(&sup.svcs[1]->proc);
	post_signal(SIGTERM);
	reaper_on_exit(&sup, 100, EXITED(1));
	cr_expect(report_live(&sup));
}

TestSuite(notify, .fini = teardown);

Test(notify, parse_messages)
{
	struct notify_msg m;
	const char *msg = "READY=1\nSTATUS=serving \x01 42 requests\nMAINPID=4242\nX-UNKNOWN=1\nWATCHDOG=1";

	cr_assert_eq(notify_parse(msg, strlen(msg), &m), 0);
	cr_expect(m.ready);
	cr_expect(m.watchdog);
	cr_expect_not(m.stopping);
	cr_expect(m.has_status);
	cr_expect_str_eq(m.status, "serving ? 42 requests");
	cr_expect(m.has_mainpid);
	cr_expect_eq(m.mainpid, 4242);

	cr_assert_eq(notify_parse("STOPPING=1\nMAINPID=x\nREADY=0", 27, &m), 0);
	cr_expect(m.stopping);
	cr_expect_not(m.ready, "READY=0 is not READY=1");
	cr_expect(m.bad_mainpid);
	cr_expect_not(m.has_mainpid);
	cr_assert_eq(notify_parse("WATCHDOG=trigger\n", 17, &m), 0);
	cr_expect(m.watchdog_trigger);

	cr_expect_eq(notify_parse("", 0, &m), -EINVAL);
	cr_expect_eq(notify_parse("READY=1\0x", 9, &m), -EINVAL);
}

Test(notify, ready_only_after_ready_1)
{
	setup("[service:web]\ncommand = web\nrestart = no\nready = notify\nwatchdog = 2s\n");
	struct service *svc = sup.svcs[0];
	struct notify_msg m;

	cr_expect(notify_wanted(svc->cfg));
	cr_expect_null(svc->pr.ready_chk, "notify needs no check");
	exec_ok(&svc->proc);
	cr_expect_not(report_ready(&sup));
	cr_expect_str_eq(readyz(false), "not ready: web (waiting for READY=1)\n");
	cr_expect(ev_is_active(&svc->pr.watchdog));

	cr_assert_eq(notify_owner(&sup, 100), svc, "the service's own pid");
	cr_expect_null(notify_owner(&sup, 0), "a sender outside drainit's pid namespace");
	notify_parse("STATUS=warming up", 17, &m);
	notify_from(svc, 100, &m);
	cr_expect_not(report_ready(&sup));
	cr_expect_str_eq(svc->pr.status, "warming up");
	notify_parse("READY=1", 7, &m);
	notify_from(svc, 100, &m);
	cr_expect(report_ready(&sup));

	fire(&svc->pr.watchdog);
	cr_expect(svc->pr.watchdog_expired);
	cr_expect_not(report_live(&sup));
	notify_parse("WATCHDOG=1", 10, &m);
	notify_from(svc, 100, &m);
	cr_expect_not(svc->pr.watchdog_expired);
	cr_expect(report_live(&sup));
	cr_expect(ev_is_active(&svc->pr.watchdog), "re-armed");

	cr_expect_eq(get("GET /status HTTP/1.1\r\n\r\n"), 200);
	cr_expect(strstr(out.p, "\"notify_status\":\"warming up\""));
	cr_expect(strstr(out.p, "\"ready_check\":\"notify\""));
}

Test(notify, ready_before_exec_is_confirmed_counts)
{
	setup("[service:web]\ncommand = web\nready = notify\n");
	struct notify_msg m;

	notify_parse("READY=1", 7, &m);
	notify_from(sup.svcs[0], 100, &m);
	exec_ok(&sup.svcs[0]->proc);
	cr_expect(report_ready(&sup));
}

Test(notify, mainpid_must_belong_to_the_service)
{
	setup("[service:web]\ncommand = web\nready = notify\n");
	struct notify_msg m;

	exec_ok(&sup.svcs[0]->proc);
	notify_parse("MAINPID=999999999", 17, &m);
	notify_from(sup.svcs[0], 100, &m);
	cr_expect_eq(sup.svcs[0]->pr.mainpid, 0, "not a process of the service: ignored");
	notify_parse("MAINPID=100", 11, &m);
	notify_from(sup.svcs[0], 100, &m);
	cr_expect_eq(sup.svcs[0]->pr.mainpid, 0, "its own pid changes nothing");
}

TestSuite(http, .fini = teardown);

Test(http, endpoints_and_errors)
{
	setup("[service:web]\ncommand = web\n");
	exec_ok(&sup.svcs[0]->proc);

	cr_expect_eq(get("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
	cr_expect_str_eq(out.p, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
				"Content-Length: 3\r\nCache-Control: no-store\r\n"
				"Connection: close\r\n\r\nok\n");
	cr_expect_eq(get("GET /healthz HTTP/1.0\r\n\r\n"), 200);
	cr_expect_eq(get("GET /readyz HTTP/1.1\r\n\r\n"), 200);
	cr_expect(strstr(out.p, "\r\n\r\nready\n"));

	cr_expect_eq(get("HEAD /readyz HTTP/1.1\r\n\r\n"), 200);
	cr_expect(strstr(out.p, "Content-Length: 6\r\n"), "HEAD: GET's headers");
	cr_expect(strstr(out.p, "\r\n\r\n")[4] == '\0', "HEAD: no body");

	cr_expect_eq(get("HEAD /nope HTTP/1.1\r\n\r\n"), 404);
	cr_expect(strstr(out.p, "\r\n\r\n")[4] == '\0', "HEAD: no body on a 404 either");
	cr_expect_eq(get("POST /readyz HTTP/1.1\r\nContent-Length: 0\r\n\r\n"), 405);
	cr_expect(strstr(out.p, "Allow: GET, HEAD\r\n"));
	cr_expect(strstr(out.p, "Connection: close\r\n"));
	cr_expect_eq(get("DELETE /status HTTP/1.1\r\n\r\n"), 405);
	cr_expect_eq(get("GET /nope HTTP/1.1\r\n\r\n"), 404);
	cr_expect_eq(get("GET /readyz/ HTTP/1.1\r\n\r\n"), 404);
	cr_expect_eq(get("POST /nope HTTP/1.1\r\n\r\n"), 404);
	cr_expect_eq(get("GET /readyz\r\n\r\n"), 400);
	cr_expect(strstr(out.p, "HTTP/1.1 400 Bad Request\r\n"));
	cr_expect(strstr(out.p, "Connection: close\r\n"));

	struct http_request req = { 0 };
	sbuf_free(&out);
	cr_expect_eq(probe_response(&sup, HTTP_PARSE_TOO_LARGE, &req, &out), 431);
	cr_expect(strstr(out.p, "HTTP/1.1 431 Request Header Fields Too Large\r\n"));
}

Test(http, status_json_and_metrics)
{
	setup("[drainit]\nprestop_delay = 1m\n"
	      "[service:web]\ncommand = web\n[service:job]\ncommand = job\nrestart = no\n");
	exec_ok(&sup.svcs[0]->proc);
	exec_ok(&sup.svcs[1]->proc);
	reaper_on_exit(&sup, 101, EXITED(3));
	reaper_on_exit(&sup, 4242, EXITED(0));	/* an orphan */
	fake_now += 1500;

	cr_expect_eq(get("GET /status HTTP/1.1\r\n\r\n"), 200);
	cr_expect(strstr(out.p, "Content-Type: application/json\r\n"));
	cr_expect(strstr(out.p, "\"stage\":\"running\",\"ready\":false,\"live\":false"));
	cr_expect(strstr(out.p, "\"uptime_seconds\":1.500,\"orphans_reaped\":1"));
	cr_expect(strstr(out.p, "{\"name\":\"web\",\"state\":\"running\",\"pid\":100,\"main_pid\":null,\"started_at\":\""));
	cr_expect(strstr(out.p, "\"name\":\"job\",\"state\":\"exited\",\"pid\":null"));
	cr_expect(strstr(out.p, "\"exit_status\":\"exited with status 3\",\"exit_code\":3"));
	cr_expect(strstr(out.p, "\"restarts\":0,\"exits\":1}"));

	cr_expect_eq(get("GET /metrics HTTP/1.1\r\n\r\n"), 200);
	cr_expect(strstr(out.p, "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
	cr_expect(strstr(out.p, "# TYPE drainit_service_up gauge\n"));
	cr_expect(strstr(out.p, "drainit_service_up{service=\"web\"} 1\n"));
	cr_expect(strstr(out.p, "drainit_service_up{service=\"job\"} 0\n"));
	cr_expect(strstr(out.p, "drainit_service_ready{service=\"web\"} 1\n"));
	cr_expect(strstr(out.p, "drainit_service_exits_total{service=\"job\"} 1\n"));
	cr_expect(strstr(out.p, "drainit_service_restarts_total{service=\"web\"} 0\n"));
	cr_expect(strstr(out.p, "drainit_orphans_reaped_total 1\n"));
	cr_expect(strstr(out.p, "drainit_stage{stage=\"running\"} 1\n"));
	cr_expect_null(strstr(out.p, "drainit_shutdown_stage_duration_seconds{"),
		       "no stage durations before a shutdown");

	post_signal(SIGTERM);
	fake_now += 250;
	cr_expect_eq(get("GET /metrics HTTP/1.1\r\n\r\n"), 200);
	cr_expect(strstr(out.p, "drainit_stage{stage=\"prestop\"} 1\n"));
	cr_expect(strstr(out.p, "drainit_shutdown_stage_duration_seconds{stage=\"unready\"} 0.000\n"));
	cr_expect(strstr(out.p, "drainit_shutdown_stage_duration_seconds{stage=\"prestop\"} 0.250\n"));
	cr_expect(strstr(out.p, "drainit_ready 0\n"));
	cr_expect_eq(get("GET /status HTTP/1.1\r\n\r\n"), 200);
	cr_expect(strstr(out.p, "\"stage\":\"prestop\""));
	cr_expect(strstr(out.p, "\"shutdown_reason\":\"SIGTERM received\""));
}

Test(http, json_strings_are_escaped)
{
	struct sbuf b = { 0 };
	sbuf_json_str(&b, "a\"b\\c\n\x01");
	cr_expect_str_eq(b.p, "\"a\\\"b\\\\c\\u000a\\u0001\"");
	sbuf_free(&b);
	sbuf_json_str(&b, NULL);
	cr_expect_str_eq(b.p, "null");
	sbuf_free(&b);
}
