"""Claim: drainit -- CMD is a drop-in for tini and dumb-init: exit codes pass through
(0-255, 128+N), -e lists codes that count as success, -r rewrites or drops forwarded
signals, a second SIGTERM/SIGINT reaches the command, a stop sequence steps through its
signals, -p acts on the parent's death, --single-child signals the command alone, the
tini/dumb-init spellings are accepted or refused clearly, and drainit sits in /."""
import os
import signal
import subprocess
import time

from harness import DRAINIT, TSVC, Drainit, check, children_of, run

HOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def exit_codes_0_to_255_pass_through():
    # one drainit per code, as child subreaper (fast), and a sample as PID 1
    for code in range(256):
        rc = subprocess.run([DRAINIT, "--log-level", "error", "--", "sh", "-c", f"exit {code}"],
                            stdin=subprocess.DEVNULL, timeout=10).returncode
        check(rc == code, f"exit {code}: drainit exited {rc}")
    for code in (0, 1, 42, 255):
        with Drainit(["--", "sh", "-c", f"exit {code}"]) as d:
            d.expect_rc(code)


def death_by_signal_is_128_plus_n():
    for s in (signal.SIGHUP, signal.SIGQUIT, signal.SIGABRT, signal.SIGKILL, signal.SIGUSR1,
              signal.SIGSEGV, signal.SIGPIPE, signal.SIGALRM, signal.SIGTERM, signal.SIGXCPU,
              signal.SIGSYS, signal.SIGRTMIN):
        for pid1 in (True, False):
            with Drainit(["--", TSVC, "--exit-after", "0", "--kill-self", str(int(s))],
                         pid1=pid1) as d:
                d.expect_rc(128 + s)


def success_exit_maps_to_zero():
    with Drainit(["-e", "143", "--", TSVC, "--name", "x"]) as d:
        d.wait_for(r"x: ready", stream="out")
        d.stop(0)
    # negative control: without -e the same stop is 143
    with Drainit(["--", TSVC, "--name", "x"]) as d:
        d.wait_for(r"x: ready", stream="out")
        d.stop(143)
    with Drainit(["--success-exit", "3", "-e", "SIGUSR1", "--", "sh", "-c", "exit 3"]) as d:
        d.expect_rc(0)
    with Drainit(["-e", "3", "--", "sh", "-c", "exit 4"]) as d:
        d.expect_rc(4)


def success_exit_in_a_config_file():
    ini = f"""
[drainit]
main = a
[service:a]
command = sh -c 'exit 7'
success_exit = 7 SIGHUP
"""
    with Drainit(ini=ini) as d:
        d.expect_rc(0)
        d.wait_for(r"exited with status 7")
        check("restarting" not in d.log(), "a listed code was restarted as a failure", d)


def rewrite_and_drop():
    with Drainit(["--grace", "200ms", "-r", "USR1:USR2", "--rewrite", "HUP:0", "--", TSVC,
                  "--name", "x", "--report"]) as d:
        d.wait_for(r"x: ready", stream="out")
        d.signal(signal.SIGUSR1)
        d.wait_for(r"^x: got USR2$", stream="out")
        d.wait_for(r"forwarded SIGUSR1 to 1 service: tsvc \(pgid \d+, as SIGUSR2\)$")
        d.signal(signal.SIGHUP)
        d.wait_for(r"dropped SIGHUP for tsvc \(signal_map\)$")
        d.signal(signal.SIGWINCH)  # not rewritten: passes as itself
        d.wait_for(r"^x: got WINCH$", stream="out")
        check("got USR1" not in d.out() and "got HUP" not in d.out(),
              "a rewritten or dropped signal arrived as itself", d)
        d.stop(137)


def signal_map_in_a_config_file():
    ini = f"""
[drainit]
grace_period = 200ms
[service:a]
command = {TSVC} --name a --report
signal_map = WINCH:USR1 QUIT:0
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"a: ready", stream="out")
        d.signal(signal.SIGWINCH)
        d.wait_for(r"^a: got USR1$", stream="out")
        d.signal(signal.SIGQUIT)
        d.wait_for(r"dropped SIGQUIT for a \(signal_map\)$")
        d.stop(137)


def second_term_and_int_reach_the_command():
    # --report outlives its signals: the second TERM and an INT are forwarded
    # instead of skipping to SIGKILL; SIGKILL comes at grace expiry only
    with Drainit(["--grace", "1500ms", "--", TSVC, "--name", "x", "--report"]) as d:
        d.wait_for(r"x: ready", stream="out")
        d.signal(signal.SIGTERM)
        d.wait_for(r"^x: got TERM$", stream="out")
        d.signal(signal.SIGTERM)
        d.wait_for(r"SIGTERM received during shutdown \(stage stopping\): forwarding it to the command")
        d.signal(signal.SIGINT)
        d.wait_for(r"^x: got INT$", stream="out")
        d.expect_rc(137)
        check(d.out().count("got TERM") == 2, "the second SIGTERM did not arrive", d)
        check("SIGINT during shutdown" not in d.log(), "SIGINT forced the killing stage", d)
        d.wait_for(r"grace period 1\.500s expired")
    # negative control: with -c a second SIGINT still skips the waits
    ini = f"""
