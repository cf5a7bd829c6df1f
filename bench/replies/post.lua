-- wrk script of bench_replies: sends pre-signed Slack slash-command requests,
-- each one once. wrk's Lua has no HMAC, so the requests are made (and signed
-- with a fresh timestamp) by bench_replies just before the run, one file per
-- wrk thread: $BENCH_REQUESTS.0, $BENCH_REQUESTS.1, ... Each file holds
-- records "LENGTH\n" followed by LENGTH bytes of a complete HTTP/1.1 request.
-- Loading happens in init(), before the thread starts sending. wrk starts
-- each thread right after its init(), before the next thread loads, and
-- starts its clock after the last one: so that no thread sends while
-- another is still loading (requests wrk would count in no time), the last
-- thread to load creates $BENCH_REQUESTS.go, and each thread's first
-- request() waits for that file ($BENCH_THREADS says how many threads).
--
-- A thread that runs out starts over (its requests then become duplicates,
-- which nudged answers 200 without storing again); done() says how many
-- each thread sent and whether it wrapped, and prints one machine-readable
-- line for bench_replies:
--   bench: requests=N duration_us=D status_errors=E socket_errors=S
--          p50_us=.. p90_us=.. p99_us=.. p999_us=.. max_us=.. wrapped=W

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

-- reqs, n, i are this thread's; sent, wrapped, loaded are globals
-- so that done() can read them with thread:get().
local reqs, n, i

function init(args)
   local prefix = os.getenv("BENCH_REQUESTS")
   if prefix == nil then
      error("BENCH_REQUESTS is not set")
   end
   local f = assert(io.open(prefix .. "." .. id, "rb"))
   local data = f:read("*a")
   f:close()
   reqs, n, i, sent, wrapped = {}, 0, 0, 0, 0
   local pos, len = 1, #data
   while pos <= len do
      local nl = string.find(data, "\n", pos, true)
      local size = tonumber(string.sub(data, pos, nl - 1))
      n = n + 1
      reqs[n] = string.sub(data, nl + 1, nl + size)
      pos = nl + 1 + size
   end
   if n == 0 then
      error("no requests in " .. prefix .. "." .. id)
   end
   data = nil
   collectgarbage("collect")
   loaded = n
   gate = prefix .. ".go"
   if id == tonumber(os.getenv("BENCH_THREADS") or "1") - 1 then
      assert(io.open(gate, "w")):close()
   end
end

-- True once the last thread has loaded.
local function open_gate()
   local f = io.open(gate, "r")
   if f == nil then
      return false
   end
   f:close()
   return true
end

local ready, verified = false, false

function request()
   if not ready then
      -- wrk first calls thread 0's request() itself, before the other
      -- threads load, only to parse it (nothing is sent): no waiting then.
      if id == 0 and not verified then
         verified = true
         return reqs[1]
      end
      while not open_gate() do end
      ready = true
   end
   i = i + 1
   if i > n then
      i = 1
      wrapped = wrapped + 1
   end
   sent = sent + 1
   return reqs[i]
end

function done(summary, latency, requests)
   local total_wrapped = 0
   for _, t in ipairs(threads) do
      local w = t:get("wrapped") or 0
      total_wrapped = total_wrapped + w
      io.write(string.format("lua: thread %d loaded %d requests, sent %d, "
         .. "wrapped %d time(s)\n", t:get("id"), t:get("loaded") or 0,
         t:get("sent") or 0, w))
   end
   local e = summary.errors
   io.write(string.format("bench: requests=%d duration_us=%d status_errors=%d "
      .. "socket_errors=%d p50_us=%d p90_us=%d p99_us=%d p999_us=%d "
      .. "max_us=%d wrapped=%d\n", summary.requests, summary.duration,
      e.status, e.connect + e.read + e.write + e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency:percentile(99.9), latency.max, total_wrapped))
end
