#!/usr/bin/env bash
# The Customers benchmark (issue 2, "Speed"): one private MariaDB with
# 100,000 seeded customers, one nginx with three server blocks, and wrk
# against each of them for three requests:
#   ours     nginx -> FastCGI (keep-alive) -> pesaswap-fcgi workers
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
#   BENCH_REQUESTS       "get create list" (default)
#   BENCH_DURATION       seconds per measured run (15)
#   BENCH_WARMUP         seconds of warm-up before each run (3)
#   BENCH_CONNECTIONS    wrk connections (32)
#   BENCH_THREADS        wrk threads (2)
#   BENCH_ROWS           customers seeded (100000)
#   BENCH_WORKERS        PESASWAP_WORKERS for pesaswap-fcgi (default: its own)
#   BENCH_KEEPALIVE      nginx upstream keepalive connections to ours (32)
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
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

usage() {
	cat <<EOF
usage: tests/bench/run.sh [--php-only] [--quick] [--keep] [--serve [SECONDS]]
  --php-only  the PHP peer and the ceiling only (no build of ours)
  --quick     BENCH_DURATION=3 BENCH_WARMUP=1 (a smoke run, not figures)
  --keep      keep the temporary directory (same as BENCH_KEEP=1)
  --serve     set everything up, print the URLs and the key, and wait for
              Ctrl-C (at most SECONDS, default 600) instead of running wrk
Settings are environment variables; see the top of this file and README.md.
EOF
}

while [ $# -gt 0 ]; do
	case $1 in
	--php-only) BENCH_TARGETS="php ceiling" ;;
	--quick) BENCH_DURATION=3 BENCH_WARMUP=1 ;;
	--keep) BENCH_KEEP=1 ;;
	--serve) SERVE=600
		case ${2:-} in [0-9]*) SERVE=$2; shift ;; esac ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done

TARGETS=${BENCH_TARGETS:-ours php ceiling}
REQUESTS=${BENCH_REQUESTS:-get create list}
DURATION=${BENCH_DURATION:-15}
WARMUP=${BENCH_WARMUP:-3}
CONNS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
ROWS=${BENCH_ROWS:-100000}
KEEPALIVE=${BENCH_KEEPALIVE:-32}
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
say() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { say "error: $*"; exit 1; }

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

# ---- the stack functions, the temporary directory, cleanup ----------------

# MariaDB, the build, migrations and pesaswap-fcgi are started exactly as
# run.sh and test.sh start them: by the functions of scripts/stack.sh.
STACK=$ROOT/scripts/stack.sh
[ -f "$STACK" ] || die "no $STACK (this script reuses its functions)"
# shellcheck source=../../scripts/stack.sh
. "$STACK"
# stack.sh's messages go through this say (same use: say TEXT...).
say() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

TMP=$(mktemp -d /tmp/pesaswap-bench.XXXXXX)
VAR=$TMP/var	# the stack's directory: mysql/, run/, log/
LOG=$VAR/log
mkdir -p "$VAR/run" "$LOG" "$TMP/nginx" "$TMP/php" "$TMP/wrk"
# nginx's workers (user nobody when started as root) open the sockets.
chmod 0755 "$TMP" "$VAR" "$VAR/run"
PHP_SOCK=$VAR/run/php-fpm.sock
PID_NGINX= PID_PHP= PID_SLEEP=

stop_pid() {	# pid signal: signal it, wait up to 15 s, then SIGKILL
	local pid=$1 sig=$2 i
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	kill "-$sig" "$pid" 2>/dev/null || true
	for i in $(seq 150); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	say "pid $pid did not stop on SIG$sig; killing it"
	kill -KILL "$pid" 2>/dev/null || true
}

