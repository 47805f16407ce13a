-- wrk script of test_reload.py: checks each response of /v1/articles?limit=N
-- while verbatimd reloads: status 200, meta.total one of two corpus sizes,
-- N items. Prints one "ROBUST ..." line with the counts.
local old_total = tonumber(os.getenv("OLD_TOTAL"))
local new_total = tonumber(os.getenv("NEW_TOTAL"))
local limit = tonumber(os.getenv("LIMIT"))
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   non200 = 0
   old = 0
   new = 0
   other = 0
   short = 0
   sample = ""
end

function response(status, headers, body)
   if status ~= 200 then
      non200 = non200 + 1
      if sample == "" then sample = "status_" .. status end
      return
   end
   local t = tonumber(string.match(body, '"total":(%d+)'))
   local _, n = string.gsub(body, '"quote_count":', "")
   if n ~= limit then
      short = short + 1
      if sample == "" then sample = "items_" .. n end
   end
   if t == old_total then
      old = old + 1
   elseif t == new_total then
      new = new + 1
   else
      other = other + 1
      if sample == "" then sample = "total_" .. tostring(t) end
   end
end

function done(summary, latency, requests)
   local c = {non200 = 0, old = 0, new = 0, other = 0, short = 0}
   local s = ""
   for _, th in ipairs(threads) do
      for k, _ in pairs(c) do c[k] = c[k] + th:get(k) end
      if s == "" then s = th:get("sample") end
   end
   local e = summary.errors
   io.write(string.format("ROBUST requests=%d non200=%d old=%d new=%d other=%d short=%d connect=%d read=%d " ..
                          "write=%d timeout=%d status=%d sample=%s\n",
                          summary.requests, c.non200, c.old, c.new, c.other, c.short, e.connect, e.read,
                          e.write, e.timeout, e.status, s == "" and "-" or s))
end
