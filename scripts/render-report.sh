#!/usr/bin/env bash
# Renders an HTML weekly report to a PNG with headless Chromium, to look at it as a person would.
#
#   scripts/render-report.sh REPORT.html [OUT.png]     # default OUT: REPORT.png next to the page
#   scripts/render-report.sh --demo [DIR]              # demo estate → two weekly scans recorded in DIR/history.sqlite
#                                                      # → DIR/weekly-report.{html,md,png} (default DIR: out/demo-report)
#   SIZE=1280,3200 scripts/render-report.sh …          # window size (default 1280,2000; the page is cut below it)
#   SCRATCH=.build-store scripts/render-report.sh --demo   # build folder to use (default .build)
#
# Needs Chromium (Debian: apt-get install chromium). The page loads nothing from the network: it is one file.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE="${SIZE:-1280,2000}"
SCRATCH="${SCRATCH:-.build}"

chromium_bin() {
  for c in chromium chromium-browser google-chrome; do
    command -v "$c" >/dev/null 2>&1 && { command -v "$c"; return; }
  done
  echo "render-report: Chromium not found (Debian: apt-get install chromium)" >&2
  exit 2
}

screenshot() {  # HTML PNG
  local html png profile
  html="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
  png="$2"
  profile="$(mktemp -d)"
  "$(chromium_bin)" --headless --disable-gpu --no-sandbox --hide-scrollbars --user-data-dir="$profile" \
    --screenshot="$png" --window-size="$SIZE" "file://$html" >/dev/null 2>&1
  rm -rf "$profile"
  [ -s "$png" ] || { echo "render-report: Chromium wrote no screenshot for $1" >&2; exit 1; }
  echo "$png"
}

if [ "${1:-}" != "--demo" ]; then
  [ $# -ge 1 ] || { sed -n '2,10p' "$0" >&2; exit 2; }
  [ -f "$1" ] || { echo "render-report: $1: no such file" >&2; exit 2; }
  screenshot "$1" "${2:-${1%.html}.png}"
  exit 0
fi

# --demo: the README's weekly-report walk-through, end to end.
DIR="${2:-out/demo-report}"
mkdir -p "$DIR"
swift build --scratch-path "$SCRATCH" --product keyledger >/dev/null
swift build --scratch-path "$SCRATCH" --product keyledger-demo >/dev/null
BIN="$SCRATCH/debug"
E="$DIR/estate"
"$BIN/keyledger-demo" "$E" >/dev/null
# The demo's keyledger.yml sets monthly budgets (policy.budgets), so the report sets forecasts against them.
cp "$E/keyledger.yml" "$DIR/keyledger.yml"
DB="$DIR/history.sqlite"
rm -f "$DB" "$DB-wal" "$DB-shm"
if "$BIN/keyledger" scan --help | grep -q -- '--db'; then
  # Last week the config store was not scanned yet; this week it is.
  "$BIN/keyledger" scan "$E/payments-api" "$E/ml-platform" --exports "$E/exports" --config "$DIR/keyledger.yml" \
    --as-of 2026-11-13 --db "$DB" --format json --output "$DIR/register-2026-11-13.json" || [ $? -eq 1 ]
  "$BIN/keyledger" scan "$E/payments-api" "$E/ml-platform" "$E/config-store" --exports "$E/exports" --config "$DIR/keyledger.yml" \
    --as-of 2026-11-20 --db "$DB" --format json --output "$DIR/register-2026-11-20.json" || [ $? -eq 1 ]
else
  echo "render-report: this keyledger's scan has no --db yet; recording the two scans through the library test" >&2
  swift build --scratch-path "$SCRATCH" --build-tests >/dev/null
  KEYLEDGER_DEMO_REPORT_DIR="$(cd "$DIR" && pwd)" swift test --scratch-path "$SCRATCH" --skip-build --disable-swift-testing \
    --filter HistoryStoreDemoTests >/dev/null
  mv "$DIR/keyledger-history.sqlite" "$DB"
fi
"$BIN/keyledger" report --db "$DB" --as-of 2026-11-20 --period 7d --config "$DIR/keyledger.yml" --format html --output "$DIR/weekly-report.html"
"$BIN/keyledger" report --db "$DB" --as-of 2026-11-20 --period 7d --config "$DIR/keyledger.yml" --format md --output "$DIR/weekly-report.md"
"$BIN/keyledger" register --db "$DB" --format csv --output "$DIR/register.csv"
screenshot "$DIR/weekly-report.html" "$DIR/weekly-report.png"
