#!/usr/bin/env bash
# The scale benchmark (issue 3, "Fast at any history size"): analytics, the
# payment list of one customer and the customer list must cost about the
# same for a customer with 100,000 payments as for one with 10, and for an
# account with 1,000,000 customers as for one with 1,000. In one run:
#   - one private MariaDB seeded by LOAD DATA (no HTTP per row): account S
#     with 1,000 customers, account L with 1,000,000, in L a customer
#     "small" with 10 payments and a customer "big" with 100,000, and
#     900,000 background payments of other customers; the aggregates
#     (customer_totals, customer_volumes) filled by INSERT ... SELECT ...
#     GROUP BY as the service would have, and checked against a recount;
#   - the EXPLAIN (and ANALYZE: rows actually read) of each query, its SQL
#     taken from fcgi/payments.c and fcgi/customers.c;
#   - wrk through nginx (the same nginx as run.sh: nginx/main.conf.in and
#     nginx/ours.conf.in) for each request at the small and the large size;
#   - a Markdown table of the ratios large/small (target <= 1.5x) and of
#     analytics p99 (target < 5 ms), printed and written to
#     tests/bench/results-scale-<date>.md.
# A benchmark, not a test: ./test.sh never runs it. See README.md here.
#
# Everything runs on 127.0.0.1 from a temporary directory and is stopped at
# the end, on failure and on Ctrl-C. Settings (environment):
#   PESASWAP_BUILD             a build directory holding fcgi/pesaswap-fcgi
#                              and fcgi/pesaswap-admin (default: build out of
#                              tree in the temporary directory)
#   BENCH_DURATION             seconds per measured run (10)
#   BENCH_WARMUP               seconds of warm-up before each run (3)
#   BENCH_CONNECTIONS          wrk connections (16)
#   BENCH_THREADS              wrk threads (2)
#   BENCH_WORKERS              PESASWAP_WORKERS (default: the service's own)
#   BENCH_NGINX_WORKERS        nginx worker_processes (1)
#   BENCH_LOG_LEVEL            PESASWAP_LOG_LEVEL of the workers (info)
#   BENCH_DB_SQL               SQL run as the DB superuser once MariaDB is up
#   BENCH_OUT                  the results file (tests/bench/
#                              results-scale-<date>.md; "-" for none)
#   BENCH_KEEP=1               keep the temporary directory
#   SCALE_SMALL_CUSTOMERS      customers of account S (1000)
#   SCALE_LARGE_CUSTOMERS      customers of account L (1000000)
#   SCALE_SMALL_PAYMENTS       payments of customer "small" (10)
#   SCALE_BIG_PAYMENTS         payments of customer "big" (100000)
#   SCALE_BACKGROUND_PAYMENTS  payments of other customers (900000)
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

usage() {
	cat <<EOF
usage: tests/bench/scale.sh [--quick] [--keep] [--serve [SECONDS]]
  --quick     BENCH_DURATION=3 BENCH_WARMUP=1 (a smoke run, not figures)
  --keep      keep the temporary directory (same as BENCH_KEEP=1)
  --serve     seed, check and EXPLAIN, then print the URL, the keys and the
              ids and wait for Ctrl-C (at most SECONDS, default 600)
              instead of running wrk
Settings are environment variables; see the top of this file and README.md.
EOF
}

while [ $# -gt 0 ]; do
	case $1 in
	--quick) BENCH_DURATION=3 BENCH_WARMUP=1 ;;
	--keep) BENCH_KEEP=1 ;;
	--serve) SERVE=600
		case ${2:-} in [0-9]*) SERVE=$2; shift ;; esac ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done

DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-3}
CONNS=${BENCH_CONNECTIONS:-16}
THREADS=${BENCH_THREADS:-2}
NGINX_WORKERS=${BENCH_NGINX_WORKERS:-1}
LOG_LEVEL=${BENCH_LOG_LEVEL:-info}
KEEP=${BENCH_KEEP:-0}
S_CUSTOMERS=${SCALE_SMALL_CUSTOMERS:-1000}
L_CUSTOMERS=${SCALE_LARGE_CUSTOMERS:-1000000}
SMALL_PAYMENTS=${SCALE_SMALL_PAYMENTS:-10}
BIG_PAYMENTS=${SCALE_BIG_PAYMENTS:-100000}
BACKGROUND=${SCALE_BACKGROUND_PAYMENTS:-900000}
RATIO_MAX=1.5		# the issue's targets
ANALYTICS_P99_MS=5
STAMP=$(date +%Y-%m-%d)
OUT=${BENCH_OUT:-$HERE/results-scale-$STAMP.md}
if [ "$OUT" != - ] && [ -z "${BENCH_OUT:-}" ] && [ -e "$OUT" ]; then
	OUT=$HERE/results-scale-$STAMP-$(date +%H%M).md
fi

