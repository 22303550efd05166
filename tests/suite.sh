#!/bin/sh
# Usage: tests/suite.sh
# The whole test suite as CI runs it: `cmake --workflow --preset test` (configure, build, every
# test), then every test's wall time, slowest first, from ctest's JUnit report
# (build/test-results.xml). Exits with the workflow's status.
set -u
cd "$(dirname "$0")/.." || exit 2
report=build/test-results.xml
rm -f "$report"
start=$(date +%s)
status=0
cmake --workflow --preset test || status=$?
end=$(date +%s)

if [ -f "$report" ]; then
  # One <testcase name="..." ... time="..." status="..."> element per test.
  sed -n 's/.*<testcase name="\([^"]*\)".* time="\([0-9.]*\)".* status="\([a-z]*\)".*/\2 \1 \3/p' \
    "$report" | sed 's/&quot;/"/g; s/&apos;/'"'"'/g; s/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g' |
    sort -k1,1gr >"$report.times"
  echo
  echo "Wall time per test, slowest first ($(wc -l <"$report.times") tests;" \
    "configure, build and tests took $((end - start)) s):"
  awk '{ printf "%9.2f s  %-60s %s\n", $1, $2, ($3 == "run" ? "" : $3) }' "$report.times"
  rm -f "$report.times"
else
  echo "tests/suite.sh: no $report: the tests did not run" >&2
fi
exit "$status"
