-- GET of one fixed path, for scale.sh: every request the same.
-- Environment: BENCH_LUA_DIR, BENCH_KEY (the API key of the account the
-- path belongs to), BENCH_PATH (e.g. /v1/customers?limit=10).
dofile((os.getenv("BENCH_LUA_DIR") or ".") .. "/common.lua")

wrk.method = "GET"
wrk.path = assert(os.getenv("BENCH_PATH"), "BENCH_PATH is not set")
