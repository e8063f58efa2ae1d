# shellcheck shell=bash
# What every benchmark (run.sh, scale.sh, soak.sh, renewals.sh,
# webhooks.sh) shares, so start-up and clean-up live in one place: a temp
# directory, clean-up of everything they start (also on failure and
# Ctrl-C), the programs (copied from PESASWAP_BUILD, or built out of tree),
# a private MariaDB (bench_db) or a whole stack (bench_stack) on free
# ports, the load-average gate (bench_wait_load) and the per-process
# samples (children, rss_kib, fd_count). Source it after setting KEEP (1
# keeps the temp directory), ROOT (the checkout) and BENCH_NAME (the log
# prefix); then call bench_init, bench_build, bench_stack or bench_db.
# Extra processes to stop go in EXTRA_PIDS (SIGTERM, then SIGKILL); a long
# step run by bg_wait is stopped too.

STACK=$ROOT/scripts/stack.sh
# shellcheck source=../../scripts/stack.sh
. "$STACK"

say() { printf '[bench-%s %s] %s\n' "$BENCH_NAME" "$(date +%H:%M:%S)" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# bench_init: the temp directory and the traps.
bench_init() {
	TMP=$(mktemp -d "/tmp/pesaswap-bench-$BENCH_NAME.XXXXXX")
	chmod 755 "$TMP"	# nginx workers (nobody) reach VAR/run
	VAR=$TMP/var
	LOG=$TMP/logs
	mkdir -p "$VAR" "$LOG"
	EXTRA_PIDS=()
	BG_PID=
	cleaned=0
	# Our stdout and stderr, for messages from a trap that fires while a
	# function runs with its output redirected (stack.sh's servers get
	# neither fd).
	exec 8>&1 9>&2
	trap bench_cleanup EXIT
	trap 'exec 1>&8 2>&9; say interrupted; exit 130' INT TERM
	trap 'say "failed at line $LINENO: $BASH_COMMAND"' ERR
}

bench_cleanup() {
	local rc=$? p
	[ "$cleaned" = 1 ] && return
	cleaned=1
	trap - EXIT INT TERM ERR
	set +e
	exec 1>&8 2>&9
	[ -n "$BG_PID" ] && EXTRA_PIDS+=("$BG_PID")
	for p in "${EXTRA_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${EXTRA_PIDS[@]}"; do
		wait_gone "$p" 20 || kill -KILL "$p" 2>/dev/null
	done
	[ -n "${PS_VAR:-}" ] && stop_all >>"$LOG/stop.log" 2>&1
	if [ "$KEEP" = 1 ] || { [ "$rc" != 0 ] && [ "$rc" != 130 ]; }; then
		say "kept $TMP (logs in $LOG and $VAR/log)"
	else
		rm -rf "$TMP"
	fi
	exit "$rc"
}

# Long steps run in the background and are waited for, so that Ctrl-C is
# handled at once (bash runs a trap only between foreground commands).
bg_wait() {	# command...: runs it, waits; its status
	"$@" <&0 8>&- 9>&- &
	BG_PID=$!
	local rc=0
	wait "$BG_PID" || rc=$?
	BG_PID=
	return "$rc"
}

stop_pid() {	# pid signal: signal it, wait up to 15 s, then SIGKILL
	[ -n "$1" ] && alive "$1" || return 0
	kill "-$2" "$1" 2>/dev/null || true
	wait_gone "$1" 15 || kill -KILL "$1" 2>/dev/null || true
}

# bench_build [PROGRAMS...]: the programs in BUILD=$TMP/build (default:
# pesaswap-fcgi, pesaswap-admin and pesaswap-jobs).
bench_build() {
	local p progs=("$@")
	[ ${#progs[@]} -gt 0 ] ||
	    progs=(pesaswap-fcgi pesaswap-admin pesaswap-jobs)
	BUILD=$TMP/build
	if [ -n "${PESASWAP_BUILD:-}" ]; then
		# Copies, so a rebuild there cannot change what is measured.
		mkdir -p "$BUILD/fcgi"
		for p in "${progs[@]}"; do
			[ -x "$PESASWAP_BUILD/fcgi/$p" ] ||
			    die "no $PESASWAP_BUILD/fcgi/$p"
			cp "$PESASWAP_BUILD/fcgi/$p" "$BUILD/fcgi/"
		done
		return
	fi
	say "building out of tree in $BUILD (make -j2; log in $LOG/build.log)"
	bg_wait timeout 1800 bash -c '. "$1"; build "$2"' _ "$STACK" "$BUILD" \
	    >"$LOG/build.log" 2>&1 || {
		tail -n 30 "$LOG/build.log" >&2
		die "the build failed (or give PESASWAP_BUILD)"
	}
}

# bench_stack: MariaDB, the workers, pesaswap-jobs and nginx in VAR on
# free ports, demo.env exported. The per-key rate limit would pace the
# driver rather than measure the service: raised unless given.
bench_stack() {
	export PESASWAP_RATE_LIMIT=${PESASWAP_RATE_LIMIT:-100000}
	export PESASWAP_RATE_BURST=${PESASWAP_RATE_BURST:-100000}
	PS_HTTP_PORT=$(free_port)
	PS_HTTPS_PORT=$(free_port "$PS_HTTP_PORT")
	PS_DB_PORT=$(free_port "$PS_HTTP_PORT" "$PS_HTTPS_PORT")
	stack_config "$VAR" "$BUILD" || die "stack_config"
	say "starting the stack in $VAR (HTTP $PS_HTTP_PORT, MariaDB $PS_DB_PORT)"
	stack_up >"$LOG/stack.log" 2>&1 || { tail -n 30 "$LOG/stack.log" >&2
	    die "the stack did not start"; }
	set -a
	# shellcheck source=/dev/null
	. "$VAR/demo.env"
	set +a
	export PESASWAP_VAR=$VAR PESASWAP_BUILD=$BUILD PESASWAP_STACK=$STACK
}

# bench_db: a private MariaDB in VAR on a free port (the same mariadbd
# options as ./run.sh and ./test.sh: the functions of scripts/stack.sh),
# BENCH_DB_SQL run as its superuser, the migrations applied when
# pesaswap-admin is there; sql() runs the client as the `pesaswap` user.
bench_db() {
	PS_DB_PORT=$(free_port ${PS_HTTP_PORT:-} ${PS_HTTPS_PORT:-})
	stack_config "$VAR" "${BUILD:-$TMP/build}" || die "stack_config"
	db_init >>"$LOG/stack.log" || die "db_init (see $LOG)"
	db_start >>"$LOG/stack.log" || die "db_start (see $VAR/log/mariadb.log)"
	db_setup >>"$LOG/stack.log" || die "db_setup"
	if [ -n "${BENCH_DB_SQL:-}" ]; then
		say "as the DB superuser: $BENCH_DB_SQL"
		db_sql -e "$BENCH_DB_SQL"
	fi
	DB_PASSWORD=$(db_password)
	if [ -x "$PS_BUILD/fcgi/pesaswap-admin" ]; then
		migrate >>"$LOG/stack.log" 2>&1 ||
		    { tail "$LOG/stack.log" >&2; die "pesaswap-admin migrate"; }
	fi
}
sql() { MYSQL_PWD=$DB_PASSWORD mariadb --no-defaults \
    --socket="$PS_DB_SOCKET" -upesaswap pesaswap "$@"; }

# bench_account NAME FILE: an account made by pesaswap-admin; its
# PESASWAP_ACCOUNT_ID and PESASWAP_TEST_KEY in FILE.
# bench_load TABLE TSV COLUMNS [SET ...]: LOAD DATA of a tab-separated file
# written by seed.pl or seed-payments.pl, in the background (bg_wait) so a
# trap can stop it.
bench_load() {
	bg_wait sql --local-infile=1 -e "LOAD DATA LOCAL INFILE '$2'
	    INTO TABLE $1 CHARACTER SET utf8mb4
	    FIELDS TERMINATED BY '\t' LINES TERMINATED BY '\n' ($3) ${4:-}"
}
# The columns of seed.pl's customers.tsv.
CUSTOMER_TSV_COLS="id, account_id, livemode, name, email, phone, metadata,
    created, updated"

bench_account() {
	ps_env "$PS_BUILD/fcgi/pesaswap-admin" account create --name "$1" \
	    >"$2" 2>>"$LOG/stack.log" ||
	    { tail "$LOG/stack.log" >&2; die "pesaswap-admin account create"; }
}

# bench_wait_load: waits until the 1-minute load average is under
# BENCH_MAX_LOAD (1.5), polling every 30 s for up to BENCH_LOAD_WAIT
# seconds (1200; 0: do not wait), so figures are not taken while other
# work shares the cores. Sets LOAD_SEEN to the load average it started at
# (and says so when it gave up waiting).
bench_wait_load() {
	local max=${BENCH_MAX_LOAD:-1.5} left=${BENCH_LOAD_WAIT:-1200} l
	while :; do
		l=$(cut -d' ' -f1 /proc/loadavg)
		if awk -v l="$l" -v m="$max" 'BEGIN { exit !(l < m) }'; then
			LOAD_SEEN="$(cut -d' ' -f1-3 /proc/loadavg)"
			return 0
		fi
		if [ "$left" -le 0 ]; then
			LOAD_SEEN="$(cut -d' ' -f1-3 /proc/loadavg) (still above $max)"
			say "load average $l still above $max: measuring anyway"
			return 0
		fi
		say "load average $l >= $max: waiting (${left}s left)"
		sleep 30 & BG_PID=$!; wait "$BG_PID" || true; BG_PID=
		left=$((left - 30))
	done
}

# bench_wrk_stack: the start of the small wrk benchmarks (duplicates.sh,
# events.sh): their wrk settings (BENCH_DURATION 5 s, BENCH_CONNECTIONS 4,
# BENCH_THREADS 2), the temp directory, the programs, the stack and its
# DB_PASSWORD. Their figures are ratios taken in one run, so waiting for
# an idle machine is optional (BENCH_LOAD_WAIT, default 0).
bench_wrk_stack() {
	DURATION=${BENCH_DURATION:-5}
	CONNS=${BENCH_CONNECTIONS:-4}
	THREADS=${BENCH_THREADS:-2}
	BENCH_LOAD_WAIT=${BENCH_LOAD_WAIT:-0}
	bench_init
	bench_build pesaswap-fcgi pesaswap-admin pesaswap-jobs
	bench_stack
	DB_PASSWORD=$(db_password)
}

# wrk_rate KEY PATH: requests per second of wrk on PATH with KEY
# (BENCH_THREADS, BENCH_CONNECTIONS, BENCH_DURATION as THREADS, CONNS,
# DURATION); its output goes to $LOG/wrk.log, and any non-2xx answer
# fails the run.
wrk_rate() {
	local out
	out=$(wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" \
	    -H "Authorization: Bearer $1" "$PESASWAP_API_URL$2")
	printf '%s\n' "$out" >>"$LOG/wrk.log"
	grep -q 'Non-2xx' <<<"$out" && die "non-2xx answers for $2 (see $LOG/wrk.log)"
	awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out"
}

children() {	# pid: its direct children (no procps needed)
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
fd_count() {	# pid: its open descriptors (needs to own it, or root)
	find "/proc/$1/fd" -mindepth 1 2>/dev/null | wc -l
}
socket_count() {	# pid: how many of them are sockets
	find "/proc/$1/fd" -mindepth 1 -lname 'socket:*' 2>/dev/null | wc -l
}