[service:a]
command = {TSVC} --name a --report
grace_period = 30s
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"a: ready", stream="out")
        d.signal(signal.SIGTERM)
        d.wait_for(r"^a: got TERM$", stream="out")
        d.signal(signal.SIGINT)
        d.expect_rc(137)
        d.wait_for(r"stage killing \(SIGINT during shutdown")


def stop_sequence_steps():
    ini = f"""
[service:a]
command = {TSVC} --name a --ignore 15
stop_signal = SIGTERM 300ms SIGINT 5s SIGQUIT
grace_period = 20s
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"a: ready", stream="out")
        d.signal(signal.SIGTERM)
        d.expect_rc(0)  # died of SIGINT, a signal of its sequence: clean
        d.assert_order(r"service a \(pid \d+\): stop sequence SIGTERM 300ms SIGINT 5s SIGQUIT: step 1 of 3: sent SIGTERM, next step in 300ms",
                       r"service a \(pid \d+\): stop sequence step 2 of 3: still running 300ms after SIGTERM, sending SIGINT; next step in 5s",
                       r"service a \(pid \d+\): killed by signal 2 \(SIGINT\)",
                       r"SIGKILL needed: none")
        check("step 3 of 3" not in d.log(), "the third step came after the second ended it", d)
        check(d.time_of(r"step 2 of 3") - d.time_of(r"step 1 of 3") >= 0.25, "step 2 came early", d)


def single_stop_signal_unchanged():
    ini = f"""
[service:a]
command = {TSVC} --name a
stop_signal = QUIT
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"a: ready", stream="out")
        d.stop(0)
        d.wait_for(r"sending SIGQUIT to service a")
        check("stop sequence" not in d.log(), "a single signal logged as a sequence", d)


def pdeath_signal_starts_the_shutdown():
    for flag in (["-p", "TERM"], ["--pdeath-signal", "SIGINT"], []):
        # sh is drainit's parent; killing it is the parent's death
        wrap = ["sh", "-c", '"$@" & wait', "sh"]
        with Drainit(flag + ["--", TSVC, "--name", "x"], pid1=False, wrap=wrap) as d:
            d.wait_for(r"x: ready", stream="out")
            drainit = children_of(d.proc.pid)[0]
            os.kill(d.proc.pid, signal.SIGKILL)
            d.proc.wait()
            if not flag:  # negative control: drainit runs on without its parent
                time.sleep(0.5)
                check(os.path.exists(f"/proc/{drainit}") and "stage unready" not in d.log(),
                      "drainit stopped without --pdeath-signal", d)
                os.kill(drainit, signal.SIGTERM)
            sig = "SIGINT" if "SIGINT" in flag else "SIGTERM"
            # d.wait_for gives up once d.proc (sh) is gone: poll the log here
            deadline = time.monotonic() + 10
            while "exiting with code" not in d.log() and time.monotonic() < deadline:
                time.sleep(0.01)
            check(f"stage unready ({sig} received)" in d.log(), f"{flag}: no shutdown on {sig}", d)
            check("exiting with code" in d.log(), f"{flag}: drainit did not exit", d)


def single_child_signals_the_command_alone():
    # the command forks a second process into its own group
    cmd = ["sh", "-c", f"{TSVC} --name g --report & exec {TSVC} --name x --report"]
    for flags, env, g_gets in ((["--single-child"], None, False),
                               ([], dict(os.environ, DUMB_INIT_SETSID="0"), False),
                               ([], None, True)):
        with Drainit(["--grace", "200ms"] + flags + ["--"] + cmd, env=env) as d:
            d.wait_for(r"x: ready", stream="out")
            d.wait_for(r"g: ready", stream="out")
            d.signal(signal.SIGUSR1)
            d.wait_for(r"^x: got USR1$", stream="out")
            time.sleep(0.2)
            check(("g: got USR1" in d.out()) == g_gets,
                  f"{flags or env and 'DUMB_INIT_SETSID=0' or 'default'}: group member got USR1: {not g_gets}", d)
            d.stop(137)


