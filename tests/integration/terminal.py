"""Claim: in single-command mode on a terminal, the command gets the terminal's
foreground, so it can read from it (it is not stopped by SIGTTIN)."""
import os
import pty
import select
import subprocess
import time

from harness import DRAINIT, check, run


def command_can_read_the_terminal():
    master, slave = pty.openpty()
    name = os.ttyname(slave)

    def make_controlling():
        os.setsid()
        fd = os.open(name, os.O_RDWR)  # first tty opened by a session leader: controlling
        for i in (0, 1, 2):
            os.dup2(fd, i)

    p = subprocess.Popen([DRAINIT, "--", "head", "-1"], preexec_fn=make_controlling,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    os.close(slave)
    out = b""
    try:
        deadline = time.monotonic() + 10
        while b"starting" not in out and time.monotonic() < deadline:
            if select.select([master], [], [], 0.1)[0]:
                out += os.read(master, 4096)
        time.sleep(0.2)
        os.write(master, b"hello from the terminal\n")
        rc = p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        rc = None
    while select.select([master], [], [], 0.1)[0]:
        try:
            out += os.read(master, 4096)
        except OSError:
            break
    os.close(master)
    check(rc == 0, f"drainit -- head -1 on a terminal: rc {rc}; terminal showed:\n{out.decode(errors='replace')}")
    check(out.count(b"hello from the terminal") >= 2, f"head did not echo the line:\n{out.decode(errors='replace')}")


if __name__ == "__main__":
    run(command_can_read_the_terminal)
