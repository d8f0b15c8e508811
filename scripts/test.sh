#!/usr/bin/env bash
# Runs the whole test suite (unit, integration and CLI tests). Needs the system libraries from scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
# XCTest only: the suite has no swift-testing tests, and its empty summary would be the last line printed.
swift test --skip-build --disable-swift-testing "$@"
