// The open chat: header (name, who's online), history with infinite scroll upwards, typing
// indicator, read pointer, and the composer.

import { api, explain } from "../api.js";
import { $, displayName, show } from "../dom.js";
import { send } from "../socket.js";
import {
  highestSeq, messagesOf, putChat, putMessages, setActive, state, subscribe,
} from "../store.js";
import { ensureUsers, loadMembers } from "../users.js";
import { setupComposer, startEdit } from "./composer.js";
import { confirmAction } from "./dialogs.js";
import { renderMessages } from "./messages.js";

const PAGE = 50;

const handlers = {
  edit: (message) => startEdit(message),
  remove: async (message) => {
    if (!(await confirmAction("Delete this message for everyone?", "Delete"))) return;
    try {
      await api("DELETE", `/api/messages/${message.id}`);
    } catch (error) {
      alertInPane(explain(error));
    }
  },
};

function alertInPane(text) {
  $("typing").textContent = text;
}

function activeChat() {
  return state.chats.get(state.activeChatId);
}

export function setupChat() {
  setupComposer();
  subscribe("active", () => onActive());
  subscribe("messages", (chatId) => {
    const chat = activeChat();
    if (!chat || chatId !== chat.id) return;
    renderMessages(chat, handlers);
    ensureUsers([...messagesOf(chat.id).values()].map((m) => m.sender_id));
    markRead();
  });
  const rerender = () => { const chat = activeChat(); if (chat) renderMessages(chat, handlers); };
  subscribe("users", rerender);
  subscribe("members", (chatId) => {
    if (chatId === state.activeChatId) { rerender(); renderHeader(); }
  });
  subscribe("members-stale", (chatId) => loadMembers(chatId).catch(() => {}));
  subscribe("presence", () => renderHeader());
  subscribe("chats", () => {
    if (state.activeChatId && !activeChat()) return setActive(null);
    renderHeader();
  });
  subscribe("typing", (chatId) => { if (chatId === state.activeChatId) renderTyping(); });
  $("messages").addEventListener("scroll", () => {
    if ($("messages").scrollTop < 80) loadOlder();
  });
  document.addEventListener("visibilitychange", () => markRead());
  $("back-button").addEventListener("click", () => { location.hash = "#/"; });
}

async function onActive() {
  const chat = activeChat();
  document.body.classList.toggle("chat-open", Boolean(chat));
  show($("chat-empty"), !chat);
  show($("chat-open"), Boolean(chat));
  $("typing").textContent = "";
  if (!chat) return;
  renderHeader();
  renderMessages(chat, handlers, { toEnd: true });
  $("composer-text").focus();
  try {
    await Promise.all([loadMembers(chat.id), loadLatest(chat.id)]);
  } catch (error) {
    alertInPane(explain(error));
  }
}

async function loadLatest(chatId) {
  const known = state.history.get(chatId);
  if (known?.loaded) {
    // held already: only what arrived while it wasn't open (the socket keeps it current)
    const chat = state.chats.get(chatId);
    if (chat && chat.last_seq > highestSeq(chatId)) {
      const page = await api("GET", `/api/chats/${chatId}/messages?after=${highestSeq(chatId)}&limit=100`);
      putMessages(chatId, page);
    }
    markRead();
    return;
  }
  const page = await api("GET", `/api/chats/${chatId}/messages?limit=${PAGE}`);
  state.history.set(chatId, { loaded: true, exhausted: page.length < PAGE || page[0]?.seq <= 1 });
  putMessages(chatId, page);
  const chat = activeChat();
  if (chat && chat.id === chatId) renderMessages(chat, handlers, { toEnd: true });
}

async function loadOlder() {
  const chat = activeChat();
  const history = chat && state.history.get(chat.id);
  if (!history || !history.loaded || history.exhausted || history.loading) return;
  const seqs = [...messagesOf(chat.id).keys()];
  if (!seqs.length) return;
  history.loading = true;
  try {
    const oldest = Math.min(...seqs);
    const page = await api("GET", `/api/chats/${chat.id}/messages?before=${oldest}&limit=${PAGE}`);
    history.exhausted = page.length < PAGE || page[0]?.seq <= 1;
    for (const message of page) messagesOf(chat.id).set(message.seq, message);
    ensureUsers(page.map((m) => m.sender_id));
    if (state.activeChatId === chat.id) renderMessages(chat, handlers, { prepended: true });
  } catch (error) {
    alertInPane(explain(error));
  } finally {
    history.loading = false;
  }
}

/** Move my read pointer to the newest message of the open chat while I'm looking at it. */
function markRead() {
  const chat = activeChat();
  if (!chat || document.hidden) return;
  const seq = highestSeq(chat.id);
  if (seq <= (chat.last_read_seq || 0) && !chat.unread) return;
  putChat({ id: chat.id, last_read_seq: Math.max(seq, chat.last_read_seq || 0), unread: 0 });
  if (!send({ type: "read", chat_id: chat.id, seq })) {
    api("POST", `/api/chats/${chat.id}/read`, { seq }).catch(() => {});
  }
}

function renderHeader() {
  const chat = activeChat();
  if (!chat) return;
  $("chat-title").textContent = chat.name;
  const members = state.members.get(chat.id);
  let subtitle;
  if (chat.kind === "direct") {
    subtitle = chat.peer && state.online.has(chat.peer.id) ? "online" : "offline";
  } else {
    const online = members ? [...members.keys()].filter((id) => id === state.me.id || state.online.has(id)).length : 0;
    const count = chat.member_count;
    subtitle = `${count} member${count === 1 ? "" : "s"}` + (members ? `, ${online} online` : "");
    if (chat.description) subtitle += ` · ${chat.description}`;
  }
  $("chat-subtitle").textContent = subtitle;
  show($("group-button"), chat.kind === "group");
}

function renderTyping() {
  const typing = state.typing.get(state.activeChatId);
  const now = Date.now();
  const names = [];
  for (const [userId, until] of typing || []) {
    if (until > now) names.push(displayName(state.users.get(userId)));
    else typing.delete(userId);
  }
  ensureUsers([...(typing?.keys() || [])]);
  let text = "";
  if (names.length === 1) text = `${names[0]} is typing…`;
  else if (names.length === 2) text = `${names[0]} and ${names[1]} are typing…`;
  else if (names.length > 2) text = "Several people are typing…";
  $("typing").textContent = text;
}

export function activateChat(chatId) {
  if (chatId !== null && !state.chats.has(chatId)) chatId = null;
  if (state.activeChatId !== chatId) setActive(chatId);
}
