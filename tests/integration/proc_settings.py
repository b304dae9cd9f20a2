"""Claim: a service runs with the process settings of its section: user and
group with the user's supplementary groups, env / env_file / clear_env, rlimits, umask,
nice, oom_score_adjust, stdin = null; a step that fails between fork and exec is one
clear log line naming the service, the step and errno, and the service counts as
failed to start, never as "exited with status 127"; an unknown user is a config error
with FILE:LINE and nothing starts."""
import grp
import os
import pwd
import re
import shutil
import subprocess
import tempfile

from harness import DRAINIT, Drainit, check, public_copy, run

TPROC = os.environ["TPROC"]

# ASan reserves terabytes of address space: no limit_as/limit_data under it
SANITIZED = bool(os.environ.get("DRAINIT_SANITIZED"))


class TestUser:
    """A throwaway user with a supplementary group (useradd), removed afterwards."""

    def __init__(self):
        tag = f"{os.getpid() % 100000}"
        self.name, self.supp = f"drit{tag}", f"drit{tag}s"
        subprocess.run(["groupadd", self.supp], check=True, capture_output=True)
        subprocess.run(["useradd", "-M", "-N", "-g", "nogroup", "-G", self.supp,
                        "-d", "/nonexistent", "-s", "/usr/sbin/nologin", self.name],
                       check=True, capture_output=True)
        self.pw = pwd.getpwnam(self.name)
        self.supp_gid = grp.getgrnam(self.supp).gr_gid

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        subprocess.run(["userdel", self.name], capture_output=True, check=False)
        subprocess.run(["groupdel", self.supp], capture_output=True, check=False)
        return False


def ids_of(d, name):
    m = d.wait_for(rf"^{name} +\| ids uid=(\d+) gid=(\d+) euid=(\d+) egid=(\d+) groups=([\d,]*)$",
                   stream="out")
    uid, gid, euid, egid = (int(x) for x in m.groups()[:4])
    groups = {int(x) for x in m.group(5).split(",") if x}
    return uid, gid, euid, egid, groups


def user_drop_sets_groups_gid_uid():
    tproc = public_copy(TPROC)  # exec'd as the test user and as 65534
    with TestUser() as u:
        ini = f"""
[service:named]
command = {tproc} ids
user = {u.name}
[service:withgroup]
command = {tproc} ids
user = {u.name}
group = {u.supp}
[service:numeric]
command = {tproc} ids
user = 65534
group = 65534
[service:envof]
command = {tproc} env USER LOGNAME HOME
user = {u.name}
env = HOME=/srv/custom
"""
        with Drainit(ini=ini) as d:
            d.expect_rc(0)
            uid, gid, euid, egid, groups = ids_of(d, "named")
            check((uid, euid) == (u.pw.pw_uid, u.pw.pw_uid), f"uid {uid}/{euid}", d)
            check((gid, egid) == (u.pw.pw_gid, u.pw.pw_gid), f"gid {gid}/{egid}", d)
            check(groups == {u.pw.pw_gid, u.supp_gid}, f"groups {groups}", d)
            uid, gid, _, _, groups = ids_of(d, "withgroup")
            check(uid == u.pw.pw_uid and gid == u.supp_gid, f"group= not applied: {uid} {gid}", d)
            check(u.supp_gid in groups, f"groups {groups}", d)
            uid, gid, _, _, groups = ids_of(d, "numeric")
            check((uid, gid, groups) == (65534, 65534, {65534}), f"numeric ids: {uid} {gid} {groups}", d)
            # the user's identity reaches the environment, unless env says otherwise
            for want in (f"envof     | env USER={u.name}", f"envof     | env LOGNAME={u.name}",
                         "envof     | env HOME=/srv/custom"):
                check(want + "\n" in d.out(), f"missing {want!r}", d)


