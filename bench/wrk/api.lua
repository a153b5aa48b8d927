-- wrk script for bench/api-load and bench/scale. BENCH_OPERATION picks the request: consent-write (a newsletter grant
-- or withdrawal at random, as bench/sql/pgbench-consent-write.sql does), subject-read or consent-read, each for a
-- subject drawn at random from BENCH_IDS_FILE (one uuid per line); or get-path: a GET of a path drawn at random from
-- BENCH_IDS_FILE (one path per line). BENCH_KEY is the bearer key; BENCH_COOKIE, when set, is sent as the Cookie
-- header instead (the console's pages). done() prints one line:
-- RESULT requests seconds status_errors(4xx/5xx) socket_errors p50_ms p99_ms p999_ms mean_ms p95_ms
--        request_p50_ms request_p99_ms request_p999_ms
-- The first five latencies are wrk's, and wrk corrects them for coordinated omission before done() sees them: for a
-- request that took longer than the run's mean interval per connection (its duration / requests per connection),
-- it adds made-up samples as if requests had kept arriving at that interval. A stall of S ms thus counts about
-- S / interval times, so a faster build (shorter interval) is charged more for the same stall. With
-- BENCH_REQUEST_LATENCY=1 (one connection per wrk thread only: the script times a thread's one request in flight),
-- the last three are the percentiles of the requests as they were timed, without made-up samples; else they are "-".
-- With BENCH_RATE set (requests per second for the whole run, BENCH_THREADS = wrk's -t), each thread sends on a
-- fixed schedule instead of as fast as it can: a request waits for its slot, and a thread behind schedule sends at
-- once (catching up at most one second of backlog).
local ids = {}
local operation = os.getenv("BENCH_OPERATION")
local headers = { ["Content-Type"] = "application/json" }
if os.getenv("BENCH_COOKIE") then
    headers["Cookie"] = os.getenv("BENCH_COOKIE")
else
    headers["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")
end

local ffi = require("ffi")
ffi.cdef[[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clock_id, bench_timespec *time);
]]
local clock = ffi.new("bench_timespec")
local function now_ms()
    ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
    return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local rate = tonumber(os.getenv("BENCH_RATE") or "0")
if rate > 0 then
    local interval_ms = tonumber(os.getenv("BENCH_THREADS") or "1") * 1000 / rate
    local next_ms = nil

    function delay()
        local now = now_ms()
        if next_ms == nil or next_ms < now - 1000 then next_ms = now end
        next_ms = next_ms + interval_ms
        return math.max(0, math.floor(next_ms - now))
    end
end

function init(args)
    for line in io.lines(os.getenv("BENCH_IDS_FILE")) do ids[#ids + 1] = line end
    math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

-- Per-request latency (BENCH_REQUEST_LATENCY=1): each thread keeps its requests' times in the global `latencies`,
-- which done() reads from every thread set up.
local timed = os.getenv("BENCH_REQUEST_LATENCY") == "1"
local threads = {}
local sent_at = nil
latencies = {}

function setup(thread) threads[#threads + 1] = thread end

if timed then
    function response()
        latencies[#latencies + 1] = now_ms() - sent_at
    end
end

function request()
    if timed then sent_at = now_ms() end
    local id = ids[math.random(#ids)]
    if operation == "consent-write" then
        local action = math.random(2) == 1 and "grant" or "withdraw"
        local body = '{"purpose":"newsletter","action":"' .. action .. '","policy_version":"v1","channel":"api"}'
        return wrk.format("POST", "/v1/subjects/" .. id .. "/consents", headers, body)
    elseif operation == "get-path" then
        return wrk.format("GET", id, headers)
    elseif operation == "consent-read" then
        return wrk.format("GET", "/v1/subjects/" .. id .. "/consents", headers)
    else
        return wrk.format("GET", "/v1/subjects/" .. id, headers)
    end
end

-- request_percentiles(): "p50 p99 p99.9" in ms (nearest rank) of every thread's timed requests, or "- - -".
local function request_percentiles()
    if not timed then return "- - -" end
    local all = {}
    for _, thread in ipairs(threads) do
        for _, ms in ipairs(thread:get("latencies")) do all[#all + 1] = ms end
    end
    if #all == 0 then return "- - -" end
    table.sort(all)
    local function at(p) return all[math.max(1, math.ceil(p / 100 * #all))] end
    return string.format("%.3f %.3f %.3f", at(50), at(99), at(99.9))
end

function done(summary, latency, requests)
    local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
    io.write(string.format("RESULT %d %.3f %d %d %.3f %.3f %.3f %.3f %.3f %s\n", summary.requests, summary.duration / 1e6,
        summary.errors.status, errors, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        latency:percentile(99.9) / 1000, latency.mean / 1000, latency:percentile(95) / 1000, request_percentiles()))
end