say() { printf '[scale %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { say "error: $*"; exit 1; }

for v in S_CUSTOMERS L_CUSTOMERS SMALL_PAYMENTS BIG_PAYMENTS; do
	[[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -ge 4 ] ||
	    die "$v must be a number >= 4"
done
[[ $BACKGROUND =~ ^[0-9]+$ ]] || die "SCALE_BACKGROUND_PAYMENTS: a number"

# ---- tools ----------------------------------------------------------------

MARIADBD=$(command -v mariadbd || ls /usr/sbin/mariadbd 2>/dev/null || true)
NGINX=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null || true)
CC=${CC:-cc}
missing=
for t in mariadb mariadb-install-db mariadb-admin wrk perl curl openssl \
    "$CC"; do
	command -v "$t" >/dev/null || missing="$missing $t"
done
[ -n "$MARIADBD" ] || missing="$missing mariadbd"
[ -n "$NGINX" ] || missing="$missing nginx"
perl -MJSON::PP -e 1 2>/dev/null || missing="$missing perl-JSON::PP"
[ -z "$missing" ] || die "missing:$missing (Debian: apt-get install" \
    "mariadb-server mariadb-client nginx-light wrk curl build-essential)"

# ---- the temporary directory, clean-up, build, MariaDB: common.sh ---------

# MariaDB, the build, migrations and pesaswap-fcgi start exactly as run.sh,
# test.sh and ./run.sh start them: by the functions of scripts/stack.sh,
# through common.sh, which also stops everything on exit and Ctrl-C
# (bg_wait runs the long steps so that Ctrl-C is handled at once).
BENCH_NAME=scale
# shellcheck source=common.sh
. "$HERE/common.sh"
say() { printf '[scale %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
bench_init
LOG=$VAR/log	# the stack's logs (fcgi.log) and ours, in one place
mkdir -p "$VAR/run" "$LOG" "$TMP/nginx" "$TMP/wrk" "$TMP/explain"
# nginx's workers (user nobody when started as root) open the socket.
chmod 0755 "$TMP" "$VAR" "$VAR/run"
PID_NGINX=''
FAILED=	# what went wrong that makes the figures or the data suspect

T_START=$(date +%s)
elapsed() {	# start [ms]: seconds (or milliseconds) since start
	awk -v a="$1" -v b="$(date +%s.%N)" -v ms="${2:-}" \
	    'BEGIN { if (ms) printf "%.1f", (b - a) * 1000;
		else printf "%.1f", b - a }'
}

# ---- build ----------------------------------------------------------------

t0=$(date +%s.%N)
bench_build pesaswap-fcgi pesaswap-admin
[ -n "${PESASWAP_BUILD:-}" ] || say "built in $(elapsed "$t0")s"
ADMIN=$BUILD/fcgi/pesaswap-admin

# The statements under test, as the service prepares them: the C files
# preprocessed (macros expanded), the string literals of one struct sql.
for f in payments customers; do
	"$CC" -E -P -I"$ROOT/fcgi" "$ROOT/fcgi/$f.c" >"$TMP/explain/$f.i" \
	    2>"$LOG/cc-E-$f.log" ||
	    { cat "$LOG/cc-E-$f.log" >&2; die "$CC -E fcgi/$f.c"; }
done
sql_of() {	# file NAME [INDEX]: "sig<TAB>text" of that statement
	perl "$HERE/sql-from-c.pl" "$2" "${3:-0}" <"$TMP/explain/$1.i"
}

# ---- MariaDB, the two accounts --------------------------------------------

bench_db

declare -A ACCT KEY
for a in S L; do
	bench_account "Scale $a" "$TMP/account-$a.env"
	ACCT[$a]=$(env_get "$TMP/account-$a.env" PESASWAP_ACCOUNT_ID) || true
	KEY[$a]=$(env_get "$TMP/account-$a.env" PESASWAP_TEST_KEY) || true
	[ -n "${ACCT[$a]}" ] && [ -n "${KEY[$a]}" ] ||
	    die "no account or test key for $a"
done

# ---- seed -----------------------------------------------------------------

# Customers as run.sh seeds them (seed.pl: oldest first, so the ids file is
# in pk order). In account L: "big" is its oldest customer, "small" its
# newest; the cursors of the customer list are the middle customers.
say "seeding: $S_CUSTOMERS + $L_CUSTOMERS customers," \
    "$SMALL_PAYMENTS + $BIG_PAYMENTS + $BACKGROUND payments"
t0=$(date +%s.%N)
perl "$HERE/seed.pl" "$S_CUSTOMERS" "${ACCT[S]}" "$TMP/customers-S.tsv" \
    "$TMP/ids-S.txt"
bg_wait perl "$HERE/seed.pl" "$L_CUSTOMERS" "${ACCT[L]}" \
    "$TMP/customers-L.tsv" "$TMP/ids-L.txt"
BIG=$(sed -n 1p "$TMP/ids-L.txt")
SMALL=$(sed -n "${L_CUSTOMERS}p" "$TMP/ids-L.txt")
S_MID=$(sed -n "$((S_CUSTOMERS / 2))p" "$TMP/ids-S.txt")
L_MID=$(sed -n "$((L_CUSTOMERS / 2))p" "$TMP/ids-L.txt")
bg_wait perl "$HERE/seed-payments.pl" "$TMP/payments.tsv" "${ACCT[L]}" \
    "$TMP/ids-L.txt" "$SMALL" "$SMALL_PAYMENTS" "$BIG" "$BIG_PAYMENTS" \
    "${ACCT[S]}" "$TMP/ids-S.txt" "$BACKGROUND"
SEED_GEN=$(elapsed "$t0")

t0=$(date +%s.%N)
bench_load customers "$TMP/customers-S.tsv" "$CUSTOMER_TSV_COLS"
bench_load customers "$TMP/customers-L.tsv" "$CUSTOMER_TSV_COLS"
SEED_LOAD_C=$(elapsed "$t0")
t0=$(date +%s.%N)
bench_load payments "$TMP/payments.tsv" "id, account_id, livemode, customer_id,
    amount, currency, description, status, failure_code, payment_method,
    metadata, created"
SEED_LOAD_P=$(elapsed "$t0")
rm -f "$TMP"/*.tsv

# The aggregates as the service keeps them (fcgi/payments.c, aggregate()):
# one customer_totals row per customer with a payment (succeeded count,
# failed count, the succeeded payment with the highest pk as the last one;
# a customer with only failed payments has last_* NULL), one
# customer_volumes row per customer and currency of its succeeded payments
# (count and sum). In memory: the grouping of a million rows must not
# spill to a file in the shared /tmp.
say "aggregates: INSERT ... SELECT ... GROUP BY"
t0=$(date +%s.%N)
bg_wait sql <<EOF
SET SESSION tmp_table_size = 1073741824, max_heap_table_size = 1073741824;
INSERT INTO customer_totals (customer_id, account_id, livemode, succeeded,
    failed, last_pk, last_id, last_amount, last_currency, last_created)
SELECT g.customer_id, g.account_id, g.livemode, g.succeeded, g.failed,
    g.last_pk, p.id, p.amount, p.currency, p.created
FROM (SELECT account_id, livemode, customer_id,
	SUM(status = 'succeeded') AS succeeded,
	SUM(status = 'failed') AS failed,
	MAX(IF(status = 'succeeded', pk, NULL)) AS last_pk
    FROM payments
    WHERE account_id IN ('${ACCT[S]}', '${ACCT[L]}')
	AND customer_id IS NOT NULL
    GROUP BY account_id, livemode, customer_id) g
LEFT JOIN payments p ON p.pk = g.last_pk;
INSERT INTO customer_volumes (customer_id, currency, account_id, livemode,
    payments, volume)
SELECT customer_id, currency, account_id, livemode, COUNT(*), SUM(amount)
FROM payments
WHERE account_id IN ('${ACCT[S]}', '${ACCT[L]}')
    AND customer_id IS NOT NULL AND status = 'succeeded'
GROUP BY account_id, livemode, customer_id, currency;
EOF
SEED_AGG=$(elapsed "$t0")
t0=$(date +%s.%N)
bg_wait sql >/dev/null -e "ANALYZE TABLE customers, payments, customer_totals,
    customer_volumes"
SEED_ANALYZE=$(elapsed "$t0")

counts=$(sql -N -e "SELECT
    (SELECT COUNT(*) FROM customers WHERE account_id = '${ACCT[S]}'),
    (SELECT COUNT(*) FROM customers WHERE account_id = '${ACCT[L]}'),
    (SELECT COUNT(*) FROM payments),
    (SELECT COUNT(*) FROM payments WHERE customer_id = '$SMALL'),
    (SELECT COUNT(*) FROM payments WHERE customer_id = '$BIG'),
    (SELECT COUNT(*) FROM customer_totals),
    (SELECT COUNT(*) FROM customer_volumes)")
read -r n_s n_l n_p n_small n_big n_totals n_volumes <<<"$counts"
[ "$n_s $n_l $n_p $n_small $n_big" = "$S_CUSTOMERS $L_CUSTOMERS \
$((SMALL_PAYMENTS + BIG_PAYMENTS + BACKGROUND)) $SMALL_PAYMENTS \
$BIG_PAYMENTS" ] || die "seeded counts differ: $counts"
SEED_NOTE="generate ${SEED_GEN}s, LOAD DATA ${SEED_LOAD_C}s (customers) +"
SEED_NOTE="$SEED_NOTE ${SEED_LOAD_P}s (payments), aggregates ${SEED_AGG}s"
SEED_NOTE="$SEED_NOTE ($n_totals customer_totals, $n_volumes"
SEED_NOTE="$SEED_NOTE customer_volumes rows), ANALYZE TABLE ${SEED_ANALYZE}s"
say "seeded: $SEED_NOTE"

# The cursors: pks and ids in the middle of each list. The payment cursor
# of both customers leaves half of the customer's payments below it, and
# its page is limit=PAY_CURSOR_LIMIT so that both sides answer the same
# number of payments (the small customer has only that many below).
PAY_CURSOR_LIMIT=$((SMALL_PAYMENTS / 2 < 10 ? SMALL_PAYMENTS / 2 : 10))
mid_payment() {	# customer: "id pk" of the middle payment (oldest first)
	sql -N -e "SELECT id, pk FROM payments WHERE account_id = '${ACCT[L]}'
	    AND livemode = 0 AND customer_id = '$1'
	    ORDER BY pk LIMIT 1 OFFSET $(($2 / 2))"
}
read -r SMALL_MID SMALL_MID_PK <<<"$(mid_payment "$SMALL" "$SMALL_PAYMENTS")"
read -r BIG_MID BIG_MID_PK <<<"$(mid_payment "$BIG" "$BIG_PAYMENTS")"
S_MID_PK=$(sql -N -e "SELECT pk FROM customers WHERE id = '$S_MID'")
L_MID_PK=$(sql -N -e "SELECT pk FROM customers WHERE id = '$L_MID'")
ALL_MID_PK=$(sql -N -e "SELECT pk FROM payments WHERE account_id =
    '${ACCT[L]}' AND livemode = 0 ORDER BY pk LIMIT 1
    OFFSET $(((SMALL_PAYMENTS + BIG_PAYMENTS + BACKGROUND * 9 / 10) / 2))")

# ---- pesaswap-fcgi and nginx ----------------------------------------------

export PESASWAP_LOG_LEVEL=$LOG_LEVEL
[ -n "${BENCH_WORKERS:-}" ] && export PESASWAP_WORKERS=$BENCH_WORKERS
fcgi_start >>"$LOG/stack.log" || die "pesaswap-fcgi (see $LOG/fcgi.log)"
FCGI_MASTER=$(read_pid "$VAR/run/fcgi.pid" pesaswap-fcgi) ||
    die "no pesaswap-fcgi master"
sleep 0.5
WORKERS=$({ grep -l "^PPid:[[:space:]]*$FCGI_MASTER\$" /proc/[0-9]*/status \
    2>/dev/null || true; } | wc -l)

