// What each server event does to the state. Messages are keyed by chat+seq in the store, so
// an event repeated by a resume changes nothing.

import {
  dropChat, emit, messagesOf, putChat, putMessages, state,
} from "./store.js";
import { notifyMessage } from "./notify.js";
import { failSend } from "./views/composer.js";

const TYPING_SHOWN_MS = 5000;

const handlers = {
  ack: (frame) => onMessage(frame.message, false),
  error: (frame) => {
    if (frame.client_id) failSend(frame.client_id, frame.message);
  },
  "message.new": (frame) => onMessage(frame.message, true),
  "message.updated": (frame) => putMessages(frame.message.chat_id, [frame.message]),
  "message.deleted": (frame) => {
    const message = messagesOf(frame.chat_id).get(frame.seq);
    if (message) putMessages(frame.chat_id, [{ ...message, deleted: true, text: null }]);
  },
  typing: (frame) => {
    if (frame.user_id === state.me?.id) return;
    if (!state.typing.has(frame.chat_id)) state.typing.set(frame.chat_id, new Map());
    state.typing.get(frame.chat_id).set(frame.user_id, Date.now() + TYPING_SHOWN_MS);
    emit("typing", frame.chat_id);
    setTimeout(() => emit("typing", frame.chat_id), TYPING_SHOWN_MS + 50);
  },
  read: (frame) => {
    const members = state.members.get(frame.chat_id);
    const member = members?.get(frame.user_id);
    if (member) member.last_read_seq = Math.max(member.last_read_seq, frame.seq);
    const chat = state.chats.get(frame.chat_id);
    if (chat && frame.user_id === state.me?.id) {
      chat.last_read_seq = Math.max(chat.last_read_seq || 0, frame.seq);
      chat.unread = 0;  // read on another device
      emit("chats");
    }
    emit("members", frame.chat_id);
  },
  presence: (frame) => {
    if (frame.status === "online") state.online.add(frame.user_id);
    else state.online.delete(frame.user_id);
    emit("presence");
  },
  "chat.created": (frame) => putChat(frame.chat),
  "chat.updated": (frame) => {
    const known = state.chats.get(frame.chat.id);
    // chat.updated carries what all members see alike; a direct chat keeps its peer's name
    if (known) putChat(known.kind === "direct" ? { ...frame.chat, name: known.name } : frame.chat);
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

export function handleEvent(frame) {
  const handler = handlers[frame.type];
  if (handler) handler(frame);
}

function memberChanged(frame) {
  const members = state.members.get(frame.chat_id);
  if (members) {
    const known = members.get(frame.user_id);
    if (known) known.role = frame.role;
    else emit("members-stale", frame.chat_id);  // a newcomer: the group view reloads the list
  }
  if (frame.type === "member.joined") {
    const chat = state.chats.get(frame.chat_id);
    if (chat) putChat({ id: chat.id, member_count: chat.member_count + 1 });
  }
  if (frame.user_id === state.me?.id && state.chats.has(frame.chat_id)) {
    putChat({ id: frame.chat_id, role: frame.role });
  }
  emit("members", frame.chat_id);
}

function onMessage(message, live) {
  const chat = state.chats.get(message.chat_id);
  const isNew = !messagesOf(message.chat_id).has(message.seq);
  const fromMe = message.sender_id === state.me?.id;
  putMessages(message.chat_id, [message]);
  if (!chat) return;
  const watching = state.activeChatId === message.chat_id && !document.hidden;
  const update = {
    id: chat.id,
    last_seq: Math.max(chat.last_seq, message.seq),
    last_message: message.seq >= chat.last_seq ? message : chat.last_message,
  };
  if (isNew && live && !fromMe && message.kind === "text" && message.seq > chat.last_read_seq
      && !watching) {
    update.unread = (chat.unread || 0) + 1;
  }
  putChat(update);
  // the sender stopped typing once the message is here
  state.typing.get(message.chat_id)?.delete(message.sender_id);
  emit("typing", message.chat_id);
  if (isNew && live && !fromMe && message.kind === "text") {
    notifyMessage(chat, message);
  }
}
