-- wrk script for bench/api-load and bench/scale. BENCH_OPERATION picks the request: consent-write (a newsletter grant
-- or withdrawal at random, as bench/sql/pgbench-consent-write.sql does), subject-read or consent-read, each for a
-- subject drawn at random from BENCH_IDS_FILE (one uuid per line); or get-path: a GET of a path drawn at random from
-- BENCH_IDS_FILE (one path per line). BENCH_KEY is the bearer key. done() prints one line:
-- RESULT requests seconds status_errors(4xx/5xx) socket_errors p50_ms p99_ms p999_ms mean_ms
local ids = {}
local operation = os.getenv("BENCH_OPERATION")
local headers = { ["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY"), ["Content-Type"] = "application/json" }

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
    io.write(string.format("RESULT %d %.3f %d %d %.3f %.3f %.3f %.3f\n", summary.requests, summary.duration / 1e6,
        summary.errors.status, errors, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        latency:percentile(99.9) / 1000, latency.mean / 1000))
end
