"""Claim: a forking legacy daemon is tracked through its pid file, signalled and reaped
like any service; a pid file naming a process that is not drainit's child, or none at
all, is a start failure and nothing is ever sent to a stranger."""
import os
import re
import shutil
import signal
import tempfile
import time

from harness import TSVC, Drainit, check, run, script


def daemon_tracked_and_stopped(pid1=True):
    ini = f"""
[service:legacy]
type = forking
command = {TSVC} --name legacy --daemonize @DIR@/legacy.pid --term-delay 100
pidfile = @DIR@/legacy.pid
restart = no
"""
    with Drainit(ini=ini, pid1=pid1) as d:
        m = d.wait_for(r"service legacy \(pid (\d+)\): running: tracking pid \d+ from \S+legacy.pid \(process group (\d+)\)")
        d.wait_for(r"legacy: ready", stream="out")
        d.assert_order(r"service legacy \(pid \d+\): launcher exited with status 0",
                       r"tracking pid")
        d.stop(0)
        # the group the daemon is in when the signal is sent, not its pid
        d.wait_for(rf"sending SIGTERM to service legacy \(pgid {m.group(2)}\)")
        d.wait_for(r"legacy: drained, exiting", stream="out")
        d.wait_for(rf"service legacy \(pid {m.group(1)}\): exited with status 0")


def daemon_as_pid1():
    daemon_tracked_and_stopped(True)


def daemon_as_subreaper():
    daemon_tracked_and_stopped(False)


def stop_asked_before_the_pid_file_goes_out_once_adopted():
    """The shutdown comes after the launcher exited, before the daemon wrote its pid file:
    there is nothing to signal yet. The stop waits for the pid file and goes to the daemon
    once it is adopted, with its grace period from then; the shutdown ends."""
    ini = f"""
[drainit]
shutdown_timeout = 0
[service:legacy]
type = forking
command = {TSVC} --name legacy --daemonize @DIR@/legacy.pid --pidfile-after 1500 --term-delay 50
pidfile = @DIR@/legacy.pid
grace_period = 30s
restart = no
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"service legacy \(pid \d+\): launcher exited with status 0")
        d.signal(signal.SIGTERM)
        d.wait_for(r"service legacy: its stop waits for its pid file \S+legacy.pid \(start_timeout 10s\)")
        d.wait_for(r"service legacy \(pid \d+\): it was asked to stop while its pid file was awaited: "
                   r"sending SIGTERM now", timeout=10)
        d.expect_rc(0)
        check("SIGKILL needed: none" in d.log(), "the daemon waited out its grace period", d)


def restart_tracks_the_new_daemon_not_the_last_pid_file():
    """drainit ctl restart: the old daemon is stopped, the launcher runs again, and the
    pid file still names the old, dead daemon until the new one writes it. drainit waits
    for the new one's instead of failing on the old one's. A ctl stop while the pid file
    is awaited goes to the daemon once it is known."""
    ini = f"""
