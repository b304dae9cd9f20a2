"""Claim: under a real container engine (podman with runc), the static
drainit as PID 1 of a FROM scratch image turns `podman stop` into the staged
shutdown, with the container's exit code following drainit's rules and no
zombie left; forwards `podman kill --signal USR1` to its service; answers
probes through a published loopback port, /readyz flipping to 503 as the
stop begins; and resolves a service's user and groups from the image's
/etc/passwd and /etc/group without NSS. Negative control: busybox as PID 1
ignores podman stop's SIGTERM, is SIGKILLed (137) and leaves zombies.

The image is built from local files only (no registry, no network). Skips
(exit 77) only when podman is missing or cannot start any container."""
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from harness import Failure, check, run

DRAINIT = os.environ.get("DRAINIT_STATIC", "")
TSVC = os.environ.get("TSVC_STATIC", "")
BUSYBOX = os.environ.get("BUSYBOX", "/bin/busybox")
TAG = f"localhost/drainit-it-podman:{os.getpid()}"
PREFIX = f"drainit-it-{os.getpid()}"
PROBE_PORT = 9412  # inside the container
PRESTOP = 3  # seconds: the window in which /readyz must already say 503

containers = []


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(77)


def podman(*args, timeout=120, ok=True):
    p = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    if ok and p.returncode != 0:
        raise Failure(f"podman {' '.join(args)} exited {p.returncode}:\n{p.stderr}{p.stdout}")
    return p


def logs(name):
    p = podman("logs", name, ok=False)
    return p.stdout + p.stderr


def state(name, field):
    return podman("inspect", "--format", "{{.State.%s}}" % field, name).stdout.strip()


def wait_until(what, cond, timeout=30, name=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.1)
    extra = f"\n--- podman logs {name}:\n{logs(name)}" if name else ""
    raise Failure(f"timed out after {timeout}s waiting for {what}{extra}")


def wait_log(name, pattern, timeout=30):
    rx = re.compile(pattern, re.M)
    return wait_until(f"/{pattern}/ in podman logs", lambda: rx.search(logs(name)), timeout, name)


def start(suffix, *args):
    name = f"{PREFIX}-{suffix}"
    containers.append(name)
    podman("run", "-d", "--name", name, "--log-driver", "k8s-file", *args)
    return name


