#!/usr/bin/env bash
# ./test.sh [SUITE...]: every test suite against a real stack set up in a
# throw-away directory on free ports (so it runs beside ./run.sh), ending
# with one line "N passed, N failed" (DESIGN.md "The two commands").
#
# Suites, in order: unit (make check), asan (make check built with
# --enable-sanitizers), valgrind (each unit test binary), fuzz (the
# libFuzzer targets of tests/fuzz, built with clang), then api, sdk,
# browser and faults (tests/<suite>/*.test.mjs with node --test).
# Arguments pick suites by name, or Node test files by part of their
# path: ./test.sh api, ./test.sh unit sdk, ./test.sh api/search. Every
# suite reports in TAP, counted by tap() below. The cluster suite
# (tests/cluster: 3 Galera nodes, worker hosts and nginx in network
# namespaces, as root; about 3 minutes) runs only when named:
# ./test.sh cluster (.ci/run does, after the rest).
#
# PESASWAP_KEEP_TMP=1 keeps the throw-away directory; it is kept without
# its data and builds when a test failed, and its path printed.
set -uo pipefail
cd "$(dirname "$0")" || exit 1
SRC=$PWD
# shellcheck source=scripts/stack.sh
. scripts/stack.sh

NODE_SUITES=(api sdk browser faults)	# tests/<name>/*.test.mjs, in this order
ALL_SUITES=(unit asan valgrind fuzz "${NODE_SUITES[@]}" cluster)
NAMED_ONLY=(cluster)	# not part of a bare ./test.sh
# What the tests need beyond what the service needs: Chromium for the
# dashboard's browser tests, libFuzzer's runtime for the fuzz targets.
TEST_DEBS=(chromium libclang-rt-14-dev)
FUZZ_SECONDS=${PESASWAP_FUZZ_SECONDS:-20}	# per fuzz target

PASSED=0
FAILED=0
STACK=0
CLUSTER=0
START=$SECONDS
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pesaswap-test.XXXXXX") || exit 1
chmod 755 "$TMP"		# nginx workers (nobody) reach TMP/var/run
LOGS=$TMP/logs
mkdir -p "$LOGS"

# The stack in TMP must not pick up a shell's sourced var/demo.env.
unset PESASWAP_API_URL PESASWAP_HTTPS_URL PESASWAP_DASHBOARD_URL \
    PESASWAP_ACCOUNT_ID PESASWAP_TEST_KEY PESASWAP_LIVE_KEY PESASWAP_DB_HOST \
    PESASWAP_DB_PORT PESASWAP_DB_SOCKET PESASWAP_DB_USER PESASWAP_DB_PASSWORD \
    PESASWAP_DB_NAME PESASWAP_TLS_CERT PESASWAP_VAR PESASWAP_BUILD \
    PESASWAP_ADMIN PESASWAP_STACK PESASWAP_DASHBOARD_EMAIL \
    PESASWAP_DASHBOARD_PASSWORD

# ------------------------------------------------------------ bookkeeping

# result NAME PASSED FAILED: counts and prints one suite's result.
result() {
	PASSED=$((PASSED + $2))
	FAILED=$((FAILED + $3))
	printf '  %-44s %4d passed, %d failed\n' "$1" "$2" "$3"
}

# fail NAME WHY [LOG]: one failed test for a step that could not run.
fail() {
	result "$1" 0 1
	printf '    %s\n' "$2"
	[ -z "${3:-}" ] || tail -n 30 "$3" | sed 's/^/    | /'
}

section() { printf '\n== %s  (%ds)\n' "$*" "$((SECONDS - START))"; }