cleaned=0
cleanup() {
	local rc=$?
	[ "$cleaned" = 1 ] && return
	cleaned=1
	trap - EXIT INT TERM ERR
	set +e
	stop_pid "$PID_SLEEP" TERM
	stop_pid "$PID_NGINX" QUIT
	stop_pid "$PID_PHP" QUIT
	if [ -n "${PS_VAR:-}" ]; then
		fcgi_stop >/dev/null 2>&1
		db_stop >/dev/null 2>&1
	fi
	if [ "$KEEP" = 1 ] || { [ "$rc" != 0 ] && [ "$rc" != 130 ]; }; then
		say "kept $TMP (logs in $LOG)"
	else
		rm -rf "$TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'say interrupted; exit 130' INT TERM
trap 'say "failed at line $LINENO: $BASH_COMMAND"' ERR

# ---- build ----------------------------------------------------------------

BUILD=
if [ -n "${PESASWAP_BUILD:-}" ]; then
	# Copies, so that a rebuild in that directory cannot change the
	# programs under the benchmark.
	BUILD=$TMP/build
	mkdir -p "$BUILD/fcgi"
	for p in pesaswap-fcgi pesaswap-admin; do
		if [ -x "$PESASWAP_BUILD/fcgi/$p" ]; then
			cp "$PESASWAP_BUILD/fcgi/$p" "$BUILD/fcgi/"
		fi
	done
	has ours && { [ -x "$BUILD/fcgi/pesaswap-fcgi" ] ||
	    die "no $PESASWAP_BUILD/fcgi/pesaswap-fcgi"; }
elif has ours; then
	BUILD=$TMP/build
	say "building out of tree in $BUILD (make -j2; log in $LOG/build.log)"
	timeout 1800 bash -c '. "$1"; build "$2"' _ "$STACK" "$BUILD" \
	    >"$LOG/build.log" 2>&1 || {
		tail -n 30 "$LOG/build.log" >&2
		die "the build failed (log above; or give PESASWAP_BUILD," \
		    "or --php-only)"
	}
fi
ADMIN=
[ -n "$BUILD" ] && [ -x "$BUILD/fcgi/pesaswap-admin" ] &&
    ADMIN=$BUILD/fcgi/pesaswap-admin

# ---- MariaDB --------------------------------------------------------------

PS_DB_PORT=$(free_port)
stack_config "$VAR" "${BUILD:-$TMP/build}" || die "stack_config"
db_init >>"$LOG/stack.log" || die "db_init (see $LOG)"
db_start >>"$LOG/stack.log" || die "db_start (see $LOG/mariadb.log)"
db_setup >>"$LOG/stack.log" || die "db_setup"
if [ -n "${BENCH_DB_SQL:-}" ]; then
	say "as the DB superuser: $BENCH_DB_SQL"
	db_sql -e "$BENCH_DB_SQL"
fi
DB_PASSWORD=$(db_password)
sql() { MYSQL_PWD=$DB_PASSWORD mariadb --no-defaults \
    --socket="$PS_DB_SOCKET" -upesaswap pesaswap "$@"; }

if [ -n "$ADMIN" ]; then
	migrate >>"$LOG/stack.log" 2>&1 ||
	    { tail "$LOG/stack.log" >&2; die "pesaswap-admin migrate"; }
	ps_env "$ADMIN" account create --name "Benchmark" >"$TMP/account.env" \
	    2>>"$LOG/stack.log" ||
	    { tail "$LOG/stack.log" >&2; die "pesaswap-admin account create"; }
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
sql --local-infile=1 >/dev/null <<EOF
LOAD DATA LOCAL INFILE '$TMP/customers.tsv' INTO TABLE customers
    CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\t' LINES TERMINATED BY '\n'
    (id, account_id, livemode, name, email, phone, metadata, created,
     updated);
ANALYZE TABLE customers;
EOF
SEED_T2=$(date +%s.%N)
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
	wait_for 30 "$PID_PHP" php-fpm test -S "$PHP_SOCK" ||
	    die "php-fpm (see $LOG/php-fpm.log)"
fi

declare -A PORT
for t in ours php ceiling; do
	PORT[$t]=$(free_port "$PS_DB_PORT" ${PORT[@]:-})
done

# The ceiling's bodies: one customer, and a list of ten, as ours sends them.
CUSTOMER='{"id":"cust_0123456789ABCDEF","object":"customer","name":"Seed Customer 1","email":"seed1.123456@example.com","phone":"+254712345678","metadata":{},"created":1700000000,"updated":1700000000,"livemode":false}'
LIST='{"object":"list","data":['
for i in 1 2 3 4 5 6 7 8 9 10; do
	LIST="$LIST$CUSTOMER"
	[ "$i" = 10 ] || LIST="$LIST,"
done
LIST="$LIST"'],"has_more":true,"url":"/v1/customers"}'

NGX=$TMP/nginx
mkdir -p "$NGX/client_body" "$NGX/fastcgi_temp" "$NGX/proxy_temp" \
    "$NGX/uwsgi_temp" "$NGX/scgi_temp"
NGX_USER=
[ "$(id -u)" = 0 ] && NGX_USER="user nobody $(id -gn nobody);"
fill "$HERE/nginx/main.conf.in" PREFIX="$NGX" USER="$NGX_USER" \
    NGINX_WORKERS="$NGINX_WORKERS" >"$NGX/nginx.conf"
fill "$HERE/nginx/ours.conf.in" PORT="${PORT[ours]}" \
    SOCKET="$PS_FCGI_SOCKET" KEEPALIVE="$KEEPALIVE" >"$NGX/ours.conf"
fill "$HERE/peer-php/nginx.conf.in" PORT="${PORT[php]}" SOCKET="$PHP_SOCK" \
    DIR="$HERE/peer-php" >"$NGX/php.conf"
fill "$HERE/nginx/ceiling.conf.in" PORT="${PORT[ceiling]}" \
    CUSTOMER="$CUSTOMER" LIST="$LIST" >"$NGX/ceiling.conf"
"$NGINX" -t -q -p "$NGX" -c "$NGX/nginx.conf" -g 'daemon off;' \
    2>"$LOG/nginx-t.log" || { cat "$LOG/nginx-t.log" >&2; die "nginx -t"; }
say "starting nginx: ours :${PORT[ours]}, php :${PORT[php]}," \
    "ceiling :${PORT[ceiling]}"
"$NGINX" -p "$NGX" -c "$NGX/nginx.conf" -g 'daemon off;' \
    >"$LOG/nginx.log" 2>&1 &
PID_NGINX=$!
for t in $TARGETS; do
	wait_for 15 "$PID_NGINX" nginx port_in_use "${PORT[$t]}" ||
	    die "nginx (see $LOG/nginx.log, $NGX/nginx-error.log)"
done

# ---- smoke check: every target answers every request with the right shape

FIRST_ID=$(head -n 1 "$TMP/ids.txt")
one_request() {	# target request: one request by curl; sets CODE and BODY
	local t=$1 r=$2 url="http://127.0.0.1:${PORT[$1]}" out
	case $r in
	get) out=$(curl -s -m 10 -w '\n%{http_code}' \
	    -H "Authorization: Bearer $KEY" "$url/v1/customers/$FIRST_ID") ;;
	create) out=$(curl -s -m 10 -w '\n%{http_code}' \
	    -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
	    -d "{\"name\":\"Check $t\",\"email\":\"check.$t.$$.$RANDOM$RANDOM@example.com\",\"phone\":\"+254712345678\"}" \
	    "$url/v1/customers") ;;
	list) out=$(curl -s -m 10 -w '\n%{http_code}' \
	    -H "Authorization: Bearer $KEY" "$url/v1/customers?limit=10") ;;
	esac
	CODE=${out##*$'\n'}
	BODY=${out%$'\n'*}
}
check() {	# target request: 200 and the right JSON shape
	local t=$1 r=$2 want='"object":"customer"'
	[ "$r" = list ] && want='"object":"list"'
	one_request "$t" "$r"
	if [ "$CODE" != 200 ] || [[ "$BODY" != *"$want"* ]]; then
		say "$t $r answered $CODE: ${BODY:0:300}"
		return 1
	fi
	if [ "$r" = get ] && [ "$t" != ceiling ] &&
	    [[ "$BODY" != *"\"id\":\"$FIRST_ID\""* ]]; then
		say "$t get: not the customer asked for: ${BODY:0:300}"
		return 1
	fi
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
	sleep "$SERVE" &
	PID_SLEEP=$!
	wait "$PID_SLEEP" || true
	exit 0
fi

# ---- memory ---------------------------------------------------------------

children() {	# the direct children of a pid (no procps needed)
	perl -e 'my $p = shift;
	    for my $f (glob "/proc/[0-9]*/stat") {
		open(my $h, "<", $f) or next;
		my $l = <$h>;
		next unless defined $l;
		$l =~ s/.*\) //s;	# the name, in parentheses, may hold spaces
		my @x = split " ", $l;
		print +($f =~ m{/proc/(\d+)/})[0], "\n" if $x[1] == $p;
	    }' "$1"
}
rss_kib() {	# pid [field]: VmRSS (or VmHWM, the peak) in KiB
	awk -v f="${2:-VmRSS}:" '$1 == f { print $2 }' "/proc/$1/status" \
	    2>/dev/null
}
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
	create) echo "POST create" ;; list) echo "GET list (10)" ;; esac; }
