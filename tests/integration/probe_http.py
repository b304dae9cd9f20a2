"""Claim: with probe_listen (or --probe), drainit answers /livez (/healthz), /readyz,
/status and /metrics from its own loop, HEAD for every GET, 405/404/400/431 for bad
requests, "Connection: close" on every response; with 100 idle connections held open a
fresh /readyz is still answered at once, idle connections are closed after 5 s, and no
broken client can crash or stall drainit. A port that cannot be bound starts nothing."""
import json
import os
import shutil
import signal
import re
import socket
import subprocess
import tempfile
import time

from harness import DRAINIT, TSVC, Drainit, check, run
from probeutil import SLOWHTTP, curl, free_port, wait_until


def probe_ini(port, extra=""):
    return f"""
[drainit]
probe_listen = 127.0.0.1:{port}
[service:web]
command = {TSVC} --name web
[service:worker]
command = {TSVC} --name worker
{extra}"""


def endpoints_answer():
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with Drainit(ini=probe_ini(port)) as d:
        d.wait_for(rf"probe server listening on 127\.0\.0\.1:{port}: /livez /readyz /status /metrics")
        d.wait_for(r"web: ready", stream="out")
        d.wait_for(r"worker: ready", stream="out")
        r = wait_until(lambda: (lambda x: x if x.code == 200 else None)(curl(base + "/readyz")),
                       what="/readyz 200", d=d)
        check(r.body == "ready\n", f"/readyz body {r.body!r}", d)
        check(r.headers.get("connection") == "close", f"/readyz headers {r.headers}", d)
        r = curl(base + "/readyz?verbose")
        check(r.code == 200 and r.body == "ready\nweb: ready\nworker: ready\n", f"verbose: {r}", d)
        for path in ("/livez", "/healthz"):
            r = curl(base + path)
            check(r.code == 200 and r.body == "ok\n", f"{path}: {r}", d)
        r = curl(base + "/status")
        check(r.code == 200 and r.headers.get("content-type") == "application/json", f"/status: {r}", d)
        st = json.loads(r.body)
        check(st["stage"] == "running" and st["ready"] is True and st["live"] is True, f"{st}", d)
        svcs = {s["name"]: s for s in st["services"]}
        check(set(svcs) == {"web", "worker"}, f"services {svcs}", d)
        check(svcs["web"]["state"] == "running" and svcs["web"]["pid"] > 0
              and svcs["web"]["restarts"] == 0 and svcs["web"]["exit_status"] is None
              and svcs["web"]["started_at"].endswith("Z"), f"web: {svcs['web']}", d)
        r = curl(base + "/metrics")
        check(r.code == 200 and r.headers.get("content-type", "").startswith("text/plain; version=0.0.4"),
              f"/metrics: {r.code} {r.headers}", d)
        for line in ('drainit_service_up{service="web"} 1', 'drainit_service_ready{service="worker"} 1',
                     'drainit_service_restarts_total{service="web"} 0',
                     'drainit_service_exits_total{service="web"} 0', "drainit_orphans_reaped_total 0",
                     'drainit_stage{stage="running"} 1', "# TYPE drainit_service_exits_total counter"):
            check(line in r.body.splitlines(), f"/metrics lacks {line!r}:\n{r.body}", d)
        # HEAD: GET's status and headers, no body
        r = curl(base + "/readyz", "-I")
        check(r.code == 200 and r.headers.get("content-length") == "6" and r.body == "", f"HEAD: {r}", d)
        r = curl(base + "/status", "-I")
        check(r.code == 200 and r.body == "", f"HEAD /status: {r}", d)
        d.stop(0)


