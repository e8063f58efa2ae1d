#!/usr/bin/env bash
# The webhooks benchmark (issue 4, "Benchmark in tests/bench/"): events per
# second that pesaswap-jobs delivers to a local receiver, and the delay from
# a change (its POST /v1/customers answered) to its delivery (p50, p99).
# A benchmark, not a test: ./test.sh never runs it. See README.md here.
#
# A private stack (MariaDB, pesaswap-fcgi, pesaswap-jobs, nginx) is made by
# scripts/stack.sh's stack_up in a temporary directory, on free ports; a
# small node receiver (its own process, answering 200 at once) listens on
# 127.0.0.1; one endpoint gets customer.created. Three phases:
#   backlog  pesaswap-jobs stopped, N customers made, pesaswap-jobs started:
#            the time to deliver the N waiting events (pure delivery rate)
#   live     pesaswap-jobs running, N customers made as fast as the client
#            can: delivery rate and the delay of each event
#   paced    M customers at a steady BENCH_RATE per second: the delay when
#            the service is not saturated
# Prints a Markdown table and writes tests/bench/results-webhooks-<date>.md.
#
# Settings (environment):
#   PESASWAP_BUILD       a build directory with fcgi/pesaswap-{fcgi,admin,jobs}
#                        (copied; default: build out of tree in the temp dir)
#   BENCH_EVENTS         N of the backlog and live phases (5000)
#   BENCH_PACED_EVENTS   M of the paced phase (1000; 0 skips it)
#   BENCH_RATE           creates per second in the paced phase (100)
#   BENCH_CONCURRENCY    creates in flight in the other phases (16)
#   BENCH_JOBS           pesaswap-jobs processes (1)
#   BENCH_JOBS_CONCURRENCY  PESASWAP_JOBS_CONCURRENCY (its default, 64)
#   BENCH_JOBS_POLL_MS   PESASWAP_JOBS_POLL_MS (its default, 200)
#   BENCH_RECEIVER_MS    the receiver's delay before each answer (0)
#   BENCH_WAIT_S         give up when a phase's events are not all
#                        delivered within this many seconds (300)
#   BENCH_OUT            the results file ("-": none)
#   BENCH_KEEP=1         keep the temporary directory
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

case ${1:-} in
-h|--help)
	sed -n '2,/^set -E/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 0 ;;
--quick)
	BENCH_EVENTS=${BENCH_EVENTS:-500} BENCH_PACED_EVENTS=${BENCH_PACED_EVENTS:-200} ;;
'') ;;
*) echo "usage: tests/bench/webhooks.sh [--quick]   (settings: see --help)" >&2
	exit 2 ;;
esac

EVENTS=${BENCH_EVENTS:-5000}
PACED=${BENCH_PACED_EVENTS:-1000}
RATE=${BENCH_RATE:-100}
CONC=${BENCH_CONCURRENCY:-16}
NJOBS=${BENCH_JOBS:-1}
RECEIVER_MS=${BENCH_RECEIVER_MS:-0}
KEEP=${BENCH_KEEP:-0}
STAMP=$(date +%Y-%m-%d)
OUT=${BENCH_OUT:-$HERE/results-webhooks-$STAMP.md}
if [ "$OUT" != - ] && [ -z "${BENCH_OUT:-}" ] && [ -e "$OUT" ]; then
	OUT=$HERE/results-webhooks-$STAMP-$(date +%H%M).md
fi
[ -n "${BENCH_JOBS_CONCURRENCY:-}" ] &&
    export PESASWAP_JOBS_CONCURRENCY=$BENCH_JOBS_CONCURRENCY
[ -n "${BENCH_JOBS_POLL_MS:-}" ] && export PESASWAP_JOBS_POLL_MS=$BENCH_JOBS_POLL_MS

BENCH_NAME=webhooks
# shellcheck source=common.sh
. "$HERE/common.sh"

for t in node mariadb mariadb-install-db mariadb-admin nginx openssl; do
	command -v "$t" >/dev/null || die "missing: $t"
done
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 18 ] ||
    die "node 18 or later is needed"

declare -F jobs_start >/dev/null ||
    die "scripts/stack.sh has no jobs_start (pesaswap-jobs)"

