-- POST /v1/payments (JSON): an amount, a currency (kes, usd or eur in
-- turn) and a customer drawn from the first BENCH_HOT seeded ids, so the
-- analytics run reads customers with payments. No payment_method: the
-- simulated processor charges it and it succeeds.
-- Environment: BENCH_LUA_DIR, BENCH_KEY, BENCH_IDS, BENCH_HOT (1000).
dofile((os.getenv("BENCH_LUA_DIR") or ".") .. "/common.lua")

local ids
local currencies = { "kes", "usd", "eur" }
local n = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function init(args)
	seed()
	ids = read_lines(os.getenv("BENCH_IDS"), hot_count())
end

function request()
	n = n + 1
	local body = string.format(
	    '{"amount":%d,"currency":"%s","customer":"%s"}',
	    math.random(100, 500000), currencies[n % 3 + 1],
	    ids[math.random(#ids)])
	return wrk.format("POST", "/v1/payments", nil, body)
end
