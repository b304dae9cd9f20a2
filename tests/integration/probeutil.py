"""Helpers for the probe server scenarios: free ports, curl as the
HTTP client, bounded polling."""
import os
import socket
import subprocess
import time

SLOWHTTP = os.environ["SLOWHTTP"]
TNOTIFY = os.environ["TNOTIFY"]


def free_port():
    """A TCP port nothing listens on right now (bind to 0, read, close)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Response:
    def __init__(self, rc, code, headers, body):
        self.rc, self.code, self.headers, self.body = rc, code, headers, body

    def __repr__(self):
        return f"<curl rc={self.rc} {self.code} {self.headers} {self.body!r}>"


def curl(url, *args, timeout=5):
    """One request with curl; the status, headers (lower-case names) and body."""
    p = subprocess.run(["curl", "-s", "-i", "--max-time", str(timeout), *args, url],
                       capture_output=True, timeout=timeout + 5, check=False)
    raw = p.stdout.decode(errors="replace")
    head, _, body = raw.partition("\r\n\r\n")
    lines = head.split("\r\n")
    code = int(lines[0].split()[1]) if lines and lines[0].startswith("HTTP/") else None
    headers = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        headers[k.strip().lower()] = v.strip()
    return Response(p.returncode, code, headers, body)


def wait_until(fn, timeout=10, step=0.05, what="condition", d=None):
    """Polls fn() until it returns a true value; fails after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            msg = f"timed out after {timeout}s waiting for {what} (last: {v!r})"
            if d is not None:
                d.fail(msg)
            raise AssertionError(msg)
        time.sleep(step)
