#!/usr/bin/env bash
# Builds the field app as an installable offline web app into target/pwa/app (always in the
# repository's target/, whatever CARGO_TARGET_DIR says, as the tests look there), which the
# sync-server serves at /app/ (--app-dir). Same Dioxus code as the desktop app, compiled to
# wasm32-unknown-unknown and bound with wasm-bindgen (no dx). Needs scripts/setup.sh (the
# wasm32 target, clang for SQLite's C, wasm-bindgen-cli at the version of Cargo.lock).
#   PWA_PROFILE=dev scripts/build-pwa.sh   # a quicker, larger debug build
set -euo pipefail
cd "$(dirname "$0")/.."

profile="${PWA_PROFILE:-pwa}"
bindgen="target/tools/wasm-bindgen/bin/wasm-bindgen"
want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)"
if [ ! -x "$bindgen" ] || [ "$("$bindgen" --version | awk '{print $2}')" != "$want" ]; then
  echo "wasm-bindgen $want is missing: run scripts/setup.sh" >&2
  exit 1
fi

cargo build --target wasm32-unknown-unknown -p mobile --no-default-features --features pwa --bin pwa --profile "$profile"
dir="$profile"; [ "$profile" = dev ] && dir=debug

out=target/pwa/app
next="$out.next"
rm -rf "$next"
mkdir -p "$next"
"$bindgen" --target web --no-typescript --out-dir "$next" --out-name ventanilla "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/$dir/pwa.wasm"
cp mobile/pwa/index.html mobile/pwa/boot.js mobile/pwa/worker.js mobile/pwa/manifest.webmanifest mobile/pwa/icon-*.png "$next/"

# The service worker names its cache after the build and lists every file it keeps.
files="$(cd "$next" && find . -type f ! -name sw.js | sed 's|^\./||' | LC_ALL=C sort)"
build="$(cd "$next" && echo "$files" | xargs cat | sha256sum | cut -c1-16)"
list="$(echo "$files" | awk 'BEGIN { printf "[\"./\"" } { printf ", \"%s\"", $0 } END { printf "]" }')"
sed -e "s|__BUILD__|$build|" -e "s|__FILES__|$list|" mobile/pwa/sw.js > "$next/sw.js"
echo "$build" > "$next/build.txt"

rm -rf "$out"
mv "$next" "$out"
wasm="$out/ventanilla_bg.wasm"
echo "App web en $out (versión $build): wasm $(du -k "$wasm" | cut -f1) KiB, $(gzip -9 -c "$wasm" | wc -c | awk '{printf "%d", $1/1024}') KiB comprimido."
