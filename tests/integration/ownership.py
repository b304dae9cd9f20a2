"""Claim: every process drainit started or adopted is accounted for, and a shutdown
always ends: a daemon that changes its process group after writing its pid file still
gets its stop signal; a pid file naming another service's pid is refused; what a
service leaves in its process group, and what drainit adopts (setsid'ed descendants of
services and drain hooks), gets SIGTERM, a grace period, then SIGKILL, and nothing
outlives drainit as a subreaper; a command that is not found fails at once with 127;
a fork that fails is a failure, never a clean exit."""
import os
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import time

from harness import DRAINIT, TSVC, Drainit, check, proc_state, run, script


def gone(pid, timeout=3):
    """True once pid no longer exists (or is only a zombie of someone else's)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        st = proc_state(pid)
        if st is None or st == "Z":
            return True
        time.sleep(0.02)
    return False


def late_group_change(pid1):
    ini = f"""
[service:legacy]
type = forking
command = {TSVC} --name legacy
  --daemonize @DIR@/legacy.pid --late-setsid 200 --term-delay 50
pidfile = @DIR@/legacy.pid
restart = no
"""
    for rep in range(20):
        with Drainit(ini=ini, pid1=pid1) as d:
            m = d.wait_for(r"service legacy \(pid (\d+)\): running: tracking pid")
            d.wait_for(r"legacy: own group pgid=(\d+)", stream="out")
            d.stop(0)
            # the target is the group the daemon is in when the signal goes out
            d.wait_for(rf"sending SIGTERM to service legacy \(pgid {m.group(1)}\)")
            d.wait_for(r"legacy: drained, exiting", stream="out")
            check("sending SIGKILL" not in d.log(), f"run {rep}: graceful stop lost", d)


def late_group_change_as_pid1():
    late_group_change(True)


def late_group_change_as_subreaper():
    late_group_change(False)


def pidfile_naming_another_service_is_refused():
    ini = f"""
[drainit]
shutdown_timeout = 5s
[service:a]
command = sh -c 'echo $$ > @DIR@/a.pid; exec {TSVC} --name a'
[service:b]
type = forking
after = a
command = sh -c 'while [ ! -s @DIR@/a.pid ]; do sleep 0.05; done; cp @DIR@/a.pid @DIR@/b.pid'
pidfile = @DIR@/b.pid
restart = no
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"service b: failed to start: pid \d+ from \S+b.pid is already tracked by drainit; refusing to track it twice")
        t0 = time.monotonic()
        d.wait(timeout=15)
        check(d.rc == 126, f"exit code {d.rc}, want 126 (b could not be started)", d)
        check(time.monotonic() - t0 < 10, "shutdown did not end within shutdown_timeout", d)
        d.wait_for(r"service a \(pid \d+\): killed by signal 15")


def leftover_in_group_cmd_mode(pid1):
    # the leftover drains on SIGTERM: it got the stop signal, nothing was killed
    with Drainit(["--grace", "5s", "--", "sh", "-c",
                  f"{TSVC} --name left --term-delay 50 & sleep 0.5; exit 0"], pid1=pid1) as d:
        d.wait_for(r"left: ready pid=(\d+)", stream="out")
        d.expect_rc(0)
        d.assert_order(r"service sh \(pid \d+\): exited with status 0",
                       r"service sh: processes are left in its process group \(pgid \d+\): sending SIGTERM",
                       r"service sh: its process group \(pgid \d+\) is empty")
        d.wait_for(r"left: drained, exiting", stream="out")


def leftover_gets_sigterm_as_pid1():
    leftover_in_group_cmd_mode(True)


def leftover_gets_sigterm_as_subreaper():
    leftover_in_group_cmd_mode(False)