def bad_requests():
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with Drainit(ini=probe_ini(port)) as d:
        d.wait_for(r"probe server listening")
        cases = [
            (curl(base + "/nope"), 404),
            (curl(base + "/readyz/"), 404),
            (curl(base + "/readyz", "-X", "POST", "-d", "x=1"), 405),
            (curl(base + "/livez", "-X", "DELETE"), 405),
            (curl(base + "/metrics", "-X", "PUT", "--data-binary", "y" * 20000), 405),
            (curl(base + "/readyz", "--request-target", "readyz"), 400),
            (curl(base + "/readyz", "-H", "X-Big: " + "a" * 9000), 431),
            (curl(base + "/readyz", "-H", "X-Mid: " + "a" * 7000), 200),
        ]
        for i, (r, want) in enumerate(cases):
            check(r.code == want, f"case {i}: {r}, want {want}", d)
            check(r.headers.get("connection") == "close", f"case {i}: no Connection: close: {r}", d)
        r = curl(base + "/readyz", "-X", "POST")
        check(r.headers.get("allow") == "GET, HEAD", f"405 without Allow: {r}", d)
        # raw garbage, an HTTP/2 preface, a NUL byte, a client that vanishes mid-request
        for raw in (b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
                    b"GET /readyz HTTP/1.1\r\nX: a\x00b\r\n\r\n"):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(raw)
                got = s.recv(4096)
                check(got.startswith(b"HTTP/1.1 400 Bad Request\r\n"), f"{raw!r} -> {got!r}", d)
        # a request trickled in byte by byte is still answered
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            req = b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * 100 + b"\r\n\r\n"
            for i in range(len(req)):
                s.send(req[i:i + 1])
                time.sleep(0.001)
            got = s.recv(4096)
            check(got.startswith(b"HTTP/1.1 200 OK\r\n") and got.endswith(b"\r\n\r\nok\n"),
                  f"trickled request -> {got!r}", d)
        for _ in range(20):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"GET /readyz HTTP/1.1\r\nHost")
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()  # reset
        r = curl(base + "/livez")
        check(r.code == 200, f"drainit unwell after bad clients: {r}", d)
        d.stop(0)


def idle_connections_cannot_block_a_probe():
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with Drainit(ini=probe_ini(port)) as d:
        d.wait_for(r"probe server listening")
        d.wait_for(r"worker: ready", stream="out")
        idle, born = [], []
        for i in range(100):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            born.append(time.monotonic())
            if i % 2:
                s.sendall(b"GET /readyz HTTP/1.1\r\n")  # a slowloris: never finishes
            idle.append(s)
        time.sleep(0.3)
        t0 = time.monotonic()
        r = curl(base + "/readyz", timeout=3)
        took = time.monotonic() - t0
        check(r.code == 200 and r.body == "ready\n", f"/readyz with 100 idle connections: {r}", d)
        check(took < 2, f"/readyz took {took:.2f}s with 100 idle connections", d)

        def closed(s, wait):
            s.settimeout(wait)
            try:
                return s.recv(16) == b""
            except socket.timeout:
                return False
            except ConnectionResetError:
                return True

        # at most 64 at a time: the oldest idle ones were dropped to make room
        dropped = sum(closed(s, 0.05) for s in idle[:40])
        check(dropped >= 36, f"only {dropped} of the 40 oldest idle connections were dropped", d)
        left = [i for i in range(40, 100) if not closed(idle[i], 0.01)]
        check(len(left) >= 50, f"only {len(left)} newer idle connections still open", d)
        # the rest are closed 5 s after they were accepted, not before
        for i in left[:4]:
            check(closed(idle[i], 8), f"idle connection {i} outlived the 5 s timeout", d)
            age = time.monotonic() - born[i]
            check(age >= 4.5, f"idle connection {i} closed after {age:.2f}s, before 5 s", d)
        for s in idle:
            s.close()
        check(curl(base + "/livez").code == 200, "probe server unwell after the idle storm", d)
        d.stop(0)


def single_command_mode_probe():
    port = free_port()
    with Drainit(["--probe", f":{port}", "--ready", "none", "--", TSVC, "--name", "one",
                  "--term-delay", "10"]) as d:
        d.wait_for(r"one: ready", stream="out")
        d.wait_for(r"probe server listening on (\[::\]|0\.0\.0\.0):%d" % port)
        r = wait_until(lambda: (lambda x: x if x.code == 200 else None)(
            curl(f"http://127.0.0.1:{port}/readyz")), what="/readyz 200", d=d)
        check(r.body == "ready\n", f"{r}", d)
        d.stop(0)


