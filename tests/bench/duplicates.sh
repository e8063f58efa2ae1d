#!/usr/bin/env bash
# The duplicates benchmark (issue 15, "Duplicates found and merged"):
# what GET /v1/customers/duplicates costs beside GET /v1/customers?limit=10
# in an account of N customers (BENCH_ROWS, 200,000), as a ratio of their
# throughput through nginx measured with wrk in one run, for
#   - "dense": a phone shared by every 100th customer with the one before
#     and a Gmail address with dots by every 250th (N/100 + N/250 groups),
#     the first page and a page deep in the phone groups;
#   - "sparse": the same number of customers without a single duplicate
#     (before sql/012_duplicate_counts.sql, the worst case: a page read
#     each index to its end).
# Customers are seeded by SQL (INSERT ... SELECT from seq_1_to_N, the keys
# filled by the same rules as sql/007_duplicates.sql's backfill), not
# through HTTP. A benchmark, not a test: ./test.sh never runs it.
#
# Settings (environment): PESASWAP_BUILD (a build directory; default:
# build out of tree), BENCH_ROWS (200000), BENCH_DURATION (5 s per run),
# BENCH_CONNECTIONS (4), BENCH_THREADS (2), BENCH_KEEP=1 (keep the temp
# directory).
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BENCH_NAME=dups
KEEP=${BENCH_KEEP:-0}
ROWS=${BENCH_ROWS:-200000}
# shellcheck source=common.sh
. "$HERE/common.sh"

bench_wrk_stack

# seed NAME DENSE: an account with ROWS customers; prints its test key.
seed() {
	local file=$TMP/$1.env acct key
	bench_account "$1" "$file"
	acct=$(. "$file"; printf '%s' "${PESASWAP_ACCOUNT_ID:-}")
	key=$(. "$file"; printf '%s' "${PESASWAP_TEST_KEY:-}")
	[ -n "$acct" ] && [ -n "$key" ] || die "no account in $file"
	say "seeding $ROWS customers into $1 (dense=$2)"
	bg_wait sql -e "
	SET @a = '$acct', @dense = $2;
	INSERT INTO customers (id, account_id, livemode, name, email, phone,
	    metadata, created, updated, email_norm, phone_norm)
	SELECT CONCAT('cust_', UPPER(LEFT('$1', 1)),
	    LPAD(CONV(s.seq, 10, 36), 15, 'x')), @a, 0,
	    CONCAT('Customer ', s.seq), s.email, s.phone, '{}',
	    1700000000 + s.seq, 1700000000 + s.seq,
	    IF(SUBSTRING_INDEX(LOWER(s.email), '@', -1) IN ('gmail.com',
	    'googlemail.com'), CONCAT(REPLACE(SUBSTRING_INDEX(SUBSTRING_INDEX(
	    LOWER(s.email), '@', 1), '+', 1), '.', ''), '@gmail.com'),
	    LOWER(s.email)), SUBSTRING(s.phone, 2)
	FROM (SELECT seq,
	    IF(@dense AND seq % 250 = 0, CONCAT('dup', seq, '@gmail.com'),
	    IF(@dense AND seq % 250 = 1, CONCAT('d.up', seq - 1, '+x@gmail.com'),
	    CONCAT('c', seq, '@example.com'))) AS email,
	    CONCAT('+2547', LPAD(IF(@dense AND seq % 100 = 0, seq - 1, seq), 8,
	    '0')) AS phone
	    FROM seq_1_to_$ROWS) s;
	ANALYZE TABLE customers;" >/dev/null
	printf '%s' "$key"
}

DENSE=$(seed dense 1) || die "seeding the dense account"
SPARSE=$(seed sparse 0) || die "seeding the sparse account"
# A page deep in the phone groups: after the group of the middle row's
# phone.
MID=$(printf '2547%08d' $(( ROWS / 200 * 100 - 1 )))
curl -fsS -H "Authorization: Bearer $DENSE" \
    "$PESASWAP_API_URL/v1/customers/duplicates?starting_after=phone:$MID" \
    >/dev/null || die "the deep page does not answer"
bench_wait_load

printf '| account (%d customers) | request | req/s | list ÷ this |\n' "$ROWS"
printf '|---|---|---:|---:|\n'
for acct in dense sparse; do
	key=$DENSE
	[ "$acct" = sparse ] && key=$SPARSE
	base=$(wrk_rate "$key" '/v1/customers?limit=10')
	printf '| %s | `GET /v1/customers?limit=10` | %s | 1.0 |\n' "$acct" "$base"
	paths=('/v1/customers/duplicates?limit=10')
	[ "$acct" = dense ] &&
	    paths+=("/v1/customers/duplicates?limit=10&starting_after=phone:$MID")
	for p in "${paths[@]}"; do
		r=$(wrk_rate "$key" "$p")
		printf '| %s | `GET %s` | %s | %s |\n' "$acct" \
		    "${p/$MID/<middle>}" "$r" \
		    "$(awk -v a="$base" -v b="$r" 'BEGIN { printf "%.1f", a / b }')"
	done
done
say "load average at the start: ${LOAD_SEEN:-?}"
