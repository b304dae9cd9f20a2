"""Claim: a service with "ready = notify" gets NOTIFY_SOCKET (others do not) and becomes
ready only once it sends READY=1; STATUS= shows in /status, STOPPING=1 is logged,
WATCHDOG=1 with "watchdog =" is its liveness (missing it makes the service unhealthy),
MAINPID= hands the service over to another of its processes; a message from a process
that is not the service's is ignored and logged once, a flood of bad ones is rate-limited;
the socket goes away with drainit."""
import json
import os
import re
import socket
import stat
import subprocess

from harness import Drainit, check, run
from probeutil import TNOTIFY, curl, free_port, wait_until

# A service's line on drainit's stdout, with or without its "NAME | " prefix.
OUT = r"^(?:[\w.@-]+ *\| )?"

# The services must not inherit a NOTIFY_SOCKET from whatever runs the tests.
ENV = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "WATCHDOG_USEC")}


def wait_code(port, path, code, d, timeout=10):
    return wait_until(lambda: (lambda r: r if r.code == code else None)(
        curl(f"http://127.0.0.1:{port}{path}")), timeout=timeout, what=f"{path} {code}", d=d)


def notify_service_is_ready_only_after_ready_1():
    port = free_port()
    ini = f"""
[drainit]
probe_listen = 127.0.0.1:{port}
[service:n]
command = {TNOTIFY} --name n --print-env --sleep 500 --send "STATUS=warming up" --sleep 700
    --send "READY=1\\nSTATUS=serving" --send STOPPING=1
ready = notify
[service:plain]
command = {TNOTIFY} --name plain --print-env
"""
    with Drainit(ini=ini, env=ENV) as d:
        m = d.wait_for(OUT + r"n: NOTIFY_SOCKET=(\S+) WATCHDOG_USEC=-$", stream="out")
        path = m.group(1)
        check(stat.S_ISSOCK(os.stat(path).st_mode), f"{path} is not a socket", d)
        check(os.path.dirname(path) != "/run", "the socket has a directory of its own", d)
        d.wait_for(OUT + r"plain: NOTIFY_SOCKET=- ", stream="out")
        d.wait_for(r"probe server listening")
        want = "not ready: n (waiting for READY=1)\n"
        wait_until(lambda: curl(f"http://127.0.0.1:{port}/readyz").body == want,
                   what=f"/readyz {want!r}", d=d)
        d.wait_for(OUT + r"n: sent STATUS=warming up$", stream="out")
        st = wait_until(lambda: (lambda s: s if s["services"][0]["notify_status"] == "warming up" else None)(
            json.loads(curl(f"http://127.0.0.1:{port}/status").body)), what="STATUS= in /status", d=d)
        check(st["ready"] is False, f"ready before READY=1: {st}", d)
        r = curl(f"http://127.0.0.1:{port}/readyz")
        check(r.code == 503, f"ready before READY=1: {r}", d)
        wait_code(port, "/readyz", 200, d)
        d.wait_for(OUT + r"n: sent READY=1", stream="out")
        d.wait_for(r"service n \(pid \d+\): ready \(READY=1\)")
        d.wait_for(r"service n \(pid \d+\): says it is stopping \(STOPPING=1\)")
        st = json.loads(curl(f"http://127.0.0.1:{port}/status").body)
        check(st["services"][0]["notify_status"] == "serving", f"{st}", d)
        d.stop(0)
        check(not os.path.exists(os.path.dirname(path)), f"{path} left behind", d)


SENDER = """
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
for _ in range(2):
    s.sendto(b"READY=1", sys.argv[1])
"""


def foreign_senders_are_ignored_and_logged_once():
    port = free_port()
    ini = f"""
[drainit]
probe_listen = 127.0.0.1:{port}
[service:n]
command = {TNOTIFY} --name n --print-env
ready = notify
"""
    with Drainit(ini=ini, env=ENV) as d:
        path = d.wait_for(OUT + r"n: NOTIFY_SOCKET=(\S+) ", stream="out").group(1)
        d.wait_for(OUT + r"n: waiting$", stream="out")
        # From inside drainit's PID namespace, but not a process of the service.
        p = subprocess.run(["nsenter", "--target", str(d.pid()), "--pid", "--", "python3", "-c", SENDER, path],
                           capture_output=True, text=True, timeout=10, check=False)
        check(p.returncode == 0, f"nsenter sender: {p}", d)
        # From outside it: the kernel reports pid 0.
        subprocess.run(["python3", "-c", SENDER, path], timeout=10, check=True)
        d.wait_for(r"notify socket: ignoring a message from pid 0: not a process of a service")
        ignored = re.findall(r"ignoring a message from pid (\d+)", d.log())
        wait_until(lambda: len(set(re.findall(r"ignoring a message from pid (\d+)", d.log()))) == 2,
                   what="both senders logged", d=d)
        ignored = re.findall(r"ignoring a message from pid (\d+)", d.log())
        check(len(ignored) == 2 and len(set(ignored)) == 2, f"logged {ignored}: want each pid once", d)
        r = curl(f"http://127.0.0.1:{port}/readyz")
        check(r.code == 503 and "waiting for READY=1" in r.body, f"a foreign READY=1 counted: {r}", d)
        d.stop(0)


