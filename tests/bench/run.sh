#!/usr/bin/env bash
# The Customers benchmark (issues 2 and 7): one private MariaDB with
# 100,000 seeded customers, one nginx with three server blocks, and wrk
# against each of them for every endpoint family (customers GET one,
# create, list, search; analytics; payments create and list; events list):
#   ours     nginx -> FastCGI (a connection per request) -> pesaswap-fcgi
#   php      nginx -> PHP-FPM + PDO (tests/bench/peer-php/)
#   ceiling  nginx's own `return 200` of a customer-sized body
# Prints a Markdown table and writes it to tests/bench/results-<date>.md.
# A benchmark, not a test: ./test.sh never runs it. See README.md here.
#
# Everything runs on 127.0.0.1 from a temporary directory and is stopped at
# the end, on failure and on Ctrl-C. Settings (environment):
#   PESASWAP_BUILD       a build directory holding fcgi/pesaswap-fcgi and
#                        fcgi/pesaswap-admin (default: build out of tree in
#                        the temporary directory)
#   BENCH_TARGETS        "ours php ceiling" (default); --php-only drops ours
#   BENCH_BASELINE       a build directory of an older tree: it is served
#                        too, as "base", and measured before and after ours
#                        ("base2", the same server again), so the table of
#                        old against new carries the run-to-run noise
#                        (targets then "base ours base2 php ceiling")
#   BENCH_REQUESTS       "get create list search pay_create analytics
#                        pay_list events" (default; pay_create comes before
#                        analytics so the customers read have payments)
#   BENCH_DURATION       seconds per measured run (10)
#   BENCH_WARMUP         seconds of warm-up before each run (3)
#   BENCH_CONNECTIONS    wrk connections (64)
#   BENCH_THREADS        wrk threads (2)
#   BENCH_ROWS           customers seeded (100000)
#   BENCH_WORKERS        PESASWAP_WORKERS for pesaswap-fcgi (default: its own)
#   BENCH_NGINX_WORKERS  nginx worker_processes (1, as the product template)
#   BENCH_PHP_CHILDREN   php-fpm pm.max_children (8)
#   BENCH_PHP_EVENTS     1: the PHP create also writes the customer.created
#                        event in the same transaction, as ours does (1)
#   BENCH_LOG_LEVEL      PESASWAP_LOG_LEVEL for the workers (info)
#   BENCH_DB_SQL         SQL run as the DB superuser once MariaDB is up, e.g.
#                        "SET GLOBAL innodb_flush_log_at_trx_commit = 2"
#   BENCH_OUT            the results file (tests/bench/results-<date>.md;
#                        "-" for none)
#   BENCH_KEEP=1         keep the temporary directory (logs, configs)
#   BENCH_RATE           requests per second, paced (lua/common.lua delay());
#                        default: as fast as wrk goes (a closed loop)
#   BENCH_HOT            the customers paid for and read by analytics: the
#                        first N seeded (1000)
#   BENCH_MAX_LOAD, BENCH_LOAD_WAIT  wait before measuring until the
#                        1-minute load average is under 1.5, up to 1200 s
#                        (common.sh bench_wait_load)
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

usage() {
	cat <<EOF
usage: tests/bench/run.sh [--php-only] [--quick] [--keep] [--serve [SECONDS]]
  --php-only  the PHP peer and the ceiling only (no build of ours)
  --quick     BENCH_DURATION=3 BENCH_WARMUP=1 BENCH_LOAD_WAIT=0 (a smoke
              run, not figures)
  --keep      keep the temporary directory (same as BENCH_KEEP=1)
  --serve     set everything up, print the URLs and the key, and wait for
              Ctrl-C (at most SECONDS, default 600) instead of running wrk
Settings are environment variables; see the top of this file and README.md.
EOF
}

while [ $# -gt 0 ]; do
	case $1 in
	--php-only) BENCH_TARGETS="php ceiling" ;;
	--quick) BENCH_DURATION=3 BENCH_WARMUP=1 BENCH_LOAD_WAIT=0 ;;
	--keep) BENCH_KEEP=1 ;;
	--serve) SERVE=600
		case ${2:-} in [0-9]*) SERVE=$2; shift ;; esac ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done

BASELINE=${BENCH_BASELINE:-}
if [ -n "$BASELINE" ]; then
	TARGETS=${BENCH_TARGETS:-base ours base2 php ceiling}
else
	TARGETS=${BENCH_TARGETS:-ours php ceiling}
fi
REQUESTS=${BENCH_REQUESTS:-get create list search pay_create analytics pay_list events}
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-3}
CONNS=${BENCH_CONNECTIONS:-64}
HOT=${BENCH_HOT:-1000}
RATE=${BENCH_RATE:-}
THREADS=${BENCH_THREADS:-2}
ROWS=${BENCH_ROWS:-100000}
NGINX_WORKERS=${BENCH_NGINX_WORKERS:-1}
PHP_CHILDREN=${BENCH_PHP_CHILDREN:-8}
PHP_EVENTS=${BENCH_PHP_EVENTS:-1}
LOG_LEVEL=${BENCH_LOG_LEVEL:-info}
KEEP=${BENCH_KEEP:-0}
STAMP=$(date +%Y-%m-%d)
OUT=${BENCH_OUT:-$HERE/results-$STAMP.md}
if [ "$OUT" != - ] && [ -z "${BENCH_OUT:-}" ] && [ -e "$OUT" ]; then
	OUT=$HERE/results-$STAMP-$(date +%H%M).md
