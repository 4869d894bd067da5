#!/usr/bin/env bash
# Runs one benchmark several times (default 3), so that BENCHMARKS.md gives each figure as
# its range over the runs; each run prints the commit and the load average itself.
#   scripts/bench-runs.sh shared scoring        # cargo bench -p shared --bench scoring, 3 times
#   scripts/bench-runs.sh sync-server server 5
# The output of every run goes to target/bench-logs/<bench>-<n>.log as well.
set -euo pipefail
cd "$(dirname "$0")/.."
package="${1:?package (e.g. shared)}"
bench="${2:?bench (e.g. scoring)}"
runs="${3:-3}"
logs="${CARGO_TARGET_DIR:-target}/bench-logs"
mkdir -p "$logs"
cargo bench -p "$package" --bench "$bench" --no-run
for n in $(seq 1 "$runs"); do
  echo "== $package/$bench run $n of $runs"
  cargo bench -p "$package" --bench "$bench" 2>&1 | grep -v '^\s*\(Finished\|Running\|Compiling\)' | tee "$logs/$bench-$n.log"
done