def env_file_env_and_clear_env():
    env_file = """# comment line
export FROMFILE="two words \\"quoted\\""
SINGLE='$HOME stays'
OVERRIDDEN=from-file
  SPACED = x y   # unquoted: taken as written
"""
    tmp = tempfile.mkdtemp(prefix="drainit-it-env-")
    write(tmp, "svc.env", env_file)
    ini = f"""
[service:keep]
command = {TPROC} env FROMFILE SINGLE OVERRIDDEN SPACED EXTRA DRAINIT_IT_MARK
env_file = {tmp}/svc.env
env = OVERRIDDEN=from-env
env = EXTRA=a=b
stdout = prefix
[service:clear]
command = {TPROC} env DRAINIT_IT_MARK PATH EXTRA
clear_env = true
env = EXTRA=1
stdout = prefix
"""
    with Drainit(ini=ini, env=dict(os.environ, DRAINIT_IT_MARK="inherited")) as d:
        d.expect_rc(0)
        out = d.out()
        for want in ("keep  | env FROMFILE=two words \"quoted\"",
                     "keep  | env SINGLE=$HOME stays",
                     "keep  | env OVERRIDDEN=from-env",
                     "keep  | env SPACED=x y   # unquoted: taken as written",
                     "keep  | env EXTRA=a=b",
                     "keep  | env DRAINIT_IT_MARK=inherited",
                     "clear | env DRAINIT_IT_MARK unset",
                     f"clear | env PATH={os.environ['PATH']}",
                     "clear | env EXTRA=1",
                     "clear | env count=2"):
            check(want + "\n" in out, f"missing {want!r}", d)
    shutil.rmtree(tmp)


def write(dirpath, name, text):
    with open(os.path.join(dirpath, name), "w") as f:
        f.write(text)


def limits_umask_nice_oom_stdin():
    ini = f"""
[service:s]
command = {TPROC} settings
limit_nofile = 123:456
limit_fsize = 1M:infinity
limit_nproc = 2000
limit_core = 0
limit_memlock = 1M:4M
limit_stack = 4M:16M
{"" if SANITIZED else "limit_as = 2G:infinity" + chr(10) + "limit_data = 1G" + chr(10)}limit_cpu = 3600:unlimited
umask = 0027
nice = 7
oom_score_adjust = 250
stdin = null
[service:t]
command = {TPROC} settings
"""
    with Drainit(ini=ini) as d:
        d.expect_rc(0)
        out = d.out()
        for want in ("s | limit nofile 123:456", "s | limit fsize 1048576:infinity",
                     "s | limit nproc 2000:2000", "s | limit core 0:0",
                     "s | limit memlock 1048576:4194304", "s | limit stack 4194304:16777216",
                     *([] if SANITIZED else ["s | limit as 2147483648:infinity",
                                             "s | limit data 1073741824:1073741824"]),
                     "s | limit cpu 3600:infinity", "s | umask 0027", "s | nice 7",
                     "s | oom_score_adj 250", "s | stdin /dev/null"):
            check(want + "\n" in out, f"missing {want!r}", d)
        # a service without settings keeps drainit's (negative control for the detector)
        check("t | limit nofile 123:456" not in out and "t | nice 0\n" in out,
              "settings leaked to another service", d)


def a_limit_that_cannot_be_set_is_named():
    """A limit the kernel refuses (an open-file limit above fs.nr_open fails even for
    root) fails the start with the key's name in the line."""
    with open("/proc/sys/fs/nr_open") as f:
        too_many = int(f.read()) + 1
    with Drainit(ini=f"[service:s]\ncommand = {TPROC} settings\nlimit_nofile = {too_many}\n"
                     "restart = no\n") as d:
        d.wait_for(r"service s \(pid \d+\): failed to start: setrlimit: limit_nofile: "
                   r"Operation not permitted")
        d.expect_rc(126)


