// sw.js: the service worker. The app shell (page, styles, modules, icons) is cached at install
// and served from the cache at once (fast on a slow link, and the desk opens with no link at
// all), then refreshed from the network in the background. The API is never cached here: the
// outbox (IndexedDB) keeps what was captured offline, and the page caches the catalog itself.

const CACHE = "iki-shell-v1";
const SHELL = [
  "/", "/manifest.webmanifest",
  "/static/app.css", "/static/app.js", "/static/api.js", "/static/catalog.js", "/static/chart.js",
  "/static/dash.js", "/static/desk.js", "/static/dom.js", "/static/fmt.js", "/static/outbox.js",
  "/static/report.js", "/static/sheet.js", "/static/upload.js",
  "/static/icon.svg", "/static/icon-192.png", "/static/icon-512.png",
];

self.addEventListener("install", (ev) => {
  ev.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (ev) => {
  ev.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (ev) => {
  const req = ev.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  const key = req.mode === "navigate" || url.pathname === "/index.html" ? "/" : url.pathname;
  ev.respondWith(caches.open(CACHE).then(async (c) => {
    const hit = await c.match(key);
    const fresh = fetch(req).then((r) => {
      if (r.ok && r.type === "basic") c.put(key, r.clone());
      return r;
    });
    if (hit) {
      ev.waitUntil(fresh.catch(() => {}));
      return hit;
    }
    return fresh;
  }));
});
