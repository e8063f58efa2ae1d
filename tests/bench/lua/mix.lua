-- The soak's request mix at a steady rate (soak.sh): each connection
-- waits BENCH_DELAY_MS between its requests (wrk's delay()), so the total
-- rate is about connections x 1000 / BENCH_DELAY_MS whatever the latency
-- (as long as it stays well under the delay). In every 20 requests: 6 GET
-- one customer, 2 customer lists, 2 searches, 2 analytics, 2 payment
-- lists, 2 event lists, 2 customer creates, 2 payments.
-- Environment: BENCH_LUA_DIR, BENCH_KEY, BENCH_IDS, BENCH_EMAILS,
-- BENCH_HOT, BENCH_TAG, BENCH_DELAY_MS.
dofile((os.getenv("BENCH_LUA_DIR") or ".") .. "/common.lua")

local ids, hot, emails
local tag = os.getenv("BENCH_TAG") or "soak"
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "100")
local currencies = { "kes", "usd", "eur" }
local n = 0
local kinds = { "get", "get", "get", "get", "get", "get", "list", "list",
	"search", "search", "analytics", "analytics", "payments", "payments",
	"events", "events", "create", "create", "pay", "pay" }

function init(args)
	seed()
	ids = read_lines(os.getenv("BENCH_IDS"))
	hot = math.min(hot_count(), #ids)
	emails = read_lines(os.getenv("BENCH_EMAILS"))
end

function delay()
	return pause
end

-- The POSTs' headers: the common ones (the key) and the content type.
local json = { ["Content-Type"] = "application/json" }
for k, v in pairs(wrk.headers) do json[k] = v end

function request()
	n = n + 1
	local k = kinds[math.random(#kinds)]
	if k == "get" then
		return wrk.format("GET", "/v1/customers/" .. ids[math.random(#ids)])
	elseif k == "list" then
		return wrk.format("GET", "/v1/customers?limit=10")
	elseif k == "search" then
		return wrk.format("GET", "/v1/customers/search?query=" ..
		    urlencode("email:'" .. emails[math.random(#emails)] .. "'"))
	elseif k == "analytics" then
		return wrk.format("GET", "/v1/customers/" ..
		    ids[math.random(hot)] .. "/analytics")
	elseif k == "payments" then
		return wrk.format("GET", "/v1/payments?limit=10")
	elseif k == "events" then
		return wrk.format("GET", "/v1/events?limit=10")
	elseif k == "create" then
		return wrk.format("POST", "/v1/customers", json, string.format(
		    '{"name":"Soak Customer %d","email":"%s.%d.%d.%06d@example.com"}',
		    n, tag, tid or 0, n, math.random(0, 999999)))
	end
	return wrk.format("POST", "/v1/payments", json, string.format(
	    '{"amount":%d,"currency":"%s","customer":"%s"}',
	    math.random(100, 500000), currencies[n % 3 + 1],
	    ids[math.random(hot)]))
end