# run.sh's nginx (the product template's http settings and upstream), with
# only our server block: no PHP peer, no ceiling here.
PORT=$(free_port "$PS_DB_PORT")
NGX=$TMP/nginx
mkdir -p "$NGX/client_body" "$NGX/fastcgi_temp" "$NGX/proxy_temp" \
    "$NGX/uwsgi_temp" "$NGX/scgi_temp"
NGX_USER=
[ "$(id -u)" = 0 ] && NGX_USER="user nobody $(id -gn nobody);"
fill "$HERE/nginx/main.conf.in" PREFIX="$NGX" USER="$NGX_USER" \
    NGINX_WORKERS="$NGINX_WORKERS" >"$NGX/nginx.conf"
fill "$HERE/nginx/ours.conf.in" PORT="$PORT" SOCKET="$PS_FCGI_SOCKET" \
    UPSTREAM=pesaswap_bench >"$NGX/ours.conf"
echo "# not used by scale.sh" >"$NGX/php.conf"
echo "# not used by scale.sh" >"$NGX/ceiling.conf"
echo "# not used by scale.sh" >"$NGX/base.conf"
"$NGINX" -t -q -p "$NGX" -c "$NGX/nginx.conf" -g 'daemon off;' \
    2>"$LOG/nginx-t.log" || { cat "$LOG/nginx-t.log" >&2; die "nginx -t"; }
say "starting nginx on 127.0.0.1:$PORT"
"$NGINX" -p "$NGX" -c "$NGX/nginx.conf" -g 'daemon off;' \
    >"$LOG/nginx.log" 2>&1 8>&- 9>&- &
PID_NGINX=$!
EXTRA_PIDS+=("$PID_NGINX")
wait_for 15 "$PID_NGINX" nginx port_in_use "$PORT" ||
    die "nginx (see $LOG/nginx.log, $NGX/nginx-error.log)"
URL=http://127.0.0.1:$PORT

