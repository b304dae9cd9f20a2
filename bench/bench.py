#!/usr/bin/env python3
"""drainit benchmark harness: drainit side by side with tini, dumb-init, s6
and supervisord (see bench/README.md), scenarios 1-14. Reference rows (not
peers): drainit (static), tini-static, catatonit and others; the targets
count catatonit among the peers (it is the best of several rows).

Every scenario runs every peer that supports it in one invocation,
interleaved (repetition r runs all peers, in an order rotated by r), and
reports median, min and max over the repetitions. A peer lacking a feature
is reported as "n/a (why)". The C helpers (bench-child, bench-launch,
bench-sigsend, bench-orphans, bench-reaper, bench-logwatch, bench-httpget,
bench-httpd) are built by meson in build/bench/; the probe scenario uses
wrk when it is installed, else bench-httpget.

  bench.py [--smoke] --drainit PATH --helpers DIR --out-dir DIR
           [--drainit-static PATH] [--peers a,b] [--scenarios 1,4] [--reps N]
           [--merge] [--no-profiles | --profiles]
  bench.py --profiles-only --drainit PATH --helpers DIR --out-dir DIR
           [--drainit-static PATH] [--reps N]
  bench.py --rerender --out-dir DIR    (RESULTS.md again from results.json)

--merge: measure the chosen scenarios only and put them in place of the
same scenarios of OUT_DIR/results.json, keeping the others; each merged
scenario says when and on which commit it was rerun.

Profiles: a full run ends with bench/profile.py's perf and strace profiles
(stored under "profiles" in results.json, the last section of RESULTS.md),
unless --no-profiles is given, or --scenarios without --profiles; never in
--smoke. A profile that fails is reported as "error: ..." and never stops
the bench. --profiles-only measures no scenario: it takes the profiles and
puts them in place of those of OUT_DIR/results.json (with --merge, a run
that does not take them keeps the previous ones).

--smoke: one repetition of each scenario against drainit only, with short
durations; exits 1 unless every scenario produced a number (drainit's
not-implemented scenarios must produce their n/a reason instead). Never
installs anything and never compares timings.

Python 3 standard library only.
"""

import argparse
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

# ---------------------------------------------------------------- settings

FULL = {
    "reps": 5,
    "idle_s": 10.0,
    "signals": 1000,
    "signal_gap_us": 200,
    "orphans": 10000,
    "orphan_timeout_ms": 10000,
    "startup_runs": 3,
    "shutdown_delay_ms": 200,
    "shutdown_runs": 3,
    "e2e_runs": 20,
    "exit_delay_ms": 50,
    "exit_runs": 5,
    "storm_signals": 10000,
    "storm_runs": 3,
    "grace_ms": 1000,
    "crash_window_s": 20.0,
    "crash_delay_ms": 100,
    "log_lines": 200,
    "multi": 50,
    "probe_s": 3,
    "probe_rate": 2000,
    "probe_conns": 10,
    "probe_wrk_delay_ms": 4,
    "warmup": True,
}
SMOKE = {
    "reps": 1,
    "idle_s": 1.0,
    "signals": 50,
    "signal_gap_us": 200,
    "orphans": 500,
    "orphan_timeout_ms": 10000,
    "startup_runs": 1,
    "shutdown_delay_ms": 200,
    "shutdown_runs": 1,
    "e2e_runs": 3,
    "exit_delay_ms": 50,
    "exit_runs": 1,
    "storm_signals": 2000,
    "storm_runs": 1,
    "grace_ms": 1000,
    "crash_window_s": 1.0,
    "crash_delay_ms": 100,
    "log_lines": 20,
    "multi": 50,
    "probe_s": 1,
    "probe_rate": 2000,
    "probe_conns": 10,
    "probe_wrk_delay_ms": 4,
    "warmup": False,
}

NOT_YET = "not implemented yet"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


_PROFILE = None


def load_profile():
    """bench/profile.py as a module, loaded from its path (the name `profile`
    is also the standard library's profiler): (module, None) or (None, why).
    Never raises: a broken profile.py must not stop the bench."""
    global _PROFILE
    if _PROFILE is None:
        import importlib.util
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "profile.py")
        try:
            spec = importlib.util.spec_from_file_location("drainit_bench_profile", path)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            _PROFILE = (mod, None)
        except Exception as e:  # noqa: BLE001
            _PROFILE = (None, f"cannot load {path}: {type(e).__name__}: {e}")
    return _PROFILE


def render_profiles(res):
    """The last section of RESULTS.md, from res["profiles"] (never raises)."""
    prof = res.get("profiles")
    if not prof:
        return ""
    note = None
    if isinstance(prof, dict) and prof.get("run_date") and prof["run_date"] != res.get("date"):
        note = (f"*Taken on {prof['run_date']} (drainit {prof.get('drainit_source', '?')}), "
                f"not in the run above (`bench.py --profiles-only`, or a `--merge` run that "
                f"took them).*")
    mod, why = load_profile()
    if mod is None:
        return f"## Profiles: where the time goes\n\nerror: {why}\n"
    try:
        return mod.render(prof, note=note)
    except Exception as e:  # noqa: BLE001
        return f"## Profiles: where the time goes\n\nerror: cannot render: {type(e).__name__}: {e}\n"


# ------------------------------------------------------------- /proc utils

def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def descendants(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in children(p):
            out.append(c)
            todo.append(c)
    return out


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def proc_status(pid):
    """voluntary + nonvoluntary context switches of the process (all threads)."""
    vals = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            vals[k] = v.strip()
    return int(vals["voluntary_ctxt_switches"]) + int(vals["nonvoluntary_ctxt_switches"])


def proc_cpu_ns(pid):
    """CPU time of the process in ns: /proc/PID/schedstat (exact), else
    utime + stime from /proc/PID/stat (clock ticks)."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000000000 // os.sysconf("SC_CLK_TCK")


def proc_stat_cpu_ns(pid):
    """utime + stime of the process (all threads) from /proc/PID/stat, in ns;
    the kernel reports them in clock ticks (USER_HZ, 10 ms)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000000000 // os.sysconf("SC_CLK_TCK")


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(port, path="/readyz", timeout=1.0):
    """Status code of GET http://127.0.0.1:PORT/PATH (loopback only), or None."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                      .encode())
            head = s.recv(64).decode("latin-1")
        return int(head.split()[1]) if head.startswith("HTTP/1.") else None
    except (OSError, ValueError, IndexError):
        return None


def smaps_rollup(pid):
    """(Rss, Pss) in KiB."""
    rss = pss = 0
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    return rss, pss


def rss_by_mapping(pid):
    """Rss (KiB) per mapped file (basename) or [anon]/[heap]/[stack]."""
    out = {}
    name = "?"
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            head = line.split()
            if len(head) >= 5 and "-" in head[0] and ":" not in head[0]:
                name = os.path.basename(head[5]) if len(head) >= 6 else "[anon]"
            elif head and head[0] == "Rss:":
                out[name] = out.get(name, 0) + int(head[1])
    return {k: v for k, v in out.items() if v}


def kill_quietly(pid, sig):
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def stop_process(proc, timeout=15.0):
    """SIGTERM, then SIGKILL to the whole tree if it does not exit."""
    if proc.poll() is not None:
        return
    tree = descendants(proc.pid)
    kill_quietly(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
        return
    except subprocess.TimeoutExpired:
        pass
    tree = set(tree) | set(descendants(proc.pid))
    kill_quietly(proc.pid, signal.SIGKILL)
    for p in tree:
        kill_quietly(p, signal.SIGKILL)
    proc.wait(5)


def wait_for(pred, timeout, step=0.005):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def ready_records(d):
    out = []
    try:
        names = os.listdir(d)
    except OSError:
        return out
    for n in names:
        if n.isdigit():
            try:
                with open(os.path.join(d, n)) as f:
                    pid, t_main, t0 = f.read().split()
                out.append({"pid": int(pid), "t_main": int(t_main), "t0": int(t0)})
            except (OSError, ValueError):
                pass
    return out


def percentile(sorted_vals, q):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_vals:
        return None
    k = max(0, math.ceil(q / 100.0 * len(sorted_vals)) - 1)
    return sorted_vals[k]


# -------------------------------------------------------------------- runs

class Run:
    """One supervisor run: a fresh directory, its child's environment."""

    def __init__(self, bench, tag):
        self.bench = bench
        self.dir = tempfile.mkdtemp(prefix=f"{tag}-", dir=bench.tmp)
        self.ready = os.path.join(self.dir, "ready")
        os.mkdir(self.ready)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("BENCH_")}
        self.env["BENCH_READY_DIR"] = self.ready
        self.stderr_path = os.path.join(self.dir, "supervisor.log")

    def path(self, name):
        return os.path.join(self.dir, name)

    def set(self, **kw):
        for k, v in kw.items():
            self.env["BENCH_" + k.upper()] = str(v)

    def popen(self, argv, **kw):
        out = open(self.stderr_path, "ab")
        try:
            return subprocess.Popen(argv, env=self.env, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=out, cwd=self.dir, start_new_session=True, **kw)
        finally:
            out.close()

    def launch(self, argv, opts, timeout, cpu=None):
        """bench-launch OPTS -- ARGV; returns its JSON. cpu: start bench-launch
        pinned to that CPU (taskset), which ARGV and its children inherit."""
        cmd = [self.bench.helper("bench-launch")] + opts + ["--"] + argv
        if cpu is not None:
            cmd = ["taskset", "-c", str(cpu)] + cmd
        out = open(self.stderr_path, "ab")
        try:
            r = subprocess.run(cmd, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=out, cwd=self.dir, timeout=timeout, start_new_session=True)
        finally:
            out.close()
        res = json.loads(r.stdout)
        if res["error"]:
            raise BenchError(f"bench-launch: {res['error']} (see {self.stderr_path})")
        return res

    def wait_ready(self, n, timeout=15.0):
        if not wait_for(lambda: len(ready_records(self.ready)) >= n, timeout):
            raise BenchError(f"only {len(ready_records(self.ready))} of {n} children ready "
                             f"after {timeout}s (see {self.stderr_path})")
        return ready_records(self.ready)


class BenchError(Exception):
    pass


# ------------------------------------------------------------------- peers

