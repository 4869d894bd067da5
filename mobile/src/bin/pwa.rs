//! The web app's wasm module (built by `scripts/build-pwa.sh`): the page and its Worker
//! load the same module; [`mobile::pwa::start`] runs the part that belongs where it is.

#[cfg(target_arch = "wasm32")]
fn main() {
    mobile::pwa::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("Este programa es la app web: constrúyala con scripts/build-pwa.sh (wasm32).");
    std::process::exit(2);
}