def free_port():
    """A free loopback port below the ephemeral range (see PITFALLS.md)."""
    for _ in range(200):
        port = random.randrange(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise Failure("no free loopback port found")


def http_get(port, path):
    """(status, body) of GET 127.0.0.1:port/path, or (None, error)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=3) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError as e:
        return None, str(e)


def processes(name):
    """{pid: (comm, state)} of every process in the container, from /proc."""
    p = podman("exec", name, "/bin/sh", "-c", "cat /proc/[0-9]*/stat 2>/dev/null", ok=False)
    procs = {}
    for line in p.stdout.splitlines():
        m = re.match(r"(\d+) \((.*)\) (\S)", line)
        if m:
            procs[int(m.group(1))] = (m.group(2), m.group(3))
    return procs


def lasting_zombies(name, samples=4, gap=0.5):
    """Zombies seen in every one of several samples, gap seconds apart: a
    process that has just exited is a zombie only until its reaper runs."""
    seen = None
    for i in range(samples):
        if i:
            time.sleep(gap)
        procs = processes(name)
        check(procs, f"no process listed in {name}")
        z = {pid for pid, (_, st) in procs.items() if st == "Z"}
        seen = z if seen is None else seen & z
    return sorted(seen)


# A service that makes an orphan every 0.3 s: each is reparented to PID 1
# and must be reaped by it. It ignores the USR1 the test forwards.
ORPHAN_LOOP = 'trap "" USR1; while :; do (sleep 0.1 &); sleep 0.3; done'

DRAINIT_INI = f"""
[drainit]
main = api
probe_listen = 0.0.0.0:{PROBE_PORT}
prestop_delay = {PRESTOP}s
grace_period = 5s
shutdown_timeout = 9s

[service:api]
command = /bin/tsvc --name api --report --term-delay 300
user = app

[service:orphans]
command = /bin/sh -c '{ORPHAN_LOOP}'

[service:whoami]
type = oneshot
command = /bin/id
user = app
"""

EXIT_INI = """
[drainit]
main = job
[service:job]
command = /bin/tsvc --name job --exit-after 300 --code 3
"""


def build_image(ctx):
    root = os.path.join(ctx, "rootfs")
    for d in ("bin", "sbin", "etc", "tmp"):
        os.makedirs(os.path.join(root, d))
    os.chmod(os.path.join(root, "tmp"), 0o1777)
    shutil.copy(DRAINIT, os.path.join(root, "sbin", "drainit"))
    shutil.copy(TSVC, os.path.join(root, "bin", "tsvc"))
    shutil.copy(BUSYBOX, os.path.join(root, "bin", "busybox"))
    for applet in ("sh", "sleep", "cat", "id", "ps", "true"):
        os.symlink("busybox", os.path.join(root, "bin", applet))
    files = {
        "etc/passwd": "root:x:0:0:root:/:/bin/sh\napp:x:1000:1000:app:/tmp:/bin/sh\n",
        "etc/group": "root:x:0:\napp:x:1000:\nextra:x:2000:app\n",
        "etc/drainit.ini": DRAINIT_INI,
        "etc/exit.ini": EXIT_INI,
    }
    for path, text in files.items():
        with open(os.path.join(root, path), "w") as f:
            f.write(text)
    with open(os.path.join(ctx, "Containerfile"), "w") as f:
        f.write("FROM scratch\nCOPY rootfs/ /\n"
                'ENTRYPOINT ["/sbin/drainit"]\nCMD ["-c", "/etc/drainit.ini"]\n')
    podman("build", "--quiet", "--network=none", "--pull=never", "-t", TAG, ctx, timeout=300)


def staged_stop_forwarding_probes():
    port = free_port()
    name = start("main", "-p", f"127.0.0.1:{port}:{PROBE_PORT}", TAG)
    wait_log(name, r"drainit 0\.1\.\d+ starting as PID 1")
    wait_log(name, r"api: ready pid=")
    # the user and groups come from the image's files, through no NSS
    wait_log(name, r"uid=1000\(app\) gid=1000\(app\) groups=1000\(app\),2000\(extra\)")

    st = wait_until("/readyz 200 through the published port",
                    lambda: (lambda r: r if r[0] == 200 else None)(http_get(port, "/readyz")),
                    name=name)
    check(st[1].startswith("ready"), f"/readyz body {st[1]!r}")
    check(http_get(port, "/livez")[0] == 200, "/livez is not 200")

    podman("kill", "--signal", "USR1", name)
    wait_log(name, r"api: got USR1$")
    wait_log(name, r"forwarded SIGUSR1 to 2 services: api \(pgid \d+\), orphans")

    # orphans keep coming, drainit reaps them, and none stays a zombie
    def reaped():
        m = re.search(r"^drainit_orphans_reaped_total (\d+)$", http_get(port, "/metrics")[1], re.M)
        return int(m.group(1)) if m else 0
    n0 = wait_until("drainit to reap orphans", reaped, name=name)
    z = lasting_zombies(name)
    check(not z, f"zombies left in the drainit container: {z}\n{processes(name)}")
    check(reaped() > n0, "no orphan reaped while the zombies were sampled")

    t0 = time.monotonic()
    stop = subprocess.Popen(["podman", "stop", "-t", "10", name], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        # /readyz goes 503 while the services still run (the prestop delay)
        st = wait_until("/readyz 503 after podman stop",
                        lambda: (lambda r: r if r[0] == 503 else None)(http_get(port, "/readyz")),
                        timeout=PRESTOP + 5, name=name)
        check("shutting down" in st[1], f"/readyz 503 body {st[1]!r}")
        # (podman shows a container it is stopping as "stopping", not running)
        status = state(name, "Status")
        check(status in ("running", "stopping"),
              f"the container was {status} before /readyz said 503")
        check("exiting with code" not in logs(name), "drainit had exited before /readyz said 503")
        check(http_get(port, "/livez")[0] == 200, "/livez is not 200 during the prestop delay")
        out, _ = stop.communicate(timeout=60)
    finally:
        if stop.poll() is None:
            stop.kill()
            stop.wait()
    took = time.monotonic() - t0
    check(stop.returncode == 0, f"podman stop exited {stop.returncode}: {out}")
    text = logs(name)
    for p in (r"shutdown: stage unready \(SIGTERM received\)", r"shutdown: stage prestop",
              r"shutdown: stage stopping", r"api: got TERM", r"api: drained, exiting",
              r"shutdown: summary: .*SIGKILL needed: none",
              r"exiting with code 0 \(main service api\)"):
        check(re.search(p, text, re.M), f"no /{p}/ in podman logs:\n{text}")
    order = [text.index(s) for s in ("stage unready", "stage prestop", "stage stopping")]
    check(order == sorted(order), f"stages out of order:\n{text}")
    rc = state(name, "ExitCode")
    check(rc == "0", f"container exit code {rc}, want 0 (drainit's); podman logs:\n{text}")
    check(took < 10, f"podman stop took {took:.1f}s: it had to SIGKILL drainit")


def exit_code_of_main_service():
    name = start("exit", TAG, "-c", "/etc/exit.ini")
    wait_until("the container to exit", lambda: state(name, "Running") == "false", name=name)
    text = logs(name)
    check(re.search(r"exiting with code 3 ", text), f"drainit did not exit 3:\n{text}")
    rc = state(name, "ExitCode")
    check(rc == "3", f"container exit code {rc}, want 3 (the main service's status)\n{text}")


def busybox_pid1_control():
    # PID 1 is busybox sleep (the shell execs it); a background loop makes
    # orphans, which the sleep never reaps.
    name = start("control", "--entrypoint", "/bin/sh", TAG,
                 "-c", f"({ORPHAN_LOOP}) & exec sleep 1000")
    wait_until("PID 1 to be sleep", lambda: processes(name).get(1, ("",))[0] == "sleep",
               name=name)
    # zombies pile up: the zombie check can fail
    wait_until("lasting zombies under busybox", lambda: lasting_zombies(name, 2), name=name)
    # a forwarded-signal check can fail too: USR1 to a PID 1 without a
    # handler is dropped, and the container keeps running
    podman("kill", "--signal", "USR1", name)
    time.sleep(0.5)
    check(state(name, "Running") == "true", "busybox PID 1 died of SIGUSR1")
    t0 = time.monotonic()
    podman("stop", "-t", "2", name)
    took = time.monotonic() - t0
    rc = state(name, "ExitCode")
    check(rc == "137", f"busybox PID 1 exit code {rc}, want 137 (SIGKILL after the timeout)")
    check(took >= 1.5, f"podman stop took {took:.1f}s: SIGTERM was not ignored")


def main():
    if not shutil.which("podman"):
        skip("podman is not installed (scripts/deps installs it)")
    if not DRAINIT or not TSVC:
        skip("no static drainit/tsvc in this build (sanitizer builds cannot link statically)")
    # the image has no libc: only a static busybox runs in it
    if not os.path.exists(BUSYBOX) or subprocess.run(
            ["ldd", BUSYBOX], capture_output=True).returncode == 0:
        raise Failure(f"{BUSYBOX} is missing or not static: install busybox-static")
    p = podman("info", ok=False, timeout=60)
    if p.returncode != 0:
        skip(f"podman cannot run here: podman info: {p.stderr.strip()}")
    ctx = tempfile.mkdtemp(prefix="drainit-podman-")
    try:
        build_image(ctx)
        p = podman("run", "--rm", "--entrypoint", "/bin/true", TAG, ok=False, timeout=60)
        if p.returncode != 0:
            skip(f"podman cannot start a container here: {p.stderr.strip()}")
        run(staged_stop_forwarding_probes, exit_code_of_main_service, busybox_pid1_control)
    finally:
        for c in containers:
            podman("rm", "-f", "-t", "0", c, ok=False)
        podman("rmi", "-f", TAG, ok=False)
        shutil.rmtree(ctx, ignore_errors=True)


if __name__ == "__main__":
    main()
