#!/usr/bin/env bash
# One command on a fresh Debian machine: installs what is missing, builds keyledger, builds the demo
# estate (git repositories with history + a config store, generated never-issued keys) and scans it.
#   scripts/setup.sh                     # install, build (release), demo scan
#   SKIP_DEMO=1 scripts/setup.sh         # install and build only
#   SKIP_BUILD=1 scripts/setup.sh        # install the system packages only
#   WITH_TEST_TOOLS=1 scripts/setup.sh   # also what three tests need (.ci/run sets KEYLEDGER_CI=1, which implies it)
#
# Needs: Debian or Ubuntu (apt-get) and Swift 6 (https://www.swift.org/install/linux/). Installing packages needs
# root: run it as root, or as a user with sudo; without either it names the packages to install and stops.
#   required:   libgit2-dev libvectorscan-dev libsqlite3-dev libarchive-dev pkg-config
#   test tools: chromium (the HTML report render test, scripts/render-report.sh), python3-jsonschema (the SARIF
#               schema test) and moto[server] from PyPI, an AWS API emulator the AWS validation tests sign requests
#               to (into its own venv, .build/moto-venv; .ci/run starts it). Optional outside CI: without them those
#               tests are skipped, and scripts/test.sh says so at the end; under KEYLEDGER_CI=1 a missing one fails.
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

# moto[server] (major version 5: its /moto-api/reset-auth and INITIAL_NO_AUTH_ACTION_COUNT are what the tests use)
# lives in a venv of its own, so neither the system Python nor a user site is touched.
MOTO_VENV=.build/moto-venv
moto_ready() { [ -x "$MOTO_VENV/bin/python" ] && "$MOTO_VENV/bin/python" -c 'import moto.server, flask, flask_cors' 2>/dev/null; }

command -v dpkg >/dev/null || { echo "setup: this script expects Debian or Ubuntu; the README lists the libraries keyledger needs" >&2; exit 2; }
need=($(missing libgit2-dev libvectorscan-dev libsqlite3-dev libarchive-dev pkg-config))
with_moto=0
if [ "${KEYLEDGER_CI:-0}" = "1" ] || [ "${WITH_TEST_TOOLS:-0}" = "1" ]; then
  need+=($(missing chromium))
  if ! moto_ready; then
    with_moto=1
    command -v python3 >/dev/null || need+=($(missing python3))
    # Debian's python3 makes venvs only with python3-venv.
    if [ "$(command -v python3 || echo /usr/bin/python3)" = /usr/bin/python3 ]; then need+=($(missing python3-venv)); fi
  fi
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
  moto_ready || optional+=("moto[server] (pip)")
  if ((${#optional[@]})); then
    echo "==> optional, not installed: ${optional[*]} (the render, SARIF schema and AWS emulator tests skip without them; WITH_TEST_TOOLS=1 installs them)"
  fi
fi
if ((${#need[@]})); then install "${need[@]}"; fi
if [ "$with_moto" = 1 ]; then
  echo "==> installing moto[server] into $MOTO_VENV"
  mkdir -p "$(dirname "$MOTO_VENV")"
  python3 -m venv "$MOTO_VENV"
  "$MOTO_VENV/bin/python" -m pip install --quiet --disable-pip-version-check 'moto[server]>=5,<6'
  moto_ready || { echo "setup: moto[server] did not install into $MOTO_VENV" >&2; exit 2; }
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