target_name() { case $1 in ours) echo "ours" ;; php) echo "PHP peer" ;;
	ceiling) echo "ceiling" ;; esac; }

# ---- wrk ------------------------------------------------------------------

declare -A RES STATUSES
PROBLEMS=
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
export BENCH_LUA_DIR=$HERE/lua BENCH_KEY=$KEY BENCH_IDS=$TMP/ids.txt
runs=0
for r in $REQUESTS; do for t in $TARGETS; do runs=$((runs + 1)); done; done
say "wrk: $runs runs of ${WARMUP}s + ${DURATION}s," \
    "$CONNS connections, $THREADS threads (about" \
    "$(( runs * (WARMUP + DURATION + 2) / 60 + 1 )) minutes)"
for r in $REQUESTS; do
	case $r in
	get) script=get_one.lua ;;
	create) script=create.lua ;;
	list) script=list.lua ;;
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
		timeout $((DURATION + 60)) wrk -t"$THREADS" -c"$CONNS" \
		    -d"${DURATION}s" --timeout 10s --latency \
		    -s "$HERE/lua/$script" "$url" >"$TMP/wrk/$r-$t.txt" 2>&1 ||
		    say "wrk $r $t failed"
		line=$(grep '^BENCHRESULT' "$TMP/wrk/$r-$t.txt" || true)
		RES[$r,$t]=$line
		say "$r $t: ${line#BENCHRESULT }"
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

