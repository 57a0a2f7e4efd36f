-- Requests for ./sluice bench read (see Wrk.java): GETs of ids under a prefix (random, or with SLUICE_BENCH_ORDER
-- "sequential" each id once: every thread walks its own share of the list), and every SLUICE_BENCH_POST_EVERY-th
-- request (when set) a POST /v1/pages of the next prepared body; optionally paced. Prints the count of each
-- response status at the end.
local ids, bodies = {}, {}
for line in io.lines(os.getenv("SLUICE_BENCH_IDS")) do ids[#ids + 1] = line end
local bodiesFile = os.getenv("SLUICE_BENCH_BODIES")
if bodiesFile ~= nil and bodiesFile ~= "" then
  for line in io.lines(bodiesFile) do bodies[#bodies + 1] = line end
end
local prefix = os.getenv("SLUICE_BENCH_PREFIX")
local sequential = os.getenv("SLUICE_BENCH_ORDER") == "sequential"
local postEvery = tonumber(os.getenv("SLUICE_BENCH_POST_EVERY") or "0")
local postHeaders = { ["Authorization"] = "Bearer " .. (os.getenv("SLUICE_BENCH_KEY") or ""), ["Content-Type"] = "application/json" }
local sent, posted = 0, 0

-- Paced runs: each connection waits this long (ms, dithered to whole ms) after an answer before its next request.
local pause = tonumber(os.getenv("SLUICE_BENCH_DELAY_MS") or "0")
if pause > 0 then
  function delay()
    local whole = math.floor(pause)
    return whole + ((math.random() < pause - whole) and 1 or 0)
  end
end
statuses = {}

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
  thread:set("seed", #threads)
end

function init(args)
  math.randomseed(os.time() * 100 + seed)
  posted = seed * 100000 -- threads post different bodies
  sent = (seed - 1) * math.floor(#ids / 2) -- and walk different halves of the ids (wrk runs 2 threads)
end

function request()
  sent = sent + 1
  if postEvery > 0 and sent % postEvery == 0 then
    posted = posted + 1
    return wrk.format("POST", "/v1/pages", postHeaders, bodies[posted % #bodies + 1])
  end
  local id = sequential and ids[(sent - 1) % #ids + 1] or ids[math.random(#ids)]
  return wrk.format("GET", prefix .. id)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  for status, count in pairs(total) do
    io.write(string.format("status %d: %d\n", status, count))
  end
end
