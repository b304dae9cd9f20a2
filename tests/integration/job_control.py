"""Claim: SIGTSTP, SIGTTIN and SIGTTOU go to the command, then drainit stops itself
(state T), like dumb-init; SIGCONT resumes both. As PID 1 the kernel will not let
drainit stop itself: the command stops, drainit keeps running."""
import signal
import time

from harness import TSVC, Drainit, check, children_of, proc_state, run


def wait_state(pid, want, d, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc_state(pid) == want:
            return
        time.sleep(0.01)
    d.fail(f"pid {pid} is in state {proc_state(pid)}, want {want}")


def stops_both_and_cont_resumes_both():
    for sig in (signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU):
        # no handlers in tsvc: the default action of each is to stop
        with Drainit(["--", TSVC, "--name", "x"], pid1=False) as d:
            m = d.wait_for(r"x: ready pid=(\d+)", stream="out")
            child = int(m.group(1))
            check(proc_state(d.pid()) != "T", "negative control: drainit stopped already", d)
            d.signal(sig)
            wait_state(child, "T", d)
            wait_state(d.pid(), "T", d)
            d.signal(signal.SIGCONT)
            wait_state(d.pid(), "S", d)
            wait_state(child, "S", d)
            d.wait_for(rf"{signal.Signals(sig).name}: stopping drainit itself \(SIGSTOP\) until SIGCONT")
            d.wait_for(r"forwarded SIGCONT to 1 service")
            d.stop(128 + signal.SIGTERM)


def as_pid1_only_the_command_stops():
    with Drainit(["--", TSVC, "--name", "x"]) as d:
        d.wait_for(r"x: ready", stream="out")
        child = children_of(d.pid())[0]
        d.signal(signal.SIGTSTP)
        wait_state(child, "T", d)
        d.wait_for(r"SIGTSTP: drainit does not stop itself as PID 1")
        check(proc_state(d.pid()) != "T", "drainit stopped as PID 1", d)
        d.signal(signal.SIGCONT)
        wait_state(child, "S", d)
        d.stop(128 + signal.SIGTERM)


if __name__ == "__main__":
    run(stops_both_and_cont_resumes_both, as_pid1_only_the_command_stops)
