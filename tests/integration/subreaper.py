"""Claim: outside a PID namespace drainit makes itself a child subreaper, runs the same
staged shutdown, and never signals processes it does not own (no kill(-1))."""

from harness import TSVC, Drainit, check, run


def staged_shutdown_as_subreaper():
    ini = f"""
[drainit]
prestop_delay = 100ms
[service:web]
command = {TSVC} --name web --term-delay 200
[service:stubborn]
command = {TSVC} --name stubborn --ignore 15
grace_period = 300ms
"""
    with Drainit(ini=ini, pid1=False) as d:
        d.wait_for(r"starting as child subreaper: 2 services")
        d.wait_for(r"web: ready", stream="out")
        d.wait_for(r"stubborn: ready", stream="out")
        d.stop(137)
        d.assert_order(r"stage unready", r"stage prestop", r"stage stopping",
                       r"grace period 300ms expired", r"stage killing", r"exiting with code 137")
        check("kill -1" not in d.log(), "kill(-1) used outside PID 1", d)


def pid1_says_so():
    with Drainit(["--", TSVC, "--exit-after", "0"]) as d:
        d.expect_rc(0)
        d.wait_for(r"starting as PID 1: 1 service$")


if __name__ == "__main__":
    run(staged_shutdown_as_subreaper, pid1_says_so)