get() {	# account path: one GET by curl; sets CODE and BODY
	local out
	out=$(curl -s -m 30 -w '\n%{http_code}' \
	    -H "Authorization: Bearer ${KEY[$1]}" "$URL$2")
	CODE=${out##*$'\n'}
	BODY=${out%$'\n'*}
}

# ---- analytics against a recount ------------------------------------------

# The API's analytics (read from the aggregates) and the same figures
# counted straight from payments, in one format: they must be equal.
api_lines() {	# the analytics JSON on stdin
	perl -MJSON::PP -e '
	    my $j = eval { decode_json(do { local $/; <STDIN> }) }
		or do { print "not JSON\n"; exit };
	    print "total_payments $j->{total_payments}\n";
	    print "failed_payments $j->{failed_payments}\n";
	    for my $v (@{ $j->{volume} || [] }) {
		print "volume $v->{currency} payments=$v->{payments}",
		    " total_volume=$v->{total_volume}",
		    " average_transaction=$v->{average_transaction}\n";
	    }
	    my $l = $j->{last_payment};
	    print $l ? "last_payment $l->{id} amount=$l->{amount}" .
		" currency=$l->{currency} created=$l->{created}\n" :
		"last_payment null\n";'
}
recount_lines() {	# customer
	local w="account_id = '${ACCT[L]}' AND livemode = 0
	    AND customer_id = '$1'"
	sql -N <<EOF
SELECT CONCAT('total_payments ', COUNT(*)) FROM payments
    WHERE $w AND status = 'succeeded';
SELECT CONCAT('failed_payments ', COUNT(*)) FROM payments
    WHERE $w AND status = 'failed';
SELECT CONCAT('volume ', currency, ' payments=', COUNT(*),
    ' total_volume=', SUM(amount), ' average_transaction=',
    (2 * SUM(amount) + COUNT(*)) DIV (2 * COUNT(*)))
    FROM payments WHERE $w AND status = 'succeeded'
    GROUP BY currency ORDER BY SUM(amount) DESC, currency;
SELECT IFNULL((SELECT CONCAT('last_payment ', id, ' amount=', amount,
    ' currency=', currency, ' created=', created) FROM payments
    WHERE $w AND status = 'succeeded' ORDER BY pk DESC LIMIT 1),
    'last_payment null');
EOF
}
CHECKS=
for who in small big; do
	id=$SMALL
	[ "$who" = big ] && id=$BIG
	t0=$(date +%s.%N)
	get L "/v1/customers/$id/analytics"
	t_api=$(elapsed "$t0" ms)
	[ "$CODE" = 200 ] || die "analytics of $who answered $CODE: ${BODY:0:300}"
	printf '%s\n' "$BODY" | api_lines >"$TMP/check-$who-api.txt"
	t0=$(date +%s.%N)
	recount_lines "$id" >"$TMP/check-$who-recount.txt"
	t_sql=$(elapsed "$t0" ms)
	if cmp -s "$TMP/check-$who-api.txt" "$TMP/check-$who-recount.txt"; then
		verdict="equal"
	else
		verdict="DIFFERENT"
		FAILED="${FAILED}analytics of $who differ from the recount; "
	fi
	CHECKS="$CHECKS### Customer $who ($id): $verdict"$'\n\n'
	CHECKS="$CHECKS"'```'$'\n'"API (GET /v1/customers/$id/analytics,"
	CHECKS="$CHECKS ${t_api} ms by curl):"$'\n'
	CHECKS="$CHECKS$(cat "$TMP/check-$who-api.txt")"$'\n\n'
	CHECKS="${CHECKS}Recount (COUNT/SUM straight from payments,"
	CHECKS="$CHECKS ${t_sql} ms by the mariadb client):"$'\n'
	CHECKS="$CHECKS$(cat "$TMP/check-$who-recount.txt")"$'\n''```'$'\n\n'
	say "analytics of $who: $verdict to the recount"
done
printf '%s' "$CHECKS" | sed 's/^/    /' >&2

# ---- the requests ---------------------------------------------------------

# name|account|path|what the answer holds: "analytics" or "list N"
declare -A REQ
REQ[an_small]="L|/v1/customers/$SMALL/analytics|analytics"
REQ[an_big]="L|/v1/customers/$BIG/analytics|analytics"
REQ[pay_small]="L|/v1/payments?customer=$SMALL&limit=10|list $((SMALL_PAYMENTS < 10 ? SMALL_PAYMENTS : 10))"
REQ[pay_big]="L|/v1/payments?customer=$BIG&limit=10|list 10"
REQ[payc_small]="L|/v1/payments?customer=$SMALL&limit=$PAY_CURSOR_LIMIT&starting_after=$SMALL_MID|list $PAY_CURSOR_LIMIT"
REQ[payc_big]="L|/v1/payments?customer=$BIG&limit=$PAY_CURSOR_LIMIT&starting_after=$BIG_MID|list $PAY_CURSOR_LIMIT"
REQ[cus_small]="S|/v1/customers?limit=10|list 10"
REQ[cus_large]="L|/v1/customers?limit=10|list 10"
REQ[cusc_small]="S|/v1/customers?limit=10&starting_after=$S_MID|list 10"
REQ[cusc_large]="L|/v1/customers?limit=10&starting_after=$L_MID|list 10"
req_path() { local a p w; IFS='|' read -r a p w <<<"${REQ[$1]}"; echo "$p"; }
# Pairs: name|small run|large run|what differs
PAIRS=(
"GET /v1/customers/:id/analytics|an_small|an_big|customer with $SMALL_PAYMENTS vs $BIG_PAYMENTS payments"
"GET /v1/payments?customer=:id&limit=10|pay_small|pay_big|customer with $SMALL_PAYMENTS vs $BIG_PAYMENTS payments"
"GET /v1/payments?customer=:id&limit=$PAY_CURSOR_LIMIT&starting_after=(middle)|payc_small|payc_big|cursor in the middle of $SMALL_PAYMENTS vs $BIG_PAYMENTS payments"
"GET /v1/customers?limit=10|cus_small|cus_large|account of $S_CUSTOMERS vs $L_CUSTOMERS customers"
"GET /v1/customers?limit=10&starting_after=(middle)|cusc_small|cusc_large|cursor in the middle of $S_CUSTOMERS vs $L_CUSTOMERS customers"
)

describe() {	# the JSON answer on stdin: "analytics" or "list N has_more X"
	perl -MJSON::PP -e '
	    my $j = eval { decode_json(do { local $/; <STDIN> }) };
	    if (!$j) { print "not JSON\n" }
	    elsif (($j->{object} // "") eq "customer_analytics") {
		print "analytics\n" }
	    elsif (($j->{object} // "") eq "list") {
		my %c = map { ($_->{customer} // "-") => 1 } @{ $j->{data} };
		printf "list %d has_more %s customers %s\n",
		    scalar @{ $j->{data} }, $j->{has_more} ? "true" : "false",
		    join(",", sort keys %c) }
	    else { print "object $j->{object}\n" }'
}
for r in an_small an_big pay_small pay_big payc_small payc_big cus_small \
    cus_large cusc_small cusc_large; do
	IFS='|' read -r acct path want <<<"${REQ[$r]}"
	get "$acct" "$path"
	got=$(printf '%s\n' "$BODY" | describe)
	[ "$CODE" = 200 ] && [[ "$got" == "$want"* ]] ||
	    die "$path answered $CODE ($got, expected $want): ${BODY:0:300}"
	case $r in pay_small|payc_small) c=$SMALL ;; pay_big|payc_big) c=$BIG ;;
	*) c= ;; esac
	[ -z "$c" ] || [[ "$got" == *" customers $c" ]] ||
	    die "$path: payments of other customers ($got)"
done
say "every request answers 200 with the expected object"

# ---- EXPLAIN --------------------------------------------------------------

# explain LABEL SIZE FILE NAME INDEX SIG KEYS BOUND ALLOW VALUE...
#   the statement NAME[INDEX] of fcgi/FILE.c, prepared as the service
#   prepares it and executed with the VALUEs (typed by its signature SIG,
#   which must not have changed): its EXPLAIN, and its ANALYZE FORMAT=JSON
#   for the rows and pages it actually read. KEYS: "table=key ..." the
#   indexes it should use; BOUND: the most rows it may read from a table
#   (a page, or one row); ALLOW: "filesort" if a sort of at most BOUND
#   rows is expected.
EXPLAIN_ROWS=
EXPLAIN_DETAILS=
EXPLAIN_BAD=
explain() {
	local label=$1 size=$2 file=$3 name=$4 index=$5 want_sig=$6 keys=$7
	local bound=$8 allow=$9 line sig text set='' using='' i=0 v t
	shift 9
	line=$(sql_of "$file" "$name" "$index") ||
	    die "fcgi/$file.c: no statement $name (scale.sh needs updating)"
	sig=${line%%$'\t'*}
	text=${line#*$'\t'}
	[ "$sig" = "$want_sig" ] || die "fcgi/$file.c: ${name}[$index] now" \
	    "takes '$sig', not '$want_sig': update scale.sh's values"
	[ "${#sig}" = $# ] || die "explain $name: ${#sig} values needed"
	for v in "$@"; do
		t=${sig:$i:1}
		i=$((i + 1))
		if [ "$t" = s ]; then
			set="$set@p$i = '${v//\'/\'\'}', "
		else
			set="$set@p$i = CAST($v AS SIGNED), "
		fi
		using="$using@p$i, "
	done
	set=${set%, }
	using=${using%, }
	local q=${text//\'/\'\'}
	{
		echo "SET $set;"
		echo "PREPARE s FROM 'EXPLAIN $q';"
		echo "EXECUTE s USING $using;"
	} >"$TMP/explain/q.sql"
	sql <"$TMP/explain/q.sql" >"$TMP/explain/out.tsv" ||
	    die "EXPLAIN of $name failed"
	{
		echo "SET $set;"
		echo "PREPARE s FROM 'ANALYZE FORMAT=JSON $q';"
		echo "EXECUTE s USING $using;"
	} >"$TMP/explain/q.sql"
	bg_wait sql -N -r <"$TMP/explain/q.sql" >"$TMP/explain/out.json" ||
	    die "ANALYZE of $name failed"
	# One verdict from both: per table, access type, key, rows read.
	local verdict
	verdict=$(perl -MJSON::PP -e '
	    my ($tsv, $json, $keys, $bound, $allow) = @ARGV;
	    my %want = map { split /=/, $_, 2 } split " ", $keys;
	    open(my $h, "<", $tsv) or die;
	    my @head = split /\t/, scalar <$h>;
	    chomp @head;
	    my (@bad, @acc);
	    while (my $l = <$h>) {
		chomp $l;
		my %r;
		@r{@head} = split /\t/, $l, -1;
		my $t = $r{table};
		push @acc, "$t: $r{type} $r{key}";
		push @bad, "$t: full table scan" if $r{type} eq "ALL";
		push @bad, "$t: full index scan" if $r{type} eq "index";
		push @bad, "$t: key $r{key}, not $want{$t}"
		    if exists $want{$t} && $r{key} ne $want{$t};
		push @bad, "$t: filesort" if $r{Extra} =~ /filesort/ &&
		    $allow ne "filesort";
		push @bad, "$t: temporary table" if $r{Extra} =~ /temporary/;
	    }
	    my $j = decode_json(do { local $/; open(my $f, "<", $json) or die;
		<$f> });
	    my ($read, $pages) = (0, 0);
	    my @tables;
	    my $walk;
	    $walk = sub {
		my $n = shift;
		if (ref $n eq "HASH") {
		    push @tables, $n->{table} if ref $n->{table} eq "HASH"
			&& exists $n->{table}{r_rows};
		    $walk->($_) for values %$n;
		} elsif (ref $n eq "ARRAY") { $walk->($_) for @$n }
	    };
	    $walk->($j);
	    for my $t (@tables) {
		my $rows = ($t->{r_rows} // 0) * ($t->{r_loops} || 1);
		$read += $rows;
		$pages += $t->{r_engine_stats}{pages_accessed} // 0;
		push @bad, sprintf("%s: read %d rows (bound %d)",
		    $t->{table_name}, $rows, $bound) if $rows > $bound;
	    }
	    my $ms = $j->{query_block}{r_total_time_ms} // 0;
	    printf "%s|%d|%d|%.2f|%s\n", join(", ", @acc), $read, $pages,
		$ms, @bad ? join("; ", @bad) : "ok";
	' "$TMP/explain/out.tsv" "$TMP/explain/out.json" "$keys" "$bound" \
	    "$allow") || die "reading the EXPLAIN of $name"
	local access read pages ms ok est extra
	IFS='|' read -r access read pages ms ok <<<"$verdict"
	est=$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	    { printf "%s%s", (NR > 2 ? ", " : ""), $c["rows"] }' \
	    "$TMP/explain/out.tsv")
	extra=$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	    $c["Extra"] != "" { printf "%s%s: %s", (n++ ? "; " : ""),
		$c["table"], $c["Extra"] }' "$TMP/explain/out.tsv")
	[ "$ok" = ok ] || EXPLAIN_BAD="$EXPLAIN_BAD- $label, $size: $ok"$'\n'
	[ "$ok" != ok ] || [ "$allow" != filesort ] ||
	    [[ "$extra" != *filesort* ]] ||
	    ok="ok (the sort is of the customer's currencies, at most one row each)"
	EXPLAIN_ROWS="$EXPLAIN_ROWS| $label | $size | $access | $est | $read |"
	EXPLAIN_ROWS="$EXPLAIN_ROWS $pages | $ms | $extra | $ok |"$'\n'
	EXPLAIN_DETAILS="$EXPLAIN_DETAILS### $label, $size"$'\n\n'
	EXPLAIN_DETAILS="$EXPLAIN_DETAILS\`$name\` in fcgi/$file.c"
	EXPLAIN_DETAILS="$EXPLAIN_DETAILS (parameters $sig: $*):"$'\n\n'
	EXPLAIN_DETAILS="$EXPLAIN_DETAILS"'```sql'$'\n'"$text"$'\n''```'$'\n\n'
	EXPLAIN_DETAILS="$EXPLAIN_DETAILS"'```'$'\n'
	EXPLAIN_DETAILS="$EXPLAIN_DETAILS$(column -t -s $'\t' \
	    "$TMP/explain/out.tsv" 2>/dev/null || cat "$TMP/explain/out.tsv")"
	EXPLAIN_DETAILS="$EXPLAIN_DETAILS"$'\n''```'$'\n\n'
	EXPLAIN_DETAILS="${EXPLAIN_DETAILS}ANALYZE: $read rows read, $pages"
	EXPLAIN_DETAILS="$EXPLAIN_DETAILS pages accessed, $ms ms. $ok"$'\n\n'
	# For a single-table statement that missed, what the intended index,
	# forced, would do (a suggestion, not the service's statement).
	if [ "$ok" != ok ] && [[ $ok != ok\ * ]] && [[ $keys != *\ * ]] &&
	    [[ $text =~ ^(.*\ FROM\ ${keys%%=*})(\ WHERE\ .*)$ ]]; then
		local forced="${BASH_REMATCH[1]} FORCE INDEX (${keys#*=})${BASH_REMATCH[2]}"
		{
			echo "SET $set;"
			echo "PREPARE s FROM 'ANALYZE FORMAT=JSON ${forced//\'/\'\'}';"
			echo "EXECUTE s USING $using;"
		} >"$TMP/explain/q.sql"
		if bg_wait sql -N -r <"$TMP/explain/q.sql" \
		    >"$TMP/explain/forced.json"; then
			local f
			f=$(perl -MJSON::PP -e '
			    my $j = decode_json(do { local $/; <STDIN> });
			    my $t = $j->{query_block}{nested_loop}[0]{table};
			    printf "%s %s, %d rows read, %d pages, %.2f ms",
				$t->{access_type}, $t->{key}, $t->{r_rows},
				$t->{r_engine_stats}{pages_accessed} // 0,
				$j->{query_block}{r_total_time_ms};
			' <"$TMP/explain/forced.json" 2>/dev/null || echo "?")
			EXPLAIN_DETAILS="${EXPLAIN_DETAILS}The same with"
			EXPLAIN_DETAILS="$EXPLAIN_DETAILS \`FORCE INDEX"
			EXPLAIN_DETAILS="$EXPLAIN_DETAILS (${keys#*=})\`: $f."
			EXPLAIN_DETAILS="$EXPLAIN_DETAILS"$'\n\n'
			EXPLAIN_BAD="$EXPLAIN_BAD  (with FORCE INDEX"
			EXPLAIN_BAD="$EXPLAIN_BAD (${keys#*=}): $f)"$'\n'
		fi
	fi
	say "EXPLAIN $label, $size: $read rows read, ${ms} ms: $ok"
	column -t -s $'\t' "$TMP/explain/out.tsv" 2>/dev/null | cut -c1-160 |
	    sed 's/^/    /' >&2 || true
}

say "EXPLAIN and ANALYZE of each query"
MAXPK=9223372036854775807
MINI=-9223372036854775808
AL=${ACCT[L]}
AS=${ACCT[S]}
for who in small big; do
	id=$SMALL
	[ "$who" = big ] && id=$BIG
	explain "analytics: customer, totals and volumes" "$who" payments \
	    SQL_ANALYTICS 0 sis "c=customers_id t=PRIMARY v=PRIMARY" 11 \
	    filesort "$AL" 0 "$id"
done
explain "payments cursor (starting_after)" big payments SQL_PAY_CURSOR 0 \
    sis "payments=payments_id" 1 "" "$AL" 0 "$BIG_MID"
for who in small big; do
	id=$SMALL
	[ "$who" = big ] && id=$BIG
	explain "payments of a customer, first page" "$who" payments \
	    SQL_PAY_LIST 2 sisiiiii "payments=payments_customer" 11 "" \
	    "$AL" 0 "$id" "$MAXPK" 0 "$MINI" "$MAXPK" 11
done
explain "payments of a customer, starting_after (middle)" small payments \
    SQL_PAY_LIST 2 sisiiiii "payments=payments_customer" \
    $((PAY_CURSOR_LIMIT + 1)) "" "$AL" 0 "$SMALL" "$SMALL_MID_PK" 0 \
    "$MINI" "$MAXPK" $((PAY_CURSOR_LIMIT + 1))
explain "payments of a customer, starting_after (middle)" big payments \
    SQL_PAY_LIST 2 sisiiiii "payments=payments_customer" \
    $((PAY_CURSOR_LIMIT + 1)) "" "$AL" 0 "$BIG" "$BIG_MID_PK" 0 \
    "$MINI" "$MAXPK" $((PAY_CURSOR_LIMIT + 1))
explain "customers cursor (starting_after)" large customers \
    SQL_CUSTOMER_CURSOR 0 sis "customers=customers_id" 1 "" "$AL" 0 "$L_MID"
explain "customer list, first page" small customers SQL_CUSTOMER_LIST 0 \
    siiiiii "customers=customers_list" 11 "" "$AS" 0 "$MAXPK" 0 "$MINI" \
    "$MAXPK" 11
explain "customer list, first page" large customers SQL_CUSTOMER_LIST 0 \
    siiiiii "customers=customers_list" 11 "" "$AL" 0 "$MAXPK" 0 "$MINI" \
    "$MAXPK" 11
explain "customer list, starting_after (middle)" small customers \
    SQL_CUSTOMER_LIST 0 siiiiii "customers=customers_list" 11 "" "$AS" 0 \
    "$S_MID_PK" 0 "$MINI" "$MAXPK" 11
explain "customer list, starting_after (middle)" large customers \
    SQL_CUSTOMER_LIST 0 siiiiii "customers=customers_list" 11 "" "$AL" 0 \
    "$L_MID_PK" 0 "$MINI" "$MAXPK" 11
# Not measured by wrk, the same shape: the account's whole payment list.
explain "all payments of the account, starting_after (middle)" large \
    payments SQL_PAY_LIST 0 siiiiii "payments=payments_list" 11 "" "$AL" 0 \
    "$ALL_MID_PK" 0 "$MINI" "$MAXPK" 11

if [ -n "${SERVE:-}" ]; then
	echo "url: $URL"
	echo "account S: ${ACCT[S]} key ${KEY[S]}"
	echo "account L: ${ACCT[L]} key ${KEY[L]}"
	echo "small: $SMALL (middle payment $SMALL_MID)"
	echo "big: $BIG (middle payment $BIG_MID)"
	echo "middle customers: S $S_MID, L $L_MID"
	echo "db: MYSQL_PWD=$DB_PASSWORD mariadb --no-defaults" \
	    "--socket=$PS_DB_SOCKET -upesaswap pesaswap"
	say "serving for ${SERVE}s; Ctrl-C stops everything"
	bg_wait sleep "$SERVE" || true
	exit 0
fi

# ---- wrk ------------------------------------------------------------------

declare -A RES WORKER
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
export BENCH_LUA_DIR=$HERE/lua
RUN_ORDER=()
for p in "${PAIRS[@]}"; do
	IFS='|' read -r _ s l _ <<<"$p"
	RUN_ORDER+=("$s" "$l")
done
say "wrk: ${#RUN_ORDER[@]} runs of ${WARMUP}s + ${DURATION}s, $CONNS" \
    "connections, $THREADS threads (about" \
    "$(( ${#RUN_ORDER[@]} * (WARMUP + DURATION + 1) / 60 + 1 )) minutes)"
for r in "${RUN_ORDER[@]}"; do
	IFS='|' read -r acct path _ <<<"${REQ[$r]}"
	export BENCH_KEY=${KEY[$acct]} BENCH_PATH=$path
	bg_wait timeout $((WARMUP + 30)) wrk -t"$THREADS" -c"$CONNS" \
	    -d"${WARMUP}s" -s "$HERE/lua/path.lua" "$URL" \
	    >"$TMP/wrk/$r-warmup.txt" 2>&1 || true
	log0=$(wc -l <"$LOG/fcgi.log" 2>/dev/null || echo 0)
	bg_wait timeout $((DURATION + 60)) wrk -t"$THREADS" -c"$CONNS" \
	    -d"${DURATION}s" --timeout 10s --latency -s "$HERE/lua/path.lua" \
	    "$URL" >"$TMP/wrk/$r.txt" 2>&1 || say "wrk $r failed"
	RES[$r]=$(grep '^BENCHRESULT' "$TMP/wrk/$r.txt" || true)
	# The workers' own view, from their log lines "… [PID] info: req_…
	# METHOD PATH STATUS TIMEms": time per request, and the share of the
	# requests each worker served.
	tail -n +$((log0 + 1)) "$LOG/fcgi.log" 2>/dev/null |
	    awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^req_/) {
		t = $(i + 4); sub(/ms$/, "", t)
		if ($(i + 3) ~ /^[1-5][0-9][0-9]$/ && t ~ /^[0-9.]+$/)
			print $2, t
		break } }' | sort -k2,2n >"$TMP/wrk/$r-worker.txt"
	split=$(awk '{ c[$1]++ } END { for (p in c) print c[p] * 100 / NR }' \
	    "$TMP/wrk/$r-worker.txt" | sort -rn |
	    awk '{ printf "%s%.0f", (NR > 1 ? "/" : ""), $1 }')
	WORKER[$r]=$(awk -v sp="${split:--}" '{ t[NR] = $2 }
	    END { if (NR) printf "n=%d p50_ms=%.1f p99_ms=%.1f split=%s", NR,
		t[int(NR * 0.5) + 1], t[int(NR * 0.99) + 1], sp }' \
	    "$TMP/wrk/$r-worker.txt")
	say "$r: ${RES[$r]#BENCHRESULT }; worker ${WORKER[$r]}"
	sleep 1
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report ---------------------------------------------------------------

field() {	# run name: a number from its BENCHRESULT line (or worker line)
	local l=${RES[$1]:-}
	[ "${3:-}" = worker ] && l=${WORKER[$1]:-}
	if [[ " $l " =~ \ $2=([0-9.]+)\  ]]; then echo "${BASH_REMATCH[1]}"; fi
}
wsplit() { [[ " ${WORKER[$1]:-} " =~ \ split=([0-9/]+)\  ]] &&
    echo "${BASH_REMATCH[1]}" || echo "-"; }
fmt_rps() { [ -n "$1" ] && awk -v r="$1" \
    'BEGIN { printf (r < 10 ? "%.1f" : "%.0f"), r }' || echo "-"; }
fmt_ms() { [ -n "$1" ] && awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }' ||
    echo "-"; }
ratio() { [ -n "$1" ] && [ -n "$2" ] &&
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b;
	else print "-" }' || echo "-"; }
over() {	# ratio text ("1.23x"): outside 1/RATIO_MAX..RATIO_MAX (or unknown)?
	awk -v r="${1%x}" -v m="$RATIO_MAX" \
	    'BEGIN { exit !(r == "-" || r + 0 > m || r + 0 < 1 / m) }'
}

TARGETS=
TABLE="| request | small vs large | small req/s | large req/s |"
TABLE="$TABLE small p50 ms | large p50 ms | small p99 ms | large p99 ms |"
TABLE="$TABLE cost small÷large req/s | p50 large÷small |"
TABLE="$TABLE p99 large÷small | within ${RATIO_MAX}x |"$'\n'
TABLE="$TABLE|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|"$'\n'
WTABLE="| request | small p50 ms | large p50 ms | small p99 ms |"
WTABLE="$WTABLE large p99 ms | p50 large÷small | requests small / large |"
WTABLE="$WTABLE % per worker small / large |"$'\n'
WTABLE="$WTABLE|---|--:|--:|--:|--:|--:|--:|--:|"$'\n'
ERRORS=
for p in "${PAIRS[@]}"; do
	IFS='|' read -r name s l what <<<"$p"
	rr=$(ratio "$(field "$s" rps)" "$(field "$l" rps)")
	r50=$(ratio "$(field "$l" p50_us)" "$(field "$s" p50_us)")
	r99=$(ratio "$(field "$l" p99_us)" "$(field "$s" p99_us)")
	miss=
	over "$rr" && miss="$miss req/s"
	over "$r50" && miss="$miss p50"
	over "$r99" && miss="$miss p99"
	ok=met
	[ -z "$miss" ] || ok="MISSED:$miss"
	TARGETS="$TARGETS- $name: large/small within ${RATIO_MAX}x $ok"$'\n'
	TABLE="$TABLE| \`$name\` | $what | $(fmt_rps "$(field "$s" rps)") |"
	TABLE="$TABLE $(fmt_rps "$(field "$l" rps)") |"
	TABLE="$TABLE $(fmt_ms "$(field "$s" p50_us)") |"
	TABLE="$TABLE $(fmt_ms "$(field "$l" p50_us)") |"
	TABLE="$TABLE $(fmt_ms "$(field "$s" p99_us)") |"
	TABLE="$TABLE $(fmt_ms "$(field "$l" p99_us)") | $rr | $r50 | $r99 |"
	TABLE="$TABLE $ok |"$'\n'
	ws=$(field "$s" p50_ms worker) wl=$(field "$l" p50_ms worker)
	WTABLE="$WTABLE| \`$name\` | ${ws:--} | ${wl:--} |"
	WTABLE="$WTABLE $(field "$s" p99_ms worker) |"
	WTABLE="$WTABLE $(field "$l" p99_ms worker) | $(ratio "$wl" "$ws") |"
	WTABLE="$WTABLE $(field "$s" n worker) / $(field "$l" n worker) |"
	WTABLE="$WTABLE $(wsplit "$s") / $(wsplit "$l") |"$'\n'
	for x in "$s" "$l"; do
		if [ -z "${RES[$x]:-}" ]; then
			ERRORS="$ERRORS- $x: wrk gave no result"$'\n'
			continue
		fi
		e="$(field "$x" non2xx)/$(field "$x" sockerr)/$(field "$x" timeouts)"
		[ "$e" = 0/0/0 ] ||
		    ERRORS="$ERRORS- $x ($(req_path "$x")): non-2xx/socket errors/timeouts $e"$'\n'
	done
done
for r in an_small an_big; do
	u=$(field "$r" p99_us)
	ok=$(awk -v u="${u:-999999999}" -v m="$ANALYTICS_P99_MS" \
	    'BEGIN { print (u < m * 1000) ? "met" : "MISSED" }')
	TARGETS="$TARGETS- analytics p99 < ${ANALYTICS_P99_MS} ms (${r#an_}):"
	TARGETS="$TARGETS $(fmt_ms "$u") ms, $ok"$'\n'
done
[ -z "$ERRORS" ] || FAILED="${FAILED}some answers were not 2xx; "

CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")
git -C "$ROOT" diff --quiet HEAD -- fcgi sql 2>/dev/null ||
    REV="$REV with uncommitted changes in fcgi/ or sql/"
{
	echo "# Scale benchmark (issue 3), $(date '+%Y-%m-%d %H:%M %Z')"
	echo
	echo "Machine: $(nproc) cores ($CPU), $(uname -sr); load average" \
	    "before the runs $LOAD_BEFORE, after $LOAD_AFTER (wrk, nginx," \
	    "the workers and MariaDB share these cores). Tree: $REV."
	echo "wrk: $CONNS connections, $THREADS threads, ${WARMUP}s warm-up" \
	    "then ${DURATION}s per run; nginx $NGINX_WORKERS worker" \
	    "process(es), a FastCGI connection per request; pesaswap-fcgi" \
	    "$WORKERS workers, log level $LOG_LEVEL."
	echo
	echo "Seeded by LOAD DATA: account S ${ACCT[S]} with $S_CUSTOMERS" \
	    "customers; account L ${ACCT[L]} with $L_CUSTOMERS customers," \
	    "among them **big** $BIG (its oldest) with $BIG_PAYMENTS payments" \
	    "and **small** $SMALL (its newest) with $SMALL_PAYMENTS; $n_p" \
	    "payments in all ($BACKGROUND of other customers: 9 in 10 of" \
	    "account L, 1 in 10 of account S, 1 in 20 of those without a" \
	    "customer), one history interleaved at random, currencies" \
	    "kes/usd/eur, about 1 in 10 failed. Aggregates filled by" \
	    "INSERT ... SELECT ... GROUP BY. Times: $SEED_NOTE. Whole run:" \
	    "$(( $(date +%s) - T_START ))s."
	echo
	echo "## Through nginx: small against large"
	echo
	printf '%s' "$TABLE"
	echo
	echo "Cost ratios: small÷large for req/s, large÷small for latency;" \
	    "above 1 the large size is slower, below 1 the small one. Met" \
	    "when every ratio is within ${RATIO_MAX}x either way (a small" \
	    "account slowed down by a large one misses too)."
	echo
	echo "Targets (issue 3):"
	echo
	printf '%s' "$TARGETS"
	echo
	if [ -n "$ERRORS" ]; then
		echo "**Errors** (those runs' figures are not comparable):"
		echo
		printf '%s' "$ERRORS"
		echo
	fi
	echo "Time inside the worker (from the workers' log, the measured" \
	    "requests; the rest of wrk's latency is nginx, the sockets and" \
	    "waiting for a worker), and the share of the requests each" \
	    "worker served (busiest first; even is $((100 / (WORKERS > 0 ? WORKERS : 1))) each):"
	echo
	printf '%s' "$WTABLE"
	echo
	echo "## EXPLAIN"
	echo
	echo "Each statement as the service prepares it (its text taken from" \
	    "the preprocessed fcgi/*.c), executed with the bound values of" \
	    "the runs above; \"rows read\", \"pages\" and \"ms\" from" \
	    "\`ANALYZE FORMAT=JSON\` of the same statement (a const table" \
	    "is read once while optimizing and counts 0 rows read)."
	echo
	echo "| query | size | access | rows (estimate) | rows read |" \
	    "pages | ms | Extra | verdict |"
	echo "|---|---|---|--:|--:|--:|--:|---|---|"
	printf '%s' "$EXPLAIN_ROWS"
	echo
	if [ -n "$EXPLAIN_BAD" ]; then
		echo "Queries that do not use their index as intended:"
		echo
		printf '%s' "$EXPLAIN_BAD"
		echo
	fi
	echo "## Analytics against a recount"
	echo
	printf '%s' "$CHECKS"
	if [ -n "$FAILED" ]; then
		echo "**Problems:** $FAILED"
		echo
	fi
} >"$TMP/results.md"
{
	echo "## EXPLAIN of each query"
	echo
	printf '%s' "$EXPLAIN_DETAILS"
	echo "## Raw wrk output"
	for r in "${RUN_ORDER[@]}"; do
		echo
		echo "### $r: GET $(req_path "$r")"
		echo
		echo '```'
		cat "$TMP/wrk/$r.txt"
		echo '```'
	done
} >"$TMP/details.md"

echo
cat "$TMP/results.md"
if [ "$OUT" != - ]; then
	cat "$TMP/results.md" "$TMP/details.md" >"$OUT"
	say "written to $OUT (with each EXPLAIN and the raw wrk output)"
fi
if [ -n "$FAILED" ]; then
	KEEP=1
	die "$FAILED(see the logs)"
fi
