#!/usr/bin/env bash
# Runs the whole test suite (unit, integration and CLI tests). Needs the system libraries from scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build "$@"
