"""Claim: drainit ctl operates a running drainit (PID 1) through its control socket:
status, start/stop/restart (a stopped service stays stopped), signal, reload SVC (only
that service gets its reload_signal), ready/wait-ready (3 when not ready), prestop (returns
when prestop ends), shutdown [--force]; only root or drainit's own uid are served; bad and
oversized requests get an error answer and leave drainit serving; 100 concurrent status
calls during a shutdown are all answered; the socket file is 0600, a stale one is replaced,
it is removed at exit; an idle drainit with the socket still never wakes up."""
import json
import os
import resource
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time

from harness import DRAINIT, TSVC, Drainit, check, run, script
from probeutil import wait_until

NOBODY = 65534


def svc(name, extra=""):
    return f"[service:{name}]\ncommand = {TSVC} --name {name} --report --term-delay 0\n{extra}\n"


def status(d, *names):
    r = d.ctl("--json", "status", *names)
    check(r.returncode == 0, f"status: rc {r.returncode}: {r.stderr}", d)
    return {s["name"]: s for s in json.loads(r.stdout)["services"]}


def raw(d, data, shut=True):
    """Sends data as is; the answer line, parsed."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(d.sock)
    s.sendall(data)
    if shut:
        s.shutdown(socket.SHUT_WR)
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    s.close()
    return json.loads(buf)


def status_table_and_json():
    ini = "[drainit]\nmain = web\n" + svc("web") + svc("db")
    with Drainit(ini=ini) as d:
        d.wait_socket()
        d.wait_for(r"db: ready", stream="out")
        r = d.ctl("status")
        check(r.returncode == 0, f"status rc {r.returncode}: {r.stderr}", d)
        lines = r.stdout.splitlines()
        check(lines[0] == "drainit: stage running, ready", f"header: {lines[0]!r}", d)
        check(lines[1].split()[:5] == ["NAME", "STATE", "PID", "UPTIME", "RESTARTS"],
              f"table head: {lines[1]!r}", d)
        check(any(l.split()[:2] == ["web", "running"] for l in lines), r.stdout, d)
        st = status(d, "db")
        check(list(st) == ["db"] and st["db"]["state"] == "running" and st["db"]["pid"] > 0,
              f"status db: {st}", d)
        r = d.ctl("status", "nope")
        check(r.returncode == 1 and "unknown service 'nope'" in r.stderr, f"{r}", d)
        check(r.stderr.count("\n") == 1, f"one line on stderr: {r.stderr!r}", d)
        mode = stat.S_IMODE(os.stat(d.sock).st_mode)
        check(mode == 0o600, f"socket mode {oct(mode)}", d)
        d.stop(0)
        check(not os.path.exists(d.sock), "the socket file was left behind", d)


def stop_holds_start_restart():
    ini = "[drainit]\nmain = web\n" + svc("web", "restart = always") + svc("db", "restart = always")
    with Drainit(ini=ini) as d:
        d.wait_socket()
        d.wait_for(r"db: ready", stream="out")
        before = status(d)
        # stop the main service: it stays stopped, restart = always does not apply,
        # and drainit keeps running
        r = d.ctl("stop", "web")
        check(r.returncode == 0 and r.stdout.startswith("web: exited"), f"stop: {r}", d)
        time.sleep(0.5)
        st = status(d)
        check(st["web"]["state"] == "exited" and st["web"]["stopped"], f"after stop: {st['web']}", d)
        check(st["db"]["pid"] == before["db"]["pid"], "db was touched by stop web", d)
        check(d.proc.poll() is None, "drainit ended when its main service was stopped", d)
        r = d.ctl("signal", "web", "USR1")
        check(r.returncode == 1 and "not running" in r.stderr, f"signal to a stopped one: {r}", d)
        r = d.ctl("start", "web")
        check(r.returncode == 0 and "started" in r.stdout, f"start: {r}", d)
        st = status(d)
        check(st["web"]["state"] in ("starting", "running") and not st["web"]["stopped"]
              and st["web"]["pid"] != before["web"]["pid"], f"after start: {st['web']}", d)
        r = d.ctl("start", "web")
        check(r.returncode == 0 and "already running" in r.stdout, f"start again: {r}", d)
        old = st["db"]["pid"]
        r = d.ctl("restart", "db")
        check(r.returncode == 0 and r.stdout.startswith("db: "), f"restart: {r}", d)
        st = status(d)
        check(st["db"]["pid"] not in (None, old) and st["db"]["restarts"] == 1,
              f"restart kept pid {old}: {st['db']}", d)
        d.wait_for(r"service db: starting again \(drainit ctl restart\)")
        r = d.ctl("stop", "nope", "db")
        check(r.returncode == 1 and "unknown service 'nope'" in r.stderr, f"{r}", d)
        check(status(d)["db"]["state"] == "running", "a request naming an unknown service acted", d)
        d.stop(0)


def stop_runs_the_services_drain_hooks_first():
    ini = svc("web", f"drain = /bin/sh -c 'echo drained > @DIR@/drained; sleep 0.3'") + svc("db")
    with Drainit(ini=ini) as d:
        d.wait_socket()
        d.wait_for(r"web: ready", stream="out")
        r = d.ctl("stop", "web")
        check(r.returncode == 0, f"stop: {r}", d)
        check(os.path.exists(os.path.join(d.dir, "drained")), "the drain hook did not run", d)
        d.assert_order(r"service web \(pid \d+\): stopping \(drainit ctl stop\): 1 drain hook first",
                       r"drain hook web#1 \(pid \d+\): done",
                       r"service web \(pid \d+\): stopping \(drainit ctl stop\): sending SIGTERM")
        d.stop(0)


def a_drain_hook_that_outlives_its_run_stops_nothing_later():
    """ctl restart runs web's drain hook (1 s) first; web exits by itself meanwhile and is
    started again. When the hook ends, the new run is left alone: the stop it was for is
    over."""
    body = (f"if [ -e {{d}}/ran ]; then exec {TSVC} --name web --term-delay 0; fi\n"
            f"touch {{d}}/ran; exec {TSVC} --name web --exit-after 400")
    ini_t = svc("keep") + "[service:web]\ncommand = {cmd}\nrestart = no\ndrain = /bin/sleep 1\n"
    work = tempfile.mkdtemp(prefix="drainit-it-drain-")
    try:
        ini = ini_t.replace("{cmd}", script(body.replace("{d}", work)))
        with Drainit(ini=ini) as d:
            d.wait_socket()
            d.wait_for(r"web: ready", stream="out")
            r = d.ctl("restart", "web")
            check(r.returncode == 0, f"restart: {r.stdout} {r.stderr}", d)
            d.wait_for(r"service web: starting again \(drainit ctl restart\)")
            d.wait_for(r"drain hook web#1 \(pid \d+\): done", timeout=5)
            time.sleep(0.3)
            n = d.index(r"drain hook web#1 \(pid \d+\): done")
            later = d.lines()[n:]
            check(not any("service web" in l and "stopping" in l for l in later),
                  f"the hook's end stopped the new run: {later}", d)
            check(status(d, "web")["web"]["state"] == "running", "web is not running", d)
            d.stop(0)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def half_closed_requests_get_their_answer_and_waiters_leave_room():
    """A client that shuts its sending side after the request (as scripts do) still gets
    the answer of a stop, which comes only once the service has stopped. wait-ready
    requests that may wait for ever are capped, so commands are still served."""
    ini = svc("web") + svc("never", "ready = exec:false\nready_interval = 1s")
    with Drainit(ini=ini) as d:
        d.wait_socket()
        d.wait_for(r"web: ready", stream="out")
        a = raw(d, b'{"v":1,"cmd":"stop","services":["web"]}\n', shut=True)
        check(a.get("ok") is True and a["services"][0]["state"] == "exited",
              f"half-closed stop: {a}", d)
        held = []
        try:
            for _ in range(4):
                c = socket.socket(socket.AF_UNIX)
                c.connect(d.sock)
                c.sendall(b'{"v":1,"cmd":"wait-ready","services":["never"]}\n')
                held.append(c)
            time.sleep(0.3)
            a = raw(d, b'{"v":1,"cmd":"wait-ready","services":["never"]}\n')
            check(a.get("ok") is False and "too many wait-ready requests waiting" in a.get("error", ""),
                  f"a fifth wait-ready: {a}", d)
            r = d.ctl("status")
            check(r.returncode == 0, f"status while 4 wait: {r.stderr}", d)
        finally:
            for c in held:
                c.close()
        # half-closed, then gone (socat's way): their slots come free again
        for _ in range(4):
            c = socket.socket(socket.AF_UNIX)
            c.connect(d.sock)
            c.sendall(b'{"v":1,"cmd":"wait-ready","services":["never"]}\n')
            c.shutdown(socket.SHUT_WR)
            time.sleep(0.1)
            c.close()
        deadline = time.monotonic() + 5
        while True:
            a = raw(d, b'{"v":1,"cmd":"wait-ready","services":["never"],"timeout_ms":10}\n')
            if a.get("ok") is True:
                break
            check(time.monotonic() < deadline, f"the slots of the clients that left: {a}", d)
            time.sleep(0.2)
        d.stop(0)


def signal_and_reload_reach_one_service():
    ini = svc("web", "reload_signal = SIGHUP") + svc("db", "reload_signal = USR2") + svc("plain")
    with Drainit(ini=ini) as d:
        d.wait_socket()
        for name in ("web", "db", "plain"):	# each has its handlers set up
            d.wait_for(rf"{name}: ready", stream="out")
        r = d.ctl("reload", "web")
        check(r.returncode == 0 and "sent SIGHUP to service web" in r.stdout, f"reload: {r}", d)
        d.wait_for(r"web: got HUP", stream="out")
        r = d.ctl("signal", "db", "SIGUSR1")
        check(r.returncode == 0, f"signal: {r}", d)
        d.wait_for(r"db: got USR1", stream="out")
        r = d.ctl("reload", "plain")
        check(r.returncode == 1 and "no reload_signal" in r.stderr, f"reload without key: {r}", d)
        time.sleep(0.3)
        out = d.out()
        check("db: got HUP" not in out and "plain: got HUP" not in out,
              f"reload web reached others:\n{out}", d)
        r = d.ctl("signal", "db", "NOPE")
        check(r.returncode == 64, f"bad signal: {r}", d)
        d.stop(0)


def ready_and_wait_ready():
    ini = svc("web") + svc("never", "ready = exec:false\nready_interval = 100ms")
    with Drainit(ini=ini) as d:
        d.wait_socket()
        d.wait_for(r"web: ready", stream="out")
        r = d.ctl("ready")
        check(r.returncode == 3 and "never (" in r.stdout, f"ready: {r}", d)
        r = d.ctl("ready", "web")
        check(r.returncode == 0 and r.stdout == "ready\n", f"ready web: {r}", d)
        t0 = time.monotonic()
        r = d.ctl("wait-ready", "--timeout", "700ms", "never")
        took = time.monotonic() - t0
        check(r.returncode == 3 and "timed out" in r.stdout, f"wait-ready never: {r}", d)
        check(took >= 0.6, f"wait-ready returned after {took:.2f}s, before its timeout", d)
        r = d.ctl("wait-ready", "--timeout", "5s", "web")
        check(r.returncode == 0, f"wait-ready web: {r}", d)
        r = d.ctl("wait-ready", "--timeout", "bad")
        check(r.returncode == 64 and r.stderr.count("\n") == 1, f"usage: {r}", d)
        r = d.ctl("wait-ready", "--timeout", "25h", "web")
        check(r.returncode == 64 and "--timeout: '25h' is more than 24h" in r.stderr, f"25h: {r}", d)
        r = d.ctl("-s", d.sock, "wait-ready", "--timeout", "24h", "web")
        check(r.returncode == 0, f"24h: {r}", d)
        d.stop(0)


def wait_ready_returns_once_ready():
    ini = svc("slow", "ready = exec:test -e @DIR@/go\nready_interval = 100ms")
    with Drainit(ini=ini) as d:
        d.wait_socket()
        p = subprocess.Popen([DRAINIT, "ctl", "--socket", d.sock, "wait-ready"],
                             stdout=subprocess.PIPE, text=True)
        time.sleep(0.5)
        check(p.poll() is None, "wait-ready returned before the service was ready", d)
        open(os.path.join(d.dir, "go"), "w").close()
        out, _ = p.communicate(timeout=10)
        check(p.returncode == 0 and out == "ready\n", f"wait-ready: {p.returncode} {out!r}", d)
        d.stop(0)


def prestop_returns_when_prestop_ends():
    ini = "[drainit]\nprestop_delay = 1s\n" + svc("web")
    with Drainit(ini=ini) as d:
        d.wait_socket()
        d.wait_for(r"web: ready", stream="out")
        t0 = time.monotonic()
        r = d.ctl("prestop")
        took = time.monotonic() - t0
        check(r.returncode == 0 and "prestop over (stage stopping)" in r.stdout, f"prestop: {r}", d)
        check(took >= 0.9, f"prestop returned after {took:.2f}s, before prestop_delay 1s", d)
        d.expect_rc(0)
        d.assert_order(r"shutdown: stage unready \(drainit ctl prestop\)",
                       r"shutdown: stage prestop", r"shutdown: stage stopping")


def shutdown_and_force():
    with Drainit(ini="[drainit]\nprestop_delay = 30s\n" + svc("web")) as d:
        d.wait_socket()
        d.wait_for(r"web: ready", stream="out")
        r = d.ctl("shutdown")
        check(r.returncode == 0 and "shutdown begun (stage prestop)" in r.stdout, f"{r}", d)
        r = d.ctl("shutdown", "--force")
        check(r.returncode == 0 and "shutdown forced: SIGKILL to everything left" in r.stdout, f"{r}", d)
        d.expect_rc(137)
        d.wait_for(r"stage killing \(drainit ctl shutdown --force")
        r = d.ctl("status")
        check(r.returncode == 69, f"status after exit: {r}", d)


def non_root_is_refused():
    # What nobody runs must be readable by nobody: the build tree may be under 0700.
    pub = tempfile.mkdtemp(prefix="drainit-ctl-pub-")
    os.chmod(pub, 0o755)
    exe = os.path.join(pub, "drainit")
    shutil.copy(DRAINIT, exe)
    os.chmod(exe, 0o755)
    sock = os.path.join(pub, "ctl.sock")
    try:
        with Drainit(["--control", sock], ini=svc("web"), control=False) as d:
            d.sock = sock
            d.wait_socket()
            # the socket is 0600: nobody cannot even connect
            r = d.ctl("status", user=NOBODY, exe=exe)
            check(r.returncode == 1 and "Permission denied (the control socket is for root" in r.stderr,
                  f"0600: {r}", d)
            # with the file opened up, SO_PEERCRED still refuses
            os.chmod(sock, 0o666)
            r = d.ctl("status", user=NOBODY, exe=exe)
            check(r.returncode == 1 and "permission denied" in r.stderr, f"peercred: {r}", d)
            d.wait_for(r"control socket: refused a client \(uid 65534, pid \d+\): only root may use it")
            r = d.ctl("stop", "web", user=NOBODY, exe=exe)
            check(r.returncode == 1, f"stop as nobody: {r}", d)
            # negative control: root, same binary, same socket
            r = d.ctl("status", exe=exe)
            check(r.returncode == 0 and "web" in r.stdout, f"root: {r}", d)
            check(status(d)["web"]["state"] == "running", "nobody stopped web", d)
            d.stop(0)
    finally:
        shutil.rmtree(pub, ignore_errors=True)


def bad_requests_leave_it_serving():
    with Drainit(ini=svc("web")) as d:
        d.wait_socket()
        d.wait_for(r"web: ready", stream="out")
        cases = [
            (b"garbage\n", "not a JSON request"),
            (b"\xff\xfe\n", "not a JSON request"),
            (b"[1,2]\n", "must be a JSON object"),
            (b'{"v":2,"cmd":"status"}\n', "unsupported protocol version 2"),
            (b'{"cmd":"status"}\n', "missing \"v\""),
            (b'{"v":1,"cmd":"dance"}\n', "unknown command"),
            (b'{"v":1,"cmd":"status","bogus":1}\n', "unknown field"),
            (b'{"v":1,"cmd":"stop"}\n', "at least one service"),
            (b'{"v":1,"cmd":"status","services":"web"}\n', "array"),
            (b'{"v":1,"cmd":"signal","services":["web"],"signal":"NOPE"}\n', "not a signal"),
            (b'{"v":1,"cmd":"status","v":1}\n', "not a JSON request"),
            (b"x" * 10000, "request too long"),
            (b"{" * 3000 + b"\n", "not a JSON request"),
        ]
        for data, want in cases:
            a = raw(d, data)
            check(a.get("v") == 1 and a.get("ok") is False and want in a.get("error", ""),
                  f"{data[:40]!r}: {a}", d)
        # no newline: the end of the connection ends the request
        a = raw(d, b'{"v":1,"cmd":"status"}')
        check(a["ok"] is True and a["services"][0]["name"] == "web", f"EOF-terminated: {a}", d)
        # a client that sends nothing does not block the others
        idle = socket.socket(socket.AF_UNIX)
        idle.connect(d.sock)
        r = d.ctl("status")
        check(r.returncode == 0, f"status beside an idle client: {r}", d)
        idle.close()
        check(d.proc.poll() is None, "drainit died", d)
        check(status(d)["web"]["state"] == "running", "web disturbed", d)
        d.stop(0)


def hundred_status_calls_during_shutdown():
    with Drainit(ini="[drainit]\nprestop_delay = 3s\n" + svc("web") + svc("db")) as d:
        d.wait_socket()
        d.wait_for(r"db: ready", stream="out")
        d.signal(signal.SIGTERM)
        d.wait_for(r"shutdown: stage prestop")
        ps = [subprocess.Popen([DRAINIT, "ctl", "--socket", d.sock, "--json", "status"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for _ in range(100)]
        stages = set()
        for p in ps:
            out, err = p.communicate(timeout=30)
            check(p.returncode == 0, f"a status call failed: {p.returncode} {err}", d)
            a = json.loads(out)
            check(a["ok"] and len(a["services"]) == 2, f"answer: {a}", d)
            stages.add(a["stage"])
        check(stages <= {"prestop", "stopping"}, f"stages {stages}", d)
        d.expect_rc(0)


def socket_file_rules():
    # a stale socket (nobody listens on it) is replaced
    tmp = tempfile.mkdtemp(prefix="drainit-ctl-")
    try:
        stale = os.path.join(tmp, "stale.sock")
        s = socket.socket(socket.AF_UNIX)
        s.bind(stale)
        s.close()
        with Drainit(["--control", stale], ini=svc("web"), control=False) as d:
            d.sock = stale
            d.wait_socket()
            d.wait_for(r"replaced a stale socket file")
            check(d.ctl("status").returncode == 0, "status on the replaced socket", d)
            # a second drainit on the same socket refuses to start: someone answers there
            with Drainit(["--control", stale], ini=svc("x"), control=False) as d2:
                d2.expect_rc(71)
                d2.wait_for(r"another process answers on it")
                check("service x" not in d2.log().replace("[service:x]", ""),
                      "the second drainit started something", d2)
            check(d.ctl("status").returncode == 0, "the first one lost its socket", d)
            d.stop(0)
        # not a socket: refused, never removed
        plain = os.path.join(tmp, "plain")
        with open(plain, "w") as f:
            f.write("keep me")
        with Drainit(["--control", plain], ini=svc("web"), control=False) as d:
            d.expect_rc(71)
            d.wait_for(r"control socket .*/plain: cannot listen: it exists and is not a socket")
        check(open(plain).read() == "keep me", "drainit touched a file that is not a socket")
        with Drainit(["--control", "relative.sock"], ini=svc("web"), control=False) as d:
            d.expect_rc(64)
        with Drainit(ini="[drainit]\ncontrol_socket = none\n" + svc("web"), control=False) as d:
            d.wait_for(r"web: ready", stream="out")
            check("control socket" not in d.log(), "control_socket = none still listens", d)
            d.stop(0)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def no_drainit_and_usage():
    r = subprocess.run([DRAINIT, "ctl", "--socket", "/nonexistent/x.sock", "status"],
                       capture_output=True, text=True, timeout=10)
    check(r.returncode == 69 and r.stderr.startswith("drainit ctl: cannot connect"), f"{r}")
    for args in (["ctl"], ["ctl", "dance"], ["ctl", "--bogus", "status"], ["ctl", "stop"],
                 ["ctl", "signal", "web"]):
        r = subprocess.run([DRAINIT] + args, capture_output=True, text=True, timeout=10)
        check(r.returncode == 64 and r.stderr.count("\n") == 1, f"{args}: {r}")


def logs_tail_and_follow():
    # chatty prints a numbered line every 100ms; small keeps only 64 bytes
    chatty = (f"[service:chatty]\ncommand = /bin/sh -c 'i=0; while :; do i=$((i+1)); "
              f"echo line $i; sleep 0.1; done'\n")
    small = ("[service:small]\ncommand = /bin/sh -c 'for i in $(seq 1 50); do echo small line $i; "
             "done; exec sleep 1000'\nlog_buffer = 64\n")
    off = "[service:off]\ncommand = /bin/sh -c 'echo hidden; exec sleep 1000'\nlog_buffer = 0\n"
    with Drainit(ini=chatty + small + off) as d:
        d.wait_socket()
        d.wait_for(r"chatty +\| line 5$", stream="out")
        d.wait_for(r"small line 50$", stream="out")
        r = d.ctl("logs", "chatty", "-n", "3")
        got = r.stdout.splitlines()
        check(r.returncode == 0 and len(got) == 3 and all(l.startswith("line ") for l in got),
              f"logs -n 3: {r}", d)
        nums = [int(l.split()[1]) for l in got]
        check(nums == list(range(nums[0], nums[0] + 3)) and nums[0] >= 3, f"not the last lines: {got}", d)
        r = d.ctl("logs", "small", "-n", "100")
        got = r.stdout.splitlines()
        check(got and got[-1] == "small line 50" and 0 < len(got) <= 5,
              f"log_buffer = 64 kept: {got}", d)
        r = d.ctl("logs", "off")
        check(r.returncode == 0 and r.stdout == "", f"log_buffer = 0: {r}", d)
        # follow: lines that come after the request
        p = subprocess.Popen([DRAINIT, "ctl", "--socket", d.sock, "logs", "chatty", "-n", "0", "-f"],
                             stdout=subprocess.PIPE, text=True)
        seen = [p.stdout.readline().strip() for _ in range(3)]
        check(all(l.startswith("line ") for l in seen), f"follow: {seen}", d)
        a, b = int(seen[0].split()[1]), int(seen[2].split()[1])
        check(b == a + 2, f"follow skipped or repeated lines: {seen}", d)
        check(d.ctl("status").returncode == 0, "status beside a follower", d)
        d.stop(0)
        p.stdout.read()
        check(p.wait(timeout=10) == 0, f"logs -f exit {p.returncode} when drainit exited", d)
        r = d.ctl("logs", "nope")
        check(r.returncode == 69, "logs after exit", d)


def idle_after_serving_does_not_wake_up():
    with Drainit(ini=svc("web")) as d:
        d.wait_socket()
        d.wait_for(r"web: ready", stream="out")
        for _ in range(3):
            check(d.ctl("status").returncode == 0, "status", d)
        time.sleep(0.3)
        pid = d.pid()

        def switches():
            with open(f"/proc/{pid}/status") as f:
                return sum(int(l.split()[1]) for l in f if "ctxt_switches" in l)
        before = switches()
        time.sleep(2.5)
        woke = switches() - before
        check(woke == 0, f"idle drainit woke up {woke} times after serving ctl", d)
        d.stop(0)


def out_of_descriptors_pauses_then_serves_again():
    """With its descriptors used up drainit stops accepting for a second, logs it,
    and serves the next client once some are free again; a client held open by
    the kernel's backlog meanwhile gets its answer then (the accept resumes)."""
    def few_fds():
        resource.setrlimit(resource.RLIMIT_NOFILE, (12, 12))

    with Drainit(["--", TSVC, "--name", "w"], preexec_fn=few_fds) as d:
        d.wait_socket()
        d.wait_for(r"w: ready", stream="out")
        held = []
        try:
            for _ in range(12):
                c = socket.socket(socket.AF_UNIX)
                c.settimeout(5)
                c.connect(d.sock)
                held.append(c)
            d.wait_for(r"control socket: accept: Too many open files; pausing for 1s", timeout=10)
        finally:
            for c in held:
                c.close()
        r = d.ctl("status", timeout=15)
        check(r.returncode == 0, f"status after the pause: rc {r.returncode}: {r.stderr}", d)
        d.stop(143)


