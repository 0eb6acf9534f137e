// Unread counts in the tab title, and a desktop notification for a message that arrives
// while the tab is hidden or another chat is open (once the person allowed them).

import { state, subscribe, totalUnread } from "./store.js";
import { displayName } from "./dom.js";

export function watchTitle() {
  subscribe("chats", () => {
    const unread = totalUnread();
    document.title = unread ? `(${unread}) chinwag` : "chinwag";
  });
}

export function canAsk() {
  return "Notification" in window && Notification.permission === "default";
}

export async function askPermission() {
  if ("Notification" in window) await Notification.requestPermission();
}

export function notifyMessage(chat, message) {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  if (!document.hidden && state.activeChatId === chat.id) return;
  const sender = displayName(state.users.get(message.sender_id));
  const title = chat.kind === "direct" ? sender : `${sender} in ${chat.name}`;
  // a notification's body is plain text by definition
  const note = new Notification(title, { body: message.text || "", tag: `chat-${chat.id}` });
  note.addEventListener("click", () => {
    window.focus();
    location.hash = `#/chat/${chat.id}`;
  });
}
