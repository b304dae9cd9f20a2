"""Claim: drain hooks (global and per service) start together at the prestop stage,
after readiness went "not ready"; prestop lasts until the delay has passed AND every
hook is done; a hook that overruns drain_timeout is SIGKILLed and a failing hook is
logged, and the shutdown goes on."""
import os
import re

from harness import TSVC, Drainit, check, run


def hooks_run_in_prestop_and_prestop_waits_for_them():
    ini = f"""
[drainit]
prestop_delay = 200ms
drain = {TSVC} --name ghook --exit-after 600

[service:web]
command = {TSVC} --name web --term-delay 10
drain = sh -c 'echo hookenv $DRAINIT_SERVICE $DRAINIT_SERVICE_PID'
"""
    with Drainit(ini=ini) as d:
        m = d.wait_for(r"web: ready pid=(\d+)", stream="out")
        d.stop(0)
        d.assert_order(r"stage unready",
                       r"stage prestop \(delay 200ms, 2 drain hooks\)",
                       r"drain hook #1 \(pid \d+\): started",
                       r"drain hook web#1 \(pid \d+\): started",
                       r"drain hook #1 \(pid \d+\): done",
                       r"stage stopping")
        # the prestop stage waited for the 600ms hook, not just the 200ms delay
        waited = d.time_of(r"stage stopping") - d.time_of(r"stage prestop")
        check(waited >= 0.55, f"stopping began {waited:.3f}s into prestop, before the hook ended", d)
        # per-service hook environment (pid as seen inside the namespace)
        d.wait_for(rf"^hookenv web {m.group(1)}$", stream="out")


def overrunning_hook_is_killed_and_shutdown_goes_on():
    ini = f"""
[drainit]
drain = {TSVC} --name slowhook --ignore 15
drain_timeout = 300ms

[service:web]
command = {TSVC} --name web --term-delay 10
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"web: ready", stream="out")
        d.stop(0)
        d.assert_order(r"drain hook #1 \(pid \d+\): started",
                       r"drain hook #1 \(pid \d+\): drain_timeout 300ms reached, sending SIGKILL",
                       r"drain hook #1 \(pid \d+\): timed out, killed by signal 9",
                       r"stage stopping",
                       r"service web \(pid \d+\): exited with status 0")
        waited = d.time_of(r"drain_timeout 300ms reached") - d.time_of(r"drain hook #1 .*started")
        check(waited >= 0.29, f"hook killed {waited:.3f}s after start, before its timeout", d)


def failing_hooks_are_logged_not_fatal():
    ini = f"""
[service:web]
command = {TSVC} --name web --term-delay 10
drain = sh -c 'exit 3'
drain = /nonexistent/hook
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"web: ready", stream="out")
        d.stop(0)
        d.wait_for(r"drain hook web#1 \(pid \d+\): failed, exited with status 3; shutdown goes on")
        d.wait_for(r"drain hook web#2 \(pid \d+\): failed to start: exec: No such file or directory")
        d.wait_for(r"stage stopping")


def cli_drain_hooks():
    # a global hook never sees DRAINIT_SERVICE*, even if drainit inherited them
    env = dict(os.environ, DRAINIT_SERVICE="stale", DRAINIT_SERVICE_PID="999")
    with Drainit(["--drain", "sh -c 'echo cli hook ran; env | grep ^DRAINIT_SERVICE || echo no service vars'",
                  "--prestop-delay", "100ms",
                  "--", TSVC, "--name", "one", "--term-delay", "10"], env=env) as d:
        d.wait_for(r"one: ready", stream="out")
        d.stop(0)
        d.wait_for(r"^cli hook ran$", stream="out")
        d.wait_for(r"^no service vars$", stream="out")
        d.assert_order(r"stage prestop \(delay 100ms, 1 drain hook\)", r"drain hook #1", r"stage stopping")


if __name__ == "__main__":
    run(hooks_run_in_prestop_and_prestop_waits_for_them,
        overrunning_hook_is_killed_and_shutdown_goes_on,
        failing_hooks_are_logged_not_fatal, cli_drain_hooks)
