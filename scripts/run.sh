#!/usr/bin/env bash
# Runs Ventanilla on this machine: the sync-server on 127.0.0.1 with its embedded SQLite
# database (./data) and the demo program, and the field app pointed at it, in a window
# where there is a display, otherwise in the browser.
# Arguments are passed to the app (e.g. --web to use the browser even with a display).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

BIND="${VENTANILLA_BIND:-127.0.0.1:8080}"
export VENTANILLA_SERVER="http://${BIND}"
# One build of both binaries (one feature resolution), then run them directly.
cargo build --quiet -p sync-server -p mobile
BIN="${CARGO_TARGET_DIR:-target}/debug"
# The same app as an installable web app for phones, served by the server at /app/.
scripts/build-pwa.sh

"$BIN/sync-server" --bind "$BIND" --data-dir "${VENTANILLA_DATA_DIR:-data}" --demo --app-dir target/pwa/app &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT INT TERM

for _ in $(seq 1 60); do
  if curl -fsS "${VENTANILLA_SERVER}/api/v1/health" >/dev/null 2>&1; then
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "El servidor no arrancó (¿el puerto de ${BIND} está ocupado? Use VENTANILLA_BIND=127.0.0.1:OTRO)." >&2
    exit 1
  fi
  sleep 0.5
done
echo "Servidor listo en ${VENTANILLA_SERVER} (consola web: ${VENTANILLA_SERVER}/consola; app web para teléfonos: ${VENTANILLA_SERVER}/app/)"

"$BIN/mobile" "$@"
