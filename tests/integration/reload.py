"""Claim: drainit ctl reload-config applies only what changed in the file: added services
start, removed ones get their staged stop (drain hooks, stop signal) and are dropped,
changed ones restart with their new settings, kept ones keep their pid; a file with errors
changes nothing and the FILE:LINE errors are the answer; settings read at start-up are
reported, not applied; with sighup = reload SIGHUP reloads instead of being forwarded, and
by default it is forwarded; forward_signals limits what a service is forwarded."""
import json
import os
import re
import shutil
import signal
import tempfile
import time

from harness import TSVC, Drainit, check, run

SANITIZED = bool(os.environ.get("DRAINIT_SANITIZED"))


def svc(name, extra="", args=""):
    return (f"[service:{name}]\ncommand = {TSVC} --name {name} --report --term-delay 0 {args}\n"
            f"{extra}\n")


def pids(d):
    r = d.ctl("--json", "status")
    check(r.returncode == 0, f"status: rc {r.returncode}: {r.stderr}", d)
    return {s["name"]: (s["state"], s["pid"]) for s in json.loads(r.stdout)["services"]}


def rewrite(d, text):
    with open(d.ini + ".new", "w") as f:
        f.write(text.replace("@DIR@", d.dir))
    os.rename(d.ini + ".new", d.ini)


