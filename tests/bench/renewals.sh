#!/usr/bin/env bash
# The renewals benchmark (issue 5, "Benchmark: subscriptions renewed per
# second"): how many subscription renewals per second pesaswap-jobs does,
# with 1 and with 2 of them running, and whether each period was charged
# exactly once. A benchmark, not a test: ./test.sh never runs it. See
# README.md here ("The renewals benchmark").
#
# A private stack (MariaDB, pesaswap-fcgi, pesaswap-jobs, nginx) is made by
# scripts/stack.sh's stack_up in a temporary directory, on free ports. One
# price (monthly) and one test clock (frozen at 2026-01-15 00:00 UTC) are
# made through the API, then N customers on that clock, each with an active
# monthly subscription whose first period is paid:
#   sql  one customer and its subscription through the API (the reference),
#        the N-1 others cloned from the reference's rows by SQL (customers
#        by LOAD DATA; subscriptions, their period-1 payment and charge row,
#        customer_totals and customer_volumes by INSERT ... SELECT), so they
#        hold exactly what create_tx wrote for the reference (a few seconds)
#   api  all N through POST /v1/customers and POST /v1/subscriptions
#        (BENCH_CONCURRENCY clients; slower, and it writes their events)
# Then, for each entry of BENCH_JOBS_LIST (1, then 2 pesaswap-jobs), the
# clock is advanced by one more month (POST .../advance) and the script
# polls MariaDB until no subscription of the clock is due any more: that
# time gives renewals per second. Each run is then checked: exactly N
# charges of the new period (subscription_charges), N renewal payments
# (metadata {"subscription": ...}, "period P" in the description), no
# subscription charged twice or skipped, every subscription active in the
# right period. Prints Markdown tables and writes
# tests/bench/results-renewals-<date>.md.
#
# Settings (environment):
#   PESASWAP_BUILD       a build directory with fcgi/pesaswap-{fcgi,admin,jobs}
#                        (copied; default: build out of tree in the temp dir)
#   BENCH_SUBS           N, the subscriptions (5000)
#   BENCH_JOBS_LIST      pesaswap-jobs processes of each run, in order ("1 2")
#   BENCH_SEED           sql or api (sql)
#   BENCH_CONCURRENCY    clients of the api seed (8)
#   BENCH_TIMEOUT        seconds a run may take before it fails (300)
#   BENCH_POLL           seconds between two looks at the progress (0.1)
#   BENCH_JOBS_POLL_MS   PESASWAP_JOBS_POLL_MS (its default, 200)
#   BENCH_DB_SQL         SQL run as the DB superuser once MariaDB is up
#   BENCH_OUT            the results file ("-": none)
#   BENCH_KEEP=1         keep the temporary directory
# --quick: BENCH_SUBS=500 (a smoke run, not figures).
set -Eeuo pipefail
export LC_ALL=C		# "1.5" in $EPOCHREALTIME and awk, whatever the locale

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

while [ $# -gt 0 ]; do
	case $1 in
	-h|--help)
		sed -n '2,/^set -E/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0 ;;
	--quick) BENCH_SUBS=${BENCH_SUBS:-500} ;;
	--keep) BENCH_KEEP=1 ;;
	*) echo "usage: tests/bench/renewals.sh [--quick] [--keep]   (settings: see --help)" >&2
		exit 2 ;;
	esac
	shift
done

N=${BENCH_SUBS:-5000}
JOBS_LIST=${BENCH_JOBS_LIST:-1 2}
SEED=${BENCH_SEED:-sql}
CONC=${BENCH_CONCURRENCY:-8}
TIMEOUT=${BENCH_TIMEOUT:-300}
POLL=${BENCH_POLL:-0.1}
KEEP=${BENCH_KEEP:-0}
STAMP=$(date +%Y-%m-%d)
OUT=${BENCH_OUT:-$HERE/results-renewals-$STAMP.md}
if [ "$OUT" != - ] && [ -z "${BENCH_OUT:-}" ] && [ -e "$OUT" ]; then
	OUT=$HERE/results-renewals-$STAMP-$(date +%H%M).md
