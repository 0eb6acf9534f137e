// The open chat: header (name, who's online), history with infinite scroll both ways, typing
// indicator, read pointer ("Mark unread" pauses it until the chat is opened again), and the
// composer. Also opens a chat at one message (a quoted reply, a search hit).

import { api, explain } from "../api.js";
import { $, displayName, show } from "../dom.js";
import { refreshChat } from "../events.js";
import { send } from "../socket.js";
import {
  findMessage, highestSeq, isWindowed, messagesOf, putChat, putMessages, setActive, state, subscribe,
} from "../store.js";
import { ensureUsers, loadMembers } from "../users.js";
import { setupComposer, startEdit, startReply } from "./composer.js";
import { confirmAction } from "./dialogs.js";
import { marks, renderMessages, setupMessageKeys } from "./messages.js";
import { openPicker, toggleReaction } from "./reactions.js";

const PAGE = 50;
const HIGHLIGHT_MS = 3000;
const MAX_PAGES_BACK = 40;  // how far back a quoted message is looked for (4,000 messages)
let highlightTimer = null;

const handlers = {
  edit: (message) => startEdit(message),
  reply: (message) => startReply(message),
  react: (message, anchor) => openPicker(anchor, (emoji) => toggleReaction(message, emoji)),
  toggleReaction: (message, emoji) => toggleReaction(message, emoji),
  markUnread: (message) => markUnread(message),
  jumpTo: (quoted) => jumpToQuoted(quoted),
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

function render(options) {
  const chat = activeChat();
  if (chat) renderMessages(chat, handlers, options);
}

export function setupChat() {
  setupComposer({ onBeforeSend });
  setupMessageKeys();
  subscribe("active", () => onActive());
  subscribe("messages", (chatId) => {
    const chat = activeChat();
    if (!chat || chatId !== chat.id) return;
    render();
    ensureUsers([...messagesOf(chat.id).values()].flatMap((m) => [m.sender_id, m.reply_to?.sender_id]));
    markRead();
  });
  subscribe("users", () => render());
  subscribe("me", () => render());
  subscribe("members", (chatId) => {
    if (chatId === state.activeChatId) { render(); renderHeader(); }
  });
  subscribe("members-stale", (chatId) => loadMembers(chatId).catch(() => {}));
  subscribe("presence", () => renderHeader());
  subscribe("chats", () => {
    if (state.activeChatId && !activeChat()) return setActive(null);
    renderHeader();
  });
  subscribe("typing", (chatId) => { if (chatId === state.activeChatId) renderTyping(); });
  $("messages").addEventListener("scroll", onScroll);
  document.addEventListener("visibilitychange", () => markRead());
  $("back-button").addEventListener("click", () => { location.hash = "#/"; });
}

/** Sending reads the chat again (after "Mark unread"), and shows the newest messages. */
function onBeforeSend(chatId) {
  if (state.readPaused === chatId) state.readPaused = null;
  return isWindowed(chatId) ? showLatest(chatId) : null;
}

function onScroll() {
  const list = $("messages");
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
  renderHeader();
  render({ toEnd: true });
  $("composer-text").focus();
  try {
    await Promise.all([loadMembers(chat.id), loadLatest(chat.id)]);
  } catch (error) {
    alertInPane(explain(error));
  }
}

async function loadLatest(chatId) {
  const known = state.history.get(chatId);
  if (known?.loaded && !isWindowed(chatId)) {
    // held already: only what arrived while it wasn't open (the socket keeps it current)
    const chat = state.chats.get(chatId);
    if (chat && chat.last_seq > highestSeq(chatId)) {
      const page = await api("GET", `/api/chats/${chatId}/messages?after=${highestSeq(chatId)}&limit=100`);
      putMessages(chatId, page);
    }
    markRead();
    return;
  }
  if (known?.loaded) return;  // opened at a message (a search hit): that window stays
  const page = await api("GET", `/api/chats/${chatId}/messages?limit=${PAGE}`);
  state.history.set(chatId, { loaded: true, live: true, exhausted: page.length < PAGE || page[0]?.seq <= 1 });
  putMessages(chatId, page);
  if (state.activeChatId === chatId) render({ toEnd: true });
}

/** Drop a window of older messages and hold the newest page again (before a send). */
async function showLatest(chatId) {
  messagesOf(chatId).clear();
  state.history.delete(chatId);
  await loadLatest(chatId);
}

async function loadOlder() {
  const chat = activeChat();
  const history = chat && state.history.get(chat.id);
  if (!history || !history.loaded || history.exhausted || history.loading) return;
  const seqs = [...messagesOf(chat.id).keys()];
  if (!seqs.length) return;
  history.loading = true;
  try {
    await fetchOlder(chat.id, history, Math.min(...seqs));
    if (state.activeChatId === chat.id) render({ prepended: true });
  } catch (error) {
    alertInPane(explain(error));
  } finally {
    history.loading = false;
  }
}

async function fetchOlder(chatId, history, oldest) {
  const page = await api("GET", `/api/chats/${chatId}/messages?before=${oldest}&limit=${PAGE}`);
  history.exhausted = page.length < PAGE || page[0]?.seq <= 1;
  for (const message of page) messagesOf(chatId).set(message.seq, message);
  ensureUsers(page.flatMap((m) => [m.sender_id, m.reply_to?.sender_id]));
  return page;
}

/** Scrolling down a window opened further back: the next page, until it reaches the newest. */
async function loadNewer() {
  const chat = activeChat();
  const history = chat && state.history.get(chat.id);
  if (!history || !isWindowed(chat.id) || history.loadingNewer) return;
  history.loadingNewer = true;
  try {
    const page = await api("GET", `/api/chats/${chat.id}/messages?after=${highestSeq(chat.id)}&limit=${PAGE}`);
    for (const message of page) messagesOf(chat.id).set(message.seq, message);
    const newest = state.chats.get(chat.id)?.last_seq || 0;
    if (page.length < PAGE || highestSeq(chat.id) >= newest) history.live = true;
    ensureUsers(page.map((m) => m.sender_id));
    if (state.activeChatId === chat.id) render({ keep: true });
    markRead();
  } catch (error) {
    alertInPane(explain(error));
  } finally {
    history.loadingNewer = false;
  }
}

function highlight(seq) {
  marks.highlightSeq = seq;
  clearTimeout(highlightTimer);
  highlightTimer = setTimeout(() => {
    marks.highlightSeq = null;
    $("messages").querySelector(".message.highlighted")?.classList.remove("highlighted");
  }, HIGHLIGHT_MS);
  render({ toSeq: seq });
  $("messages").querySelector(`[data-seq="${seq}"]`)?.focus({ preventScroll: true });
}

/** Click on a quote: scroll to the original, loading older pages until it is held. */
async function jumpToQuoted(quoted) {
  const chat = activeChat();
  if (!chat) return;
  if (quoted.seq) return openAt(chat.id, quoted.seq);
  let found = findMessage(chat.id, quoted.id);
  const history = state.history.get(chat.id);
  for (let pages = 0; !found && history && !history.exhausted && pages < MAX_PAGES_BACK; pages += 1) {
    const seqs = [...messagesOf(chat.id).keys()];
    if (!seqs.length) break;
    await fetchOlder(chat.id, history, Math.min(...seqs));
    found = findMessage(chat.id, quoted.id);
  }
  if (found && !found.deleted) highlight(found.seq);
  else alertInPane(found ? "That message was deleted." : "The quoted message is no longer in this chat.");
}

/** Open a chat at the message `seq` with its neighbours (a search hit), highlighted. */
export async function openAt(chatId, seq) {
  if (!state.chats.has(chatId)) return;
  if (!(state.history.get(chatId)?.loaded && messagesOf(chatId).has(seq))) {
    const page = await api("GET", `/api/chats/${chatId}/messages?after=${Math.max(0, seq - 26)}&limit=${PAGE}`);
    messagesOf(chatId).clear();
    for (const message of page) messagesOf(chatId).set(message.seq, message);
    const newest = state.chats.get(chatId)?.last_seq || 0;
    state.history.set(chatId, { loaded: true, exhausted: !page.length || page[0].seq <= 1,
                                live: page.length < PAGE || page[page.length - 1].seq >= newest });
    ensureUsers(page.flatMap((m) => [m.sender_id, m.reply_to?.sender_id]));
  }
  // the window is in place before the chat opens, so opening doesn't load the newest page
  if (state.activeChatId !== chatId) {
    setActive(chatId);
    history.pushState(null, "", `#/chat/${chatId}`);
  }
  highlight(seq);
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
