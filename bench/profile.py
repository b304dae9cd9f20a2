"""Profiles for bench/RESULTS.md: where a supervisor's time goes in the rows
that drainit does not lead. Measured by bench.py in full mode, after the
scenarios, when perf can read tracepoints (root, tracefs); never in the
smoke run. Each profile runs drainit and the peers the same way:

  forwarding   perf stat over SIGUSR1 forwards, everything on one CPU: CPU
               time, system calls and context switches of the supervisor
               per forward; strace -c names the system calls.
  startup      perf's tracepoints (CLOCK_MONOTONIC, so they line up with
               the helpers' stamps): exec of the supervisor -> its clone
               of the child (system calls and user page faults on the
               way) -> the child's main().
  exit         the child's exit (sched_process_exit) -> the supervisor's
               first system call after it (its wake-up) -> its exit_group
               (its own work: system calls on the way) -> bench-launch
               sees it gone (its teardown and the wake-up of the parent).
  storm        perf record -p PID1 during an orphan storm: the samples of the
               supervisor (PID 1) by where they fall (its own code, libc,
               the kernel) and the kernel functions on top.
  composition  the static drainit's link map: its bytes by where they come
               from (drainit's own code, glibc, libev, jansson, ...).
"""

import collections
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import time

PERF_EVENTS_OK = None


def perf_ok():
    """Whether perf can count tracepoints here."""
    global PERF_EVENTS_OK
    if PERF_EVENTS_OK is None:
        PERF_EVENTS_OK = False
        if shutil.which("perf") and os.geteuid() == 0:
            try:
                r = subprocess.run(["perf", "stat", "-x,", "-e", "raw_syscalls:sys_enter", "true"],
                                   capture_output=True, text=True, timeout=30)
                PERF_EVENTS_OK = r.returncode == 0
            except (OSError, subprocess.SubprocessError):
                pass
    return PERF_EVENTS_OK


def median(xs):
    return statistics.median(xs) if xs else None


