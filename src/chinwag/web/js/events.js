// What each server event does to the state. Messages are keyed by chat+seq in the store, so
// an event repeated by a resume changes nothing.

import { api, ApiError, explain } from "./api.js";
import {
  dropChat, emit, findMessage, highestSeq, isWindowed, messagesOf, putChat, putMessages,
  rememberUser, state, subscribe,
} from "./store.js";
import { notifyMention, notifyMessage } from "./notify.js";

const TYPING_SHOWN_MS = 5000;

// The public profile fields the chat list, messages and panels draw
const DRAWN_PROFILE = ["username", "display_name", "avatar_url", "deactivated"];

const handlers = {
  ack: (frame) => onMessage(frame.message, false),
  // a slash command's answer, for this socket alone: the composer shows it
  "command.result": (frame) => emit("command-result", frame),
  error: (frame) => {
    // the same sentences as REST errors get, never the server's raw text
    // the composer listens: it shows why and puts the words back
    if (frame.client_id) {
      const reason = explain(new ApiError(0, frame.code, frame.message, null, frame));
      emit("send-failed", { clientId: frame.client_id, reason, frame });
    }
  },
  "message.new": (frame) => onMessage(frame.message, true),
  "message.updated": (frame) => onUpdated(frame.message),
  "message.deleted": (frame) => onDeleted(frame),
  typing: (frame) => {
    if (frame.user_id === state.me?.id) return;
    if (!state.typing.has(frame.chat_id)) state.typing.set(frame.chat_id, new Map());
    state.typing.get(frame.chat_id).set(frame.user_id, Date.now() + TYPING_SHOWN_MS);
    emit("typing", frame.chat_id);
    setTimeout(() => emit("typing", frame.chat_id), TYPING_SHOWN_MS + 50);
  },
  read: (frame) => onRead(frame),
  "reaction.added": (frame) => onReaction(frame, true),
  "reaction.removed": (frame) => onReaction(frame, false),
  "message.pinned": (frame) => onPinned(frame, true),
  "message.unpinned": (frame) => onPinned(frame, false),
  "message.saved": (frame) => onSaved(frame, true),
  "message.unsaved": (frame) => onSaved(frame, false),
  notification: (frame) => onNotification(frame),
  presence: (frame) => {
    // A burst is told in one frame: `user_ids` lists everyone in it.
    for (const id of frame.user_ids || [frame.user_id]) {
      if (frame.status === "online") state.online.add(id);
      else state.online.delete(id);
    }
    emit("presence");
  },
  // my account changed (a new name or address, a link followed), here or on another device;
  // my settings are left as this tab has them (a choice made here may be on its way)
  "me.updated": (frame) => {
    const { settings: _settings, online: _online, ...account } = frame.user;
    state.me = { ...state.me, ...account };
    emit("me");
  },
  // someone's public profile changed (a new username, display name, picture)
  "user.updated": (frame) => {
    const mine = frame.user.id === state.me?.id;
    const before = state.users.get(frame.user.id) || (mine ? state.me : undefined);
    rememberUser({ ...state.users.get(frame.user.id), ...frame.user });
    if (frame.user.id === state.me?.id) state.me = { ...state.me, ...frame.user, settings: state.me.settings };
    // A time zone or a bio is read when a card opens: only what the chat draws redraws it
    // (every sign-in saves the browser's zone; a redraw then would swap the buttons under
    // a click or a focus)
    if (before && DRAWN_PROFILE.every((key) => before[key] === frame.user[key])) return;
    // the group direct messages they are in take their new name
    for (const chat of state.chats.values()) {
      if (chat.kind === "group_dm" && chat.members?.some((m) => m.id === frame.user.id)) putChat({ id: chat.id });
    }
    emit("users");
    if (frame.user.id === state.me?.id) emit("me");
  },
  "chat.created": (frame) => putChat(frame.chat),
  "chat.updated": (frame) => {
    const known = state.chats.get(frame.chat.id);
    // chat.updated carries what all members see alike; a direct chat keeps its peer's name,
    // a group direct message the names of its people
    const named = known && (known.kind === "direct" || known.kind === "group_dm");
    if (known) putChat(named ? { ...frame.chat, name: known.name } : frame.chat);
  },
  "chat.deleted": (frame) => leaveChat(frame.chat_id),
  "member.joined": (frame) => memberChanged(frame),
  "member.updated": (frame) => memberChanged(frame),
  "member.left": (frame) => {
    if (frame.user_id === state.me?.id) return leaveChat(frame.chat_id);
    state.members.get(frame.chat_id)?.delete(frame.user_id);
    const chat = state.chats.get(frame.chat_id);
    if (chat) putChat({ id: chat.id, member_count: Math.max(0, chat.member_count - 1) });
    emit("members", frame.chat_id);
  },
};

