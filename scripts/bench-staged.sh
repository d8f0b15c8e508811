#!/usr/bin/env bash
# bench-staged.sh — how long the pre-commit hook makes a developer wait: wall time of `keyledger scan --staged`
# (process start included) for a typical commit of a few staged files, median of repeated runs.
#
# Usage: scripts/bench-staged.sh [--runs N] [--keyledger PATH] [--files N] [--tree-files N]
#   --runs N          timed runs per case (default 20), after 3 warm-up runs
#   --keyledger PATH  the binary (default: .build/release/keyledger, built with `swift build -c release` if missing)
#   --files N         staged files in the commit (default 3: two edits and a new file)
#   --tree-files N    files already committed in the repository (default 2000)
#
# Cases, each in a fresh repository built with the git CLI in a temporary folder (keyledger itself never runs git):
#   staged, cached database     the normal case: the compiled Vectorscan database is loaded from the cache
#   staged, no cache            KEYLEDGER_NO_CACHE=1: every run compiles the rules (the first run after an upgrade)
#   staged, a key in the commit exit 1 and the message (a generated, never-issued key)
#   explicit files              `keyledger scan FILE…`, as pre-commit's pass_filenames calls it
# Uses hyperfine when installed (apt-get install hyperfine), else a bash loop; prints a Markdown table.

set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
RUNS=20
FILES=3
TREE_FILES=2000
KEYLEDGER=""

die() { printf 'bench-staged.sh: error: %s\n' "$*" >&2; exit 1; }
log() { printf 'bench-staged.sh: %s\n' "$*" >&2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) RUNS=${2:?--runs needs a number}; shift 2 ;;
    --keyledger) KEYLEDGER=${2:?--keyledger needs a path}; shift 2 ;;
    --files) FILES=${2:?--files needs a number}; shift 2 ;;
    --tree-files) TREE_FILES=${2:?--tree-files needs a number}; shift 2 ;;
    -h|--help) sed -n '/^# Usage:/,/^# Uses/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[[ "$FILES" -ge 1 ]] || die "--files must be at least 1"
command -v git >/dev/null || die "git is needed to build the benchmark repository"

if [[ -z "$KEYLEDGER" ]]; then
  KEYLEDGER="$ROOT/.build/release/keyledger"
  if [[ ! -x "$KEYLEDGER" ]]; then
    log "building keyledger (release)"
    (cd "$ROOT" && swift build -c release --product keyledger >&2)
  fi
fi
[[ -x "$KEYLEDGER" ]] || die "no keyledger binary at $KEYLEDGER"
KEYLEDGER=$(cd "$(dirname "$KEYLEDGER")" && pwd)/$(basename "$KEYLEDGER")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/keyledger-bench-staged.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export KEYLEDGER_CACHE_DIR="$WORK/cache"

# A generated, never-issued Anthropic-format key: right prefix, length and alphabet, random body.
fake_key() {
  local body
  body=$(head -c 400 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=' | cut -c1-93)
  printf 'sk-ant-api03-%sAA' "$body"
}

# make_repo DIR: TREE_FILES committed source files, then FILES staged changes (FILES-1 edits and one new file).
make_repo() {
  local dir=$1 i
  git init -q -b main "$dir"
  git -C "$dir" config gc.auto 0   # no background repack while timing
  for ((i = 0; i < TREE_FILES; i++)); do
    local sub="$dir/src/module$((i % 40))"
    mkdir -p "$sub"
    { printf '// file %d\n' "$i"; for _ in {1..60}; do printf 'let value%d = compute(%d) // some ordinary code\n' "$i" "$i"; done; } > "$sub/file$i.swift"
  done
  git -C "$dir" add -A
  git -C "$dir" -c user.name=bench -c user.email=bench@example.invalid commit -q -m "tree"
  for ((i = 0; i < FILES - 1; i++)); do
    printf 'let added%d = "a harmless edit"\n' "$i" >> "$dir/src/module$((i % 40))/file$i.swift"
  done
  { printf 'import Foundation\n'; for i in {1..80}; do printf 'func helper%d() -> Int { %d }\n' "$i" "$i"; done; } > "$dir/src/New.swift"
  git -C "$dir" add -A
}

# measure NAME EXPECTED_EXIT DIR COMMAND…: prints "NAME|median|min|max" in milliseconds.
measure() {
  local name=$1 expected=$2 dir=$3; shift 3
  local status=0
  (cd "$dir" && "$@" >/dev/null 2>&1) || status=$?
  [[ "$status" == "$expected" ]] || die "$name: exit $status, expected $expected"
  if command -v hyperfine >/dev/null; then
    local json="$WORK/$RANDOM.json" quoted
    printf -v quoted '%q ' "$@"
    (cd "$dir" && hyperfine --style none --warmup 3 --runs "$RUNS" -i -N --export-json "$json" "$quoted" >"$WORK/hyperfine.log" 2>&1) || { cat "$WORK/hyperfine.log" >&2; die "$name: hyperfine failed"; }
    python3 - "$json" "$name" <<'EOF'
import json, sys, statistics
times = json.load(open(sys.argv[1]))["results"][0]["times"]
ms = [t * 1000 for t in times]
print(f"{sys.argv[2]}|{statistics.median(ms):.0f}|{min(ms):.0f}|{max(ms):.0f}")
EOF
  else
    local samples=() i start end
    for i in 1 2 3; do (cd "$dir" && "$@" >/dev/null 2>&1) || true; done
    for ((i = 0; i < RUNS; i++)); do
      start=$(date +%s%N)
      (cd "$dir" && "$@" >/dev/null 2>&1) || true
      end=$(date +%s%N)
      samples+=($(((end - start) / 1000000)))
    done
    printf '%s\n' "${samples[@]}" | sort -n | awk -v name="$name" '{ a[NR] = $1 } END {
      m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%s|%d|%d|%d\n", name, m, a[1], a[NR] }'
  fi
}

log "building a repository of $TREE_FILES files with $FILES staged changes in $WORK"
make_repo "$WORK/clean"
make_repo "$WORK/leak"
printf 'ANTHROPIC_API_KEY=%s\n' "$(fake_key)" > "$WORK/leak/.env.local"
git -C "$WORK/leak" add .env.local
mapfile -t STAGED < <(git -C "$WORK/clean" diff --cached --name-only)

rows=()
rows+=("$(measure "scan --staged, cached database" 0 "$WORK/clean" "$KEYLEDGER" scan --staged)")
rows+=("$(measure "scan --staged, no cache (compiles the rules)" 0 "$WORK/clean" env KEYLEDGER_NO_CACHE=1 "$KEYLEDGER" scan --staged)")
rows+=("$(measure "scan --staged, a key in the commit (exit 1)" 1 "$WORK/leak" "$KEYLEDGER" scan --staged)")
rows+=("$(measure "scan FILE… (the ${#STAGED[@]} staged files)" 0 "$WORK/clean" "$KEYLEDGER" scan "${STAGED[@]}")")

printf '\n%s staged files in a repository of %s files; %s runs each after 3 warm-ups; %s; %s CPUs\n\n' \
  "$FILES" "$TREE_FILES" "$RUNS" "$(command -v hyperfine >/dev/null && echo hyperfine || echo 'bash loop')" "$(nproc 2>/dev/null || echo '?')"
printf '| case | median ms | min ms | max ms |\n|---|---:|---:|---:|\n'
for row in "${rows[@]}"; do
  IFS='|' read -r name median min max <<<"$row"
  printf '| %s | %s | %s | %s |\n' "$name" "$median" "$min" "$max"
done
