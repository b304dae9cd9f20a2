"""Claim: operator polish, end to end: runtime_directory makes /run/NAME (0755, owned by
the service's user) before the service starts; a UTF-8 BOM and decimal durations load; a
directory or unreadable path as the config file is one clear error and exit 78; --check
lists type, dependencies, restart policy, pid file and the start order, and quotes the
argv of -- CMD; /status's started_at does not move between requests; a crash is logged at
warn and a clean stop at info; drain-hook output is prefixed like service output."""
import json
import os
import pwd
import signal
import subprocess
import tempfile
import time
import urllib.request

from harness import DRAINIT, TSVC, Drainit, check, public_copy, run

NOBODY = 65534


def svc(name, extra="", args=""):
    return (f"[service:{name}]\ncommand = {TSVC} --name {name} --term-delay 0 {args}\n{extra}\n")


def runtime_directory():
    name = f"drainit-it-{os.getpid()}"
    path = os.path.join("/run", name)
    # a runs as nobody: from a copy it can reach wherever the checkout lives
    ini = (svc("a", f"runtime_directory = {name}\nuser = {NOBODY}").replace(TSVC, public_copy(TSVC)) +
           "[service:b]\ncommand = /bin/sh -c 'stat -c \"%a %u\" " + path + "; exec sleep 100'\n"
           f"runtime_directory = {name}\n")
    try:
        with Drainit(ini=ini) as d:
            d.wait_for(r"a: ready", stream="out")
            st = os.stat(path)
            check(st.st_mode & 0o7777 == 0o755, f"mode {oct(st.st_mode)}", d)
            d.wait_for(r"b +\| 755 \d+", stream="out")
            d.stop(0)
    finally:
        if os.path.isdir(path):
            os.rmdir(path)
    # a symlink there is not followed: the start fails with one line
    target = tempfile.mkdtemp()
    os.symlink(target, path)
    try:
        with Drainit(ini=svc("a", f"runtime_directory = {name}")) as d:
            d.wait_for(rf"service a: failed to start: runtime_directory: open {path}: ")
            d.signal(signal.SIGTERM)
            d.wait()
    finally:
        os.unlink(path)
        os.rmdir(target)


def bom_and_decimals():
    with Drainit(ini="\ufeff[drainit]\nprestop_delay = 0.25s\n" + svc("a")) as d:
        d.wait_for(r"a: ready", stream="out")
        d.signal(signal.SIGTERM)
        d.wait_for(r"shutdown: stage prestop \(delay 250ms")
        d.expect_rc(0)


def bad_config_paths():
    tmp = tempfile.mkdtemp()
    r = subprocess.run([DRAINIT, "-c", tmp], capture_output=True, text=True)
    check(r.returncode == 78, f"directory: rc {r.returncode}")
    check(r.stderr.splitlines()[0] ==
          f"{tmp}: is a directory, not a configuration file (give the path of the INI file, e.g. /etc/drainit.ini)",
          f"directory: {r.stderr}")
    path = os.path.join(tmp, "x.ini")
    with open(path, "w") as f:
        f.write(svc("a"))
    os.chmod(path, 0)
    r = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                        DRAINIT, "--check", "-c", path], capture_output=True, text=True)
    check(r.returncode == 78, f"unreadable: rc {r.returncode} {r.stderr}")
    check(r.stderr.startswith(f"{path}: cannot read: Permission denied (drainit runs as uid {NOBODY}; check the file's mode and owner)"),
          f"unreadable: {r.stderr}")
    os.unlink(path)
    os.rmdir(tmp)


def check_lists_lifecycle():
    tmp = tempfile.mkdtemp()
    path = os.path.join(tmp, "c.ini")
    with open(path, "w") as f:
        f.write("[service:web]\ncommand = /bin/true\nafter = db\nrequires = mig\nrestart = always\n"
                "[service:db]\ncommand = /bin/true\ntype = forking\npidfile = /run/db.pid\n"
                "[service:mig]\ncommand = /bin/true\ntype = oneshot\nrestart = no\n")
    r = subprocess.run([DRAINIT, "--check", "-c", path], capture_output=True, text=True)
    check(r.returncode == 0, f"rc {r.returncode}: {r.stderr}")
    lines = r.stdout.splitlines()
    for want in ("service web: type simple; restart always (limit 5/1m); after db; requires mig",
                 "service db: type forking; restart on-failure (limit 5/1m); pidfile /run/db.pid",
                 "service mig: type oneshot; restart no",
                 "start order: db, mig, web"):
        check(want in lines, f"missing {want!r} in:\n{r.stdout}")
    os.unlink(path)
    os.rmdir(tmp)
    r = subprocess.run([DRAINIT, "--check", "--", "/bin/echo", "a b", "it's", "plain", ""],
                       capture_output=True, text=True)
    check(r.returncode == 0, f"rc {r.returncode}: {r.stderr}")
    check("command /bin/echo 'a b' 'it'\\''s' plain ''; " in r.stdout, f"quoted: {r.stdout}")


def started_at_is_stable():
    port = 20000 + os.getpid() % 20000
    with Drainit(ini=f"[drainit]\nprobe_listen = 127.0.0.1:{port}\n" + svc("a")) as d:
        d.wait_for(r"a: ready", stream="out")
        seen = set()
        for _ in range(5):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=5) as r:
                seen.add(json.loads(r.read())["services"][0]["started_at"])
            time.sleep(0.05)
        check(len(seen) == 1, f"started_at moved: {seen}", d)
        d.stop(0)


def crash_is_a_warning():
    ini = ("[drainit]\non_failure = keep\n" + svc("crash", "restart = no", "--exit-after 100 --code 3") +
           svc("calm"))
    with Drainit(ini=ini) as d:
        d.wait_for(r"warning: service crash \(pid \d+\): exited with status 3 after")
        d.signal(signal.SIGTERM)
        d.wait()
        check(any("service calm (pid" in l and "exited with status 0" in l and "warning" not in l
                  for l in d.lines()), f"a clean stop is not info:\n{d.log()}", d)


def hook_output_is_prefixed():
    ini = svc("web", "drain = /bin/sh -c 'echo draining now; echo oops >&2'") + svc("db")
    with Drainit(ini=ini) as d:
        d.wait_for(r"db: ready", stream="out")
        d.stop(0)
        check(any(l.startswith("web#1 | draining now") for l in d.out().splitlines()),
              f"stdout:\n{d.out()}", d)
        check(any(l.startswith("web#1 | oops") for l in d.log().splitlines()),
              f"stderr:\n{d.log()}", d)


if __name__ == "__main__":
    run(runtime_directory, bom_and_decimals, bad_config_paths, check_lists_lifecycle,
        started_at_is_stable, crash_is_a_warning, hook_output_is_prefixed)