# tap NAME FILE: NAME's result from the TAP in FILE, the one format every
# suite reports in (cmocka through automake's TAP driver, node --test,
# tests/fuzz/run.sh, the valgrind step). Each "ok" line passes and each
# "not ok" line fails, at any depth (Node's subtests are indented). A
# stream that ends badly counts one failure more: top-level results
# fewer or more than its plan, no plan, no result, "Bail out!", or, when
# no test failed, an "ERROR:" verdict of the TAP driver (a binary that
# exits non-zero after its tests: a leak report). Failures show their
# diagnostics.
tap() {
	local name=$1 file=$2 p f
	if [ ! -f "$file" ]; then
		fail "$name" "no TAP in $file"
		return
	fi
	read -r p f < <(awk '
	    /^[ \t]*ok([ \t]|$)/ { p++; if (/^ok/) top++ }
	    /^[ \t]*not ok([ \t]|$)/ { f++; if (/^not ok/) top++ }
	    /^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; planned = 1 }
	    /^Bail out!/ { bad = 1 }
	    /^ERROR: / { error = 1 }
	    END {
		if (!planned || top != plan || p + f == 0 || (error && !f))
			bad = 1
		print p + 0, f + bad
	    }' "$file")
	result "$name" "$p" "$f"
	[ "$f" -eq 0 ] && return
	awk '/^[ \t]*not ok/ { on = 1; n = 0 }
	    /^[ \t]*(ok([ \t]|$)|1\.\.|# Subtest:)/ { on = 0 }
	    on ? n++ < 40 : /^ERROR: |runtime error|Sanitizer|^==[0-9]+==/' \
	    "$file" | head -n 150 | sed 's/^/    | /'
}

# At any exit: stop the stack, keep or remove TMP, the total.
finish() {
	local rc=$1
	if [ "$STACK" -eq 1 ]; then
		stop_all >"$LOGS/stop.log" 2>&1 ||
		    printf 'warning: stopping the stack failed (%s)\n' "$LOGS/stop.log"
	fi
	[ "$CLUSTER" -eq 0 ] || cluster_stop_all
	if [ "${PESASWAP_KEEP_TMP:-0}" = 1 ]; then
		printf '\nkept %s\n' "$TMP"
	elif { [ "$FAILED" -gt 0 ] || [ "$rc" -ne 0 ]; } &&
	    [ -n "$(ls -A "$LOGS")" ]; then
		rm -rf "$TMP/var/mysql" "$TMP/build" "$TMP/build-asan" "$TMP/build-fuzz" \
		    "$TMP"/cluster/d*/mysql
		printf '\nlogs kept in %s\n' "$TMP"
	else
		rm -rf "$TMP"
	fi
	[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || printf '\ninterrupted\n'
	printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
		exit "$rc"
	fi
	[ "$FAILED" -eq 0 ]
	exit
}
on_exit finish

# Which suites and Node files to run.
WANT_SUITES=()
WANT_FILES=()
for a in "$@"; do
	case " ${ALL_SUITES[*]} " in
	*" $a "*) WANT_SUITES+=("$a") ;;
	*) WANT_FILES+=("$a") ;;
	esac
