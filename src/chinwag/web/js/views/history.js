// The held history of the open chat: the newest page on opening, older pages when scrolling
// up, newer ones when scrolling down a window opened further back (a search hit), and jumps
// to one message (a quote, a hit) with its neighbours, briefly highlighted.

import { api, explain } from "../api.js";
import { $ } from "../dom.js";
import {
  findMessage, highestSeq, isWindowed, messagesOf, putMessages, setActive, state,
} from "../store.js";
import { t } from "../i18n.js";
import { ensureUsers } from "../users.js";
import { marks } from "./messages.js";

const PAGE = 50;
const HIGHLIGHT_MS = 3000;
const MAX_PAGES_BACK = 40;  // how far back a quoted message is looked for (2,000 messages)
let highlightTimer = null;
let hooks = { render: () => {}, alert: () => {}, markRead: () => {} };

/** `render(options)` redraws the open chat, `alert(text)` says what failed, `markRead()`. */
export function setupHistory(chatHooks) {
  hooks = chatHooks;
}

function render(options) {
  hooks.render(options);
}

function alertInPane(text) {
  hooks.alert(text);
}

function markRead() {
  hooks.markRead();
}

function activeChat() {
  return state.chats.get(state.activeChatId);
}

function people(page) {
  return page.flatMap((m) => [m.sender_id, m.reply_to?.sender_id]);
}

export async function loadLatest(chatId) {
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
export async function showLatest(chatId) {
  messagesOf(chatId).clear();
  state.history.delete(chatId);
  await loadLatest(chatId);
}

export async function loadOlder() {
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
  ensureUsers(people(page));
  return page;
}

/** Scrolling down a window opened further back: the next page, until it reaches the newest. */
export async function loadNewer() {
  const chat = activeChat();
  const history = chat && state.history.get(chat.id);
  if (!history || !isWindowed(chat.id) || history.loadingNewer) return;
  history.loadingNewer = true;
  try {
    const page = await api("GET", `/api/chats/${chat.id}/messages?after=${highestSeq(chat.id)}&limit=${PAGE}`);
    for (const message of page) messagesOf(chat.id).set(message.seq, message);
    const newest = state.chats.get(chat.id)?.last_seq || 0;
    if (page.length < PAGE || highestSeq(chat.id) >= newest) history.live = true;
    ensureUsers(people(page));
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
export async function jumpToQuoted(quoted) {
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
  else alertInPane(t(found ? "history.quotedDeleted" : "history.quotedGone"));
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
    ensureUsers(people(page));
  }
  // the window is in place before the chat opens, so opening doesn't load the newest page
  if (state.activeChatId !== chatId) {
    setActive(chatId);
    history.pushState(null, "", `#/chat/${chatId}`);
  }
  highlight(seq);
}
