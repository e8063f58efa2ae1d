-- GET /v1/customers/:id with an id picked at random from the seeded set.
-- Environment: BENCH_LUA_DIR, BENCH_KEY, BENCH_IDS (a file, one id a line).
dofile((os.getenv("BENCH_LUA_DIR") or ".") .. "/common.lua")

local ids

function init(args)
	seed()
	ids = read_lines(os.getenv("BENCH_IDS"))
end

function request()
	return wrk.format("GET", "/v1/customers/" .. ids[math.random(#ids)])
end
