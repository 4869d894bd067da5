#!/usr/bin/env bash
# Runs every check and test of the workspace: lints, doc examples, unit, integration and
# end-to-end tests. The last lines are the test runner's (cargo-nextest) summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
# The server's database tests run on SQLite and on PostgreSQL: a private cluster for this
# run (loopback only, an unprivileged user), stopped and deleted however the run ends.
PG_DIR="$(mktemp -d /tmp/ventanilla-pg.XXXXXX)"
trap 'scripts/pg-cluster.sh stop "$PG_DIR"' EXIT
VENTANILLA_TEST_DATABASE_URL="$(scripts/pg-cluster.sh start "$PG_DIR")"
export VENTANILLA_TEST_DATABASE_URL
# The web app the browser tests install on a phone profile (served at /app/).
scripts/build-pwa.sh
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo test --workspace --doc --quiet
# The server's own tests once more on PostgreSQL, each test in a database of its own; then
# every test of the workspace (the server's on SQLite). The last lines are the summary of all.
pg_status=0
VENTANILLA_TEST_ENGINE=postgres cargo nextest run -p sync-server --no-fail-fast -E 'kind(test)' || pg_status=$?
cargo nextest run --workspace --no-fail-fast
if [ "$pg_status" -ne 0 ]; then
  echo "test.sh: the server's tests on PostgreSQL failed (see above)" >&2
  exit "$pg_status"
fi
