-- wrk script: Kannel pushing MO messages to /gateway/kannel/mo, each with its own message id.
local counter = 0
local prefix = tostring(os.time())
request = function()
  counter = counter + 1
  local path = string.format("/gateway/kannel/mo?from=%%2B62812%08d&to=1708&text=DISHUB%%20lampu%%20jalan%%20mati%%20di%%20gang%%20%d&id=%s-%d-%d&coding=0&charset=UTF-8&token=bench-kannel-token-0123456789",
    counter % 100000000, counter, prefix, math.random(1, 1000000000), counter)
  return wrk.format("GET", path)
end
dofile("bench/report.lua")
