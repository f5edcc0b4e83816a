-- wrk script: Kannel pushing MO messages to /gateway/kannel/mo, each with its own message id
-- (each wrk thread numbers its own messages: `tid` is set per thread in setup).
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local counter = 0
local run = tostring(os.time())
request = function()
  counter = counter + 1
  local path = string.format("/gateway/kannel/mo?from=%%2B62812%08d&to=1708&text=DISHUB%%20lampu%%20jalan%%20mati%%20di%%20gang%%20%d&id=%s-%s-%d&coding=0&charset=UTF-8&token=bench-kannel-token-0123456789",
    counter % 100000000, counter, run, tostring(tid), counter)
  return wrk.format("GET", path)
end
dofile("bench/report.lua")