def logs_replace_only_the_bytes_that_are_not_utf8():
    """drainit ctl logs sends a line with a byte that is not UTF-8 with that byte as '?',
    and the characters around it as they are."""
    ini = ("[service:a]\ncommand = /bin/sh -c 'printf \"bad \\\\377 byte caf\\\\303\\\\251\\\\n\"; "
           "exec sleep 1000'\nstdout = prefix\n")
    with Drainit(ini=ini) as d:
        d.wait_socket()
        wait_until(lambda: b"byte caf" in open(d.out_path, "rb").read(), what="the line", d=d)
        r = d.ctl("logs", "a")
        check(r.returncode == 0 and r.stdout == "bad ? byte caf\u00e9\n", f"logs: {r.stdout!r}", d)
        d.stop(0)


def followers_leave_room_for_commands():
    """At most 8 logs -f followers at once: a ninth gets an error answer, and the other
    commands (status, ready: a readiness probe) still get connections beside them."""
    ini = f"[service:a]\ncommand = {TSVC} --name a\n"
    with Drainit(ini=ini) as d:
        d.wait_socket()
        d.wait_for(r"a: ready", stream="out")
        socks = []
        try:
            for _ in range(8):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(d.sock)
                s.sendall(b'{"v":1,"cmd":"logs","services":["a"],"lines":0,"follow":true}\n')
                s.settimeout(5)
                check(b'"ok":true' in s.recv(4096), "a follower was refused", d)
                socks.append(s)
            r = d.ctl("logs", "a", "-f", timeout=10)
            check(r.returncode != 0 and "too many logs followers (8 at once)" in r.stderr,
                  f"the ninth follower: {r.returncode} {r.stderr}", d)
            r = d.ctl("status", timeout=10)
            check(r.returncode == 0, f"status beside 8 followers: {r.returncode} {r.stderr}", d)
            r = d.ctl("ready", timeout=10)
            check(r.returncode == 0, f"ready beside 8 followers: {r.returncode} {r.stderr}", d)
        finally:
            for s in socks:
                s.close()
        d.stop(0)


