-- POST /v1/customers (JSON) with a unique email on every request: a tag for
-- this run and target, the thread number, a counter and a random part.
-- Environment: BENCH_LUA_DIR, BENCH_KEY, BENCH_TAG.
dofile((os.getenv("BENCH_LUA_DIR") or ".") .. "/common.lua")

local tag = os.getenv("BENCH_TAG") or "bench"
local n = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function init(args)
	seed()
end

function request()
	n = n + 1
	local body = string.format(
	    '{"name":"Bench Customer %d","email":"%s.%d.%d.%06d@example.com",' ..
	    '"phone":"+2547%08d"}',
	    n, tag, tid or 0, n, math.random(0, 999999),
	    math.random(0, 99999999))
	return wrk.format("POST", "/v1/customers", nil, body)
end
