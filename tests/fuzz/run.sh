#!/bin/sh
# Usage: tests/fuzz/run.sh BUILD_DIR SECONDS
# Runs every fuzz target of BUILD_DIR (the fuzz preset's build-fuzz) for SECONDS each, two at a
# time, starting from a scratch copy of its seed corpus (tests/fuzz/corpus/<target>/). A crash
# leaves its input in BUILD_DIR/fuzz/findings/<target>/ and makes the script exit 1.
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
  if "$build/fuzz/fuzz-$t" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/$t/" "$out/$t/corpus" >"$out/$t/log" 2>&1; then
    echo "fuzz-$t: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$out/$t/log")"
  else
    echo "fuzz-$t: FAILED (see $out/$t/log)"
    tail -n 30 "$out/$t/log"
    return 1
  fi
}
status=0
set -- $(cat "$build/fuzz/targets.txt")
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
