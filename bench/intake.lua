-- wrk script: public intake, each request a distinct complaint.
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"category":"pengaduan","text":"Lampu jalan mati di gang %d, mohon diperbaiki","agency_code":"OPD001","reporter_phone":"0812%08d"}', counter, counter)
  return wrk.format("POST", "/api/v1/tickets", { ["Content-Type"] = "application/json" }, body)
end
dofile("bench/report.lua")
