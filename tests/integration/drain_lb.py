"""Claim: behind a real load balancer (Debian's haproxy, checking drainit's /readyz), a
legacy server that dies at once on SIGTERM loses no request when its drainit is
stopped under steady load, and the adaptive prestop ends well before its maximum,
with a log line saying why (the prober saw 503s, the sockets went quiet), also when
the load balancer keeps idle keep-alive connections to it. The same
setup with the prestop cut to nothing drops requests (negative control)."""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request

from harness import Drainit, check, run
from probeutil import SLOWHTTP, free_port, wait_until

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"


# A legacy HTTP/1.1 server that keeps connections alive and, like slowhttp,
# dies at once on SIGTERM (Python's default).
KEEPALIVE_SERVER = r"""
import http.server, sys, time
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        time.sleep(0.03)
        self.send_response(200)
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"ok\n")
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def backend_ini(probe, app, delay, keepalive):
    if keepalive:
        cmd = f"python3 -c {script_arg(KEEPALIVE_SERVER)} {app}"
    else:
        cmd = f"{SLOWHTTP} --port {app} --delay 30"
    return f"""
[drainit]
probe_listen = 127.0.0.1:{probe}
prestop_delay = {delay}
[service:app]
command = {cmd}
ready = listen:{app}
"""


_server_py = []


def script_arg(source):
    """The server's source as a file path argument for python3 -c exec(...)."""
    if not _server_py:
        d = tempfile.mkdtemp(prefix="drainit-it-lbpy-")
        os.chmod(d, 0o755)
        path = os.path.join(d, "server.py")
        with open(path, "w") as f:
            f.write(source)
        _server_py.append(path)
    return f"'exec(open(\"{_server_py[0]}\").read())'"


def haproxy_cfg(front, backends, keepalive):
    reuse = "    http-reuse always\n" if keepalive else ""
    servers = "\n".join(
        f"    server s{i} 127.0.0.1:{app} check port {probe} inter 300ms fall 2 rise 2"
        for i, (probe, app) in enumerate(backends))
    return f"""
global
    maxconn 256
defaults
    mode http
    timeout connect 1s
    timeout client 10s
    timeout server 10s
    retries 3
    option redispatch
frontend fe
    bind 127.0.0.1:{front}
    default_backend be
backend be
    balance roundrobin
{reuse}    option httpchk GET /readyz
    http-check expect status 200
{servers}
"""


class Load:
    """Bounded client: a few threads asking the load balancer until stopped, at
    most a minute; loopback only."""

    def __init__(self, url, threads=3):
        self.url, self.ok, self.failed, self.errors = url, 0, 0, []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.loop, daemon=True) for _ in range(threads)]
        for t in self.threads:
            t.start()

    def loop(self):
        deadline = time.monotonic() + 60
        while not self.stop.is_set() and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url, timeout=5) as r:
                    good = r.status == 200
            except Exception as e:  # noqa: BLE001 - any failure is a dropped request
                good = False
                with self.lock:
                    self.errors.append(repr(e)[:120])
            with self.lock:
                if good:
                    self.ok += 1
                else:
                    self.failed += 1

    def end(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=10)


def distinct_ports(n):
    """n free ports, no two alike (free_port() may hand out one twice)."""
    ports = []
    while len(ports) < n:
        p = free_port()
        if p not in ports:
            ports.append(p)
    return ports


def stop_one_backend_under_load(delay, expect_drops, keepalive=False):
    tmp = tempfile.mkdtemp(prefix="drainit-it-lb-")
    p = distinct_ports(5)
    backends = [(p[0], p[1]), (p[2], p[3])]
    front = p[4]
    cfg = os.path.join(tmp, "haproxy.cfg")
    with open(cfg, "w") as f:
        f.write(haproxy_cfg(front, backends, keepalive))
    ds = [Drainit(ini=backend_ini(p, a, delay, keepalive)) for p, a in backends]
    lb = None
    try:
        for d in ds:
            d.wait_for(r"service app \(pid \d+\): ready \(listen on port \d+ passed\)", timeout=15)
        lb = subprocess.Popen([HAPROXY, "-db", "-f", cfg], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, start_new_session=True)
        url = f"http://127.0.0.1:{front}/"

        def both_up():
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    return r.status == 200
            except Exception:  # noqa: BLE001
                return False
        wait_until(both_up, what="haproxy serving", d=ds[0], timeout=15)
        time.sleep(1.5)	# both servers marked up by their checks
        load = Load(url)
        time.sleep(2)
        before = load.ok
        t0 = time.monotonic()
        ds[0].signal(signal.SIGTERM)
        ds[0].wait(timeout=40)
        took = time.monotonic() - t0
        time.sleep(1.5)	# load keeps flowing to the other backend
        load.end()
        check(load.ok > before, f"no requests served after the stop: {load.ok}", ds[0])
        if expect_drops:
            check(load.failed > 0, f"the negative control dropped nothing ({load.ok} ok)", ds[0])
            return
        check(load.failed == 0, f"{load.failed} requests failed ({load.ok} ok): {load.errors[:3]}",
              ds[0])
        check(ds[0].rc == 0, f"exit code {ds[0].rc}", ds[0])
        m = re.search(r"prestop: ended after (\S+) \(max 20s\): 127\.0\.0\.1 saw 503 x(\d+); "
                      r"no new connection for \S+; 0 requests in flight", ds[0].log())
        check(m, "no prestop line naming why it ended", ds[0])
        check(int(m.group(2)) >= 3, f"ended before the prober saw 3 x 503: {m.group(0)}", ds[0])
        check(took < 12, f"the stop took {took:.1f}s: the prestop waited out (most of) its 20s", ds[0])
        check("requests in flight at the stop signal: 0" in ds[0].log(), "in flight at stop", ds[0])
        if keepalive:
            k = re.search(r"0 requests in flight \((\d+) idle keep-alive\)", m.group(0) + ds[0].log())
            check(k, "no count of idle keep-alive connections", ds[0])
    finally:
        if lb:
            lb.terminate()
            try:
                lb.wait(timeout=5)
            except subprocess.TimeoutExpired:
                lb.kill()
        for d in ds:	# a second SIGINT skips the waits
            for _ in range(2):
                if d.proc.poll() is None:
                    d.signal(signal.SIGINT)
                    time.sleep(0.2)
            d.__exit__(None, None, None)
        shutil.rmtree(tmp, ignore_errors=True)


def adaptive_prestop_drops_nothing():
    stop_one_backend_under_load("20s", expect_drops=False)


def idle_keepalive_connections_do_not_hold_the_drain():
    stop_one_backend_under_load("20s", expect_drops=False, keepalive=True)


def no_prestop_drops_requests():
    stop_one_backend_under_load("0s", expect_drops=True)


if __name__ == "__main__":
    if not os.path.exists(HAPROXY):
        print("SKIP: haproxy is not installed (scripts/deps installs it)")
        raise SystemExit(77)
    run(adaptive_prestop_drops_nothing, idle_keepalive_connections_do_not_hold_the_drain,
        no_prestop_drops_requests)
