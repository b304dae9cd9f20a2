"""Claim: when the reader of drainit's stdout stalls (a pipe to a process that sleeps),
drainit queues a bounded amount of prefixed output, then stops reading the services'
pipes so the services block in write(2): its memory (VmHWM) does not grow with the
data, and once the reader reads again every line arrives, in order. The memory
detector does fire on a reader that keeps everything (negative control)."""
import os
import re
import subprocess
import tempfile
import time

from harness import DRAINIT, Failure, check, run

TPROC = os.environ["TPROC"]
N = 200_000           # lines per service, about 7 MB each
BOUND_KB = 4 * 1024   # drainit queues 256 KiB; an unbounded queue would hold ~20 MB


def vm(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise Failure(f"no {key} for pid {pid}")


def wait_until(cond, what, timeout=20):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise Failure(f"timed out waiting for {what}")
        time.sleep(0.02)


def slow_reader_does_not_grow_drainit():
    tmp = tempfile.mkdtemp(prefix="drainit-it-bp-")
    go, ini, out, err = (os.path.join(tmp, x) for x in ("go", "test.ini", "out", "err"))
    with open(ini, "w") as f:
        f.write(f"[service:a]\ncommand = {TPROC} lines a {N} {go}\n"
                f"[service:bb]\ncommand = {TPROC} lines bb {N} {go}\n")
    with open(out, "wb") as o:
        reader = subprocess.Popen(["sh", "-c", "sleep 2.5; exec cat"], stdin=subprocess.PIPE, stdout=o)
    with open(err, "wb") as e:
        d = subprocess.Popen([DRAINIT, "-c", ini], stdout=reader.stdin, stderr=e,
                             stdin=subprocess.DEVNULL)
    reader.stdin.close()

    def log():
        with open(err) as f:
            return f.read()
    try:
        wait_until(lambda: len(re.findall(r"service \w+ \(pid \d+\): starting", log())) == 2,
                   "both services started")
        time.sleep(0.2)
        base = vm(d.pid, "VmHWM")
        open(go, "w").close()  # the services start writing as fast as they can
        time.sleep(1.5)         # the reader still sleeps
        grown = vm(d.pid, "VmHWM") - base
        check("exited" not in log(), "a service finished although nobody read: output was dropped "
              "or buffered without bound\n" + log())
        check(grown < BOUND_KB, f"drainit grew by {grown} kB while the reader slept (bound {BOUND_KB} kB)")
        rc = d.wait(timeout=60)
        reader.wait(timeout=60)
        check(rc == 0, f"drainit exited {rc}\n{log()}")
        seqs = {"a": 0, "bb": 0}
        with open(out) as f:
            for line in f:
                w = line.split()  # "a | a 000001 9e3779b1 b"
                name = w[0]
                if len(w) < 5 or w[1] != "|" or w[2] != name or name not in seqs \
                        or line[:5] != f"{name:2} | " or int(w[3]) != seqs[name] + 1:
                    raise Failure(f"broken, misattributed or out-of-order line: {line[:100]!r}")
                seqs[name] += 1
        check(seqs == {"a": N, "bb": N}, f"lines received: {seqs}, want {N} each")
    finally:
        for p in (d, reader):
            if p.poll() is None:
                p.kill()
                p.wait()
    subprocess.run(["rm", "-rf", tmp], check=False)


def negative_control_detector_sees_a_buffering_reader():
    """A process that keeps everything it reads must show up as growth."""
    hog = subprocess.Popen(["python3", "-c",
                            "import sys, time\n"
                            "d = sys.stdin.buffer.read()\n"
                            "print(len(d), flush=True)\n"
                            "time.sleep(10)\n"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        time.sleep(0.3)
        base = vm(hog.pid, "VmHWM")
        feed = subprocess.Popen([TPROC, "lines", "a", str(N)], stdout=hog.stdin)
        hog.stdin.close()
        feed.wait(timeout=30)
        hog.stdout.readline()
        grown = vm(hog.pid, "VmHWM") - base
        check(grown >= BOUND_KB, f"detector missed a reader that buffered everything (+{grown} kB)")
    finally:
        hog.kill()
        hog.wait()


if __name__ == "__main__":
    run(slow_reader_does_not_grow_drainit, negative_control_detector_sees_a_buffering_reader)