def a_flood_of_bad_messages_is_rate_limited():
    """50 bad datagrams make at most 5 warnings (and at least one: negative control)."""
    sends = "\n  ".join(["--send MAINPID=bogus"] * 50)	# continuation lines
    ini = f"""
[service:n]
command = {TNOTIFY} --name n {sends} --send READY=1
ready = notify
"""
    with Drainit(ini=ini, env=ENV) as d:
        d.wait_for(r"service n \(pid \d+\): ready \(READY=1\)")
        warned = d.log().count("ignoring an invalid MAINPID=")
        check(1 <= warned <= 5, f"{warned} warnings for 50 bad messages", d)
        d.stop(0)


def watchdog_is_liveness():
    port = free_port()
    ini = f"""
[drainit]
probe_listen = 127.0.0.1:{port}
[service:w]
command = {TNOTIFY} --name w --print-env --send READY=1 --ping 100 6
ready = notify
watchdog = 1s
restart = no
"""
    with Drainit(ini=ini, env=ENV) as d:
        d.wait_for(OUT + r"w: NOTIFY_SOCKET=\S+ WATCHDOG_USEC=1000000$", stream="out")
        wait_code(port, "/readyz", 200, d)
        check(curl(f"http://127.0.0.1:{port}/livez").code == 200, "live while it pings", d)
        d.wait_for(OUT + r"w: waiting$", stream="out")  # the pings have stopped
        r = wait_code(port, "/livez", 503, d)
        check(r.body == "not ok: w (unhealthy: watchdog expired)\n", f"{r}", d)
        d.wait_for(r"error: service w \(pid \d+\): unhealthy: no WATCHDOG=1 within watchdog 1s")
        check(d.log().count("within watchdog") == 1, "the expiry is logged once", d)
        d.stop(0)


def mainpid_hands_the_service_over():
    port = free_port()
    ini = f"""
[drainit]
probe_listen = 127.0.0.1:{port}
[service:h]
command = {TNOTIFY} --name h --handover
ready = notify
"""
    with Drainit(ini=ini, env=ENV) as d:
        child = int(d.wait_for(OUT + r"tnotify-child: child pid=(\d+)", stream="out").group(1))
        d.wait_for(rf"service h \(pid \d+\): main pid is now {child} \(MAINPID=\)")
        d.wait_for(rf"service h \(pid \d+\): exited with status 0; main pid {child} \(MAINPID=\) goes on")
        r = wait_code(port, "/readyz", 200, d)
        st = json.loads(curl(f"http://127.0.0.1:{port}/status").body)
        check(st["services"][0]["pid"] == child and st["services"][0]["state"] == "running", f"{st}", d)
        d.stop(0)
        d.wait_for(OUT + r"tnotify-child: got SIGTERM$", stream="out")
        d.wait_for(rf"service h \(pid {child}\): exited with status 0")


def mainpid_of_a_grandchild_is_refused():
    """A MAINPID= naming a process that is not drainit's child (a grandchild whose
    parent still runs) does not take the service over: drainit could not reap it, and
    its pid could be reused once its own parent reaped it. The service ends there."""
    ini = f"""
[service:h]
command = {TNOTIFY} --name h --handover-grandchild
ready = notify
restart = no
grace_period = 2s
"""
    with Drainit(ini=ini, env=ENV) as d:
        gc = int(d.wait_for(OUT + r"h: grandchild pid=(\d+)", stream="out").group(1))
        d.wait_for(rf"service h \(pid \d+\): main pid is now {gc} \(MAINPID=\)")
        d.wait_for(rf"warning: service h \(pid \d+\): main pid {gc} \(MAINPID=\) is not drainit's child; the service has ended")
        check(f"main pid {gc} (MAINPID=) goes on" not in d.log(), "a grandchild took over", d)
        d.expect_rc(0)


if __name__ == "__main__":
    run(notify_service_is_ready_only_after_ready_1, foreign_senders_are_ignored_and_logged_once,
        a_flood_of_bad_messages_is_rate_limited, watchdog_is_liveness, mainpid_hands_the_service_over,
        mainpid_of_a_grandchild_is_refused)
