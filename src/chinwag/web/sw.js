// The service worker (served at /sw.js so that its scope is the whole app). The server puts
// `SHELL` (every file of the client) and `VERSION` (a hash of them) above this text.
//
// - The app shell is cached on install and answered network first, so a new release is used
//   as soon as the server is reachable and the cached one when it isn't. The API is never
//   cached here: the client keeps its own read-only copy of the last loaded chats
//   (js/offline.js), which is per person and is wiped on sign-out.
// - A push (a direct message or a mention while no tab had a socket open) becomes a
//   notification; clicking it focuses a chinwag tab on that chat, or opens one.

/* global SHELL, VERSION */
const CACHE = `chinwag-shell-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("chinwag-shell-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function isShell(url) {
  return url.origin === self.location.origin
    && (url.pathname === "/" || url.pathname.startsWith("/static/") || url.pathname === "/manifest.webmanifest");
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || !isShell(url)) return;  // the API and sockets: the network
  event.respondWith((async () => {
    try {
      return await fetch(request);
    } catch (offline) {
      const cache = await caches.open(CACHE);
      // the page is cached under "/" whatever its #route
      const cached = await cache.match(request.mode === "navigate" ? "/" : request, { ignoreSearch: true });
      if (cached) return cached;
      throw offline;
    }
  })());
});

function notificationOf(push) {
  const title = push.chat_kind === "group" ? `${push.sender.display_name} · ${push.chat_name}` : push.chat_name;
  return {
    title,
    options: {
      body: push.text,
      tag: `chat-${push.chat_id}`,  // a newer push of the same chat replaces the older one
      icon: "/static/app/icons/icon-192.png",
      data: { chat_id: push.chat_id, url: push.url },
    },
  };
}

self.addEventListener("push", (event) => {
  let push;
  try {
    push = event.data.json();
  } catch {
    return;  // not ours
  }
  if (push.type !== "message") return;
  const { title, options } = notificationOf(push);
  event.waitUntil(self.registration.showNotification(title, options));
});

async function openChat(data) {
  const url = new URL(data.url, self.location.origin).href;
  const tabs = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const tab = tabs.find((client) => new URL(client.url).origin === self.location.origin);
  if (tab) {
    // the chat first: focusing may be refused (no user activation), the chat opens anyway
    tab.postMessage({ type: "open-chat", chat_id: data.chat_id });
    return tab.focus().catch(() => tab);
  }
  return self.clients.openWindow(url);
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(openChat(event.notification.data || {}));
});
