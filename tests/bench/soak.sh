#!/usr/bin/env bash
# The soak (issue 7, "Load and performance"): our service behind nginx at
# a steady rate for 10 minutes, a mix of every endpoint family, with the
# resident memory (VmRSS) and open descriptors of the pesaswap-fcgi master
# and of every worker sampled every 10 s, and the errors counted. Flat
# means: no worker replaced, no descriptor other than a socket gained (the
# master's sockets are nginx's FastCGI connections, which nginx opens and
# closes as it likes; a worker holds the one it serves), RSS after the
# warm-up within BENCH_RSS_SLACK of where it started. A benchmark, not a test:
# ./test.sh never runs it. See README.md here.
#
# Settings (environment):
#   PESASWAP_BUILD     a build directory with fcgi/pesaswap-fcgi and
#                      fcgi/pesaswap-admin (default: build out of tree)
#   BENCH_SOAK_S       seconds of load (600)
#   BENCH_SAMPLE_S     seconds between samples (10)
#   BENCH_RATE         requests per second, about (500)
#   BENCH_CONNECTIONS  wrk connections (16); each waits connections /
#                      rate between its requests (lua/mix.lua)
#   BENCH_ROWS         customers seeded (20000); BENCH_HOT (1000): the
#                      customers paid for and read by analytics
#   BENCH_WORKERS, BENCH_LOG_LEVEL, BENCH_DB_SQL as run.sh
#   BENCH_RSS_SLACK    KiB a process may grow after the warm-up and still
#                      be flat (512)
#   BENCH_OUT          results file (tests/bench/results-soak-<date>.md;
#                      "-" for none)
#   BENCH_KEEP=1       keep the temporary directory
#   BENCH_MAX_LOAD, BENCH_LOAD_WAIT  the load-average gate (common.sh)
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

case ${1:-} in
--quick) BENCH_SOAK_S=${BENCH_SOAK_S:-40} BENCH_LOAD_WAIT=0 ;;
-h|--help) sed -n '2,30p' "$0"; exit 0 ;;
"") ;;
*) echo "usage: tests/bench/soak.sh [--quick]" >&2; exit 2 ;;
esac

SOAK_S=${BENCH_SOAK_S:-600}
SAMPLE_S=${BENCH_SAMPLE_S:-10}
RATE=${BENCH_RATE:-500}
CONNS=${BENCH_CONNECTIONS:-16}
ROWS=${BENCH_ROWS:-20000}
HOT=${BENCH_HOT:-1000}
SLACK=${BENCH_RSS_SLACK:-512}
KEEP=${BENCH_KEEP:-0}
STAMP=$(date +%Y-%m-%d)
OUT=${BENCH_OUT:-$HERE/results-soak-$STAMP.md}
if [ "$OUT" != - ] && [ -z "${BENCH_OUT:-}" ] && [ -e "$OUT" ]; then
	OUT=$HERE/results-soak-$STAMP-$(date +%H%M).md
fi

BENCH_NAME=soak
# shellcheck source=common.sh
. "$HERE/common.sh"
for t in mariadb wrk perl curl; do
	command -v "$t" >/dev/null || die "missing $t"
done
NGINX=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null) || die "no nginx"

bench_init
LOG=$VAR/log
mkdir -p "$LOG" "$VAR/run" "$TMP/nginx"
chmod 0755 "$VAR" "$VAR/run"
bench_build pesaswap-fcgi pesaswap-admin
bench_db
bench_account Soak "$TMP/account.env"
KEY=$(env_get "$TMP/account.env" PESASWAP_TEST_KEY)
ACCOUNT=$(env_get "$TMP/account.env" PESASWAP_ACCOUNT_ID)

say "seeding $ROWS customers"
perl "$HERE/seed.pl" "$ROWS" "$ACCOUNT" "$TMP/customers.tsv" "$TMP/ids.txt"
cut -f5 "$TMP/customers.tsv" >"$TMP/emails.txt"
bench_load customers "$TMP/customers.tsv" "$CUSTOMER_TSV_COLS"
sql -e "ANALYZE TABLE customers" >/dev/null