bench_init
bench_build
bench_stack

# Keys: a few, round robin, should a per-key rate limit still apply.
KEYS=$PESASWAP_TEST_KEY
for i in 1 2 3 4 5 6 7; do
	k=$(ps_env "$BUILD/fcgi/pesaswap-admin" key create \
	    --account "$PESASWAP_ACCOUNT_ID" --mode test | sed -n 's/^PESASWAP_KEY=//p')
	[ -n "$k" ] || die "pesaswap-admin key create"
	KEYS="$KEYS,$k"
done

# More pesaswap-jobs beside the stack's (BENCH_JOBS > 1).
ps_env_vars
for i in $(seq 2 "$NJOBS"); do
	setsid env "${PS_ENV[@]}" "$BUILD/fcgi/pesaswap-jobs" </dev/null \
	    >>"$VAR/log/jobs-$i.log" 2>&1 8>&- 9>&- &
	EXTRA_PIDS+=($!)
done

# ---- the measurement ------------------------------------------------------

cat >"$TMP/bench.mjs" <<'EOF'
// The webhooks benchmark's driver: a receiver process (forked, answering
// 200 at once), an endpoint for customer.created, and the three phases.
import { createServer } from 'node:http';
import { fork, execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const now = () => performance.timeOrigin + performance.now();	// wall ms
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (process.argv[2] === 'receiver') {
	const delay = Number(process.env.BENCH_RECEIVER_MS || 0);
	let arrivals = [];	// [customer id, event id, ms]
	const server = createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const t = now();
			try {
				const e = JSON.parse(Buffer.concat(chunks));
				arrivals.push([e.data.object.id, e.id, t]);
			} catch { arrivals.push([null, null, t]); }
			const answer = () => { res.writeHead(200); res.end('ok'); };
			if (delay > 0) setTimeout(answer, delay); else answer();
		});
	});
	server.keepAliveTimeout = 120000;
	server.listen(0, '127.0.0.1', () =>
	    process.send({ port: server.address().port }));
	process.on('disconnect', () => process.exit(0));	// the driver died
	process.on('message', (m) => {
		if (m === 'count')
			process.send({ count: new Set(arrivals.map((a) => a[1])).size });
		else if (m === 'dump')
			process.send({ arrivals });
		else if (m === 'reset')
			arrivals = [], process.send({ reset: true });
		else if (m === 'exit')
			server.close(() => process.exit(0));
	});
} else {
	await main();
}

function ask(child, msg, key) {
	return new Promise((resolve) => {
		const on = (m) => {
			if (key in m) {
				child.off('message', on);
				resolve(m[key]);
			}
		};
		child.on('message', on);
		child.send(msg);
	});
}

