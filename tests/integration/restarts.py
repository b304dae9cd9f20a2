"""Claim: a crashing service is restarted with a doubling delay that resets after a long
run; past restart_limit it fails for good and on_failure decides (shutdown, non-zero, or
keep the others); restart = always restarts after a clean exit too."""
import os
import time

from harness import TSVC, Drainit, check, run


def crashes_three_times_then_stays_up_and_backoff_resets():
    ini = f"""
[service:flaky]
command = {TSVC} --name flaky --counter @DIR@/count --crash-times 3 --exit-after 1000 --code 1
restart_delay = 100ms
restart_reset = 800ms
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"service flaky: restarting in 100ms \(restart 4, restart = on-failure\)", timeout=20)
        d.assert_order(r"restarting in 100ms \(restart 1,",
                       r"restarting in 200ms \(restart 2,",
                       r"restarting in 400ms \(restart 3,",
                       r"service flaky \(pid \d+\): exited with status 1 after 1\.",
                       r"restarting in 100ms \(restart 4,")
        # the delays were really waited (bounds, not speed)
        gap = d.time_of(r"restart 3,") - d.time_of(r"restart 2,")
        check(gap >= 0.19, f"restart 3 came {gap:.3f}s after restart 2, before its 200ms backoff", d)
        runs = d.log().count("): running")
        d.wait_for(r"flaky: run 5", stream="out")
        d.stop(0)
        check(runs >= 4, "not every run got running", d)


def crash_loop_past_limit_shuts_down_non_zero():
    ini = f"""
[service:loop]
command = {TSVC} --name loop --exit-after 0 --code 5
restart_delay = 10ms
restart_limit = 3/10s
[service:steady]
command = {TSVC} --name steady --term-delay 10
"""
    with Drainit(ini=ini) as d:
        d.expect_rc(5)
        d.assert_order(r"restarting in 10ms \(restart 1,",
                       r"restarting in 40ms \(restart 3,",
                       r"service loop: failed: restart limit 3/10s reached",
                       r"stage unready \(service loop failed\)",
                       r"sending SIGTERM to service steady",
                       r"exiting with code 5 \(first service not stopped cleanly: loop \(failed: exited with status 5\)\)")
        check("restart 4," not in d.log(), "restarted past the limit", d)


def crash_loop_with_keep_leaves_the_others():
    ini = f"""
[drainit]
on_failure = keep
[service:loop]
command = {TSVC} --name loop --exit-after 0 --code 5
restart_delay = 10ms
restart_limit = 2/10s
[service:steady]
command = {TSVC} --name steady --term-delay 10
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"service loop: failed: restart limit 2/10s reached")
        time.sleep(0.3)
        check(d.proc.poll() is None, "drainit stopped although on_failure = keep", d)
        check("stage unready" not in d.log(), "shutdown began although on_failure = keep", d)
        d.stop(5)
        d.wait_for(r"service steady \(pid \d+\): exited with status 0")


def restart_always_after_clean_exit():
    ini = f"""
[service:tick]
command = {TSVC} --name tick --exit-after 50
restart = always
restart_delay = 50ms
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"service tick: restarting in 100ms \(restart 2, restart = always\)", timeout=20)
        d.stop(0)


def unhealthy_service_is_restarted():
    ini = f"""
[service:web]
command = {TSVC} --name web --term-delay 50
health = exec:test -e @DIR@/healthy
health_interval = 100ms
health_failures = 2
restart_delay = 100ms
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"service web \(pid \d+\): unhealthy: 2 health checks failed in a row")
        d.wait_for(r"service web: restarting in 100ms \(restart 1, restart = on-failure\)")
        open(f"{d.dir}/healthy", "w").close()
        d.assert_order(r"unhealthy: 2 health checks failed",
                       r"service web \(pid \d+\): restarting: unhealthy; sending SIGTERM, grace period 10s",
                       r"service web \(pid \d+\): exited with status 0",
                       r"service web: restarting in 100ms \(restart 1,")
        d.wait_for(r"web: drained, exiting", stream="out")
        n = d.log().count("): running")
        d.wait_for(r"web: ready pid=\d+\n(.|\n)*web: ready pid=\d+", stream="out")
        d.stop(0)
        check(n >= 1, "never ran", d)


if __name__ == "__main__":
    run(crashes_three_times_then_stays_up_and_backoff_resets, crash_loop_past_limit_shuts_down_non_zero,
        crash_loop_with_keep_leaves_the_others, restart_always_after_clean_exit,
        unhealthy_service_is_restarted)
