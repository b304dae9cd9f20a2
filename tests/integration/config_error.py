"""Claim: a bad config prints every error as FILE:LINE naming the key, exits 78 and
starts nothing; --check validates without running; bad command lines exit 64."""
import os
import subprocess

from harness import DRAINIT, TSVC, Drainit, check, run

BAD = """[drainit]
grace_perod = 5s
prestop_delay = soon
main = wbe

[service:web]
command = sh -c 'touch @DIR@/started'
stop_signal = SIGFOO

[service:web]
command = true

[service:db]
directory = /tmp

[servce:x]
"""


def bad_config_reports_every_error_and_starts_nothing():
    with Drainit(ini=BAD) as d:
        d.expect_rc(78)
        ini = d.ini
        for want in (
            f"{ini}:2: [drainit] grace_perod: unknown key (did you mean 'grace_period'?)",
            f"{ini}:3: [drainit] prestop_delay: invalid duration 'soon' (use e.g. 250ms, 5s, 2m, 1m30s)",
            f"{ini}:8: [service:web] stop_signal: unknown signal 'SIGFOO' (use e.g. SIGTERM, QUIT, 2)",
            f"{ini}:10: [service:web]: duplicate service 'web' (first defined at line 6)",
            f"{ini}:16: [servce:x]: unknown section (did you mean [service:x]?)",
            f"{ini}:13: [service:db] command: missing (every service needs a command)",
            f"{ini}:4: [drainit] main: unknown service 'wbe' (did you mean 'web'?)",
            f"drainit: {ini}: 7 errors, nothing started",
        ):
            check(want in d.lines(), f"missing error line: {want}", d)
        check(not os.path.exists(os.path.join(d.dir, "started")), "a service started despite errors", d)


def check_mode():
    ok = Drainit(["--check"], ini=f"[service:web]\ncommand = {TSVC} --name web\n", pid1=False)
    with ok as d:
        d.expect_rc(0)
        check("ok: 1 service" in d.out() and "service web: command" in d.out(), "no summary", d)
    with Drainit(["--check"], ini=BAD, pid1=False) as d:
        d.expect_rc(78)


def check_adds_up_the_shutdown_and_warns():
    ini = f"""[drainit]
probe_listen = 127.0.0.1:9
prestop_delay = 3s
shutdown_timeout = 60s
[service:db]
command = {TSVC}
grace_period = 20s
ready = listen
[service:web]
command = {TSVC}
after = db
"""
    with Drainit(["--check"], ini=ini, pid1=False) as d:
        d.expect_rc(0)
        check("shutdown at most 43s: prestop 3s, stopping 30s (web ... db, 2 services in a row), "
              "orphans 5s, reaper 5s; set terminationGracePeriodSeconds to at least 44" in d.out(),
              f"no budget: {d.out()}", d)
        d.wait_for(r"^warning: \S+: \[service:web\] ready: not set")
        d.wait_for(r"^warning: \S+:3: \[drainit\] prestop_delay: 3s is less than a usual probe detection window")
        check("[service:db] ready" not in d.log(), "warned about a service with a ready check", d)
    # a shutdown_timeout shorter than the prestop runs (it cuts a long drain short):
    # --check warns, as drainit -c accepts it, and the budget is the cap
    with Drainit(["--check"], ini=ini.replace("shutdown_timeout = 60s", "shutdown_timeout = 2s"),
                 pid1=False) as d:
        d.expect_rc(0)
        d.wait_for(r"^warning: \S+:4: \[drainit\] shutdown_timeout: 2s is shorter than the prestop stage can last \(3s")
        check("shutdown at most 7s: prestop 3s, stopping 30s (web ... db, 2 services in a row), "
              "orphans 5s, reaper 5s; shutdown_timeout 2s cuts it short; "
              "set terminationGracePeriodSeconds to at least 8" in d.out(), f"budget: {d.out()}", d)
    # a drain hook with no time limit: no bound unless shutdown_timeout gives one
    with Drainit(["--check", "--drain", "true", "--drain-timeout", "0", "--", "true"],
                 pid1=False) as d:
        d.expect_rc(0)
        check("shutdown has no upper bound: a drain hook has drain_timeout 0 (no limit)" in d.out(),
              f"budget: {d.out()}", d)


def a_hash_in_a_command_is_flagged_not_refused():
    """'#' does not start a comment in this syntax: a command word that starts with it is
    most likely one; --check and the start-up log warn (it stays valid: a program may
    take such an argument). Negative control: ';' comments give no warning."""
    ini = "[service:web]\ncommand = /bin/sh -c 'exec sleep 100'   # the web app\n"
    with Drainit(["--check"], ini=ini, pid1=False) as d:
        d.expect_rc(0)
        d.wait_for(r"^warning: \S+:2: \[service:web\] command: word 3 is '#': '#' does not start a comment "
                   r"\(inline comments start with ';'\)")
    with Drainit(ini=ini) as d:
        d.wait_for(r"drainit: warning: \S+:2: \[service:web\] command: word 3 is '#'")
        d.stop(0)
    with Drainit(["--check"], ini=ini.replace("#", ";"), pid1=False) as d:
        d.expect_rc(0)
        check("warning:" not in d.log(), f"warned: {d.log()}", d)


def missing_file():
    with Drainit(["-c", "/nonexistent.ini"], pid1=False) as d:
        d.expect_rc(78)
        d.wait_for(r"^/nonexistent.ini: cannot read: No such file or directory$")


def usage_errors_exit_64():
    cases = [
        (["--bogus"], "--bogus: unknown option"),
        (["--grace", "soon", "--", "true"], "--grace: invalid duration 'soon' (use e.g. 250ms, 5s, 2m, 1m30s)"),
        (["--stop-signal", "FOO", "--", "true"], "--stop-signal: unknown signal"),
        (["-c", "x.ini", "--", "true"], "give either -c FILE or -- CMD, not both"),
        ([], "nothing to run"),
        (["--grace", "1s", "-c", "x.ini"], "--grace applies to -- CMD only"),
        (["-c"], "-c: missing argument"),
        (["--", ""], "--: the command's name is empty"),
        (["--grace", "8785h", "--", "true"], "--grace: out-of-range duration '8785h'"),
        (["--stop-signal", "TERM 5s INT", "--grace", "3s", "--", "true"],
         "--stop-signal: its waits add up to 5s, not less than --grace 3s"),
    ]
    for args, want in cases:
        p = subprocess.run([DRAINIT] + args, capture_output=True, text=True, timeout=10, check=False)
        check(p.returncode == 64, f"{args}: exit {p.returncode}, want 64; stderr {p.stderr!r}")
        check(want in p.stderr and p.stderr.count("\n") == 1,
              f"{args}: stderr {p.stderr!r} lacks one line with {want!r}")


def help_and_version():
    p = subprocess.run([DRAINIT, "--version"], capture_output=True, text=True, timeout=10, check=False)
    check(p.returncode == 0 and p.stdout.startswith("drainit "), f"--version: {p}")
    p = subprocess.run([DRAINIT, "--help"], capture_output=True, text=True, timeout=10, check=False)
    check(p.returncode == 0 and "usage: drainit" in p.stdout, f"--help: {p}")


if __name__ == "__main__":
    run(bad_config_reports_every_error_and_starts_nothing, check_mode,
        a_hash_in_a_command_is_flagged_not_refused,
        check_adds_up_the_shutdown_and_warns, missing_file,
        usage_errors_exit_64, help_and_version)
