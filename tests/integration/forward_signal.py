"""Claim: signals other than SIGTERM/SIGINT reach every running service's process
group (as PID 1, where an unhandled signal would be dropped, and otherwise)."""
import re
import signal
import time

from harness import TSVC, Drainit, check, run


def forwarded_as_pid1():
    # --report keeps running after SIGTERM, so give it a short grace via the CLI form
    with Drainit(["--grace", "200ms", "--", TSVC, "--name", "x", "--report"]) as d:
        d.wait_for(r"x: ready", stream="out")
        d.signal(signal.SIGUSR1)
        d.wait_for(r"^x: got USR1$", stream="out")
        d.wait_for(r"forwarded SIGUSR1 to 1 service: tsvc \(pgid \d+\)$")
        d.signal(signal.SIGHUP)
        d.wait_for(r"^x: got HUP$", stream="out")
        d.stop(137)


def forwarded_as_subreaper():
    with Drainit(["--grace", "200ms", "--", TSVC, "--name", "x", "--report"], pid1=False) as d:
        d.wait_for(r"x: ready", stream="out")
        d.signal(signal.SIGUSR2)
        d.wait_for(r"^x: got USR2$", stream="out")
        d.stop(137)


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
        d.stop(137)


def repeats_are_counted_not_logged():
    # every repeat is forwarded; the log says the first in full, then a count
    with Drainit(["--grace", "200ms", "--", TSVC, "--name", "x", "--report"]) as d:
        d.wait_for(r"x: ready", stream="out")
        for i in range(5):
            d.signal(signal.SIGUSR1)
            deadline = time.monotonic() + 10
            while d.out().count("x: got USR1") < i + 1:
                check(time.monotonic() < deadline, f"USR1 #{i + 1} never arrived", d)
                time.sleep(0.005)
        d.wait_for(r"forwarded SIGUSR1 4 more times in \S+ \(a repeated signal is logged once a second")
        check(len(re.findall(r"forwarded SIGUSR1 to 1 service", d.log())) == 1,
              "a repeat within a second got its own line", d)
        d.signal(signal.SIGUSR1)  # the quiet second is over: a full line again
        deadline = time.monotonic() + 10
        while len(re.findall(r"forwarded SIGUSR1 to 1 service: tsvc \(pgid \d+\)$", d.log(),
                             re.M)) < 2:
            check(time.monotonic() < deadline, "no full line after the quiet second", d)
            time.sleep(0.01)
        d.stop(137)


def repeats_counted_at_exit_are_logged():
    # repeats still inside their quiet second when drainit exits get their count line
    with Drainit(["--grace", "200ms", "--", TSVC, "--name", "x", "--report"]) as d:
        d.wait_for(r"x: ready", stream="out")
        for i in range(3):
            d.signal(signal.SIGUSR1)
            deadline = time.monotonic() + 10
            while d.out().count("x: got USR1") < i + 1:
                check(time.monotonic() < deadline, f"USR1 #{i + 1} never arrived", d)
                time.sleep(0.005)
        d.stop(137)
        log = d.log()
        held = log.find("forwarded SIGUSR1 2 more times")
        check(held >= 0, "the repeats counted at exit were never logged", d)
        check(held < log.find("shutdown: summary"), "the count came after the summary", d)


if __name__ == "__main__":
    run(repeats_counted_at_exit_are_logged, forwarded_as_pid1, forwarded_as_subreaper, forwarded_to_two_services,
        repeats_are_counted_not_logged)
