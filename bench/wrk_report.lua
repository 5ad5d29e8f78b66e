-- wrk script: count non-2xx answers (wrk itself counts only >= 400) and print one JSON line
-- of figures, with every latency, for bench/harness.py to read. Latencies are in microseconds.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
  end
  -- Every latency recorded, as "microseconds": count, so that runs of one endpoint can be
  -- merged exactly (#latency is the number of distinct values; latency(i) the i-th of them
  -- and how many requests took it).
  local counts = {}
  for i = 1, #latency do
    local us, n = latency(i)
    table.insert(counts, string.format('"%d": %d', us, n))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, ' ..
    '"p50": %d, "p95": %d, "p99": %d, "max": %d, "latencies": {%s}}\n',
    summary.requests, summary.duration, bad, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    table.concat(counts, ", ")))
end