fi
[ -n "${BENCH_JOBS_POLL_MS:-}" ] && export PESASWAP_JOBS_POLL_MS=$BENCH_JOBS_POLL_MS
T0_TEXT='2026-01-15 00:00:00 UTC'	# the 15th: no month-end clamping
T0=$(date -u -d "$T0_TEXT" +%s)
month() { date -u -d "$T0_TEXT +$1 month" +%s; }	# k: T0 + k months

BENCH_NAME=renewals
# shellcheck source=common.sh
. "$HERE/common.sh"

[[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 2 ] || die "BENCH_SUBS must be a number >= 2"
for j in $JOBS_LIST; do
	[[ $j =~ ^[1-9]$ ]] || die "BENCH_JOBS_LIST: numbers 1 to 9"
done
case $SEED in sql|api) ;; *) die "BENCH_SEED: sql or api" ;; esac
tools="mariadb mariadb-install-db mariadb-admin nginx openssl curl perl"
[ "$SEED" = api ] && tools="$tools node"
for t in $tools; do
	command -v "$t" >/dev/null || die "missing: $t"
done
perl -MJSON::PP -e 1 2>/dev/null || die "missing: perl JSON::PP"

declare -F jobs_start >/dev/null ||
    die "scripts/stack.sh has no jobs_start (pesaswap-jobs)"

bench_init
FAILED=		# what went wrong: the run is reported, then exits 1
bench_build
bench_stack
if [ -n "${BENCH_DB_SQL:-}" ]; then
	say "as the DB superuser: $BENCH_DB_SQL"
	db_sql -e "$BENCH_DB_SQL"
fi
DB_PASSWORD=$(db_password)
sql() { MYSQL_PWD=$DB_PASSWORD mariadb --no-defaults \
    --socket="$PS_DB_SOCKET" -upesaswap pesaswap --batch -N "$@"; }
ACCT=$PESASWAP_ACCOUNT_ID

