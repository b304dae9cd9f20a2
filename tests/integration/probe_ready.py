"""Claim: a service with "ready =" gates /readyz: 503 naming it and why until its
check passes (tcp connect, http status 200-399, exec exit 0), 200 after, 503 again
when the check fails again; "health =" failures in a row make it unhealthy (logged,
/livez 503) until a check passes; /readyz is 503 from the very start of the unready
stage, before the first drain hook starts; bad check specs are config errors with
FILE:LINE and start nothing."""
import json
import os
import signal
import time

from harness import TSVC, Drainit, check, run
from probeutil import SLOWHTTP, curl, free_port, wait_until


def readyz(port, verbose=False):
    return curl(f"http://127.0.0.1:{port}/readyz" + ("?verbose" if verbose else ""))


def wait_code(port, path, code, d, timeout=10):
    return wait_until(lambda: (lambda r: r if r.code == code else None)(
        curl(f"http://127.0.0.1:{port}{path}")), timeout=timeout, what=f"{path} {code}", d=d)


def tcp_check_goes_503_then_200():
    port, svc_port = free_port(), free_port()
    ini = f"""
[drainit]
probe_listen = 127.0.0.1:{port}
[service:web]
command = {SLOWHTTP} --name web --port {svc_port} --listen-after 1500
ready = tcp:127.0.0.1:{svc_port}
ready_interval = 100ms
[service:side]
command = {TSVC} --name side
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"probe server listening")
        t_start = time.monotonic()
        want = f"not ready: web (check failing: tcp 127.0.0.1:{svc_port} refused)\n"
        r = wait_until(lambda: (lambda x: x if x.code == 503 and x.body == want else None)(
            readyz(port)), what="503 naming only the refused check", d=d)
        r = readyz(port, verbose=True)
        check(r.body.splitlines()[1:] == [f"web: not ready (check failing: tcp 127.0.0.1:{svc_port} refused)",
                                          "side: ready"], f"verbose body {r.body!r}", d)
        st = json.loads(curl(f"http://127.0.0.1:{port}/status").body)
        check(st["services"][0]["ready"] is False
              and st["services"][0]["ready_check_spec"] == f"tcp:127.0.0.1:{svc_port}", f"{st}", d)
        r = wait_code(port, "/readyz", 200, d)
        ready_after = time.monotonic() - t_start
        check(r.body == "ready\n", f"{r}", d)
        check(ready_after >= 1.2, f"ready {ready_after:.2f}s after start, before the port listened", d)
        d.wait_for(rf"service web \(pid \d+\): ready \(tcp 127\.0\.0\.1:{svc_port} passed\)")
        check("not ready" not in d.log(), "a never-ready service was logged as going unready", d)
        d.stop(0)


def http_check_with_a_slow_server():
    port, fast, slow, bad = free_port(), free_port(), free_port(), free_port()
    ini = f"""
[drainit]
probe_listen = 127.0.0.1:{port}
[service:fast]
command = {SLOWHTTP} --name fast --port {fast} --delay 300
ready = http://127.0.0.1:{fast}/healthz
ready_timeout = 3s
ready_interval = 100ms
[service:slow]
command = {SLOWHTTP} --name slow --port {slow} --delay 2000
ready = http://127.0.0.1:{slow}/healthz
ready_timeout = 400ms
ready_interval = 100ms
[service:bad]
command = {SLOWHTTP} --name bad --port {bad} --status 500
ready = http://127.0.0.1:{bad}/
ready_interval = 100ms
"""
    with Drainit(ini=ini) as d:
        for n in ("fast", "slow", "bad"):
            d.wait_for(rf"{n}: listening", stream="out")
        d.wait_for(r"service fast \(pid \d+\): ready \(http 127\.0\.0\.1:\d+/healthz passed\)")

        def settled():
            r = readyz(port, verbose=True)
            return r if "timed out" in r.body and "answered 500" in r.body else None
        r = wait_until(settled, what="slow timing out and bad answering 500", d=d)
        lines = r.body.splitlines()
        check(r.code == 503, f"{r}", d)
        check("fast: ready" in lines, f"{lines}", d)
        check(f"slow: not ready (check failing: http 127.0.0.1:{slow}/healthz timed out after 400ms)" in lines,
              f"{lines}", d)
        check(f"bad: not ready (check failing: http 127.0.0.1:{bad}/ answered 500)" in lines, f"{lines}", d)
        check(curl(f"http://127.0.0.1:{port}/livez").code == 200, "readiness is not liveness", d)
        d.stop(0)


def exec_check_and_going_back_to_not_ready():
    port = free_port()
    ini = f"""