done
# wanted SUITE: no arguments, or SUITE among them.
wanted() {
	if [ "${#WANT_SUITES[@]}" -eq 0 ] && [ "${#WANT_FILES[@]}" -eq 0 ]; then
		case " ${NAMED_ONLY[*]} " in *" $1 "*) return 1 ;; esac
		return 0
	fi
	case " ${WANT_SUITES[*]} " in *" $1 "*) return 0 ;; esac
	return 1
}
node_files() {
	local s f w
	for s in "${NODE_SUITES[@]}"; do
		for f in tests/"$s"/*.test.mjs; do
			[ -f "$f" ] || continue
			if wanted "$s"; then
				echo "$f"
				continue
			fi
			for w in "${WANT_FILES[@]}"; do
				case $f in *"$w"*) echo "$f"; break ;; esac
			done
		done
	done
}
mapfile -t NODE_FILES < <(node_files)
if [ "${#WANT_FILES[@]}" -gt 0 ] && [ "${#NODE_FILES[@]}" -eq 0 ]; then
	fail "arguments" "no suite or Node test file matches: ${WANT_FILES[*]}"
	exit 1
fi

# --------------------------------------------------------------- the C tests

# make check leaves NAME.log (the TAP of the binary and the driver's
# verdicts) and NAME.trs per test binary.
count_check() {
	local label=$1 dir=$2 trs name
	while IFS= read -r trs; do
		name=${trs#"$dir"/}
		name=${name%.trs}
		tap "$label/${name#tests/unit/}" "${trs%.trs}.log"
	done < <(find "$dir" -name '*.trs' | sort)
}

# run_check LABEL DIR [ENV...]: make check in DIR and count.
run_check() {
	local label=$1 dir=$2 rc
	shift 2
	find "$dir" \( -name '*.trs' -o -name 'test-suite.log' \) -delete
	env "$@" make -C "$dir" -j2 check >"$LOGS/$label-check.log" 2>&1
	rc=$?
	local before=$FAILED
	count_check "$label" "$dir"
	if [ "$rc" -ne 0 ] && [ "$FAILED" -eq "$before" ]; then
		fail "$label" "make check failed" "$LOGS/$label-check.log"
	fi
}

# The binaries make check ran (a .trs each).
unit_binaries() {
	find "$1" -name '*.trs' | sort | sed 's/\.trs$//'
}

# Valgrind's own verdict only, as TAP: a unit test that fails is counted
# by the unit suite, so memory errors and leaks exit 99 here, a crash
# >= 128.
run_valgrind() {
	local bin name log rc
	while IFS= read -r bin; do
		[ -x "$bin" ] || continue
		name=${bin#"$TMP/build"/}
		name=${name#tests/unit/}
		log=$LOGS/valgrind-${name//\//_}.log
		(cd "$(dirname "$bin")" && CMOCKA_MESSAGE_OUTPUT=TAP \
		    timeout 600 valgrind -q --leak-check=full --error-exitcode=99 \
		    "$bin") >"$log" 2>&1
		rc=$?
		{
			echo 1..1
			if [ "$rc" -ne 99 ] && [ "$rc" -lt 124 ]; then
				echo "ok 1 - $name under valgrind"
			else
				echo "not ok 1 - $name under valgrind (exit $rc)"
				grep -E '^==[0-9]+==' "$log" | head -n 25 |
				    sed 's/^/# /'
			fi
		} >"$log.tap"
		tap "valgrind/$name" "$log.tap"
	done < <(unit_binaries "$TMP/build")
}

# -------------------------------------------------------------- fuzz targets

# run_fuzz: builds the fuzz targets with clang and runs each over its seed
# corpus and regressions, then for FUZZ_SECONDS (tests/fuzz/run.sh reports
# a TAP line per target).
run_fuzz() {
	local log=$LOGS/fuzz.tap
	if ! build "$TMP/build-fuzz" CC=clang --enable-fuzz \
	    >"$LOGS/build-fuzz.log" 2>&1; then
		fail "fuzz: build" "the fuzz build failed" "$LOGS/build-fuzz.log"
		return
	fi
	PESASWAP_FUZZ_ARTIFACTS=$LOGS/fuzz \
	    tests/fuzz/run.sh "$TMP/build-fuzz" "$FUZZ_SECONDS" >"$log" 2>&1
	tap "fuzz (tests/fuzz/run.sh)" "$log"
}

# -------------------------------------------------------------- Node suites

# run_node FILE: one test file, its TAP counted.
run_node() {
	local f=$1 log
	log=$LOGS/node-$(basename "$(dirname "$f")")-$(basename "$f" .test.mjs).tap
	timeout 900 ${NODE_NETNS:+ip netns exec "$NODE_NETNS"} \
	    node --test --test-concurrency=1 --test-timeout=300000 \
	    --test-reporter=tap "$f" >"$log" 2>&1
	tap "${f#tests/}" "$log"
}

# ------------------------------------------------------------- the cluster

# run_cluster: tests/cluster/cluster.sh up in TMP/cluster, then each
# tests/cluster/*.test.mjs inside its switch namespace, where the
# cluster's addresses are.
run_cluster() {
	local f
	CLUSTER=1
	export PESASWAP_VAR=$TMP/cluster PESASWAP_BUILD=$TMP/build
	export PESASWAP_ADMIN=$TMP/build/fcgi/pesaswap-admin
	export PESASWAP_WEBHOOK_RETRY_MS=${PESASWAP_WEBHOOK_RETRY_MS:-300}
	if ! bash tests/cluster/cluster.sh up >"$LOGS/cluster-up.log" 2>&1; then
		fail "cluster" "the cluster did not start" "$LOGS/cluster-up.log"
		return
	fi
	set -a
	# shellcheck source=/dev/null
	. "$TMP/cluster/demo.env"
	set +a
	for f in tests/cluster/*.test.mjs; do
		NODE_NETNS=$PESASWAP_CLUSTER_NETNS run_node "$f"
	done
}

cluster_stop_all() {
	PESASWAP_VAR=$TMP/cluster bash tests/cluster/cluster.sh stop-all \
	    >"$LOGS/cluster-stop.log" 2>&1 ||
	    printf 'warning: stopping the cluster failed (%s)\n' \
	    "$LOGS/cluster-stop.log"
}

# ------------------------------------------------------------------ the run

# The cluster's Galera, rsync for its state transfers, ip for its
# namespaces.
wanted cluster && TEST_DEBS+=(galera-4 rsync iproute2)
section "packages"
if ! install_deps "${TEST_DEBS[@]}" >"$LOGS/packages.log" 2>&1; then
	fail "setup: Debian packages" "install_deps failed" "$LOGS/packages.log"
	exit 1
fi
if { [ "${#NODE_FILES[@]}" -gt 0 ] || wanted cluster; } && ! install_node_deps >"$LOGS/npm.log" 2>&1; then
	fail "setup: npm" "installing tests/package.json failed" "$LOGS/npm.log"
	NODE_FILES=()
fi

section "build"
if ! build "$TMP/build" >"$LOGS/build.log" 2>&1; then
	fail "build" "the build failed" "$LOGS/build.log"
	exit 1
fi
echo "  built in $TMP/build"

if wanted unit; then
	section "unit tests (make check)"
	run_check unit "$TMP/build"
fi

if wanted asan; then
	section "unit tests with AddressSanitizer and UBSan"
	if build "$TMP/build-asan" --enable-sanitizers >"$LOGS/build-asan.log" 2>&1; then
		run_check asan "$TMP/build-asan" ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	else
		fail "asan: build" "the sanitizer build failed" "$LOGS/build-asan.log"
	fi
fi

if wanted valgrind; then
	section "valgrind on the unit tests"
	wanted unit || make -C "$TMP/build" -j2 check >"$LOGS/unit-check.log" 2>&1
	run_valgrind
fi

if wanted fuzz; then
	section "fuzz targets (libFuzzer, ASan, UBSan), ${FUZZ_SECONDS} s each"
	run_fuzz
fi

if [ "${#NODE_FILES[@]}" -gt 0 ]; then
	section "stack in $TMP/var"
	PS_HTTP_PORT=$(free_port)
	PS_HTTPS_PORT=$(free_port "$PS_HTTP_PORT")
	PS_DB_PORT=$(free_port "$PS_HTTP_PORT" "$PS_HTTPS_PORT")
	STACK=1
	# Webhook retries in milliseconds, so retry tests finish quickly.
	export PESASWAP_WEBHOOK_RETRY_MS=${PESASWAP_WEBHOOK_RETRY_MS:-300}
	if stack_config "$TMP/var" "$TMP/build" &&
	    stack_up >"$LOGS/stack.log" 2>&1; then
		echo "  HTTP $PS_HTTP_PORT, HTTPS $PS_HTTPS_PORT, MariaDB $PS_DB_PORT"
		set -a
		# shellcheck source=/dev/null
		. "$TMP/var/demo.env"
		set +a
		export PESASWAP_VAR=$TMP/var PESASWAP_BUILD=$TMP/build
		export PESASWAP_ADMIN=$TMP/build/fcgi/pesaswap-admin
		export PESASWAP_STACK=$SRC/scripts/stack.sh
		export PESASWAP_BODY_LIMIT=$PS_BODY_LIMIT
		export PESASWAP_IMPORT_LIMIT=$PS_IMPORT_LIMIT
		export NODE_EXTRA_CA_CERTS=$TMP/var/tls/cert.pem

		before=$FAILED
		for s in "${NODE_SUITES[@]}"; do
			first=1
			for f in "${NODE_FILES[@]}"; do
				case $f in tests/"$s"/*) ;; *) continue ;; esac
				[ "$first" -eq 0 ] || section "$s tests"
				first=0
				run_node "$f"
			done
		done
		if [ "$FAILED" -gt "$before" ]; then
			for l in fcgi.log nginx-error.log mariadb.log; do
				show_log "$TMP/var/log/$l" 15 2>&1 | sed 's/^/    | /'
			done
		fi
	else
		fail "stack" "the stack did not start" "$LOGS/stack.log"
	fi
fi

if wanted cluster; then
	section "cluster tests (3 Galera nodes, 3 worker hosts, nginx)"
	run_cluster
fi

section "done"
[ "$FAILED" -eq 0 ]