def stdin_inherit_vs_null():
    ini = f"""
[service:inh]
command = {TPROC} settings
[service:nul]
command = {TPROC} settings
stdin = null
"""
    # drainit's stdin is a pipe here (the harness gives it /dev/null otherwise)
    with Drainit(ini=ini, pid1=False, wrap=["sh", "-c", 'true | "$@"', "sh"]) as d:
        d.expect_rc(0)
        check(re.search(r"^inh \| stdin pipe:\[\d+\]$", d.out(), re.M), "stdin not inherited", d)
        check("nul | stdin /dev/null\n" in d.out(), "stdin = null not applied", d)


def missing_binary_is_one_clear_line():
    with Drainit(ini="[service:web]\ncommand = /nonexistent/bin/web --port 1\n") as d:
        d.expect_rc(127)
        d.wait_for(r"drainit: error: service web \(pid \d+\): failed to start: exec: /nonexistent/bin/web: No such file or directory$")
        check("exited with status 127" not in d.log(), "exec failure reported as an exit", d)


def steps_run_as_the_service_user():
    """chdir and exec happen after the drop: a root-only directory or program is refused."""
    tproc = public_copy(TPROC)  # so that the directory is what is refused
    secret = "/tmp/drainit-it-secret-%d" % os.getpid()
    os.makedirs(secret, mode=0o700, exist_ok=True)
    prog = os.path.join(secret, "..", "drainit-it-rootonly-%d" % os.getpid())
    shutil.copy(TPROC, prog)
    os.chmod(prog, 0o700)
    try:
        ini = f"""
[service:dir]
command = {tproc} ids
user = nobody
directory = {secret}
[service:prog]
command = {prog} ids
user = nobody
"""
        with Drainit(ini=ini) as d:
            d.expect_rc(126)
            d.wait_for(r"service dir \(pid \d+\): failed to start: chdir: Permission denied$")
            d.wait_for(r"service prog \(pid \d+\): failed to start: exec: Permission denied$")
            check("exited with status" not in d.log(), "start failure reported as an exit", d)
    finally:
        os.unlink(prog)
        os.rmdir(secret)


def drop_refused_without_privilege():
    """drainit itself unprivileged: the user switch fails in the child, named by its step."""
    tmp = tempfile.mkdtemp(prefix="drainit-it-unpriv-")
    os.chmod(tmp, 0o755)  # readable by the unprivileged drainit
    write(tmp, "test.ini", f"[service:web]\ncommand = {TPROC} ids\nuser = root\n")
    # drainit itself runs as 65534: a copy it can be exec'd from; the control
    # socket goes where nobody may make it
    run_dir = os.path.join(tmp, "run")
    os.mkdir(run_dir)
    os.chown(run_dir, 65534, 65534)
    with Drainit(["--control", os.path.join(run_dir, "ctl.sock"), "-c", os.path.join(tmp, "test.ini")],
                 pid1=False, control=False, exe=public_copy(DRAINIT),
                 wrap=["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]) as d:
        d.expect_rc(126)
        d.wait_for(r"error: service web \(pid \d+\): failed to start: setgroups: Operation not permitted$")
        check("ids uid" not in d.out(), "the service ran", d)
    shutil.rmtree(tmp)


def unknown_user_is_a_config_error():
    ini = """[service:web]
command = sh -c 'touch @DIR@/started'
user = no-such-user-drainit
group = no-such-group-drainit
"""
    with Drainit(ini=ini) as d:
        d.expect_rc(78)
        d.wait_for(rf"^{re.escape(d.ini)}:3: \[service:web\] user: unknown user 'no-such-user-drainit'$")
        d.wait_for(rf"^{re.escape(d.ini)}:4: \[service:web\] group: unknown group 'no-such-group-drainit'$")
        check(not os.path.exists(os.path.join(d.dir, "started")), "something started", d)


if __name__ == "__main__":
    run(user_drop_sets_groups_gid_uid, env_file_env_and_clear_env, limits_umask_nice_oom_stdin,
        a_limit_that_cannot_be_set_is_named,
        stdin_inherit_vs_null, missing_binary_is_one_clear_line, steps_run_as_the_service_user,
        drop_refused_without_privilege, unknown_user_is_a_config_error)
