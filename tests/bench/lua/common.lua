-- Shared by the benchmark's wrk scripts (loaded with dofile): the key, a
-- per-thread number for the random seed, and done() printing one line that
-- run.sh parses. Environment: BENCH_KEY (the API key).

local key = os.getenv("BENCH_KEY") or ""
wrk.headers["Authorization"] = "Bearer " .. key
wrk.headers["Accept"] = "application/json"

local threads = {}
local counter = 0

function setup(thread)
	counter = counter + 1
	thread:set("tid", counter)
	table.insert(threads, thread)
end

-- Seeds each thread's generator differently (the thread number, the clock
-- and the address of a fresh table).
function seed()
	local n = tonumber(tostring({}):match("0x(%x+)") or "0", 16) or 0
	math.randomseed(os.time() * 1000 + (tid or 0) * 7919 + n % 100003)
	for _ = 1, 10 do math.random() end
end

-- Paced runs (run.sh BENCH_RATE): each connection waits BENCH_DELAY_MS
-- between its requests, so the rate is fixed and the latency is that of a
-- server not driven past saturation (wrk alone measures a closed loop:
-- with C connections its mean latency is C / throughput, whatever the
-- server does).
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "")
if pause and pause > 0 then
	function delay()
		return pause
	end
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
	    "BENCHRESULT requests=%d duration_us=%d rps=%.1f p50_us=%d " ..
	    "p90_us=%d p99_us=%d max_us=%d non2xx=%d sockerr=%d timeouts=%d\n",
	    summary.requests, summary.duration,
	    summary.requests / (summary.duration / 1e6),
	    latency:percentile(50), latency:percentile(90),
	    latency:percentile(99), latency.max, e.status,
	    e.connect + e.read + e.write, e.timeout))
end

-- The lines of a file (at most "max" of them, if given), for the ids and
-- emails the scripts draw from.
function read_lines(path, max)
	local out = {}
	local f = assert(io.open(path, "r"), "cannot open " .. tostring(path))
	for line in f:lines() do
		out[#out + 1] = line
		if max and #out >= max then break end
	end
	f:close()
	assert(#out > 0, "no lines in " .. path)
	return out
end

-- How many of the seeded customers are "hot" (BENCH_HOT, 1000): the first
-- ids, which payments go to and analytics reads.
function hot_count()
	return tonumber(os.getenv("BENCH_HOT") or "1000")
end

-- Percent-encoding of a query-string value.
function urlencode(s)
	return (s:gsub("[^%w%-%._~]", function(c)
		return string.format("%%%02X", string.byte(c))
	end))
end
