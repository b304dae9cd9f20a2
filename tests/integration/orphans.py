"""Claim: orphans reparented to drainit are reaped, as PID 1 and as a child subreaper;
the zombie detector used here does fire under an init that never reaps."""
import re
import time

from harness import NOREAP, TSVC, Drainit, check, children_of, run, zombie_children


def wait_no_zombies(d, pid, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not zombie_children(pid):
            return
        time.sleep(0.05)
    d.fail(f"{len(zombie_children(pid))} zombies still under drainit after {timeout}s")


def thousand_orphans_reaped_as_pid1():
    with Drainit(["--", TSVC, "--name", "o", "--orphans", "1000"]) as d:
        d.wait_for(r"o: spawned 1000 orphans", stream="out", timeout=30)
        pid = d.pid()
        time.sleep(0.5)  # the orphans outlive their parent by 200ms, then exit
        wait_no_zombies(d, pid)
        # only the service itself is left as a child
        check(len(children_of(pid)) == 1, f"children left: {children_of(pid)}", d)
        d.stop(143)


def orphans_reaped_as_subreaper():
    with Drainit(["-v", "--", TSVC, "--name", "o", "--orphans", "200"], pid1=False) as d:
        d.wait_for(r"starting as child subreaper")
        d.wait_for(r"o: spawned 200 orphans", stream="out", timeout=30)
        # each orphan was reparented to drainit (not to the host's init) and reaped
        deadline = time.monotonic() + 15
        while len(re.findall(r"reaped orphan pid", d.log())) < 200:
            if time.monotonic() > deadline:
                d.fail(f"only {len(re.findall(r'reaped orphan pid', d.log()))} of 200 orphans reaped")
            time.sleep(0.05)
        wait_no_zombies(d, d.pid())
        d.stop(143)


def negative_control_zombies_without_a_reaper():
    """The same orphans under an init that never waits must show up as zombies,
    or the checks above prove nothing."""
    with Drainit([TSVC, "--name", "o", "--orphans", "50"], exe=NOREAP) as d:
        d.wait_for(r"o: spawned 50 orphans", stream="out", timeout=30)
        pid = d.pid()
        deadline = time.monotonic() + 15
        while len(zombie_children(pid)) < 50:
            if time.monotonic() > deadline:
                d.fail(f"negative control: only {len(zombie_children(pid))} zombies under a non-reaping init")
            time.sleep(0.05)


if __name__ == "__main__":
    run(thousand_orphans_reaped_as_pid1, orphans_reaped_as_subreaper,
        negative_control_zombies_without_a_reaper)
