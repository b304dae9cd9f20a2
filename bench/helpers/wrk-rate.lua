-- wrk script of the probe scenario (see bench/README.md): GET the path of
-- the URL on every connection, wait BENCH_WRK_DELAY_MS before each request
-- (wrk's delay() hook), so that C connections make about
-- C * 1000 / (delay + latency) requests a second; print one JSON line at
-- the end. Latencies are wrk's: from the request's write to the end of the
-- response, in microseconds; every answer counts, whatever its status
-- (status_errors: answers with a status >= 400, e.g. 503).
local delay_ms = tonumber(os.getenv("BENCH_WRK_DELAY_MS") or "4")

function delay()
  return delay_ms
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, ' ..
    '"p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
