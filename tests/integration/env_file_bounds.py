"""Claim: an env_file must be a regular file of at most 1 MiB. `drainit --check` on a
config whose env_file is /dev/zero, a FIFO nobody writes to, a directory or a file over
1 MiB exits 78 with one FILE:LINE error line naming the service and the key, promptly
(it neither reads without end nor waits); a normal env_file, and one of exactly 1 MiB,
passes."""
import os
import re
import shutil
import tempfile

from harness import TSVC, Drainit, check, run

TIMEOUT_S = 10  # bounded wait: the old reader took seconds on /dev/zero, forever on a FIFO
MIB = 1024 * 1024


def ini_with(env_file):
    return f"""[drainit]
grace_period = 1s

[service:web]
command = {TSVC} --name web
env_file = {env_file}
"""


def env_lines(nbytes):
    """Exactly nbytes of valid env_file text: 64-byte settings, then blank lines."""
    line = b"A=" + b"x" * 61 + b"\n"
    return line * (nbytes // len(line)) + b"\n" * (nbytes % len(line))


def refused(env_file, reason):
    with Drainit(["--check"], ini=ini_with(env_file), pid1=False) as d:
        d.wait(timeout=TIMEOUT_S)
        d.expect_rc(78)
        want = rf"^{re.escape(d.ini)}:6: \[service:web\] env_file: {reason}$"
        d.wait_for(want, timeout=1)
        check(len([l for l in d.lines() if "env_file" in l]) == 1, "more than one env_file line", d)


def bad_env_files_are_refused_at_once():
    tmp = tempfile.mkdtemp(prefix="drainit-it-envb-")
    try:
        fifo = os.path.join(tmp, "fifo")
        os.mkfifo(fifo)
        big = os.path.join(tmp, "big.env")
        with open(big, "wb") as f:
            f.write(env_lines(MIB + 1))
        check(os.path.getsize(big) == MIB + 1, "bad test input")
        refused("/dev/zero", re.escape("'/dev/zero' is a character device, not a regular file"))
        refused(fifo, re.escape(f"'{fifo}' is a FIFO, not a regular file"))
        refused(tmp, re.escape(f"'{tmp}' is a directory, not a regular file"))
        refused(big, re.escape(f"'{big}' is larger than 1 MiB ({MIB + 1} bytes)"))
    finally:
        shutil.rmtree(tmp)


def normal_env_files_pass():
    """Negative control: the same config with a regular file, small or of exactly
    1 MiB, is valid."""
    tmp = tempfile.mkdtemp(prefix="drainit-it-envb-")
    try:
        small = os.path.join(tmp, "small.env")
        with open(small, "w") as f:
            f.write("PORT=8080\nexport NAME='a b'\n")
        exact = os.path.join(tmp, "exact.env")
        with open(exact, "wb") as f:
            f.write(env_lines(MIB))
        check(os.path.getsize(exact) == MIB, "bad test input")
        for path, nvars in ((small, 2), (exact, MIB // 64)):
            with Drainit(["--check"], ini=ini_with(path), pid1=False) as d:
                d.wait(timeout=TIMEOUT_S)
                d.expect_rc(0)
                check(f"env_file {path} ({nvars} variables)" in d.out(), "no env_file summary", d)
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    run(bad_env_files_are_refused_at_once, normal_env_files_pass)
