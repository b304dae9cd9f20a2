"""Claim: services start in dependency order (a oneshot gates its dependents and a failing
oneshot stops the start-up) and stop in reverse order, each stopped and reaped before
what it depends on gets its stop signal. drainit ctl stop and restart and reload-config
keep that order among the services they stop, whatever order they are named in; a
service restarted (by drainit ctl or by its restart policy) starts again only once what it
depends on is ready."""
import os
import re
import signal
import time

from harness import TSVC, Drainit, check, run


def chain_starts_in_order_and_stops_in_reverse():
    ini = f"""
[service:web]
command = {TSVC} --name web --log @DIR@/order --term-delay 200
after = app
[service:app]
command = {TSVC} --name app --log @DIR@/order --term-delay 200
requires = db
[service:db]
command = {TSVC} --name db --log @DIR@/order --term-delay 200
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"web: ready", stream="out")
        d.assert_order(r"service db \(pid \d+\): starting",
                       r"service db \(pid \d+\): running",
                       r"service app \(pid \d+\): starting",
                       r"service app \(pid \d+\): running",
                       r"service web \(pid \d+\): starting")
        d.stop(0)
        d.wait_for(r"shutdown: service app waits for web to stop first")
        d.wait_for(r"shutdown: service db waits for app to stop first")
        d.assert_order(r"sending SIGTERM to service web",
                       r"service web \(pid \d+\): exited",
                       r"sending SIGTERM to service app",
                       r"service app \(pid \d+\): exited",
                       r"sending SIGTERM to service db")
        with open(f"{d.dir}/order") as f:
            order = [l.strip() for l in f if "got TERM" in l or "drained" in l]
        want = ["web: got TERM", "web: drained, exiting", "app: got TERM", "app: drained, exiting",
                "db: got TERM", "db: drained, exiting"]
        check(order == want, f"stop order from the services' own log: {order}", d)


def oneshot_gates_its_dependents():
    ini = f"""
[service:web]
command = {TSVC} --name web
after = migrate
[service:migrate]
type = oneshot
command = {TSVC} --name migrate --exit-after 300
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"web: ready", stream="out")
        d.assert_order(r"service web: waiting for its dependencies",
                       r"service migrate \(pid \d+\): exited with status 0",
                       r"service migrate: completed",
                       r"service web \(pid \d+\): starting")
        d.stop(0)


# web waits for a oneshot that exits 3; other runs beside them.
FAILING_ONESHOT = f"""
[service:web]
command = {TSVC} --name web
after = migrate
[service:migrate]
type = oneshot
command = {TSVC} --name migrate --exit-after 100 --code 3
[service:other]
command = {TSVC} --name other --term-delay 10
"""


def failing_oneshot_stops_the_start_up():
    ini = FAILING_ONESHOT
    with Drainit(ini=ini) as d:
        d.expect_rc(3)
        d.assert_order(r"service migrate \(pid \d+\): exited with status 3",
                       r"service migrate: failed: one-shot task did not exit 0",
                       r"service web: will not start: it depends on migrate, which failed",
                       r"stage unready \(service migrate failed\)")
        check("web: ready" not in d.out(), "web started although its oneshot failed", d)


def events(d, since=0):
    """The services' own lines (got TERM, ready, drained) from --log, from line since."""
    try:
        with open(f"{d.dir}/order") as f:
            got = [l.strip() for l in f]
    except FileNotFoundError:
        got = []    # no service has written a line yet
    return [re.sub(r" pid=\d+", "", l) for l in got
            if "got TERM" in l or "ready" in l or "drained" in l][since:]


