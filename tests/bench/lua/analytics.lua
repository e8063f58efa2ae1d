-- GET /v1/customers/:id/analytics of a customer drawn from the first
-- BENCH_HOT seeded ids (those pay_create.lua pays for).
-- Environment: BENCH_LUA_DIR, BENCH_KEY, BENCH_IDS, BENCH_HOT (1000).
dofile((os.getenv("BENCH_LUA_DIR") or ".") .. "/common.lua")

local ids

function init(args)
	seed()
	ids = read_lines(os.getenv("BENCH_IDS"), hot_count())
end

function request()
	return wrk.format("GET", "/v1/customers/" .. ids[math.random(#ids)] ..
	    "/analytics")
end
