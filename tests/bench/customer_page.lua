-- wrk script for bench_customer_page.py: $RELAIS_BENCH_METHOD on $RELAIS_BENCH_PATH with the
-- device cookie in $RELAIS_BENCH_COOKIE (and Accept-Encoding as browsers send it when
-- $RELAIS_BENCH_GZIP is 1); prints "RESULT p50 p95 p99 max requests errors" (ms).
local method = os.getenv("RELAIS_BENCH_METHOD")
local path = os.getenv("RELAIS_BENCH_PATH")
local headers = { ["Cookie"] = os.getenv("RELAIS_BENCH_COOKIE"), ["Origin"] = os.getenv("RELAIS_BENCH_ORIGIN") }
if os.getenv("RELAIS_BENCH_GZIP") == "1" then headers["Accept-Encoding"] = "gzip, deflate, br" end
local body = nil
if method == "POST" then
  headers["Content-Type"] = "application/json"
  body = "{}"
end

function request()
  return wrk.format(method, path, headers, body)
end

function done(summary, latency, requests)
  io.write(string.format("RESULT %.3f %.3f %.3f %.3f %d %d\n", latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000, summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
