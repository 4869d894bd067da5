#!/usr/bin/env bash
# Runs every check and test of the workspace: lints, doc examples, unit, integration and
# end-to-end tests. The last lines are the test runner's (cargo-nextest) summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
# The web app the browser tests install on a phone profile (served at /app/).
scripts/build-pwa.sh
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo test --workspace --doc --quiet
cargo nextest run --workspace --no-fail-fast