fi

has() { case " $TARGETS " in *" $1 "*) return 0 ;; esac; return 1; }

# ---- tools ----------------------------------------------------------------

PHPFPM=${BENCH_PHP_FPM:-$(command -v php-fpm8.2 || command -v php-fpm ||
    ls /usr/sbin/php-fpm8.2 2>/dev/null || true)}
MARIADBD=$(command -v mariadbd || ls /usr/sbin/mariadbd 2>/dev/null || true)
NGINX=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null || true)
missing=
for t in mariadb mariadb-install-db mariadb-admin wrk perl curl openssl; do
	command -v "$t" >/dev/null || missing="$missing $t"
done
[ -n "$MARIADBD" ] || missing="$missing mariadbd"
[ -n "$NGINX" ] || missing="$missing nginx"
has php && [ -z "$PHPFPM" ] && missing="$missing php-fpm"
[ -z "$missing" ] || die "missing:$missing (Debian: apt-get install" \
    "mariadb-server mariadb-client nginx-light wrk php-fpm php-mysql curl)"

# ---- the temporary directory, clean-up, build, MariaDB: common.sh ---------

# MariaDB, the build, migrations and pesaswap-fcgi are started exactly as
# ./run.sh and ./test.sh start them: by the functions of scripts/stack.sh,
# through common.sh, which also stops everything on exit and Ctrl-C.
BENCH_NAME=run
# shellcheck source=common.sh
. "$HERE/common.sh"
bench_init
LOG=$VAR/log	# the stack's logs (fcgi.log) and ours, in one place
mkdir -p "$VAR/run" "$LOG" "$TMP/nginx" "$TMP/php" "$TMP/wrk"
# nginx's workers (user nobody when started as root) open the sockets.
chmod 0755 "$TMP" "$VAR" "$VAR/run"
PHP_SOCK=$VAR/run/php-fpm.sock
PID_NGINX='' PID_PHP=''

BUILD=
if [ -n "${PESASWAP_BUILD:-}" ] || has ours; then
	bench_build pesaswap-fcgi pesaswap-admin
fi
ADMIN=
[ -n "$BUILD" ] && [ -x "$BUILD/fcgi/pesaswap-admin" ] &&
    ADMIN=$BUILD/fcgi/pesaswap-admin
bench_db

if [ -n "$ADMIN" ]; then
	bench_account Benchmark "$TMP/account.env"
	KEY=$(env_get "$TMP/account.env" PESASWAP_TEST_KEY) || KEY=
	ACCOUNT=$(env_get "$TMP/account.env" PESASWAP_ACCOUNT_ID) || ACCOUNT=
