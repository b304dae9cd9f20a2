"""Runs the real drainit binary for integration scenarios.

By default drainit runs as PID 1 of a fresh PID namespace
(unshare --pid --fork --mount-proc). Signals are sent from the parent
namespace straight to drainit's host pid, as docker/kubelet would.
Every wait is bounded; no scenario asserts a speed, only order and
generous bounds."""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime

DRAINIT = os.environ["DRAINIT"]
TSVC = os.environ["TSVC"]
NOREAP = os.environ.get("NOREAP", "")

TS_RE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})Z drainit: ")


class Failure(AssertionError):
    pass


class Drainit:
    def __init__(self, args=(), ini=None, pid1=True, env=None, wrap=None, exe=None, pass_fds=(),
                 preexec_fn=None, control=True):
        self.dir = tempfile.mkdtemp(prefix="drainit-it-")
        args = list(args)
        # Every run gets its own control socket in its temp dir: the default
        # (/run/drainit.sock) would be shared by the tests running at once.
        self.sock = os.path.join(self.dir, "ctl.sock")
        if control and exe is None:
            args = ["--control", self.sock] + args
        if ini is not None:
            self.ini = os.path.join(self.dir, "test.ini")
            with open(self.ini, "w") as f:
                f.write(ini.replace("@DIR@", self.dir))
            args = ["-c", self.ini] + args
        self.err_path = os.path.join(self.dir, "stderr")
        self.out_path = os.path.join(self.dir, "stdout")
        self.pid1 = pid1
        cmd = [exe or DRAINIT] + args
        if wrap:
            cmd = list(wrap) + cmd
        if pid1:
            cmd = ["unshare", "--pid", "--fork", "--mount-proc"] + cmd
        self.cmd = cmd
        with open(self.err_path, "wb") as e, open(self.out_path, "wb") as o:
            self.proc = subprocess.Popen(cmd, stdout=o, stderr=e, stdin=subprocess.DEVNULL,
                                         env=env, start_new_session=True,
                                         pass_fds=pass_fds, preexec_fn=preexec_fn)
        self._pid = None
        self.rc = None

    # -- process handles -------------------------------------------------
    def pid(self, timeout=10):
        """drainit's pid as seen from here."""
        if self._pid:
            return self._pid
        if not self.pid1:
            self._pid = self.proc.pid
            return self._pid
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            kids = children_of(self.proc.pid)
            if kids:
                self._pid = kids[0]
                return self._pid
            time.sleep(0.01)
        self.fail("drainit never started under unshare")

    def signal(self, sig):
        os.kill(self.pid(), sig)

    def wait(self, timeout=30):
        try:
            self.rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            self.fail(f"drainit did not exit within {timeout}s")
        return self.rc

    def __enter__(self):
        return self

    def __exit__(self, et, ev, tb):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        if et is None:
            shutil.rmtree(self.dir, ignore_errors=True)
        return False

    def ctl(self, *args, timeout=30, user=None, exe=None, sock=None):
        """Runs drainit ctl against this drainit's socket; a CompletedProcess."""
        cmd = [exe or DRAINIT, "ctl", "--socket", sock or self.sock] + list(args)
        if user:
            cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"] + cmd  # uid
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            self.fail(f"drainit ctl {' '.join(args)} did not return within {timeout}s")

    def wait_socket(self, timeout=10):
        self.wait_for(r"control socket listening on ", timeout=timeout)

    # -- output ------------------------------------------------------------
    def log(self):
        with open(self.err_path, errors="replace") as f:
            return f.read()

    def out(self):
        with open(self.out_path, errors="replace") as f:
            return f.read()

    def lines(self):
        return self.log().splitlines()

    def fail(self, msg):
        raise Failure(f"{msg}\n--- command: {' '.join(self.cmd)}\n--- stderr:\n{self.log()}\n--- stdout:\n{self.out()}")

    def wait_for(self, pattern, timeout=10, stream="err"):
        rx = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        while True:
            text = self.log() if stream == "err" else self.out()
            m = rx.search(text)
            if m:
                return m
            if time.monotonic() > deadline:
                self.fail(f"timed out after {timeout}s waiting for /{pattern}/ on std{stream}")
            if self.proc.poll() is not None:
                text = self.log() if stream == "err" else self.out()
                m = rx.search(text)
                if m:
                    return m
                self.fail(f"drainit exited ({self.proc.returncode}) before /{pattern}/ appeared on std{stream}")
            time.sleep(0.01)

    def index(self, pattern):
        """Index of the first log line matching pattern (fails if none)."""
        rx = re.compile(pattern)
        for i, l in enumerate(self.lines()):
            if rx.search(l):
                return i
        self.fail(f"no log line matches /{pattern}/")

    def time_of(self, pattern):
        """Timestamp (seconds, float) of the first log line matching pattern."""
        l = self.lines()[self.index(pattern)]
        m = TS_RE.match(l)
        if not m:
            self.fail(f"log line without timestamp: {l}")
        return datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f").timestamp()

    def assert_order(self, *patterns):
        idx = [self.index(p) for p in patterns]
        if idx != sorted(idx):
            self.fail(f"log lines out of order: {list(zip(patterns, idx))}")

    def expect_rc(self, want):
        if self.rc is None:
            self.wait()
        if self.rc != want:
            self.fail(f"exit code {self.rc}, want {want}")


def children_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        return []


def proc_state(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return None


def zombie_children(pid):
    return [c for c in children_of(pid) if proc_state(c) == "Z"]


def check(cond, msg, d=None):
    if not cond:
        if d is not None:
            d.fail(msg)
        raise Failure(msg)


def run(*scenarios):
    """Runs each scenario function; prints a TAP-ish line per scenario."""
    failed = 0
    for s in scenarios:
        t0 = time.monotonic()
        try:
            s()
            print(f"ok - {s.__name__} ({time.monotonic() - t0:.2f}s)")
        except Exception as e:  # noqa: BLE001 - report every failure the same way
            failed += 1
            print(f"FAIL - {s.__name__}: {e}")
    print(f"{len(scenarios) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
