// Unknot service worker: keeps the app shell, the log forms and the last seen pages for offline
// use. Pages: network first, falling back to the copy last seen. Assets: cache first (their names
// carry a content hash). The API is never cached: the sync client queues changes instead.
"use strict";
const VERSION = "__VERSION__";
const SHELL = __PRECACHE__;
const CACHE = "unknot-" + VERSION;

// One by one: a page that needs a login that is missing must not fail the whole install, and a
// page answered by a redirect (to the login page) is not kept under its own address.
async function keep(cache) {
  await Promise.all(SHELL.map(async (url) => {
    try {
      const res = await fetch(new Request(url, { credentials: "same-origin" }));
      if (res.ok && !res.redirected) { await cache.put(url, res); } else { await res.arrayBuffer(); }
    } catch (e) { /* kept next time */ }
  }));
}

// A signed-in page asks for the shell again, so the private pages are there offline.
self.addEventListener("message", (event) => {
  if (event.data === "warm") {
    event.waitUntil(caches.open(CACHE).then(keep));
  }
});

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await keep(cache);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith("unknot-") && key !== CACHE) { await caches.delete(key); }
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith((async () => {
      const hit = await caches.match(req);
      if (hit) { return hit; }
      const res = await fetch(req);
      if (res.ok) { (await caches.open(CACHE)).put(req, res.clone()); }
      return res;
    })());
    return;
  }
  if (req.mode === "navigate") {
    event.respondWith((async () => {
      try {
        const res = await fetch(req);
        if (res.ok && !res.redirected) { (await caches.open(CACHE)).put(req, res.clone()); }
        return res;
      } catch (e) {
        const cache = await caches.open(CACHE);
        const hit = (await cache.match(req, { ignoreSearch: false })) || (await cache.match(url.pathname)) || (await cache.match("/"));
        if (hit) { return hit; }
        return new Response("<!doctype html><html lang=en><meta charset=utf-8><title>Offline · Unknot</title><h1>You are offline</h1><p>This page has not been opened on this device yet. Your logged entries are kept and will be sent when you are back online.</p>", { headers: { "Content-Type": "text/html; charset=utf-8" } });
      }
    })());
  }
});