else
	# No admin program (--php-only while ours does not build): the same
	# rows by hand. Keys are stored as SHA-256 of the whole key.
	say "migrating with the mariadb client (no pesaswap-admin)"
	for f in "$ROOT"/sql/[0-9][0-9][0-9]_*.sql; do sql <"$f"; done
	rnd() { perl -e 'my @a = ("0" .. "9", "A" .. "Z", "a" .. "z");
	    print map { $a[rand 62] } 1 .. shift' "$1"; }
	ACCOUNT=acct_$(rnd 16)
	KEY=sk_test_$(rnd 32)
	sql <<EOF
INSERT INTO accounts (id, name, created)
    VALUES ('$ACCOUNT', 'Benchmark', UNIX_TIMESTAMP());
INSERT INTO api_keys (hash, id, account_id, livemode, hint, created)
    VALUES (UNHEX(SHA2('$KEY', 256)), 'key_$(rnd 16)', '$ACCOUNT', 0,
    'sk_test_...${KEY: -4}', UNIX_TIMESTAMP());
EOF
fi
[ -n "$KEY" ] && [ -n "$ACCOUNT" ] || die "no account or test key"

# ---- seed -----------------------------------------------------------------

say "seeding $ROWS customers into $ACCOUNT"
SEED_T0=$(date +%s.%N)
perl "$HERE/seed.pl" "$ROWS" "$ACCOUNT" "$TMP/customers.tsv" "$TMP/ids.txt"
SEED_T1=$(date +%s.%N)
bench_load customers "$TMP/customers.tsv" "$CUSTOMER_TSV_COLS"
sql -e "ANALYZE TABLE customers" >/dev/null
SEED_T2=$(date +%s.%N)
cut -f5 "$TMP/customers.tsv" >"$TMP/emails.txt"	# for search.lua
SEEDED=$(sql -N -e "SELECT COUNT(*) FROM customers WHERE account_id = '$ACCOUNT'")
[ "$SEEDED" = "$ROWS" ] || die "seeded $SEEDED rows, not $ROWS"
SEED_GEN=$(awk -v a="$SEED_T0" -v b="$SEED_T1" 'BEGIN { printf "%.1f", b - a }')
SEED_LOAD=$(awk -v a="$SEED_T1" -v b="$SEED_T2" 'BEGIN { printf "%.1f", b - a }')
say "seeded $ROWS rows: generate ${SEED_GEN}s, LOAD DATA ${SEED_LOAD}s"

# ---- the three targets ----------------------------------------------------

FCGI_MASTER=
if has ours; then
	export PESASWAP_LOG_LEVEL=$LOG_LEVEL
	[ -n "${BENCH_WORKERS:-}" ] && export PESASWAP_WORKERS=$BENCH_WORKERS
	fcgi_start >>"$LOG/stack.log" || die "pesaswap-fcgi (see $LOG/fcgi.log)"
	FCGI_MASTER=$(read_pid "$VAR/run/fcgi.pid" pesaswap-fcgi) ||
	    die "no pesaswap-fcgi master"
fi

# The baseline: the older build's pesaswap-fcgi, as fcgi_start starts
# ours, on a socket of its own (base2 is the same server, measured again).
BASE_MASTER=
BASE_SOCKET=$VAR/run/fcgi-base.sock
if has base; then
	[ -x "$BASELINE/fcgi/pesaswap-fcgi" ] ||
	    die "BENCH_BASELINE: no $BASELINE/fcgi/pesaswap-fcgi"
	ps_env_vars
	setsid env "${PS_ENV[@]}" "$BASELINE/fcgi/pesaswap-fcgi" \
	    --listen "unix:$BASE_SOCKET" </dev/null >>"$LOG/fcgi-base.log" 2>&1 &
	BASE_MASTER=$!
	EXTRA_PIDS+=("$BASE_MASTER")
	wait_for 20 "$BASE_MASTER" pesaswap-fcgi test -S "$BASE_SOCKET" ||
	    die "baseline pesaswap-fcgi (see $LOG/fcgi-base.log)"
fi

if has php; then
	say "starting php-fpm ($PHP_CHILDREN children, pm = static)"
	fill "$HERE/peer-php/php-fpm.conf.in" PREFIX="$TMP/php" \
	    SOCKET="$PHP_SOCK" CHILDREN="$PHP_CHILDREN" \
	    DB_SOCKET="$PS_DB_SOCKET" DB_NAME=pesaswap DB_USER=pesaswap \
	    DB_PASSWORD="$DB_PASSWORD" PHP_EVENTS="$PHP_EVENTS" \
	    >"$TMP/php/php-fpm.conf"
	PHP_ROOT_OPT=
	[ "$(id -u)" = 0 ] && PHP_ROOT_OPT=-R
	"$PHPFPM" -F -y "$TMP/php/php-fpm.conf" -p "$TMP/php" $PHP_ROOT_OPT \
	    >"$LOG/php-fpm.log" 2>&1 &
	PID_PHP=$!
	EXTRA_PIDS+=("$PID_PHP")
	wait_for 30 "$PID_PHP" php-fpm test -S "$PHP_SOCK" ||
	    die "php-fpm (see $LOG/php-fpm.log)"
fi

declare -A PORT
for t in ours php ceiling base; do
	PORT[$t]=$(free_port "$PS_DB_PORT" ${PORT[@]:-})
done
PORT[base2]=${PORT[base]}

# The ceiling's bodies: one customer, and a list of ten, as ours sends them.
CUSTOMER='{"id":"cust_0123456789ABCDEF","object":"customer","name":"Seed Customer 1","email":"seed1.123456@example.com","phone":"+254712345678","metadata":{},"created":1700000000,"updated":1700000000,"livemode":false}'
LIST='{"object":"list","data":['
for i in 1 2 3 4 5 6 7 8 9 10; do
	LIST="$LIST$CUSTOMER"
	[ "$i" = 10 ] || LIST="$LIST,"
done
LIST="$LIST"'],"has_more":true,"url":"/v1/customers"}'
SEARCH='{"object":"search_result","data":['"$CUSTOMER"'],"has_more":false,"url":"/v1/customers/search","next_page":null}'
ANALYTICS='{"object":"customer_analytics","customer":"cust_0123456789ABCDEF","livemode":false,"total_payments":31,"failed_payments":0,"volume":[{"currency":"kes","total_volume":2635711,"payments":11,"average_transaction":239610},{"currency":"usd","total_volume":2540032,"payments":10,"average_transaction":254003},{"currency":"eur","total_volume":2450109,"payments":10,"average_transaction":245011}],"last_payment":{"id":"pay_0123456789ABCDEF","amount":123456,"currency":"eur","created":1700000000}}'
PAYMENT='{"id":"pay_0123456789ABCDEF","object":"payment","amount":123456,"currency":"kes","customer":"cust_0123456789ABCDEF","description":null,"status":"succeeded","failure_code":null,"payment_method":null,"metadata":{},"created":1700000000,"livemode":false}'
EVENT='{"id":"evt_0123456789ABCDEF","object":"event","type":"payment.succeeded","data":{"object":'"$PAYMENT"'},"created":1700000000,"livemode":false}'
PAY_LIST='{"object":"list","data":[' EVENTS='{"object":"list","data":['
for i in 1 2 3 4 5 6 7 8 9 10; do
	sep=,; [ "$i" = 10 ] && sep=
	PAY_LIST="$PAY_LIST$PAYMENT$sep" EVENTS="$EVENTS$EVENT$sep"
done
PAY_LIST="$PAY_LIST"'],"has_more":true,"url":"/v1/payments"}'
EVENTS="$EVENTS"'],"has_more":true,"url":"/v1/events"}'

NGX=$TMP/nginx
mkdir -p "$NGX/client_body" "$NGX/fastcgi_temp" "$NGX/proxy_temp" \
    "$NGX/uwsgi_temp" "$NGX/scgi_temp"
NGX_USER=
[ "$(id -u)" = 0 ] && NGX_USER="user nobody $(id -gn nobody);"
fill "$HERE/nginx/main.conf.in" PREFIX="$NGX" USER="$NGX_USER" \
    NGINX_WORKERS="$NGINX_WORKERS" >"$NGX/nginx.conf"
fill "$HERE/nginx/ours.conf.in" PORT="${PORT[ours]}" \
    UPSTREAM=pesaswap_bench SOCKET="$PS_FCGI_SOCKET" >"$NGX/ours.conf"
if has base; then
	fill "$HERE/nginx/ours.conf.in" PORT="${PORT[base]}" \
	    UPSTREAM=pesaswap_base SOCKET="$BASE_SOCKET" >"$NGX/base.conf"
else
	: >"$NGX/base.conf"
fi
fill "$HERE/peer-php/nginx.conf.in" PORT="${PORT[php]}" SOCKET="$PHP_SOCK" \
    DIR="$HERE/peer-php" >"$NGX/php.conf"
fill "$HERE/nginx/ceiling.conf.in" PORT="${PORT[ceiling]}" \
    CUSTOMER="$CUSTOMER" LIST="$LIST" SEARCH="$SEARCH" ANALYTICS="$ANALYTICS" \
    PAYMENT="$PAYMENT" PAY_LIST="$PAY_LIST" EVENTS="$EVENTS" \
    >"$NGX/ceiling.conf"
"$NGINX" -t -q -p "$NGX" -c "$NGX/nginx.conf" -g 'daemon off;' \
    2>"$LOG/nginx-t.log" || { cat "$LOG/nginx-t.log" >&2; die "nginx -t"; }
say "starting nginx: ours :${PORT[ours]}, php :${PORT[php]}," \
    "ceiling :${PORT[ceiling]}"
"$NGINX" -p "$NGX" -c "$NGX/nginx.conf" -g 'daemon off;' \
    >"$LOG/nginx.log" 2>&1 &
PID_NGINX=$!
EXTRA_PIDS+=("$PID_NGINX")
for t in $TARGETS; do
	wait_for 15 "$PID_NGINX" nginx port_in_use "${PORT[$t]}" ||
	    die "nginx (see $LOG/nginx.log, $NGX/nginx-error.log)"
done

# ---- smoke check: every target answers every request with the right shape

FIRST_ID=$(head -n 1 "$TMP/ids.txt")
FIRST_EMAIL=$(head -n 1 "$TMP/emails.txt")
one_request() {	# target request: one request by curl; sets CODE and BODY
	local t=$1 r=$2 url="http://127.0.0.1:${PORT[$1]}" out
	local -a a=(-s -m 10 -w '\n%{http_code}' -H "Authorization: Bearer $KEY")
	case $r in
	get) out=$(curl "${a[@]}" "$url/v1/customers/$FIRST_ID") ;;
	create) out=$(curl "${a[@]}" -H 'Content-Type: application/json' \
	    -d "{\"name\":\"Check $t\",\"email\":\"check.$t.$$.$RANDOM$RANDOM@example.com\",\"phone\":\"+254712345678\"}" \
	    "$url/v1/customers") ;;
	list) out=$(curl "${a[@]}" "$url/v1/customers?limit=10") ;;
	search) out=$(curl "${a[@]}" -G --data-urlencode \
	    "query=email:'$FIRST_EMAIL'" "$url/v1/customers/search") ;;
	pay_create) out=$(curl "${a[@]}" -H 'Content-Type: application/json' \
	    -d "{\"amount\":1234,\"currency\":\"kes\",\"customer\":\"$FIRST_ID\"}" \
	    "$url/v1/payments") ;;
	analytics) out=$(curl "${a[@]}" "$url/v1/customers/$FIRST_ID/analytics") ;;
	pay_list) out=$(curl "${a[@]}" "$url/v1/payments?limit=10") ;;
	events) out=$(curl "${a[@]}" "$url/v1/events?limit=10") ;;
	esac
	CODE=${out##*$'\n'}
	BODY=${out%$'\n'*}
}
shape() {	# request: what its answer must hold
	case $1 in
	get|create) echo '"object":"customer"' ;;
	search) echo '"object":"search_result"' ;;
	analytics) echo '"object":"customer_analytics"' ;;
	pay_create) echo '"object":"payment"' ;;
	*) echo '"object":"list"' ;;
	esac
}
check() {	# target request: 200 and the right JSON shape
	local t=$1 r=$2 want
	want=$(shape "$r")
	one_request "$t" "$r"
	if [ "$CODE" != 200 ] || [[ "$BODY" != *"$want"* ]]; then
		say "$t $r answered $CODE: ${BODY:0:300}"
		return 1
	fi
	[ "$t" = ceiling ] && return 0
	case $r in
	get|analytics) [[ "$BODY" == *"\"$FIRST_ID\""* ]] ;;
	search) [[ "$BODY" == *"\"id\":\"$FIRST_ID\""* ]] ;;
	pay_create) [[ "$BODY" == *"\"customer\":\"$FIRST_ID\""* ]] ;;
	*) true ;;
	esac || { say "$t $r: not the customer asked for: ${BODY:0:300}"
	    return 1; }
}
for t in $TARGETS; do
	for r in $REQUESTS; do
		check "$t" "$r" || die "$t does not answer $r correctly" \
		    "(logs in $LOG)"
	done
