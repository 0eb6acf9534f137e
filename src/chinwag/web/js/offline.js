// Offline: the service worker (/sw.js) keeps the app shell; this module keeps a read-only
// copy of the last loaded chats and messages in IndexedDB, and shows it when the server
// can't be reached (the composer then disabled, with a note). The copy is the signed-in
// person's only: it is replaced at each change and wiped on sign-out.

import { $, show } from "./dom.js";
import { t } from "./i18n.js";
import { highestSeq, messagesOf, putChat, putMessages, state, subscribe } from "./store.js";

const DB = "chinwag-offline";
const STORE = "snapshot";
const KEPT_PER_CHAT = 50;  // the newest messages of each chat
const SAVE_AFTER_MS = 500;  // changes come in bursts (ready, a history page): save once

let saveTimer = null;
let readOnly = false;

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, work) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request?.result);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

function snapshot() {
  const chats = [...state.chats.values()].filter((chat) => chat.role);
  const messages = {};
  for (const chat of chats) {
    const held = [...messagesOf(chat.id).values()].sort((a, b) => a.seq - b.seq);
    if (held.length) messages[chat.id] = held.slice(-KEPT_PER_CHAT);
  }
  return { me: state.me, chats, messages, saved_at: Date.now() };
}

async function save() {
  saveTimer = null;
  if (!state.me || readOnly) return;
  await run("readwrite", (store) => store.put(snapshot(), "last"));
  document.body.dataset.offlineSaved = String(Date.now());  // tests wait on it
}

function saveSoon() {
  if (!saveTimer && !readOnly) saveTimer = setTimeout(() => save().catch(() => {}), SAVE_AFTER_MS);
}

/** Keep the copy current while signed in. */
export function keepOfflineCopy() {
  if (!("indexedDB" in window)) return;
  subscribe("chats", saveSoon);
  subscribe("messages", saveSoon);
}

/** Sign-out: nothing of this person stays behind. */
export async function forgetOfflineCopy() {
  clearTimeout(saveTimer);
  saveTimer = null;
  if ("indexedDB" in window) await run("readwrite", (store) => store.clear()).catch(() => {});
}

/** The server is out of reach at start-up: fill the store from the copy (read-only).
 * Answers false when there is no copy. */
export async function restoreOfflineCopy() {
  if (!("indexedDB" in window)) return false;
  const copy = await run("readonly", (store) => store.get("last")).catch(() => null);
  if (!copy?.me) return false;
  readOnly = true;
  state.me = copy.me;
  for (const chat of copy.chats) {
    const held = copy.messages[chat.id] || [];
    putMessages(chat.id, held);
    // what is held is all there is until the server is back: never ask it for more
    state.history.set(chat.id, { loaded: true, live: true, exhausted: true });
    putChat({ ...chat, last_seq: highestSeq(chat.id) });
  }
  setReadOnly(true);
  // back online: start again for real (sign-in by cookie, the socket, fresh history)
  window.addEventListener("online", () => location.reload(), { once: true });
  return true;
}

function setReadOnly(offline) {
  const composer = $("composer");
  $("composer-text").disabled = offline;
  composer.querySelector(".composer-row").inert = offline;
  show($("offline-note"), offline);
  $("offline-note").textContent = readOnly ? t("offline.readOnly") : t("offline.lost");
  document.body.dataset.offline = String(offline);
}

/** While running: the composer follows the browser's idea of the network. */
export function watchNetwork() {
  window.addEventListener("offline", () => setReadOnly(true));
  window.addEventListener("online", () => { if (!readOnly) setReadOnly(false); });
  if (!navigator.onLine) setReadOnly(true);
}

/** The service worker: the app shell for offline starts, and pushes. */
export async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return null;
  try {
    return await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  } catch {
    return null;  // not a secure context (plain http off localhost): no worker, no push
  }
}
