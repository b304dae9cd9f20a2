"""Claim: on SIGTERM drainit goes through unready, prestop and stopping in that order,
waits the prestop delay, and exits right after a slow-draining service exits (not at its grace)."""
import signal

from harness import TSVC, Drainit, check, run


def slow_drain_exits_after_service_not_at_grace():
    ini = f"""
[drainit]
prestop_delay = 300ms
grace_period = 60s

[service:web]
command = {TSVC} --name web --term-delay 700
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"web: ready", stream="out")
        d.signal(signal.SIGTERM)
        d.wait(timeout=30)
        d.expect_rc(0)
        d.assert_order(r"stage unready \(SIGTERM received\)",
                       r"stage prestop \(delay 300ms, 0 drain hooks\)",
                       r"stage stopping \(1 service to stop\)",
                       r"sending SIGTERM to service web \(pgid \d+\), grace period 1m",
                       r"service web \(pid \d+\): exited with status 0",
                       r"shutdown: summary: total .*killing skipped\); SIGKILL needed: none",
                       r"exiting with code 0")
        waited = d.time_of(r"stage stopping") - d.time_of(r"stage unready")
        check(waited >= 0.29, f"stopping began {waited:.3f}s after unready, before the 300ms prestop delay", d)
        # bounded, generous: proves drainit did not wait the 60s grace
        total = d.time_of(r"exiting with code") - d.time_of(r"stage stopping")
        check(0.6 <= total < 30, f"exit came {total:.3f}s after the stop signal", d)
        check("drained, exiting" in d.out(), "service did not drain", d)


def repeated_sigterm_changes_nothing():
    ini = f"""
[drainit]
prestop_delay = 500ms

[service:web]
command = {TSVC} --name web --term-delay 100
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"web: ready", stream="out")
        d.signal(signal.SIGTERM)
        d.wait_for(r"stage prestop")
        d.signal(signal.SIGTERM)
        d.wait(timeout=30)
        d.expect_rc(0)
        d.wait_for(r"SIGTERM received during shutdown \(stage prestop\): nothing to change")
        check("stage killing" not in d.log(), "a repeated SIGTERM escalated the shutdown", d)


def sigint_starts_shutdown_too():
    # -- CMD without --stop-signal hands on the signal it got: INT stays INT
    with Drainit(["--", TSVC, "--name", "one", "--term-delay", "50"]) as d:
        d.wait_for(r"one: ready", stream="out")
        d.signal(signal.SIGINT)
        d.wait(timeout=30)
        d.expect_rc(128 + signal.SIGINT)
        d.wait_for(r"stage unready \(SIGINT received\)")
        d.wait_for(r"sending SIGINT to service tsvc")


def sigint_with_stop_signal_sends_the_stop_signal():
    # with --stop-signal (and always with -c) the service gets its stop signal
    with Drainit(["--stop-signal", "TERM", "--", TSVC, "--name", "one", "--term-delay", "50"]) as d:
        d.wait_for(r"one: ready", stream="out")
        d.signal(signal.SIGINT)
        d.expect_rc(0)
        d.wait_for(r"stage unready \(SIGINT received\)")
        d.wait_for(r"sending SIGTERM to service tsvc")


def sigterm_from_inside_the_namespace():
    """PID 1 gets no signal it has no handler for from inside its namespace:
    `kill -TERM 1` in a container must still start the shutdown."""
    with Drainit(["--", "sh", "-c", "sleep 0.3; kill -WINCH 1; kill -TERM 1; sleep 30"]) as d:
        d.expect_rc(143)
        # both reach PID 1 (pending signals are read lowest number first)
        d.wait_for(r"forwarded SIGWINCH to 1 service")
        d.wait_for(r"stage unready \(SIGTERM received\)")


if __name__ == "__main__":
    run(slow_drain_exits_after_service_not_at_grace, repeated_sigterm_changes_nothing,
        sigint_starts_shutdown_too, sigint_with_stop_signal_sends_the_stop_signal, sigterm_from_inside_the_namespace)
