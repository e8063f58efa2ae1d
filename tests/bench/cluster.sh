#!/usr/bin/env bash
# The scale-out benchmark (issue 14): in one run, against the cluster of
# tests/cluster/cluster.sh (3 Galera nodes, worker hosts, nginx, each in a
# network namespace) and then against the single server of
# scripts/stack.sh, with the same workers per host:
#   - wrk (inside the cluster's switch namespace) for GET a customer,
#     create a customer and create a payment, through 1, 2 and 3 worker
#     hosts, and the same through the single server: requests/s, p50, p99;
#   - GET and create through 3 hosts with wsrep_sync_wait=0, for what the
#     read-your-writes setting costs;
#   - a node's death under a keyed create load (tests/bench/failover.mjs):
#     the time to the first write through the survivors, the requests
#     that saw an error and whether any was lost.
# A Markdown table is printed and written to
# tests/bench/results-cluster-<date>.md. A benchmark, not a test (as
# root; ./test.sh never runs it). Settings (environment):
#   PESASWAP_BUILD     a build directory (default: build/)
#   BENCH_DURATION     seconds per wrk run (5)
#   BENCH_CONNECTIONS  wrk connections (16)
#   BENCH_OUT          the results file ("-" for none)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${PESASWAP_BUILD:-$ROOT/build}
DURATION=${BENCH_DURATION:-5}
CONNS=${BENCH_CONNECTIONS:-16}
OUT=${BENCH_OUT:-$HERE/results-cluster-$(date +%Y%m%d-%H%M).md}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pesaswap-bcl.XXXXXX") || exit 1
chmod 755 "$TMP"
CL=$ROOT/tests/cluster/cluster.sh
ROWS=()

say() { printf '[bench-cluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

cleanup() {
	PESASWAP_VAR=$TMP/cl bash "$CL" stop-all >"$TMP/cl-stop.log" 2>&1
	if [ -d "$TMP/single" ]; then
		PESASWAP_VAR=$TMP/single bash "$ROOT/scripts/stack.sh" stop-all \
		    >"$TMP/single-stop.log" 2>&1
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -x "$BUILD/fcgi/pesaswap-fcgi" ] || { say "no build in $BUILD"; exit 1; }
export PESASWAP_BUILD=$BUILD
# One key drives the load: nginx's per-key limit would answer 429.
export PESASWAP_RATE_LIMIT=1000000 PESASWAP_RATE_BURST=1000000

# wrk_run LABEL SCRIPT [NS]: one wrk run; appends a table row.
wrk_run() {
	local label=$1 script=$2 line
	local -a pre=()
	[ -n "${3:-}" ] && pre=(ip netns exec "$3")
	line=$(BENCH_LUA_DIR=$HERE/lua BENCH_KEY=$KEY BENCH_IDS=$TMP/ids \
	    BENCH_TAG="cl$RANDOM" BENCH_HOT=200 "${pre[@]}" wrk -t2 -c"$CONNS" \
	    -d"${DURATION}s" -s "$HERE/lua/$script" "$URL" 2>&1 |
	    grep '^BENCHRESULT') || { say "wrk failed: $label"; return; }
	ROWS+=("$(awk -v l="$label" '{
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "| %s | %.0f | %.1f | %.1f | %d |", l, v["rps"],
		    v["p50_us"] / 1000, v["p99_us"] / 1000, v["non2xx"] }' <<<"$line")")
	say "${ROWS[-1]}"
}

# seed_ids [NS]: 200 customers for the GET and payment scripts.
seed_ids() {
	local i
	: >"$TMP/ids"
	for i in $(seq 1 200); do
		"$@" curl -s -u "$KEY:" "$URL/v1/customers" -d name=Seed \
		    -d "email=seed$i.$RANDOM@example.com" |
		    grep -o '^{"id":"[^"]*"' | cut -d'"' -f4 >>"$TMP/ids"
	done
	[ -s "$TMP/ids" ] || { say "seeding failed"; exit 1; }
}

# ---- the cluster
say "cluster up (3 nodes, 3 hosts)"
mkdir -p "$TMP/cl"
export PESASWAP_VAR=$TMP/cl
bash "$CL" up >"$TMP/cl-up.log" 2>&1 || { tail -20 "$TMP/cl-up.log"; exit 1; }
# shellcheck source=/dev/null
. "$TMP/cl/demo.env"
NS=$PESASWAP_CLUSTER_NETNS
KEY=$PESASWAP_TEST_KEY
URL=$PESASWAP_API_URL
seed_ids ip netns exec "$NS"
for h in 1 2 3; do
	bash "$CL" nginx-hosts "$h" >/dev/null 2>&1
	for s in get_one create pay_create; do
		wrk_run "cluster, $h host(s), $s" "$s.lua" "$NS"
	done
done

say "wsrep_sync_wait=0 on every host"
for h in 1 2 3; do
	bash "$CL" fcgi-stop "$h" >/dev/null 2>&1
	PESASWAP_DB_SYNC_WAIT=0 bash "$CL" fcgi-start "$h" >/dev/null 2>&1
done
for s in get_one create; do
	wrk_run "cluster, 3 hosts, $s, wsrep_sync_wait=0" "$s.lua" "$NS"
done

say "a node's death under a keyed create load"
FAILOVER=$(ip netns exec "$NS" env PESASWAP_VAR="$TMP/cl" \
    node "$HERE/failover.mjs" 2>&1 | tail -n 1)
say "$FAILOVER"
bash "$CL" stop-all >"$TMP/cl-stop.log" 2>&1

# ---- the single server (scripts/stack.sh), as many workers as a host
say "single server"
unset PESASWAP_DB_HOSTS PESASWAP_DB_HOST PESASWAP_DB_PORT PESASWAP_VAR \
    PESASWAP_STACK PESASWAP_DB_PASSWORD PESASWAP_API_URL
(
	# shellcheck source=../../scripts/stack.sh
	. "$ROOT/scripts/stack.sh"
	PS_HTTP_PORT=$(free_port) && PS_HTTPS_PORT=$(free_port "$PS_HTTP_PORT") &&
	    PS_DB_PORT=$(free_port "$PS_HTTP_PORT" "$PS_HTTPS_PORT") &&
	    stack_config "$TMP/single" "$BUILD" &&
	    PESASWAP_WORKERS=${PESASWAP_CLUSTER_WORKERS:-3} stack_up
) >"$TMP/single-up.log" 2>&1 || { tail -20 "$TMP/single-up.log"; exit 1; }
# shellcheck source=/dev/null
. "$TMP/single/demo.env"
KEY=$PESASWAP_TEST_KEY
URL=$PESASWAP_API_URL
seed_ids
for s in get_one create pay_create; do
	wrk_run "single server, $s" "$s.lua"
done

{
	echo "# Scale-out benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
	echo
	echo "One machine, $(nproc) cores shared with other sessions: relative"
	echo "figures only. wrk -c$CONNS, ${DURATION} s a run; ${PESASWAP_CLUSTER_WORKERS:-3} workers per host."
	echo
	echo "| run | requests/s | p50 ms | p99 ms | non-2xx |"
	echo "|---|---|---|---|---|"
	printf '%s\n' "${ROWS[@]}"
	echo
	echo "Node death: $FAILOVER"
} | tee "${OUT/#-//dev/null}"
