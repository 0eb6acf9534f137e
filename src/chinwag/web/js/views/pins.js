// Pins and saved messages. The chat header's "Pinned" button opens the chat's pinned
// messages (the latest pinned first); the More menu's "Saved messages" opens mine, from every
// chat. Choosing one opens its chat at that message (history.js's openAt, as search does).
// Message actions pin/unpin (group admins, either person of a direct chat) and save/unsave.

import { api, explain } from "../api.js";
import { $, displayName, el, modal, show } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { plainSnippet } from "../richtext.js";
import { emit, state, subscribe } from "../store.js";
import { ensureUsers } from "../users.js";

const SAVED_PAGE = 50;
let savedItems = [];
let savedMore = false;
let savedLoadedFor = null;  // whose saved ids state.saved holds

/** May I pin in this chat? Group owners and admins; either person of a direct chat. */
export function canPin(chat) {
  return chat.kind === "direct" || chat.role === "owner" || chat.role === "admin";
}

export async function togglePin(message) {
  await api(message.pinned ? "DELETE" : "PUT", `/api/messages/${message.id}/pin`);
}

export async function toggleSaved(message) {
  const saved = state.saved.has(message.id);
  await api(saved ? "DELETE" : "PUT", `/api/messages/${message.id}/saved`);
  // the event tells every tab; this one needn't wait for it
  if (saved) state.saved.delete(message.id);
  else state.saved.add(message.id);
  emit("saved");
  emit("messages", message.chat_id);
}

function itemButton(message, { chatName, note, openAt, dialog }) {
  const author = displayName(state.users.get(message.sender_id));
  const text = message.text ? plainSnippet(message.text) : t("pins.attachmentsOnly");
  return el("li", { class: "p-0 list-unstyled" }, el("button", {
    class: "list-group-item list-group-item-action search-hit",
    attrs: { type: "button", "data-chat-id": message.chat_id, "data-seq": message.seq,
             "data-message-id": message.id },
    on: { click: () => { modal(dialog).hide(); openAt(message.chat_id, message.seq).catch(() => {}); } },
  },
  el("div", { class: "d-flex gap-2 small" },
    chatName ? el("span", { class: "fw-semibold text-truncate", text: chatName }) : null,
    el("span", { class: "text-body-secondary text-truncate flex-grow-1", text: author }),
    el("time", { class: "text-body-secondary text-nowrap", text: formatDateTime(new Date(message.created_at)),
                 attrs: { datetime: message.created_at } })),
  el("div", { class: "search-snippet small", text }),
  note ? el("div", { class: "small text-body-secondary", text: note }) : null));
}

let pins = [];
let pinsChatId = null;

function renderPins(openAt) {
  $("pins-list").replaceChildren(...pins.map((pin) => itemButton(pin.message, {
    openAt, dialog: "pins-dialog",
    note: t("pins.pinnedBy", { name: displayName(state.users.get(pin.pinned_by)) }),
  })));
  $("pins-status").textContent = pins.length ? "" : t("pins.none");
}

async function loadPins(openAt) {
  const chatId = pinsChatId;
  $("pins-status").textContent = t("pins.loading");
  try {
    const found = await api("GET", `/api/chats/${chatId}/pins`);
    if (chatId !== pinsChatId) return;
    pins = found;
    ensureUsers(found.flatMap((pin) => [pin.message.sender_id, pin.pinned_by]));
    renderPins(openAt);
  } catch (error) {
    $("pins-status").textContent = explain(error);
  }
}

function renderSaved(openAt) {
  $("saved-list").replaceChildren(...savedItems.map((item) => itemButton(item.message, {
    openAt, dialog: "saved-dialog",
    chatName: state.chats.get(item.message.chat_id)?.name || t("pins.someChat"),
  })));
  show($("saved-more"), savedMore);
  $("saved-status").textContent = savedItems.length ? "" : t("pins.savedNone");
}

async function loadSaved(openAt, { next = false } = {}) {
  const params = new URLSearchParams({ limit: String(SAVED_PAGE) });
  if (next && savedItems.length) params.set("before", String(savedItems[savedItems.length - 1].message.id));
  if (!next) $("saved-status").textContent = t("pins.loading");
  try {
    const page = await api("GET", `/api/users/me/saved?${params}`);
    savedItems = next ? [...savedItems, ...page] : page;
    savedMore = page.length === SAVED_PAGE;
    for (const item of page) state.saved.add(item.message.id);
    ensureUsers(page.map((item) => item.message.sender_id));
    renderSaved(openAt);
  } catch (error) {
    $("saved-status").textContent = explain(error);
  }
}

/** Which messages I saved, so their actions say "Remove from saved" (the first page: a
 * message saved long ago offers "Save" again, which changes nothing). */
async function loadSavedIds() {
  if (!state.me || savedLoadedFor === state.me.id) return;
  savedLoadedFor = state.me.id;
  try {
    const page = await api("GET", `/api/users/me/saved?limit=100`);
    for (const item of page) state.saved.add(item.message.id);
    if (page.length) emit("messages", state.activeChatId);
  } catch { savedLoadedFor = null; }
}

export function setupPins({ openAt }) {
  $("pins-button").addEventListener("click", () => {
    pinsChatId = state.activeChatId;
    pins = [];
    $("pins-list").replaceChildren();
    modal("pins-dialog").show();
    loadPins(openAt);
  });
  $("saved-button").addEventListener("click", () => {
    modal("saved-dialog").show();
    loadSaved(openAt);
  });
  $("saved-more").addEventListener("click", () => loadSaved(openAt, { next: true }));
  const isOpen = (id) => $(id).classList.contains("show");
  subscribe("pins", (chatId) => { if (isOpen("pins-dialog") && chatId === pinsChatId) loadPins(openAt); });
  subscribe("saved", () => { if (isOpen("saved-dialog")) loadSaved(openAt); });
  subscribe("users", () => {
    if (isOpen("pins-dialog")) renderPins(openAt);
    if (isOpen("saved-dialog")) renderSaved(openAt);
  });
  subscribe("active", () => loadSavedIds());
  subscribe("me", () => { if (!state.me) savedLoadedFor = null; else loadSavedIds(); });
}