async function main() {
	const URL_ = process.env.PESASWAP_API_URL;
	const KEYS = process.env.BENCH_KEYS.split(',');
	const N = Number(process.env.BENCH_EVENTS);
	const M = Number(process.env.BENCH_PACED_EVENTS);
	const RATE = Number(process.env.BENCH_RATE);
	const CONC = Number(process.env.BENCH_CONCURRENCY);
	const rcv = fork(new URL(import.meta.url).pathname, ['receiver'],
	    { env: process.env });
	process.on('exit', () => rcv.kill());
	const port = await new Promise((r) => rcv.once('message', (m) => r(m.port)));
	const stack = (cmd) => execFileSync('bash', [process.env.PESASWAP_STACK,
	    cmd], { env: process.env, stdio: ['ignore', 'ignore', 'inherit'] });
	const log = (s) => process.stderr.write(`[bench-webhooks ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

	const api = async (path, body, key) => {
		for (let tries = 0; ; tries++) {
			const r = await fetch(URL_ + path, { method: 'POST', headers: {
			    authorization: `Bearer ${key}`,
			    'content-type': 'application/json' },
			    body: JSON.stringify(body) });
			const text = await r.text();
			if (r.status === 429 && tries < 100) {
				await sleep(1000 * (Number(r.headers.get('retry-after')) || 1));
				continue;
			}
			if (r.status !== 200)
				throw new Error(`POST ${path}: ${r.status} ${text}`);
			return JSON.parse(text);
		}
	};
	await api('/v1/webhook_endpoints', { url: `http://127.0.0.1:${port}/hook`,
	    enabled_events: ['customer.created'] }, KEYS[0]);

	let serial = 0;
	const create = async () => {
		const i = serial++;
		const c = await api('/v1/customers', { name: `Bench ${i}`,
		    email: `bench.${i}.${process.pid}@example.com` },
		    KEYS[i % KEYS.length]);
		return [c.id, now()];
	};
	// N creates, CONC at a time: [[customer id, answered ms]].
	const burst = async (n) => {
		const out = [];
		let left = n;
		await Promise.all(Array.from({ length: CONC }, async () => {
			while (left-- > 0)
				out.push(await create());
		}));
		return out;
	};
	// N creates at RATE per second, whatever the answers take.
	const paced = async (n) => {
		const t0 = now(), all = [];
		for (let i = 0; i < n; i++) {
			const wait = t0 + i * 1000 / RATE - now();
			if (wait > 0)
				await sleep(wait);
			all.push(create());
		}
		return Promise.all(all);
	};
	const waitAll = async (n, ms = Number(process.env.BENCH_WAIT_S || 300) * 1000) => {
		const end = now() + ms;
		for (let said = now(); ;) {
			const c = await ask(rcv, 'count', 'count');
			if (c >= n)
				return;
			if (now() - said > 10000)
				log(`${c} of ${n} delivered`), said = now();
			if (now() > end)
				throw new Error(`only ${c} of ${n} events delivered in ` +
				    `${ms / 1000} s`);
			await sleep(50);
		}
	};
	const pct = (sorted, q) => sorted.length === 0 ? NaN :
	    sorted[Math.min(sorted.length - 1,
	    Math.max(0, Math.ceil(q * sorted.length) - 1))];
	const summary = (name, made, arrivals, t0, tMade) => {
		const first = new Map();
		for (const [cid, , t] of arrivals)
			if (cid && !first.has(cid))
				first.set(cid, t);
		const delays = made.map(([cid, t]) => first.get(cid) - t)
		    .filter((d) => Number.isFinite(d)).sort((a, b) => a - b);
		const tLast = Math.max(...first.values());
		const tFirst = Math.min(...first.values());
		return { name, events: made.length, delivered: first.size,
		    duplicates: arrivals.length - first.size,
		    make_s: (tMade - t0) / 1000,
		    make_rate: made.length / ((tMade - t0) / 1000),
		    total_s: (tLast - t0) / 1000,
		    deliver_rate: (first.size - 1) / ((tLast - tFirst) / 1000),
		    p50: pct(delays, 0.5), p90: pct(delays, 0.9),
		    p99: pct(delays, 0.99), max: delays[delays.length - 1],
		    early: delays.filter((d) => d < 0).length };
	};
	const results = [];

	// 1. backlog (more pesaswap-jobs than the stack's: paused meanwhile)
	const extra = (process.env.BENCH_EXTRA_PIDS || '').split(' ')
	    .filter(Boolean).map(Number);
	log(`backlog: ${N} events made while pesaswap-jobs is stopped`);
	stack('jobs-stop');
	for (const p of extra)
		process.kill(p, 'SIGSTOP');
	await ask(rcv, 'reset', 'reset');
	let t0 = now();
	let made = await burst(N);
	let tMade = now();
	log('backlog: starting pesaswap-jobs');
	const tStart = now();
	stack('jobs-start');
	for (const p of extra)
		process.kill(p, 'SIGCONT');
	await waitAll(N);
	let s = summary('backlog', made, await ask(rcv, 'dump', 'arrivals'),
	    tStart, tStart);
	s.make_s = (tMade - t0) / 1000;
	s.make_rate = N / s.make_s;
	s.p50 = s.p90 = s.p99 = s.max = NaN;	// waited on purpose: no delay
	results.push(s);

	// 2. live
	log(`live: ${N} events as fast as ${CONC} clients make them`);
	await ask(rcv, 'reset', 'reset');
	t0 = now();
	made = await burst(N);
	tMade = now();
	await waitAll(N);
	results.push(summary('live', made, await ask(rcv, 'dump', 'arrivals'),
	    t0, tMade));

	// 3. paced
	if (M > 0) {
		log(`paced: ${M} events at ${RATE}/s`);
		await ask(rcv, 'reset', 'reset');
		t0 = now();
		made = await paced(M);
		tMade = now();
		await waitAll(M);
		results.push(summary('paced', made, await ask(rcv, 'dump',
		    'arrivals'), t0, tMade));
	}
	rcv.send('exit');
	await Promise.race([new Promise((r) => rcv.once('exit', r)), sleep(5000)]);
	rcv.kill();

	const f = (x, d = 0) => Number.isFinite(x) ? x.toFixed(d) : '–';
	const rows = ['| phase | events | made in s | made/s | delivered | ' +
	    'all delivered after s | delivered/s | delay p50 ms | p90 ms | ' +
	    'p99 ms | max ms | duplicates |',
	    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|'];
	for (const r of results)
		rows.push(`| ${r.name} | ${r.events} | ${f(r.make_s, 1)} | ` +
		    `${f(r.make_rate)} | ${r.delivered} | ${f(r.total_s, 1)} | ` +
		    `${f(r.deliver_rate)} | ${f(r.p50)} | ${f(r.p90)} | ` +
		    `${f(r.p99)} | ${f(r.max)} | ${r.duplicates} |`);
	console.log(rows.join('\n'));
	const early = results.reduce((a, r) => a + (r.early || 0), 0);
	if (early > 0)
		console.log(`\n${early} deliveries arrived before their create's ` +
		    'answer reached the client (negative delays, counted as such).');
	process.exit(0);
}
EOF

