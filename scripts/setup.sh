#!/usr/bin/env bash
# One command on a fresh Debian machine: installs what is missing, builds keyledger, builds the demo
# estate (git repositories with history + a config store, generated never-issued keys) and scans it.
#   scripts/setup.sh                     # install, build (release), demo scan
#   SKIP_DEMO=1 scripts/setup.sh         # install and build only
#   SKIP_BUILD=1 scripts/setup.sh        # install the system packages only
#   WITH_TEST_TOOLS=1 scripts/setup.sh   # also what two tests need (.ci/run sets KEYLEDGER_CI=1, which implies it)
#
# Needs: Debian or Ubuntu (apt-get) and Swift 6 (https://www.swift.org/install/linux/). Installing packages needs
# root: run it as root, or as a user with sudo; without either it names the packages to install and stops.
#   required:   libgit2-dev libvectorscan-dev libsqlite3-dev libarchive-dev pkg-config
#   test tools: chromium (the HTML report render test, scripts/render-report.sh) and python3-jsonschema (the SARIF
#               schema test). Optional outside CI: without them those two tests are skipped, and scripts/test.sh
#               says so at the end; under KEYLEDGER_CI=1 a missing one fails its test.
set -euo pipefail
cd "$(dirname "$0")/.."

missing() {  # PACKAGE… → those not installed
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || echo "$pkg"; done
}

install() {  # PACKAGE…
  if ! command -v apt-get >/dev/null; then
    echo "setup: no apt-get here; install the equivalents of: $* (Homebrew: libgit2 vectorscan sqlite libarchive pkg-config)" >&2
    exit 2
  fi
  local as=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then
      as=(sudo)
    else
      echo "setup: installing $* needs root, and sudo is not installed: run scripts/setup.sh as root, or as root: apt-get install -y $*" >&2
      exit 2
    fi
  fi
  echo "==> installing $*"
  "${as[@]}" apt-get update -qq
  "${as[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

command -v dpkg >/dev/null || { echo "setup: this script expects Debian or Ubuntu; the README lists the libraries keyledger needs" >&2; exit 2; }
need=($(missing libgit2-dev libvectorscan-dev libsqlite3-dev libarchive-dev pkg-config))
if [ "${KEYLEDGER_CI:-0}" = "1" ] || [ "${WITH_TEST_TOOLS:-0}" = "1" ]; then
  need+=($(missing chromium))
  # The SARIF schema test runs `python3 -c 'import jsonschema'`: whichever python3 is first on PATH must have it.
  if ! python3 -c 'import jsonschema' 2>/dev/null; then
    if [ "$(command -v python3 || true)" = /usr/bin/python3 ] || ! command -v python3 >/dev/null; then
      need+=($(missing python3 python3-jsonschema))
    else
      python3 -m pip install --quiet jsonschema 2>/dev/null || python3 -m pip install --quiet --break-system-packages jsonschema
    fi
  fi
else
  optional=($(missing chromium))
  python3 -c 'import jsonschema' 2>/dev/null || optional+=(python3-jsonschema)
  if ((${#optional[@]})); then
    echo "==> optional, not installed: ${optional[*]} (the render and SARIF schema tests skip without them; WITH_TEST_TOOLS=1 installs them)"
  fi
fi
if ((${#need[@]})); then install "${need[@]}"; fi
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
