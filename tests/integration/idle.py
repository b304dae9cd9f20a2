"""Claim: an idle drainit makes no periodic wake-ups (it sleeps in the event loop until
a signal or a child event); a process that polls is caught by the same detector."""
import subprocess
import time

from harness import TSVC, Drainit, check, run

WINDOW = 2.5  # seconds; libev's longest block is ~60s, so an idle loop shows 0 here


def switches(pid):
    total = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                total += int(line.split()[1])
    return total


def idle_drainit_does_not_wake_up():
    ini = f"""
[drainit]
prestop_delay = 5s
shutdown_timeout = 1m
[service:a]
command = {TSVC} --name a
[service:b]
command = {TSVC} --name b
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"a: ready", stream="out")
        d.wait_for(r"b: ready", stream="out")
        time.sleep(0.3)
        pid = d.pid()
        before = switches(pid)
        time.sleep(WINDOW)
        woke = switches(pid) - before
        check(woke == 0, f"idle drainit woke up {woke} times in {WINDOW}s", d)


def idle_drainit_with_probe_server_does_not_wake_up():
    """A probe server with no checks adds no wake-ups, even after serving."""
    from probeutil import curl, free_port
    port = free_port()
    ini = f"""
[drainit]
probe_listen = 127.0.0.1:{port}
[service:a]
command = {TSVC} --name a
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"a: ready", stream="out")
        d.wait_for(r"probe server listening")
        for path in ("/readyz", "/livez", "/status", "/metrics"):
            r = curl(f"http://127.0.0.1:{port}{path}")
            check(r.code == 200, f"{path}: {r}", d)
        time.sleep(0.3)
        pid = d.pid()
        before = switches(pid)
        time.sleep(WINDOW)
        woke = switches(pid) - before
        check(woke == 0, f"idle drainit with a probe server woke up {woke} times in {WINDOW}s", d)


def passed_listen_check_settles():
    """A listen ready check that has passed runs every 10 x ready_interval, not every
    ready_interval: with ready_interval = 300ms (3 s once passed) a ready drainit sleeps
    through 1.5 s; a look every ready_interval would wake it 5 times."""
    from probeutil import SLOWHTTP, free_port
    port, app = free_port(), free_port()
    ini = f"""
[drainit]
probe_listen = 127.0.0.1:{port}
[service:a]
command = {SLOWHTTP} --port {app}
ready = listen
ready_interval = 300ms
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"service a \(pid \d+\): ready \(listen passed\)")
        time.sleep(0.2)
        pid = d.pid()
        before = switches(pid)
        time.sleep(1.5)
        woke = switches(pid) - before
        check(woke == 0, f"a ready drainit with a passed listen check woke up {woke} times in 1.5s", d)
        d.stop(0)


def negative_control_polling_process_is_caught():
    p = subprocess.Popen(["sh", "-c", "while :; do sleep 0.1; done"])
    try:
        time.sleep(0.3)
        before = switches(p.pid)
        time.sleep(1)
        check(switches(p.pid) - before > 0, "detector missed a polling process")
    finally:
        p.kill()
        p.wait()


if __name__ == "__main__":
    run(idle_drainit_does_not_wake_up, idle_drainit_with_probe_server_does_not_wake_up,
        passed_listen_check_settles, negative_control_polling_process_is_caught)
