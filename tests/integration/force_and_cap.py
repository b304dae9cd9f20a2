"""Claim: a second SIGINT skips the remaining waits and SIGKILLs at once; the
shutdown_timeout cap SIGKILLs everything (services and running hooks) when reached."""
import signal

from harness import TSVC, Drainit, check, run


def second_sigint_forces_kill():
    ini = f"""
[drainit]
prestop_delay = 60s
grace_period = 60s
[service:stubborn]
command = {TSVC} --name stubborn --ignore 15
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"stubborn: ready", stream="out")
        d.signal(signal.SIGINT)
        d.wait_for(r"stage prestop \(delay 1m")
        d.signal(signal.SIGINT)
        d.expect_rc(137)
        d.assert_order(r"stage prestop",
                       r"stage killing \(SIGINT during shutdown: skipping the remaining waits\)",
                       r"sending SIGKILL to service stubborn",
                       r"stopping skipped")


def shutdown_timeout_caps_everything():
    ini = f"""
[drainit]
prestop_delay = 60s
shutdown_timeout = 1s
drain = {TSVC} --name hook --ignore 15
drain_timeout = 0
[service:stubborn]
command = {TSVC} --name stubborn --ignore 15
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"stubborn: ready", stream="out")
        d.stop(137)
        d.assert_order(r"stage unready \(SIGTERM received\).*shutdown_timeout 1s",
                       r"drain hook #1 \(pid \d+\): started",
                       r"stage killing \(shutdown_timeout 1s reached\)",
                       r"drain hook #1 \(pid \d+\): sending SIGKILL \(shutdown forced\)",
                       r"sending SIGKILL to service stubborn")
        d.wait_for(r"drain hook #1 \(pid \d+\): killed by signal 9 \(SIGKILL\) \(shutdown forced\)")
        waited = d.time_of(r"stage killing") - d.time_of(r"stage unready")
        check(0.95 <= waited < 20, f"cap hit {waited:.3f}s after the shutdown began", d)


def cap_during_grace():
    ini = f"""
[drainit]
grace_period = 60s
shutdown_timeout = 500ms
[service:stubborn]
command = {TSVC} --name stubborn --ignore 15
"""
    with Drainit(ini=ini, pid1=False) as d:
        d.wait_for(r"stubborn: ready", stream="out")
        d.stop(137)
        d.assert_order(r"stage stopping", r"stage killing \(shutdown_timeout 500ms reached\)")
        # never kill(-1) outside PID 1
        check("kill -1" not in d.log(), "kill(-1) used outside PID 1", d)


if __name__ == "__main__":
    run(second_sigint_forces_kill, shutdown_timeout_caps_everything, cap_during_grace)
