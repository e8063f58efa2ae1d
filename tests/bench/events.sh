#!/usr/bin/env bash
# The events-by-customer benchmark (issue 15, "GET /v1/events?customer="):
# what GET /v1/events?customer=cust_…&limit=10 costs beside
# GET /v1/events?limit=10 in an account of N events (BENCH_ROWS,
# 1,000,000) about BENCH_CUSTOMERS (10,000) customers, as a ratio of their
# throughput through nginx measured with wrk in one run, on the first
# page and on a page deep in the customer's history. Events are seeded by
# SQL (INSERT ... SELECT from seq_1_to_N); customer_id is generated from
# their data as for every event (sql/009_customer_fields.sql). A
# benchmark, not a test: ./test.sh never runs it.
#
# Settings (environment): PESASWAP_BUILD (a build directory; default:
# build out of tree), BENCH_ROWS, BENCH_CUSTOMERS, BENCH_DURATION (5 s
# per run), BENCH_CONNECTIONS (4), BENCH_THREADS (2), BENCH_KEEP=1 (keep
# the temp directory).
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BENCH_NAME=events
KEEP=${BENCH_KEEP:-0}
ROWS=${BENCH_ROWS:-1000000}
CUSTOMERS=${BENCH_CUSTOMERS:-10000}
# shellcheck source=common.sh
. "$HERE/common.sh"

bench_wrk_stack

bench_account events "$TMP/events.env"
ACCT=$(. "$TMP/events.env"; printf '%s' "${PESASWAP_ACCOUNT_ID:-}")
KEY=$(. "$TMP/events.env"; printf '%s' "${PESASWAP_TEST_KEY:-}")
[ -n "$ACCT" ] && [ -n "$KEY" ] || die "no account in $TMP/events.env"
customer() { printf 'cust_%016d' "$1"; }

say "seeding $ROWS events about $CUSTOMERS customers"
bg_wait sql -e "
INSERT INTO events (id, account_id, livemode, type, data, created)
SELECT CONCAT('evt_', LPAD(seq, 16, '0')), '$ACCT', 0, 'customer.updated',
    CONCAT('{\"object\": {\"id\": \"cust_', LPAD(seq % $CUSTOMERS, 16, '0'),
    '\", \"object\": \"customer\", \"name\": \"Customer\"}}'),
    1700000000 + seq
FROM seq_1_to_$ROWS;
ANALYZE TABLE events;" >/dev/null
# A page in the middle of customer 42's history: after its event there.
MID=$(sql -N -e "SELECT id FROM events WHERE account_id = '$ACCT'
    AND livemode = 0 AND customer_id = '$(customer 42)'
    ORDER BY pk LIMIT 1 OFFSET $(( ROWS / CUSTOMERS / 2 ))")
[ -n "$MID" ] || die "no event in the middle of a customer's history"
bench_wait_load

printf '| events (%d, %d customers) | req/s | list ÷ this |\n' "$ROWS" \
    "$CUSTOMERS"
printf '|---|---:|---:|\n'
base=$(wrk_rate "$KEY" '/v1/events?limit=10')
printf '| `GET /v1/events?limit=10` | %s | 1.0 |\n' "$base"
for p in "/v1/events?limit=10&customer=$(customer 42)" \
    "/v1/events?limit=10&customer=$(customer 42)&starting_after=$MID" \
    "/v1/events?limit=10&customer=$(customer 42)&type=customer.updated"; do
	r=$(wrk_rate "$KEY" "$p")
	printf '| `GET %s` | %s | %s |\n' "${p/$MID/<middle>}" "$r" \
	    "$(awk -v a="$base" -v b="$r" 'BEGIN { printf "%.1f", a / b }')"
done
say "load average at the start: ${LOAD_SEEN:-?}"