[drainit]
probe_listen = 127.0.0.1:{port}
[service:db]
command = {TSVC} --name db
ready = exec:test -e @DIR@/up
ready_interval = 100ms
"""
    with Drainit(ini=ini) as d:
        r = wait_until(lambda: (lambda x: x if "exec" in x.body else None)(readyz(port)),
                       what="503 from the exec check", d=d)
        check(r.code == 503 and r.body == "not ready: db (check failing: exec exited with status 1)\n",
              f"{r}", d)
        open(os.path.join(d.dir, "up"), "w").close()
        wait_code(port, "/readyz", 200, d)
        d.wait_for(r"service db \(pid \d+\): ready \(exec passed\)")
        os.unlink(os.path.join(d.dir, "up"))
        r = wait_code(port, "/readyz", 503, d)
        check("db (check failing: exec exited with status 1)" in r.body, f"{r}", d)
        d.wait_for(r"warning: service db \(pid \d+\): not ready: check failing: exec exited with status 1")
        check("reaped orphan" not in d.log(), "check processes counted as orphans", d)
        d.stop(0)


def health_failures_make_a_service_unhealthy():
    port = free_port()
    ini = f"""
[drainit]
probe_listen = 127.0.0.1:{port}
[service:web]
command = {TSVC} --name web
health = exec:test -e @DIR@/healthy
health_interval = 150ms
health_failures = 2
restart = no
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"web: ready", stream="out")
        r = wait_code(port, "/livez", 503, d)
        check(r.body == "not ok: web (unhealthy: exec exited with status 1)\n", f"{r}", d)
        check(curl(f"http://127.0.0.1:{port}/healthz").code == 503, "/healthz is /livez", d)
        d.assert_order(r"warning: service web \(pid \d+\): health check failed \(1 of 2 in a row\)",
                       r"error: service web \(pid \d+\): unhealthy: 2 health checks failed in a row "
                       r"\(last: exec exited with status 1\)")
        st = json.loads(curl(f"http://127.0.0.1:{port}/status").body)
        check(st["live"] is False and st["services"][0]["healthy"] is False
              and st["services"][0]["state"] == "running", f"{st}", d)
        check(readyz(port).code == 200, "health does not gate readiness", d)
        open(os.path.join(d.dir, "healthy"), "w").close()
        wait_code(port, "/livez", 200, d)
        d.wait_for(r"service web \(pid \d+\): healthy again \(exec passed\)")
        d.stop(0)


