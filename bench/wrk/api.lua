-- wrk script for bench/api-load and bench/scale. BENCH_OPERATION picks the request: consent-write (a newsletter grant
-- or withdrawal at random, as bench/sql/pgbench-consent-write.sql does), subject-read or consent-read, each for a
-- subject drawn at random from BENCH_IDS_FILE (one uuid per line); or get-path: a GET of a path drawn at random from
-- BENCH_IDS_FILE (one path per line). BENCH_KEY is the bearer key; BENCH_COOKIE, when set, is sent as the Cookie
-- header instead (the console's pages). done() prints one line:
-- RESULT requests seconds status_errors(4xx/5xx) socket_errors p50_ms p99_ms p999_ms mean_ms p95_ms
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

local rate = tonumber(os.getenv("BENCH_RATE") or "0")
if rate > 0 then
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

function request()
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

function done(summary, latency, requests)
    local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
    io.write(string.format("RESULT %d %.3f %d %d %.3f %.3f %.3f %.3f %.3f\n", summary.requests, summary.duration / 1e6,
        summary.errors.status, errors, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        latency:percentile(99.9) / 1000, latency.mean / 1000, latency:percentile(95) / 1000))
end
