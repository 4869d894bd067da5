// The service worker of the field app: keeps one complete version of the app (page,
// scripts, wasm, icons) in a cache named after its build, and serves it first, so the app
// opens and works with no network for as long as the browser keeps it. A new version is
// fetched whole in the background and waits; it replaces the old one only when the person
// taps «Actualizar» (or every tab of the old one is closed). The app's data is not here:
// it lives in the app's store (OPFS), which no version change touches.
const BUILD = "__BUILD__";
const FILES = __FILES__;
const CACHE = "ventanilla-app-" + BUILD;
const SCOPE = new URL("./", self.location).pathname;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES.map((f) => new Request(f, { cache: "no-cache" })))));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith("ventanilla-app-") && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data === "actualizar") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || !url.pathname.startsWith(SCOPE)) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(request, { ignoreSearch: true }) || (request.mode === "navigate" ? await cache.match("./") : undefined);
    return hit || fetch(request);
  })());
});
