"""Runs the real drainit binary for integration scenarios.

By default drainit runs as PID 1 of a fresh PID namespace
(unshare --pid --fork --mount-proc). Signals are sent from the parent
namespace straight to drainit's host pid, as docker/kubelet would.
Every wait is bounded; no scenario asserts a speed, only order and
generous bounds."""
import atexit
import os
import re
import shutil
import signal
import stat
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
                 preexec_fn=None, cwd=None, control=True):
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
                                         pass_fds=pass_fds, preexec_fn=preexec_fn, cwd=cwd)
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

    def stop(self, want):
        """SIGTERM, the usual end of a test, then the exit code must be want."""
        self.signal(signal.SIGTERM)
        self.expect_rc(want)

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


_public_dir = None
_public_copies = {}


def _others_can_run_in(d):
    """Whether a user other than the owner can reach directory d (every
    ancestor searchable by others) and exec files in it (not mounted noexec)."""
    try:
        if os.statvfs(d).f_flag & os.ST_NOEXEC:
            return False
        p = os.path.realpath(d)
        while True:
            if not os.stat(p).st_mode & stat.S_IXOTH:
                return False
            if p == "/":
                return True
            p = os.path.dirname(p)
    except OSError:
        return False


def public_copy(path):
    """A copy of the executable at path that every user can run, for helpers a
    test runs as another user (user = nobody, setpriv): the build directory may
    sit below a directory only its owner can enter, such as /root (mode 0700),
    where exec as nobody fails with EACCES. The copy lives in a fresh 0755
    directory in the first of $TMPDIR, /tmp, /var/tmp, /dev/shm that others can
    reach and exec from, and is removed when the test process exits."""
    global _public_dir
    if path in _public_copies:
        return _public_copies[path]
    if _public_dir is None:
        for base in (tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm"):
            if _others_can_run_in(base):
                _public_dir = tempfile.mkdtemp(prefix="drainit-it-bin-", dir=base)
                os.chmod(_public_dir, 0o755)
                atexit.register(shutil.rmtree, _public_dir, True)
                break
        else:
            raise Failure("no temporary directory that other users can reach and exec from")
    dst = os.path.join(_public_dir, f"{len(_public_copies)}-{os.path.basename(path)}")
    shutil.copyfile(path, dst)
    os.chmod(dst, 0o755)
    _public_copies[path] = dst
    return dst


_scripts = []


def script(body):
    """A small sh script (any length of command line, no quoting across a config
    line) in a directory removed when the test ends; returns its path."""
    import atexit
    if not _scripts:
        _scripts.append(tempfile.mkdtemp(prefix="drainit-it-sh-"))
        os.chmod(_scripts[0], 0o755)
        atexit.register(shutil.rmtree, _scripts[0], True)
    path = os.path.join(_scripts[0], f"s{len(_scripts)}.sh")
    _scripts.append(path)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + body + "\n")
    os.chmod(path, 0o755)
    return path


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