# api METHOD PATH [curl args]: the answer's body; fails unless 200.
api() {
	local out code
	out=$(curl -sS -m 30 -w '\n%{http_code}' -X "$1" \
	    -H "Authorization: Bearer $PESASWAP_TEST_KEY" \
	    "$PESASWAP_API_URL$2" "${@:3}") || return 1
	code=${out##*$'\n'}
	out=${out%$'\n'*}
	[ "$code" = 200 ] || { say "$1 $2: $code $out"; return 1; }
	printf '%s\n' "$out"
}
# field NAME: that top-level field of the JSON object on stdin.
field() { perl -MJSON::PP -0777 -e 'my $v = decode_json(<STDIN>)->{$ARGV[0]};
    print defined $v ? $v : "", "\n"' "$1"; }

# ---- price, clock, the reference subscription -------------------------------

PRICE=$(api POST /v1/prices -d unit_amount=1500 -d currency=kes \
    -d 'recurring[interval]=month' -d nickname=renewals-bench | field id)
CLOCK=$(api POST /v1/test_helpers/test_clocks -d frozen_time="$T0" \
    -d name=renewals-bench | field id)
[ -n "$PRICE" ] && [ -n "$CLOCK" ] || die "no price or test clock"
new_sub() {	# i: a customer on the clock and its subscription; the sub's JSON
	local cust
	cust=$(api POST /v1/customers -d "name=Renewal $1" \
	    -d "email=renewal.$1@example.com" -d "test_clock=$CLOCK" |
	    field id) || return 1
	api POST /v1/subscriptions -d "customer=$cust" -d "price=$PRICE"
}
REF_JSON=$(new_sub 0) || die "the reference subscription"
REF=$(field id <<<"$REF_JSON")
read -r rstatus rstart rend <<<"$(perl -MJSON::PP -0777 -ne '
    my $s = decode_json($_);
    print join(" ", @$s{qw(status current_period_start current_period_end)})' \
    <<<"$REF_JSON")"
[ "$rstatus $rstart $rend" = "active $T0 $(month 1)" ] ||
    die "the reference subscription: status $rstatus, period $rstart to" \
	"$rend (expected active, $T0 to $(month 1))"

# ---- seed -------------------------------------------------------------------

say "seeding $N subscriptions on $CLOCK ($SEED)"
t0=$EPOCHREALTIME
if [ "$SEED" = sql ]; then
	perl "$HERE/seed.pl" "$((N - 1))" "$ACCT" "$TMP/customers.tsv" \
	    "$TMP/ids.txt"
	bench_load customers "$TMP/customers.tsv" "$CUSTOMER_TSV_COLS" \
	    "SET test_clock = '$CLOCK'"
	# Every row as create_tx wrote the reference's: the same columns, with
	# the customer, the ids (sub_/pay_ + 16 hex of a hash of the customer
	# id) and the subscription id inside description and metadata changed.
	sql <<EOF
SET @ref = '$REF';
START TRANSACTION;
INSERT INTO subscriptions (id, account_id, livemode, customer_id, price_id,
    status, anchor, period_index, current_period_start, current_period_end,
    cancel_at_period_end, canceled_at, latest_payment, retries, next_action,
    test_clock, metadata, created)
SELECT CONCAT('sub_', SUBSTRING(SHA2(CONCAT('sub', c.id), 256), 1, 16)),
    r.account_id, r.livemode, c.id, r.price_id, r.status, r.anchor,
    r.period_index, r.current_period_start, r.current_period_end,
    r.cancel_at_period_end, r.canceled_at,
    CONCAT('pay_', SUBSTRING(SHA2(CONCAT('pay', c.id), 256), 1, 16)),
    r.retries, r.next_action, r.test_clock, r.metadata, r.created
FROM subscriptions r JOIN customers c ON c.account_id = r.account_id
    AND c.livemode = r.livemode AND c.test_clock = r.test_clock
    AND c.id <> r.customer_id
WHERE r.id = @ref ORDER BY c.pk;
INSERT INTO payments (id, account_id, livemode, customer_id, amount, currency,
    description, status, failure_code, payment_method, metadata, created)
SELECT s.latest_payment, p.account_id, p.livemode, s.customer_id, p.amount,
    p.currency, REPLACE(p.description, r.id, s.id), p.status, p.failure_code,
    p.payment_method, REPLACE(p.metadata, r.id, s.id), p.created
FROM subscriptions r JOIN payments p ON p.id = r.latest_payment
    JOIN subscriptions s ON s.test_clock = r.test_clock AND s.id <> r.id
WHERE r.id = @ref ORDER BY s.pk;
INSERT INTO subscription_charges (subscription_id, period_index, attempt,
    payment_id, created)
SELECT s.id, c.period_index, c.attempt, s.latest_payment, c.created
FROM subscriptions r JOIN subscription_charges c ON c.subscription_id = r.id
    JOIN subscriptions s ON s.test_clock = r.test_clock AND s.id <> r.id
WHERE r.id = @ref;
INSERT INTO customer_totals (customer_id, account_id, livemode, succeeded,
    failed, last_pk, last_id, last_amount, last_currency, last_created)
SELECT s.customer_id, t.account_id, t.livemode, t.succeeded, t.failed, p.pk,
    p.id, t.last_amount, t.last_currency, t.last_created
FROM subscriptions r JOIN customer_totals t ON t.customer_id = r.customer_id
    JOIN subscriptions s ON s.test_clock = r.test_clock AND s.id <> r.id
    JOIN payments p ON p.id = s.latest_payment
WHERE r.id = @ref;
INSERT INTO customer_volumes (customer_id, currency, account_id, livemode,
    payments, volume)
SELECT s.customer_id, v.currency, v.account_id, v.livemode, v.payments,
    v.volume
FROM subscriptions r JOIN customer_volumes v ON v.customer_id = r.customer_id
    JOIN subscriptions s ON s.test_clock = r.test_clock AND s.id <> r.id
WHERE r.id = @ref;
COMMIT;
ANALYZE TABLE customers, subscriptions, payments, subscription_charges,
    customer_totals, customer_volumes;
EOF
	rm -f "$TMP/customers.tsv"
	# One clone read back through the API: the same object but its ids.
	CLONE=$(sql -e "SELECT id FROM subscriptions WHERE test_clock =
	    '$CLOCK' AND id <> '$REF' ORDER BY pk LIMIT 1")
	strip='my $s = decode_json($_); delete @$s{qw(id customer latest_payment)};
	    print JSON::PP->new->canonical->encode($s)'
	[ "$(api GET "/v1/subscriptions/$CLONE" | perl -MJSON::PP -0777 -ne "$strip")" = \
	  "$(perl -MJSON::PP -0777 -ne "$strip" <<<"$REF_JSON")" ] ||
	    die "the cloned $CLONE differs from the reference $REF"
else
	cat >"$TMP/seed.mjs" <<'EOF'
// The api seed: N-1 customers on the clock, each with a subscription,
// CONC at a time; 429 and 503 are tried again.
const [URL_, KEY, CLOCK, PRICE] = ['PESASWAP_API_URL', 'PESASWAP_TEST_KEY',
    'BENCH_CLOCK', 'BENCH_PRICE'].map((k) => process.env[k]);
const N = Number(process.env.BENCH_SUBS), CONC = Number(process.env.BENCH_CONCURRENCY);
const post = async (path, body) => {
	for (let tries = 0; ; tries++) {
		const r = await fetch(URL_ + path, { method: 'POST', headers: {
		    authorization: `Bearer ${KEY}`,
		    'content-type': 'application/x-www-form-urlencoded' },
		    body: new URLSearchParams(body) });
		const text = await r.text();
		if ((r.status === 429 || r.status === 503) && tries < 50) {
			await new Promise((ok) => setTimeout(ok, 200));
			continue;
		}
		if (r.status !== 200)
			throw new Error(`POST ${path}: ${r.status} ${text}`);
		return JSON.parse(text);
	}
};
let next = 1;
await Promise.all(Array.from({ length: CONC }, async () => {
	for (let i; (i = next++) < N; ) {
		const c = await post('/v1/customers', { name: `Renewal ${i}`,
		    email: `renewal.${i}@example.com`, test_clock: CLOCK });
		const s = await post('/v1/subscriptions', { customer: c.id,
		    price: PRICE });
		if (s.status !== 'active')
			throw new Error(`${s.id}: ${s.status}`);
	}
}));
EOF
	BENCH_CLOCK=$CLOCK BENCH_PRICE=$PRICE BENCH_SUBS=$N \
	    BENCH_CONCURRENCY=$CONC timeout 1800 node "$TMP/seed.mjs" ||
	    die "the api seed failed"
	sql -e "ANALYZE TABLE customers, subscriptions, payments" >/dev/null
fi
SEED_S=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
read -r n_subs n_active n_charges <<<"$(sql -e "SELECT COUNT(*),
    SUM(status = 'active' AND period_index = 1 AND next_action = $(month 1)),
    (SELECT COUNT(*) FROM subscription_charges c JOIN subscriptions s
	ON s.id = c.subscription_id WHERE s.test_clock = '$CLOCK')
    FROM subscriptions WHERE test_clock = '$CLOCK'")"
[ "$n_subs $n_active $n_charges" = "$N $N $N" ] ||
    die "seeded: $n_subs subscriptions, $n_active active in period 1," \
	"$n_charges charges (expected $N each)"
say "seeded in ${SEED_S}s: $N active subscriptions, period 1 paid"

# ---- the runs ---------------------------------------------------------------

HZ=$(getconf CLK_TCK)
cpu_of() {	# pids...: their CPU ticks (user + system), summed
	local p s t=0
	for p in "$@"; do
		s=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		s=${s##*) }
		read -r -a f <<<"$s"
		t=$((t + f[11] + f[12]))
	done
	echo "$t"
}
machine_cpu() {	# "busy total" ticks of the whole machine
	local _ u n s i w q sq st
	read -r _ u n s i w q sq st _ </proc/stat
	echo "$((u + n + s + q + sq + st)) $((u + n + s + i + w + q + sq + st))"
}
STATUS_VARS="'Com_stmt_execute','Com_select','Com_insert','Com_update',"
STATUS_VARS="$STATUS_VARS'Com_commit','Com_rollback','Innodb_log_writes',"
STATUS_VARS="$STATUS_VARS'Innodb_data_fsyncs','Innodb_row_lock_waits'"
status() {	# NAME=value lines of the server's counters
	db_sql -e "SELECT LOWER(VARIABLE_NAME), VARIABLE_VALUE FROM
	    information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN
	    ($(tr '[:lower:]' '[:upper:]' <<<"$STATUS_VARS"))" |
	    awk '{ print $1 "=" $2 }'
}
unfanned() { sql -e "SELECT COUNT(*) FROM events WHERE fanned = 0"; }
wait_fanned() {	# seconds: until every event is fanned out
	local n=$(($1 * 10))
	until [ "$(unfanned)" = 0 ]; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}
jobs_running() {	# wanted: start or stop extra pesaswap-jobs to that count
	local want=$1 p i
	ps_env_vars
	while [ $((${#EXTRA_PIDS[@]} + 1)) -lt "$want" ]; do
		i=$((${#EXTRA_PIDS[@]} + 2))
		setsid env "${PS_ENV[@]}" "$BUILD/fcgi/pesaswap-jobs" </dev/null \
		    >>"$VAR/log/jobs-$i.log" 2>&1 8>&- 9>&- &
		p=$!
		EXTRA_PIDS+=("$p")
		wait_for 10 "$p" "pesaswap-jobs $i" grep -q 'pesaswap-jobs running' \
		    "$VAR/log/jobs-$i.log" || die "pesaswap-jobs $i did not start"
	done
	while [ $((${#EXTRA_PIDS[@]} + 1)) -gt "$want" ]; do
		p=${EXTRA_PIDS[-1]}
		kill -TERM "$p" 2>/dev/null || true
		wait_gone "$p" 20 || kill -KILL "$p" 2>/dev/null || true
		unset 'EXTRA_PIDS[-1]'
	done
	JOB_PIDS=("$(read_pid "$VAR/run/jobs.pid" pesaswap-jobs)" "${EXTRA_PIDS[@]}")
	[ -n "${JOB_PIDS[0]}" ] || die "the stack's pesaswap-jobs is not running"
	for p in "${JOB_PIDS[@]}"; do
		alive "$p" pesaswap-jobs || die "pesaswap-jobs $p is gone"
	done
}
job_warnings() {	# lines of the jobs' logs that say a billing step failed
	cat "$VAR"/log/jobs*.log 2>/dev/null | grep -c 'billing .*failed' || true
}
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" -v d="${3:-1}" \
    'BEGIN { if (b > 0) printf "%.*f", d, a / b; else printf "–" }'; }

DB_PID=$(read_pid "$VAR/run/mariadb.pid" mariadbd) || die "no mariadbd pid"
SPEED_ROWS=() COST_ROWS=() CHECK_ROWS=()
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
k=0
for J in $JOBS_LIST; do
	k=$((k + 1))
	P=$((k + 1))			# the period each subscription enters
	TARGET=$(month "$k")		# the clock's new time: period P starts
	END=$(month "$P")		# and ends
	jobs_running "$J"
	wait_fanned 120 || die "events still unfanned before run $k"
	sleep 1
	say "run $k: $J pesaswap-jobs; clock to $(date -u -d "@$TARGET" '+%F')," \
	    "$N subscriptions enter period $P"
	EV0=$(sql -e "SELECT IFNULL(MAX(pk), 0) FROM events")
	WARN0=$(job_warnings)
	LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
	S0=$(status)
	C0_JOBS=$(cpu_of "${JOB_PIDS[@]}")
	C0_DB=$(cpu_of "$DB_PID")
	read -r M0_BUSY M0_ALL <<<"$(machine_cpu)"
	polls=0 first='' done_at='' left=$N
	samples=$LOG/run-$k.samples
	: >"$samples"
	t0=$EPOCHREALTIME
	api POST "/v1/test_helpers/test_clocks/$CLOCK/advance" \
	    -d frozen_time="$TARGET" >/dev/null || die "advancing the clock"
	deadline=$((${t0/./} + TIMEOUT * 1000000))	# in microseconds
	while :; do
		left=$(sql -e "SELECT COUNT(*) FROM subscriptions
		    WHERE test_clock = '$CLOCK' AND next_action <= $TARGET")
		now=$EPOCHREALTIME
		polls=$((polls + 1))
		printf '%s %s\n' "$(ms "$t0" "$now")" "$((N - left))" >>"$samples"
		[ -z "$first" ] && [ "$left" -lt "$N" ] && first=$now
		[ "$left" = 0 ] && { done_at=$now; break; }
		[ "${now/./}" -lt "$deadline" ] || break
		sleep "$POLL"
	done
	C1_JOBS=$(cpu_of "${JOB_PIDS[@]}")
	C1_DB=$(cpu_of "$DB_PID")
	read -r M1_BUSY M1_ALL <<<"$(machine_cpu)"
	S1=$(status)
	late=
	if [ -z "$done_at" ]; then
		late=" (timed out)"
		FAILED="$FAILED run $k: $left of $N still due after ${TIMEOUT}s;"
		say "run $k: $left of $N subscriptions still due after ${TIMEOUT}s"
		done_at=$now
	fi
	TOTAL_MS=$(ms "$t0" "$done_at")
	renewed=$((N - left))
	# The steady rate: from 10 % to 90 % of the subscriptions renewed.
	steady=$(awk -v n="$N" '
	    { t[NR] = $1; c[NR] = $2 }
	    END { for (i = 1; i <= NR; i++) {
		if (a == "" && c[i] >= n * 0.1) a = i
		if (b == "" && c[i] >= n * 0.9) b = i }
		if (a != "" && b != "" && t[b] > t[a])
			printf "%.0f", (c[b] - c[a]) / (t[b] - t[a]) * 1000
		else printf "–" }' "$samples")
	wait_fanned 120 || FAILED="$FAILED run $k: events not fanned out in 120 s;"
	FAN_MS=$(ms "$t0" "$EPOCHREALTIME")
	sleep 1		# anything late (a second charge) shows in the counts

	# The checks: period P charged exactly once for each subscription.
	read -r charges charged_subs attempts_gt1 pay pay_subs pay_bad \
	    wrong missing orphans ev_upd ev_pay <<<"$(sql -e "
	SELECT
	 (SELECT COUNT(*) FROM subscription_charges c JOIN subscriptions s
	    ON s.id = c.subscription_id
	    WHERE s.test_clock = '$CLOCK' AND c.period_index = $P),
	 (SELECT COUNT(DISTINCT c.subscription_id) FROM subscription_charges c
	    JOIN subscriptions s ON s.id = c.subscription_id
	    WHERE s.test_clock = '$CLOCK' AND c.period_index = $P),
	 (SELECT COUNT(*) FROM subscription_charges c JOIN subscriptions s
	    ON s.id = c.subscription_id
	    WHERE s.test_clock = '$CLOCK' AND c.period_index = $P
	    AND c.attempt <> 1),
	 (SELECT COUNT(*) FROM payments WHERE account_id = '$ACCT'
	    AND JSON_VALUE(metadata, '\$.subscription') IS NOT NULL
	    AND description LIKE '%, period $P'),
	 (SELECT COUNT(DISTINCT JSON_VALUE(metadata, '\$.subscription'))
	    FROM payments WHERE account_id = '$ACCT'
	    AND JSON_VALUE(metadata, '\$.subscription') IS NOT NULL
	    AND description LIKE '%, period $P'),
	 (SELECT COUNT(*) FROM payments WHERE account_id = '$ACCT'
	    AND JSON_VALUE(metadata, '\$.subscription') IS NOT NULL
	    AND description LIKE '%, period $P'
	    AND (status <> 'succeeded' OR created <> $TARGET OR amount <> 1500
	    OR description <> CONCAT('Subscription ',
		JSON_VALUE(metadata, '\$.subscription'), ', period $P'))),
	 (SELECT COUNT(*) FROM subscriptions WHERE test_clock = '$CLOCK'
	    AND NOT (status = 'active' AND period_index = $P
	    AND current_period_start = $TARGET AND current_period_end = $END
	    AND next_action = $END AND retries = 0)),
	 (SELECT COUNT(*) FROM subscriptions s WHERE test_clock = '$CLOCK'
	    AND NOT EXISTS (SELECT 1 FROM subscription_charges c
	    WHERE c.subscription_id = s.id AND c.period_index = $P)),
	 (SELECT COUNT(*) FROM subscription_charges c LEFT JOIN payments p
	    ON p.id = c.payment_id AND p.metadata LIKE CONCAT('%', c.subscription_id, '%')
	    WHERE c.period_index = $P AND p.id IS NULL),
	 (SELECT COUNT(*) FROM events WHERE pk > $EV0
	    AND type = 'subscription.updated'),
	 (SELECT COUNT(*) FROM events WHERE pk > $EV0
	    AND type = 'payment.succeeded')")"
	dups=$((pay - pay_subs))
	warns=$(($(job_warnings) - WARN0))
	verdict=ok
	if [ "$charges $charged_subs $attempts_gt1 $pay $pay_subs $pay_bad" != \
	    "$N $N 0 $N $N 0" ] || [ "$wrong $missing $orphans" != "0 0 0" ] ||
	    [ "$ev_upd $ev_pay" != "$N $N" ]; then
		verdict=FAILED
		FAILED="$FAILED run $k: counts differ (see the checks table);"
	fi
	verdict=$verdict$late

	delta() {	# name: S1 - S0 of that counter
		local a b
		a=$(awk -F= -v n="$1" '$1 == n { print $2; exit }' <<<"$S0")
		b=$(awk -F= -v n="$1" '$1 == n { print $2; exit }' <<<"$S1")
		echo $(( ${b:-0} - ${a:-0} ))
	}
	# Our polls are statements too: one SELECT each, and the status reads.
	stmts=$(delta com_stmt_execute)
	selects=$(( $(delta com_select) - polls - 1 ))
	busy=$((M1_BUSY - M0_BUSY)) all=$((M1_ALL - M0_ALL))
	ours=$(( C1_JOBS - C0_JOBS + C1_DB - C0_DB ))
	rate=$(ratio "$renewed" "$(awk -v m="$TOTAL_MS" 'BEGIN { print m / 1000 }')" 0)
	SPEED_ROWS+=("| $J | $N | $P | $(ratio "$TOTAL_MS" 1000 1) | $rate | $steady | $(ms "$t0" "${first:-$t0}") | $(ratio "$FAN_MS" 1000 1) | $LOADAVG |")
	COST_ROWS+=("| $J | $(ratio "$(( (C1_JOBS - C0_JOBS) * 1000 ))" "$((HZ * renewed))" 2) | $(ratio "$(( (C1_DB - C0_DB) * 1000 ))" "$((HZ * renewed))" 2) | $(ratio "$stmts" "$renewed" 1) | $(ratio "$selects" "$renewed" 1) | $(ratio "$(delta com_insert)" "$renewed" 1) | $(ratio "$(delta com_update)" "$renewed" 1) | $(ratio "$(delta com_commit)" "$renewed" 2) | $(ratio "$(delta com_rollback)" "$renewed" 2) | $(ratio "$(delta innodb_log_writes)" "$renewed" 2) | $(ratio "$(delta innodb_data_fsyncs)" "$renewed" 2) | $(delta innodb_row_lock_waits) | $(ratio "$((busy * 100))" "$all" 0) % / $(ratio "$((ours * 100))" "$all" 0) % |")
	CHECK_ROWS+=("| $J | $P | $charges | $charged_subs | $pay | $dups | $missing | $((wrong)) | $((pay_bad + attempts_gt1 + orphans)) | $ev_upd | $ev_pay | $warns | $verdict |")
	say "run $k: $renewed renewed in $(ratio "$TOTAL_MS" 1000 1)s ($rate/s," \
	    "steady $steady/s); charges $charges, payments $pay, duplicates $dups," \
	    "missing $missing: $verdict"
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# Over all runs: no subscription has two payments for one period.
read -r all_pay all_dup_periods <<<"$(sql -e "
    SELECT COUNT(*), COUNT(*) - COUNT(DISTINCT
	JSON_VALUE(metadata, '\$.subscription'), description)
    FROM payments WHERE account_id = '$ACCT'
    AND JSON_VALUE(metadata, '\$.subscription') IS NOT NULL")"
[ "$all_pay $all_dup_periods" = "$((N * (k + 1))) 0" ] || {
	FAILED="$FAILED all runs: $all_pay subscription payments (expected $((N * (k + 1)))), $all_dup_periods periods paid twice;"
}

# ---- report -----------------------------------------------------------------

COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')
git -C "$ROOT" diff --quiet HEAD -- fcgi sql 2>/dev/null ||
    COMMIT="$COMMIT (+ uncommitted changes to fcgi/ or sql/)"
if [ -n "${PESASWAP_BUILD:-}" ]; then
	COMMIT="$COMMIT, programs of $PESASWAP_BUILD built $(date -u -r \
	    "$PESASWAP_BUILD/fcgi/pesaswap-jobs" '+%Y-%m-%d %H:%M UTC')"
fi
REPORT=$(cat <<EOF
# Renewals benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')

Tree $COMMIT; $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)),
load average $LOAD_BEFORE before the runs, $LOAD_AFTER after. $N monthly
subscriptions of one price on one test clock (seeded by $SEED in ${SEED_S}s),
first period paid; each run advances the clock by one month and waits until
no subscription is due. pesaswap-jobs poll ${PESASWAP_JOBS_POLL_MS:-default 200} ms; MariaDB with
innodb_flush_log_at_trx_commit=1${BENCH_DB_SQL:+ and \`$BENCH_DB_SQL\`}; progress polled every ${POLL}s.

| pesaswap-jobs | subscriptions | period | all renewed after s | renewals/s | steady renewals/s (10→90 %) | first renewal after ms | events fanned out after s | load average at start |
|--:|--:|--:|--:|--:|--:|--:|--:|---|
$(printf '%s\n' "${SPEED_ROWS[@]}")

Cost per renewal (counters of the private MariaDB and CPU time of the
processes over the run; statements = prepared executions, the progress
polls taken out of the SELECTs):

| pesaswap-jobs | jobs CPU ms | MariaDB CPU ms | statements | SELECT | INSERT | UPDATE | commits | rollbacks | redo log writes | fsyncs | row lock waits (run) | machine CPU busy / ours |
|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|
$(printf '%s\n' "${COST_ROWS[@]}")

Checks (each run must have exactly $N of each count and 0 of the others):

| pesaswap-jobs | period | charges | subscriptions charged | renewal payments | duplicate payments | missing charges | subscriptions in a wrong state | wrong payments/charges | subscription.updated events | payment.succeeded events | billing failures logged | verdict |
|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|
$(printf '%s\n' "${CHECK_ROWS[@]}")

All runs: $all_pay payments of subscriptions (expected $((N * (k + 1))): period 1 and one per run),
$all_dup_periods periods paid twice.${FAILED:+

**FAILED:**$FAILED}
EOF
)
printf '%s\n' "$REPORT"
if [ "$OUT" != - ]; then
	{
		printf '%s\n\n## Progress (ms after the advance, subscriptions renewed)\n' "$REPORT"
		for f in "$LOG"/run-*.samples; do
			printf '\n### %s\n\n```\n' "$(basename "$f" .samples)"
			awk 'NR == 1 || NR % 10 == 0 { print } END { print }' "$f" | uniq
			printf '```\n'
		done
	} >"$OUT"
	say "written to $OUT"
fi
[ -z "$FAILED" ] || { say "FAILED:$FAILED"; exit 1; }
