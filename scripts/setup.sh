#!/usr/bin/env bash
# Installs, idempotently, every Debian package that building and testing Ventanilla needs.
# Called by `scripts/run.sh` and `scripts/test.sh`; safe to run again (it installs only what is missing).
# With `--tests` it also installs what only the tests use: Schemathesis and pyxform, pinned,
# in a virtualenv under target/tools (the API contract test, the XLSForm corpus), and
# axe-core, pinned, from the npm registry (the browser tests' accessibility checks).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  # Compiling C parts of crates (bundled SQLite) and finding system libraries.
  build-essential pkg-config
  # SQLite's C compiled to wasm32 for the web app (scripts/build-pwa.sh).
  clang
  # scripts/run.sh waits for the server with it.
  curl ca-certificates
  # The desktop (WebKitGTK) build of the field app.
  libwebkit2gtk-4.1-dev libgtk-3-dev libxdo-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev libssl-dev
  # Running the desktop app without a display, readable screenshots.
  xvfb xauth fonts-dejavu-core
  # The browser tests: headless Chromium driven through WebDriver.
  chromium chromium-driver
  # Printed reports (PDF from headless Chromium) turned into pictures to look at.
  poppler-utils
  # The API contract test runs Schemathesis (Python) from a virtualenv.
  python3 python3-venv
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The browser tests' accessibility checks install axe-core with npm: Debian's, unless the
# machine has a Node.js of its own.
if [ "${1:-}" = "--tests" ] && ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
# The server's tests also run on PostgreSQL, in a private cluster (scripts/pg-cluster.sh).
if [ "${1:-}" = "--tests" ]; then
  dpkg-query -W -f='${Status}' postgresql 2>/dev/null | grep -q "install ok installed" || missing+=(postgresql)
fi

SCHEMATHESIS_VERSION=4.32.5
PYXFORM_VERSION=4.5.0
VENV=target/tools/venv
AXE_VERSION=4.14.1
AXE=target/tools/axe

install_tools() {
  # PostgreSQL refuses to run as root: the tests' private cluster runs as this user.
  if [ "${1:-}" = "--tests" ] && [ "$(id -u)" -eq 0 ] && ! id ventanilla-pg >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin ventanilla-pg
  fi
  cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
  cargo nextest --version >/dev/null 2>&1 || cargo install --locked cargo-nextest
  # The web app (scripts/build-pwa.sh): the wasm32 target and wasm-bindgen's command, at
  # exactly the version of the wasm-bindgen crate in Cargo.lock.
  rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
  local wb
  wb="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)"
  if [ "$(target/tools/wasm-bindgen/bin/wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb" ]; then
    echo "setup: installing wasm-bindgen-cli $wb in target/tools/wasm-bindgen (about two minutes, once)" >&2
    # Light optimisation, no LTO: the tool builds in under 2 minutes instead of 7 on two
    # cores and writes byte-identical output (0.9 s instead of 0.8 s for the app's wasm).
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_DEBUG=false \
      cargo install --quiet --force wasm-bindgen-cli --version "$wb" --root target/tools/wasm-bindgen
  fi
  if [ "${1:-}" = "--tests" ] && ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    echo "setup: installing schemathesis $SCHEMATHESIS_VERSION in $VENV" >&2
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  if [ "${1:-}" = "--tests" ] && ! "$VENV/bin/python" -c "import pyxform, sys; sys.exit(pyxform.__version__ != '$PYXFORM_VERSION')" 2>/dev/null; then
    echo "setup: installing pyxform $PYXFORM_VERSION in $VENV" >&2
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "pyxform==$PYXFORM_VERSION"
  fi
  if [ "${1:-}" = "--tests" ] && ! grep -q "\"version\": \"$AXE_VERSION\"" "$AXE/node_modules/axe-core/package.json" 2>/dev/null; then
    echo "setup: installing axe-core $AXE_VERSION in $AXE" >&2
    mkdir -p "$AXE"
    npm install --silent --no-audit --no-fund --prefix "$AXE" "axe-core@$AXE_VERSION" >/dev/null
  fi
}

if [ "${#missing[@]}" -eq 0 ]; then
  install_tools "$@"
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done" >&2
install_tools "$@"
