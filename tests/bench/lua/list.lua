-- GET /v1/customers?limit=10: the newest page of the account.
-- Environment: BENCH_LUA_DIR, BENCH_KEY.
dofile((os.getenv("BENCH_LUA_DIR") or ".") .. "/common.lua")

wrk.method = "GET"
wrk.path = "/v1/customers?limit=10"