def single_command_mode_is_ready_once_it_listens():
    """-- CMD --probe: ready only once CMD listens (here after 2 s), never before."""
    port, app = free_port(), free_port()
    with Drainit(["--probe", f"127.0.0.1:{port}", "--", SLOWHTTP, "--port", str(app),
                  "--listen-after", "2000"]) as d:
        d.wait_for(r"probe server listening")
        early = []
        t0 = time.monotonic()
        while time.monotonic() - t0 < 1.5:
            early.append(curl(f"http://127.0.0.1:{port}/readyz?verbose").code)
            time.sleep(0.1)
        check(early and all(c == 503 for c in early), f"ready before it listens: {early}", d)
        r = curl(f"http://127.0.0.1:{port}/readyz?verbose")
        check("listens on a TCP port" in r.body, f"why not ready: {r.body}", d)
        d.wait_for(r"slowhttp: listening", stream="out", timeout=10)
        wait_until(lambda: curl(f"http://127.0.0.1:{port}/readyz").code == 200, what="ready", d=d)
        d.signal(signal.SIGTERM)
        d.wait(timeout=20)


def prestop_endpoint_needs_its_token_and_holds_until_prestop_ends():
    port = free_port()
    tokfile = os.path.join(tempfile.mkdtemp(prefix="drainit-it-tok-"), "token")
    with open(tokfile, "w") as f:
        f.write("s3cret\n")
    ini = f"""
[drainit]
probe_listen = 127.0.0.1:{port}
prestop_delay = 20s
prestop_min = 1s
prestop_token = file:{tokfile}
[service:web]
command = {TSVC} --name web --term-delay 10
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"web: ready", stream="out")
        url = f"http://127.0.0.1:{port}/prestop"
        check(curl(url).code == 403, "no token: not refused", d)
        check(curl(url + "?token=wrong").code == 403, "a wrong token: not refused", d)
        check(curl(url, "-H", "X-Drainit-Token: s3cre").code == 403, "a prefix of it: not refused", d)
        for _ in range(10):     # anyone who reaches the port: a few lines, not one each
            curl(url + "?token=wrong")
        check(d.log().count("GET /prestop refused") <= 5, "every refused /prestop was logged", d)
        r = curl(url + "?token=s3cret", "-X", "POST")
        check(r.code == 405 and r.headers.get("allow") == "GET", f"POST /prestop: {r}", d)
        check("stage unready" not in d.log(), "a refused /prestop started the shutdown", d)
        t0 = time.monotonic()
        r = curl(url, "-H", "X-Drainit-Token: s3cret", timeout=30)
        took = time.monotonic() - t0
        check(r.code == 200 and r.body.startswith("prestop over (stage stopping"), f"{r}", d)
        check(took >= 0.9, f"answered after {took:.2f}s, before prestop_min", d)
        d.assert_order(r"probe: GET /prestop: the staged shutdown starts",
                       r"shutdown: stage unready \(GET /prestop\)",
                       r"prestop: ended after")
        d.signal(signal.SIGTERM)	# the kubelet's SIGTERM joins the shutdown
        d.expect_rc(0)
    os.unlink(tokfile)
    with Drainit(ini=f"[drainit]\nprobe_listen = 127.0.0.1:{port}\n[service:web]\ncommand = {TSVC}\n") as d:
        d.wait_for(r"probe server listening")
        check(curl(f"http://127.0.0.1:{port}/prestop").code == 404, "/prestop without a token set", d)
        check("stage unready" not in d.log(), "started the shutdown", d)
        d.stop(0)


def listen_check_on_a_service_that_never_listens():
    port = free_port()
    ini = f"""