def readyz_is_503_before_the_first_drain_hook():
    port = free_port()
    hook = (f"sh -c 'curl -s -o /dev/null -w %{{http_code}} http://127.0.0.1:{port}/readyz > @DIR@/code;"
            f" curl -s http://127.0.0.1:{port}/readyz > @DIR@/body'")
    ini = f"""
[drainit]
probe_listen = 127.0.0.1:{port}
prestop_delay = 1s
drain = {hook}
[service:web]
command = {TSVC} --name web --term-delay 10
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"web: ready", stream="out")
        wait_code(port, "/readyz", 200, d)
        d.signal(signal.SIGTERM)
        d.wait_for(r"stage prestop")
        r = readyz(port)
        check(r.code == 503 and r.body == "not ready: shutting down\n", f"during prestop: {r}", d)
        check(curl(f"http://127.0.0.1:{port}/livez").code == 200, "/livez stays 200 in a shutdown", d)
        d.expect_rc(0)
        d.assert_order(r"shutdown: stage unready \(SIGTERM received\)", r"drain hook #1 \(pid \d+\): started",
                       r"drain hook #1 \(pid \d+\): done", r"stage stopping")
        with open(os.path.join(d.dir, "code")) as f:
            code = f.read()
        with open(os.path.join(d.dir, "body")) as f:
            body = f.read()
        check(code == "503", f"the first drain hook saw /readyz {code!r}", d)
        check(body == "not ready: shutting down\n", f"the drain hook saw {body!r}", d)


def ended_services_are_not_ready_and_unclean_ones_not_live():
    port = free_port()
    ini = f"""
[drainit]
probe_listen = 127.0.0.1:{port}
[service:web]
command = {TSVC} --name web
[service:job]
command = {TSVC} --name job --exit-after 100
type = oneshot
[service:gone]
command = {TSVC} --name gone --exit-after 100
[service:crash]
command = {TSVC} --name crash --exit-after 100 --code 3
restart = no
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"service crash \(pid \d+\): exited with status 3")
        d.wait_for(r"service job \(pid \d+\): exited with status 0")
        d.wait_for(r"service gone \(pid \d+\): exited with status 0")
        want = "not ready: gone (exited), crash (exited)\n"
        wait_until(lambda: readyz(port).body == want, what=f"/readyz {want!r}", d=d)
        r = curl(f"http://127.0.0.1:{port}/livez")
        check(r.code == 503 and r.body == "not ok: gone (exited with status 0 and will not be "
              "restarted), crash (exited with status 3)\n", f"{r}", d)
        m = curl(f"http://127.0.0.1:{port}/metrics").body.splitlines()
        check('drainit_service_exits_total{service="crash"} 1' in m and
              'drainit_service_up{service="crash"} 0' in m, f"{m}", d)
        d.stop(3)


BAD = """[service:a]
command = true
ready = tcp:db.internal:5432
health = notify
[service:b]
command = true
ready = http://127.0.0.1/health check
health_failures = 0
watchdog = 5s
ready_interval = 0
"""


def bad_check_specs_are_config_errors():
    with Drainit(ini=BAD) as d:
        d.expect_rc(78)
        ini = d.ini
        for want in (
            f"{ini}:3: [service:a] ready: invalid check 'tcp:db.internal:5432' (the host must be an IP "
            "address or localhost, IPv6 in brackets; names are not resolved)",
            f"{ini}:4: [service:a] health: invalid check 'notify' (notify is for ready only; a notify "
            "service proves liveness with WATCHDOG=1, see the watchdog key)",
            f"{ini}:7: [service:b] ready: invalid check 'http://127.0.0.1/health check' (the path may "
            "hold only visible ASCII characters, no spaces and no '#')",
            f"{ini}:8: [service:b] health_failures: invalid count '0' (use a whole number from 1 to 1000)",
            f"{ini}:10: [service:b] ready_interval: must be more than 0",
            f"{ini}:9: [service:b] watchdog: needs ready = notify (WATCHDOG=1 comes through the notify socket)",
            f"drainit: {ini}: 6 errors, nothing started",
        ):
            check(want in d.lines(), f"missing error line: {want}", d)
        check("starting" not in d.log(), "something started", d)


if __name__ == "__main__":
    run(tcp_check_goes_503_then_200, http_check_with_a_slow_server,
        exec_check_and_going_back_to_not_ready, health_failures_make_a_service_unhealthy,
        readyz_is_503_before_the_first_drain_hook, ended_services_are_not_ready_and_unclean_ones_not_live,
        bad_check_specs_are_config_errors)
