"""Claim: when the main service ends, drainit shuts the others down in stages and exits
with main's code; a non-main service ending is logged and changes nothing; when every
service has ended drainit shuts down on its own."""
import time

from harness import TSVC, Drainit, check, run


def main_exit_stops_the_rest():
    ini = f"""
[drainit]
main = web

[service:web]
command = {TSVC} --name web --exit-after 300 --code 3

[service:worker]
command = {TSVC} --name worker --term-delay 100
"""
    with Drainit(ini=ini) as d:
        d.expect_rc(3)
        d.assert_order(r"service web \(pid \d+\): exited with status 3",
                       r"stage unready \(main service web ended\)",
                       r"sending SIGTERM to service worker",
                       r"service worker \(pid \d+\): exited with status 0",
                       r"exiting with code 3 \(main service web\)")
        check("sending SIGTERM to service web" not in d.log(), "signalled a service that was gone", d)


def main_killed_by_signal_gives_128_plus_n():
    ini = f"""
[drainit]
main = web
[service:web]
command = {TSVC} --name web --exit-after 100 --kill-self 6
"""
    with Drainit(ini=ini) as d:
        d.expect_rc(134)


def non_main_exit_changes_nothing():
    ini = f"""
[service:oneshot]
command = {TSVC} --name oneshot --exit-after 50
[service:web]
command = {TSVC} --name web --term-delay 10
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r"service oneshot \(pid \d+\): exited with status 0")
        time.sleep(0.3)
        check(d.proc.poll() is None, "drainit exited after a non-main service ended", d)
        check("stage unready" not in d.log(), "shutdown began after a non-main service ended", d)
        d.stop(0)


def all_services_ended_shuts_down():
    ini = f"""
[service:a]
command = {TSVC} --name a --exit-after 50
[service:b]
command = {TSVC} --name b --exit-after 150
"""
    with Drainit(ini=ini) as d:
        d.expect_rc(0)
        d.wait_for(r"stage unready \(every service has ended\)")


if __name__ == "__main__":
    run(main_exit_stops_the_rest, main_killed_by_signal_gives_128_plus_n,
        non_main_exit_changes_nothing, all_services_ended_shuts_down)
