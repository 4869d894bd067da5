#!/usr/bin/env bash
# The server benchmark's PostgreSQL part (ingest against plain inserts, two servers on one
# database) on a private, durable PostgreSQL cluster (fsync and synchronous commit on, as in
# production), started for the run and removed after it:
#   scripts/bench-postgres.sh          # once
#   scripts/bench-postgres.sh 3        # three runs (BENCHMARKS.md gives ranges)
#   scripts/bench-postgres.sh 1 big    # the 1,000,000-survey part on both engines (copy-to-postgres timed)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-1}"
part="${2:-postgres}"
scripts/setup.sh --tests
dir="$(mktemp -d /tmp/ventanilla-bench-pg.XXXXXX)"
trap 'scripts/pg-cluster.sh stop "$dir"' EXIT
VENTANILLA_BENCH_DATABASE_URL="$(PG_DURABLE=1 scripts/pg-cluster.sh start "$dir")"
export VENTANILLA_BENCH_DATABASE_URL
cargo bench -p sync-server --bench server --no-run
for n in $(seq 1 "$runs"); do
  echo "== PostgreSQL run $n of $runs"
  VENTANILLA_BENCH="$part" cargo bench -p sync-server --bench server 2>&1 | grep -v '^\s*\(Finished\|Running\|Compiling\)'
done