targets() {	# the issue's targets, met or missed, from the figures
	local r want o p out= ok
	for r in $REQUESTS; do
		case $r in list) want=2 ;; *) want=2.5 ;; esac
		o=$(field "$r" ours rps) p=$(field "$r" php rps)
		[ -n "$o" ] && [ -n "$p" ] || continue
		ok=$(awk -v o="$o" -v p="$p" -v w="$want" \
		    'BEGIN { print (o >= w * p) ? "met" : "MISSED" }')
		out="$out$(name "$r") >= ${want}x PHP: $ok; "
	done
	for r in $REQUESTS; do
		o=$(field "$r" ours p99_us)
		[ -n "$o" ] || continue
		ok=$(awk -v o="$o" 'BEGIN { print (o < 15000) ? "met" : "MISSED" }')
		out="$out$(name "$r") p99 < 15 ms: $ok; "
	done
	o=0
	for x in ${RSS[peak]:-}; do [ "${x#*:}" -gt "$o" ] && o=${x#*:}; done
	ok=$([ "$o" -lt 16384 ] && echo met || echo MISSED)
	echo "${out}worker peak RSS < 16 MiB: $ok."
}

CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")
{
	echo "# Customers benchmark, $(date '+%Y-%m-%d %H:%M %Z')"
	echo
	echo "Machine: $(nproc) cores ($CPU), $(uname -sr); load average" \
	    "before the runs: $LOAD_BEFORE. wrk, nginx, the servers and" \
	    "MariaDB share these cores. Tree: $REV."
	echo "wrk: $CONNS connections, $THREADS threads, ${WARMUP}s warm-up" \
	    "then ${DURATION}s per run. Seeded: $ROWS customers in one account" \
	    "(generate ${SEED_GEN}s, LOAD DATA ${SEED_LOAD}s)."
	if has ours; then
		echo "Ours: pesaswap-fcgi, $(echo ${RSS[idle]} | wc -w) workers" \
		    "${BENCH_WORKERS:+(PESASWAP_WORKERS=$BENCH_WORKERS) }(log level" \
		    "$LOG_LEVEL: one line per request, to a file), nginx" \
		    "upstream keepalive $KEEPALIVE, fastcgi_keep_conn on."
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
		echo "Targets (issue 2): $(targets)"
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
