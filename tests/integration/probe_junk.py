"""Claim: the probe server answers 400 at once, and closes, when the first bytes of a
connection cannot begin an HTTP request line (65 bytes and more of junk with no line
end in one piece, a TLS ClientHello) or when the head buffer fills up without a line
end; it does not hold the connection for the idle timeout. A valid request that is
still arriving (no line end yet) is not answered early, and is answered once complete."""
import socket
import time

from harness import TSVC, Drainit, check, run
from probeutil import curl, free_port

IDLE_S = 5.0   # PROBE_IDLE_MS: an unanswered connection is closed after this
BOUND_S = 2.5  # generous for "at once", and clearly less than IDLE_S


def client_hello():
    """A TLS 1.2/1.3 ClientHello record for "localhost", as a TLS client sends it
    first; no byte of it is a line end."""
    rnd = bytes((i * 37 + 11) % 256 for i in range(32))
    ciphers = bytes.fromhex("130113021303c02bc02fc02cc030cca9cca8c013c014009c009d002f0035")
    sni_name = b"localhost"
    sni = (b"\x00\x00" + (len(sni_name) + 5).to_bytes(2, "big") + (len(sni_name) + 3).to_bytes(2, "big")
           + b"\x00" + len(sni_name).to_bytes(2, "big") + sni_name)
    groups = bytes.fromhex("000a00080006001d00170018")
    versions = bytes.fromhex("002b0003020304")
    exts = sni + groups + versions
    body = (b"\x03\x03" + rnd + b"\x20" + rnd[::-1] + len(ciphers).to_bytes(2, "big") + ciphers
            + b"\x01\x00" + len(exts).to_bytes(2, "big") + exts)
    hs = b"\x01" + len(body).to_bytes(3, "big") + body
    rec = b"\x16\x03\x01" + len(hs).to_bytes(2, "big") + hs
    return rec.replace(b"\n", b"\x0b")


def ini(port):
    return f"""
[drainit]
probe_listen = 127.0.0.1:{port}
[service:web]
command = {TSVC} --name web
"""


def send_and_read(port, data, timeout):
    """Sends data (no line end unless it has one), then reads until the server
    closes or timeout passes. Returns (bytes, seconds until closed or None)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(data)
        t0 = time.monotonic()
        s.settimeout(timeout)
        got = b""
        try:
            while True:
                b = s.recv(4096)
                if not b:
                    return got, time.monotonic() - t0
                got += b
        except socket.timeout:
            return got, None


def junk_is_answered_at_once():
    port = free_port()
    junk65 = bytes((0x80 + i * 13) % 256 for i in range(65)).replace(b"\n", b"\x01")
    hello = client_hello()
    check(len(hello) > 65 and b"\n" not in hello, f"bad test input: {len(hello)} bytes")
    cases = {
        "65 bytes of junk": junk65,
        "a TLS ClientHello": hello,
        "an SSH client banner without its line end": b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3 " + b"x" * 40,
        "a full head buffer without a line end": b"GET /" + b"a" * (8192 - 5),
    }
    with Drainit(ini=ini(port)) as d:
        d.wait_for(r"probe server listening")
        for what, data in cases.items():
            got, closed = send_and_read(port, data, BOUND_S)
            check(got.startswith(b"HTTP/1.1 400 Bad Request\r\n"),
                  f"{what}: no 400 within {BOUND_S}s: {got[:80]!r}", d)
            check(b"\r\nConnection: close\r\n" in got, f"{what}: {got!r}", d)
            check(closed is not None, f"{what}: answered but not closed within {BOUND_S}s", d)
        r = curl(f"http://127.0.0.1:{port}/livez")
        check(r.code == 200, f"drainit unwell after junk: {r}", d)
        d.stop(0)


def partial_request_is_not_answered_early():
    """Negative control: a valid request still arriving, short or past the first 64
    bytes, gets no answer until its head is complete, then the right one."""
    port = free_port()
    with Drainit(ini=ini(port)) as d:
        d.wait_for(r"probe server listening")
        for first in (b"GET /rea", b"GET /readyz?" + b"pad=1&" * 15 + b"verbose"):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(first)
                s.settimeout(1.0)
                try:
                    early = s.recv(4096)
                except socket.timeout:
                    early = None
                check(early is None, f"{first!r}: answered before the head was complete: {early!r}", d)
                rest = b"dyz HTTP/1.1\r\n\r\n" if first == b"GET /rea" else b" HTTP/1.1\r\n\r\n"
                s.settimeout(5)
                s.sendall(rest)
                got = s.recv(4096)
                check(got.startswith(b"HTTP/1.1 "), f"{first!r}: {got!r}", d)
                check(not got.startswith(b"HTTP/1.1 400"), f"{first!r} refused: {got!r}", d)
        d.stop(0)


def partial_head_is_still_closed_at_the_idle_timeout():
    """The idle timeout itself is unchanged: a partial valid request is closed
    unanswered after PROBE_IDLE_MS (bounded generously)."""
    port = free_port()
    with Drainit(ini=ini(port)) as d:
        d.wait_for(r"probe server listening")
        got, closed = send_and_read(port, b"GET /readyz HTTP/1.1\r\nHost: x", IDLE_S + 10)
        check(got == b"" and closed is not None, f"partial head: {got!r} closed={closed}", d)
        check(closed > BOUND_S, f"partial head closed after {closed:.2f}s, before the idle timeout", d)
        d.stop(0)


if __name__ == "__main__":
    run(junk_is_answered_at_once, partial_request_is_not_answered_early,
        partial_head_is_still_closed_at_the_idle_timeout)
