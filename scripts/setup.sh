#!/usr/bin/env bash
# Installs, idempotently, every Debian package that building and testing Ventanilla needs.
# Called by `scripts/run.sh` and `scripts/test.sh`; safe to run again (it installs only what is missing).
set -euo pipefail

PACKAGES=(
  # Compiling C parts of crates (bundled SQLite) and finding system libraries.
  build-essential pkg-config
  # scripts/run.sh waits for the server with it.
  curl ca-certificates
  # The desktop (WebKitGTK) build of the field app.
  libwebkit2gtk-4.1-dev libgtk-3-dev libxdo-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev libssl-dev
  # Running the desktop app without a display, readable screenshots.
  xvfb xauth fonts-dejavu-core
  # The browser tests: headless Chromium driven through WebDriver.
  chromium chromium-driver
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

install_rust_tools() {
  cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
  cargo nextest --version >/dev/null 2>&1 || cargo install --locked cargo-nextest
}

if [ "${#missing[@]}" -eq 0 ]; then
  install_rust_tools
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
install_rust_tools
