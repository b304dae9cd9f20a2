"""Claim: a service that ignores its stop signal is SIGKILLed when its grace period expires,
not before, and the exit code and summary say so; as PID 1 stragglers that left the
process group are swept with kill(-1)."""
import signal

from harness import TSVC, Drainit, check, run


def sigkill_at_grace_not_before():
    ini = f"""
[service:stubborn]
command = {TSVC} --name stubborn --ignore 15
grace_period = 1s

[service:quick]
command = {TSVC} --name quick --term-delay 50
grace_period = 30s
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"stubborn: ready", stream="out")
        d.wait_for(r"quick: ready", stream="out")
        d.signal(signal.SIGTERM)
        d.wait(timeout=30)
        d.expect_rc(137)
        d.assert_order(r"stage stopping",
                       r"service quick \(pid \d+\): exited with status 0",
                       r"service stubborn \(pid \d+\): grace period 1s expired, sending SIGKILL",
                       r"stage killing \(every grace period expired\)",
                       r"service stubborn \(pid \d+\): killed by signal 9 \(SIGKILL\)",
                       r"SIGKILL needed: stubborn$",
                       r"exiting with code 137 \(first service not stopped cleanly: stubborn \(killed by signal 9 \(SIGKILL\)\)\)")
        waited = d.time_of(r"grace period 1s expired") - d.time_of(r"stage stopping")
        check(waited >= 0.95, f"SIGKILL came {waited:.3f}s after the stop signal, before the 1s grace", d)
        check(waited < 20, f"SIGKILL came {waited:.3f}s after the stop signal", d)


def setsid_straggler_swept_as_pid1():
    ini = f"""
[service:forker]
command = {TSVC} --name forker --setsid-child --ignore 15
grace_period = 300ms
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"forker: ready", stream="out")
        d.signal(signal.SIGTERM)
        d.wait(timeout=30)
        d.expect_rc(137)
        d.assert_order(r"grace period 300ms expired",
                       r"stage killing",
                       r"sending SIGKILL to every other process \(kill -1\)")


if __name__ == "__main__":
    run(sigkill_at_grace_not_before, setsid_straggler_swept_as_pid1)