def leftover_ignoring_term_is_killed_at_grace():
    ini = f"""
[service:keep]
command = {TSVC} --name keep
[service:quitter]
command = sh -c '{TSVC} --name left --ignore 15 & sleep 0.5; exit 3'
grace_period = 1s
restart = no
"""
    with Drainit(ini=ini, pid1=False) as d:
        m = d.wait_for(r"left: ready pid=(\d+)", stream="out")
        d.wait_for(r"service quitter: its process group \(pgid \d+\) is empty", timeout=10)
        d.assert_order(r"service quitter \(pid \d+\): exited with status 3",
                       r"service quitter: processes are left in its process group \(pgid \d+\): sending SIGTERM, grace period 1s",
                       r"grace period 1s expired, sending SIGKILL",
                       r"its process group \(pgid \d+\) is empty")
        check(gone(int(m.group(1))), "the leftover is still alive", d)
        t_term = d.time_of(r"processes are left in its process group")
        t_kill = d.time_of(r"grace period 1s expired")
        check(t_kill - t_term >= 0.9, f"SIGKILL {t_kill - t_term:.2f}s after SIGTERM, before grace", d)
        d.stop(3)


def group_emptied_by_another_parent(x_ignores_term):
    """The last process left in a service's group is not drainit's child: its parent (the
    service's other child, in a session of its own) reaps it, and drainit never sees that
    exit. The run still ends: at the grace expiry the SIGKILL finds the group empty, or,
    when the SIGKILL did hit it, drainit looks at the group again until it is empty. The
    service then restarts instead of staying in "killing" for ever."""
    trap = "trap \\\"\\\" TERM; " if x_ignores_term else ""
    ini = f"""
[service:m]
command = sh -c '( sh -c "{trap}exec sleep 1000" & exec setsid python3 -c "import os, time; os.wait(); time.sleep(1000)" ) & sleep 0.3; exit 0'
grace_period = 1s
restart = always
restart_delay = 5s
"""
    with Drainit(ini=ini, pid1=False) as d:
        d.wait_for(r"service m: processes are left in its process group \(pgid \d+\): sending SIGTERM, grace period 1s")
        if x_ignores_term:
            d.wait_for(r"grace period 1s expired, sending SIGKILL", timeout=5)
        d.wait_for(r"service m: its process group \(pgid \d+\) is empty", timeout=5)
        d.wait_for(r"service m: restarting in 5s", timeout=5)
        # its last run: clean, unless its leftover had to be SIGKILLed
        d.stop(137 if x_ignores_term else 0)


def group_emptied_by_another_parent_at_sigterm():
    group_emptied_by_another_parent(False)


def group_emptied_by_another_parent_after_sigkill():
    group_emptied_by_another_parent(True)


def setsid_grandchildren(pid1):
    ini = f"""
[drainit]
orphan_grace = 1s
drain = {TSVC}
  --name hook --setsid-child --exit-after 50
[service:web]
command = {TSVC} --name web --setsid-child --term-delay 50
"""
    with Drainit(ini=ini, pid1=pid1) as d:
        d.wait_for(r"web: ready", stream="out")
        d.stop(0)
        kids = [int(p) for p in re.findall(r"setsid child pid=(\d+)", d.out())]
        check(len(kids) == 2, f"setsid children: {kids}", d)
        d.assert_order(r"stage stopping",
                       r"shutdown: stage orphans \(processes drainit adopted are left: sending SIGTERM, orphan_grace 1s\)",
                       r"shutdown: sent SIGTERM to the adopted process",
                       r"shutdown: stage killing \(orphan_grace 1s expired\)")
        t_term = d.time_of(r"stage orphans")
        t_kill = d.time_of(r"stage killing")
        check(t_kill - t_term >= 0.9, "SIGKILL before orphan_grace", d)
        # the summary says what had to be killed
        check("SIGKILL needed: 2 adopted processes" in d.log(), "the summary does not count them", d)
        if not pid1:
            for k in kids:
                check(gone(k), f"setsid grandchild {k} outlived drainit", d)
                check(f" {k}" in d.log() or f":{k}" in d.log(), f"pid {k} never named in the log", d)


def setsid_grandchildren_as_pid1():
    setsid_grandchildren(True)