function leaveChat(chatId) {
  if (state.activeChatId === chatId) history.replaceState(null, "", "#/");
  dropChat(chatId);
}

function handleEvent(frame) {
  const handler = handlers[frame.type];
  if (handler) handler(frame);
}

/** Listen to the socket's frames (told through the store, so the socket imports no handler). */
export function setupEvents() {
  subscribe("frame", handleEvent);
}

function memberChanged(frame) {
  const members = state.members.get(frame.chat_id);
  if (members) {
    const known = members.get(frame.user_id);
    if (known) {
      known.role = frame.role;
      if ("muted_until" in frame) known.muted_until = frame.muted_until;
    } else emit("members-stale", frame.chat_id);  // a newcomer: the group view reloads the list
  }
  if (frame.type === "member.joined") {
    const chat = state.chats.get(frame.chat_id);
    if (chat) putChat({ id: chat.id, member_count: chat.member_count + 1 });
  }
  if (frame.user_id === state.me?.id && state.chats.has(frame.chat_id)) {
    // muted or unmuted by a group admin: my composer says so at once
    const mute = "muted_until" in frame ? { muted_until: frame.muted_until } : {};
    putChat({ id: frame.chat_id, role: frame.role, ...mute });
  }
  emit("members", frame.chat_id);
}

/** Looking at the chat now, and reading it (not paused by "Mark unread"). */
export function isWatching(chatId) {
  return state.activeChatId === chatId && !document.hidden && state.readPaused !== chatId;
}

function onMessage(message, live) {
  const chat = state.chats.get(message.chat_id);
  const isNew = !messagesOf(message.chat_id).has(message.seq);
  const fromMe = message.sender_id === state.me?.id;
  // a history opened further back waits for scrolling down rather than holding a gap
  if (!isWindowed(message.chat_id) || message.seq <= highestSeq(message.chat_id) + 1) {
    putMessages(message.chat_id, [message]);
  }
  if (!chat) return;
  const watching = isWatching(message.chat_id);
  const update = {
    id: chat.id,
    last_seq: Math.max(chat.last_seq, message.seq),
    last_message: message.seq >= chat.last_seq ? message : chat.last_message,
  };
  if (isNew && live && !fromMe && message.kind !== "system" && message.seq > chat.last_read_seq
      && !watching) {
    update.unread = (chat.unread || 0) + 1;
  }
  putChat(update);
  // the sender stopped typing once the message is here
  state.typing.get(message.chat_id)?.delete(message.sender_id);
  emit("typing", message.chat_id);
  if (isNew && live && !fromMe && message.kind !== "system") {
    notifyMessage(chat, message);
  }
}

const QUOTE_CHARS = 120;  // as the server cuts a reply's snippet

/** The server's snippet of a quoted message: its text on one line, cut at 120 characters. */
function quoteSnippet(text) {
  if (text === null || text === undefined) return null;
  const line = text.split(/\s+/).filter(Boolean).join(" ");
  return line.length <= QUOTE_CHARS ? line : `${line.slice(0, QUOTE_CHARS - 1)}…`;
}

/** Held replies quoting message `quotedId` get its new snippet (null once deleted): a quote
 * must never keep showing words that were edited away or deleted for everyone. */
function requote(chatId, quotedId, snippet) {
  const changed = [];
  for (const message of messagesOf(chatId).values()) {
    if (message.reply_to?.id === quotedId && message.reply_to.snippet !== snippet) {
      changed.push({ ...message, reply_to: { ...message.reply_to, snippet } });
    }
  }
  if (changed.length) putMessages(chatId, changed);
}