[drainit]
probe_listen = 127.0.0.1:{port}
[service:mute]
command = {TSVC} --name mute
ready = listen
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"probe server listening")
        d.wait_for(r"service mute \(pid \d+\): not ready after 10s: check failing: no process of the service listens on a TCP port",
                   timeout=20)
        r = curl(f"http://127.0.0.1:{port}/readyz")
        check(r.code == 503 and "mute (check failing: no process of the service listens" in r.body, f"{r}", d)
        d.stop(0)


def port_in_use_starts_nothing():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        with Drainit(ini=probe_ini(port, "") + "\n[service:flag]\ncommand = touch @DIR@/started\n") as d:
            d.expect_rc(71)
            d.wait_for(rf"error: probe_listen 127\.0\.0\.1:{port}: cannot listen: Address already in use")
            d.wait_for(r"error: nothing started, exiting with code 71")
            check("starting:" not in d.log(), "a service was started", d)


def bad_probe_address_is_a_config_error():
    ini = f"[drainit]\nprobe_listen = 8080\n[service:a]\ncommand = {TSVC}\n"
    with Drainit(ini=ini) as d:
        d.expect_rc(78)
        want = f"{d.ini}:2: [drainit] probe_listen: invalid address '8080' (missing port: use HOST:PORT or :PORT)"
        check(want in d.lines(), f"missing error line: {want}", d)
    with Drainit(["--probe", "nowhere", "--", "true"], pid1=False) as d:
        d.expect_rc(64)
        d.wait_for(r"^drainit: --probe: invalid address 'nowhere' \(missing port: use HOST:PORT or :PORT\)$")


def established_to(port):
    """Whether a TCP connection to 127.0.0.1:port is established (/proc/net/tcp), seen from
    the server's side: its local port is port. (From the client's side, remote port ==
    port, an unrelated connection whose ephemeral client port happens to be port matches
    too; tests that open thousands of connections run beside this one.)"""
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[3] == "01" and int(fields[1].split(":")[1], 16) == port:
                return True
    return False


def request_sent_with_the_connect_holds_the_prestop():
    """A client that sends its request as soon as it has connected (curl does) has it in
    flight from the first look: its connection has received data and sent none. (Its
    "last sent" time counts from the handshake and can share the request's millisecond,
    so "received after the last send" alone misses it.) The prestop waits for the answer,
    the stop signal comes after it, and the client gets its 200."""
    probe, app = free_port(), free_port()
    with Drainit(["--probe", f"127.0.0.1:{probe}", "--prestop-delay", "10s", "--grace", "5s",
                  "--", SLOWHTTP, "--port", str(app), "--delay", "2500"]) as d:
        d.wait_for(r"service slowhttp \(pid \d+\): ready \(listen passed\)", timeout=10)
        client = subprocess.Popen(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                   "--max-time", "20", f"http://127.0.0.1:{app}/"],
                                  stdout=subprocess.PIPE, text=True)
        wait_until(lambda: established_to(app), what="curl connected", d=d)
        time.sleep(0.2)     # its request is sent with the connect
        d.signal(signal.SIGTERM)
        code = client.communicate(timeout=30)[0]
        check(code == "200", f"the request in flight got {code!r}, not 200", d)
        d.expect_rc(0)
        m = re.search(r"prestop: ended after (\S+) \(max 10s\):.* 0 requests in flight", d.log())
        check(m, "no prestop line saying the requests were done", d)
        check("requests in flight at the stop signal: 0" in d.log(), "in flight at stop", d)


