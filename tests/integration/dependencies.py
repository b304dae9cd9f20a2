"""Claim: services start in dependency order (a oneshot gates its dependents and a failing
oneshot stops the start-up) and stop in reverse order, each stopped and reaped before
what it depends on gets its stop signal."""
import signal

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


def failing_oneshot_stops_the_start_up():
    ini = f"""
[service:web]
command = {TSVC} --name web
after = migrate
[service:migrate]
type = oneshot
command = {TSVC} --name migrate --exit-after 100 --code 3
[service:other]
command = {TSVC} --name other --term-delay 10
"""
    with Drainit(ini=ini) as d:
        d.expect_rc(3)
        d.assert_order(r"service migrate \(pid \d+\): exited with status 3",
                       r"service migrate: failed: one-shot task did not exit 0",
                       r"service web: will not start: it depends on migrate, which failed",
                       r"stage unready \(service migrate failed\)")
        check("web: ready" not in d.out(), "web started although its oneshot failed", d)


if __name__ == "__main__":
    run(chain_starts_in_order_and_stops_in_reverse, oneshot_gates_its_dependents,
        failing_oneshot_stops_the_start_up)