done
say "all targets answer all requests"

if [ -n "${SERVE:-}" ]; then
	for t in $TARGETS; do
		echo "$t: http://127.0.0.1:${PORT[$t]}"
	done
	echo "key: $KEY"
	echo "db: MYSQL_PWD=$DB_PASSWORD mariadb --no-defaults" \
	    "--socket=$PS_DB_SOCKET -upesaswap pesaswap"
	echo "e.g. curl -H 'Authorization: Bearer $KEY'" \
	    "http://127.0.0.1:${PORT[${TARGETS%% *}]}/v1/customers/$(head -n 1 "$TMP/ids.txt")"
	say "serving for ${SERVE}s; Ctrl-C stops everything"
	bg_wait sleep "$SERVE" || true
	exit 0
fi

# ---- memory ---------------------------------------------------------------

rss_list() {	# pid [field]: "pid:KiB ..." of the children of a pid
	local c out=
	for c in $(children "$1"); do
		out="$out $c:$(rss_kib "$c" "${2:-VmRSS}")"
	done
	echo "${out# }"
}
declare -A RSS PHP_RSS	# snapshots: idle, after each request, peak
snapshot() {	# name [field]
	if has ours; then
		RSS[$1]=$(rss_list "$FCGI_MASTER" "${2:-}")
		say "pesaswap-fcgi workers, $1 (pid:KiB): ${RSS[$1]}"
	fi
	if has php; then PHP_RSS[$1]=$(rss_list "$PID_PHP" "${2:-}"); fi
}
snapshot idle

