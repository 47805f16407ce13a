-- count.lua - wrk script of the replica test (tests/ha/test_replicas.py).
--
--   wrk -t1 -c16 -d15s -s tests/ha/count.lua http://127.0.0.1:PORT -- /v1 /v1/articles ...
--
-- Cycles through the request targets given after `--` (every other request
-- asks for gzip), counts every response that is not 2xx, and prints one line
--   WRK_RESULT requests=N non2xx=N connect=N read=N write=N timeout=N status=N first_bad=CODE
-- at the end (wrk's own summary counts socket errors; 3xx would pass there, so
-- the 2xx test is done here). Works with any -t: counters are per thread
-- and summed in done().

local requests = {}
local n = 0
local threads = {}

non2xx = 0
first_bad = 0

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   local targets = {}
   for _, a in ipairs(args) do
      table.insert(targets, a)
   end
   if #targets == 0 then
      targets = { "/v1/articles" }
   end
   for i, t in ipairs(targets) do
      table.insert(requests, wrk.format("GET", t, { ["Accept-Encoding"] = "identity" }))
      table.insert(requests, wrk.format("GET", t, { ["Accept-Encoding"] = "gzip" }))
   end
end

function request()
   n = n % #requests + 1
   return requests[n]
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      if first_bad == 0 then
         first_bad = status
      end
   end
end

function done(summary, latency, reqs)
   local bad, first = 0, 0
   for _, t in ipairs(threads) do
      bad = bad + t:get("non2xx")
      if first == 0 then
         first = t:get("first_bad")
      end
   end
   local e = summary.errors
   io.write(string.format(
      "WRK_RESULT requests=%d non2xx=%d connect=%d read=%d write=%d timeout=%d status=%d first_bad=%d duration_us=%d p99_us=%d max_us=%d\n",
      summary.requests, bad, e.connect, e.read, e.write, e.timeout, e.status, first,
      summary.duration, latency:percentile(99), latency.max))
end
