# shellcheck shell=bash
# What the stack-based benchmarks (renewals.sh, webhooks.sh) share: a temp
# directory, clean-up of everything they start (also on failure and
# Ctrl-C), the programs (copied from PESASWAP_BUILD, or built out of tree),
# and a private stack on free ports. Source it after setting KEEP (1 keeps
# the temp directory), ROOT (the checkout) and BENCH_NAME (the log
# prefix); then call bench_init, bench_build, bench_stack. Extra processes
# to stop go in EXTRA_PIDS.

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
	cleaned=0
	trap bench_cleanup EXIT
	trap 'say interrupted; exit 130' INT TERM
	trap 'say "failed at line $LINENO: $BASH_COMMAND"' ERR
}

bench_cleanup() {
	local rc=$? p
	[ "$cleaned" = 1 ] && return
	cleaned=1
	trap - EXIT INT TERM ERR
	set +e
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

# bench_build: the programs in BUILD=$TMP/build.
bench_build() {
	local p
	BUILD=$TMP/build
	if [ -n "${PESASWAP_BUILD:-}" ]; then
		# Copies, so a rebuild there cannot change what is measured.
		mkdir -p "$BUILD/fcgi"
		for p in pesaswap-fcgi pesaswap-admin pesaswap-jobs; do
			[ -x "$PESASWAP_BUILD/fcgi/$p" ] ||
			    die "no $PESASWAP_BUILD/fcgi/$p"
			cp "$PESASWAP_BUILD/fcgi/$p" "$BUILD/fcgi/"
		done
		return
	fi
	say "building out of tree in $BUILD (make -j2; log in $LOG/build.log)"
	timeout 1800 bash -c '. "$1"; build "$2"' _ "$STACK" "$BUILD" \
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
