-- bench/web/checkin.lua — a wrk script in which every request POSTs a new
-- check-in through the JSON API, so the server does the whole write (no
-- duplicates refused early).
--
--   CHECKIN_PEOPLE=FILE CHECKIN_BODY=FILE CHECKIN_THREADS=T \
--     wrk -tT ... -s checkin.lua URL
--
-- CHECKIN_PEOPLE has one "TOKEN CODE" line per participant (a bearer token
-- and that person's partnership); CHECKIN_BODY is the JSON body of one
-- check-in; CHECKIN_THREADS must be wrk's -t (settings come from the
-- environment, the same in every thread, rather than from wrk's script
-- arguments, whose place on the command line varies between getopts).
-- Request i (counted over all threads: thread t sends t, t + T, t + 2T, ...)
-- is person i mod P at module floor(i / P) + 1, so the first P x MODULES
-- requests are P x MODULES different check-ins. Past that the module number
-- is out of range and the server refuses it: wrk counts it as non-2xx and
-- run.sh reports the run as invalid. Nothing is random: the same files give
-- the same requests in the same order on each thread.

local threads = {}
local nthreads = 0

function setup(thread)
   thread:set("tid", nthreads)
   nthreads = nthreads + 1
   table.insert(threads, thread)
end

function init(args)
   people = {}
   for line in io.lines(os.getenv("CHECKIN_PEOPLE")) do
      local tok, code = line:match("^(%S+) (%S+)$")
      if tok then
         people[#people + 1] = {"Bearer " .. tok, code}
      end
   end
   local f = assert(io.open(os.getenv("CHECKIN_BODY"), "rb"))
   body = f:read("*a")
   f:close()
   stride = tonumber(os.getenv("CHECKIN_THREADS"))
   sent = 0
end

function request()
   local i = tid + stride * sent
   sent = sent + 1
   local n = #people
   local p = people[(i % n) + 1]
   local m = math.floor(i / n) + 1
   local path = "/api/v1/partnerships/" .. p[2] .. "/modules/" .. m .. "/checkin"
   return wrk.format("POST", path, {["Authorization"] = p[1],
                                    ["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
   local total = 0
   for _, t in ipairs(threads) do
      total = total + t:get("sent")
   end
   io.write(string.format("checkin.lua: %d requests formatted\n", total))
end