field() {	# request target name: a number from the BENCHRESULT line
	local l=${RES[$1,$2]:-}
	if [[ " $l " =~ \ $3=([0-9.]+)\  ]]; then echo "${BASH_REMATCH[1]}"; fi
}
name() { case $1 in get) echo "GET one customer" ;;
	create) echo "POST create customer" ;; list) echo "GET customers (10)" ;;
	search) echo "GET search (email)" ;; analytics) echo "GET analytics" ;;
	pay_create) echo "POST payment" ;; pay_list) echo "GET payments (10)" ;;
	events) echo "GET events (10)" ;; esac; }
target_name() { case $1 in ours) echo "ours" ;; php) echo "PHP peer" ;;
	ceiling) echo "ceiling" ;; base) echo "baseline" ;;
	base2) echo "baseline again" ;; esac; }

# ---- wrk ------------------------------------------------------------------

# What one request costs, from counters read before and after each measured
# run: MariaDB's statements (Questions: one client round trip each, prepared
# executes included; Com_stmt_prepare among them) and commits, and the CPU
# time of the target's processes and of mariadbd (utime + stime, ticks).
db_counters() {	# "Questions=N Com_stmt_prepare=N Com_commit=N"
	db_sql -N -e "SHOW GLOBAL STATUS WHERE Variable_name IN
	    ('Questions', 'Com_stmt_prepare', 'Com_commit')" 2>/dev/null |
	    awk '{ printf "%s=%s ", $1, $2 }'
}
cpu_ticks() {	# pid...: utime + stime of them all
	local p t=0 x
	for p in "$@"; do
		x=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' \
		    "/proc/$p/stat" 2>/dev/null) || continue
		t=$((t + ${x:-0}))
	done
	echo "$t"
}
target_pids() {	# target: its server processes (none for the ceiling)
	case $1 in
	ours) echo "$FCGI_MASTER $(children "$FCGI_MASTER")" ;;
	php) echo "$PID_PHP $(children "$PID_PHP")" ;;
	base|base2) echo "$BASE_MASTER $(children "$BASE_MASTER")" ;;
	esac
}
MARIADB_PID=$(read_pid "$PS_VAR/run/mariadb.pid" mariadbd 2>/dev/null ||
    var_pids mariadbd "--datadir=$PS_VAR/mysql" | head -n 1 || true)
TICK=$(getconf CLK_TCK)
cost() {	# before after requests: "stmts=… prepares=… commits=… per request"
	awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN {
	    split(a, x, "[ =]"); split(b, y, "[ =]")
	    for (i = 1; i < length(x); i += 2) { v[x[i]] = x[i + 1] }
	    for (i = 1; i < length(y); i += 2) { w[y[i]] = y[i + 1] }
	    if (n <= 0) exit
	    printf "stmts=%.2f prepares=%.3f commits=%.3f",
		(w["Questions"] - v["Questions"] - 1) / n,
		(w["Com_stmt_prepare"] - v["Com_stmt_prepare"]) / n,
		(w["Com_commit"] - v["Com_commit"]) / n }'
}

