-- wrk script: public intake, each request a distinct complaint.
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"category":"pengaduan","text":"Lampu jalan mati di gang %d, mohon diperbaiki","agency_code":"OPD001","reporter_phone":"0812%08d"}', counter, counter)
  return wrk.format("POST", "/api/v1/tickets", { ["Content-Type"] = "application/json" }, body)
end
-- wrk script: prints throughput and latency percentiles (incl. p95) as one line.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d rps=%.0f p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f errors=%d non2xx=%d\n",
    summary.requests, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
