"""Claim: every catchable signal drainit does not act on itself (1-31 but TERM, INT,
CHLD, KILL, STOP; TSTP TTIN TTOU are in job_control.py) and the real-time signals
reach the command with their own number, as PID 1 and as child subreaper; a
kill()-sent SIGSEGV or SIGXCPU is forwarded and drainit lives on."""
import signal

from harness import TSVC, Drainit, check, run

SKIP = {signal.SIGTERM, signal.SIGINT, signal.SIGCHLD, signal.SIGKILL, signal.SIGSTOP,
        signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU}
SIGS = [s for s in range(1, 32) if s not in SKIP]


def name(s):
    """The name tsvc prints (glibc's sigabbrev_np: SIGIO is "POLL")."""
    return "POLL" if s == signal.SIGIO else signal.Signals(s).name[3:]


def every_signal(pid1):
    with Drainit(["--grace", "200ms", "--", TSVC, "--name", "x", "--report"], pid1=pid1) as d:
        d.wait_for(r"x: ready", stream="out")
        for s in SIGS:
            d.signal(s)
            # the forwarding line comes after the send: one at a time keeps them apart
            d.wait_for(rf"^x: got {name(s)}$", stream="out")
            d.wait_for(rf"forwarded {signal.Signals(s).name} to 1 service: tsvc \(pgid \d+\)$")
        for s in (signal.SIGRTMIN, signal.SIGRTMIN + 5, signal.SIGRTMAX):
            d.signal(s)
            d.wait_for(rf"^x: got RTMIN\+{s - signal.SIGRTMIN}$", stream="out")
        check(d.proc.poll() is None, "drainit ended while forwarding", d)
        d.signal(signal.SIGTERM)
        d.expect_rc(137)  # --report outlives SIGTERM: SIGKILLed at grace expiry


def every_signal_as_pid1():
    every_signal(True)


def every_signal_as_subreaper():
    every_signal(False)


def fault_signals_sent_by_kill_are_forwarded():
    for pid1 in (True, False):
        with Drainit(["--grace", "200ms", "--", TSVC, "--name", "x", "--report"], pid1=pid1) as d:
            d.wait_for(r"x: ready", stream="out")
            for s in (signal.SIGSEGV, signal.SIGXCPU, signal.SIGBUS, signal.SIGABRT):
                d.signal(s)
                d.wait_for(rf"^x: got {name(s)}$", stream="out")
            check(d.proc.poll() is None, "a kill()-sent fault signal ended drainit", d)
            d.wait_for(r"forwarded SIGABRT to 1 service")
            d.stop(137)


def pipe_is_forwarded_and_a_dead_reader_harms_nobody():
    # SIGPIPE from kill() is forwarded; the service is unharmed by its own default
    with Drainit(["--", TSVC, "--name", "x"]) as d:
        d.wait_for(r"x: ready", stream="out")
        d.signal(signal.SIGPIPE)
        d.expect_rc(128 + signal.SIGPIPE)  # the command died of it, drainit did not
        d.wait_for(r"killed by signal 13 \(SIGPIPE\)")


if __name__ == "__main__":
    run(every_signal_as_pid1, every_signal_as_subreaper, fault_signals_sent_by_kill_are_forwarded,
        pipe_is_forwarded_and_a_dead_reader_harms_nobody)
