#!/usr/bin/env bash
# tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]: runs each libFuzzer
# target of BUILD_DIR (configured with CC=clang --enable-fuzz, see
# README.md) over its seed corpus and its regressions, where every input
# must pass, then fuzzes it for SECONDS. New corpus entries go to a
# temporary directory, so the repository's corpus does not grow.
#
# Speaks TAP (what ./test.sh counts): the plan, then one line per target,
# "ok 1 - fuzz_json 12345 runs (6000/s)" or "not ok 1 - fuzz_json
# <reason> <crash file>"; exits 1 if any failed.
# Crash inputs and each target's log are kept under
# $PESASWAP_FUZZ_ARTIFACTS (default BUILD_DIR/fuzz-artifacts).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 2 ] || ! [ "$2" -ge 0 ] 2>/dev/null; then
	echo "usage: $0 BUILD_DIR SECONDS [TARGET...]" >&2
	exit 2
fi
BUILD=$(cd "$1" && pwd) || exit 2
SECS=$2
shift 2
ART=${PESASWAP_FUZZ_ARTIFACTS:-$BUILD/fuzz-artifacts}
mkdir -p "$ART" || exit 2
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pesaswap-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A UBSan report is a crash (the code is built -fno-sanitize-recover too).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# The limits every run gets: a stuck or bloated input is a failure.
LIMITS=(-rss_limit_mb=2048 -timeout=10)

if [ $# -gt 0 ]; then
	TARGETS=("$@")
else
	TARGETS=()
	for src in "$HERE"/fuzz_*.c; do
		TARGETS+=("$(basename "$src" .c)")
	done
fi

# why LOG: the first line of the report that says what went wrong.
why() {
	grep -m1 -E 'fuzz invariant broken|runtime error|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|SUMMARY' \
	    "$1" | sed 's/^==[0-9]*==//; s/^ *//' | cut -c1-160
}

# replay NAME BIN LOG: every corpus and regression input, once each.
replay() {
	local name=$1 bin=$2 log=$3 inputs=()
	mapfile -t inputs < <(find "$HERE/corpus/$name" "$HERE/regressions/$name" \
	    -type f ! -name '.*' 2>/dev/null | sort)
	[ "${#inputs[@]}" -gt 0 ] || return 0
	"$bin" "${LIMITS[@]}" "${inputs[@]}" >"$log" 2>&1
}

# fuzz NAME BIN LOG: SECONDS of fuzzing from the corpus and regressions.
fuzz() {
	local name=$1 bin=$2 log=$3 dict=() dirs=()
	[ -f "$HERE/$name.dict" ] && dict=(-dict="$HERE/$name.dict")
	for d in "$HERE/corpus/$name" "$HERE/regressions/$name"; do
		[ -d "$d" ] && dirs+=("$d")
	done
	mkdir -p "$WORK/$name" "$ART/$name"
	"$bin" "${LIMITS[@]}" "${dict[@]}" -max_total_time="$SECS" \
	    -print_final_stats=1 -artifact_prefix="$ART/$name/" \
	    "$WORK/$name" "${dirs[@]}" >"$log" 2>&1
}

# crash_file LOG: the input libFuzzer saved, if it saved one.
crash_file() {
	sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$1" | tail -n 1
}

# target NAME: replays, then fuzzes NAME; prints what it did or why not,
# and fails if it did not pass.
target() {
	local name=$1 bin=$BUILD/tests/fuzz/$1 log runs rate
	if [ ! -x "$bin" ]; then
		echo "$name not built ($bin)"
		return 1
	fi
	log=$ART/$name.replay.log
	if ! replay "$name" "$bin" "$log"; then
		echo "$name a corpus or regression input fails: $(why "$log") (log $log)"
		return 1
	fi
	log=$ART/$name.log
	if ! fuzz "$name" "$bin" "$log"; then
		echo "$name $(why "$log") $(crash_file "$log") (log $log)"
		return 1
	fi
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *\([0-9]*\)/\1/p' "$log" |
	    tail -n 1)
	echo "$name ${runs:-0} runs (${rate:-0}/s)"
}

failed=0
n=0
echo "1..${#TARGETS[@]}"
for name in "${TARGETS[@]}"; do
	n=$((n + 1))
	if what=$(target "$name"); then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		failed=1
	fi
done
exit "$failed"