class Peer:
    name = "?"
    package = None
    exe = None
    # its numbers are a main-loop tick of about a second, not a wake-up chain:
    # one sample per repetition where the others take several (scenarios 1, 6)
    slow_loop = False
    # scenario -> reason this peer cannot run it
    lacks = {}

    def __init__(self, bench):
        self.bench = bench

    def missing(self):
        if self.exe and not shutil.which(self.exe):
            return f"{self.exe} not installed"
        return None

    def version(self):
        if not self.package:
            return ""
        try:
            return subprocess.run(["dpkg-query", "-W", "-f=${Version}", self.package],
                                  capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    def binaries(self):
        return [shutil.which(self.exe)]

    def procs(self, root):
        """The processes that make up the supervisor (not its services)."""
        return [root]

    # argv of the supervisor with one service (the bench child); grace_ms:
    # stop signal -> SIGKILL, None for the peer's default.
    def single(self, run, grace_ms=None, pid1=False, program=None):
        raise NotImplementedError

    def multi(self, run, n):
        raise NotImplementedError


class Drainit(Peer):
    name = "drainit"
    lacks = {
        "crash": f"{NOT_YET}: drainit has no restart policies",
        "log": f"{NOT_YET}: services inherit drainit's stdout/stderr, there is no log pipeline",
        "probe": f"{NOT_YET}: drainit has no probe server",
    }

    def __init__(self, bench):
        super().__init__(bench)
        self.lacks = dict(Drainit.lacks)
        if not os.access(bench.drainit, os.X_OK):
            return
        # Features that landed after bench/ was first written: measured when
        # this drainit accepts the keys the scenario needs.
        if self.accepts("[service:svc]\ncommand = /bin/true\nstdout = file:/dev/null\n"):
            del self.lacks["log"]
        if self.accepts("[service:svc]\ncommand = /bin/true\nrestart = always\n"
                        "restart_delay = 100ms\nrestart_delay_max = 100ms\n"
                        "restart_limit = 1000000/1s\n"):
            del self.lacks["crash"]
        # shutdown_timeout must cover the prestop stage (drainit --check
        # rejects a shorter one), as in probe_services.
        if self.accepts("[drainit]\nprobe_listen = 127.0.0.1:9\nprestop_delay = 60s\n"
                        "prestop_min = 60s\nshutdown_timeout = 90s\n"
                        "[service:svc]\ncommand = /bin/true\n"):
            del self.lacks["probe"]

    def accepts(self, ini):
        """Whether drainit --check accepts this INI text."""
        path = os.path.join(self.bench.tmp, "check.ini")
        with open(path, "w") as f:
            f.write(ini)
        try:
            return subprocess.run([self.bench.drainit, "--check", "-c", path],
                                  capture_output=True, timeout=10).returncode == 0
        except (OSError, subprocess.SubprocessError):
            return False

    def missing(self):
        return None if os.access(self.bench.drainit, os.X_OK) else f"{self.bench.drainit} not built"

    def crash_service(self, run, delay_ms):
        """One service restarted forever at a steady pace: the delay does not
        grow (restart_delay_max = restart_delay) and the limit never bites."""
        ini = run.path("drainit.ini")
        with open(ini, "w") as f:
            f.write(f"[service:svc]\ncommand = {self.bench.helper('bench-child')}\n"
                    f"restart = always\nrestart_delay = {delay_ms}ms\n"
                    f"restart_delay_max = {delay_ms}ms\nrestart_limit = 1000000/1s\n")
        return [self.bench.drainit, "-c", ini]

    def probe_services(self, run, n, port):
        """n idle services and the probe server on 127.0.0.1:port. The long
        prestop_delay, with prestop_min as long so that the adaptive prestop does
        not end it early, keeps a shutdown in its prestop stage (/readyz 503, the
        services still running) while it is measured; shutdown_timeout bounds
        it should the harness not end it (it sends SIGINT, which skips to the
        killing stage). It must be at least the prestop stage's 60 s: drainit
        rejects a shutdown_timeout that would always cut the drain short."""
        ini = run.path("drainit.ini")
        child = self.bench.helper("bench-child")
        with open(ini, "w") as f:
            f.write(f"[drainit]\nprobe_listen = 127.0.0.1:{port}\nprestop_delay = 60s\n"
                    f"prestop_min = 60s\nshutdown_timeout = 90s\n")
            for i in range(n):
                f.write(f"\n[service:svc{i}]\ncommand = {child}\n")
        return [self.bench.drainit, "-c", ini]

    def log_service(self, run, logfile):
        ini = run.path("drainit.ini")
        with open(ini, "w") as f:
            f.write(f"[service:svc]\ncommand = {self.bench.helper('bench-child')}\n"
                    f"stdout = file:{logfile}\n")
        return [self.bench.drainit, "-c", ini]

    def version(self):
        try:
            v = subprocess.run([self.bench.drainit, "--version"], capture_output=True, text=True,
                               timeout=10).stdout.split()[-1]
        except (OSError, subprocess.SubprocessError, IndexError):
            v = "?"
        return f"{v} (buildtype {self.bench.buildtype})"

    def binaries(self):
        return [self.bench.drainit]

    def single(self, run, grace_ms=None, pid1=False, program=None):
        argv = [self.bench.drainit]
        if grace_ms is not None:
            argv += ["--grace", f"{grace_ms}ms"]
        return argv + ["--", program or self.bench.helper("bench-child")]

    def multi(self, run, n):
        ini = run.path("drainit.ini")
        child = self.bench.helper("bench-child")
        with open(ini, "w") as f:
            f.write("[drainit]\ngrace_period = 10s\n")
            for i in range(n):
                f.write(f"\n[service:svc{i}]\ncommand = {child}\n")
        return [self.bench.drainit, "-c", ini]


class Tini(Peer):
    name = "tini"
    package = exe = "tini"
    lacks = {
        "multi": "one child only",
        "kill": "forwards the stop signal once and never escalates to SIGKILL",
        "crash": "no restart policy: tini exits with its child",
        "log": "no log handling: the child's stdout/stderr are passed through",
        "probe": "no probe endpoint",
    }

    def single(self, run, grace_ms=None, pid1=False, program=None):
        # -s (subreaper) outside a PID namespace, like drainit does by itself
        return [shutil.which("tini")] + ([] if pid1 else ["-s"]) + \
               ["--", program or self.bench.helper("bench-child")]


class DumbInit(Peer):
    name = "dumb-init"
    package = exe = "dumb-init"
    lacks = dict(Tini.lacks)
    lacks["crash"] = "no restart policy: dumb-init exits with its child"

    def single(self, run, grace_ms=None, pid1=False, program=None):
        return [shutil.which("dumb-init"), program or self.bench.helper("bench-child")]


class S6(Peer):
    name = "s6"
    package = "s6"
    exe = "s6-svscan"
    lacks = {
        "signal": "s6-svscan forwards no signal to services (SIGUSR1 runs .s6-svscan/SIGUSR1 "
                  "if present); see the 's6 (s6-svc -1)' row for s6's own path",
        "probe": "no probe endpoint",
        "e2e": "s6-svscan does not exit when its service ends (s6-supervise restarts it)",
        "childexit": "s6-svscan does not exit when its service ends (s6-supervise restarts it)",
    }

    def binaries(self):
        return [shutil.which("s6-svscan"), shutil.which("s6-supervise")]

    def procs(self, root):
        return [root] + [c for c in children(root) if comm(c) == "s6-supervise"]

    def _service(self, run, scan, name, program, grace_ms=None, log_dir=None):
        d = os.path.join(scan, name)
        os.makedirs(d)
        os.symlink(program or self.bench.helper("bench-child"), os.path.join(d, "run"))
        if grace_ms is not None:
            with open(os.path.join(d, "timeout-kill"), "w") as f:
                f.write(f"{grace_ms}\n")
        if log_dir:
            os.makedirs(os.path.join(d, "log"))
            run_script = os.path.join(d, "log", "run")
            with open(run_script, "w") as f:
                f.write(f"#!/bin/sh\nexec {shutil.which('s6-log')} {log_dir}\n")
            os.chmod(run_script, 0o755)
        return d

    def single(self, run, grace_ms=None, pid1=False, program=None, log_dir=None):
        scan = run.path("scan")
        os.mkdir(scan)
        run.s6_service = self._service(run, scan, "svc", program, grace_ms, log_dir)
        return [shutil.which("s6-svscan"), scan]

    def multi(self, run, n):
        scan = run.path("scan")
        os.mkdir(scan)
        for i in range(n):
            self._service(run, scan, f"svc{i}", None)
        return [shutil.which("s6-svscan"), scan]


class Supervisord(Peer):
    name = "supervisord"
    package = "supervisor"
    exe = "supervisord"
    slow_loop = True
    lacks = {
        "signal": "supervisord forwards no signal to its programs (it acts on SIGHUP/SIGUSR2 "
                  "itself; `supervisorctl signal` goes through XML-RPC)",
        "probe": "no probe endpoint",
        "e2e": "supervisord keeps running when its program ends (the program is left EXITED)",
        "childexit": "supervisord keeps running when its program ends (the program is left "
                     "EXITED)",
    }

    def binaries(self):
        return [shutil.which("supervisord")]

    def _conf(self, run, programs, grace_ms=None, autorestart=False, stdout_log=None):
        conf = run.path("supervisord.conf")
        with open(conf, "w") as f:
            f.write("[supervisord]\nnodaemon=true\nuser=root\n"
                    f"logfile={run.path('supervisord.log')}\n"
                    f"pidfile={run.path('supervisord.pid')}\n"
                    f"childlogdir={run.dir}\n")
            for name, program in programs:
                f.write(f"\n[program:{name}]\ncommand={program}\nstartsecs=0\n"
                        f"autorestart={'true' if autorestart else 'false'}\n")
                if grace_ms is not None:
                    f.write(f"stopwaitsecs={max(1, round(grace_ms / 1000))}\n")
                if stdout_log:
                    f.write(f"stdout_logfile={stdout_log}\n")
        return [shutil.which("supervisord"), "-n", "-c", conf]

    def single(self, run, grace_ms=None, pid1=False, program=None, autorestart=False,
               stdout_log=None):
        return self._conf(run, [("svc", program or self.bench.helper("bench-child"))],
                          grace_ms, autorestart, stdout_log)

    def multi(self, run, n):
        child = self.bench.helper("bench-child")
        return self._conf(run, [(f"svc{i}", child) for i in range(n)])


PEER_CLASSES = [Drainit, Tini, DumbInit, S6, Supervisord]


class S6Control(S6):
    """s6's own way to signal a service: s6-svc -1, i.e. writing '1' into
    the service's supervise/control FIFO (scenario 4 only)."""
    name = "s6 (s6-svc -1)"
    lacks = {}
    note = ("not SIGUSR1 to the supervisor: s6-svc -1's write of '1' into the service's "
            "supervise/control FIFO, timed the same way; a reference row, not a peer")


class TiniStatic(Tini):
    """Debian's statically linked tini (scenario 1)."""
    name = "tini (tini-static)"
    exe = "tini-static"
    note = ("the statically linked tini of the same Debian package: how much of a start-up "
            "is dynamic loading; a reference row, not a peer")

    def single(self, run, grace_ms=None, pid1=False, program=None):
        return [shutil.which("tini-static")] + ([] if pid1 else ["-s"]) + \
               ["--", program or self.bench.helper("bench-child")]


class DrainitStatic(Drainit):
    """The static drainit, -Dstatic=true or build/drainit-static: a reference
    row of scenarios 1, 2, 4, 5, 6, 12, 13 and 14 (never a peer)."""
    name = "drainit (static)"
    note = ("the same sources linked statically (`-Dstatic=true`: users and groups read "
            "from /etc/passwd and /etc/group, no NSS), the build the container images "
            "ship; a reference row")

    def missing(self):
        p = self.bench.drainit_static
        return None if p and os.access(p, os.X_OK) else "no static drainit (--drainit-static)"

    def binaries(self):
        return [self.bench.drainit_static]

    def single(self, run, grace_ms=None, pid1=False, program=None):
        return [self.bench.drainit_static] + super().single(run, grace_ms, pid1, program)[1:]

    def multi(self, run, n):
        return [self.bench.drainit_static] + super().multi(run, n)[1:]


class TiniStaticFootprint(TiniStatic):
    """tini-static in the footprint scenario."""
    note = "the statically linked tini of Debian's tini package; a reference row, not a peer"


class Catatonit(Peer):
    """Debian's catatonit, podman's init: a reference row of scenarios 1, 2,
    4, 5, 6, 12, 13 and 14. Not in PEER_CLASSES (bench/run installs it only
    for these rows), but the targets count it among the peers: it is the
    best of several of their rows."""
    name = "catatonit"
    package = exe = "catatonit"
    lacks = dict(Tini.lacks)

    @property
    def note(self):
        return (f"podman's minimal init (`podman run --init`), statically linked: Debian's "
                f"catatonit {self.version()}; a reference row, counted as a peer by the "
                f"targets (it is the best of several of their rows)")

    def single(self, run, grace_ms=None, pid1=False, program=None):
        return [shutil.which("catatonit"), "--", program or self.bench.helper("bench-child")]


def reference_rows(bench, peers):
    """The reference rows of the timing scenarios 1, 4, 5, 6, 12, 13 and 14:
    the static drainit (when drainit is measured and --drainit-static was
    given) and catatonit (when installed)."""
    out = []
    if any(p.name == "drainit" for p in peers):
        out.append(DrainitStatic(bench))
    if shutil.which("catatonit"):
        out.append(Catatonit(bench))
    return [p for p in out if not p.missing()]


class DrainitDefaultGrace(Drainit):
    """drainit with its default 10 s grace period (scenario 7 only)."""
    name = "drainit (grace 10 s)"
    grace_override = 10000
    note = ("the same measurement with drainit's default grace period (10 s) instead of "
            "1 s; a reference row")


class DrainitSlowRestart(Drainit):
    """drainit restarting once a second, the peers' pace (scenario 8 only)."""
    name = "drainit (restart_delay 1 s)"
    crash_delay_ms = 1000
    note = ("the same crash loop with restart_delay = restart_delay_max = 1s, about the "
            "pace of s6 and supervisord; a reference row")


class HttpBaseline(Peer):
    """bench-httpd: a blocking accept/read/write/close loop (scenario 10 only)."""
    name = "baseline (minimal HTTP server)"
    note = ("bench-httpd, one blocking accept-read-write-close loop answering 200 with the "
            "same headers as drainit: the load generator's, the kernel's and the machine's "
            "share of the latency; a reference row, not a peer")

    def missing(self):
        return None


class Baseline(Peer):
    """bench-reaper as PID 1: a blocking waitpid(-1) loop (scenario 5 only)."""
    name = "baseline (waitpid loop)"
    note = ("bench-reaper, a PID 1 that only blocks in waitpid(-1): the kernel's share of "
            "the storm, which every supervisor pays; a reference row, not a peer")

    def missing(self):
        return None

    def single(self, run, grace_ms=None, pid1=False, program=None):
        return [self.bench.helper("bench-reaper"), program or self.bench.helper("bench-child")]


# --------------------------------------------------------------- scenarios

class Scenario:
    key = "?"
    num = 0
    warmup = True       # one unmeasured run per peer first (page cache, dentries)
    title = "?"
    what = ""
    # (metric key, column label, unit, decimals)
    metrics = []

    def __init__(self, bench):
        self.bench = bench
        self.cfg = bench.cfg

    def na(self, peer):
        return peer.lacks.get(self.key)

    def run_one(self, peer, rep):
        """One repetition for one peer: a dict of metrics."""
        raise NotImplementedError

    def extra_peers(self, peers):
        """Reference rows that are not peers (not compared with drainit)."""
        return []

    def run(self, peers):
        res = {}
        active = []
        if not self.bench.smoke:
            peers = list(peers) + self.extra_peers(peers)
        for p in peers:
            reason = self.na(p)
            if reason:
                res[p.name] = {"na": reason}
            else:
                res[p.name] = {"runs": [], "errors": []}
                if getattr(p, "note", None):
                    res[p.name]["note"] = p.note
                active.append(p)
        if self.cfg["warmup"] and self.warmup:
            for p in active:
                try:
                    self.run_one(p, -1)
                except (BenchError, OSError, subprocess.SubprocessError, ValueError) as e:
                    log(f"  warm-up {p.name}: {e}")
        for rep in range(self.cfg["reps"]):
            k = rep % len(active) if active else 0
            for p in active[k:] + active[:k]:
                try:
                    m = self.run_one(p, rep)
                    res[p.name]["runs"].append(m)
                    log(f"  rep {rep + 1} {p.name}: " + ", ".join(
                        f"{key}={m[key]}" for key, *_ in self.metrics if key in m))
                except (BenchError, OSError, subprocess.SubprocessError, ValueError) as e:
                    res[p.name]["errors"].append(f"rep {rep + 1}: {e}")
                    log(f"  rep {rep + 1} {p.name}: ERROR {e}")
        return res


class Startup(Scenario):
    key, num = "startup", 1
    title = "Start-up latency"
    @property
    def what(self):
        n = self.cfg.get("startup_runs", 1)
        return ("exec of the supervisor -> first instruction of main() in the child. "
                "bench-launch reads CLOCK_MONOTONIC just before execve(supervisor) and passes "
                "it down in the environment; bench-child (static) reads the clock first thing "
                "in main()." + (f" {n} starts per repetition, their median (supervisord, which "
                                f"starts its program about a second in, one)." if n > 1 else ""))
    metrics = [("startup_us", "start-up (µs)", "us", 0)]

    def extra_peers(self, peers):
        extra = [TiniStatic(self.bench)] if any(p.name == "tini" for p in peers) and \
            shutil.which("tini-static") else []
        return extra + reference_rows(self.bench, peers)

    def run_one(self, peer, rep):
        vals = []
        # one start for the warm-up (rep -1) and for a peer that ticks once a second
        for _ in range(1 if peer.slow_loop or rep < 0 else self.cfg.get("startup_runs", 1)):
            run = Run(self.bench, f"startup-{peer.name}")
            argv = peer.single(run)
            r = run.launch(argv, ["--stamp", "--ready-dir", run.ready, "--signal", "15",
                                  "--exit-timeout", "20000"], timeout=60)
            rec = ready_records(run.ready)[0]
            if not rec["t0"]:
                raise BenchError("BENCH_T0 did not reach the child")
            vals.append((rec["t_main"] - rec["t0"]) / 1000.0)
        return {"startup_us": statistics.median(vals), "runs_us": vals,
                "exit_status": r["status"]}


class Footprint(Scenario):
    key, num = "footprint", 2
    warmup = False
    title = "Footprint"
    what = ("Rss and Pss from /proc/PID/smaps_rollup of the supervisor's own processes "
            "(s6: s6-svscan plus every s6-supervise, summed; services not counted), once its "
            "1 or 50 idle children are all up. Binary: the supervisor's executables, stripped "
            "(`strip -o`), and the shared libraries they need beyond glibc.")
    metrics = [("rss1_kib", "RSS, 1 svc (KiB)", "KiB", 0),
               ("pss1_kib", "PSS, 1 svc (KiB)", "KiB", 0),
               ("rss50_kib", "RSS, 50 svcs (KiB)", "KiB", 0),
               ("pss50_kib", "PSS, 50 svcs (KiB)", "KiB", 0),
               ("procs50", "processes, 50 svcs", "", 0)]

    def extra_peers(self, peers):
        extra = []
        if any(p.name == "drainit" for p in peers):
            extra.append(DrainitStatic(self.bench))
        if shutil.which("tini-static"):
            extra.append(TiniStaticFootprint(self.bench))
        if shutil.which("catatonit"):
            extra.append(Catatonit(self.bench))
        self.extra = [p for p in extra if not p.missing()]
        return self.extra

    def measure(self, peer, argv_fn, n, breakdown=None):
        run = Run(self.bench, f"footprint{n}-{peer.name}")
        proc = run.popen(argv_fn(run))
        try:
            run.wait_ready(n, timeout=30)
            time.sleep(0.3)
            if proc.poll() is not None:
                raise BenchError(f"supervisor exited (status {proc.returncode})")
            pids = peer.procs(proc.pid)
            rss = pss = 0
            for p in pids:
                r, s = smaps_rollup(p)
                rss += r
                pss += s
            if breakdown is not None and len(pids) == 1:
                breakdown.update(rss_by_mapping(pids[0]))
            return rss, pss, len(pids)
        finally:
            stop_process(proc)

    def run_one(self, peer, rep):
        m = {}
        bd = {} if rep == 0 else None
        m["rss1_kib"], m["pss1_kib"], m["procs1"] = self.measure(peer, peer.single, 1, bd)
        if bd:
            m["rss1_by_mapping"] = bd
        if "multi" not in peer.lacks:
            n = self.cfg["multi"]
            m["rss50_kib"], m["pss50_kib"], m["procs50"] = self.measure(
                peer, lambda run: peer.multi(run, n), n)
        return m

    def run(self, peers):
        self.extra = []
        res = super().run(peers)
        for p in list(peers) + self.extra:
            r = res[p.name]
            if "na" in r:
                continue
            if "multi" in p.lacks:
                r["na_metrics"] = {k: p.lacks["multi"] for k in ("rss50_kib", "pss50_kib", "procs50")}
            r["binary"] = binary_size(p)
        return res


def binary_size(peer):
    """Stripped size of the peer's executables and its non-libc shared libraries."""
    out = {"files": {}, "libs": {}}
    strip = shutil.which("strip")
    for b in peer.binaries():
        if not b:
            continue
        size = os.path.getsize(b)
        with open(b, "rb") as f:
            is_elf = f.read(4) == b"\x7fELF"
        if strip and is_elf:
            with tempfile.NamedTemporaryFile(dir=peer.bench.tmp) as t:
                if subprocess.run([strip, "-o", t.name, b], capture_output=True).returncode == 0:
                    size = os.path.getsize(t.name)
        out["files"][os.path.basename(b)] = size
        if not is_elf:
            with open(b, "rb") as f:
                first = f.readline().decode(errors="replace").strip()
            out["interpreter"] = first[2:] if first.startswith("#!") else "?"
            continue
        try:
            ldd = subprocess.run(["ldd", b], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            ldd = ""
        for line in ldd.splitlines():
            parts = line.split("=>")
            if len(parts) != 2:
                continue
            name, path = parts[0].strip(), parts[1].split("(")[0].strip()
            base = name.split(".so")[0]
            if base in ("libc", "libm", "libpthread", "libdl", "librt", "linux-vdso") or not path:
                continue
            try:
                out["libs"][name] = os.path.getsize(os.path.realpath(path))
            except OSError:
                pass
    out["total_files"] = sum(out["files"].values())
    out["total_libs"] = sum(out["libs"].values())
    return out


class Idle(Scenario):
    key, num = "idle", 3
    title = "Idle cost"
    metrics = [("wakeups", "wakeups", "", 0), ("cpu_us", "CPU (µs)", "us", 0)]

    @property
    def what(self):
        return (f"voluntary + involuntary context switches (/proc/PID/status) of the supervisor's "
                f"own processes over {self.cfg['idle_s']:g} s with one idle child, after a 1 s "
                f"settle. All peers of a repetition idle side by side during the same window.")

    def run(self, peers):
        res = {}
        active = []
        for p in peers:
            reason = self.na(p)
            if reason:
                res[p.name] = {"na": reason}
            else:
                res[p.name] = {"runs": [], "errors": []}
                active.append(p)
        for rep in range(self.cfg["reps"]):
            started = []
            try:
                for p in active:
                    run = Run(self.bench, f"idle-{p.name}")
                    started.append((p, run, run.popen(p.single(run))))
                ok = []
                for p, run, proc in started:
                    try:
                        run.wait_ready(1)
                        ok.append((p, run, proc))
                    except BenchError as e:
                        res[p.name]["errors"].append(f"rep {rep + 1}: {e}")
                time.sleep(1.0)
                before = {}
                for p, run, proc in ok:
                    pids = p.procs(proc.pid)
                    before[p.name] = (pids, sum(proc_status(x) for x in pids),
                                      sum(proc_cpu_ns(x) for x in pids))
                time.sleep(self.cfg["idle_s"])
                for p, run, proc in ok:
                    pids, w0, c0 = before[p.name]
                    try:
                        w1 = sum(proc_status(x) for x in pids)
                        c1 = sum(proc_cpu_ns(x) for x in pids)
                    except OSError as e:
                        res[p.name]["errors"].append(f"rep {rep + 1}: {e}")
                        continue
                    m = {"wakeups": w1 - w0, "cpu_us": (c1 - c0) / 1000.0}
                    res[p.name]["runs"].append(m)
                    log(f"  rep {rep + 1} {p.name}: wakeups={m['wakeups']} cpu_us={m['cpu_us']}")
            finally:
                for p, run, proc in started:
                    stop_process(proc)
        return res


class Signals(Scenario):
    key, num = "signal", 4
    title = "Signal forwarding latency"
    metrics = [("median_us", "median (µs)", "us", 1), ("p99_us", "p99 (µs)", "us", 1),
               ("max_us", "max (µs)", "us", 0), ("lost", "lost", "", 0)]

    @property
    def what(self):
        return (f"SIGUSR1 sent to the supervisor -> entry of the child's handler (it writes its "
                f"CLOCK_MONOTONIC into a FIFO), {self.cfg['signals']} signals per repetition, "
                f"the next one {self.cfg['signal_gap_us']} µs after the previous arrived. "
                f"Per repetition: median, p99, max; the table shows median (min–max) of those "
                f"over the repetitions, and the pooled line all signals together.")

    def run_one(self, peer, rep):
        via_control = isinstance(peer, S6Control)
        run = Run(self.bench, f"signal-{peer.name.split()[0]}")
        fifo = run.path("ts.fifo")
        os.mkfifo(fifo)
        run.set(mode="sig", fifo=fifo)
        proc = run.popen(peer.single(run))
        try:
            run.wait_ready(1)
            cmd = [self.bench.helper("bench-sigsend"), str(proc.pid), fifo,
                   str(self.cfg["signals"]), str(self.cfg["signal_gap_us"]), "1000"]
            if getattr(peer, "cpu", None) is not None:
                cmd = ["taskset", "-c", str(peer.cpu)] + cmd
            if via_control:
                cmd += [os.path.join(run.s6_service, "supervise", "control"), "1"]
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
            if r.returncode != 0:
                raise BenchError(f"bench-sigsend: {r.stderr.strip()}")
            lat = sorted(int(x) for x in r.stdout.split())
            lost = self.cfg["signals"] - len(lat)
            if not lat:
                raise BenchError("no signal reached the child")
            return {"median_us": statistics.median(lat) / 1000.0,
                    "p99_us": percentile(lat, 99) / 1000.0,
                    "max_us": lat[-1] / 1000.0, "lost": lost, "lat_ns": lat}
        finally:
            stop_process(proc)

    def extra_peers(self, peers):
        extra = []
        if any(p.name == "s6" for p in peers):
            extra.append(S6Control(self.bench))
        return extra + reference_rows(self.bench, peers) + \
            one_cpu_rows(self.bench, peers, "argv")

    def run(self, peers):
        res = super().run(peers)
        for r in res.values():
            pooled = sorted(x for run in r.get("runs", []) for x in run["lat_ns"])
            if pooled:
                r["pooled"] = {"n": len(pooled), "median_us": statistics.median(pooled) / 1000.0,
                               "p99_us": percentile(pooled, 99) / 1000.0,
                               "max_us": pooled[-1] / 1000.0}
        return res


def one_cpu(peer, pin="argv"):
    """peer on one CPU (taskset), a reference row: no wake-up of an idle vCPU
    between the processes of the chain measured.

    pin="argv": taskset in front of the supervisor's own argv; the signal
    scenario (4) starts it with Popen and pins bench-sigsend to the same CPU
    (peer.cpu). pin="launch": the supervisor's argv is unchanged and the
    scenario starts bench-launch under taskset (launch_cpu(peer)); the
    supervisor and its child inherit the CPU, and no exec of taskset falls in
    a timed window (scenario 12 times from the supervisor's execve)."""
    base = type(peer)
    cpu = max(os.sched_getaffinity(0))
    if pin == "argv":
        what = (f"supervisor, child and bench-sigsend all pinned to CPU {cpu} (taskset): no "
                f"idle vCPU is woken on the way from the sender to the child")
    else:
        what = (f"bench-launch, the supervisor and its child all on CPU {cpu} (bench-launch "
                f"started under taskset, the others inherit it): each hop of the chain is a "
                f"switch on a CPU that is awake, no idle vCPU is woken")

    class OneCpu(base):
        name = f"{peer.name} (one CPU)"
        note = f"{what}; a reference row (see the one-CPU rows of the targets)"

        def single(self, run, *a, **k):
            argv = base.single(self, run, *a, **k)
            return ["taskset", "-c", str(cpu)] + argv if pin == "argv" else argv

    p = OneCpu(peer.bench)
    p.cpu = cpu
    p.pin = pin
    for attr in ("single", "procs"):  # a peer whose methods were set on the instance
        if attr in vars(peer):
            f = vars(peer)[attr]
            if attr == "single" and pin == "argv":
                setattr(p, attr, lambda run, *a, _f=f, **k: ["taskset", "-c", str(cpu)] +
                        _f(run, *a, **k))
            else:
                setattr(p, attr, f)
    return p


def one_cpu_rows(bench, peers, pin):
    """The one-CPU reference rows of drainit, tini, dumb-init (those among
    peers) and catatonit (when installed)."""
    if not shutil.which("taskset"):
        return []
    rows = [p for p in peers if type(p) in (Drainit, Tini, DumbInit)]
    if shutil.which("catatonit"):
        rows.append(Catatonit(bench))
    return [one_cpu(p, pin) for p in rows]


def launch_cpu(peer):
    """The CPU to start bench-launch on for a pin="launch" one-CPU row, else None."""
    return peer.cpu if getattr(peer, "pin", None) == "launch" else None


class Orphans(Scenario):
    key, num = "orphans", 5
    title = "Orphan storm"
    metrics = [("reap_all_ms", "last reaped (ms)", "ms", 1),
               ("after_last_exit_ms", "of which after the last _exit() (ms)", "ms", 1),
               ("pid1_cpu_ms", "PID 1 CPU (ms)", "ms", 1),
               ("peak_zombies", "peak zombies", "", 0),
               ("left", "not reaped", "", 0)]

    @property
    def what(self):
        return (f"The supervisor is PID 1 of a new PID namespace (`unshare --pid --fork "
                f"--mount-proc`); its service forks {self.cfg['orphans']} orphans (an "
                f"intermediate process forks them and exits) which then all exit at once. Time "
                f"from the release to the first sample where every orphan is reaped "
                f"(kill(pid, 0) fails with ESRCH), and the peak of exited-but-not-reaped "
                f"orphans (a shared counter bumped just before _exit, minus the reaped). "
                f"The second column starts at the first sample that saw every orphan past "
                f"its _exit() call (their exits may still be running in the kernel). "
                f"PID 1 CPU: the CPU time (user + system, field 1 of /proc/1/schedstat, read by "
                f"bench-orphans in the namespace) PID 1 spent from just before the release to "
                f"the sample that saw every orphan reaped; for s6 that is s6-svscan, which "
                f"reaps them. The sampler runs SCHED_FIFO so "
                f"the 10 000 runnable orphans cannot starve it. "
                f"Samples 0.5 ms apart; the run gives up after "
                f"{self.cfg['orphan_timeout_ms'] / 1000:g} s. Forking the orphans is not timed.")

    def extra_peers(self, peers):
        return [Baseline(self.bench)] + reference_rows(self.bench, peers)

    def run_one(self, peer, rep):
        run = Run(self.bench, f"orphans-{peer.name.split()[0]}")
        out = run.path("orphans.json")
        n = self.cfg["orphans"] if rep >= 0 else min(100, self.cfg["orphans"])
        run.set(orphans=n, out=out, timeout_ms=self.cfg["orphan_timeout_ms"])
        argv = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"] + \
            peer.single(run, pid1=True, program=self.bench.helper("bench-orphans"))
        proc = run.popen(argv)
        try:
            limit = self.cfg["orphan_timeout_ms"] / 1000.0 + 60
            if not wait_for(lambda: os.path.exists(out) or proc.poll() is not None, limit, 0.05):
                raise BenchError("no result from bench-orphans")
            if not os.path.exists(out):
                raise BenchError(f"supervisor exited (status {proc.returncode}, see {run.stderr_path})")
            with open(out) as f:
                r = json.load(f)
            if r["parent"] != 1:
                raise BenchError(f"orphans were reparented to pid {r['parent']}, not to PID 1")
        finally:
            init = children(proc.pid)
            for p in init:
                kill_quietly(p, signal.SIGKILL)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                kill_quietly(proc.pid, signal.SIGKILL)
                proc.wait(10)
        m = {"orphans": r["orphans"], "fork_ms": r["fork_ms"], "all_reaped": r["all_reaped"],
             "peak_zombies": r["peak_zombies"], "left": r["left"], "samples": r["samples"]}
        if r["all_reaped"]:
            m["reap_all_ms"] = r["reap_all_ms"]
            m["after_last_exit_ms"] = max(0.0, r["after_last_exit_ms"])
            if r.get("pid1_cpu_ms", -1) >= 0:
                m["pid1_cpu_ms"] = r["pid1_cpu_ms"]
        return m


class Shutdown(Scenario):
    key, num = "shutdown", 6
    title = "Shutdown overhead"
    metrics = [("term_us", "SIGTERM -> child's handler (µs)", "us", 0),
               ("overhead_us", "overhead (µs)", "us", 0),
               ("after_death_us", "of which after the child's death (µs)", "us", 0),
               ("total_ms", "SIGTERM -> exit (ms)", "ms", 1)]

    @property
    def what(self):
        return (f"SIGTERM to the supervisor (bench-launch reads CLOCK_MONOTONIC, t_sig, just "
                f"before its kill()); the child exits {self.cfg['shutdown_delay_ms']} ms "
                f"after its own SIGTERM and records CLOCK_MONOTONIC just before _exit(). "
                f"SIGTERM -> child's handler: the clock read first thing in the child's SIGTERM "
                f"handler minus t_sig (drainit runs `drainit -- CMD`, whose prestop_delay is "
                f"0 by default: no probe, so the stop signal goes out at once). "
                f"Overhead = the moment the supervisor's pidfd turns readable in bench-launch "
                f"(it has exited) minus the child's timestamp. The third column starts the "
                f"clock when the child's own pidfd turned readable instead (its exit done, "
                f"as seen by the same poll()), i.e. without the child's own teardown; 0 "
                f"means both were seen in one wake-up." + (
                    f" {n} shutdowns per repetition (a fresh supervisor each; supervisord, "
                    f"whose 1 s main-loop tick makes its numbers, one), the median of each "
                    f"column." if (n := self.cfg.get("shutdown_runs", 1)) > 1 else ""))

    def extra_peers(self, peers):
        return reference_rows(self.bench, peers) + one_cpu_rows(self.bench, peers, "launch")

    def run_one(self, peer, rep):
        samples = []
        for _ in range(1 if peer.slow_loop or rep < 0 else self.cfg.get("shutdown_runs", 1)):
            samples.append(self.run_once(peer))
        m = {k: statistics.median(x[k] for x in samples if k in x)
             for k, *_ in self.metrics if any(k in x for x in samples)}
        m["samples"] = samples
        return m

    def run_once(self, peer):
        run = Run(self.bench, f"shutdown-{peer.name.split()[0]}")
        out = run.path("exit.txt")
        run.set(mode="term-delay", out=out, delay_ms=self.cfg["shutdown_delay_ms"])
        r = run.launch(peer.single(run), ["--ready-dir", run.ready, "--signal", "15",
                                          "--signal-delay", "50", "--watch-child",
                                          "--exit-timeout", "20000"],
                       timeout=60, cpu=launch_cpu(peer))
        with open(out) as f:
            fields = f.read().split()
        t_child, t_term = int(fields[0]), int(fields[1])
        m = {"overhead_us": (r["t_exit"] - t_child) / 1000.0,
             "total_ms": (r["t_exit"] - r["t_sig"]) / 1e6}
        if t_term:
            m["term_us"] = (t_term - r["t_sig"]) / 1000.0
        if r["t_child_dead"]:
            m["after_death_us"] = (r["t_exit"] - r["t_child_dead"]) / 1000.0
        return m


class Kill(Scenario):
    key, num = "kill", 7
    warmup = False
    title = "Kill precision"
    metrics = [("late_ms", "SIGKILL - deadline (ms)", "ms", 2)]

    def extra_peers(self, peers):
        return [DrainitDefaultGrace(self.bench)] if any(p.name == "drainit" for p in peers) else []

    @property
    def what(self):
        return (f"The child handles SIGTERM and keeps running; grace {self.cfg['grace_ms']} ms "
                f"(drainit --grace, s6 timeout-kill, supervisord stopwaitsecs). bench-launch "
                f"sends SIGTERM to the supervisor at t_sig and watches the child with a pidfd; "
                f"the value is the child's death minus (t_sig + grace).")

    def run_one(self, peer, rep):
        run = Run(self.bench, f"kill-{peer.name.split()[0]}")
        run.set(mode="ignore-term", out=run.path("term.txt"))
        grace = getattr(peer, "grace_override", self.cfg["grace_ms"])
        r = run.launch(peer.single(run, grace_ms=grace),
                       ["--ready-dir", run.ready, "--signal", "15", "--signal-delay", "50",
                        "--watch-child", "--exit-timeout", str(grace + 20000)], timeout=60)
        if not r["t_child_dead"]:
            raise BenchError("the child did not die")
        return {"late_ms": (r["t_child_dead"] - (r["t_sig"] + grace * 1000000)) / 1e6}


class Crash(Scenario):
    key, num = "crash", 8
    title = "Crash loop (restart=always)"
    metrics = [("stat_ms_per_min", "CPU, utime+stime (ms/min)", "ms", 0),
               ("cpu_ms_per_min", "CPU, schedstat (ms/min)", "ms", 1),
               ("cpu_us_per_restart", "CPU per restart (µs)", "us", 0),
               ("restarts_per_min", "restarts/min", "", 0)]

    @property
    def what(self):
        return (f"The service exits 1 as soon as it starts; restart always (drainit: restart = "
                f"always, restart_delay = restart_delay_max = {self.cfg['crash_delay_ms']}ms, "
                f"restart_limit = 1000000/1s; s6: the default; supervisord: autorestart=true, "
                f"startsecs=0). CPU time of the supervisor's own processes over "
                f"{self.cfg['crash_window_s']:g} s after a 1 s warm-up, scaled to one minute: "
                f"utime + stime from /proc/PID/stat (which the kernel reports in 10 ms clock "
                f"ticks, hence the steps in that column) and, for the same window, the exact "
                f"run time from /proc/PID/schedstat, from which the CPU per restart is taken. "
                f"Restarts are counted by the service itself. All rows of a repetition run "
                f"side by side during the same window. Each peer restarts at its own pace "
                f"(restarts/min column, and the note below), and CPU per minute grows with it.")

    def extra_peers(self, peers):
        return [DrainitSlowRestart(self.bench)] if any(p.name == "drainit" for p in peers) \
            and "crash" not in Drainit(self.bench).lacks else []

    def argv(self, peer, run):
        if isinstance(peer, Supervisord):
            return peer.single(run, autorestart=True)
        if isinstance(peer, Drainit):
            return peer.crash_service(run, getattr(peer, "crash_delay_ms",
                                                   self.cfg["crash_delay_ms"]))
        return peer.single(run)

    def run(self, peers):
        """All peers of a repetition crash-loop side by side in one window (a
        window long enough for clock-tick accounting costs each peer the
        same wall time once, not once per peer)."""
        res = {}
        active = []
        if not self.bench.smoke:
            peers = list(peers) + self.extra_peers(peers)
        for p in peers:
            reason = self.na(p)
            if reason:
                res[p.name] = {"na": reason}
            else:
                res[p.name] = {"runs": [], "errors": []}
                if getattr(p, "note", None):
                    res[p.name]["note"] = p.note
                active.append(p)
        window = self.cfg["crash_window_s"]
        for rep in range(self.cfg["reps"]):
            started = []
            try:
                k = rep % len(active) if active else 0
                for p in active[k:] + active[:k]:
                    run = Run(self.bench, f"crash-{p.name.split()[0]}")
                    out = run.path("crashes")
                    run.set(mode="crash", out=out)
                    try:
                        started.append((p, run, out, run.popen(self.argv(p, run))))
                    except (BenchError, OSError) as e:
                        res[p.name]["errors"].append(f"rep {rep + 1}: {e}")
                ok = []
                for p, run, out, proc in started:
                    if wait_for(lambda: os.path.exists(out), 15):
                        ok.append((p, run, out, proc))
                    else:
                        res[p.name]["errors"].append(f"rep {rep + 1}: the service never "
                                                     f"started (see {run.stderr_path})")
                time.sleep(1.0)
                before = {}
                for p, run, out, proc in ok:
                    pids = p.procs(proc.pid)
                    before[p.name] = (pids, sum(proc_stat_cpu_ns(x) for x in pids),
                                      sum(proc_cpu_ns(x) for x in pids), os.path.getsize(out))
                time.sleep(window)
                for p, run, out, proc in ok:
                    pids, st0, c0, n0 = before[p.name]
                    try:
                        st1 = sum(proc_stat_cpu_ns(x) for x in pids)
                        c1 = sum(proc_cpu_ns(x) for x in pids)
                        n1 = os.path.getsize(out)
                    except OSError as e:
                        res[p.name]["errors"].append(f"rep {rep + 1}: {e} (did the supervisor "
                                                     f"exit? see {run.stderr_path})")
                        continue
                    if proc.poll() is not None:
                        res[p.name]["errors"].append(f"rep {rep + 1}: the supervisor exited "
                                                     f"(status {proc.returncode}, see "
                                                     f"{run.stderr_path})")
                        continue
                    scale = 60.0 / window
                    n = n1 - n0
                    m = {"stat_ms_per_min": (st1 - st0) / 1e6 * scale,
                         "cpu_ms_per_min": (c1 - c0) / 1e6 * scale,
                         "restarts_per_min": n * scale, "restarts": n, "window_s": window}
                    if n:
                        m["cpu_us_per_restart"] = (c1 - c0) / 1000.0 / n
                    res[p.name]["runs"].append(m)
                    log(f"  rep {rep + 1} {p.name}: " + ", ".join(
                        f"{key}={m[key]:.1f}" for key, *_ in self.metrics if key in m))
            finally:
                for p, run, out, proc in started:
                    stop_process(proc)
        return res


class LogPipeline(Scenario):
    key, num = "log", 9
    warmup = False
    title = "Log pipeline"
    metrics = [("median_us", "median (µs)", "us", 0), ("p99_us", "p99 (µs)", "us", 0),
               ("lost", "lost", "", 0)]

    @property
    def what(self):
        return (f"The service writes {self.cfg['log_lines']} timestamped lines to its stdout, "
                f"2 ms apart; latency = the moment the line is readable in the log file "
                f"(bench-logwatch follows it with inotify) minus the write. s6: a log/ service "
                f"running s6-log; supervisord: stdout_logfile; drainit, when its INI accepts "
                f"it: stdout = file:PATH.")

    def run_one(self, peer, rep):
        run = Run(self.bench, f"log-{peer.name}")
        run.set(mode="log", lines=self.cfg["log_lines"], gap_us=2000, delay_ms=300)
        if isinstance(peer, S6):
            logdir = run.path("logdir")
            argv = peer.single(run, log_dir=logdir)
            logfile = os.path.join(logdir, "current")
        elif isinstance(peer, Drainit):
            logfile = run.path("svc.log")
            argv = peer.log_service(run, logfile)
        else:
            logfile = run.path("svc.log")
            argv = peer.single(run, stdout_log=logfile)
        watcher = subprocess.Popen([self.bench.helper("bench-logwatch"), logfile,
                                    str(self.cfg["log_lines"]), "20000"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        proc = run.popen(argv)
        try:
            out, err = watcher.communicate(timeout=60)
        finally:
            if watcher.poll() is None:
                watcher.kill()
                watcher.wait()
            stop_process(proc)
        lat = sorted(int(x) for x in out.split())
        if not lat:
            raise BenchError(f"no log line seen ({err.strip()})")
        return {"median_us": statistics.median(lat) / 1000.0, "p99_us": percentile(lat, 99) / 1000.0,
                "lost": self.cfg["log_lines"] - len(lat)}


class ProbeTool(Peer):
    """A row of the probe scenario measured with another load generator
    than the scenario's own (reference rows)."""

    def __init__(self, inner, tool, note):
        super().__init__(inner.bench)
        self.inner = inner
        self.probe_tool = tool
        self.name = f"{inner.name} via {tool}"
        self.note = note

    def missing(self):
        return self.inner.missing()


class Probe(Scenario):
    key, num = "probe", 10
    warmup = False
    title = "Probe latency"
    metrics = [("run_p50_us", "running: p50 (µs)", "us", 0),
               ("run_p99_us", "running: p99 (µs)", "us", 0),
               ("run_rps", "running: req/s", "", 0),
               ("shut_p50_us", "shutting down (503): p50 (µs)", "us", 0),
               ("shut_p99_us", "shutting down (503): p99 (µs)", "us", 0),
               ("shut_rps", "shutting down: req/s", "", 0),
               ("unanswered", "not answered", "", 0),
               ("wrong_status", "unexpected status", "", 0)]

    def __init__(self, bench):
        super().__init__(bench)
        self.wrk = shutil.which("wrk")
        self.tool = "wrk" if self.wrk else "bench-httpget"

    @property
    def what(self):
        c = self.cfg
        if self.tool == "wrk":
            how = (f"wrk -t1 -c{c['probe_conns']} -d{c['probe_s']}s with "
                   f"`bench/helpers/wrk-rate.lua`, whose delay() hook waits "
                   f"{c['probe_wrk_delay_ms']} ms before each request, about "
                   f"{c['probe_rate']} requests/s in all; wrk's latency runs from the write "
                   f"of the request to the end of the answer")
        else:
            how = (f"bench-httpget (wrk is not installed): {c['probe_rate']} requests/s on a "
                   f"fixed schedule for {c['probe_s']} s, at most 32 open at once; latency "
                   f"from the write of the request to the end of the answer")
        return (f"GET /readyz on drainit's probe server (`probe_listen = 127.0.0.1:PORT`, "
                f"loopback only), a new connection per request (drainit answers with "
                f"Connection: close): {how}. *running*: while {c['multi']} idle services run "
                f"(every answer 200). *shutting down*: after SIGTERM, during a 60 s "
                f"prestop_delay, so every answer is 503 \"not ready: shutting down\" and "
                f"counts as answered; the services are still running. \"not answered\": "
                f"connection errors and timeouts (2 s); \"unexpected status\": an answer "
                f"other than 200 while running or 503 while shutting down.")

    def extra_peers(self, peers):
        out = []
        if not any(isinstance(p, Drainit) for p in peers):
            return out
        base = HttpBaseline(self.bench)
        out.append(base)
        if self.tool == "wrk":
            note = (f"the same measurement with bench-httpget instead of wrk: "
                    f"{self.cfg['probe_rate']} requests/s on a fixed schedule, each request "
                    f"written as soon as its connection is established, as a prober does "
                    f"(wrk's delay() comes between the two); a reference row")
            out.append(ProbeTool(Drainit(self.bench), "bench-httpget", note))
            out.append(ProbeTool(base, "bench-httpget", "the baseline server measured with "
                                 "bench-httpget; a reference row, not a peer"))
        return out

    def na(self, peer):
        inner = getattr(peer, "inner", peer)
        return inner.lacks.get(self.key)

    def load(self, port, tool, expect):
        """One measurement against 127.0.0.1:port: a dict of p50/p99 (µs),
        req/s, counts."""
        c = self.cfg
        if tool == "wrk":
            env = dict(os.environ, BENCH_WRK_DELAY_MS=str(c["probe_wrk_delay_ms"]))
            lua = os.path.join(os.path.dirname(os.path.abspath(__file__)), "helpers",
                               "wrk-rate.lua")
            r = subprocess.run([self.wrk, "-t1", f"-c{c['probe_conns']}", f"-d{c['probe_s']}s",
                                "--timeout", "2s", "-s", lua,
                                f"http://127.0.0.1:{port}/readyz"],
                               capture_output=True, text=True, env=env,
                               timeout=c["probe_s"] + 30)
            lines = [x for x in r.stdout.splitlines() if x.startswith("{")]
            if r.returncode != 0 or not lines:
                raise BenchError(f"wrk: status {r.returncode}: {r.stderr.strip()[:200]}")
            w = json.loads(lines[-1])
            if not w["requests"]:
                raise BenchError("wrk: no request answered")
            unanswered = w["connect_errors"] + w["read_errors"] + w["write_errors"] + \
                w["timeouts"]
            # wrk counts answers with a status >= 400 in status_errors
            wrong = w["status_errors"] if expect < 400 else w["requests"] - w["status_errors"]
            return {"p50_us": w["p50_us"], "p99_us": w["p99_us"], "max_us": w["max_us"],
                    "rps": w["requests"] / (w["duration_us"] / 1e6), "answered": w["requests"],
                    "unanswered": unanswered, "wrong_status": wrong}
        n = c["probe_rate"] * c["probe_s"]
        r = subprocess.run([self.bench.helper("bench-httpget"), str(port), "/readyz",
                            str(c["probe_rate"]), str(n), str(c["probe_s"] * 1000)],
                           capture_output=True, text=True, timeout=c["probe_s"] + 30)
        if r.returncode != 0:
            raise BenchError(f"bench-httpget: {r.stderr.strip()[:200]}")
        lat, unanswered, wrong = [], 0, 0
        for line in r.stdout.split("\n"):
            if not line:
                continue
            ns, status = (int(x) for x in line.split())
            if ns < 0:
                unanswered += 1
                continue
            lat.append(ns)
            if status != expect:
                wrong += 1
        if not lat:
            raise BenchError("bench-httpget: no request answered")
        lat.sort()
        t = float(r.stderr.split(" in ")[1].split()[0]) if " in " in r.stderr else c["probe_s"]
        return {"p50_us": statistics.median(lat) / 1000.0, "p99_us": percentile(lat, 99) / 1000.0,
                "max_us": lat[-1] / 1000.0, "rps": (len(lat) + unanswered) / t,
                "answered": len(lat), "unanswered": unanswered, "wrong_status": wrong}

    def run_one(self, peer, rep):
        tool = getattr(peer, "probe_tool", self.tool)
        inner = getattr(peer, "inner", peer)
        port = free_port()
        run = Run(self.bench, f"probe-{inner.name.split()[0]}")
        if isinstance(inner, HttpBaseline):
            proc = run.popen([self.bench.helper("bench-httpd"), str(port)])
            try:
                if not wait_for(lambda: http_status(port) == 200 or proc.poll() is not None, 10):
                    raise BenchError(f"bench-httpd not answering (see {run.stderr_path})")
                a = self.load(port, tool, 200)
            finally:
                stop_process(proc)
            return {"run_p50_us": a["p50_us"], "run_p99_us": a["p99_us"], "run_rps": a["rps"],
                    "unanswered": a["unanswered"], "wrong_status": a["wrong_status"],
                    "running": a}
        n = self.cfg["multi"]
        proc = run.popen(inner.probe_services(run, n, port))
        try:
            run.wait_ready(n, timeout=30)
            if not wait_for(lambda: http_status(port) == 200 or proc.poll() is not None, 10):
                raise BenchError(f"/readyz never answered 200 (see {run.stderr_path})")
            a = self.load(port, tool, 200)
            os.kill(proc.pid, signal.SIGTERM)
            if not wait_for(lambda: http_status(port) == 503 or proc.poll() is not None, 10):
                raise BenchError(f"/readyz did not turn 503 after SIGTERM (see {run.stderr_path})")
            b = self.load(port, tool, 503)
            if proc.poll() is not None:
                raise BenchError(f"drainit exited during the measurement (see {run.stderr_path})")
            alive = sum(1 for c in children(proc.pid) if comm(c) == "bench-child")
            # SIGINT during a shutdown skips what is left of it (straight to killing)
            kill_quietly(proc.pid, signal.SIGINT)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                pass
        finally:
            stop_process(proc)
        return {"run_p50_us": a["p50_us"], "run_p99_us": a["p99_us"], "run_rps": a["rps"],
                "shut_p50_us": b["p50_us"], "shut_p99_us": b["p99_us"], "shut_rps": b["rps"],
                "unanswered": a["unanswered"] + b["unanswered"],
                "wrong_status": a["wrong_status"] + b["wrong_status"],
                "services_alive_during_shutdown": alive, "running": a, "shutting_down": b}

    def run(self, peers):
        res = super().run(peers)
        for name, r in res.items():
            if name.startswith("baseline") and "runs" in r:
                r["na_metrics"] = {k: "no shutdown" for k in ("shut_p50_us", "shut_p99_us",
                                                               "shut_rps")}
        return res


class Drain(Scenario):
    """Two instances of a server that dies at once on SIGTERM behind haproxy, under a
    steady bounded load; one instance's supervisor gets SIGTERM. Loopback only."""
    key, num = "drain", 11
    warmup = False
    title = "Drain behind a load balancer"
    metrics = [("dropped", "requests dropped", "", 0),
               ("stop_ms", "SIGTERM -> supervisor exit (ms)", "ms", 0),
               ("served", "requests served", "", 0)]

    @property
    def what(self):
        return ("Two bench-httpd backends (100 ms per request, one at a time, dead at once "
                "on SIGTERM), each under its own supervisor, behind haproxy "
                "(`inter 300ms fall 2 rise 2`, retries 3, redispatch); three client threads "
                "ask haproxy in a loop; 2 s in, one backend's supervisor gets SIGTERM; "
                "counted until it has exited and 1.5 s more. drainit: `--probe` (haproxy "
                "checks its /readyz; the server is ready once it listens) and "
                "`--prestop-delay 20s` as the maximum of its adaptive prestop. The fixed-delay "
                "row: `--prestop-delay 3s` without a probe, haproxy checking the server's "
                "port, as a preStop sleep does. tini and dumb-init: the port check alone.")

    def na(self, peer):
        if not shutil.which("haproxy"):
            return "haproxy is not installed (scripts/deps installs it)"
        if peer.name in ("s6", "supervisord"):
            return "not measured: no readiness endpoint for a load balancer"
        return None

    def extra_peers(self, peers):
        return [DrainitFixedDelay(self.bench)]

    def run_one(self, peer, rep):
        import threading
        import urllib.request

        run = Run(self.bench, f"drain-{peer.name}")
        ports = []
        while len(ports) < 5:	# free_port() may hand out one twice
            q = free_port()
            if q not in ports:
                ports.append(q)
        front, backs = ports[4], [(ports[0], ports[1]), (ports[2], ports[3])]
        adaptive = peer.name == "drainit"
        procs, lb = [], None
        servers = []
        for i, (probe, app) in enumerate(backs):
            sh = run.path(f"server{i}.sh")
            with open(sh, "w") as f:
                f.write(f"#!/bin/sh\nexec {self.bench.helper('bench-httpd')} {app} 100\n")
            os.chmod(sh, 0o755)
            if adaptive:
                argv = [self.bench.drainit, "--probe", f"127.0.0.1:{probe}",
                        "--prestop-delay", "20s", "--", sh]
                servers.append(f"    server s{i} 127.0.0.1:{app} check port {probe} "
                               f"inter 300ms fall 2 rise 2")
            else:
                argv = peer.drain_argv(run, sh) if hasattr(peer, "drain_argv") else \
                    peer.single(run, program=sh)
                servers.append(f"    server s{i} 127.0.0.1:{app} check inter 300ms fall 2 rise 2")
            procs.append(run.popen(argv))
        chk = "    option httpchk GET /readyz\n    http-check expect status 200\n" if adaptive else ""
        cfg = run.path("haproxy.cfg")
        with open(cfg, "w") as f:
            f.write("global\n    maxconn 256\ndefaults\n    mode http\n    timeout connect 1s\n"
                    "    timeout client 10s\n    timeout server 10s\n    retries 3\n"
                    f"    option redispatch\nfrontend fe\n    bind 127.0.0.1:{front}\n"
                    f"    default_backend be\nbackend be\n    balance roundrobin\n{chk}"
                    + "\n".join(servers) + "\n")
        url = f"http://127.0.0.1:{front}/"
        counts = {"ok": 0, "bad": 0}
        stop = threading.Event()
        lock = threading.Lock()

        def client():
            end = time.monotonic() + 60
            while not stop.is_set() and time.monotonic() < end:
                try:
                    with urllib.request.urlopen(url, timeout=5) as r:
                        good = r.status == 200
                except Exception:  # noqa: BLE001 - a failure is a dropped request
                    good = False
                with lock:
                    counts["ok" if good else "bad"] += 1
        try:
            for probe, app in backs:
                if not wait_for(lambda: http_status(app, "/") == 200, 10):
                    raise BenchError(f"backend on {app} did not answer (see {run.stderr_path})")
            lb = subprocess.Popen(["haproxy", "-db", "-f", cfg], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)
            if not wait_for(lambda: http_status(front, "/") == 200, 10):
                raise BenchError("haproxy did not serve")
            time.sleep(1.5)
            threads = [threading.Thread(target=client, daemon=True) for _ in range(3)]
            for th in threads:
                th.start()
            time.sleep(2)
            t0 = time.monotonic()
            os.kill(procs[0].pid, signal.SIGTERM)
            try:
                procs[0].wait(timeout=40)
            except subprocess.TimeoutExpired:
                raise BenchError("the stopped supervisor did not exit in 40 s")
            stop_ms = (time.monotonic() - t0) * 1000.0
            time.sleep(1.5)
            stop.set()
            for th in threads:
                th.join(timeout=10)
            return {"dropped": counts["bad"], "stop_ms": stop_ms, "served": counts["ok"]}
        finally:
            stop.set()
            if lb:
                stop_process(lb)
            for p in procs:
                stop_process(p)


class DrainitFixedDelay(Drainit):
    """drainit as a preStop sleep would be: a fixed delay, no probe (scenario 11)."""
    name = "drainit (fixed 3 s prestop)"
    note = "`drainit --prestop-delay 3s -- CMD`: no probe server, so the delay is fixed"

    def drain_argv(self, run, program):
        return [self.bench.drainit, "--prestop-delay", "3s", "--", program]


class EndToEnd(Scenario):
    """`sup -- true`: the supervisor's whole life with a child that exits at once."""
    key, num = "e2e", 12
    title = "`sup -- true` end to end"
    metrics = [("median_us", "median (µs)", "us", 0), ("min_us", "min (µs)", "us", 0)]

    @property
    def what(self):
        return (f"The supervisor's only child exits 0 at once (bench-child, static, in its "
                f"`true` mode: `_exit(0)` first thing in main()). bench-launch reads "
                f"CLOCK_MONOTONIC just before execve(supervisor) (in the forked child, user "
                f"space only in between) and takes the moment the supervisor's pidfd turns "
                f"readable (it has exited); no readiness wait, no signal. {self.cfg['e2e_runs']} "
                f"runs per repetition, one after the other: per repetition their median and "
                f"minimum.")

    def extra_peers(self, peers):
        return reference_rows(self.bench, peers) + one_cpu_rows(self.bench, peers, "launch")

    def run_one(self, peer, rep):
        run = Run(self.bench, f"e2e-{peer.name.split()[0]}")
        run.set(mode="true")
        argv = peer.single(run)
        vals = []
        for _ in range(self.cfg["e2e_runs"]):
            r = run.launch(argv, ["--exit-timeout", "10000"], timeout=30, cpu=launch_cpu(peer))
            if r["status"] != 0:
                raise BenchError(f"supervisor exit status {r['status']:#x} (see {run.stderr_path})")
            vals.append((r["t_exit"] - r["t_exec"]) / 1000.0)
        return {"median_us": statistics.median(vals), "min_us": min(vals), "runs_us": vals}


class ChildExit(Scenario):
    """The child ends by itself: its exit -> the supervisor's exit."""
    key, num = "childexit", 13
    title = "Child exit -> supervisor exit"
    metrics = [("overhead_us", "child exit -> supervisor exit (µs)", "us", 0),
               ("after_death_us", "of which after the child's death (µs)", "us", 0)]

    @property
    def what(self):
        return (f"No signal: the child (bench-child `exit-after` mode) exits by itself "
                f"{self.cfg['exit_delay_ms']} ms after it is ready, and records "
                f"CLOCK_MONOTONIC just before _exit(0). Value = the moment the supervisor's "
                f"pidfd turns readable in bench-launch (it has exited) minus that timestamp: the "
                f"child's teardown, the SIGCHLD, the supervisor's reap and its own exit. The "
                f"second column starts when the child's own pidfd turned readable in the "
                f"same poll() (0: both seen in one wake-up). {self.cfg['exit_runs']} runs per "
                f"repetition, their median.")

    def extra_peers(self, peers):
        return reference_rows(self.bench, peers) + one_cpu_rows(self.bench, peers, "launch")

    def run_one(self, peer, rep):
        over, after = [], []
        for _ in range(self.cfg["exit_runs"]):
            run = Run(self.bench, f"childexit-{peer.name.split()[0]}")
            out = run.path("exit.txt")
            run.set(mode="exit-after", out=out, delay_ms=self.cfg["exit_delay_ms"])
            r = run.launch(peer.single(run), ["--ready-dir", run.ready, "--watch-child",
                                              "--exit-timeout", "20000"], timeout=60,
                           cpu=launch_cpu(peer))
            with open(out) as f:
                t_child = int(f.read().split()[0])
            over.append((r["t_exit"] - t_child) / 1000.0)
            if r["t_child_dead"]:
                after.append((r["t_exit"] - r["t_child_dead"]) / 1000.0)
        m = {"overhead_us": statistics.median(over), "runs_us": over}
        if after:
            m["after_death_us"] = statistics.median(after)
        return m


class SignalStorm(Scenario):
    """SIGUSR1 sent back to back: what the supervisor's CPU pays for a burst."""
    key, num = "sigstorm", 14
    title = "SIGUSR1 storm"
    metrics = [("cpu_ms", "supervisor CPU (ms)", "ms", 2),
               ("seen", "signals the child saw", "", 0),
               ("send_ms", "storm sent in (ms)", "ms", 1)]

    @property
    def what(self):
        n = self.cfg["storm_signals"]
        return (f"The child (bench-child `count-usr1` mode) counts the SIGUSR1 it gets. "
                f"bench-sigsend --storm sends {n:,} SIGUSR1 to the supervisor back to back, as "
                f"fast as kill() goes. CPU = the supervisor's own processes' "
                f"/proc/PID/schedstat (field 1, ns) from just before the storm until it stops "
                f"moving after it (read every 10 ms until unchanged for 100 ms, at most 3 s). "
                f"A standard signal pending twice is delivered once, at the supervisor and "
                f"again at the child, so the child sees fewer than {n:,}: its count is a "
                f"column, not a loss. {self.cfg['storm_runs']} storms per repetition, on the "
                f"same supervisor, 0.1 s apart at least: per repetition the median of each "
                f"column.")

    def na(self, peer):
        return peer.lacks.get(self.key) or peer.lacks.get("signal")

    def extra_peers(self, peers):
        return reference_rows(self.bench, peers)

    def run_one(self, peer, rep):
        run = Run(self.bench, f"sigstorm-{peer.name.split()[0]}")
        count = run.path("usr1.count")
        run.set(mode="count-usr1", out=count)
        n = self.cfg["storm_signals"] if rep >= 0 else min(1000, self.cfg["storm_signals"])
        proc = run.popen(peer.single(run))
        try:
            run.wait_ready(1)
            time.sleep(0.2)
            pids = peer.procs(proc.pid)

            def cpu():
                return sum(proc_cpu_ns(x) for x in pids)

            def seen():
                with open(count, "rb") as f:
                    return int.from_bytes(f.read(8), sys.byteorder, signed=True)
            storms = []
            for _ in range(self.cfg["storm_runs"]):
                c0, s0 = cpu(), seen()
                r = subprocess.run([self.bench.helper("bench-sigsend"), "--storm",
                                    str(proc.pid), str(n)],
                                   capture_output=True, text=True, timeout=60)
                if r.returncode != 0:
                    raise BenchError(f"bench-sigsend: {r.stderr.strip()}")
                sent, send_ns = (int(x) for x in r.stdout.split())
                start = last_change = time.monotonic()
                last = cpu()
                while time.monotonic() - start < 3.0:
                    time.sleep(0.01)
                    c = cpu()
                    if c != last:
                        last, last_change = c, time.monotonic()
                    elif time.monotonic() - last_change >= 0.1:
                        break
                if proc.poll() is not None:
                    raise BenchError(f"the supervisor exited during the storm (status "
                                     f"{proc.returncode}, see {run.stderr_path})")
                got = seen() - s0
                if not got:
                    raise BenchError("no SIGUSR1 reached the child")
                storms.append({"cpu_ms": (last - c0) / 1e6, "seen": got, "sent": sent,
                               "send_ms": send_ns / 1e6})
            m = {k: statistics.median(x[k] for x in storms)
                 for k in ("cpu_ms", "seen", "send_ms")}
            m["storms"] = storms
            return m
        finally:
            stop_process(proc)


SCENARIOS = [Startup, Footprint, Idle, Signals, Orphans, Shutdown, Kill, Crash, LogPipeline, Probe,
             Drain, EndToEnd, ChildExit, SignalStorm]


# ------------------------------------------------------------------ report

def summarize(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals), "n": len(vals)}


def fmt_num(v, dec):
    if v is None:
        return "?"
    if dec == 0:
        return f"{v:,.0f}"
    return f"{v:,.{dec}f}"


def fmt_summary(s, dec):
    if s is None:
        return "—"
    if s["n"] == 1 or s["min"] == s["max"]:
        return fmt_num(s["median"], dec)
    return f"{fmt_num(s['median'], dec)} ({fmt_num(s['min'], dec)}–{fmt_num(s['max'], dec)})"


def fmt_bytes(n):
    if n >= 1024 * 1024:
        return f"{n / 1048576:.2f} MiB"
    return f"{n / 1024:.1f} KiB"


def drainit_source(drainit):
    """Which drainit was measured: the git commit of the tree it was built
    from, "+ uncommitted …" when src/ (or the top meson.build) differs."""
    src = os.path.dirname(os.path.dirname(os.path.abspath(drainit)))
    try:
        head = subprocess.run(["git", "-C", src, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return f"{drainit} (not in a git tree)"
        out = f"commit {head.stdout.strip()}"
        for path, label in (("src", "src/"), ("meson.build", "meson.build")):
            dirty = subprocess.run(["git", "-C", src, "status", "--porcelain", "--", path],
                                   capture_output=True, text=True, timeout=10).stdout
            if dirty.strip():
                out += f" + uncommitted changes in {label}"
        return out
    except (OSError, subprocess.SubprocessError):
        return "?"


def machine_info():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) // 1024} MiB"
    except (OSError, ValueError, IndexError):
        pass
    debian = "?"
    try:
        with open("/etc/debian_version") as f:
            debian = f.read().strip()
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(),
            "machine": platform.machine(), "memory": mem, "debian": debian,
            "python": platform.python_version()}


class Bench:
    def __init__(self, args):
        self.args = args
        self.smoke = args.smoke
        self.cfg = dict(SMOKE if args.smoke else FULL)
        if args.reps:
            self.cfg["reps"] = args.reps
        self.drainit = os.path.abspath(args.drainit)
        self.drainit_static = os.path.abspath(args.drainit_static) if args.drainit_static else None
        self.helpers = os.path.abspath(args.helpers)
        self.out_dir = os.path.abspath(args.out_dir)
        base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
        self.tmp = tempfile.mkdtemp(prefix="drainit-bench-", dir=base)
        self.buildtype = "?"
        try:
            bdir = os.path.dirname(self.drainit)
            with open(os.path.join(bdir, "meson-info", "intro-buildoptions.json")) as f:
                for o in json.load(f):
                    if o["name"] in ("buildtype", "b_sanitize"):
                        if o["name"] == "buildtype":
                            self.buildtype = o["value"]
                        elif o["value"] != "none":
                            self.buildtype += f", sanitize={o['value']}"
        except (OSError, ValueError, KeyError):
            pass

    def helper(self, name):
        return os.path.join(self.helpers, name)

    def merge(self, new):
        """new's scenarios in place of the same ones of the results on file,
        each marked with the date, commit and peer versions of its run."""
        with open(os.path.join(self.out_dir, "results.json")) as f:
            old = json.load(f)
        for key, sc in new["scenarios"].items():
            sc["rerun"] = {"date": new["date"], "drainit_source": new["drainit_source"],
                           "peers": new["peers"]}
            old["scenarios"][key] = sc
        if "profiles" in new:  # else the profiles on file stay
            old["profiles"] = new["profiles"]
        order = [c.key for c in SCENARIOS]
        old["scenarios"] = dict(sorted(old["scenarios"].items(),
                                       key=lambda kv: order.index(kv[0]) if kv[0] in order else 99))
        return old

    def write(self, results):
        os.makedirs(self.out_dir, exist_ok=True)
        with open(os.path.join(self.out_dir, "results.json"), "w") as f:
            json.dump(results, f, indent=1)
            f.write("\n")
        with open(os.path.join(self.out_dir, "RESULTS.md"), "w") as f:
            f.write(render(results, [c.name for c in PEER_CLASSES]))

    def take_profiles(self, run_date):
        """bench/profile.py's profiles of drainit and the installed peers that
        forward signals; a dict, {"error": ...} included, never an exception."""
        t = time.monotonic()
        log("[profiles] bench/profile.py")
        mod, why = load_profile()
        if mod is None:
            prof = {"error": why}
        else:
            try:
                smap = self.drainit_static + ".map" if self.drainit_static else None
                prof = mod.run_all(self.helpers, mod.default_peers(self.drainit,
                                                                   self.drainit_static),
                                   log, static_map=smap, reps=self.cfg["reps"])
                if not isinstance(prof, dict):
                    prof = {"error": f"profile.run_all returned {prof!r}"}
            except Exception as e:  # noqa: BLE001 (a profile never stops the bench)
                prof = {"error": f"{type(e).__name__}: {e}"}
        if prof.get("error"):
            log(f"  profiles: error: {prof['error']}")
        prof["run_date"] = run_date
        prof["drainit_source"] = drainit_source(self.drainit)
        prof["total_seconds"] = round(time.monotonic() - t, 1)
        return prof

    def profiles_only(self):
        """Only the profiles, put in place of those of OUT_DIR/results.json."""
        path = os.path.join(self.out_dir, "results.json")
        try:
            with open(path) as f:
                results = json.load(f)
        except (OSError, ValueError) as e:
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise SystemExit(f"bench: --profiles-only needs {path} (a run's results): {e}")
        self.check_helpers()
        results["profiles"] = self.take_profiles(
            time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        self.write(results)
        if not self.args.keep_tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
        log(f"bench: profiles taken in {results['profiles']['total_seconds']} s; rewrote "
            f"{self.out_dir}/RESULTS.md and results.json")
        return 0

    def check_helpers(self):
        for h in ("bench-child", "bench-launch", "bench-sigsend", "bench-orphans", "bench-reaper",
                  "bench-logwatch", "bench-httpget", "bench-httpd"):
            if not os.access(self.helper(h), os.X_OK):
                raise SystemExit(f"bench: {self.helper(h)} missing: build with scripts/build")

    def run(self):
        self.check_helpers()
        names = [c.name for c in PEER_CLASSES]
        want = self.args.peers.split(",") if self.args.peers else (["drainit"] if self.smoke else names)
        peers, missing = [], {}
        for cls in PEER_CLASSES:
            if cls.name not in want:
                continue
            p = cls(self)
            why = p.missing()
            if why:
                missing[p.name] = why
            else:
                peers.append(p)
        scen_want = [int(x) for x in self.args.scenarios.split(",")] if self.args.scenarios else None
        started = time.monotonic()
        results = {
            "mode": "smoke" if self.smoke else "full",
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": machine_info(),
            "config": self.cfg,
            "peers": {p.name: p.version() for p in peers},
            "drainit_source": drainit_source(self.drainit),
            "missing_peers": missing,
            "scenarios": {},
        }
        for cls in SCENARIOS:
            sc = cls(self)
            if scen_want and sc.num not in scen_want:
                continue
            t = time.monotonic()
            log(f"[{sc.num}] {sc.title}")
            res = sc.run(peers)
            for name, why in missing.items():
                res[name] = {"na": f"not run: {why}"}
            results["scenarios"][sc.key] = {"num": sc.num, "title": sc.title, "what": sc.what,
                                            "metrics": sc.metrics, "peers": res,
                                            "seconds": round(time.monotonic() - t, 1)}
        if want_profiles(self.args):
            results["profiles"] = self.take_profiles(results["date"])
        results["seconds"] = took = round(time.monotonic() - started, 1)
        if self.args.merge:
            results = self.merge(results)
        self.write(results)
        if not self.args.keep_tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
        log(f"bench: done in {took} s; wrote {self.out_dir}/RESULTS.md and results.json")
        if self.smoke:
            return smoke_check(results)
        return 0


def peer_summary(r, key):
    return summarize([run.get(key) for run in r.get("runs", [])])


def cell(r, key, dec):
    if "na" in r:
        return f"n/a ({r['na']})"
    if key in r.get("na_metrics", {}):
        return f"n/a ({r['na_metrics'][key]})"
    s = peer_summary(r, key)
    if s is None:
        return "failed: " + "; ".join(r.get("errors", [])[:1]) if r.get("errors") else "—"
    return fmt_summary(s, dec)


def render(res, order):
    m = res["machine"]
    out = []
    w = out.append
    w("# drainit benchmark results\n")
    w(f"Generated by `bench/run` ({res['mode']} mode) on {res['date']}; "
      f"{res['config']['reps']} repetitions per scenario, peers interleaved. Cells read "
      f"**median (min–max)** over the repetitions. Raw numbers: `bench/results.json`. "
      f"How each number is taken: `bench/README.md`.\n")
    w("## Machine\n")
    w("| | |\n|---|---|")
    w(f"| CPU | {m['cpu']} |")
    w(f"| Cores | {m['cores']} |")
    w(f"| Kernel | {m['kernel']} ({m['machine']}) |")
    w(f"| Memory | {m['memory']} |")
    w(f"| Debian | {m['debian']} |")
    for name, v in res["peers"].items():
        if name == "drainit":
            v += f", {res.get('drainit_source', '?')}"
        w(f"| {name} | {v} |")
    for name, why in res["missing_peers"].items():
        w(f"| {name} | not run: {why} |")
    w(f"| Total run time | {res['seconds']:.0f} s |")
    w("")

    targets = target_table(res)
    if targets:
        w("## drainit against its targets\n")
        w("| Target | drainit | Met? |\n|---|---|---|")
        for t in targets:
            w(f"| {t['target']} | {t['value']} | {t['verdict']} |")
        w("")
        misses = [t for t in targets if t["verdict"].startswith("no")]
        if misses:
            w("Where drainit misses a target, and why:\n")
            for t in misses:
                w(f"- **{t['target']}**: {t['why']}")
            w("")

    for key, sc in res["scenarios"].items():
        w(f"## {sc['num']}. {sc['title']}\n")
        if sc.get("rerun"):
            r = sc["rerun"]
            w(f"*Rerun alone on {r['date']} (drainit {r['drainit_source']}; "
              f"`bench/run --scenarios {sc['num']} --merge`); the other sections are from "
              f"the run above.*\n")
        w(sc["what"] + "\n")
        metrics = sc["metrics"]
        peers = sc["peers"]
        names = [n for n in order if n in peers] + [n for n in peers if n not in order]
        all_na = all("na" in peers[n] for n in names)
        if all_na:
            w("| Peer | Result |\n|---|---|")
            for n in names:
                w(f"| {n} | {cell(peers[n], metrics[0][0], 0)} |")
            w("")
            continue
        w("| Peer | " + " | ".join(lbl for _, lbl, _, _ in metrics) + " |")
        w("|---|" + "---|" * len(metrics))
        for n in names:
            r = peers[n]
            if "na" in r:
                w(f"| {n} | n/a ({r['na']}) |" + " |" * (len(metrics) - 1))
                continue
            w(f"| {n} | " + " | ".join(cell(r, k, d) for k, _, _, d in metrics) + " |")
        w("")
        if key == "signal":
            pooled = [(n, peers[n]["pooled"]) for n in names if "pooled" in peers[n]]
            if pooled:
                w("All signals of all repetitions pooled:\n")
                w("| Peer | signals | median (µs) | p99 (µs) | max (µs) |\n|---|---|---|---|---|")
                for n, p in pooled:
                    w(f"| {n} | {p['n']} | {p['median_us']:.1f} | {p['p99_us']:.1f} | {p['max_us']:.0f} |")
                w("")
        for n in names:
            if peers[n].get("note"):
                w(f"*{n}*: {peers[n]['note']}.\n")
        if key == "footprint":
            w("Binary size (stripped executables; shared libraries beyond glibc listed apart):\n")
            w("| Peer | executables | extra shared libraries |\n|---|---|---|")
            for n in names:
                b = peers[n].get("binary")
                if not b:
                    continue
                files = ", ".join(f"{k} {fmt_bytes(v)}" for k, v in b["files"].items())
                if len(b["files"]) > 1:
                    files += f" = {fmt_bytes(b['total_files'])}"
                if b.get("interpreter"):
                    files += f" (script, run by {b['interpreter']})"
                libs = ", ".join(f"{k} {fmt_bytes(v)}" for k, v in b["libs"].items()) or "none"
                w(f"| {n} | {files} | {libs} |")
            w("")
            bds = [(n, peers[n]["runs"][0]["rss1_by_mapping"]) for n in names
                   if peers[n].get("runs") and peers[n]["runs"][0].get("rss1_by_mapping")
                   and n != "supervisord"]
            if bds:
                w("Where the RSS with 1 service sits (first repetition, KiB per mapping):\n")
                w("| Peer | Rss by mapping (KiB) |\n|---|---|")
                for n, bd in bds:
                    top = sorted(bd.items(), key=lambda kv: -kv[1])
                    w(f"| {n} | " + ", ".join(f"{k} {v}" for k, v in top) + " |")
                w("")
        if key == "orphans":
            for n in names:
                r = peers[n]
                runs = r.get("runs", [])
                if runs and not all(x["all_reaped"] for x in runs):
                    bad = sum(1 for x in runs if not x["all_reaped"])
                    w(f"*{n}*: {bad} of {len(runs)} repetitions left orphans unreaped after "
                      f"{res['config']['orphan_timeout_ms'] / 1000:g} s "
                      f"(\"not reaped\" column; \"last reaped\" counts only complete runs).\n")
        if key in NOTES:
            w(NOTES[key] + "\n")
        errs = [(n, e) for n in names for e in peers[n].get("errors", [])]
        if errs:
            w("Errors:\n")
            for n, e in errs:
                w(f"- {n}: {e}")
            w("")
        w(f"<sub>scenario run time {sc['seconds']:.0f} s</sub>\n")
    prof = render_profiles(res)
    if prof:
        w(prof)
    return "\n".join(out) + "\n"


# Why drainit misses a target, when it does: written from the source (src/),
# strace of drainit and side experiments on the machine of bench/RESULTS.md;
# shown only for the targets a run finds missed. A target without an entry
# (the rows added last: e2e, term, childexit, orphan_cpu, storm_cpu) shows
# MISS_PENDING instead.
MISS_PENDING = "not explained yet: the profile of this row is pending."
MISS_WHY = {
    "idle": "something woke drainit's loop while idle: with no timer armed libev sleeps in "
            "epoll_wait with its 59.7 s MAX_BLOCKTIME, so a wake-up within the window means "
            "a timer or an event.",
    "rss": "RSS counts every page mapped into the process, shared or not, and most of it is "
           "glibc: drainit touches more of libc.so.6 than tini does (printf-style formatting "
           "for its log and its answers, getopt_long, strerror, malloc, the socket calls), "
           "and its own executable carries libev, inih and jansson (see the per-mapping table "
           "in section 2 and the binary sizes). The kernel maps an executable's pages around "
           "each fault (fault-around), so a resident executable is about its whole size.",
    "rss_static": "the static drainit is about 1.1 MiB of which glibc alone is more than "
                  "tini-static's or catatonit's whole executable (profile P5: printf and "
                  "strtod for the log, the INI and JSON numbers, the socket and stdio code); "
                  "drainit's own code and rodata, libev and jansson add about 290 KiB. "
                  "With fault-around nearly all of it is resident once the loop runs "
                  "(section 2's per-mapping table): this row cannot reach a binary that has "
                  "a sixth of its features without giving up features.",
    "pss1": "PSS shares each page among the processes that map it: libc.so.6 is shared with "
            "every process of the machine and costs each little, so what is left is a "
            "supervisor's own executable and memory. drainit's executable (section 2) is more "
            "than ten times dumb-init's, and the static build shares its libc with nothing. With 50 "
            "services the same executable serves them all, which is where drainit leads.",
    "pss": "with 50 services drainit's PSS adds the per-service state, the exec-status pipes "
           "and the watchers to the fixed cost of the 1-service row.",
    "startup": "the start-up of every supervisor here is mostly the VM's: glibc's start "
               "(dynamic loader or static) spends some 400 µs on CPUID, which traps to the "
               "hypervisor, in the supervisor and again in its child (profile P2: the clone "
               "of the child comes 500-800 µs after exec for every peer). drainit's own part "
               "before the clone is its bigger executable to map and relocate (callgrind: "
               "ld.so runs 140 000 instructions for drainit's imports; the static build has "
               "none), a libev loop, the signalfd, the control socket and two log lines: "
               "about 100 system calls more than catatonit (64 of them look up and reset the "
               "dispositions drainit may have inherited as ignored; 6 µs in all) and some "
               "50 more page faults (P2). The child is started with clone(CLONE_VM|"
               "CLONE_VFORK): no page table is copied.",
    "e2e": "the start-up row plus the exit row: see both. The static build, with no dynamic "
           "loading, comes within about a tenth of catatonit.",
    "forward": "the medians of this scenario are mostly the cost of waking an idle vCPU twice "
               "(sender -> supervisor -> child on different CPUs): the min-max of every peer "
               "spans several times its minimum, depending on where the scheduler puts the "
               "three processes. The "
               "one-CPU rows take that out; there drainit's gap is its own (profile P1 and the "
               "one-CPU row's note).",
    "p99": "same path as the median (see the forwarding note), plus scheduling noise of the "
           "VM: the one-CPU rows' p99 is a fraction of this.",
    "orphans": "see the orphan storm table.",
    "term": "on this VM a wake-up of a supervisor or of a child on an idle vCPU costs "
            "100-250 µs, so the medians are bimodal for every peer (a run is fast when the "
            "child sleeps on the CPU that signals it): compare each peer's min-max. drainit's "
            "own part is in the one-CPU row.",
    "shutdown": "the target is judged on the worst of the repetitions, and on this machine "
                "the kernel's part (the child's teardown, SIGCHLD, the wake-ups) moves by "
                "hundreds of µs from one repetition to the next: compare the peers' own "
                "min-max in section 6, and the one-CPU row for drainit's own part.",
    "childexit": "as the SIGTERM row: the wake-ups of idle vCPUs make every peer's median "
                 "bimodal; drainit's own part (its exit path, profile P3) is in the one-CPU "
                 "row.",
    "orphan_reap": "the storm is the kernel's: 10 000 exits contend for tasklist_lock with the "
                   "reaper's wait4, and the bare waitpid loop (the baseline row) spreads as "
                   "widely as every supervisor. drainit reaps every exited child at each "
                   "SIGCHLD, as the peers do; profile P4 puts 97-99.9 % of PID 1's samples in "
                   "the kernel for every peer, drainit's own code under 1 %.",
    "orphan_cpu": "PID 1's CPU in a storm is its wait4 calls, each of which walks the list of "
                  "its children under tasklist_lock (wait_consider_task, profile P4): how "
                  "many of those walks a storm takes, and how long each spins on the lock, "
                  "depends on how the 10 000 exits interleave with the reaper, so every "
                  "peer's runs range from tens to hundreds of ms. A side experiment that "
                  "spaced drainit's reap rounds after a long walk did not change that "
                  "(the walks themselves are short; the lock is what costs), and was "
                  "dropped.",
    "storm_cpu": "the CPU of a storm is set by how many SIGUSR1 the supervisor gets to "
                 "forward: standard signals coalesce while one is pending, so a supervisor "
                 "that runs beside the sender forwards hundreds and one that runs after it "
                 "forwards one (the 'seen' column). Per forwarded signal drainit costs what "
                 "profile P1 says, about 2 µs more than catatonit.",
    "e2e_1cpu": "without the wake-ups, what is left is drainit's own start-up and exit: some "
                "120 system calls before it clones its child against catatonit's 17 and "
                "tini's 37, about three times catatonit's page faults (profile P2), and the "
                "dynamic loading the static build does not have (callgrind: 140 000 of the "
                "250 000 instructions of `drainit -- /bin/true` are ld.so's); then the exit "
                "path of the one-CPU child-exit row.",
    "forward_1cpu": "drainit makes four system calls per forward where catatonit and dumb-init "
                    "make two and tini three (profile P1): epoll_wait and the read of its "
                    "signalfd where catatonit only reads its signalfd, and a getpgid before "
                    "each kill (the target is decided when the signal is sent: its own "
                    "group, the one drainit made, or the pid alone). Its own code is about "
                    "900 instructions per forward (callgrind: libev's loop, the event path, "
                    "the forward and its count); P1's perf stat gives the CPU per forward.",
    "term_1cpu": "before its kill() drainit reads its signalfd and writes four log lines (the "
                 "signal, the shutdown's first stages, the service's stop) and decides the "
                 "target (getpgid); the first write to a log file that sat idle costs several "
                 "µs (ext4 updates the file's time), and this path runs cold (a trace on one "
                 "CPU: about 45 µs from the wake-up to the kill). tini, dumb-init and "
                 "catatonit send the signal at once. On one CPU the child runs only once "
                 "drainit blocks again, so all of it counts.",
    "shutdown_1cpu": "from its wake-up to its exit_group drainit makes about three times the "
                     "system calls of tini, dumb-init and catatonit (profile P3: the signalfd "
                     "read, the reap, the log lines, the group check kill(-pgid, 0), a waitid "
                     "for leftovers, the wait4 that ends the reap loop, and removing the "
                     "control socket when it owns it), and its own work (P3) is about the gap "
                     "of this row; the rest is the kernel's teardown of the child and of the "
                     "supervisor.",
    "childexit_1cpu": "the exit path of the one-CPU shutdown row, with more lines: when the "
                      "service ends by itself drainit logs the service's end, the shutdown it "
                      "starts and its stages, the summary and the exit code between the reap "
                      "and its exit; tini, dumb-init and catatonit make a wait4 or two and "
                      "exit.",
    "kill": "the grace deadline is waited for in libev's epoll_wait, whose timeout is whole "
            "milliseconds, rounded up: drainit arms the timer early by the kernel's slack "
            "and re-arms it for the last stretch (src/timer.c), which still ends up to 1 ms "
            "after the deadline (strace: epoll_wait(..., 998), then epoll_wait(..., 1)); s6 "
            "waits in poll() with a millisecond timeout too, so the two differ by the "
            "delivery of SIGTERM and SIGKILL and the child's death, a few tenths of a ms "
            "either way from one run to the next.",
}

# Per-scenario remarks on how the peers behave, from their source or strace.
NOTES = {
    "idle": "drainit: none within 10 s, but its epoll_wait timeout is libev's MAX_BLOCKTIME, "
            "59.743 s (seen with strace), so an idle drainit still wakes about once a minute. "
            "tini waits for signals with a 1 s sigtimedwait timeout and supervisord's main "
            "loop polls with a 1 s timeout: about one wake-up a second each.",
    "startup": "supervisord spawns its programs from its main loop, about a second after it "
               "starts (its first loop tick).",
    "signal": "The one-CPU rows run the supervisor, its child and bench-sigsend on one CPU "
              "(taskset): each hop is a context switch on that CPU, no idle CPU is woken, and "
              "the child runs once the supervisor blocks again, so what a supervisor does "
              "after its kill() counts there. This is where a forwarding median of about "
              "5 µs comes from (a measurement pinned this way), against about 35 µs when the "
              "three run where the scheduler puts them: the unpinned rows' minima are the "
              "pinned figure, their medians two wake-ups of an idle vCPU.",
    "orphans": "drainit reaps from its own signalfd: at each SIGCHLD it calls waitpid(-1, "
               "WNOHANG) until none is left, so one wake-up reaps every orphan that has "
               "exited by then (libev's child watcher, used before, reaped one per loop "
               "iteration). "
               "supervisord reaps at most 100 children per main-loop iteration (the "
               "recursion guard of Supervisor.reap) and its loop wakes about once a second, "
               "so it clears roughly 100 orphans a second. The min–max spread of every row, "
               "the baseline's included, is the kernel's: 10 000 exits contend for "
               "tasklist_lock with the reaper's wait4(). The PID 1 CPU column spreads the "
               "same way, from tens of milliseconds to more than a second in one row, the "
               "baseline's (a bare waitpid loop) included.",
    "shutdown": "supervisord notices SIGTERM in its 1 s main-loop tick, hence the ~1 s to "
                "exit, and the reap of its program likewise. The one-CPU rows run "
                "bench-launch, the supervisor and its child on one CPU: each hop (SIGTERM to "
                "the supervisor, then to the child; the child's exit to the supervisor, then "
                "the supervisor's to bench-launch) is a switch on a CPU that is awake instead "
                "of the wake-up of an idle vCPU, which costs about 100-250 µs on this VM or "
                "nothing when the vCPU happens to be awake: the unpinned rows' wide min–max. "
                "SIGTERM -> child's handler is then bench-launch's kill(), the supervisor's "
                "work until it blocks again and the switch to the child; the overhead is the "
                "child's teardown, the supervisor's reap and exit and the switch back to "
                "bench-launch, which mostly sees both pidfds in one wake-up (third column 0). "
                "They are reference rows; the targets compare them apart.",
    "e2e": "The one-CPU rows run bench-launch, the supervisor and its child on one CPU: "
           "the child's exit and the supervisor's own no longer wake an idle vCPU, so what "
           "is left is the supervisor's start-up, the child's clone and exec, and the two "
           "exits and reaps, on a CPU that stays awake. Reference rows; the targets compare "
           "them apart.",
    "childexit": "The one-CPU rows run bench-launch, the supervisor and its child on one "
                 "CPU: the child's exit wakes the supervisor and the supervisor's exit wakes "
                 "bench-launch on a CPU that is awake, not an idle vCPU (about 100-250 µs a "
                 "hop on this VM, or nothing: the unpinned rows' spread). The child's 50 ms "
                 "sleep ends on a timer, before its stamp. Reference rows; the targets "
                 "compare them apart.",
    "kill": "drainit arms its grace timer early by the kernel's slack and re-arms it for the "
            "last milliseconds (src/timer.c), so the lateness no longer grows with the grace "
            "period (1 s and 10 s alike). That last wait still goes through libev's "
            "epoll_wait, whose timeout is whole milliseconds rounded up, so SIGKILL leaves up "
            "to 1 ms after the deadline (strace: epoll_wait(..., 998), then epoll_wait(..., "
            "1)); the rest is the delivery of SIGTERM and SIGKILL and the child's death, "
            "timed from bench-launch's clock. A timerfd or epoll_pwait2 would take the "
            "millisecond off. supervisord checks stopwaitsecs in its main loop, which ticks "
            "once a second, so its SIGKILL comes up to a second late (stopwaitsecs is in "
            "whole seconds).",
    "drain": "Each stop kills the request the stopped server is busy with unless the "
             "load balancer has stopped sending to it first. tini and dumb-init pass SIGTERM "
             "on at once: haproxy learns of the stop only when its next request fails, and "
             "the one in flight is lost. A fixed prestop delay without a probe does not help "
             "either: haproxy checks only the server's port, which stays open until the stop "
             "signal, so it keeps sending and the delay only postpones the loss. drainit with "
             "its probe turns /readyz 503 at once; haproxy marks the server down after two "
             "checks (about 0.6 s), the server's last request ends, and the adaptive prestop "
             "ends once haproxy has seen three 503s and the server's port has had no new "
             "connection for drain_quiet (1 s): about 1.3 s in all, against the 20 s "
             "maximum, with nothing dropped.",
    "crash": "Restart pace: drainit restarts restart_delay after the exit (100 ms here, so "
             "about ten a second, the delay plus the child's start and exit; 1 s in the "
             "reference row); s6-supervise waits at least one second between two starts of a "
             "service, by design; supervisord restarts from its main loop, a little less than "
             "once a second here. CPU per minute grows with the pace: compare at equal pace "
             "(the 1 s row) or per restart. With fork, perf on drainit alone (no children) put "
             "about a third of its CPU per restart in clone (copying the page tables) and a "
             "sixth in the copy-on-write faults that followed; drainit now starts children "
             "with clone(CLONE_VM|CLONE_VFORK), which copies no page table. Its own code and "
             "libc were about a sixth, the four log lines per restart about a twentieth.",
    "sigstorm": "The CPU and the count depend on whether the supervisor gets a CPU while the "
                "storm is still being sent: when it runs only after the sender's last kill(), "
                "it finds one SIGUSR1 pending and forwards it once (count 1, some tens of µs "
                "of CPU); when it runs beside the sender on the other CPU it wakes for every "
                "signal it can dequeue while the storm lasts. Hence the wide min–max on a "
                "2-core machine.",
    "probe": "For each load generator drainit and the baseline have about the same p99; "
             "the medians depend on the access pattern. Under wrk each request reaches a "
             "server that accepted its connection 4 ms earlier and went back to sleep, and "
             "on this VM such a cold request costs several times the CPU of one that "
             "follows another at once (side run with wrk -c1, CPU per request from "
             "schedstat: drainit 208 µs with 20 ms between requests against 55 µs back to "
             "back, the baseline 152 against 44). So the wrk medians mostly measure waking "
             "up cold, and drainit's longer path (its libev loop, the request parsing, the "
             "readiness of 50 services) pays more for it than a blocking read-write loop; "
             "back to back drainit answered in a median 34 µs against the baseline's 31. "
             "With bench-httpget the request is already there when the server wakes to "
             "accept the connection. The 503s of a shutdown cost what the 200s do.",
}


def target_table(res):
    sc = res["scenarios"]

    def dsum(key, metric):
        r = sc.get(key, {}).get("peers", {}).get("drainit")
        if not r or "na" in r:
            return None
        return peer_summary(r, metric)

    # The peers, and catatonit: not a peer of bench/run, but the best of several
    # target rows, so the targets count it.
    rivals = {c.name for c in PEER_CLASSES if c is not Drainit} | {Catatonit.name}

    def best_peer(key, metric):
        best = None
        for n, r in sc.get(key, {}).get("peers", {}).items():
            if n not in rivals or "na" in r:
                continue
            s = peer_summary(r, metric)
            if s and (best is None or s["median"] < best[1]):
                best = (n, s["median"])
        return best

    rows = []

    def add(target, value, ok, why_key, cmp=""):
        if value is None:
            return
        rows.append({"target": target, "value": value + cmp,
                     "verdict": "yes" if ok else "no",
                     "why": MISS_WHY.get(why_key) or MISS_PENDING})

    best_note = " (catatonit counted among the peers)"

    def vs_best(target, key, metric, unit, dec, why_key, one_cpu=True):
        """drainit's median against the best median of the peers and catatonit;
        then the static build's (the container images' binary), when measured."""
        s = dsum(key, metric)
        b = best_peer(key, metric) if s else None
        if b:
            add(target + best_note, f"{s['median']:.{dec}f} {unit}", s["median"] <= b[1],
                why_key, f" vs {b[0]} {b[1]:.{dec}f} {unit}")
            r = sc[key]["peers"].get(DrainitStatic.name)
            t = peer_summary(r, metric) if r and "na" not in r else None
            if t:
                add(f"{target}: the static build", f"{t['median']:.{dec}f} {unit}",
                    t["median"] <= b[1], why_key, f" vs {b[0]} {b[1]:.{dec}f} {unit}")
        if one_cpu:
            vs_best_one_cpu(target, key, metric, unit, dec, why_key)

    # The one-CPU reference rows (scenarios 4, 6, 12, 13): drainit (one CPU)
    # against the best one-CPU row of the peers and catatonit, i.e. drainit's
    # own gap without the wake-ups of idle vCPUs. Not targets themselves.
    one_cpu_rivals = {f"{n} (one CPU)" for n in rivals}

    def vs_best_one_cpu(target, key, metric, unit, dec, why_key):
        r = sc.get(key, {}).get("peers", {}).get("drainit (one CPU)")
        s = peer_summary(r, metric) if r and "na" not in r else None
        if not s:
            return
        best = None
        for n, pr in sc[key]["peers"].items():
            if n not in one_cpu_rivals or "na" in pr:
                continue
            t = peer_summary(pr, metric)
            if t and (best is None or t["median"] < best[1]):
                best = (n, t["median"])
        if best:
            add(f"{target} (one CPU, not a stated target; catatonit counted)",
                f"{s['median']:.{dec}f} {unit}", s["median"] <= best[1], why_key + "_1cpu",
                f" vs {best[0]} {best[1]:.{dec}f} {unit}")

    s = dsum("idle", "wakeups")
    if s:
        add(f"idle wakeups 0 in {res['config']['idle_s']:g} s", f"{s['median']:.0f} "
            f"(max {s['max']:.0f})", s["max"] == 0, "idle")
    s = dsum("footprint", "rss1_kib")
    tini = sc.get("footprint", {}).get("peers", {}).get("tini")
    if s:
        t = peer_summary(tini, "rss1_kib") if tini and "na" not in tini else None
        if t:
            add("RSS with 1 service <= tini's", f"{s['median']:.0f} KiB",
                s["median"] <= t["median"], "rss", f" vs tini {t['median']:.0f} KiB")
    # RSS of the static build (the images' binary) against the static peers
    fp = sc.get("footprint", {}).get("peers", {})
    r = fp.get(DrainitStatic.name)
    st = peer_summary(r, "rss1_kib") if r and "na" not in r else None
    if st:
        best = None
        for n in (TiniStatic.name, Catatonit.name):
            t = peer_summary(fp[n], "rss1_kib") if n in fp and "na" not in fp[n] else None
            if t and (best is None or t["median"] < best[1]):
                best = (n, t["median"])
        if best:
            add("RSS with 1 service, static build <= the best static peer "
                "(tini-static, catatonit)", f"{st['median']:.0f} KiB", st["median"] <= best[1],
                "rss_static", f" vs {best[0]} {best[1]:.0f} KiB")
    vs_best("PSS with 1 service <= best peer", "footprint", "pss1_kib", "KiB", 0, "pss1",
            one_cpu=False)
    s = dsum("footprint", "pss50_kib")
    if s:
        add("PSS with 50 services < 2.5 MiB", f"{s['median'] / 1024:.2f} MiB",
            s["median"] < 2.5 * 1024, "pss")
    vs_best("PSS of the whole tree with 50 services <= best peer", "footprint", "pss50_kib",
            "KiB", 0, "pss", one_cpu=False)
    vs_best("idle wake-ups <= best peer", "idle", "wakeups", "", 0, "idle", one_cpu=False)
    vs_best("start-up median <= best peer", "startup", "startup_us", "µs", 0, "startup")
    vs_best("`sup -- true` end to end, median <= best peer", "e2e", "median_us", "µs", 0,
            "e2e")
    vs_best("forwarding median <= best peer", "signal", "median_us", "µs", 1, "forward")
    r = sc.get("signal", {}).get("peers", {}).get("drainit")
    if r and "pooled" in r:
        p = r["pooled"]["p99_us"]
        add("forwarding p99 < 100 µs", f"{p:.1f} µs (all signals pooled)", p < 100, "p99")
    vs_best("SIGTERM -> child's handler (prestop 0), median <= best peer", "shutdown",
            "term_us", "µs", 0, "term")
    s = dsum("shutdown", "overhead_us")
    if s:
        add("shutdown overhead < 1 ms", f"{s['median']:.0f} µs (max {s['max']:.0f})",
            s["max"] < 1000, "shutdown")
    vs_best_one_cpu("shutdown overhead, median <= best peer", "shutdown", "overhead_us", "µs",
                    0, "shutdown")
    vs_best("child exit -> supervisor exit, median <= best peer", "childexit", "overhead_us",
            "µs", 0, "childexit")
    r = sc.get("orphans", {}).get("peers", {}).get("drainit")
    if r and r.get("runs"):
        ok = all(x["all_reaped"] for x in r["runs"]) and not r.get("errors")
        add("orphan storm: all reaped", f"{sum(1 for x in r['runs'] if x['all_reaped'])} of "
            f"{len(r['runs'])} runs", ok, "orphans")
    vs_best("orphan storm, last orphan reaped, median <= best peer", "orphans",
            "reap_all_ms", "ms", 1, "orphan_reap", one_cpu=False)
    vs_best("orphan storm, PID 1 CPU from release to all reaped, median <= best peer",
            "orphans", "pid1_cpu_ms", "ms", 1, "orphan_cpu")
    storm = res["config"].get("storm_signals", 10000)
    vs_best(f"{storm:,} × SIGUSR1 storm, supervisor CPU, median <= best peer", "sigstorm",
            "cpu_ms", "ms", 2, "storm_cpu")
    r = sc.get("kill", {}).get("peers", {}).get("drainit")
    if r and r.get("runs"):
        worst = max(abs(x["late_ms"]) for x in r["runs"])
        s = peer_summary(r, "late_ms")
        add(f"SIGKILL within 3 ms of its deadline (grace {res['config']['grace_ms']} ms)",
            f"{s['median']:+.2f} ms (worst {worst:.2f})", worst <= 3.0, "kill")
    vs_best("SIGKILL lateness after the grace period, median <= best peer", "kill", "late_ms",
            "ms", 2, "kill", one_cpu=False)
    r = sc.get("kill", {}).get("peers", {}).get(DrainitDefaultGrace.name)
    if r and r.get("runs"):
        worst = max(abs(x["late_ms"]) for x in r["runs"])
        s = peer_summary(r, "late_ms")
        add("same, with the default grace 10 s (not a stated target)",
            f"{s['median']:+.2f} ms (worst {worst:.2f})", worst <= 3.0, "kill")
    return rows


def smoke_check(res):
    """Each scenario must have produced a number for drainit (or, for the
    features drainit does not have yet, its n/a reason). Never a timing check."""
    failures = []
    for key, sc in res["scenarios"].items():
        r = sc["peers"].get("drainit")
        if r is None:
            failures.append(f"{key}: drainit not run")
            continue
        if "na" in r:
            if NOT_YET not in r["na"]:
                failures.append(f"{key}: n/a without reason")
            continue
        runs = r.get("runs", [])
        if not runs:
            failures.append(f"{key}: no result: {'; '.join(r.get('errors', []))}")
            continue
        for mkey, *_ in sc["metrics"]:
            if mkey in r.get("na_metrics", {}):
                continue
            v = runs[0].get(mkey)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or math.isnan(v):
                failures.append(f"{key}: {mkey} is not a number: {v!r}")
    for f in failures:
        log(f"bench-smoke: FAIL {f}")
    if not failures:
        log(f"bench-smoke: ok ({len(res['scenarios'])} scenarios)")
    return 1 if failures else 0


def want_profiles(args):
    """Profiles in a full run of every scenario, or with --profiles; never in
    --smoke or with --no-profiles."""
    if args.smoke or args.no_profiles:
        return False
    return args.profiles or not args.scenarios


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--drainit")
    ap.add_argument("--helpers")
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--peers", help="comma-separated subset of: " +
                    ",".join(c.name for c in PEER_CLASSES))
    ap.add_argument("--scenarios", help="comma-separated scenario numbers (1-%d)" %
                    max(c.num for c in SCENARIOS))
    ap.add_argument("--reps", type=int)
    ap.add_argument("--keep-tmp", action="store_true", help="keep the per-run directories")
    ap.add_argument("--drainit-static", help="the static drainit, for reference rows")
    ap.add_argument("--merge", action="store_true",
                    help="replace only the measured scenarios in OUT_DIR/results.json")
    ap.add_argument("--rerender", action="store_true",
                    help="measure nothing: rewrite OUT_DIR/RESULTS.md from OUT_DIR/results.json "
                         "(after a change to the notes or the report's layout)")
    ap.add_argument("--no-profiles", action="store_true",
                    help="skip bench/profile.py's profiles after the scenarios")
    ap.add_argument("--profiles", action="store_true",
                    help="take the profiles even with --scenarios")
    ap.add_argument("--profiles-only", action="store_true",
                    help="measure no scenario: take the profiles and merge them into "
                         "OUT_DIR/results.json, then rewrite RESULTS.md")
    args = ap.parse_args()
    if args.smoke and (args.profiles or args.profiles_only):
        ap.error("--smoke takes no profiles")
    if args.no_profiles and (args.profiles or args.profiles_only):
        ap.error("--no-profiles contradicts --profiles/--profiles-only")
    if args.rerender:
        with open(os.path.join(args.out_dir, "results.json")) as f:
            res = json.load(f)
        with open(os.path.join(args.out_dir, "RESULTS.md"), "w") as f:
            f.write(render(res, [c.name for c in PEER_CLASSES]))
        log(f"bench: rewrote {args.out_dir}/RESULTS.md from results.json")
        return
    if not args.drainit or not args.helpers:
        ap.error("--drainit and --helpers are required (unless --rerender)")
    if os.geteuid() != 0:
        log("bench: warning: not root; the orphan storm (unshare --pid) will fail")
    b = Bench(args)
    sys.exit(b.profiles_only() if args.profiles_only else b.run())


if __name__ == "__main__":
    main()
