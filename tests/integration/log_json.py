"""Claim: with log_format = json (or --log-format json) every line drainit logs is one JSON
object with ts, level, msg, service, pid and stage; log_level / --log-level drop the
lines below the level, and the command line wins over the file."""
import json
import re
import subprocess

from harness import TSVC, Drainit, check, run

FIELDS = ["ts", "level", "msg", "service", "pid", "stage"]


def parse_lines(d):
    objs = []
    for line in d.lines():
        try:
            o = json.loads(line)
        except ValueError:
            d.fail(f"not JSON: {line!r}")
        check(isinstance(o, dict) and list(o) == FIELDS, f"fields {list(o)}", d)
        check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", o["ts"]), f"ts {o['ts']}", d)
        objs.append(o)
    # the same lines through python3 -m json.tool, as an operator would check them
    r = subprocess.run(["python3", "-m", "json.tool", "--json-lines", d.err_path],
                       capture_output=True, text=True, check=False)
    check(r.returncode == 0, f"json.tool rejected the log: {r.stderr}", d)
    return objs


def json_lines_parse_with_fields():
    ini = f"""
[drainit]
log_format = json
on_failure = keep
[service:web]
command = {TSVC} --name web
[service:broken]
command = /nonexistent/broken
restart = no
"""
    with Drainit(ini=ini) as d:
        d.wait_for(r'"msg":"service broken \(pid \d+\): failed to start: exec: /nonexistent/broken: No such file or directory"')
        d.wait_for(r"web +\| web: ready", stream="out")
        d.stop(127)
        objs = parse_lines(d)
        fail = [o for o in objs if "failed to start" in o["msg"]]
        check(len(fail) == 1 and fail[0]["level"] == "error" and fail[0]["service"] == "broken"
              and isinstance(fail[0]["pid"], int) and fail[0]["stage"] == "running",
              f"failure line: {fail}", d)
        sending = [o for o in objs if o["msg"].startswith("shutdown: sending SIGTERM to service web")]
        check(len(sending) == 1 and sending[0]["service"] == "web" and sending[0]["stage"] == "stopping",
              f"stop line: {sending}", d)
        check(objs[-1]["stage"] == "exited" and objs[-1]["msg"].startswith("exiting with code 127"),
              f"last line: {objs[-1]}", d)
        check(objs[0]["service"] is None and objs[0]["pid"] is None, f"first line: {objs[0]}", d)
        check([o["level"] for o in objs if o["level"] not in ("info", "error")] == [],
              "unexpected levels", d)


def command_line_wins_over_file():
    ini = f"""
[drainit]
log_format = text
log_level = debug
[service:web]
command = {TSVC} --name web --exit-after 0 --code 3
"""
    with Drainit(["--log-format", "json", "--log-level", "warn"], ini=ini) as d:
        d.expect_rc(3)
        objs = parse_lines(d)
        check(all(o["level"] in ("warn", "error") for o in objs),
              f"levels {[o['level'] for o in objs]}", d)
        # a crash is a warning now; "starting: ..." is info
        check("exited with status 3" in d.log(), "the crash (a warning) is missing", d)
        check("): starting: " not in d.log(), "an info line got through", d)
    with Drainit(ini=ini) as d:
        d.expect_rc(3)
        d.wait_for(r" drainit: debug: shutdown: event ")  # the file's log_level = debug, as text


def log_level_error_hides_info():
    ini = f"""
[drainit]
log_level = error
[service:broken]
command = /nonexistent/broken
restart = no
"""
    with Drainit(ini=ini) as d:
        d.expect_rc(127)
        lines = d.lines()
        check(lines and "error: service broken (pid" in lines[0] and
              all(" drainit: error: " in l for l in lines), f"log: {lines}", d)


if __name__ == "__main__":
    run(json_lines_parse_with_fields, command_line_wins_over_file, log_level_error_hides_info)
