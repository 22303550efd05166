#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: tests/fuzz/run.sh BUILD_DIR SECONDS
# Runs every fuzz target of BUILD_DIR (the fuzz preset's build-fuzz) for SECONDS each, two at a
# time (one per core of a CI machine), starting from a scratch copy of its seed corpus
# (tests/fuzz/corpus/<target>/). Prints one line per target: executions and crashes. A crash,
# sanitizer report or leak leaves its input in BUILD_DIR/fuzz/findings/<target>/ and makes the
# script exit 1; so does a target that made no executions, or an empty target list, since a run
# that fuzzed nothing must not pass.
set -u
build=$1
seconds=$2
src=$(cd "$(dirname "$0")" && pwd)
out=$build/fuzz/findings
rm -rf "$out" && mkdir -p "$out"
run_one() {
  t=$1
  mkdir -p "$out/$t/corpus"
  [ -d "$src/corpus/$t" ] && cp "$src/corpus/$t"/* "$out/$t/corpus/" 2>/dev/null
  "$build/fuzz/fuzz-$t" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/$t/" "$out/$t/corpus" >"$out/$t/log" 2>&1
  rc=$?
  # libFuzzer stops at the first finding: crash-*, leak-*, timeout-*, oom-* hold its input.
  crashes=$(find "$out/$t" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
    -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$out/$t/log" | tail -n 1)
  line="fuzz-$t: ${execs:-0} execs in $seconds s, $crashes crashes"
  if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ] || [ "${execs:-0}" -eq 0 ]; then
    echo "$line: FAILED (exit $rc; see $out/$t/log)"
    tail -n 30 "$out/$t/log"
    return 1
  fi
  echo "$line"
}
status=0
[ -s "$build/fuzz/targets.txt" ] || {
  echo "tests/fuzz/run.sh: $build/fuzz/targets.txt: missing or empty: no fuzz targets" >&2
  exit 1
}
set -- $(cat "$build/fuzz/targets.txt")
echo "tests/fuzz/run.sh: $# targets, $seconds s each"
while [ $# -gt 0 ]; do
  run_one "$1" &
  a=$!
  b=
  if [ $# -gt 1 ]; then
    run_one "$2" &
    b=$!
    shift
  fi
  shift
  wait $a || status=1
  [ -z "$b" ] || wait $b || status=1
done
exit $status
