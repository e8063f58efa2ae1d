#!/usr/bin/env bash
# The export benchmark (issue 15 "Export and import"): GET
# /v1/customers/export must stream, so a worker's memory does not grow
# with the number of customers exported. In one run, on a stack of its
# own with one worker:
#   - account S with EXPORT_SMALL customers (10,000) and account L with
#     EXPORT_LARGE (1,000,000), filled by INSERT ... SELECT FROM the
#     sequence engine's seq_1_to_N (no HTTP per row);
#   - the export of S, then of L, through nginx with curl: time, bytes,
#     rows (checked), and the worker's peak resident size (VmHWM of
#     /proc/<worker>/status) after each; the ratio of the two peaks is ~1
#     when memory is constant;
#   - the same for format=jsonl on L;
#   - a Markdown table, printed and appended to BENCH_OUT.
# A benchmark, not a test: ./test.sh never runs it.
#
# Settings (environment): PESASWAP_BUILD (a build directory; default:
# build out of tree), EXPORT_SMALL, EXPORT_LARGE, BENCH_KEEP=1 (keep the
# temporary directory), BENCH_OUT (a file to append the table to; "-",
# the default, for none).
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
KEEP=${BENCH_KEEP:-0}
BENCH_NAME=export
SMALL=${EXPORT_SMALL:-10000}
LARGE=${EXPORT_LARGE:-1000000}
OUT=${BENCH_OUT:--}

# shellcheck source=common.sh
. "$HERE/common.sh"

# fill_customers ACCOUNT N TAG: N customers of ACCOUNT in test mode, in one
# statement; TAG (one letter) keeps their ids apart from another account's.
fill_customers() {
	say "filling $2 customers of $1"
	bg_wait sql -e "INSERT INTO customers (id, account_id, livemode,
	    name, email, phone, metadata, created, updated)
	    SELECT CONCAT('cust_', '$3', LPAD(seq, 15, '0')), '$1', 0,
	    CONCAT('Customer ', seq, IF(seq % 10 = 0, ', \"quoted\"', '')),
	    CONCAT('c', seq, '@$1.example.com'), '+254700000000',
	    '{\"plan\":\"pro\"}', 1700000000 + seq, 1700000000 + seq
	    FROM seq_1_to_$2"
}

# worker: the one worker's pid.
worker() {
	PS_VAR=$VAR fcgi_workers | head -n 1
}

# measure LABEL KEY QUERY N: one export; a table row.
measure() {
	local label=$1 key=$2 qs=$3 n=$4 w out res rows hwm
	w=$(worker)
	out=$TMP/export.out
	res=$(curl -s -u "$key:" -o "$out" -w '%{http_code} %{size_download} %{time_total}' \
	    "$PESASWAP_API_URL/v1/customers/export$qs")
	set -- $res
	[ "$1" = 200 ] || die "$label: HTTP $1"
	rows=$(wc -l < "$out")
	hwm=$(rss_kib "$w" VmHWM)
	say "$label: $rows lines, $2 bytes in $3 s; worker $w VmHWM $hwm KiB"
	printf '| %s | %s | %s | %s | %s | %s |\n' "$label" "$n" "$rows" \
	    "$(awk -v b="$2" 'BEGIN { printf "%.1f", b / 1048576 }')" "$3" "$hwm"
	rm -f "$out"
}

# abort_check KEY N: a client that goes away mid-export leaves the worker
# serving: the next export of the N customers is whole.
abort_check() {
	local lines
	curl -s -u "$1:" "$PESASWAP_API_URL/v1/customers/export" |
	    head -c 65536 >/dev/null || true
	lines=$(curl -s -u "$1:" "$PESASWAP_API_URL/v1/customers/export" |
	    wc -l)
	[ "$lines" = $(($2 + 1)) ] ||
	    die "after an aborted export, the next had $lines lines"
	say "an export cut short by its client: the next one is whole"
}

main() {
	local s l table before
	bench_init
	bench_build pesaswap-fcgi pesaswap-admin pesaswap-jobs
	export PESASWAP_WORKERS=1
	bench_stack
	DB_PASSWORD=$(db_password)
	bench_account small "$TMP/small.env"
	bench_account large "$TMP/large.env"
	s=$(sed -n 's/^PESASWAP_TEST_KEY=//p' "$TMP/small.env")
	l=$(sed -n 's/^PESASWAP_TEST_KEY=//p' "$TMP/large.env")
	fill_customers "$(sed -n 's/^PESASWAP_ACCOUNT_ID=//p' "$TMP/small.env")" "$SMALL" S
	fill_customers "$(sed -n 's/^PESASWAP_ACCOUNT_ID=//p' "$TMP/large.env")" "$LARGE" L
	before=$(rss_kib "$(worker)" VmHWM)
	say "worker VmHWM before any export: $before KiB"
	bench_wait_load
	table=$(
		echo "| export | customers | lines | MiB | seconds | worker VmHWM after (KiB) |"
		echo "|---|---|---|---|---|---|"
		echo "| (none yet) | | | | | $before |"
		measure "csv, account S" "$s" "" "$SMALL"
		measure "csv, account L" "$l" "" "$LARGE"
		measure "jsonl, account L" "$l" "?format=jsonl" "$LARGE"
		measure "csv, search on L" "$l" \
		    "?query=name~%27quoted%27" "$((LARGE / 10))"
	)
	abort_check "$l" "$LARGE"
	printf '\n%s\n\nload average at the start: %s\n' "$table" "$LOAD_SEEN"
	if [ "$OUT" != - ]; then
		printf '\n%s\n' "$table" >> "$OUT"
	fi
}

main "$@"
