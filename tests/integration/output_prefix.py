"""Claim: with stdout/stderr = prefix (the default with more than one service) every line a
service writes reaches drainit's stdout/stderr whole, as "name | line" with names padded,
in the service's order, none lost, even with two services writing 100 000 lines each as
fast as they can; a last line without a newline gets one; a line over 16 KiB is split,
never dropped; the lines a service writes while it stops are out before drainit exits;
one service without settings keeps drainit's stdout as it is."""
import hashlib
import os
import re

from harness import TSVC, Drainit, check, run

TPROC = os.environ["TPROC"]
LINE_MAX = 16384
ALPHA = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ"


def expected_line(name, seq):
    """What tproc lines NAME N writes as line seq (see tests/helpers/tproc.c)."""
    pad = "".join(ALPHA[(seq + i) % len(ALPHA)] for i in range(seq % 37))
    return f"{name} {seq:06d} {(seq * 2654435761) & 0xffffffff:08x} {pad}"


def two_services_100k_lines_each():
    n = 100_000
    ini = f"""
[service:a]
command = {TPROC} lines a {n}
[service:bee]
command = {TPROC} lines bee {n}
"""
    with Drainit(ini=ini) as d:
        d.expect_rc(0)
        with open(d.out_path, "rb") as f:
            data = f.read()
        check(data.endswith(b"\n"), "output does not end with a newline", d)
        got = {"a": [], "bee": []}
        for line in data.decode().split("\n")[:-1]:
            m = re.fullmatch(r"(a  |bee) \| (.*)", line)
            if not m:
                d.fail(f"line not whole or not attributed: {line[:120]!r}")
            got[m.group(1).strip()].append(m.group(2))
        for name, lines in got.items():
            check(len(lines) == n, f"{name}: {len(lines)} lines, want {n}", d)
            want = hashlib.sha256("\n".join(expected_line(name, i) for i in range(1, n + 1)).encode())
            have = hashlib.sha256("\n".join(lines).encode())
            if want.digest() != have.digest():
                bad = next(i for i, l in enumerate(lines, 1) if l != expected_line(name, i))
                d.fail(f"{name}: checksum differs; first bad line {bad}: {lines[bad - 1][:80]!r}")


def final_line_without_newline_and_stderr():
    ini = """
[service:partial]
command = sh -c 'echo first; printf "last words, no newline"'
[service:err]
command = sh -c 'echo to-stderr >&2; printf tail >&2'
"""
    with Drainit(ini=ini) as d:
        d.expect_rc(0)
        check(d.out().splitlines() == ["partial | first", "partial | last words, no newline"],
              f"stdout: {d.out()!r}", d)
        d.wait_for(r"^err     \| to-stderr$")
        d.wait_for(r"^err     \| tail$")


def long_line_split_never_dropped():
    size = 40_000
    ini = f"""
[service:big]
command = {TPROC} bigline {size}
stdout = prefix
"""
    with Drainit(ini=ini) as d:
        d.expect_rc(0)
        lines = d.out().splitlines()
        check(all(l.startswith("big | ") for l in lines), "unprefixed piece", d)
        pieces = [l[len("big | "):] for l in lines]
        check([len(p) for p in pieces] == [LINE_MAX, LINE_MAX, size - 2 * LINE_MAX, len("after")],
              f"pieces of {[len(p) for p in pieces]}", d)
        want = "".join(chr(ord("a") + i % 26) for i in range(size))
        check("".join(pieces[:3]) == want, "split line content differs", d)


def exactly_16k_is_one_line():
    ini = f"""
[service:big]
command = {TPROC} bigline {LINE_MAX}
stdout = prefix
"""
    with Drainit(ini=ini) as d:
        d.expect_rc(0)
        lines = d.out().splitlines()
        check([len(l) for l in lines] == [len("big | ") + LINE_MAX, len("big | after")],
              f"lines of {[len(l) for l in lines]}", d)


def last_lines_at_shutdown_are_written():
    """The service writes 20 000 lines after SIGTERM and exits: all are out before drainit exits."""
    ini = f"""
[service:web]
command = sh -c 'trap "{TPROC} lines web 20000; echo bye; exit 0" TERM; echo up; while :; do sleep 0.05; done'
[service:idle]
command = {TSVC} --name idle
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"^web  \| up$", stream="out")
        d.wait_for(r"idle \| idle: ready", stream="out")
        d.stop(0)
        lines = [l for l in d.out().splitlines() if l.startswith("web  | web ")]
        check(len(lines) == 20000, f"{len(lines)} of 20000 lines written at shutdown", d)
        check("web  | bye\n" in d.out(), "last line missing", d)


def timestamps_null_and_inherit():
    ini = f"""
[drainit]
log_timestamps = true
[service:ts]
command = sh -c 'echo stamped'
[service:quiet]
command = sh -c 'echo dropped; echo dropped-too >&2'
stdout = null
stderr = null
[service:raw]
command = sh -c 'echo raw-line'
stdout = inherit
"""
    with Drainit(ini=ini) as d:
        d.expect_rc(0)
        out = d.out()
        check(re.search(r"^ts    \| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z stamped$", out, re.M),
              "no time-stamped prefix line", d)
        check("dropped" not in out and "| dropped-too" not in d.log(), "null output was written", d)
        check(re.search(r"^raw-line$", out, re.M), "inherit output missing", d)


def single_command_inherits_stdout():
    with Drainit(["--", TPROC, "lines", "one", "3"]) as d:
        d.expect_rc(0)
        check(d.out().splitlines() == [expected_line("one", i) for i in (1, 2, 3)],
              f"single-command output changed: {d.out()!r}", d)


if __name__ == "__main__":
    run(two_services_100k_lines_each, final_line_without_newline_and_stderr,
        long_line_split_never_dropped, exactly_16k_is_one_line,
        last_lines_at_shutdown_are_written, timestamps_null_and_inherit,
        single_command_inherits_stdout)
