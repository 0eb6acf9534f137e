// The open chat: header (name, who's online), the messages and what their actions do, typing
// indicator, read pointer ("Mark unread" pauses it until the chat is opened again), and the
// composer. Paging and jumping to one message live in history.js.

import { api, explain } from "../api.js";
import { $, displayName, show } from "../dom.js";
import { refreshChat } from "../events.js";
import { plural, t } from "../i18n.js";
import { send } from "../socket.js";
import {
  highestSeq, isWindowed, messagesOf, putChat, setActive, state, subscribe,
} from "../store.js";
import { ensureUsers, loadMembers } from "../users.js";
import { openCard } from "./card.js";
import { setupComposer, startEdit, startReply } from "./composer.js";
import { confirmAction } from "./dialogs.js";
import { openEdits, setupEdits } from "./edits.js";
import { jumpToQuoted, loadLatest, loadNewer, loadOlder, setupHistory, showLatest } from "./history.js";
import { marks, renderMessages, setupMessageKeys } from "./messages.js";
import { togglePin, toggleSaved } from "./pins.js";
import { openPicker, toggleReaction } from "./reactions.js";
import { openReport, setupReport } from "./report.js";

const handlers = {
  edit: (message) => startEdit(message),
  reply: (message) => startReply(message),
  react: (message, anchor) => openPicker(anchor, (emoji) => toggleReaction(message, emoji)),
  toggleReaction: (message, emoji) => toggleReaction(message, emoji),
  markUnread: (message) => markUnread(message),
  jumpTo: (quoted) => jumpToQuoted(quoted),
  report: (message) => openReport(message),
  edits: (message) => openEdits(message),
  pin: (message) => togglePin(message).catch((error) => alertInPane(explain(error))),
  save: (message) => toggleSaved(message).catch((error) => alertInPane(explain(error))),
  remove: async (message) => {
    if (!(await confirmAction(t("messages.confirmDelete"), t("actions.delete")))) return;
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

let toEndNext = false;  // my own send: the next render shows it, wherever the reader was

function render(options = {}) {
  const chat = activeChat();
  if (!chat) return;
  renderMessages(chat, handlers, toEndNext ? { ...options, toEnd: true } : options);
  toEndNext = false;
  updateJump();
}

/** "Latest" shows while the reader is more than half a screen above the newest messages (or
 * holds an older window of them, opened at a search hit). */
function updateJump() {
  const list = $("messages");
  const chat = activeChat();
  const below = list.scrollHeight - list.scrollTop - list.clientHeight;
  show($("jump-latest"), Boolean(chat) && (below > list.clientHeight / 2 || isWindowed(chat.id)));
}

async function jumpToLatest() {
  const chat = activeChat();
  if (!chat) return;
  $("composer-text").focus();  // the button goes away: the focus goes on to where one writes
  if (isWindowed(chat.id)) await showLatest(chat.id);
  render({ toEnd: true });
}

export function setupChat() {
  setupHistory({ render, alert: alertInPane, markRead });
  setupComposer({ onBeforeSend });
  setupMessageKeys();
  setupReport({ sent: alertInPane });
  setupEdits();
  subscribe("active", () => onActive());
  subscribe("messages", (chatId) => {
    const chat = activeChat();
    if (!chat || chatId !== chat.id) return;
    render();
    ensureUsers([...messagesOf(chat.id).values()].flatMap((m) => [m.sender_id, m.reply_to?.sender_id]));
    markRead();
  });
  subscribe("users", () => { render(); renderHeader(); });
  subscribe("me", () => render());
  subscribe("members", (chatId) => {
    if (chatId === state.activeChatId) { render(); renderHeader(); }
  });
  subscribe("members-stale", (chatId) => loadMembers(chatId).catch(() => {}));
  subscribe("presence", () => renderHeader());
  subscribe("language", () => { render(); renderHeader(); renderTyping(); });
  // a direct chat's title is its person: clicking it (or the card button) opens their card
  const peerCard = () => {
    const chat = activeChat();
    if (chat?.kind === "direct" && chat.peer) openCard(chat.peer.id);
  };
  $("chat-title").addEventListener("click", peerCard);
  $("peer-button").addEventListener("click", peerCard);
  subscribe("chats", () => {
    if (state.activeChatId && !activeChat()) return setActive(null);
    renderHeader();
  });
  subscribe("typing", (chatId) => { if (chatId === state.activeChatId) renderTyping(); });
  $("messages").addEventListener("scroll", onScroll);
  document.addEventListener("visibilitychange", () => markRead());
  $("back-button").addEventListener("click", () => { location.hash = "#/"; });
  $("jump-latest").addEventListener("click", () => jumpToLatest());
}

/** Sending reads the chat again (after "Mark unread"), and shows the newest messages with the
 * one being sent, even when the reader had scrolled up. */
function onBeforeSend(chatId) {
  if (state.readPaused === chatId) state.readPaused = null;
  toEndNext = true;
  return isWindowed(chatId) ? showLatest(chatId) : null;
}

function onScroll() {
  const list = $("messages");
  updateJump();
  if (list.scrollTop < 80) loadOlder();
  if (list.scrollHeight - list.scrollTop - list.clientHeight < 80) loadNewer();
}

async function onActive() {
  const chat = activeChat();
  document.body.classList.toggle("chat-open", Boolean(chat));
  show($("chat-empty"), !chat);
  show($("chat-open"), Boolean(chat));
  $("typing").textContent = "";
  marks.highlightSeq = null;
  // where "New messages" begins, as it was when the chat was opened
  marks.unreadFrom = chat && chat.unread ? chat.last_read_seq || 0 : null;
  if (!chat) return;
  if (chat.peer) ensureUsers([chat.peer.id]);  // their bio, for the header
  renderHeader();
  render({ toEnd: true });
  $("composer-text").focus();
  try {
    await Promise.all([loadMembers(chat.id), loadLatest(chat.id)]);
  } catch (error) {
    alertInPane(explain(error));
  }
}

/** "Mark unread" on a message: it and the later ones count again, and the open chat stops
 * reading itself until it is opened again (or I send in it). */
async function markUnread(message) {
  const chat = activeChat();
  if (!chat) return;
  try {
    await api("POST", `/api/chats/${chat.id}/unread`, { seq: message.seq });
  } catch (error) {
    return alertInPane(explain(error));
  }
  state.readPaused = chat.id;
  marks.unreadFrom = message.seq - 1;
  putChat({ id: chat.id, last_read_seq: message.seq - 1 });
  await refreshChat(chat.id);  // the server's unread and mention counts
  render();
}

/** Move my read pointer to the newest message of the open chat while I'm looking at it. */
function markRead() {
  const chat = activeChat();
  if (!chat || document.hidden || state.readPaused === chat.id || isWindowed(chat.id)) return;
  const seq = highestSeq(chat.id);
  if (seq <= (chat.last_read_seq || 0) && !chat.unread && !chat.unread_mentions) return;
  putChat({ id: chat.id, last_read_seq: Math.max(seq, chat.last_read_seq || 0), unread: 0, unread_mentions: 0 });
  if (seq <= 0) return;
  if (!send({ type: "read", chat_id: chat.id, seq })) {
    api("POST", `/api/chats/${chat.id}/read`, { seq }).catch(() => {});
  }
}

function renderHeader() {
  const chat = activeChat();
  if (!chat) return;
  $("chat-title").textContent = chat.name;
  $("chat-title").classList.toggle("clickable", chat.kind === "direct");
  const members = state.members.get(chat.id);
  let subtitle;
  if (chat.kind === "direct") {
    subtitle = t(chat.peer && state.online.has(chat.peer.id) ? "presence.online" : "presence.offline");
    // the peer's bio (their full profile comes through ensureUsers)
    const bio = chat.peer && state.users.get(chat.peer.id)?.bio;
    if (bio) subtitle += ` · ${bio.replace(/\s+/g, " ").trim()}`;
  } else if (chat.kind === "group_dm") {
    // its people, me among them, and how many are here now
    const people = (chat.members || []).map((m) => m.id === state.me.id ? t("sidebar.you")
      : displayName(state.users.get(m.id) || m));
    const online = (chat.members || []).filter((m) => m.id === state.me.id || state.online.has(m.id)).length;
    subtitle = `${people.join(", ")} · ${t("presence.onlineCount", { n: online })}`;
  } else {
    const online = members ? [...members.keys()].filter((id) => id === state.me.id || state.online.has(id)).length : 0;
    subtitle = plural("members", chat.member_count)
      + (members ? `, ${t("presence.onlineCount", { n: online })}` : "");
    if (chat.description) subtitle += ` · ${chat.description}`;
  }
  $("chat-subtitle").textContent = subtitle;
  show($("group-button"), chat.kind === "group");
  show($("peer-button"), chat.kind === "direct" && Boolean(chat.peer));
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
  if (names.length === 1) text = t("typing.one", { name: names[0] });
  else if (names.length === 2) text = t("typing.two", { first: names[0], second: names[1] });
  else if (names.length > 2) text = t("typing.many");
  $("typing").textContent = text;
}

export function activateChat(chatId) {
  if (chatId !== null && !state.chats.has(chatId)) chatId = null;
  if (state.activeChatId !== chatId) setActive(chatId);
}
