// Renders the open chat's messages: day separators, own messages aligned apart, system
// messages set apart, "edited" marks, tombstones, pending sends and read state.

import { $, displayName, el, icon } from "../dom.js";
import { messagesOf, state } from "../store.js";

const dayFormat = { weekday: "long", month: "long", day: "numeric", year: "numeric" };
const timeFormat = { hour: "2-digit", minute: "2-digit" };

function dayLabel(date) {
  const today = new Date();
  const yesterday = new Date(today);
  yesterday.setDate(today.getDate() - 1);
  if (date.toDateString() === today.toDateString()) return "Today";
  if (date.toDateString() === yesterday.toDateString()) return "Yesterday";
  return date.toLocaleDateString(undefined, dayFormat);
}

/** "Sent" / "Read" in a direct chat, "Read by N" in a group, for one of my messages. */
export function readState(chat, message) {
  const members = state.members.get(chat.id);
  if (!members) return "Sent";
  let readers = 0;
  for (const member of members.values()) {
    if (member.user_id !== state.me.id && member.last_read_seq >= message.seq) readers += 1;
  }
  if (chat.kind === "direct") return readers ? "Read" : "Sent";
  return readers ? `Read by ${readers}` : "Sent";
}

function canDelete(chat, message) {
  return message.sender_id === state.me.id || chat.role === "owner" || chat.role === "admin";
}

function actions(chat, message, handlers) {
  if (message.deleted || message.kind !== "text") return null;
  const mine = message.sender_id === state.me.id;
  const box = el("span", { class: "message-actions" });
  if (mine) {
    box.append(el("button", {
      class: "btn btn-sm btn-link p-0 px-1", attrs: { type: "button", "aria-label": "Edit message",
      "data-focus-key": `edit-${message.seq}` }, on: { click: () => handlers.edit(message) },
    }, icon("pencil")));
  }
  if (canDelete(chat, message)) {
    box.append(el("button", {
      class: "btn btn-sm btn-link p-0 px-1 text-danger", attrs: { type: "button",
      "aria-label": "Delete message", "data-focus-key": `delete-${message.seq}` },
      on: { click: () => handlers.remove(message) },
    }, icon("trash")));
  }
  return box;
}

function messageNode(chat, message, handlers) {
  const created = new Date(message.created_at);
  if (message.kind === "system") {
    return el("div", { class: "message system text-center small text-body-secondary my-1",
                       attrs: { "data-seq": message.seq } },
    el("span", { text: message.text }));
  }
  const mine = message.sender_id === state.me.id;
  const body = message.deleted
    ? el("div", { class: "message-text fst-italic text-body-secondary", text: "This message was deleted" })
    : el("div", { class: "message-text", text: message.text });
  const meta = el("div", { class: "message-meta small" },
    el("time", { text: created.toLocaleTimeString([], timeFormat),
                 attrs: { datetime: message.created_at } }),
    message.edited_at && !message.deleted ? el("span", { class: "edited", text: " · edited" }) : null,
    mine && message.pending ? el("span", { class: "status", text: message.failed ? ` · Not sent: ${message.failed}` : " · Sending…" }) : null,
    mine && !message.pending && !message.deleted ? el("span", { class: "status", text: ` · ${readState(chat, message)}` }) : null,
    actions(chat, message, handlers));
  const author = mine || chat.kind === "direct" ? null
    : el("div", { class: "message-author small fw-semibold", text: displayName(state.users.get(message.sender_id)) });
  const classes = ["message", mine ? "mine" : "theirs", message.pending ? "pending" : "",
                   message.deleted ? "deleted" : ""].join(" ");
  return el("div", { class: classes, attrs: message.pending ? { "data-client-id": message.client_id } : { "data-seq": message.seq } },
    el("div", { class: "bubble" }, author, body, meta));
}

/** The ordered messages of a chat, pending sends last. */
function timeline(chatId) {
  const stored = [...messagesOf(chatId).values()].sort((a, b) => a.seq - b.seq);
  const pending = [...state.pending.values()].filter((p) => p.chat_id === chatId)
    .map((p) => ({ ...p, seq: Infinity, kind: "text", sender_id: state.me.id, pending: true }));
  return [...stored, ...pending];
}

/** Rebuild the list, keeping the reader's place (and focus) in it. */
export function renderMessages(chat, handlers, { prepended = false, toEnd = false } = {}) {
  const list = $("messages");
  const fromBottom = list.scrollHeight - list.scrollTop;
  const atBottom = fromBottom - list.clientHeight < 60;
  const focusKey = document.activeElement?.dataset?.focusKey;
  const nodes = [];
  let lastDay = "";
  for (const message of timeline(chat.id)) {
    const day = new Date(message.created_at).toDateString();
    if (day !== lastDay) {
      nodes.push(el("div", { class: "day-separator small text-body-secondary",
                             attrs: { role: "separator" } }, el("span", { text: dayLabel(new Date(message.created_at)) })));
      lastDay = day;
    }
    nodes.push(messageNode(chat, message, handlers));
  }
  if (!nodes.length) nodes.push(el("p", { class: "text-center text-body-secondary small my-3", text: "No messages yet. Say hello!" }));
  list.replaceChildren(...nodes);
  if (prepended) list.scrollTop = list.scrollHeight - fromBottom;
  else if (atBottom || toEnd) list.scrollTop = list.scrollHeight;
  if (focusKey) list.querySelector(`[data-focus-key="${focusKey}"]`)?.focus();
}