class Profiler:
    """peers: [(name, argv prefix before the child's command)]."""

    def __init__(self, helpers, peers, log, reps=5):
        self.helpers = helpers
        self.peers = peers
        self.log = log
        self.reps = reps
        self.tmp = tempfile.mkdtemp(prefix="drainit-profile-")

    def helper(self, name):
        return os.path.join(self.helpers, name)

    def env(self, **kw):
        e = {k: v for k, v in os.environ.items() if not k.startswith("BENCH_")}
        for k, v in kw.items():
            e["BENCH_" + k.upper()] = str(v)
        return e

    @staticmethod
    def reap_children(ready):
        """SIGKILL the children that reported ready in this directory (files
        named by their pid) and still run: a supervisor killed with SIGKILL
        leaves its child behind, reparented, for good."""
        try:
            names = [n for n in os.listdir(ready) if n.isdigit()]
        except OSError:
            return
        for n in names:
            try:
                with open(f"/proc/{n}/comm") as f:
                    if f.read().strip() != "bench-child":
                        continue
                os.kill(int(n), signal.SIGKILL)
            except (OSError, ValueError):
                pass

    def stop(self, p, ready):
        """SIGTERM to the supervisor (it stops its child), SIGKILL after 5 s,
        then any child left."""
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(10)
        self.reap_children(ready)

    def fresh(self, tag):
        d = tempfile.mkdtemp(prefix=tag + "-", dir=self.tmp)
        os.mkdir(os.path.join(d, "ready"))
        return d

    # ------------------------------------------------------------ forwarding

    forwards = 3000         # per peer, under perf stat
    strace_forwards = 500   # per peer, under strace -c

    def forwarding(self):
        cpu = str(max(os.sched_getaffinity(0)))
        out = {}
        for name, argv in self.peers:
            try:
                out[name] = self._forwarding_one(argv, cpu, self.forwards)
            except Exception as e:  # noqa: BLE001 (a profile never stops the bench)
                out[name] = {"error": f"{type(e).__name__}: {e}"}
            self.log(f"  profile forwarding {name}: {out[name]}")
        return out

    def _sig_supervisor(self, argv, cpu, tag):
        d = self.fresh(tag)
        fifo = os.path.join(d, "ts.fifo")
        os.mkfifo(fifo)
        env = self.env(mode="sig", fifo=fifo, ready_dir=os.path.join(d, "ready"))
        logf = open(os.path.join(d, "supervisor.log"), "wb")
        p = subprocess.Popen(["taskset", "-c", cpu] + argv + [self.helper("bench-child")],
                             env=env, stdin=subprocess.DEVNULL, stdout=logf, stderr=logf,
                             start_new_session=True)
        logf.close()
        deadline = time.monotonic() + 10
        while not os.listdir(os.path.join(d, "ready")):
            if time.monotonic() > deadline or p.poll() is not None:
                self.stop(p, os.path.join(d, "ready"))
                raise RuntimeError("child not ready")
            time.sleep(0.02)
        return p, fifo

    def _send(self, pid, fifo, cpu, n):
        r = subprocess.run(["taskset", "-c", cpu, self.helper("bench-sigsend"), str(pid), fifo,
                            str(n), "200", "1000"], capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise RuntimeError(r.stderr.strip())
        return len(r.stdout.split())

    def _forwarding_one(self, argv, cpu, n):
        p, fifo = self._sig_supervisor(argv, cpu, "fwd")
        d = os.path.dirname(fifo)
        perf = st = None
        try:
            # this peer's own files: a tracer that fails to write must not
            # leave the previous peer's numbers to be read
            statf = os.path.join(d, "fwd.stat")
            perf = subprocess.Popen(["perf", "stat", "-x,", "-o", statf, "-e",
                                     "task-clock,raw_syscalls:sys_enter,context-switches",
                                     "-p", str(p.pid)], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            time.sleep(0.3)
            got = self._send(p.pid, fifo, cpu, n)
            perf.send_signal(signal.SIGINT)
            perf.wait(30)
            vals = {}
            with open(statf) as f:
                for line in f:
                    parts = line.strip().split(",")
                    if len(parts) > 2 and parts[0] and parts[0][0].isdigit():
                        vals[parts[2]] = float(parts[0])
            if "raw_syscalls:sys_enter" not in vals:
                raise RuntimeError("perf stat counted no system call")
            # the system calls by name: strace -c over a second, shorter run
            tracef = os.path.join(d, "fwd.strace")
            st = subprocess.Popen(["strace", "-c", "-o", tracef, "-p", str(p.pid)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
            m = self._send(p.pid, fifo, cpu, self.strace_forwards)
            time.sleep(0.2)
            st.send_signal(signal.SIGINT)
            st.wait(30)
            calls = {}
            with open(tracef) as f:
                for line in f:
                    cols = line.split()
                    if len(cols) >= 5 and cols[0][0].isdigit() and cols[-1] != "total":
                        try:
                            calls[cols[-1]] = int(cols[3])
                        except ValueError:
                            pass
        finally:
            for tracer in (perf, st):
                if tracer and tracer.poll() is None:
                    tracer.kill()
                    tracer.wait(10)
            self.stop(p, os.path.join(d, "ready"))
        if not got:
            raise RuntimeError("no signal forwarded")
        clock = vals.get("task-clock") or vals.get("cpu-clock")
        return {
            "forwards": got,
            "cpu_us": (clock * 1000.0 / got) if clock else None,  # perf's task-clock is in ms
            "syscalls": vals.get("raw_syscalls:sys_enter", 0) / got,
            "switches": vals.get("context-switches", 0) / got,
            "strace_forwards": m,
            "calls": {k: round(v / m, 2) for k, v in sorted(calls.items(), key=lambda kv: -kv[1])
                      if m and v / m >= 0.05},
        }

    # ------------------------------------------------------- perf timelines

    def _record(self, events, cmd, env, tag):
        """perf record of cmd and its descendants (inherited events; not -a,
        where the tracepoints would also trace perf's own writes, millions a
        second, and lose events); returns (perf script lines, cmd's stdout)."""
        d = self.fresh(tag)
        data = os.path.join(d, "perf.data")
        out = os.path.join(d, "out.json")
        with open(out, "wb") as o, open(os.path.join(d, "err.log"), "wb") as e:
            subprocess.run(["perf", "record", "-q", "-k", "CLOCK_MONOTONIC", "-o", data,
                            "-e", ",".join(events), "--"] + cmd, env=env, stdout=o, stderr=e,
                           stdin=subprocess.DEVNULL, timeout=120)
        with open(out) as f:
            res = json.load(f)
        s = subprocess.run(["perf", "script", "-i", data, "-F", "pid,time,event,trace", "--ns"],
                           capture_output=True, text=True, timeout=120)
        return s.stdout.splitlines(), res, d

    @staticmethod
    def _parse(lines):
        """[(pid, t_ns, event, rest)]"""
        ev = []
        for line in lines:
            m = re.match(r"\s*(\d+)\s+(\d+)\.(\d+):\s+(\S+):\s*(.*)", line)
            if m:
                pid, sec, frac, name, rest = m.groups()
                t = int(sec) * 1000000000 + int(frac.ljust(9, "0")[:9])
                ev.append((int(pid), t, name, rest))
        return ev

    def _medians(self, what, one, keys):
        """one(argv) self.reps times per peer: the median of each key."""
        out = {}
        for name, argv in self.peers:
            runs, errors = [], []
            for _ in range(self.reps):
                try:
                    runs.append(one(argv))
                except Exception as e:  # noqa: BLE001
                    errors.append(f"{type(e).__name__}: {e}")
                    self.log(f"  profile {what} {name}: {e}")
            out[name] = {k: median([r[k] for r in runs]) for k in keys} if runs else \
                {"error": errors[0] if errors else "no run"}
            if runs:
                out[name]["runs"] = len(runs)
            self.log(f"  profile {what} {name}: {out[name]}")
        return out

    def startup(self):
        return self._medians("startup", self._startup_one,
                             ("to_clone_us", "clone_to_child_us", "syscalls", "faults"))

    def _startup_one(self, argv):
        d0 = self.fresh("st-env")
        ready = os.path.join(d0, "ready")
        env = self.env(mode="idle", ready_dir=ready)
        # SIGTERM, as scenario 1: the supervisor stops its child (SIGKILL would
        # leave the child running, reparented, after the profile)
        try:
            lines, res, _ = self._record(
                ["sched:sched_process_exec", "raw_syscalls:sys_enter",
                 "exceptions:page_fault_user"],
                [self.helper("bench-launch"), "--stamp", "--ready-dir", ready, "--signal", "15",
                 "--exit-timeout", "5000", "--"] + argv + [self.helper("bench-child")], env, "st")
        finally:
            self.reap_children(ready)
        pid = res["pid"]
        recs = [n for n in os.listdir(ready) if n.isdigit()]  # "PID T_MAIN T0", named PID
        if not recs:
            raise RuntimeError("the child never reported ready")
        with open(os.path.join(ready, recs[0])) as f:
            t_main = int(f.read().split()[1])
        t_exec = t_clone = None
        sc = pf = 0
        for p, t, name, rest in self._parse(lines):
            if p != pid:
                continue
            if name == "sched:sched_process_exec":
                t_exec = t
                continue
            if t_exec is None:
                continue
            if name == "exceptions:page_fault_user":
                pf += 1
            elif name == "raw_syscalls:sys_enter":
                nr = int(rest.split()[1])
                if nr in (56, 57, 58, 435):  # clone, fork, vfork, clone3 (x86-64)
                    t_clone = t
                    break
                sc += 1  # the system calls before the clone, the clone not counted
        if t_exec is None or t_clone is None:
            raise RuntimeError("no exec or clone seen")
        return {"to_clone_us": (t_clone - t_exec) / 1000.0,
                "clone_to_child_us": (t_main - t_clone) / 1000.0, "syscalls": sc, "faults": pf}

    def exit(self):
        return self._medians("exit", self._exit_one,
                             ("wake_us", "work_us", "syscalls", "teardown_us", "total_us"))

    def _exit_one(self, argv):
        d0 = self.fresh("ex-env")
        ready = os.path.join(d0, "ready")
        env = self.env(mode="term-delay", ready_dir=ready, out=os.path.join(d0, "exit.txt"),
                       delay_ms=50)
        try:
            lines, res, _ = self._record(
                ["sched:sched_process_exit", "raw_syscalls:sys_enter"],
                [self.helper("bench-launch"), "--ready-dir", ready, "--signal", "15",
                 "--signal-delay", "50", "--watch-child", "--exit-timeout", "5000", "--"] +
                argv + [self.helper("bench-child")], env, "ex")
        finally:
            self.reap_children(ready)  # none expected: the child exits after its SIGTERM
        pid, child = res["pid"], res["child_pid"]
        t_child = t_wake = t_exitgroup = t_dead = None
        sc = 0
        for p, t, name, rest in self._parse(lines):
            if name == "sched:sched_process_exit" and p == child:
                t_child = t
            elif t_child is None or p != pid:
                continue
            elif name == "raw_syscalls:sys_enter":
                nr = int(rest.split()[1])
                if t_wake is None:
                    t_wake = t
                sc += 1
                if nr == 231:  # exit_group
                    t_exitgroup = t
            elif name == "sched:sched_process_exit" and t_exitgroup:
                t_dead = t
        if None in (t_child, t_wake, t_exitgroup) or not res["t_exit"]:
            raise RuntimeError("incomplete timeline")
        return {"wake_us": (t_wake - t_child) / 1000.0,
                "work_us": (t_exitgroup - t_wake) / 1000.0, "syscalls": sc,
                "teardown_us": (res["t_exit"] - t_exitgroup) / 1000.0,
                "total_us": (res["t_exit"] - t_child) / 1000.0,
                "exit_seen": bool(t_dead)}

    # ----------------------------------------------------------- orphan storm

    def storm(self, orphans=10000):
        out = {}
        for name, argv in self.peers:
            try:
                out[name] = self._storm_one(argv, orphans)
            except Exception as e:  # noqa: BLE001
                out[name] = {"error": f"{type(e).__name__}: {e}"}
            self.log(f"  profile storm {name}: {out[name]}")
        return out

    def _storm_one(self, argv, orphans):
        d = self.fresh("storm")
        res = os.path.join(d, "orphans.json")
        data = os.path.join(d, "perf.data")
        env = self.env(orphans=orphans, out=res, timeout_ms=10000, ready_dir=os.path.join(d, "ready"))
        logf = open(os.path.join(d, "supervisor.log"), "wb")
        p = subprocess.Popen(["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"] + argv +
                             [self.helper("bench-orphans")], env=env, stdin=subprocess.DEVNULL,
                             stdout=logf, stderr=logf, start_new_session=True)
        logf.close()
        perf = None
        try:
            deadline = time.monotonic() + 5
            init = None
            while init is None and time.monotonic() < deadline:
                try:
                    with open(f"/proc/{p.pid}/task/{p.pid}/children") as f:
                        kids = f.read().split()
                    init = int(kids[0]) if kids else None
                except OSError:
                    pass
                time.sleep(0.01)
            if init is None:
                raise RuntimeError("no PID 1 in the namespace")
            perf = subprocess.Popen(["perf", "record", "-q", "-g", "-F", "4999", "-o", data, "-p",
                                     str(init)], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 40
            while not os.path.exists(res) and time.monotonic() < deadline:
                time.sleep(0.05)
            if not os.path.exists(res):
                raise RuntimeError("no result from bench-orphans")
            time.sleep(0.2)
            perf.send_signal(signal.SIGINT)
            perf.wait(60)
        finally:
            if perf and perf.poll() is None:
                perf.kill()
                perf.wait(10)
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass
            p.wait(30)
        r = subprocess.run(["perf", "report", "-i", data, "--pid", str(init), "--no-children",
                            "--stdio", "-g", "none", "-n",
                            "--sort", "dso,sym", "--percent-limit", "0"],
                           capture_output=True, text=True, timeout=120)
        by = collections.Counter()
        top = collections.Counter()
        samples = 0  # summed from -n's column: the header rounds to "4K"
        sampled_ms = None
        for line in r.stdout.splitlines():
            m = re.match(r"# Event count \(approx\.\): (\d+)", line)  # cpu-clock: ns
            if m:
                sampled_ms = int(m.group(1)) / 1e6
                continue
            m = re.match(r"\s+([\d.]+)%\s+(\d+)\s+(\S+)\s+\[([k.])\]\s+(\S+)", line)
            if not m:
                continue
            samples += int(m.group(2))
            pct, dso, kind, sym = float(m.group(1)), m.group(3), m.group(4), m.group(5)
            if kind == "k":
                by["kernel"] += pct
                top[sym] += pct
            elif "libc" in dso:
                by["libc"] += pct
            elif "ld-linux" in dso:
                by["loader"] += pct
            else:
                by["own"] += pct
        if not by:
            raise RuntimeError("perf report found no sample of PID 1")
        with open(res) as f:
            storm = json.load(f)
        return {"samples": samples, "sampled_ms": sampled_ms, "orphans": storm.get("orphans"),
                "pid1_cpu_ms": storm.get("pid1_cpu_ms"),
                "share": {k: round(v, 1) for k, v in by.items()},
                "top_kernel": [(s, round(v, 1)) for s, v in top.most_common(4)]}


# --------------------------------------------------------------- link map

# (kind, test on the output section's name), first match wins; else "data"
SECTION_KINDS = (("text", lambda n: n.startswith(".text")),
                 ("rodata", lambda n: n.startswith(".rodata")),
                 ("eh", lambda n: "eh_frame" in n or "gcc_except" in n),
                 ("bss", lambda n: "bss" in n))
# (origin, part of the input file's path), first match wins; else "other"
ORIGINS = (("glibc", "libc.a"), ("libev", "libev"), ("jansson", "jansson"), ("inih", "inih"),
           ("libgcc", "libgcc"), ("drainit", "drainit"))


def composition(map_path):
    """Bytes of a static executable by origin, from its GNU ld map file:
    {origin: {"text":, "rodata":, "data":, "eh":, "bss":}}."""
    sz = collections.defaultdict(collections.Counter)
    started = False
    pending = None
    with open(map_path, errors="replace") as f:
        for line in f:
            if line.startswith("Linker script and memory map"):
                started = True
                continue
            if not started:
                continue
            m = re.match(r"^ (\.\S+)\s*$", line)
            if m:
                pending = m.group(1)
                continue
            m = re.match(r"^ (\.\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)", line)
            if m:
                name, addr, size, src = m.groups()
            else:
                m2 = re.match(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)", line)
                if not (pending and m2):
                    pending = None
                    continue
                name = pending
                addr, size, src = m2.groups()
            pending = None
            size = int(size, 16)
            if int(addr, 16) == 0 or size == 0 or \
                    name.startswith((".debug", ".comment", ".note", ".gnu.warning", ".stab")):
                continue
            kind = next((k for k, test in SECTION_KINDS if test(name)), "data")
            origin = next((o for o, part in ORIGINS if part in src), "other")
            sz[origin][kind] += size
    return {k: dict(v) for k, v in sz.items()}


def run_all(helpers, peers, log, static_map=None, reps=5):
    """Every profile; never raises: a profile that fails is {"error": ...}."""
    res = {"reps": reps, "forwards": Profiler.forwards,
           "strace_forwards": Profiler.strace_forwards}
    if static_map:
        try:
            res["composition"] = composition(static_map) if os.path.exists(static_map) else \
                {"skipped": f"no link map {static_map}"}
        except Exception as e:  # noqa: BLE001
            res["composition"] = {"error": f"{type(e).__name__}: {e}"}
    try:
        ok = perf_ok()
    except Exception:  # noqa: BLE001
        ok = False
    if not ok:
        res["skipped"] = "perf cannot read tracepoints here (needs perf and root)"
        return res
    pr = Profiler(helpers, peers, log, reps)
    try:
        for key in ("forwarding", "startup", "exit", "storm"):
            log(f"profile: {key}")
            t = time.monotonic()
            try:
                res[key] = getattr(pr, key)()
            except Exception as e:  # noqa: BLE001
                res[key] = {"error": f"{type(e).__name__}: {e}"}
            res.setdefault("seconds", {})[key] = round(time.monotonic() - t, 1)
    finally:
        shutil.rmtree(pr.tmp, ignore_errors=True)
    return res


# ---------------------------------------------------------------- report

def _f(v, dec=0):
    if v is None:
        return "—"
    return f"{v:,.{dec}f}"


def _rows(section, ncols, row):
    """Table rows of one profile section: row(name, r) per peer, or the
    section's error, or a peer's error, as "error: ..." (never raises)."""
    if isinstance(section, dict) and isinstance(section.get("error"), str):
        return None, f"error: {section['error']}"
    if not isinstance(section, dict):
        return None, f"error: unexpected {section!r}"
    out = []
    for name, r in section.items():
        if not isinstance(r, dict):
            out.append(f"| {name} | error: {r!r} |" + " |" * (ncols - 1))
        elif "error" in r:
            out.append(f"| {name} | error: {r['error']} |" + " |" * (ncols - 1))
        else:
            try:
                out.append(row(name, r))
            except Exception as e:  # noqa: BLE001
                out.append(f"| {name} | error: cannot render {type(e).__name__}: {e} |" +
                           " |" * (ncols - 1))
    return out, None


def _table(out, head, section, ncols, row):
    rows, err = _rows(section, ncols, row)
    if err:
        out += [err, ""]
        return
    out += head + rows + [""]


def render(prof, note=None):
    """Markdown for RESULTS.md: the section "Profiles", last of the file.
    note: a line under the title (bench.py says when the profiles were taken
    apart from the scenarios). Never raises."""
    if not prof:
        return ""
    out = ["## Profiles: where the time goes", ""]
    if note:
        out += [note, ""]
    if not isinstance(prof, dict):
        return "\n".join(out + [f"error: {prof!r}", ""]) + "\n"
    if prof.get("error"):
        out += [f"error: {prof['error']}", ""]
        if not any(k in prof for k in ("forwarding", "startup", "exit", "storm",
                                       "composition", "skipped")):
            return "\n".join(out) + "\n"
    reps = prof.get("reps", 5)
    out += ["Taken by `bench/profile.py` after the scenarios, on the same drainit and peers "
            f"(P2 and P3: medians of {reps} runs per peer). perf's tracepoints are stamped "
            "on CLOCK_MONOTONIC, so they line up with the helpers' own clock reads. P2 and P3 "
            "run under `perf record` (bench-launch and its descendants, every system call "
            "traced): their times are longer than the scenarios' and only compare the rows "
            "with one another; the counts (system calls, faults) are exact. They explain the rows "
            "drainit does not lead; the tables above are the measurements.", ""]
    if prof.get("skipped"):
        out += [f"Not taken: {prof['skipped']}.", ""]
    fw = prof.get("forwarding")
    if fw:
        out += ["### P1. Forwarding, one CPU: the supervisor's cost per forwarded SIGUSR1", ""]
        _table(out, [f"Supervisor, child and bench-sigsend on one CPU (as scenario 4's one-CPU "
                     f"rows), a signal 200 µs after the previous one arrived; perf stat on the "
                     f"supervisor alone over {prof.get('forwards', 3000):,} forwards; its "
                     f"system calls named by strace -c over "
                     f"{prof.get('strace_forwards', 500):,} more (per forward).", "",
                     "| Peer | CPU per forward (µs) | system calls per forward | context "
                     "switches per forward | system calls |", "|---|---|---|---|---|"],
               fw, 4, lambda name, r:
               f"| {name} | {_f(r.get('cpu_us'), 2)} | {_f(r.get('syscalls'), 1)} | "
               f"{_f(r.get('switches'), 2)} | "
               f"{', '.join(f'{k} {v:g}' for k, v in r.get('calls', {}).items())} |")
    st = prof.get("startup")
    if st:
        out += ["### P2. Start-up: exec of the supervisor -> clone of the child -> the "
                "child's main()", ""]
        _table(out, ["Scenario 1's start-up under perf record: from the supervisor's "
                     "sched_process_exec to its clone() of the child (system calls and user "
                     "page faults of the supervisor in between, the clone not counted), then to "
                     "the clock read first thing in the child's main() (the child's exec of "
                     "bench-child included).", "",
                     "| Peer | exec -> clone (µs) | clone -> child's main() (µs) | system calls "
                     "before the clone | user page faults before the clone |",
                     "|---|---|---|---|---|"],
               st, 4, lambda name, r:
               f"| {name} | {_f(r.get('to_clone_us'))} | {_f(r.get('clone_to_child_us'))} | "
               f"{_f(r.get('syscalls'))} | {_f(r.get('faults'))} |")
    ex = prof.get("exit")
    if ex:
        out += ["### P3. Exit: the child's exit -> the supervisor gone", ""]
        _table(out, ["SIGTERM path of scenario 6 (the child exits 50 ms after its SIGTERM), "
                     "under perf record. *wake-up*: the child's sched_process_exit (its "
                     "memory already released; its files, SIGCHLD and the rest of its exit "
                     "still to come) -> the supervisor's first system call after it; *own "
                     "work*: -> its exit_group(); *teardown*: exit_group() -> bench-launch's "
                     "pidfd poll() returns (the kernel tears the process down and wakes the "
                     "parent).", "",
                     "| Peer | wake-up (µs) | own work (µs) | system calls in it (exit_group "
                     "included) | teardown (µs) | total (µs) |", "|---|---|---|---|---|---|"],
               ex, 5, lambda name, r:
               f"| {name} | {_f(r.get('wake_us'))} | {_f(r.get('work_us'))} | "
               f"{_f(r.get('syscalls'))} | {_f(r.get('teardown_us'))} | "
               f"{_f(r.get('total_us'))} |")
    sm = prof.get("storm")
    if sm:
        out += ["### P4. Orphan storm: where PID 1's samples fall", ""]

        def storm_row(name, r):
            s = r.get("share", {})
            tops = ", ".join(f"{k} {v:g}" for k, v in r.get("top_kernel", []))
            return (f"| {name} | {_f(r.get('samples'))} | {_f(r.get('sampled_ms'), 1)} | "
                    f"{_f(r.get('pid1_cpu_ms'), 1)} | {_f(s.get('kernel'), 1)} | "
                    f"{_f(s.get('libc'), 1)} | {_f(s.get('own'), 1)} | "
                    f"{_f(s.get('loader'), 1)} | {tops} |")
        _table(out, ["perf record -g -F 4999 on PID 1 of the namespace (only its samples) "
                     "during one 10 000-orphan storm (scenario 5): *sampled CPU* is perf's "
                     "cpu-clock total of those samples, *PID 1 CPU* bench-orphans' own "
                     "schedstat figure for the same storm (scenario 5's column), which it "
                     "should about match. A static PID 1's libc is part of its own code. One "
                     "storm per peer: scenario 5 shows how much a storm's cost varies.", "",
                     "| Peer | samples | sampled CPU (ms) | PID 1 CPU (ms) | kernel (%) | "
                     "libc (%) | its own code (%) | loader (%) | kernel functions on top (%) |",
                     "|---|---|---|---|---|---|---|---|---|"],
               sm, 8, storm_row)
    comp = prof.get("composition")
    if comp:
        out += ["### P5. The static drainit, by origin of its bytes", ""]

        def kib(v, k):
            return _f(v.get(k, 0) / 1024)
        if isinstance(comp.get("error"), str):
            out += [f"error: {comp['error']}", ""]
        elif isinstance(comp.get("skipped"), str):
            out += [f"Not taken: {comp['skipped']}.", ""]
        else:
            out += ["From the link map of the static drainit (`-Wl,-Map`, written by meson "
                    "beside it). File-backed bytes are what its RSS is made of (the kernel "
                    "maps a file's pages around each fault, so an executable's resident part "
                    "is close to its size); bss is zeroed memory, resident only where "
                    "written.", "",
                    "| Origin | text (KiB) | rodata (KiB) | data (KiB) | unwind tables (KiB) | "
                    "file-backed in all (KiB) | bss (KiB) |", "|---|---|---|---|---|---|---|"]
            try:
                items = sorted(comp.items(),
                               key=lambda kv: -sum(x for k, x in kv[1].items() if k != "bss"))
                for origin, v in items:
                    fb = sum(x for k, x in v.items() if k != "bss")
                    out.append(f"| {origin} | {kib(v, 'text')} | {kib(v, 'rodata')} | "
                               f"{kib(v, 'data')} | {kib(v, 'eh')} | {_f(fb / 1024)} | "
                               f"{kib(v, 'bss')} |")
            except Exception as e:  # noqa: BLE001
                out.append(f"error: cannot render {type(e).__name__}: {e}")
            out.append("")
    return "\n".join(out) + "\n"


def default_peers(drainit, drainit_static=None):
    """The supervisors profiled: drainit (and its static build) and the
    installed peers that forward signals."""
    peers = [("drainit", [drainit, "--"])]
    if drainit_static:
        peers.append(("drainit (static)", [drainit_static, "--"]))
    for name, exe, args in (("tini", "tini", ["-s", "--"]), ("dumb-init", "dumb-init", []),
                            ("catatonit", "catatonit", ["--"])):
        path = shutil.which(exe)
        if path:
            peers.append((name, [path] + args))
    return peers


def main():
    import argparse
    import sys
    ap = argparse.ArgumentParser(description="Take bench/RESULTS.md's profiles on their own; "
                                 "prints their Markdown.")
    ap.add_argument("--drainit", required=True)
    ap.add_argument("--drainit-static")
    ap.add_argument("--helpers", required=True)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--only", help="comma-separated: forwarding,startup,exit,storm")
    args = ap.parse_args()

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    peers = default_peers(os.path.abspath(args.drainit),
                          os.path.abspath(args.drainit_static) if args.drainit_static else None)
    smap = args.drainit_static + ".map" if args.drainit_static else None
    if args.only:
        res = {}
        pr = Profiler(os.path.abspath(args.helpers), peers, log, args.reps)
        for key in args.only.split(","):
            res[key] = getattr(pr, key)()
        shutil.rmtree(pr.tmp, ignore_errors=True)
    else:
        res = run_all(os.path.abspath(args.helpers), peers, log, smap, args.reps)
    print(render(res))


if __name__ == "__main__":
    main()