[ -n "${BENCH_WORKERS:-}" ] && export PESASWAP_WORKERS=$BENCH_WORKERS
export PESASWAP_LOG_LEVEL=${BENCH_LOG_LEVEL:-info}
fcgi_start >>"$LOG/stack.log" || die "pesaswap-fcgi (see $LOG/fcgi.log)"
MASTER=$(read_pid "$VAR/run/fcgi.pid" pesaswap-fcgi) || die "no master"

# The benchmark's nginx (nginx/main.conf.in) with our server block only.
NGX=$TMP/nginx
mkdir -p "$NGX/client_body" "$NGX/fastcgi_temp" "$NGX/proxy_temp" \
    "$NGX/uwsgi_temp" "$NGX/scgi_temp"
PORT=$(free_port "$PS_DB_PORT")
NGX_USER=
[ "$(id -u)" = 0 ] && NGX_USER="user nobody $(id -gn nobody);"
fill "$HERE/nginx/main.conf.in" PREFIX="$NGX" USER="$NGX_USER" \
    NGINX_WORKERS=1 >"$NGX/nginx.conf"
fill "$HERE/nginx/ours.conf.in" PORT="$PORT" SOCKET="$PS_FCGI_SOCKET" \
    UPSTREAM=pesaswap_bench >"$NGX/ours.conf"
: >"$NGX/php.conf"
: >"$NGX/ceiling.conf"
: >"$NGX/base.conf"
"$NGINX" -p "$NGX" -c "$NGX/nginx.conf" -g 'daemon off;' \
    >"$LOG/nginx.log" 2>&1 8>&- 9>&- &
EXTRA_PIDS+=("$!")
wait_for 15 "$!" nginx port_in_use "$PORT" || die "nginx (see $NGX)"
URL=http://127.0.0.1:$PORT
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" \
    "$URL/v1/customers/$(head -n 1 "$TMP/ids.txt")")
[ "$code" = 200 ] || die "GET one customer answered $code"

# ---- samples ----------------------------------------------------------------

PROCS=()	# "master" and the workers, in a fixed order
# shellcheck disable=SC2046
procs() { echo "$MASTER" $(children "$MASTER" | sort -n); }	# one line
read -r -a PROCS <<<"$(procs)"
sample() {	# elapsed: one line "t lines non2xx rss:fds:sockets ..." (KiB)
	local p out
	out="$1 $(wc -l <"$LOG/fcgi.log")"
	out="$out $(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^req_/) {
	    if ($(i + 3) !~ /^2/) e++; break } } END { print e + 0 }' \
	    "$LOG/fcgi.log")"
	for p in "${PROCS[@]}"; do
		out="$out $(rss_kib "$p"):$(fd_count "$p"):$(socket_count "$p")"
	done
	echo "$out"
}

export BENCH_LUA_DIR=$HERE/lua BENCH_KEY=$KEY BENCH_IDS=$TMP/ids.txt \
    BENCH_EMAILS=$TMP/emails.txt BENCH_HOT=$HOT BENCH_TAG="soak-$$"
export BENCH_DELAY_MS=$((CONNS * 1000 / RATE))
bench_wait_load
say "soak: ${SOAK_S}s at about $RATE req/s ($CONNS connections, one" \
    "request every ${BENCH_DELAY_MS} ms each); samples every ${SAMPLE_S}s;" \
    "load $LOAD_SEEN"
: >"$TMP/samples.txt"
sample 0 >>"$TMP/samples.txt"
timeout $((SOAK_S + 60)) wrk -t2 -c"$CONNS" -d"${SOAK_S}s" --timeout 10s \
    --latency -s "$HERE/lua/mix.lua" "$URL" >"$TMP/wrk.txt" 2>&1 &
WRK=$!
EXTRA_PIDS+=("$WRK")
T0=$(date +%s)
while alive "$WRK"; do
	sleep "$SAMPLE_S" & BG_PID=$!; wait "$BG_PID" || true; BG_PID=
	alive "$WRK" || break
	s=$(sample $(( $(date +%s) - T0 )))
	echo "$s" >>"$TMP/samples.txt"
	say "sample: $s"
