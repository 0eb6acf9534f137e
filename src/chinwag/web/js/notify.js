// Unread counts in the tab title, and a desktop notification for a message that arrives
// while the tab is hidden or another chat is open (once the person allowed them). A mention
// of me notifies even then, and says so.

import { state, subscribe, totalMentions, totalUnread } from "./store.js";
import { displayName } from "./dom.js";
import { t } from "./i18n.js";
import { plainText } from "./richtext.js";
import { userOf } from "./users.js";

const mentioned = new Set();  // ids of messages already notified as mentions

export function watchTitle() {
  subscribe("chats", () => {
    const unread = totalUnread();
    const mentions = totalMentions();
    const count = mentions ? `@${mentions} · ${unread}` : `${unread}`;
    document.title = unread || mentions ? `(${count}) chinwag` : "chinwag";
  });
}

export function canAsk() {
  return "Notification" in window && Notification.permission === "default";
}

export async function askPermission() {
  if ("Notification" in window) await Notification.requestPermission();
}

function show(chat, title, message) {
  // a notification's body is plain text by definition; the tag makes a mention replace the
  // plain notification of the same message instead of adding a second one
  const body = plainText(message.text) || (message.attachments?.length ? t("notify.sentFile") : "");
  const note = new Notification(title, { body, tag: `chat-${chat.id}` });
  note.addEventListener("click", () => {
    window.focus();
    location.hash = `#/chat/${chat.id}`;
  });
}

function allowed() {
  return "Notification" in window && Notification.permission === "granted";
}

export async function notifyMessage(chat, message) {
  // a message that mentions me notifies through its `notification` event, once
  if (!allowed() || mentioned.has(message.id) || message.mentions?.includes(state.me?.id)) return;
  if (!document.hidden && state.activeChatId === chat.id) return;
  const sender = displayName(await userOf(message.sender_id));
  if (mentioned.has(message.id)) return;  // the mention came while the name was fetched
  show(chat, chat.kind === "direct" ? sender : t("notify.inChat", { sender, chat: chat.name }), message);
}

/** The `notification` event: someone mentioned me (the caller checked I'm not reading it). */
export async function notifyMention(chat, message) {
  if (!allowed() || mentioned.has(message.id)) return;
  mentioned.add(message.id);
  const sender = displayName(await userOf(message.sender_id));
  show(chat, chat.kind === "direct" ? t("notify.mentionedYou", { sender })
    : t("notify.mentionedYouIn", { sender, chat: chat.name }), message);
}