say "measuring: $EVENTS events (backlog, live), $PACED at $RATE/s (paced);" \
    "$NJOBS pesaswap-jobs"
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
# Into files, not through pipes: the pesaswap-jobs the driver restarts
# (stack.sh jobs-start) would inherit a pipe and hold it open for ever.
if ! (cd "$TMP" && BENCH_KEYS=$KEYS BENCH_EVENTS=$EVENTS \
    BENCH_PACED_EVENTS=$PACED BENCH_RATE=$RATE BENCH_CONCURRENCY=$CONC \
    BENCH_RECEIVER_MS=$RECEIVER_MS BENCH_EXTRA_PIDS="${EXTRA_PIDS[*]}" \
    timeout 3600 node "$TMP/bench.mjs" >"$TMP/table.md"); then
	# Where the deliveries stand, for the kept logs.
	db_sql pesaswap -e "SELECT status, attempts, last_status, last_error,
	    COUNT(*), MIN(next_attempt) - UNIX_TIMESTAMP() * 1000 AS due_in_ms
	    FROM webhook_deliveries GROUP BY 1, 2, 3, 4;
	    SELECT fanned, COUNT(*) FROM events GROUP BY 1" \
	    >"$LOG/deliveries.txt" 2>&1
	cat "$LOG/deliveries.txt" >&2
	die "the measurement failed"
fi
TABLE=$(cat "$TMP/table.md")

COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')
git -C "$ROOT" diff --quiet HEAD -- fcgi sql 2>/dev/null || COMMIT="$COMMIT (+ uncommitted changes to fcgi/ or sql/)"
REPORT=$(cat <<EOF
# Webhooks benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')

Tree $COMMIT; $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)),
load average before: $LOAD. $NJOBS pesaswap-jobs (concurrency
${PESASWAP_JOBS_CONCURRENCY:-default 64}, poll ${PESASWAP_JOBS_POLL_MS:-default 200} ms),
one endpoint (customer.created) on a node receiver answering 200 after
${RECEIVER_MS} ms; creates by $CONC clients (backlog, live) or at $RATE/s
(paced), through nginx; MariaDB with innodb_flush_log_at_trx_commit=1.

$TABLE

backlog: the events wait while pesaswap-jobs is stopped; "all delivered
after" counts from its start. live and paced: delay = the event's first
arrival at the receiver minus the moment its create's answer reached the
client; "delivered/s" = between the first and the last arrival.
EOF
)
printf '%s\n' "$REPORT"
if [ "$OUT" != - ]; then
	printf '%s\n' "$REPORT" >"$OUT"
	say "written to $OUT"
fi