done
wait "$WRK" || say "wrk exited with $?"
sleep 2
sample "$(( $(date +%s) - T0 )) (idle)" | sed 's/ (idle)/i/' >>"$TMP/samples.txt"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
AFTER_PROCS=$(procs)
RESULT=$(grep '^BENCHRESULT' "$TMP/wrk.txt" || true)

# ---- report -----------------------------------------------------------------

field() { [[ " $RESULT " =~ \ $1=([0-9.]+)\  ]] && echo "${BASH_REMATCH[1]}"; }
verdict() {	# per process: growth of RSS from the first sample after the
		# warm-up (the third) to the last under load; fds the same
	awk -v slack="$SLACK" '
	    { rows[NR] = $0 }
	    END {
		last = NR - 1; first = 3 < last ? 3 : 1
		split(rows[first], a, " "); split(rows[last], b, " ")
		flat = 1
		for (i = 4; i in a; i++) {
			split(a[i], x, ":"); split(b[i], y, ":")
			name = i == 4 ? "master" : "worker " (i - 4)
			g = y[1] - x[1]; f = (y[2] - y[3]) - (x[2] - x[3])
			printf "- %s: RSS %d -> %d KiB (%+d), descriptors" \
			    " other than sockets %d -> %d, sockets %d -> %d%s\n",
			    name, x[1], y[1], g, x[2] - x[3], y[2] - y[3], x[3],
			    y[3], (g > slack || f != 0) ? " **not flat**" : ""
			if (g > slack || f != 0) flat = 0
		}
		print flat ? "FLAT" : "NOT FLAT"
	    }' "$TMP/samples.txt"
}
V=$(verdict)
ERRORS=$(awk 'END { print $3 }' "$TMP/samples.txt")
{
	echo "# Soak, $(date '+%Y-%m-%d %H:%M %Z')"
	echo
	echo "Machine: $(nproc) cores, load average before $LOAD_SEEN, after" \
	    "$LOAD_AFTER. Tree: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)" \
	    "(+ working tree). ${SOAK_S}s of lua/mix.lua at about $RATE req/s" \
	    "($CONNS connections, ${BENCH_DELAY_MS} ms between the requests of" \
	    "each), $ROWS customers seeded; ${#PROCS[@]} processes: the master" \
	    "and $(( ${#PROCS[@]} - 1 )) workers."
	echo
	echo "wrk: $(field requests) requests, $(awk -v r="$(field rps)" \
	    'BEGIN { printf "%.0f", r }') req/s, p50 $(awk -v u="$(field p50_us)" \
	    'BEGIN { printf "%.2f", u / 1000 }') ms, p99 $(awk \
	    -v u="$(field p99_us)" 'BEGIN { printf "%.2f", u / 1000 }') ms," \
	    "non-2xx $(field non2xx), socket errors $(field sockerr)," \
	    "timeouts $(field timeouts). Non-2xx in the workers' log: $ERRORS."
	[ "$(procs)" = "${PROCS[*]}" ] && [ "$AFTER_PROCS" = "${PROCS[*]}" ] ||
	    echo "**The processes changed during the soak** (a worker died):" \
	    "before ${PROCS[*]}, after $AFTER_PROCS."
	echo
	echo "Samples (RSS KiB : open fds : of them sockets; the last row" \
	    "after the load, idle):"
	echo
	hdr="| s | requests | non-2xx | master"
	sep="|--:|--:|--:|--:"
	for ((i = 1; i < ${#PROCS[@]}; i++)); do
		hdr="$hdr | worker $i"; sep="$sep|--:"
	done
	echo "$hdr |"
	echo "$sep|"
	awk '{ printf "|"; for (i = 1; i <= NF; i++) printf " %s |", $i
	    printf "\n" }' "$TMP/samples.txt"
	echo
	echo "Verdict (from the third sample to the last under load; RSS may" \
	    "grow $SLACK KiB): $(echo "$V" | tail -n 1)"
	echo
	echo "$V" | sed '$d'
	echo
	echo '```'
	cat "$TMP/wrk.txt"
	echo '```'
} >"$TMP/results.md"
cat "$TMP/results.md"
if [ "$OUT" != - ]; then
	cp "$TMP/results.md" "$OUT"
	say "written to $OUT"
fi
