#!/usr/bin/env bash
# Coverage-guided fuzzing of keyledger's decoders and importers (DecoderFuzzing) with libFuzzer.
#   scripts/fuzz.sh [SECONDS]      # default 60; builds the instrumented harness in .build-fuzz first
# Seeds: Tests/Fuzz/corpus (real-shaped config files, Helm templates, archives, provider exports, rule files) and
# Tests/Fuzz/regressions (every input that once crashed). New interesting inputs go to a scratch corpus, never to
# the repository. A crash writes its input to .build-fuzz/artifacts/ and exits non-zero: add that file to
# Tests/Fuzz/regressions (the test suite replays it) and fix the cause.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-60}
swift build --product keyledger-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING -Xswiftc -parse-as-library \
  --scratch-path .build-fuzz 2>&1 | grep -E "error|warning: unre|Compiling|Build" | tail -3
BIN=.build-fuzz/debug/keyledger-fuzz
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/corpus" .build-fuzz/artifacts
cp Tests/Fuzz/corpus/* Tests/Fuzz/regressions/* "$WORK/corpus/"
echo "==> fuzzing the decoders and importers for ${SECONDS_TO_RUN}s ($(ls "$WORK/corpus" | wc -l) seeds)"
# The Swift runtime's backtracer would catch the crash before libFuzzer writes the input.
status=0
SWIFT_BACKTRACE=enable=no "$BIN" "$WORK/corpus" -max_total_time="$SECONDS_TO_RUN" -max_len=65536 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=.build-fuzz/artifacts/ > "$WORK/log" 2>&1 || status=$?
grep -E "^(#[0-9]+ +(DONE|INITED)|stat::number_of_executed_units|==[0-9]+== ERROR|SUMMARY|Test unit written|keyledger-fuzz:)" "$WORK/log" || true
if [ "$status" -ne 0 ]; then
  tail -40 "$WORK/log" >&2
  echo "fuzz: crash or timeout (exit $status); the input is in .build-fuzz/artifacts/" >&2
  exit 1
fi
echo "==> no crash in ${SECONDS_TO_RUN}s"
