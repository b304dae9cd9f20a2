"""Claim: signals other than SIGTERM/SIGINT reach every running service's process
group (as PID 1, where an unhandled signal would be dropped, and otherwise)."""
import signal

from harness import TSVC, Drainit, run


def forwarded_as_pid1():
    # --report keeps running after SIGTERM, so give it a short grace via the CLI form
    with Drainit(["--grace", "200ms", "--", TSVC, "--name", "x", "--report"]) as d:
        d.wait_for(r"x: ready", stream="out")
        d.signal(signal.SIGUSR1)
        d.wait_for(r"^x: got USR1$", stream="out")
        d.wait_for(r"forwarded SIGUSR1 to 1 service: tsvc \(pgid \d+\)$")
        d.signal(signal.SIGHUP)
        d.wait_for(r"^x: got HUP$", stream="out")
        d.signal(signal.SIGTERM)
        d.expect_rc(137)


def forwarded_as_subreaper():
    with Drainit(["--grace", "200ms", "--", TSVC, "--name", "x", "--report"], pid1=False) as d:
        d.wait_for(r"x: ready", stream="out")
        d.signal(signal.SIGUSR2)
        d.wait_for(r"^x: got USR2$", stream="out")
        d.signal(signal.SIGTERM)
        d.expect_rc(137)


def forwarded_to_two_services():
    ini = f"""
[drainit]
grace_period = 200ms
[service:a]
command = {TSVC} --name a --report
[service:b]
command = {TSVC} --name b --report
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"a: ready", stream="out")
        d.wait_for(r"b: ready", stream="out")
        for sig, name in ((signal.SIGUSR1, "USR1"), (signal.SIGWINCH, "WINCH"),
                          (signal.SIGQUIT, "QUIT"), (signal.SIGCONT, "CONT")):
            d.signal(sig)
            # two services: their output is prefixed by default
            d.wait_for(rf"^a \| a: got {name}$", stream="out")
            d.wait_for(rf"^b \| b: got {name}$", stream="out")
            d.wait_for(rf"forwarded SIG{name} to 2 services: a \(pgid \d+\), b \(pgid \d+\)$")
        d.signal(signal.SIGTERM)
        d.expect_rc(137)


if __name__ == "__main__":
    run(forwarded_as_pid1, forwarded_as_subreaper, forwarded_to_two_services)
