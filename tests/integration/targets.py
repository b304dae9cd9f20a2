"""Claim: what a config file says reaches the real processes: with two services whose
output is prefixed (so drainit holds output pipes), each sees only fds 0-2; a
forwarded signal reaches a grandchild in the service's process group, not just the
pid; a configured stop_signal is the signal the service gets; a grace period written
1m30s is 90 seconds."""
import re
import signal

from harness import TSVC, Drainit, check, run


def fds_of(out, name):
    m = re.search(rf"^{name}\s+\| {name}: fds: ([\d ]+)$", out, re.M)
    return sorted(int(x) for x in m.group(1).split()) if m else None


def prefixed_services_see_only_stdio():
    ini = f"""
[service:a]
command = {TSVC} --name a --state
[service:b]
command = {TSVC} --name b --state
stderr = prefix
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"^a\s+\| a: fds:", stream="out")
        d.wait_for(r"^b\s+\| b: fds:", stream="out")
        for n in ("a", "b"):
            check(fds_of(d.out(), n) == [0, 1, 2], f"service {n} sees fds {fds_of(d.out(), n)}", d)
        d.stop(0)


def forwarded_signal_reaches_the_group():
    # sh ignores SIGWINCH by default and stays; its child in the same group reports it
    ini = f"""
[service:web]
command = sh -c '{TSVC} --name gc --report --term-delay 10 & wait'
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"gc: ready", stream="out")
        d.signal(signal.SIGWINCH)
        d.wait_for(r"gc: got WINCH", stream="out")
        d.stop(0)


def configured_stop_signal_is_sent():
    ini = f"""
[service:web]
command = {TSVC} --name web --report
stop_signal = SIGQUIT
grace_period = 1s
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"web: ready", stream="out")
        d.signal(signal.SIGTERM)
        d.wait_for(r"web: got QUIT", stream="out")
        d.expect_rc(137)	# it reports and goes on: SIGKILLed at grace
        check("web: got TERM" not in d.out(), "the service got SIGTERM, not its stop_signal", d)
        d.wait_for(r"sending SIGQUIT to service web \(pgid \d+\), grace period 1s")


def grace_written_in_minutes_and_seconds():
    ini = f"""
[service:web]
command = {TSVC} --name web --ignore 15
grace_period = 1m30s
"""
    with Drainit(["--check"], ini=ini, pid1=False) as d:
        d.expect_rc(0)
        check("grace_period 1m30s" in d.out(), f"--check says: {d.out()}", d)
    with Drainit(ini=ini) as d:
        d.wait_for(r"web: ready", stream="out")
        d.signal(signal.SIGTERM)
        d.wait_for(r"sending SIGTERM to service web \(pgid \d+\), grace period 1m30s")
        d.signal(signal.SIGINT)	# skip the wait
        d.expect_rc(137)


if __name__ == "__main__":
    run(prefixed_services_see_only_stdio, forwarded_signal_reaches_the_group,
        configured_stop_signal_is_sent, grace_written_in_minutes_and_seconds)
