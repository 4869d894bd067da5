// Starts the field app in the page: the service worker that keeps it available offline,
// persistent storage, then the wasm module (which starts the app's Worker itself).
import init from "./ventanilla.js";

const show = (id) => { const e = document.getElementById(id); if (e) e.hidden = false; };

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("./sw.js").then((reg) => {
    // A new version installs in the background and waits: the open app keeps running the
    // version it started with, offline too, until the person chooses to update.
    const offer = () => { if (reg.waiting && navigator.serviceWorker.controller) show("version-nueva"); };
    offer();
    reg.addEventListener("updatefound", () => {
      const next = reg.installing;
      if (next) next.addEventListener("statechange", () => { if (next.state === "installed") offer(); });
    });
    document.getElementById("actualizar").addEventListener("click", () => {
      if (reg.waiting) reg.waiting.postMessage("actualizar");
    });
  }).catch(() => {});
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (!reloading) { reloading = true; location.reload(); }
  });
}

// Ask the browser to keep the app's data even when space runs short; say so if refused.
if (navigator.storage && navigator.storage.persist) {
  navigator.storage.persisted()
    .then((already) => already || navigator.storage.persist())
    .then((granted) => {
      document.documentElement.dataset.almacenamiento = granted ? "persistente" : "no-garantizado";
      if (!granted) show("almacenamiento");
    })
    .catch(() => {});
}

init({ module_or_path: "./ventanilla_bg.wasm" });