def setsid_grandchildren_as_subreaper():
    setsid_grandchildren(False)


def with_setsid_orphan(main):
    """A script that starts a setsid'ed tsvc named orphan, then execs tsvc --name MAIN."""
    return script("setsid " + TSVC + " --name orphan --term-delay 50 &" + chr(10) +
                  "exec " + TSVC + " --name " + main)


def orphans_that_drain_end_the_stage_early():
    """Negative control for the orphan grace: one that exits on SIGTERM ends the stage."""
    ini = f"""
[drainit]
orphan_grace = 30s
[service:web]
command = {with_setsid_orphan("web --term-delay 50")}
"""
    with Drainit(ini=ini, pid1=False) as d:
        d.wait_for(r"orphan: ready", stream="out")
        d.stop(0)
        d.wait_for(r"orphan: drained, exiting", stream="out")
        check("stage killing (" not in d.log(), "waited out orphan_grace", d)


def adopted_get_sigterm_when_a_service_needed_sigkill():
    """A service whose leftover ignores SIGTERM is SIGKILLed at its grace period; an
    adopted (setsid) process still gets the orphans stage's SIGTERM and drains, instead of
    a SIGKILL it never saw coming. The leftover, killed with its service's group, is not
    counted as adopted; the service, clean as its main exited, did not stop cleanly as a
    whole: 137, and the exit line says why."""
    ini = f"""
[drainit]
orphan_grace = 5s
[service:daemonizer]
command = {with_setsid_orphan("d --term-delay 0")}
[service:other]
command = {script(TSVC + " --name left --ignore TERM &" + chr(10) +
                 "exec " + TSVC + " --name other --term-delay 0")}
grace_period = 1s
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"orphan: ready", stream="out")
        d.wait_for(r"left: ready", stream="out")
        d.signal(signal.SIGTERM)
        d.expect_rc(137)
        d.assert_order(r"service other \(pgid \d+\): grace period 1s expired, sending SIGKILL",
                       r"shutdown: stage orphans \(processes drainit adopted are left",
                       r"shutdown: sent SIGTERM to the adopted process: \d+$")
        check("orphan: drained, exiting" in d.out(), "the adopted process got no SIGTERM", d)
        check("stage killing (" not in d.log(), "went on to SIGKILL everything", d)
        check(re.search(r"SIGKILL needed: other(;|$)", d.log(), re.M),
              "the summary counts the service's leftover as adopted", d)
        d.wait_for(r"exiting with code 137 \(first service not stopped cleanly: other \(exited "
                   r"with status 0; what it left in its group needed SIGKILL\)\)")


def a_group_that_cannot_empty_does_not_hold_the_shutdown():
    """After SIGKILL, web's group still holds a zombie whose parent moved to another
    group: nothing drainit can send ends it. 5 s after the SIGKILL web's run is over
    anyway, and db, which web depends on, gets its stop signal: the shutdown ends."""
    holder = ('python3 -c "import os, time\n'
              'if os.fork() == 0: os._exit(0)\n'
              'os.setpgid(0, 0); time.sleep(1000)"')
    ini = f"""
[service:db]
command = {TSVC} --name db --term-delay 0
[service:web]
command = {script(holder + " &" + chr(10) + "exec " + TSVC + " --name web --term-delay 0")}
after = db
grace_period = 1s
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"web: ready", stream="out")
        time.sleep(0.3)     # the holder has forked and left the group
        d.signal(signal.SIGTERM)
        d.expect_rc(137)
        d.assert_order(r"service web \(pgid \d+\): grace period 1s expired, sending SIGKILL",
                       r"service web: its process group \(pgid \d+\) still has members 5s after SIGKILL",
                       r"shutdown: sending SIGTERM to service db")


def missing_command_fails_once_with_127():
    ini = "[service:web]\ncommand = drainit-no-such-command --flag\n"
    with Drainit(ini=ini) as d:
        d.expect_rc(127)
        d.wait_for(r"service web \(pid \d+\): failed to start: exec: drainit-no-such-command: command not found \(PATH=\S+\)")
        check(d.log().count("failed to start") == 1, "more than one line", d)
        check("restarting in" not in d.log(), "a missing command was retried", d)


