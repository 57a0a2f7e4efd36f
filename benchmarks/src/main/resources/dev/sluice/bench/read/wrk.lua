-- Requests for ./sluice bench read (see Wrk.java): GETs of random ids under a prefix, and every
-- SLUICE_BENCH_POST_EVERY-th request (when set) a POST /v1/pages of the next prepared body.
local ids, bodies = {}, {}
for line in io.lines(os.getenv("SLUICE_BENCH_IDS")) do ids[#ids + 1] = line end
local bodiesFile = os.getenv("SLUICE_BENCH_BODIES")
if bodiesFile ~= nil and bodiesFile ~= "" then
  for line in io.lines(bodiesFile) do bodies[#bodies + 1] = line end
end
local prefix = os.getenv("SLUICE_BENCH_PREFIX")
local postEvery = tonumber(os.getenv("SLUICE_BENCH_POST_EVERY") or "0")
local postHeaders = { ["Authorization"] = "Bearer " .. (os.getenv("SLUICE_BENCH_KEY") or ""), ["Content-Type"] = "application/json" }
local sent, posted = 0, 0

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

function init(args)
  math.randomseed(os.time() * 100 + seed)
  posted = seed * 100000 -- threads post different bodies
end

function request()
  sent = sent + 1
  if postEvery > 0 and sent % postEvery == 0 then
    posted = posted + 1
    return wrk.format("POST", "/v1/pages", postHeaders, bodies[posted % #bodies + 1])
  end
  return wrk.format("GET", prefix .. ids[math.random(#ids)])
end