def unready_probes_and_drain_quiet_decide_when_the_prestop_ends():
    """unready_probes: the adaptive prestop waits until each prober that asked for /readyz
    lately has had that many 503s; drain_quiet: and until the service's listening socket
    has gone that long without a new connection. GET /prestop takes its token from
    drainit's environment (prestop_token = env:NAME)."""
    probe, app = free_port(), free_port()
    ini = f"""
[drainit]
probe_listen = 127.0.0.1:{probe}
prestop_delay = 20s
unready_probes = 2
drain_quiet = 1500ms
prestop_token = env:DRAINIT_IT_TOKEN
[service:app]
command = {SLOWHTTP} --port {app} --delay 0
ready = listen
"""
    with Drainit(ini=ini, env={"DRAINIT_IT_TOKEN": "t0ken"}) as d:
        d.wait_for(r"service app \(pid \d+\): ready \(listen passed\)", timeout=10)
        readyz = f"http://127.0.0.1:{probe}/readyz"
        check(curl(readyz).code == 200, "ready before the shutdown", d)
        url = f"http://127.0.0.1:{probe}/prestop"
        check(curl(url, "-H", "X-Drainit-Token: t0ke").code == 403, "a wrong token let in", d)
        pre = subprocess.Popen(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time",
                                "30", "-H", "X-Drainit-Token: t0ken", url],
                               stdout=subprocess.PIPE, text=True)
        d.wait_for(r"shutdown: stage prestop")
        check(curl(readyz).code == 503, "not ready in prestop", d)
        time.sleep(2.0)     # quiet for longer than drain_quiet: only the probes are missing
        check("prestop: ended" not in d.log(), "ended after 1 of unready_probes = 2", d)
        t_conn = time.monotonic()
        check(curl(f"http://127.0.0.1:{app}/").code == 200, "the app answers in prestop", d)
        check(curl(readyz).code == 503, "not ready in prestop", d)
        d.wait_for(r"prestop: ended", timeout=20)
        took = time.monotonic() - t_conn
        check(took >= 1.4, f"ended {took:.2f}s after a new connection, drain_quiet is 1.5s", d)
        check(re.search(r"prestop: ended after \S+ \(max 20s\): 127\.0\.0\.1 saw 503 x2; "
                        r"no new connection for \S+; 0 requests in flight", d.log()),
              "the prestop line does not say why it ended", d)
        check(pre.communicate(timeout=30)[0] == "200", "GET /prestop with the env: token", d)
        d.expect_rc(0)      # the staged shutdown it began goes on to the end


HOLDER = r"""
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1024)
held = []
print("holder: listening", flush=True)
while True:
    c, _ = s.accept()
    held.append(c)
"""


def a_busy_network_namespace_hides_no_connection():
    """The service holds 3000 idle connections, so the namespace has more than 6000 TCP
    sockets (both ends): more than the 4096 one sample keeps. The prestop still sees every
    connection on the service's port (3000 idle keep-alive), since it asks the kernel only
    for the service's ports; cut at 4096 it saw about half."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 8000
    if hard < want:
        print(f"skip: RLIMIT_NOFILE hard {hard} < {want}")
        return
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    probe, app = free_port(), free_port()
    tmp = tempfile.mkdtemp(prefix="drainit-it-busy-")
    path = os.path.join(tmp, "holder.py")
    with open(path, "w") as f:
        f.write(HOLDER)
    clients = []
    try:
        with Drainit(["--probe", f"127.0.0.1:{probe}", "--prestop-delay", "10s", "--",
                      "python3", path, str(app)]) as d:
            d.wait_for(r"service python3 \(pid \d+\): ready \(listen passed\)", timeout=10)
            for _ in range(3000):
                c = socket.create_connection(("127.0.0.1", app))
                clients.append(c)
            time.sleep(0.5)     # all accepted
            d.signal(signal.SIGTERM)
            m = d.wait_for(r"prestop: ended after \S+ \(max 10s\): .*0 requests in flight "
                           r"\((\d+) idle keep-alive\)", timeout=20)
            check(int(m.group(1)) == 3000, f"saw {m.group(1)} of 3000 connections", d)
            d.expect_rc(143)
    finally:
        for c in clients:
            c.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    run(request_sent_with_the_connect_holds_the_prestop, single_command_mode_is_ready_once_it_listens,
        prestop_endpoint_needs_its_token_and_holds_until_prestop_ends,
        listen_check_on_a_service_that_never_listens, endpoints_answer, bad_requests, idle_connections_cannot_block_a_probe,
        single_command_mode_probe, port_in_use_starts_nothing, bad_probe_address_is_a_config_error,
        unready_probes_and_drain_quiet_decide_when_the_prestop_ends,
        a_busy_network_namespace_hides_no_connection)
