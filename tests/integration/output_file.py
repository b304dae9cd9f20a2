"""Claim: stdout/stderr = file:PATH appends (O_APPEND) the service's lines to PATH;
SIGHUP to drainit reopens the file (logrotate moved it) and is still forwarded to the
services; a full disk is logged once and blocks neither drainit nor the service; a file
that cannot be opened is a start failure naming the path."""
import os
import re
import signal
import time

from harness import TSVC, Drainit, check, run

TPROC = os.environ["TPROC"]


def appends_and_reopens_on_sighup():
    ini = f"""
[service:web]
command = {TSVC} --name web --report --term-delay 0
stdout = file:@DIR@/web.log
stderr = file:@DIR@/web.log
[service:other]
command = {TSVC} --name other --report --term-delay 0
"""
    with Drainit(ini=ini) as d:
        log = os.path.join(d.dir, "web.log")
        d.wait_for(r"other \| other: ready", stream="out")

        def content(path):
            try:
                with open(path) as f:
                    return f.read()
            except FileNotFoundError:
                return ""

        def wait_file(path, pattern):
            deadline = time.monotonic() + 10
            while not re.search(pattern, content(path), re.M):
                if time.monotonic() > deadline:
                    d.fail(f"{path} never matched /{pattern}/: {content(path)!r}")
                time.sleep(0.01)

        wait_file(log, r"^web: ready pid=\d+$")
        os.rename(log, log + ".1")  # what logrotate does
        d.signal(signal.SIGHUP)
        d.wait_for(rf"reopened output file {re.escape(log)}$")
        d.wait_for(r"forwarded SIGHUP to 2 services")
        wait_file(log, r"^web: got HUP$")
        check("got HUP" not in content(log + ".1"), "line went to the rotated file", d)
        check("web: ready" in content(log + ".1"), "old lines lost", d)
        d.stop(0)
        check("web:" not in d.out(), "file output also went to stdout", d)


def appends_to_existing_file():
    ini = f"""
[service:a]
command = {TPROC} lines a 3
stdout = file:@DIR@/a.log
"""
    with Drainit(ini=ini) as d:
        # the file is created by drainit; the existing-content case is checked below
        d.expect_rc(0)
        with open(os.path.join(d.dir, "a.log")) as f:
            first = f.read()
        check(len(first.splitlines()) == 3 and first.startswith("a 000001 "), f"a.log: {first!r}", d)
    pre = os.path.join("/tmp", f"drainit-it-append-{os.getpid()}.log")
    with open(pre, "w") as f:
        f.write("kept\n")
    try:
        with Drainit(ini=f"[service:a]\ncommand = {TPROC} lines a 2\nstdout = file:{pre}\n") as d:
            d.expect_rc(0)
            with open(pre) as f:
                lines = f.read().splitlines()
            check(lines[0] == "kept" and len(lines) == 3, f"not appended: {lines}", d)
    finally:
        os.unlink(pre)


def full_disk_logged_once_and_never_blocks():
    ini = f"""
[service:full]
command = {TPROC} lines full 50000
stdout = file:/dev/full
[service:ok]
command = {TPROC} lines ok 5
"""
    with Drainit(ini=ini) as d:
        d.expect_rc(0)  # the service could write everything and exit 0
        d.wait_for(r"service full \(pid \d+\): exited with status 0")
        warns = re.findall(r"warning: service full: cannot write output file /dev/full: No space left on device", d.log())
        check(len(warns) == 1, f"{len(warns)} warnings about the full disk, want 1", d)
        check(len([l for l in d.out().splitlines() if l.startswith("ok   | ok ")]) == 5,
              "the other service's output suffered", d)


def unopenable_file_is_a_start_failure():
    ini = f"""
[service:w]
command = {TPROC} lines w 1
stdout = file:/nonexistent-dir/w.log
"""
    with Drainit(ini=ini) as d:
        d.expect_rc(126)
        d.wait_for(r"error: service w: failed to start: open /nonexistent-dir/w.log: No such file or directory$")


if __name__ == "__main__":
    run(appends_and_reopens_on_sighup, appends_to_existing_file,
        full_disk_logged_once_and_never_blocks, unopenable_file_is_a_start_failure)