[service:legacy]
type = forking
command = {TSVC} --name legacy --daemonize @DIR@/legacy.pid --pidfile-after 800 --term-delay 50
pidfile = @DIR@/legacy.pid
restart = no
"""
    rx = re.compile(r"service legacy \(pid (\d+)\): running: tracking pid")
    with Drainit(ini=ini) as d:
        d.wait_socket()
        first = d.wait_for(rx.pattern).group(1)
        r = d.ctl("restart", "legacy")
        check(r.returncode == 0, f"restart: {r.stdout} {r.stderr}", d)
        deadline = time.monotonic() + 10
        while len(rx.findall(d.log())) < 2:
            check(time.monotonic() < deadline, "the new daemon was never tracked", d)
            time.sleep(0.05)
        second = rx.findall(d.log())[1]
        check(second != first, f"tracked the old daemon again: {first}", d)
        check("failed to start" not in d.log(), "failed on the old pid file", d)
        # restarted again, and stopped before its pid file is written
        n = len(d.lines())
        r = d.ctl("restart", "legacy")
        deadline = time.monotonic() + 10
        while not any("service legacy: waiting up to 10s for pid file" in l for l in d.lines()[n:]):
            check(time.monotonic() < deadline, "the third run never waited for its pid file", d)
            time.sleep(0.01)
        n = len(d.lines())
        r = d.ctl("stop", "legacy")
        check(r.returncode == 0, f"stop: {r.stdout} {r.stderr}", d)
        later = "\n".join(d.lines()[n:])
        check("asked to stop while its pid file was awaited" in later or
              "its stop waits for its pid file" in later, f"stop while awaited: {later}", d)
        check("failed to start" not in d.log(), f"a stop while awaited failed the start", d)
        d.wait_for(r"service legacy \(pid \d+\): (exited|killed)")
        check(not os.path.exists(f"{d.dir}/legacy.pid"), "the dead daemon's pid file was left", d)
        d.stop(0)


def a_pid_file_there_before_the_start_is_not_the_daemons():
    """A pid file left from before (here written just before drainit starts, naming pid 3,
    which in the new namespace is the launcher's short-lived middle process) is the last
    daemon's: drainit waits for the new daemon to write its own, and tracks that one."""
    tmp = tempfile.mkdtemp(prefix="drainit-it-pid-")
    try:
        pidfile = os.path.join(tmp, "legacy.pid")
        with open(pidfile, "w") as f:
            f.write("3\n")
        ini = f"""
[service:legacy]
type = forking
command = {TSVC} --name legacy --daemonize {pidfile} --pidfile-after 300 --term-delay 0
pidfile = {pidfile}
restart = no
"""
        with Drainit(ini=ini) as d:
            m = d.wait_for(r"service legacy \(pid (\d+)\): running: tracking pid")
            check(m.group(1) != "3", "tracked the pid of the old pid file", d)
            check("failed to start" not in d.log(), "failed on the old pid file", d)
            d.stop(0)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def a_daemon_that_never_came_is_no_clean_stop():
    """Stopped while its pid file is awaited, and the pid file never comes (the launcher
    started nothing): the run ends at shutdown_timeout as a start that failed, 126, not as
    a clean stop."""
    ini = f"""
[drainit]
shutdown_timeout = 1s
[service:legacy]
type = forking
command = /bin/sh -c 'exit 0'
pidfile = @DIR@/legacy.pid
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"service legacy: waiting up to 10s for pid file")
        d.signal(signal.SIGTERM)
        d.expect_rc(126)
        d.wait_for(r"service legacy: failed to start: pid file \S+ had not named its daemon when the "
                   r"shutdown stopped waiting for it")
        d.wait_for(r"exiting with code 126 \(first service not stopped cleanly: legacy \(never started: "
                   r"pid file ")


def pidfile_naming_a_stranger_is_refused():
    # Outside a namespace: the test runner itself is the stranger.
    me = os.getpid()
    ini = f"""
[service:legacy]
type = forking
command = {TSVC} --name legacy --daemonize @DIR@/l.pid --pidfile-content {me}
pidfile = @DIR@/l.pid
restart = no
"""
    with Drainit(ini=ini, pid1=False) as d:
        try:
            d.expect_rc(126)   # a start that failed (EXIT STATUS)
            d.wait_for(rf"service legacy: failed to start: pid {me} from \S+l.pid is not a child of drainit \(its parent is \d+\); refusing to track it")
            check("sending SIGTERM to service legacy" not in d.log(), "signalled a stranger", d)
        finally:
            m = re.search(r"legacy: ready pid=(\d+)", d.out())
            if m:
                try:
                    os.kill(int(m.group(1)), signal.SIGKILL)
                except ProcessLookupError:
                    pass


def pidfile_naming_pid1_is_refused():
    ini = f"""
[service:legacy]
type = forking
command = {TSVC} --name legacy --daemonize @DIR@/l.pid --pidfile-content 1
pidfile = @DIR@/l.pid
restart = no
"""
    with Drainit(ini=ini) as d:
        d.expect_rc(126)   # a start that failed (EXIT STATUS)
        d.wait_for(r"pid 1 from \S+ is not a child of drainit \(its parent is 0\); refusing to track it")


def missing_pidfile_times_out():
    ini = f"""
[service:legacy]
type = forking
command = {TSVC} --name legacy --daemonize @DIR@/l.pid --no-pidfile
pidfile = @DIR@/l.pid
start_timeout = 500ms
restart = no
"""
    with Drainit(ini=ini) as d:
        d.expect_rc(126)   # a start that failed (EXIT STATUS)
        d.assert_order(r"service legacy: waiting up to 500ms for pid file",
                       r"service legacy: failed to start: pid file \S+ did not appear within start_timeout")
        waited = d.time_of(r"failed to start: pid file") - d.time_of(r"waiting up to 500ms")
        check(waited >= 0.45, f"gave up after {waited:.3f}s, before start_timeout", d)


def launcher_group_gone_is_not_signalled():
    """While drainit waits for the pid file, the launcher has been reaped; when its
    process group was empty then (the daemon went to a session of its own), that group
    number is free for any process to take, so a forwarded signal goes nowhere until
    the pid file names the daemon."""
    ini = f"""
[service:legacy]
type = forking
command = {TSVC} --name legacy --daemonize @DIR@/l.pid --no-pidfile
pidfile = @DIR@/l.pid
start_timeout = 5s
restart = no
"""
    with Drainit(["-v"], ini=ini) as d:
        m = d.wait_for(r"service legacy: the launcher's process group \(pgid (\d+)\) is empty: no signal goes to it")
        d.wait_for(r"service legacy: waiting up to 5s for pid file")
        d.signal(signal.SIGHUP)
        d.wait_for(r"forwarded SIGHUP to 0 services")
        r = d.ctl("signal", "legacy", "HUP")
        check(r.returncode == 1 and "has no process to signal yet (it waits for its pid file" in r.stderr,
              f"ctl signal while waiting: {r.returncode} {r.stdout} {r.stderr}", d)
        check(f"pgid {m.group(1)}" not in d.log().split("is empty: no signal goes to it", 1)[1],
              "a signal went to the launcher's empty group", d)
        d.signal(signal.SIGTERM)
        d.wait(timeout=20)


def untrustworthy_pidfiles_are_refused():
    """A pid file that could have been planted is never read as the daemon's pid: a
    symlink, one in a directory anyone can write to, one holding more than a number.
    The same daemon with a plain pid file is adopted (negative control)."""
    cases = [
        ('ln -s "$1/real.pid" "$1/l.pid"', "$1/real.pid", "@DIR@/l.pid",
         r"cannot open pid file \S+l.pid: it is a symbolic link"),
        ('mkdir -m 0777 "$1/open"', "$1/open/l.pid", "@DIR@/open/l.pid",
         r"pid file \S+ is in a directory anyone can write to"),
        ("", "$1/l.pid --pidfile-content 12abc", "@DIR@/l.pid",
         r"pid file \S+ does not hold one positive number"),
        ("", "$1/l.pid", "@DIR@/l.pid", None),
    ]
    for prep, written, pidfile, refusal in cases:
        sh = script(prep + "\nexec " + TSVC + " --name legacy --daemonize " + written)
        ini = f"""
[service:legacy]
type = forking
command = {sh} @DIR@
pidfile = {pidfile}
start_timeout = 2s
restart = no
"""
        with Drainit(ini=ini) as d:
            if refusal:
                d.expect_rc(126)   # a start that failed (EXIT STATUS)
                d.wait_for(r"service legacy: failed to start: " + refusal)
                check("tracking pid" not in d.log(), "adopted an untrusted pid", d)
            else:
                d.wait_for(r"service legacy \(pid \d+\): running: tracking pid")
                d.signal(signal.SIGTERM)
                d.expect_rc(0)	# it died of the stop signal drainit sent: clean


if __name__ == "__main__":
    run(daemon_as_pid1, daemon_as_subreaper, stop_asked_before_the_pid_file_goes_out_once_adopted,
        restart_tracks_the_new_daemon_not_the_last_pid_file,
        a_pid_file_there_before_the_start_is_not_the_daemons,
        a_daemon_that_never_came_is_no_clean_stop,
        pidfile_naming_a_stranger_is_refused,
        pidfile_naming_pid1_is_refused, missing_pidfile_times_out,
        launcher_group_gone_is_not_signalled, untrustworthy_pidfiles_are_refused)
