#!/usr/bin/env bash
# Runs one of the benchmarks while `stress-ng --cpu 2` keeps both cores busy (a loaded
# machine: the figures issue 18 asks for "under load"), then stops the load.
#   scripts/bench-under-load.sh tests pushes    # cargo bench -p tests --bench pushes
# Installs stress-ng from Debian's packages when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
package="${1:?package (e.g. tests)}"
bench="${2:?bench (e.g. pushes)}"
if ! command -v stress-ng >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get install -y -qq --no-install-recommends stress-ng >/dev/null
fi
# Build first, unloaded: only the run is measured under load.
cargo bench -p "$package" --bench "$bench" --no-run
stress-ng --cpu 2 --quiet &
load=$!
trap 'kill "$load" 2>/dev/null || true; wait "$load" 2>/dev/null || true' EXIT
# Let the load reach both cores before the run starts.
sleep 5
echo "under load: stress-ng --cpu 2 (pid $load)"
cargo bench -p "$package" --bench "$bench"