def check_reports_missing_commands():
    tmp = tempfile.mkdtemp(prefix="drainit-it-")
    try:
        ini = os.path.join(tmp, "x.ini")
        with open(ini, "w") as f:
            f.write("[service:web]\ncommand = drainit-no-such-command\n"
                    "[service:db]\ncommand = /etc/passwd\n[service:ok]\ncommand = sleep 1\n")
        r = subprocess.run([DRAINIT, "--check", "-c", ini], capture_output=True, text=True, timeout=10)
        check(r.returncode == 78, f"--check exit {r.returncode}: {r.stderr}")
        check(re.search(rf"^{re.escape(ini)}:2: \[service:web\] command: drainit-no-such-command: command not found \(PATH=", r.stderr, re.M),
              f"no FILE:LINE error: {r.stderr}")
        check(re.search(rf"^{re.escape(ini)}:4: \[service:db\] command: /etc/passwd: not executable$", r.stderr, re.M),
              f"no not-executable error: {r.stderr}")
        check("[service:ok]" not in r.stderr, f"a good command was reported: {r.stderr}")
        with open(ini, "w") as f:	# negative control: every command exists
            f.write("[service:ok]\ncommand = sleep 1\n")
        r = subprocess.run([DRAINIT, "--check", "-c", ini], capture_output=True, text=True, timeout=10)
        check(r.returncode == 0, f"--check of a good file: {r.returncode} {r.stderr}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def fork_failure_is_a_failure():
    """RLIMIT_NPROC reached: the start fails, drainit says so and exits non-zero, in
    command mode and when a shutdown finds the service waiting to retry."""
    tmp = tempfile.mkdtemp(prefix="drainit-it-")
    os.chmod(tmp, 0o755)
    exe = os.path.join(tmp, "drainit")
    shutil.copy(DRAINIT, exe)
    os.chmod(exe, 0o755)
    try:
        wrap = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "prlimit", "--nproc=1:1"]
        # LeakSanitizer needs a thread of its own at exit, which the limit forbids
        env = dict(os.environ)
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")
        with Drainit(["--", "true"], wrap=wrap, exe=exe, env=env) as d:
            d.wait(timeout=30)
            check(d.rc not in (0, None), f"exit code {d.rc}", d)
            d.wait_for(r"service true: failed to start: fork: Resource temporarily unavailable")
            check("every service stopped cleanly" not in d.log(), "called it a clean stop", d)
        ini = os.path.join(tmp, "web.ini")	# readable by nobody
        with open(ini, "w") as f:
            f.write("[service:web]\ncommand = true\nrestart_delay = 1h\n")
        os.chmod(ini, 0o644)
        with Drainit(["-c", ini], wrap=wrap, exe=exe, env=env) as d:
            d.wait_for(r"service web: restarting in 1h")
            d.signal(signal.SIGTERM)
            d.wait(timeout=30)
            check(d.rc == 126, f"exit code {d.rc}, want 126", d)
            check("every service stopped cleanly" not in d.log(), "called it a clean stop", d)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    run(late_group_change_as_pid1, late_group_change_as_subreaper,
        pidfile_naming_another_service_is_refused,
        leftover_gets_sigterm_as_pid1, leftover_gets_sigterm_as_subreaper,
        leftover_ignoring_term_is_killed_at_grace,
        group_emptied_by_another_parent_at_sigterm, group_emptied_by_another_parent_after_sigkill,
        setsid_grandchildren_as_pid1, setsid_grandchildren_as_subreaper,
        orphans_that_drain_end_the_stage_early, adopted_get_sigterm_when_a_service_needed_sigkill,
        a_group_that_cannot_empty_does_not_hold_the_shutdown,
        missing_command_fails_once_with_127, check_reports_missing_commands,
        fork_failure_is_a_failure)