/** An edit (or a new rendering): only for messages held, so no stray seq lands in a gap. */
function onUpdated(message) {
  if (messagesOf(message.chat_id).has(message.seq)) putMessages(message.chat_id, [message]);
  requote(message.chat_id, message.id, quoteSnippet(message.text));
  const chat = state.chats.get(message.chat_id);
  if (chat?.last_message?.id === message.id) putChat({ id: chat.id, last_message: message });
}

/** Deleted for everyone: its words leave the history, the quotes of it and the sidebar's
 * preview at once, whether or not this tab holds the chat's history. */
function onDeleted(frame) {
  const gone = { deleted: true, text: null, html: null, attachments: [], reactions: [], pinned: false };
  const message = messagesOf(frame.chat_id).get(frame.seq);
  if (message) putMessages(frame.chat_id, [{ ...message, ...gone }]);
  // a deleted message is nobody's pin or saved item any more (the server removed both)
  if (state.saved.delete(frame.message_id)) emit("saved");
  emit("pins", frame.chat_id);
  requote(frame.chat_id, frame.message_id, null);
  const chat = state.chats.get(frame.chat_id);
  if (chat?.last_message?.id === frame.message_id) {
    putChat({ id: chat.id, last_message: { ...chat.last_message, ...gone } });
  }
}

/** Another reader's pointer, or mine: forward as read, backward when marked unread. */
function onRead(frame) {
  const member = state.members.get(frame.chat_id)?.get(frame.user_id);
  const chat = state.chats.get(frame.chat_id);
  const mine = frame.user_id === state.me?.id;
  if (member) {
    member.last_read_seq = mine ? frame.seq : Math.max(member.last_read_seq, frame.seq);
  }
  if (chat && mine) {
    if (frame.seq < (chat.last_read_seq || 0)) {
      refreshChat(chat.id);  // marked unread on another device: the counts come from the server
    } else if (frame.seq > (chat.last_read_seq || 0)) {
      putChat({ id: chat.id, last_read_seq: frame.seq, unread: 0, unread_mentions: 0 });
    }
  }
  emit("members", frame.chat_id);
}

/** Reload one chat's counts (unread, mentions, read pointer) from the server. */
export async function refreshChat(chatId) {
  try {
    const fresh = await api("GET", `/api/chats/${chatId}`);
    if (state.chats.has(chatId)) putChat(fresh);
  } catch { /* gone meanwhile: chat.deleted or member.left tells */ }
}

/** Reactions of a held message: the same event twice changes nothing. */
export function applyReaction(chatId, messageId, emoji, userId, added) {
  const message = findMessage(chatId, messageId);
  if (!message) return;
  const reactions = (message.reactions || []).map((r) => ({ ...r, user_ids: [...r.user_ids] }));
  let entry = reactions.find((r) => r.emoji === emoji);
  if (!entry && added) { entry = { emoji, count: 0, user_ids: [] }; reactions.push(entry); }
  if (!entry) return;
  const had = entry.user_ids.includes(userId);
  if (added === had) return;
  entry.user_ids = added ? [...entry.user_ids, userId] : entry.user_ids.filter((id) => id !== userId);
  entry.count = entry.user_ids.length;
  putMessages(chatId, [{ ...message, reactions: reactions.filter((r) => r.count > 0) }]);
}

function onReaction(frame, added) {
  applyReaction(frame.chat_id, frame.message_id, frame.emoji, frame.user_id, added);
}

/** Pinned or unpinned in its chat: the held message's mark and an open Pinned panel follow. */
function onPinned(frame, pinned) {
  const message = findMessage(frame.chat_id, frame.message_id);
  if (message && message.pinned !== pinned) putMessages(frame.chat_id, [{ ...message, pinned }]);
  emit("pins", frame.chat_id);
}

/** Saved or unsaved on one of my devices: every tab's actions and Saved view follow. */
function onSaved(frame, saved) {
  if (saved) state.saved.add(frame.message_id);
  else state.saved.delete(frame.message_id);
  emit("saved");
  if (findMessage(frame.chat_id, frame.message_id)) emit("messages", frame.chat_id);
}

/** I was mentioned: counted apart in the sidebar, and a notification even in a muted chat. */
function onNotification(frame) {
  const chat = state.chats.get(frame.chat_id);
  if (!chat || isWatching(frame.chat_id)) return;
  putChat({ id: chat.id, unread_mentions: (chat.unread_mentions || 0) + 1 });
  notifyMention(chat, frame.message);
}