def stop_answers_when_a_restart_overtakes_it():
    """A stop waits until its services have stopped; when a restart of the same service
    comes in meanwhile, the service stops and starts again without ever being seen
    stopped, and the stop is answered then, not never."""
    ini = f"[service:deaf]\ncommand = {TSVC} --name deaf --ignore 15\ngrace_period = 1s\n"
    with Drainit(ini=ini) as d:
        d.wait_socket()
        d.wait_for(r"deaf: ready", stream="out")
        stop = subprocess.Popen([DRAINIT, "ctl", "--socket", d.sock, "stop", "deaf"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        d.wait_for(r"service deaf \(pid \d+\): stopping \(drainit ctl stop\)")
        r = d.ctl("restart", "deaf")
        check(r.returncode == 0, f"restart: {r.returncode} {r.stdout} {r.stderr}", d)
        try:
            out, err = stop.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            stop.kill()
            d.fail("the stop was never answered once a restart overtook it")
        check(stop.returncode == 0, f"stop: {stop.returncode} {out} {err}", d)
        wait_until(lambda: d.out().count("deaf: ready") == 2, what="deaf started again", d=d)
        d.stop(137)     # it ignores SIGTERM: SIGKILL at its grace


if __name__ == "__main__":
    run(out_of_descriptors_pauses_then_serves_again, status_table_and_json, stop_holds_start_restart, stop_runs_the_services_drain_hooks_first,
        a_drain_hook_that_outlives_its_run_stops_nothing_later,
        half_closed_requests_get_their_answer_and_waiters_leave_room,
        signal_and_reload_reach_one_service, ready_and_wait_ready, wait_ready_returns_once_ready,
        prestop_returns_when_prestop_ends, shutdown_and_force, non_root_is_refused,
        bad_requests_leave_it_serving, hundred_status_calls_during_shutdown, socket_file_rules,
        no_drainit_and_usage, logs_tail_and_follow, idle_after_serving_does_not_wake_up,
        stop_answers_when_a_restart_overtakes_it, followers_leave_room_for_commands,
        logs_replace_only_the_bytes_that_are_not_utf8)