def wait_states(d, want, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = {n: v for n, v in pids(d).items() if n in want}
        if {n: s for n, (s, _) in got.items()} == want:
            return got
        time.sleep(0.05)
    d.fail(f"states never became {want}: {pids(d)}")


def adds_removes_changes_keeps():
    ini = ("[drainit]\nmain = keep\n" + svc("keep") + svc("change") +
           svc("gone", "drain = /bin/sh -c 'echo drained-gone > @DIR@/gone.drain'",
               "--ignore TERM"))
    with Drainit(ini=ini) as d:
        d.wait_socket()
        for n in ("keep", "change", "gone"):
            d.wait_for(rf"{n}: ready", stream="out")
        before = pids(d)
        rewrite(d, "[drainit]\nmain = keep\n" + svc("keep") + svc("change", args="--code 5") +
                svc("added"))
        r = d.ctl("reload-config")
        check(r.returncode == 0, f"reload-config: rc {r.returncode}: {r.stderr}", d)
        out = r.stdout.splitlines()
        check(out[0].endswith(": 1 added, 1 removed, 1 changed, 1 kept"), f"answer: {r.stdout}", d)
        check("added: added" in out and "removed: gone" in out and "kept: keep" in out and
              "changed: change (command)" in out, f"answer: {r.stdout}", d)
        d.wait_for(r"added: ready", stream="out")
        after = wait_states(d, {"keep": "running", "change": "running", "added": "running"})
        check(after["keep"][1] == before["keep"][1], f"keep's pid changed: {before} {after}", d)
        check(after["change"][1] != before["change"][1], f"change kept its pid: {after}", d)
        r = d.ctl("ready")
        check(r.returncode == 0, f"a service being removed made drainit not ready: {r.stdout}", d)
        check(pids(d)["gone"][0] in ("running", "stopping"), f"gone: {pids(d)}", d)
        d.ctl("signal", "gone", "KILL")
        d.wait_for(r"service gone: stopped and dropped", timeout=10)
        check(list(pids(d)) == ["keep", "change", "added"], f"order: {list(pids(d))}", d)
        check(os.path.exists(os.path.join(d.dir, "gone.drain")), "gone's drain hook did not run", d)
        d.assert_order(r"drain hook gone#1 .*started", r"service gone \(pid \d+\): stopping")
        d.wait_for(r"service gone \(pid \d+\): stopping \(reload-config: removed from the file\): 1 drain hook first")
        d.wait_for(r"service change \(pid \d+\): stopping \(reload-config: its settings changed\): sending SIGTERM")
        # the changed service runs its new command
        d.wait_for(rf"service change \(pid {after['change'][1]}\): starting: .* --code 5$")
        # a second reload of the same file changes nothing
        r = d.ctl("reload-config")
        check(r.returncode == 0 and ": 0 added, 0 removed, 0 changed, 3 kept" in r.stdout,
              f"second reload: {r.stdout} {r.stderr}", d)
        check(pids(d) == after, f"a no-op reload moved pids: {pids(d)}", d)
        d.stop(0)


def syntax_error_changes_nothing():
    ini = "[drainit]\nmain = web\n" + svc("web") + svc("db")
    with Drainit(ini=ini) as d:
        d.wait_socket()
        d.wait_for(r"db: ready", stream="out")
        before = pids(d)
        rewrite(d, "[drainit]\nmain = web\n" + svc("web") + "[service:db\ncommand = /bin/true\n" +
                "[service:x]\ncommand = /bin/true\ngrace_period = 5s # five\n")
        r = d.ctl("reload")
        check(r.returncode == 1, f"rc {r.returncode}: {r.stdout} {r.stderr}", d)
        err = r.stderr.splitlines()
        check(f"{d.ini}:6: syntax error: section header without ']'" in err, f"stderr: {r.stderr}", d)
        check(f"{d.ini}:10: [service:x] grace_period: invalid duration '5s # five' (use e.g. 250ms, 5s, 2m, 1m30s); inline comments start with ';', not '#'" in err,
              f"stderr: {r.stderr}", d)
        check(err[-1] == f"drainit ctl: {d.ini}: 2 errors, nothing changed", f"last: {err[-1]}", d)
        r = d.ctl("--json", "reload-config")
        o = json.loads(r.stdout)
        check(not o["ok"] and len(o["details"]) == 2, f"json: {o}", d)
        check(pids(d) == before, f"a bad reload changed services: {pids(d)}", d)
        d.wait_for(r"error: reload-config: .*: 2 errors, nothing changed")
        # a directory is not a configuration either; the running one stays
        os.rename(d.ini, d.ini + ".bak")
        os.mkdir(d.ini)
        r = d.ctl("reload-config")
        check(r.returncode == 1 and "is a directory, not a configuration file" in r.stderr,
              f"directory: {r.stderr}", d)
        check(pids(d) == before, "a reload of a directory changed services", d)
        # nor is a FIFO, and opening one must not hang drainit's loop
        os.rmdir(d.ini)
        os.mkfifo(d.ini)
        r = d.ctl("reload-config", timeout=10)
        check(r.returncode == 1 and "is not a regular file, not a configuration file" in r.stderr,
              f"fifo: {r.returncode} {r.stderr}", d)
        check(pids(d) == before, "a reload of a FIFO changed services", d)
        d.stop(0)


def fixed_settings_are_reported():
    ini = "[drainit]\nmain = web\n" + svc("web")
    with Drainit(ini=ini) as d:
        d.wait_socket()
        d.wait_for(r"web: ready", stream="out")
        rewrite(d, "[drainit]\nmain = web\nprobe_listen = 127.0.0.1:1\nlog_format = json\n" +
                svc("web"))
        r = d.ctl("reload-config")
        check(r.returncode == 0, f"rc {r.returncode}: {r.stderr}", d)
        check("not applied (read once at start-up; restart drainit for them): probe_listen, log_format"
              in r.stdout, f"answer: {r.stdout}", d)
        d.wait_for(r"not applied until drainit restarts: probe_listen, log_format")
        d.stop(0)


def sighup_reload_and_forward():
    # two services from the start: with one, its output would be unprefixed, and a
    # second one changes that default (a change: it would restart)
    ini = "[drainit]\nmain = web\nsighup = reload\n" + svc("web") + svc("db")
    with Drainit(ini=ini) as d:
        d.wait_socket()
        d.wait_for(r"db: ready", stream="out")
        rewrite(d, "[drainit]\nmain = web\nsighup = reload\n" + svc("web") + svc("db") + svc("more"))
        d.signal(signal.SIGHUP)
        d.wait_for(r"reload-config: .*: 1 added, 0 removed, 0 changed, 2 kept")
        d.wait_for(r"more: ready", stream="out")
        check("got HUP" not in d.out(), "SIGHUP was forwarded with sighup = reload", d)
        d.stop(0)
    ini = "[drainit]\nmain = web\n" + svc("web")
    with Drainit(ini=ini) as d:
        d.wait_socket()
        d.wait_for(r"web: ready", stream="out")
        d.signal(signal.SIGHUP)
        d.wait_for(r"got HUP", stream="out")
        check("reload-config" not in d.log(), "default sighup reloaded", d)
        d.stop(0)


def forward_signals_limits():
    ini = ("[drainit]\nmain = a\n" + svc("a", "forward_signals = USR1 HUP") +
           svc("b", "forward_signals = none") + svc("c"))
    with Drainit(ini=ini) as d:
        d.wait_socket()
        for n in ("a", "b", "c"):
            d.wait_for(rf"{n}: ready", stream="out")
        d.signal(signal.SIGUSR2)
        d.wait_for(r"c: got USR2", stream="out")
        d.wait_for(r"not forwarding SIGUSR2 to a, b \(forward_signals\)")
        d.signal(signal.SIGUSR1)
        d.wait_for(r"a: got USR1", stream="out")
        d.wait_for(r"c: got USR1", stream="out")
        time.sleep(0.2)
        out = d.out()
        check("a: got USR2" not in out and "b: got USR" not in out, f"stdout: {out}", d)
        d.signal(signal.SIGTERM)   # stop signals are not forwarded signals: b still stops
        d.expect_rc(0)


def what_would_not_start_changes_nothing():
    """A reload whose changed or added service could not start (its command is not
    found, its directory is not there) is refused like a file with errors, before
    anything stops: the running services keep their pids, and the answer names the file,
    the line and the key, as --check would (applied, a mistyped command would restart the
    service into a failure, and on_failure would then stop everything)."""
    ini = "[drainit]\nmain = web\n" + svc("web") + svc("worker")
    with Drainit(ini=ini) as d:
        d.wait_socket()
        d.wait_for(r"worker: ready", stream="out")
        before = pids(d)
        rewrite(d, "[drainit]\nmain = web\n[service:web]\ncommand = /usr/bin/sleeep 1000\n\n" +
                svc("worker") + svc("more", "directory = @DIR@/not-there"))
        r = d.ctl("reload-config")
        check(r.returncode == 1, f"rc {r.returncode}: {r.stdout} {r.stderr}", d)
        err = r.stderr.splitlines()
        check(f"{d.ini}:4: [service:web] command: /usr/bin/sleeep: no such file" in err,
              f"stderr: {r.stderr}", d)
        check(any(e.startswith(f"{d.ini}:") and "[service:more] directory: " in e and
                  e.endswith("not-there: No such file or directory") for e in err),
              f"stderr: {r.stderr}", d)
        check(err[-1] == f"drainit ctl: {d.ini}: 2 errors, nothing changed", f"last: {err[-1]}", d)
        check(pids(d) == before, f"a refused reload changed services: {pids(d)}", d)
        d.stop(0)


def relative_paths_read_at_load_still_resolve():
    """env_file and prestop_token = file: are read while the file loads, and a relative
    command is looked up, relative to the directory drainit started in; a reload does the
    same there, although drainit itself has moved to / since."""
    here = tempfile.mkdtemp(prefix="drainit-it-rel-")
    os.mkdir(os.path.join(here, "bin"))
    with open(os.path.join(here, "bin", "app"), "w") as f:
        f.write("#!/bin/sh\necho app started\nexec sleep 1000\n")
    os.chmod(os.path.join(here, "bin", "app"), 0o755)
    with open(os.path.join(here, "x.env"), "w") as f:
        f.write("GREETING=one\n")
    with open(os.path.join(here, "tok"), "w") as f:
        f.write("s3cret\n")
    ini = ("[drainit]\nprestop_token = file:tok\n" +
           svc("a", "env_file = x.env") + svc("b"))
    with Drainit(ini=ini, cwd=here) as d:
        d.wait_socket()
        d.wait_for(r"b: ready", stream="out")
        r = d.ctl("reload-config")
        check(r.returncode == 0 and ": 0 added, 0 removed, 0 changed, 2 kept" in r.stdout,
              f"reload: {r.stdout} {r.stderr}", d)
        with open(os.path.join(here, "x.env"), "w") as f:
            f.write("GREETING=two\n")
        rewrite(d, ini + "[service:c]\ncommand = bin/app\nstdout = prefix\n")
        r = d.ctl("reload-config")
        check(r.returncode == 0 and "changed: a (env_file)" in r.stdout.splitlines() and
              "added: c" in r.stdout.splitlines(),
              f"reload after the env file changed: {r.stdout} {r.stderr}", d)
        d.wait_for(r"app started", stream="out")
        d.stop(0)
    shutil.rmtree(here, ignore_errors=True)


def log_buffer_change_resizes_the_kept_lines():
    """A reload that changes log_buffer restarts the service and drainit ctl logs then
    keeps what the new size holds: the last whole lines that fit, not what the old size
    held."""
    cmd = "/bin/sh -c 'for i in $(seq 1 50); do echo line $i; done; exec sleep 1000'"
    ini = f"[service:a]\ncommand = {cmd}\nlog_buffer = 4096\n" + svc("b")
    with Drainit(ini=ini) as d:
        d.wait_socket()
        d.wait_for(r"line 50$", stream="out")
        r = d.ctl("logs", "a", "-n", "100")
        check(len(r.stdout.splitlines()) == 50, f"4096 bytes hold all 50: {r.stdout!r}", d)
        rewrite(d, f"[service:a]\ncommand = {cmd}\nlog_buffer = 64\n" + svc("b"))
        r = d.ctl("reload-config")
        check(r.returncode == 0 and "changed: a (log_buffer)" in r.stdout.splitlines(),
              f"reload: {r.stdout} {r.stderr}", d)
        wait_until_lines = time.monotonic() + 10
        while d.out().count("line 50") < 2 and time.monotonic() < wait_until_lines:
            time.sleep(0.05)
        r = d.ctl("logs", "a", "-n", "100")
        got = r.stdout.splitlines()
        check(got and got[-1] == "line 50" and len(r.stdout) <= 64, f"log_buffer = 64 kept: {got}", d)
        d.stop(0)


def vm_data_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmData:"):
                return int(line.split()[1])
    raise AssertionError("no VmData")


def unchanged_reloads_cost_no_memory():
    """A reload of an unchanged file keeps the running configuration and frees the one it
    read: 300 of them leave drainit's data size where it was (each kept copy of this
    file would cost several KiB). A reload that changes only a global setting is still
    applied: the shutdown then waits the new prestop_delay."""
    ini = ("[drainit]\nmain = web\ndrain = /bin/true\n" + svc("web", "ready = exec:/bin/true") +
           svc("db", "drain = /bin/true"))
    with Drainit(ini=ini) as d:
        d.wait_socket()
        d.wait_for(r"db: ready", stream="out")
        before = pids(d)
        for _ in range(20):     # the allocator's first growth
            d.ctl("reload-config")
        start = vm_data_kib(d.pid())
        for _ in range(300):
            r = d.ctl("reload-config")
            check(r.returncode == 0 and ": 0 added, 0 removed, 0 changed, 2 kept" in r.stdout,
                  f"reload: {r.stdout} {r.stderr}", d)
        grown = vm_data_kib(d.pid()) - start
        if not SANITIZED:   # its quarantine holds freed memory: the reloads still run
            check(grown < 256, f"300 unchanged reloads grew VmData by {grown} KiB", d)
        check(pids(d) == before, f"an unchanged reload moved pids: {pids(d)}", d)
        d.wait_for(r"reload-config: .*: nothing changed, 2 kept")
        rewrite(d, "[drainit]\nmain = web\ndrain = /bin/true\nprestop_delay = 300ms\n" +
                svc("web", "ready = exec:/bin/true") + svc("db", "drain = /bin/true"))
        r = d.ctl("reload-config")
        check(r.returncode == 0 and ": 0 added, 0 removed, 0 changed, 2 kept" in r.stdout,
              f"global change: {r.stdout} {r.stderr}", d)
        check(pids(d) == before, f"a global change moved pids: {pids(d)}", d)
        d.signal(signal.SIGTERM)
        d.wait_for(r"shutdown: stage prestop \(delay 300ms")
        d.expect_rc(0)


def changing_reloads_free_what_they_replace():
    """A reload that changes something keeps what it replaced (the old configuration,
    the global drain hooks, the changed service's hooks and check) only until nothing
    can name it: 150 reloads that each change a service's drain hook and environment,
    and so restart it, leave drainit's data size where it was (a copy kept per reload
    would be about 13 KiB each here)."""
    def text(i):
        return ("[drainit]\ndrain = /bin/true\n" +
                svc("a", f"env = ROUND={i}\ndrain = /bin/echo {i}\nready = exec:/bin/true") +
                svc("b"))
    with Drainit(ini=text(0)) as d:
        d.wait_socket()
        d.wait_for(r"b: ready", stream="out")

        def reload_to(i):
            old = pids(d)["a"][1]
            rewrite(d, text(i))
            r = d.ctl("reload-config")
            check(r.returncode == 0 and "changed: a (drain)" in r.stdout.splitlines(),
                  f"reload {i}: {r.stdout} {r.stderr}", d)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                st, pid = pids(d)["a"]
                if st == "running" and pid != old:
                    return
                time.sleep(0.01)
            d.fail(f"a never ran again after reload {i}: {pids(d)}")
        for i in range(1, 21):      # the allocator's first growth
            reload_to(i)
        start = vm_data_kib(d.pid())
        for i in range(21, 171):
            reload_to(i)
        grown = vm_data_kib(d.pid()) - start
        if not SANITIZED:   # its quarantine holds freed memory: the reloads still run
            check(grown < 512, f"150 changing reloads grew VmData by {grown} KiB", d)
        check(pids(d)["b"][0] == "running", "b stopped", d)
        d.stop(0)


def a_failed_service_removed_leaves_the_exit_code_to_the_rest():
    """With on_failure = keep, a service that failed is removed by a reload: the shutdown
    that follows gets its exit code from the services that are left (0 here), and the
    dropped service's memory is not read again (under ASan this was a use after free)."""
    ini = "[drainit]\non_failure = keep\n"
    ini += svc("keep", "stdout = inherit\nstderr = inherit") + \
        "[service:bad]\ncommand = /bin/sh -c 'exit 3'\nrestart = no\nstdout = inherit\nstderr = inherit\n"
    with Drainit(ini=ini) as d:
        d.wait_socket()
        d.wait_for(r"service bad \(pid \d+\): exited with status 3")
        rewrite(d, "[drainit]\non_failure = keep\n" + svc("keep", "stdout = inherit\nstderr = inherit"))
        r = d.ctl("reload-config")
        check(r.returncode == 0 and "1 removed" in r.stdout, f"reload-config: {r.stdout} {r.stderr}", d)
        d.wait_for(r"service bad: stopped and dropped \(removed from the configuration\)")
        time.sleep(0.3)     # the reclaim pass frees it before the loop blocks
        d.stop(0)
        check("exiting with code 0 (every service stopped cleanly)" in d.log(), "exit line", d)


def a_removed_service_still_stopping_cannot_be_started_again():
    """A service removed by a reload is on its way out: ctl restart and ctl start are
    refused while it stops, it is dropped once its run is over, and a later reload may add
    it back."""
    ini = "[drainit]\nmain = keep\n" + svc("keep") + svc("gone", "grace_period = 2s", "--ignore 15")
    with Drainit(ini=ini) as d:
        d.wait_socket()
        d.wait_for(r"gone: ready", stream="out")
        rewrite(d, "[drainit]\nmain = keep\n" + svc("keep"))
        r = d.ctl("reload-config")
        check(r.returncode == 0, f"reload-config: {r.stdout} {r.stderr}", d)
        for cmd in ("restart", "start"):
            r = d.ctl(cmd, "gone")
            check(r.returncode == 1 and "was removed from the configuration" in r.stdout + r.stderr,
                  f"ctl {cmd} of a removed service: rc {r.returncode}: {r.stdout} {r.stderr}", d)
        d.wait_for(r"service gone: stopped and dropped \(removed from the configuration\)", timeout=10)
        check("service gone: starting again" not in d.log(), "the removed service came back", d)
        rewrite(d, "[drainit]\nmain = keep\n" + svc("keep") + svc("gone"))
        r = d.ctl("reload-config")
        check(r.returncode == 0 and "1 added" in r.stdout, f"added back: {r.stdout} {r.stderr}", d)
        d.stop(0)


def stop_time_settings_and_a_new_service_restart_nothing():
    """A reload that only changes when or how a running service will be stopped or
    restarted (grace_period, restart_delay, after) takes the new settings without a
    restart, and the next stop uses them. Adding a second service does not restart the
    first one although its default output (unprefixed while it was alone) would change."""
    ini = "[drainit]\nmain = a\n[service:a]\ncommand = " + TSVC + " --name a --term-delay 0\n"
    with Drainit(ini=ini) as d:
        d.wait_socket()
        d.wait_for(r"a: ready", stream="out")
        before = pids(d)
        rewrite(d, ini + "grace_period = 3s\nrestart_delay = 1s\n" + svc("b"))
        r = d.ctl("reload-config")
        check(r.returncode == 0, f"reload-config: {r.stdout} {r.stderr}", d)
        check("1 added, 0 removed, 0 changed, 1 kept" in r.stdout, f"answer: {r.stdout}", d)
        check("new settings taken without a restart: a (grace_period)" in r.stdout, r.stdout, d)
        wait_states(d, {"a": "running", "b": "running"})
        check(pids(d)["a"] == before["a"], f"a was restarted: {before} -> {pids(d)}", d)
        d.wait_for(r"service a: grace_period changed: taken without a restart")
        d.signal(signal.SIGTERM)
        d.wait_for(r"sending SIGTERM to service a \(pgid \d+\), grace period 3s")
        d.expect_rc(0)


def a_reload_that_turns_the_dependencies_round_cannot_hang_the_shutdown():
    """a after b becomes b after a, and a's command changes too. a's restart first runs
    its drain hook; a shutdown in that window orders the stops by the settings each service
    is going to have (b, then a), not a mix of old and new, which was a cycle."""
    hook = "drain = /bin/sleep 2\n"
    v1 = svc("b") + svc("a", "after = b\n" + hook)
    v2 = svc("b", "after = a") + svc("a", hook, "--code 0")
    with Drainit(ini=v1) as d:
        d.wait_socket()
        d.wait_for(r"a: ready", stream="out")
        rewrite(d, v2)
        r = d.ctl("reload-config")
        check(r.returncode == 0 and "changed: a (command)" in r.stdout, f"reload: {r.stdout}", d)
        d.wait_for(r"service a \(pid \d+\): stopping \(reload-config: its settings changed\): 1 drain hook first")
        d.signal(signal.SIGTERM)
        d.expect_rc(0)
        d.assert_order(r"shutdown: sending SIGTERM to service b", r"shutdown: sending SIGTERM to service a")


def an_added_service_waits_for_the_changed_one_it_depends_on():
    """A reload changes a (running) and c (a completed oneshot) and adds b after a: b
    starts only once a has been restarted with its new settings, not against the old a."""
    v1 = svc("a") + "[service:c]\ntype = oneshot\ncommand = /bin/true\n"
    v2 = (svc("a", "", "--code 0") + "[service:c]\ntype = oneshot\ncommand = /bin/true x\n" +
          svc("b", "after = a"))
    with Drainit(ini=v1) as d:
        d.wait_socket()
        d.wait_for(r"a: ready", stream="out")
        d.wait_for(r"service c: completed")
        rewrite(d, v2)
        n = len(d.lines())
        r = d.ctl("reload-config")
        check(r.returncode == 0, f"reload: {r.stdout} {r.stderr}", d)
        d.wait_for(r"service b \(pid \d+\): starting")
        later = d.lines()[n:]
        a_new = [i for i, l in enumerate(later) if re.search(r"service a \(pid \d+\): running", l)]
        b_start = [i for i, l in enumerate(later) if re.search(r"service b \(pid \d+\): starting", l)]
        check(a_new and b_start and a_new[0] < b_start[0], f"b started before the new a: {later}", d)
        d.stop(0)


def command_mode_has_nothing_to_reload():
    with Drainit(args=["--", TSVC, "--name", "one", "--term-delay", "0"]) as d:
        d.wait_socket()
        d.wait_for(r"one: ready", stream="out")
        r = d.ctl("reload-config")
        check(r.returncode == 1 and "runs a command (-- CMD), not a configuration file" in r.stderr,
              f"{r.stderr}", d)
        d.stop(0)


if __name__ == "__main__":
    run(adds_removes_changes_keeps, syntax_error_changes_nothing, fixed_settings_are_reported,
        a_failed_service_removed_leaves_the_exit_code_to_the_rest,
        a_removed_service_still_stopping_cannot_be_started_again,
        stop_time_settings_and_a_new_service_restart_nothing,
        a_reload_that_turns_the_dependencies_round_cannot_hang_the_shutdown,
        an_added_service_waits_for_the_changed_one_it_depends_on,
        sighup_reload_and_forward, forward_signals_limits, command_mode_has_nothing_to_reload,
        unchanged_reloads_cost_no_memory, what_would_not_start_changes_nothing,
        relative_paths_read_at_load_still_resolve, log_buffer_change_resizes_the_kept_lines,
        changing_reloads_free_what_they_replace)
