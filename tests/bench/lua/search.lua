-- GET /v1/customers/search?query=email:'…' with an email drawn at random
-- from the seeded customers (one hit each, on the customers_email index).
-- Environment: BENCH_LUA_DIR, BENCH_KEY, BENCH_EMAILS (a file, one email
-- a line).
dofile((os.getenv("BENCH_LUA_DIR") or ".") .. "/common.lua")

local emails

function init(args)
	seed()
	emails = read_lines(os.getenv("BENCH_EMAILS"))
end

function request()
	return wrk.format("GET", "/v1/customers/search?query=" ..
	    urlencode("email:'" .. emails[math.random(#emails)] .. "'"))
end
