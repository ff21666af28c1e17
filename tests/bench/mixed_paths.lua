-- wrk script for bench_repair_orders.py: cycles through the URLs in $RELAIS_BENCH_PATHS with
-- the API key in $RELAIS_BENCH_KEY, and prints "p50 p95 p99 max requests" in milliseconds.
local paths = {}
for line in io.lines(os.getenv("RELAIS_BENCH_PATHS")) do paths[#paths + 1] = line end
local key = os.getenv("RELAIS_BENCH_KEY")
local n = 0

function init(args)
  n = math.random(#paths)
end

function request()
  n = n % #paths + 1
  return wrk.format("GET", paths[n], { ["Authorization"] = "Bearer " .. key })
end

function done(summary, latency, requests)
  io.write(string.format("RESULT %.3f %.3f %.3f %.3f %d %d\n", latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000, summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
