#!/usr/bin/env bash
# Runs the whole test suite (unit, integration and CLI tests). Needs the system libraries from scripts/setup.sh.
# Ends by listing every skipped test with its reason. With KEYLEDGER_CI=1 (.ci/run) a skip is a failure, except the
# entry points that are never tests of their own (below).
#   scripts/test.sh                        # everything
#   scripts/test.sh --filter SARIFReporterTests
set -euo pipefail
cd "$(dirname "$0")/.."
# The crash and concurrency tests start the suite again as their own child processes; those children's entry points
# skip in a normal run.
EXPECTED_SKIPS="HistoryStoreCrashTests.testChildRecordsUntilKilled HistoryStoreConcurrencyTests.testChildCreatesAndRecords"

swift build --build-tests
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# XCTest only: the suite has no swift-testing tests, and its empty summary would be the last line printed.
swift test --skip-build --disable-swift-testing "$@" 2>&1 | tee "$log" || status=$?

# XCTest prints `<file>:<line>: <Class>.<test> : Test skipped - <reason>` for each skip.
skips=$(sed -nE 's/^.*: ([A-Za-z0-9_]+\.[A-Za-z0-9_]+) : Test skipped - (.*)$/\1\t\2/p' "$log" | sort -u)
echo
if [ -z "$skips" ]; then
  echo "==> no test skipped"
else
  echo "==> skipped tests, and why:"
  unexpected=0
  while IFS=$'\t' read -r test reason; do
    if [[ " $EXPECTED_SKIPS " == *" $test "* ]]; then
      echo "  $test: $reason (expected: not a test of its own)"
    else
      echo "  $test: $reason"
      unexpected=$((unexpected + 1))
    fi
  done <<< "$skips"
  if [ "${KEYLEDGER_CI:-0}" = "1" ] && [ "$unexpected" -gt 0 ]; then
    echo "==> KEYLEDGER_CI=1: $unexpected test(s) skipped; in CI every test must run (install what they need: scripts/setup.sh)" >&2
    [ "$status" -ne 0 ] || status=1
  fi
fi
exit "$status"
