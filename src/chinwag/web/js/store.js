// The client's state and who wants to hear about changes. Views read the state and re-render
// the parts they own when a topic they subscribed to is emitted.

const subscribers = new Map();

export const state = {
  me: null,
  chats: new Map(),       // id -> chat (API shape) plus `activity` (ms) for ordering
  messages: new Map(),    // chat id -> Map(seq -> message): keyed by seq, so never twice
  pending: new Map(),     // client_id -> {chat_id, text, client_id, failed}
  members: new Map(),     // chat id -> Map(user id -> member) for the open chat(s)
  users: new Map(),       // user id -> {id, username, display_name}
  online: new Set(),      // user ids online now
  typing: new Map(),      // chat id -> Map(user id -> expiry ms)
  saved: new Set(),       // ids of the messages I saved (my first pages of them, then events)
  history: new Map(),     // chat id -> {loaded, exhausted, loading, live}: the held messages
                          // are one run of seqs; `live` once it reaches the newest
  activeChatId: null,
  readPaused: null,       // the open chat marked unread: not read again until reopened
  connected: false,
  // what the server accepts (the `ready` frame says; these are its defaults until then)
  limits: { message_max_chars: 4000, upload_max_bytes: 25 * 1024 * 1024 },
};

/** subscribe("chats", fn) -> unsubscribe. Topics: me, chats, messages, members, typing,
 * presence, active, connection. */
export function subscribe(topic, fn) {
  if (!subscribers.has(topic)) subscribers.set(topic, new Set());
  subscribers.get(topic).add(fn);
  return () => subscribers.get(topic).delete(fn);
}

export function emit(topic, detail) {
  for (const fn of subscribers.get(topic) || []) fn(detail);
}

export function reset() {
  for (const key of ["chats", "messages", "pending", "members", "users", "typing", "history", "saved"]) {
    state[key].clear();
  }
  state.online.clear();
  state.me = null;
  state.activeChatId = null;
  state.readPaused = null;
  state.connected = false;
}

export function rememberUser(user) {
  if (user && user.id) state.users.set(user.id, { ...state.users.get(user.id), ...user });
}

function activityOf(chat) {
  const at = chat.last_message ? chat.last_message.created_at : chat.created_at;
  return Date.parse(at) || 0;
}

/** A group direct message is named by its people, me left out ("Ana, Bo"), with the names
 * they have now (a renamed profile is in state.users before the chat hears of it). */
export function groupDmName(chat) {
  const names = (chat.members || []).filter((m) => m.id !== state.me?.id).map((m) => {
    const user = state.users.get(m.id) || m;
    return user.display_name || user.username;
  });
  return names.sort((a, b) => a.localeCompare(b)).join(", ");
}

/** Put a chat (API shape, or a partial update) into the list. */
export function putChat(chat) {
  const known = state.chats.get(chat.id) || {};
  const merged = { ...known, ...chat };
  if (merged.kind === "direct" && merged.peer) {
    merged.name = merged.peer.display_name || merged.peer.username;
    rememberUser(merged.peer);
  }
  if (merged.kind === "group_dm" && merged.members) {
    if (chat.members) chat.members.forEach(rememberUser);  // fresh from the server only
    merged.name = groupDmName(merged);
  }
  merged.activity = Math.max(known.activity || 0, activityOf(merged));
  state.chats.set(chat.id, merged);
  emit("chats");
  return merged;
}

export function dropChat(chatId) {
  state.chats.delete(chatId);
  state.messages.delete(chatId);
  state.members.delete(chatId);
  state.history.delete(chatId);
  if (state.activeChatId === chatId) setActive(null);
  emit("chats");
}

export function sortedChats() {
  return [...state.chats.values()].sort((a, b) => b.activity - a.activity || b.id - a.id);
}

export function setActive(chatId) {
  state.activeChatId = chatId;
  state.readPaused = null;
  emit("active", chatId);
}

export function messagesOf(chatId) {
  if (!state.messages.has(chatId)) state.messages.set(chatId, new Map());
  return state.messages.get(chatId);
}

/** A held message by its id (replies and reactions name messages by id). */
export function findMessage(chatId, messageId) {
  for (const message of messagesOf(chatId).values()) if (message.id === messageId) return message;
  return null;
}

/** True while the held history of a chat ends before its newest message (opened at a search
 * hit, say): live messages then wait for scrolling down instead of leaving a gap. */
export function isWindowed(chatId) {
  const history = state.history.get(chatId);
  return Boolean(history?.loaded && history.live === false);
}

/** Highest seq this client holds for a chat (0: none loaded), the resume point. */
export function highestSeq(chatId) {
  let high = 0;
  for (const seq of messagesOf(chatId).keys()) if (seq > high) high = seq;
  return high;
}

/** Store messages (history, live or resumed); the same chat+seq only replaces itself. */
export function putMessages(chatId, list) {
  const held = messagesOf(chatId);
  for (const message of list) {
    held.set(message.seq, message);
    if (message.client_id) state.pending.delete(message.client_id);
  }
  emit("messages", chatId);
}

export function totalUnread() {
  let total = 0;
  for (const chat of state.chats.values()) total += chat.unread || 0;
  return total;
}

export function totalMentions() {
  let total = 0;
  for (const chat of state.chats.values()) total += chat.unread_mentions || 0;
  return total;
}
