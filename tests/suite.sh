#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Usage: tests/suite.sh
# The whole test suite as CI runs it, one step after the other:
#   test      `cmake --workflow --preset test` (configure, build, every test), then every test's
#             wall time, slowest first, from ctest's JUnit report (build/test-results.xml)
#   fuzz      the fuzz preset's libFuzzer targets built (clang, ASan + UBSan)
#   sanitize  the sanitize preset (ASan + UBSan, no recovery) built and every test but the e2e
#             label run; it embeds the purgatories the test step cross-built and checked
#             (STYX_PURGATORY_DIR) instead of building them again, and builds only the tests
#   fuzzing   every fuzz target for 30 s (tests/fuzz/run.sh), last, so that nothing competes
#             with it for the cores and every target gets its 30 s of executions
# Ends with each step's wall time. Exits non-zero if any step failed: a failed test, a sanitizer
# report (it aborts the test), a fuzzer crash, or a build that did not complete.
set -u
cd "$(dirname "$0")/.." || exit 2
root=$(pwd)
fuzz_seconds=${STYX_FUZZ_SECONDS:-30}
status=0
start=$(date +%s)
steps=
failed=
# step NAME COMMAND...: runs COMMAND, records its wall time and whether it failed.
step() {
  name=$1
  shift
  echo
  echo "== tests/suite.sh: $name: $*"
  t0=$(date +%s)
  rc=0
  "$@" || rc=$?
  steps="$steps$(printf '%6d s  %-10s %s' $(($(date +%s) - t0)) "$name" \
    "$([ "$rc" -eq 0 ] && echo ok || echo "FAILED (exit $rc)")")
"
  if [ "$rc" -ne 0 ]; then
    status=1
    failed="$failed $name"
  fi
  return "$rc"
}

# The per-test report of a ctest JUnit file, slowest first.
report_times() {
  report=$1
  what=$2
  if [ ! -f "$report" ]; then
    echo "tests/suite.sh: no $report: the $what tests did not run" >&2
    return
  fi
  # One <testcase name="..." ... time="..." status="..."> element per test.
  sed -n 's/.*<testcase name="\([^"]*\)".* time="\([0-9.]*\)".* status="\([a-z]*\)".*/\2 \1 \3/p' \
    "$report" | sed 's/&quot;/"/g; s/&apos;/'"'"'/g; s/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g' |
    sort -k1,1gr >"$report.times"
  echo
  echo "Wall time per $what test, slowest first ($(wc -l <"$report.times") tests):"
  awk '{ printf "%9.2f s  %-60s %s\n", $1, $2, ($3 == "run" ? "" : $3) }' "$report.times"
  rm -f "$report.times"
}

# A sanitizer build that silently lost its flags would pass every test: the binaries must carry
# the ASan and UBSan runtimes.
check_sanitized() {
  for bin in "$@"; do
    for runtime in __asan_init __ubsan_handle; do
      if ! nm "$bin" 2>/dev/null | grep -q "$runtime"; then
        echo "tests/suite.sh: $bin: built without $runtime: the sanitizers are off" >&2
        return 1
      fi
    done
  done
}

sanitize_build() {
  cmake --preset sanitize -DSTYX_PURGATORY_DIR="$root/build" &&
    cmake --build --preset sanitize &&
    check_sanitized build-sanitize/tests/unit-test build-sanitize/tests/emu-test
}

rm -f build/test-results.xml build-sanitize/test-results.xml
step test cmake --workflow --preset test
report_times build/test-results.xml default
step fuzz-build cmake --workflow --preset fuzz &&
  check_sanitized build-fuzz/fuzz/fuzz-number || status=1
# The sanitize build needs the test step's purgatories.
if [ -f build/purgatory-x86_64/purgatory-x86_64.elf ]; then
  step sanitize-build sanitize_build &&
    step sanitize ctest --preset sanitize
  report_times build-sanitize/test-results.xml sanitize
else
  echo "tests/suite.sh: build/purgatory-x86_64/purgatory-x86_64.elf: missing: no sanitize step" >&2
  status=1
  failed="$failed sanitize"
fi
[ -x build-fuzz/fuzz/fuzz-number ] && step fuzzing tests/fuzz/run.sh build-fuzz "$fuzz_seconds"

echo
echo "Wall time per step (nproc $(nproc); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)):"
printf '%s' "$steps"
printf '%6d s  total\n' $(($(date +%s) - start))
[ -z "$failed" ] || echo "tests/suite.sh: failed:$failed" >&2
exit "$status"
