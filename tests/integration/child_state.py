"""Claim: a service starts in its own process group with no blocked or ignored signals
and only fds 0-2, even when drainit itself inherited an ignored signal and an open fd;
the detector fires on a process that does carry such state (negative control). A
drainit started with SIGCHLD ignored still sees its services exit, with their status
(an ignored SIGCHLD makes the kernel reap children itself: the negative control shows
that a process which keeps it ignored gets ECHILD instead of its child's status)."""
import os
import signal
import subprocess

from harness import TSVC, Drainit, check, children_of, run


def parse_state(text, name):
    st = {}
    for line in text.splitlines():
        if not line.startswith(name + ": "):
            continue
        body = line[len(name) + 2:]
        if body.startswith("SigBlk:"):
            st["blk"] = int(body.split()[1], 16)
        elif body.startswith("SigIgn:"):
            st["ign"] = int(body.split()[1], 16)
        elif body.startswith("pgid="):
            kv = dict(x.split("=") for x in body.split())
            st["pgid"], st["pid"] = int(kv["pgid"]), int(kv["pid"])
        elif body.startswith("fds:"):
            st["fds"] = sorted(int(x) for x in body[4:].split())
    return st


def inherit_junk():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    signal.signal(signal.SIGUSR2, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})


def service_gets_clean_state(pid1=True):
    r, w = os.pipe()
    os.set_inheritable(r, True)
    try:
        with Drainit(["--", TSVC, "--name", "st", "--state"], pid1=pid1,
                     pass_fds=(r,), preexec_fn=inherit_junk) as d:
            d.wait_for(r"st: fds:", stream="out")
            st = parse_state(d.out(), "st")
            check(st.get("blk") == 0, f"service starts with blocked signals: {st}", d)
            check(st.get("ign") == 0, f"service starts with ignored signals: {st}", d)
            check(st.get("pgid") == st.get("pid"), f"service is not its group's leader: {st}", d)
            check(st.get("fds") == [0, 1, 2], f"service sees fds {st.get('fds')}", d)
            d.stop(143)
    finally:
        os.close(r)
        os.close(w)


def clean_state_as_pid1():
    service_gets_clean_state(True)


def clean_state_as_subreaper():
    service_gets_clean_state(False)


def negative_control_detector_sees_junk():
    r, w = os.pipe()
    os.set_inheritable(r, True)
    try:
        out = subprocess.run([TSVC, "--name", "st", "--state", "--exit-after", "0"], pass_fds=(r,),
                             preexec_fn=inherit_junk, capture_output=True, text=True,
                             timeout=10, check=False).stdout
    finally:
        os.close(r)
        os.close(w)
    st = parse_state(out, "st")
    check(st.get("ign", 0) != 0, f"detector missed ignored signals: {st}")
    check(st.get("blk", 0) != 0, f"detector missed blocked signals: {st}")
    check(r in st.get("fds", []), f"detector missed inherited fd {r}: {st}")


def ignore_sigchld():
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)


def sigchld_ignored_by_the_parent(pid1=True):
    with Drainit(["--", TSVC, "--name", "c", "--exit-after", "300", "--code", "3"],
                 pid1=pid1, preexec_fn=ignore_sigchld) as d:
        d.wait(timeout=15)
        d.expect_rc(3)
        d.wait_for(r"service tsvc \(pid \d+\): exited with status 3", timeout=5)


def sigchld_ignored_as_pid1():
    sigchld_ignored_by_the_parent(True)


def sigchld_ignored_as_subreaper():
    sigchld_ignored_by_the_parent(False)


def negative_control_ignored_sigchld_loses_the_status():
    code = ("import os, signal\n"
            "signal.signal(signal.SIGCHLD, signal.SIG_IGN)\n"
            "pid = os.fork()\n"
            "if pid == 0:\n"
            "    os._exit(3)\n"
            "try:\n"
            "    print(os.waitpid(pid, 0)[1])\n"
            "except ChildProcessError:\n"
            "    print('ECHILD')\n")
    out = subprocess.run(["python3", "-c", code], capture_output=True, text=True, timeout=10,
                         check=False).stdout.strip()
    check(out == "ECHILD", f"an ignored SIGCHLD did not make the kernel reap the child: {out!r}")


def blocked_without_signalfd(pid):
    """True while pid runs drainit (not the unshare it was forked from, which blocks
    SIGTERM itself), has SIGTERM blocked and no signalfd open yet."""
    try:
        with open(f"/proc/{pid}/status") as f:
            st = dict(x.split(":", 1) for x in f.read().splitlines() if ":" in x)
        if st["Name"].strip() != "drainit":
            return False
        if not int(st["SigBlk"], 16) & (1 << (signal.SIGTERM - 1)):
            return False
        for fd in os.listdir(f"/proc/{pid}/fd"):
            if "signalfd" in os.readlink(f"/proc/{pid}/fd/{fd}"):
                return False
    except (FileNotFoundError, ProcessLookupError, KeyError):
        return False
    return True


def sigterm_while_reading_the_config_is_kept():
    """As PID 1, drainit blocks its signals before it reads the configuration, so a
    SIGTERM that comes while it still reads a long file stays pending and starts the
    staged shutdown once the loop runs; unhandled, the kernel would drop it (a PID 1 has
    no default action) and the services would start and run on. The poll sends SIGTERM
    in the moment drainit has the signal blocked but no signalfd yet: when the block
    came only with the signalfd, that moment never shows and the test fails."""
    env = "\n".join(f"env = VAR{i}=value{i}" for i in range(20000))
    ini = f"[service:a]\ncommand = {TSVC} --name a\n{env}\n"
    with Drainit(ini=ini) as d:
        sent = False
        for _ in range(200000):    # no sleep: the moment lasts a few ms
            kids = children_of(d.proc.pid)
            if kids and blocked_without_signalfd(kids[0]):
                os.kill(kids[0], signal.SIGTERM)
                sent = True
                break
        check(sent, "never saw SIGTERM blocked before the signalfd existed", d)
        d.expect_rc(0)
        d.wait_for(r"shutdown: stage unready \(SIGTERM received\)")


if __name__ == "__main__":
    run(clean_state_as_pid1, clean_state_as_subreaper, negative_control_detector_sees_junk,
        sigchld_ignored_as_pid1, sigchld_ignored_as_subreaper,
        negative_control_ignored_sigchld_loses_the_status, sigterm_while_reading_the_config_is_kept)