declare -A RES STATUSES COST
PROBLEMS=
export BENCH_LUA_DIR=$HERE/lua BENCH_KEY=$KEY BENCH_IDS=$TMP/ids.txt \
    BENCH_EMAILS=$TMP/emails.txt BENCH_HOT=$HOT
if [ -n "$RATE" ]; then
	export BENCH_DELAY_MS=$((CONNS * 1000 / RATE))
	say "paced: each connection waits ${BENCH_DELAY_MS} ms between requests"
fi
runs=0
for r in $REQUESTS; do for t in $TARGETS; do runs=$((runs + 1)); done; done
bench_wait_load
LOAD_BEFORE=$LOAD_SEEN
say "wrk: $runs runs of ${WARMUP}s + ${DURATION}s," \
    "$CONNS connections, $THREADS threads (about" \
    "$(( runs * (WARMUP + DURATION + 2) / 60 + 1 )) minutes); load $LOAD_BEFORE"
for r in $REQUESTS; do
	unset BENCH_PATH
	case $r in
	get) script=get_one.lua ;;
	create) script=create.lua ;;
	list) script=list.lua ;;
	search) script=search.lua ;;
	analytics) script=analytics.lua ;;
	pay_create) script=pay_create.lua ;;
	pay_list) script=path.lua; export BENCH_PATH="/v1/payments?limit=10" ;;
	events) script=path.lua; export BENCH_PATH="/v1/events?limit=10" ;;
	*) die "unknown request $r" ;;
	esac
	for t in $TARGETS; do
		url="http://127.0.0.1:${PORT[$t]}"
		export BENCH_TAG="w-$t-$$-$(date +%s)"
		timeout $((WARMUP + 30)) wrk -t"$THREADS" -c"$CONNS" \
		    -d"${WARMUP}s" -s "$HERE/lua/$script" "$url" \
		    >"$TMP/wrk/$r-$t-warmup.txt" 2>&1 || true
		export BENCH_TAG="b-$t-$$-$(date +%s)"
		log0=$(wc -l <"$LOG/fcgi.log" 2>/dev/null || echo 0)
		# shellcheck disable=SC2046
		c0=$(db_counters) p0=$(cpu_ticks $(target_pids "$t"))
		m0=$(cpu_ticks "$MARIADB_PID")
		timeout $((DURATION + 60)) wrk -t"$THREADS" -c"$CONNS" \
		    -d"${DURATION}s" --timeout 10s --latency \
		    -s "$HERE/lua/$script" "$url" >"$TMP/wrk/$r-$t.txt" 2>&1 ||
		    say "wrk $r $t failed"
		# shellcheck disable=SC2046
		c1=$(db_counters) p1=$(cpu_ticks $(target_pids "$t"))
		m1=$(cpu_ticks "$MARIADB_PID")
		line=$(grep '^BENCHRESULT' "$TMP/wrk/$r-$t.txt" || true)
		RES[$r,$t]=$line
		n=$(field "$r" "$t" requests)
		if [ "$t" != ceiling ] && [ -n "$n" ]; then
			COST[$r,$t]="$(cost "$c0" "$c1" "$n") $(awk -v p=$((p1 - p0)) \
			    -v m=$((m1 - m0)) -v n="$n" -v hz="$TICK" 'BEGIN {
				printf "cpu_us=%.0f db_cpu_us=%.0f",
				    p * 1e6 / hz / n, m * 1e6 / hz / n }')"
		fi
		say "$r $t: ${line#BENCHRESULT } ${COST[$r,$t]:-}"
		if [ "$t" = ours ]; then
			# Our workers' own view: statuses and time per request
			# from their log (one line per request, "req_… METHOD
			# PATH STATUS TIMEms"), for the requests of this run.
			tail -n +$((log0 + 1)) "$LOG/fcgi.log" 2>/dev/null |
			    awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^req_/) {
				t = $(i + 4); sub(/ms$/, "", t)
				if ($(i + 3) ~ /^[1-5][0-9][0-9]$/ &&
				    t ~ /^[0-9.]+$/)
					print $(i + 3), t
				break } }' | sort -k2,2n >"$TMP/wrk/$r-ours-log.txt"
			STATUSES[$r]=$(awk '{ c[$1]++; t[NR] = $2 }
			    END { for (k in c) printf "status %s: %d; ", k, c[k]
				if (NR) printf "time in the worker p50 %.2f ms," \
				    " p99 %.2f ms, max %.2f ms", t[int(NR * 0.5) + 1],
				    t[int(NR * 0.99) + 1], t[NR] }' \
			    "$TMP/wrk/$r-ours-log.txt")
		fi
		bad=$(field "$r" "$t" non2xx)
		if [ -z "$line" ] || [ "${bad:-0}" != 0 ]; then
			one_request "$t" "$r"
			PROBLEMS="${PROBLEMS:-}- $(name "$r"), $(target_name "$t"):"
			PROBLEMS="$PROBLEMS ${bad:-?} non-2xx answers; one more"
			PROBLEMS="$PROBLEMS request now answers $CODE:"
			PROBLEMS="$PROBLEMS \`${BODY:0:300}\`"$'\n'
		fi
		sleep 1
	done
	snapshot "$r"
done
snapshot peak VmHWM
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report ---------------------------------------------------------------

fmt_rps() { [ -n "$1" ] && printf "%.0f" "$1" || echo "-"; }
fmt_ms() { [ -n "$1" ] && awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }' ||
    echo "-"; }
