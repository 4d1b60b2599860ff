-- wrk script for bench/webhook.py: POSTs pre-signed, unique Twilio requests to /sms/twilio.
-- wrk -s bench/webhook.lua URL -- REQUESTS_FILE THREADS [PAUSE_MS]
-- Each line of REQUESTS_FILE is "<form body>\t<X-Twilio-Signature>"; thread n takes lines n, n+T, …
-- so that no two threads send the same message. A thread that runs out starts again from its first
-- line (counted in "repeated": a repeat is a cheap duplicate and flatters the figures).
-- With PAUSE_MS each connection waits that long on average between requests, drawn at random as
-- people text, independently (exponential gaps): a paced load (connections / pause is the rate) whose
-- latencies are a participant's at that rate, not those of a queue kept full. Fixed gaps would keep
-- the connections in step, firing together: a burst of 32 each time, not a rate.

local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

function init(args)
   local path, count = args[1], tonumber(args[2])
   pause = tonumber(args[3] or "0")
   math.randomseed(os.time() + id * 7919)
   prepared, sent, repeated = {}, 0, 0
   local line_number = 0
   for line in io.lines(path) do
      if line_number % count == id then
         local body, signature = line:match("^([^\t]*)\t(.*)$")
         prepared[#prepared + 1] = wrk.format("POST", "/sms/twilio", {
            ["Content-Type"] = "application/x-www-form-urlencoded",
            ["X-Twilio-Signature"] = signature,
         }, body)
      end
      line_number = line_number + 1
   end
end

function delay()
   if pause == 0 then
      return 0
   end
   return math.floor(-pause * math.log(1 - math.random()))
end

function request()
   sent = sent + 1
   if sent > #prepared then
      repeated = repeated + 1
   end
   return prepared[(sent - 1) % #prepared + 1]
end

function done(summary, latency, requests)
   local repeats = 0
   for _, thread in ipairs(threads) do
      repeats = repeats + thread:get("repeated")
   end
   local errors = summary.errors
   io.write(string.format(
      '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
      '"errors": %d, "bad_status": %d, "repeated": %d}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
      errors.connect + errors.read + errors.write + errors.timeout, errors.status, repeats))
end
