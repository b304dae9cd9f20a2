"""Claim: drainit's exit code is the command's code, 128+N for death by signal N,
126/127 when the command cannot be executed/found (logged as a start failure, not
"exited 127"), and in config mode 0 when every service stopped cleanly, else the
code of the first service that did not."""

from harness import TSVC, Drainit, check, run


def single_command_exit_code():
    with Drainit(["--", "sh", "-c", "exit 7"]) as d:
        d.expect_rc(7)
        d.wait_for(r"stage unready \(main service sh ended\)")


def single_command_killed_by_signal():
    with Drainit(["--", TSVC, "--exit-after", "0", "--kill-self", "10"]) as d:
        d.expect_rc(128 + 10)
        d.wait_for(r"killed by signal 10 \(SIGUSR1\)")


def command_not_found_is_127():
    with Drainit(["--", "/nonexistent/program", "x"]) as d:
        d.expect_rc(127)
        d.wait_for(r"service program \(pid \d+\): failed to start: exec: /nonexistent/program: No such file or directory$")
        check("exited with status 127" not in d.log(), "exec failure reported as an exit", d)


def command_not_executable_is_126():
    with Drainit(["--", "/etc/passwd"]) as d:
        d.expect_rc(126)
        d.wait_for(r"failed to start: exec: Permission denied")


def bad_directory_is_a_start_failure():
    ini = f"""
[service:w]
command = {TSVC}
directory = /nonexistent/dir
"""
    with Drainit(ini=ini) as d:
        d.expect_rc(126)
        d.wait_for(r"service w \(pid \d+\): failed to start: chdir: No such file or directory")


def clean_stop_is_zero_even_when_killed_by_stop_signal():
    # tsvc without handlers dies of SIGTERM: that is a clean stop
    ini = f"""
[service:a]
command = {TSVC} --name a
[service:b]
command = {TSVC} --name b --term-delay 10
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"a: ready", stream="out")
        d.wait_for(r"b: ready", stream="out")
        d.stop(0)
        d.wait_for(r"service a \(pid \d+\): killed by signal 15 \(SIGTERM\)")
        d.wait_for(r"exiting with code 0 \(every service stopped cleanly\)")


def first_unclean_service_sets_the_code():
    ini = f"""
[service:early]
command = {TSVC} --name early --exit-after 100 --code 3
restart = no
[service:late]
command = {TSVC} --name late --exit-after 400 --code 4
restart = no
[service:stay]
command = {TSVC} --name stay
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"service late \(pid \d+\): exited with status 4")
        check(d.proc.poll() is None, "drainit stopped when a non-main service exited", d)
        d.stop(3)
        d.wait_for(r"exiting with code 3 \(first service not stopped cleanly: early \(exited with status 3\)\)")


if __name__ == "__main__":
    run(single_command_exit_code, single_command_killed_by_signal, command_not_found_is_127,
        command_not_executable_is_126, bad_directory_is_a_start_failure,
        clean_stop_is_zero_even_when_killed_by_stop_signal, first_unclean_service_sets_the_code)