def wait_events(d, n, since=0, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        e = events(d, since)
        if len(e) >= n:
            return e
        time.sleep(0.02)
    d.fail(f"{n} events never came: {events(d, since)}")


def started_after(d, since, timeout=10):
    """From drainit's log line since on: db runs again before web is started again."""
    deadline = time.monotonic() + timeout
    rx_db = re.compile(r"service db \(pid \d+\): running")
    rx_web = re.compile(r"service web \(pid \d+\): starting:")
    while time.monotonic() < deadline:
        lines = d.lines()[since:]
        db = [i for i, l in enumerate(lines) if rx_db.search(l)]
        web = [i for i, l in enumerate(lines) if rx_web.search(l)]
        if db and web:
            check(db[0] < web[0], f"web started before db ran: {lines}", d)
            return
        time.sleep(0.02)
    d.fail("db and web were not both started again")


def pair(extra_db="", extra_web=""):
    return f"""
[service:db]
command = {TSVC} --name db --log @DIR@/order --term-delay 200 {extra_db}
[service:web]
command = {TSVC} --name web --log @DIR@/order --term-delay 200 {extra_web}
after = db
"""


def ctl_and_reload_stop_in_reverse_dependency_order():
    with Drainit(ini=pair()) as d:
        d.wait_socket()
        wait_events(d, 2)
        # Named with the dependency first: the dependent still stops first.
        r = d.ctl("stop", "db", "web")
        check(r.returncode == 0, f"stop: rc {r.returncode}: {r.stdout} {r.stderr}", d)
        check(r.stdout.splitlines()[0].startswith("db:"), f"results keep the request's order: {r.stdout}", d)
        want = ["web: got TERM", "web: drained, exiting", "db: got TERM", "db: drained, exiting"]
        check(events(d, 2) == want, f"ctl stop order: {events(d, 2)}", d)
        d.wait_for(r"service db \(pid \d+\): stopping \(drainit ctl stop\): waits for web to stop first")

        # Started again, named dependent first: web waits until db runs.
        n0 = len(d.lines())
        r = d.ctl("start", "web", "db")
        check(r.returncode == 0, f"start: rc {r.returncode}: {r.stderr}", d)
        started_after(d, n0)
        wait_events(d, 2, 6)

        # Both running: web stops, then db; db comes back, and web only then.
        n0 = len(d.lines())
        r = d.ctl("restart", "db", "web")
        check(r.returncode == 0, f"restart: rc {r.returncode}: {r.stderr}", d)
        e = wait_events(d, 4, 8)
        want = ["web: got TERM", "web: drained, exiting", "db: got TERM", "db: drained, exiting"]
        check(e[:4] == want, f"ctl restart order: {e}", d)
        started_after(d, n0)
        wait_events(d, 6, 8)

        # A reload that changes both stops and starts them in the same order.
        n0 = len(d.lines())
        with open(d.ini + ".new", "w") as f:
            f.write(pair("--code 0", "--code 0").replace("@DIR@", d.dir))
        os.rename(d.ini + ".new", d.ini)
        r = d.ctl("reload-config")
        check(r.returncode == 0, f"reload-config: rc {r.returncode}: {r.stdout} {r.stderr}", d)
        e = wait_events(d, 4, 14)
        check(e[:4] == want, f"reload-config order: {e}", d)
        started_after(d, n0)
        d.stop(0)


def a_restart_waits_until_what_it_depends_on_is_ready_again():
    """Both crash (an OOM kill, say): db restarts but is not ready yet; web's restart
    delay is over first, and web waits for db instead of crash-looping into its restart
    limit."""
    ini = f"""
[service:db]
command = {TSVC} --name db
ready = exec:/bin/test -e @DIR@/up
ready_interval = 100ms
restart = always
restart_delay = 300ms
[service:web]
command = {TSVC} --name web
after = db
restart = always
restart_delay = 100ms
"""
    with Drainit(ini=ini) as d:
        d.wait_socket()
        open(f"{d.dir}/up", "w").close()
        d.wait_for(r"service web \(pid \d+\): running")
        os.unlink(f"{d.dir}/up")
        n0 = len(d.lines())
        for name in ("db", "web"):
            r = d.ctl("signal", name, "KILL")
            check(r.returncode == 0, f"signal {name}: {r.stderr}", d)
        d.wait_for(r"service web: waiting for its dependencies: db \(")
        time.sleep(1.0)     # db runs again, not ready: web must not start
        later = d.lines()[n0:]
        check(not any(re.search(r"service web \(pid \d+\): starting", l) for l in later),
              f"web started while db was not ready: {later}", d)
        check(any(re.search(r"service db \(pid \d+\): running", l) for l in later),
              "db was not restarted", d)
        open(f"{d.dir}/up", "w").close()
        started_after_ready = re.compile(r"service db \(pid \d+\): ready.*\n(?:.*\n)*?"
                                         r".*service web \(pid \d+\): starting")
        deadline = time.monotonic() + 10
        while not started_after_ready.search("\n".join(d.lines()[n0:]) + "\n"):
            check(time.monotonic() < deadline, "web never started once db was ready", d)
            time.sleep(0.05)
        d.stop(0)


def ctl_start_says_which_dependency_failed():
    """A service that cannot start because what it requires failed for good: ctl start
    says which one; a dependency named in after and requires is listed once."""
    ini = f"""
[drainit]
on_failure = keep
[service:keep]
command = {TSVC} --name keep
[service:db]
type = oneshot
command = {TSVC} --name db --exit-after 200 --code 1
[service:app]
command = {TSVC} --name app
after = db
requires = db
"""
    with Drainit(ini=ini) as d:
        d.wait_socket()
        m = d.wait_for(r"service app: waiting for its dependencies: (.*)$")
        check(m.group(1) == "db (starting)", f"listed: {m.group(1)!r}", d)
        d.wait_for(r"service app: will not start: it depends on db, which failed")
        r = d.ctl("start", "app")
        check(r.returncode == 1 and "it depends on db, which failed" in r.stdout + r.stderr,
              f"ctl start app: rc {r.returncode}: {r.stdout} {r.stderr}", d)
        d.stop(1)   # db failed for good: its code


def a_main_service_that_can_never_start_ends_drainit():
    """on_failure = keep, and the main service waits for a oneshot that fails: the main
    service will never start, which ends drainit like any end of it (not a run in
    "running, not ready" for ever)."""
    ini = "[drainit]\non_failure = keep\nmain = web\n" + FAILING_ONESHOT
    with Drainit(ini=ini) as d:
        d.expect_rc(1)
        d.assert_order(r"service migrate: failed: one-shot task did not exit 0",
                       r"service web: will not start: it depends on migrate, which failed",
                       r"stage unready \(main service web ended\)")


if __name__ == "__main__":
    run(chain_starts_in_order_and_stops_in_reverse, oneshot_gates_its_dependents,
        failing_oneshot_stops_the_start_up, ctl_and_reload_stop_in_reverse_dependency_order,
        a_restart_waits_until_what_it_depends_on_is_ready_again, ctl_start_says_which_dependency_failed,
        a_main_service_that_can_never_start_ends_drainit)
