"""Claim: a log reader that stops reading drainit's stderr never stalls drainit: signals
are still forwarded while the pipe is full, the shutdown still completes, and the log
lines that could not be queued are counted, not waited for."""
import os
import signal
import subprocess
import tempfile
import time

from harness import DRAINIT, TSVC, check, children_of, run


def stalled_stderr_does_not_stall_the_loop():
    d = tempfile.mkdtemp(prefix="drainit-it-")
    ini = os.path.join(d, "t.ini")
    with open(ini, "w") as f:
        f.write(f"""
[service:chatty]
command = {TSVC} --name chatty --exit-after 0 --ignore 10
restart = always
restart_delay = 1ms
restart_delay_max = 1ms
restart_limit = 1000000/1s
stdout = null
[service:listener]
command = {TSVC} --name listener --report
stdout = file:{d}/out
grace_period = 200ms
""")
    errfile = os.path.join(d, "err")
    # the reader sleeps first: drainit's stderr pipe fills up
    reader = subprocess.Popen(["sh", "-c", f"sleep 5; exec cat > {errfile}"], stdin=subprocess.PIPE)
    p = subprocess.Popen(["unshare", "--pid", "--fork", "--mount-proc", DRAINIT, "-c", ini],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=reader.stdin,
                         start_new_session=True)
    reader.stdin.close()
    try:
        deadline = time.monotonic() + 10
        pid = None
        while not pid and time.monotonic() < deadline:
            kids = children_of(p.pid)
            pid = kids[0] if kids else None
            time.sleep(0.01)
        check(pid, "drainit did not start")
        time.sleep(1.5)  # a crash loop logs far more than a pipe holds
        t0 = time.monotonic()
        os.kill(pid, signal.SIGUSR1)
        got = False
        while time.monotonic() - t0 < 2.5:
            if os.path.exists(f"{d}/out") and "listener: got USR1" in open(f"{d}/out").read():
                got = True
                break
            time.sleep(0.02)
        check(got, "SIGUSR1 was not forwarded while drainit's stderr was full")
        os.kill(pid, signal.SIGTERM)
        rc = p.wait(timeout=30)
        reader.wait(timeout=30)
        log = open(errfile).read()
        check("stage unready (SIGTERM received)" in log, f"no shutdown in the log:\n{log[-2000:]}")
        check("exiting with code" in log.splitlines()[-1], f"last line: {log.splitlines()[-1:]}")
        # listener is SIGKILLed at its grace (137), unless chatty, caught by the
        # SIGUSR1 between its exec and its signal(SIG_IGN), ended last with 138
        check(rc in (137, 138), f"rc {rc}")
    finally:
        for proc in (p, reader):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    proc.kill()
                proc.wait()


if __name__ == "__main__":
    run(stalled_stderr_does_not_stall_the_loop)