ratio() { [ -n "$1" ] && [ -n "$2" ] &&
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b;
	else print "-" }' || echo "-"; }
mib_list() {	# "pid:KiB ..." -> "a, b, c MiB"
	local x out=
	for x in $1; do
		out="$out$(awk -v k="${x#*:}" 'BEGIN { printf "%.1f", k / 1024 }'), "
	done
	[ -n "$out" ] && echo "${out%, }" || echo "-"
}

want_ratio() {	# request: issue 7's ratio to PHP (empty: none set)
	case $1 in get|create) echo 3 ;; search|analytics) echo 2 ;; esac
}
targets() {	# issue 7's targets, met or missed, from the figures
	local r want o p out= ok
	for r in $REQUESTS; do
		want=$(want_ratio "$r")
		o=$(field "$r" ours rps) p=$(field "$r" php rps)
		[ -n "$want" ] && [ -n "$o" ] && [ -n "$p" ] || continue
		ok=$(awk -v o="$o" -v p="$p" -v w="$want" \
		    'BEGIN { print (o >= w * p) ? "met" : "MISSED" }')
		out="$out$(name "$r") >= ${want}x PHP: $ok; "
	done
	for r in $REQUESTS; do
		o=$(field "$r" ours p99_us)
		[ -n "$o" ] || continue
		ok=$(awk -v o="$o" 'BEGIN { print (o < 10000) ? "met" : "MISSED" }')
		out="$out$(name "$r") p99 < 10 ms at $CONNS connections: $ok; "
	done
	o=0
	for x in ${RSS[peak]:-}; do [ "${x#*:}" -gt "$o" ] && o=${x#*:}; done
	ok=$([ "$o" -lt 16384 ] && echo met || echo MISSED)
	echo "${out}worker peak RSS < 16 MiB: $ok."
}
cost_field() {	# request target name: a number of COST
	local l=${COST[$1,$2]:-}
	if [[ " $l " =~ \ $3=([0-9.]+)\  ]]; then echo "${BASH_REMATCH[1]}"; fi
}

CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")
{
	echo "# Customers benchmark, $(date '+%Y-%m-%d %H:%M %Z')"
	echo
	echo "Machine: $(nproc) cores ($CPU), $(uname -sr); load average" \
	    "before the runs: $LOAD_BEFORE, after: $LOAD_AFTER. wrk, nginx, the servers and" \
	    "MariaDB share these cores. Tree: $REV."
	[ -z "$RATE" ] || echo "Paced at about $RATE req/s in all:" \
	    "each connection waits ${BENCH_DELAY_MS} ms between its requests" \
	    "(req/s below is that rate, not a maximum)."
	echo "wrk: $CONNS connections, $THREADS threads, ${WARMUP}s warm-up" \
	    "then ${DURATION}s per run. Seeded: $ROWS customers in one account" \
	    "(generate ${SEED_GEN}s, LOAD DATA ${SEED_LOAD}s)."
	if has ours; then
		echo "Ours: pesaswap-fcgi, $(echo ${RSS[idle]} | wc -w) workers" \
		    "${BENCH_WORKERS:+(PESASWAP_WORKERS=$BENCH_WORKERS) }(log level" \
		    "$LOG_LEVEL: one line per request, to a file), nginx" \
		    "fastcgi_keep_conn off (a connection per request)."
	fi
	echo "nginx: $NGINX_WORKERS worker process(es), no access log," \
	    "the product template's headers on all three targets."
	echo "PHP peer: PHP-FPM pm = static, $PHP_CHILDREN children," \
	    "persistent PDO (emulated prepares, the default), opcache; its" \
	    "create writes the customer.created event in the same" \
	    "transaction: $([ "$PHP_EVENTS" = 1 ] && echo yes || echo no)."
	echo
	echo "| request | ours req/s | ours p50 ms | ours p99 ms |" \
	    "PHP req/s | PHP p50 ms | PHP p99 ms |" \
	    "ceiling req/s | ceiling p50 ms | ceiling p99 ms |" \
	    "ours/PHP | ours/ceiling |"
	echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
	for r in $REQUESTS; do
		row="| $(name "$r") "
		for t in ours php ceiling; do
			row="$row| $(fmt_rps "$(field "$r" "$t" rps)") "
			row="$row| $(fmt_ms "$(field "$r" "$t" p50_us)") "
			row="$row| $(fmt_ms "$(field "$r" "$t" p99_us)") "
		done
		o=$(field "$r" ours rps)
		row="$row| $(ratio "$o" "$(field "$r" php rps)") "
		row="$row| $(ratio "$o" "$(field "$r" ceiling rps)") |"
		echo "$row"
	done
	if has base; then
		echo
		echo "Baseline ($BASELINE) against ours, measured in the order" \
		    "$TARGETS for each request: base2/base is the run-to-run" \
		    "noise, ours/base the change."
		echo
		echo "| request | base req/s | ours req/s | base2 req/s |" \
		    "ours/base | base2/base | base CPU µs | ours CPU µs |" \
		    "base2 CPU µs |"
		echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|"
		for r in $REQUESTS; do
			b=$(field "$r" base rps)
			echo "| $(name "$r") | $(fmt_rps "$b") |" \
			    "$(fmt_rps "$(field "$r" ours rps)") |" \
			    "$(fmt_rps "$(field "$r" base2 rps)") |" \
			    "$(ratio "$(field "$r" ours rps)" "$b") |" \
			    "$(ratio "$(field "$r" base2 rps)" "$b") |" \
			    "$(cost_field "$r" base cpu_us) |" \
			    "$(cost_field "$r" ours cpu_us) |" \
			    "$(cost_field "$r" base2 cpu_us) |"
		done
	fi
	echo
	echo "What one request cost (counters read before and after each" \
	    "measured run, divided by its requests): MariaDB statements" \
	    "(round trips; of them prepares) and commits, CPU time of the" \
	    "target's processes and of mariadbd, µs:"
	echo
	echo "| request | ours stmts | ours prepares | ours commits |" \
	    "ours CPU µs | MariaDB CPU µs (ours) | PHP stmts | PHP commits |" \
	    "PHP CPU µs | MariaDB CPU µs (PHP) |"
	echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
	for r in $REQUESTS; do
		echo "| $(name "$r") | $(cost_field "$r" ours stmts) |" \
		    "$(cost_field "$r" ours prepares) |" \
		    "$(cost_field "$r" ours commits) |" \
		    "$(cost_field "$r" ours cpu_us) |" \
		    "$(cost_field "$r" ours db_cpu_us) |" \
		    "$(cost_field "$r" php stmts) |" \
		    "$(cost_field "$r" php commits) |" \
		    "$(cost_field "$r" php cpu_us) |" \
		    "$(cost_field "$r" php db_cpu_us) |"
	done
	echo
	echo "Errors (non-2xx / socket errors / timeouts) and p90, max latency:"
	echo
	echo "| request | target | non-2xx | socket errors | timeouts |" \
	    "p90 ms | max ms | requests |"
	echo "|---|---|--:|--:|--:|--:|--:|--:|"
	for r in $REQUESTS; do
		for t in $TARGETS; do
			[ -n "${RES[$r,$t]:-}" ] || {
				echo "| $(name "$r") | $(target_name "$t") |" \
				    "wrk failed | | | | | |"
				continue
			}
			echo "| $(name "$r") | $(target_name "$t") |" \
			    "$(field "$r" "$t" non2xx) |" \
			    "$(field "$r" "$t" sockerr) |" \
			    "$(field "$r" "$t" timeouts) |" \
			    "$(fmt_ms "$(field "$r" "$t" p90_us)") |" \
			    "$(fmt_ms "$(field "$r" "$t" max_us)") |" \
			    "$(field "$r" "$t" requests) |"
		done
	done
	echo
	if has ours; then
		echo "Our workers' own view (their log, this run's requests):"
		echo
		for r in $REQUESTS; do
			echo "- $(name "$r"): ${STATUSES[$r]:-no log lines}"
		done
		echo
	fi
	if [ -n "$PROBLEMS" ]; then
		echo "**Problems** (figures of these runs are not comparable):"
		echo
		printf '%s\n' "$PROBLEMS"
	fi
	echo "Resident memory of each process (VmRSS; peak is VmHWM at the" \
	    "end), MiB:"
	echo
	echo "| when | pesaswap-fcgi workers | PHP-FPM children |"
	echo "|---|---|---|"
	for w in idle $REQUESTS peak; do
		case $w in
		idle) label="idle, before any load" ;;
		peak) label="peak over the run" ;;
		*) label="after $(name "$w")" ;;
		esac
		echo "| $label | $(mib_list "${RSS[$w]:-}") |" \
		    "$(mib_list "${PHP_RSS[$w]:-}") |"
	done
	if has ours; then
		pids0=$(echo " ${RSS[idle]}" | sed 's/:[0-9]*//g')
		pids1=$(echo " ${RSS[peak]}" | sed 's/:[0-9]*//g')
		[ "$pids0" = "$pids1" ] ||
		    echo "(the workers' pids changed during the run: a worker" \
			"died and was replaced; see the fcgi log)"
		echo
		echo "Targets (issue 7): $(targets)"
		[ -z "$PROBLEMS" ] || echo "(not valid: some answers were not 2xx)"
	fi
} >"$TMP/results.md"

{
	echo
	echo "## Raw wrk output"
	for r in $REQUESTS; do
		for t in $TARGETS; do
			echo
			echo "### $(name "$r"), $(target_name "$t")"
			echo
			echo '```'
			cat "$TMP/wrk/$r-$t.txt"
			echo '```'
		done
	done
} >"$TMP/raw.md"

echo
cat "$TMP/results.md"
if [ "$OUT" != - ]; then
	cat "$TMP/results.md" "$TMP/raw.md" >"$OUT"
	say "written to $OUT"
fi
if [ -n "$PROBLEMS" ]; then
	KEEP=1	# the logs explain the errors
	say "some answers were not 2xx: see Problems above and the logs"
fi
