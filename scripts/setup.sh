#!/usr/bin/env bash
# One command on a fresh Debian machine: installs what is missing, builds keyledger, builds the demo
# estate (git repositories with history + a config store, generated never-issued keys) and scans it.
#   scripts/setup.sh            # install, build (release), demo scan
#   SKIP_DEMO=1 scripts/setup.sh  # install and build only
#   SKIP_BUILD=1 scripts/setup.sh # install the system packages only (CI)
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in libgit2-dev libvectorscan-dev libsqlite3-dev libarchive-dev pkg-config; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if ((${#need[@]})); then
  echo "==> installing ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "swift not found: install Swift 6 (https://www.swift.org/install/linux/)" >&2; exit 2; }

[ "${SKIP_BUILD:-0}" = "1" ] && exit 0

echo "==> building (release)"
swift build -c release --product keyledger
swift build -c release --product keyledger-demo

[ "${SKIP_DEMO:-0}" = "1" ] && exit 0

echo "==> building the demo estate in fixtures/demo/estate"
.build/release/keyledger-demo fixtures/demo/estate
mkdir -p out
echo "==> keyledger scan (register: out/register.json)"
E=fixtures/demo/estate
ARGS=($E/payments-api $E/ml-platform $E/config-store --exports $E/exports --config $E/keyledger.yml --as-of 2026-11-20)
.build/release/keyledger scan "${ARGS[@]}" --format json --output out/register.json || [ $? -eq 1 ]
.build/release/keyledger scan "${ARGS[@]}" || [ $? -eq 1 ]

echo "==> weekly report: two scans a week apart recorded in out/history.sqlite"
rm -f out/history.sqlite
.build/release/keyledger scan $E/payments-api $E/ml-platform --exports $E/exports --config $E/keyledger.yml \
  --as-of 2026-11-13 --db out/history.sqlite --format json --output out/register-2026-11-13.json 2>/dev/null || [ $? -eq 1 ]
.build/release/keyledger scan "${ARGS[@]}" --db out/history.sqlite --format json --output out/register.json 2>/dev/null || [ $? -eq 1 ]
.build/release/keyledger report --db out/history.sqlite --as-of 2026-11-20 --format html --output out/weekly-report.html
.build/release/keyledger report --db out/history.sqlite --as-of 2026-11-20 --format md --output out/weekly-report.md
.build/release/keyledger register --db out/history.sqlite --format csv --output out/register.csv
echo "==> wrote out/register.json, out/register.csv, out/weekly-report.html, out/weekly-report.md"