def compat_spellings():
    for flags in (["-s"], ["-g"], ["-s", "-g"]):
        with Drainit(flags + ["--", "sh", "-c", "exit 5"]) as d:
            d.expect_rc(5)
    env = dict(os.environ, TINI_SUBREAPER="1", TINI_KILL_PROCESS_GROUP="1", DUMB_INIT_SETSID="1")
    with Drainit(["--", "sh", "-c", "exit 6"], env=env) as d:
        d.expect_rc(6)
    for args, msg in ((["-c", "--", "true"], "drainit: -c: drainit's -c is --config FILE; for dumb-init's -c (signals to the child only) use --single-child"),
                      (["-w", "--", "true"], "drainit: -w: tini's warning on reaped zombies is not supported; drainit logs every reaped orphan at debug level (-v)"),
                      (["-e", "256", "--", "true"], "drainit: -e: '256' is not an exit code (0-255) or a signal name"),
                      (["-r", "HUP", "--", "true"], "drainit: -r: 'HUP' is not FROM:TO (e.g. HUP:USR1, or WINCH:0 to drop it)"),
                      (["-p", "NOPE", "--", "true"], "drainit: -p: unknown signal 'NOPE' (use e.g. SIGTERM, QUIT, 2)")):
        p = subprocess.run([DRAINIT] + args, capture_output=True, text=True, timeout=10)
        check(p.returncode == 64, f"{args}: exit {p.returncode}, want 64")
        check(p.stderr.strip() == msg, f"{args}: {p.stderr.strip()!r}")
    p = subprocess.run([DRAINIT, "--", "true"], capture_output=True, text=True, timeout=10,
                       env=dict(os.environ, DUMB_INIT_SETSID="yes"))
    check(p.returncode == 64 and "DUMB_INIT_SETSID: invalid value 'yes' (use 0 or 1)" in p.stderr,
          f"DUMB_INIT_SETSID=yes: {p.returncode} {p.stderr!r}")


def cwd_is_root_and_services_keep_theirs():
    with Drainit(["--", TSVC, "--name", "x"], pid1=False, cwd="/tmp") as d:
        m = d.wait_for(r"x: ready pid=(\d+)", stream="out")
        d.wait_for(r"service tsvc \(pid \d+\): running")
        deadline = time.monotonic() + 5
        while os.readlink(f"/proc/{d.pid()}/cwd") != "/" and time.monotonic() < deadline:
            time.sleep(0.01)
        check(os.readlink(f"/proc/{d.pid()}/cwd") == "/", "drainit's cwd is not /", d)
        check(os.readlink(f"/proc/{m.group(1)}/cwd") == "/tmp", "the command left its directory", d)
        d.stop(143)


def relative_paths_resolved_before_chdir():
    # a relative -c and relative file: output and directory, started from the test dir
    with Drainit(["--", "true"], pid1=False) as probe:
        probe.expect_rc(0)
        base = probe.dir
        os.makedirs(os.path.join(base, "sub"), exist_ok=True)
        with open(os.path.join(base, "rel.ini"), "w") as f:
            f.write(f"""
[service:a]
command = {TSVC} --name a --counter runs --crash-times 1
directory = sub
stdout = file:out.log
restart_delay = 50ms
""")
        with Drainit(["-c", "rel.ini"], cwd=base) as d:
            d.wait_for(r"service a: restarting in")
            d.wait_for(r"service a \(pid \d+\): running", timeout=10)
            deadline = time.monotonic() + 10
            text = ""
            while "run 2" not in text and time.monotonic() < deadline:
                text = open(os.path.join(base, "out.log")).read() if os.path.exists(os.path.join(base, "out.log")) else ""
                time.sleep(0.02)
            check("run 2" in text and "ready" in text, f"restarted run's output not in out.log: {text!r}", d)
            check(open(os.path.join(base, "sub", "runs")).read().strip() == "2",
                  "the restart did not run in directory sub", d)
            d.stop(0)


if __name__ == "__main__":
    run(exit_codes_0_to_255_pass_through, death_by_signal_is_128_plus_n, success_exit_maps_to_zero,
        success_exit_in_a_config_file, rewrite_and_drop, signal_map_in_a_config_file,
        second_term_and_int_reach_the_command, stop_sequence_steps, single_stop_signal_unchanged,
        pdeath_signal_starts_the_shutdown, single_child_signals_the_command_alone, compat_spellings,
        cwd_is_root_and_services_keep_theirs, relative_paths_resolved_before_chdir)
