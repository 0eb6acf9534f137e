// Renders the open chat's messages: day separators, the "New messages" line, own messages
// aligned apart, system messages set apart, avatars, quoted replies, the sanitised html of
// each message, attachments, reactions, "edited" marks (which open the versions), tombstones, pending sends and read
// state. Arrow keys move between messages; a focused message shows its actions.

import { avatar } from "../avatars.js";
import { $, displayName, el, icon } from "../dom.js";
import { messageFragment, plainSnippet } from "../richtext.js";
import { formatDay, formatTime, t } from "../i18n.js";
import { messagesOf, state } from "../store.js";
import { systemText } from "../systemtext.js";
import { attachmentList, forgetDetachedImages } from "./attachments.js";
import { personButton } from "./card.js";
import { canPin } from "./pins.js";
import { reactionChips } from "./reactions.js";

const RUN_MS = 5 * 60 * 1000;  // one sender's messages this close together share one header

/** What the chat view marks: where unread begins (seq read up to) and a message to flash. */
export const marks = { unreadFrom: null, highlightSeq: null };

function dayLabel(date) {
  return formatDay(date);
}

/** "Sent" / "Read" in a direct chat, "Read by N" in a group, for one of my messages. */
export function readState(chat, message) {
  const members = state.members.get(chat.id);
  if (!members) return t("messages.sent");
  let readers = 0;
  for (const member of members.values()) {
    if (member.user_id !== state.me.id && member.last_read_seq >= message.seq) readers += 1;
  }
  if (chat.kind === "direct") return t(readers ? "messages.read" : "messages.sent");
  return readers ? t("messages.readBy", { n: readers }) : t("messages.sent");
}

function canDelete(chat, message) {
  return message.sender_id === state.me.id || chat.role === "owner" || chat.role === "admin";
}

function actionButton(label, iconName, key, onClick, extra = "") {
  return el("button", {
    class: `btn btn-sm btn-link p-0 px-1 ${extra}`,
    attrs: { type: "button", "aria-label": label, title: label, "data-focus-key": key },
    on: { click: onClick },
  }, icon(iconName));
}

function actions(chat, message, handlers) {
  if (message.deleted || message.kind === "system" || message.pending) return null;
  const mine = message.sender_id === state.me.id;
  const seq = message.seq;
  return el("span", { class: "message-actions" },
    actionButton(t("messages.reply"), "reply", `reply-${seq}`, () => handlers.reply(message)),
    actionButton(t("messages.react"), "emoji-smile", `react-${seq}`,
      (event) => handlers.react(message, event.currentTarget)),
    mine ? null : actionButton(t("messages.markUnread"), "eye-slash", `unread-${seq}`,
      () => handlers.markUnread(message)),
    canPin(chat) ? actionButton(t(message.pinned ? "messages.unpin" : "messages.pin"),
      message.pinned ? "pin-angle-fill" : "pin-angle", `pin-${seq}`, () => handlers.pin(message)) : null,
    actionButton(t(state.saved.has(message.id) ? "messages.unsave" : "messages.save"),
      state.saved.has(message.id) ? "bookmark-fill" : "bookmark", `save-${seq}`,
      () => handlers.save(message)),
    mine && message.text !== null ? actionButton(t("messages.edit"), "pencil", `edit-${seq}`,
      () => handlers.edit(message)) : null,
    canDelete(chat, message) ? actionButton(t("messages.delete"), "trash", `delete-${seq}`,
      () => handlers.remove(message), "text-danger") : null,
    // the server refuses reports of one's own messages: not offered
    mine ? null : actionButton(t("messages.report"), "flag", `report-${seq}`,
      () => handlers.report(message)));
}

function replyQuote(message, handlers) {
  const quoted = message.reply_to;
  if (!quoted) return null;
  const author = displayName(state.users.get(quoted.sender_id));
  const snippet = quoted.snippet === null || quoted.snippet === undefined
    ? t("messages.quoteDeleted") : plainSnippet(quoted.snippet);
  return el("button", {
    class: "reply-quote", attrs: { type: "button", "aria-label": t("messages.goToQuote", { author, snippet }),
      "data-focus-key": `quote-${message.seq}` },
    on: { click: () => handlers.jumpTo(quoted) },
  }, icon("reply"), " ", el("span", { class: "fw-semibold", text: author }), " ",
  el("span", { class: "reply-snippet", text: snippet }));
}

function messageBody(message) {
  if (message.deleted) {
    return el("div", { class: "message-text fst-italic text-body-secondary", text: t("messages.deletedBody") });
  }
  if (typeof message.html === "string") {
    const body = el("div", { class: "message-text rich" });
    body.append(messageFragment(message.html, state.me.id));
    return body.childNodes.length ? body : null;
  }
  return message.text ? el("div", { class: "message-text", text: message.text }) : null;
}

/** "edited": a button that opens the message's earlier versions. */
function editedMark(message, handlers) {
  return el("span", { class: "edited" }, " · ",
    el("button", {
      class: "btn btn-link btn-sm p-0 align-baseline edited-button", text: t("messages.edited"),
      attrs: { type: "button", title: t("messages.showEdits"), "aria-label": t("messages.showEdits"),
        "data-focus-key": `edited-${message.seq}`, "aria-haspopup": "dialog" },
      on: { click: () => handlers.edits(message) },
    }));
}

/** `/me waves`: "Ana waves", in italics, the name first (in every chat: it is the sentence). */
function emoteBody(message, name) {
  const body = messageBody(message);
  if (!body || message.deleted) return body;
  const first = body.querySelector("p") || body;
  first.prepend(el("span", { class: "emote-name fw-semibold", text: `${name} ` }));
  body.classList.add("emote", "fst-italic");
  return body;
}

function meta(chat, message, mine, handlers) {
  const status = !mine || message.deleted ? null
    : message.pending ? ` · ${message.failed ? t("composer.notSent", { reason: message.failed }) : t("messages.sending")}`
      : ` · ${readState(chat, message)}`;
  return el("div", { class: "message-meta small" },
    el("time", { text: formatTime(new Date(message.created_at)),
                 attrs: { datetime: message.created_at } }),
    message.edited_at && !message.deleted ? editedMark(message, handlers) : null,
    message.pinned && !message.deleted ? el("span", { class: "pinned-mark ms-1",
      attrs: { role: "img", title: t("messages.pinned"), "aria-label": t("messages.pinned") } },
    icon("pin-angle-fill")) : null,
    status ? el("span", { class: "status", text: status }) : null,
    actions(chat, message, handlers));
}

function systemNode(message) {
  return el("div", { class: "message system text-center small text-body-secondary my-1",
                     attrs: { "data-seq": message.seq } },
  el("span", { text: systemText(message.text) }));
}

function messageNode(chat, message, handlers, continued) {
  if (message.kind === "system") return systemNode(message);
  const mine = message.sender_id === state.me.id;
  const sender = state.users.get(message.sender_id);
  const name = displayName(sender);
  const author = mine || chat.kind === "direct" || continued ? null
    : el("div", {}, personButton(message.sender_id, name,
      el("span", { class: "message-author small fw-semibold", text: name })));
  const bubble = el("div", { class: "bubble" }, message.kind === "me" ? null : author,
    replyQuote(message, handlers), message.kind === "me" ? emoteBody(message, name) : messageBody(message), message.deleted ? null : attachmentList(message),
    meta(chat, message, mine, handlers));
  const classes = ["message", mine ? "mine" : "theirs", message.pending ? "pending" : "",
    message.deleted ? "deleted" : "", continued ? "continued" : "",
    !mine && message.mentions?.includes(state.me.id) ? "mentions-me" : "",
    message.seq === marks.highlightSeq ? "highlighted" : ""].join(" ");
  const attrs = message.pending ? { "data-client-id": message.client_id }
    : { "data-seq": message.seq, tabindex: "-1", "data-focus-key": `msg-${message.seq}` };
  return el("div", { class: classes, attrs },
    mine ? null : continued ? el("span", { class: "avatar-space" })
      : personButton(message.sender_id, name, avatar(sender), "avatar-button",
        { focusable: chat.kind === "direct" }),  // in a group the name beside it is the way
    el("div", { class: "message-body" }, bubble,
      message.deleted ? null : reactionChips(message, handlers)));
}

/** The ordered messages of a chat, pending sends last. */
function timeline(chatId) {
  const stored = [...messagesOf(chatId).values()].sort((a, b) => a.seq - b.seq);
  const pending = [...state.pending.values()].filter((p) => p.chat_id === chatId && !p.command)
    .map((p) => ({ ...p, seq: Infinity, kind: "text", sender_id: state.me.id, pending: true,
                   reply_to: p.reply, html: undefined }));
  return [...stored, ...pending];
}

function continues(previous, message) {
  return previous && previous.kind === "text" && message.kind === "text"
    && previous.sender_id === message.sender_id && !message.reply_to
    && Date.parse(message.created_at) - Date.parse(previous.created_at) < RUN_MS;
}

function separator(text, className) {
  return el("div", { class: `${className} small`, attrs: { role: "separator" } }, el("span", { text }));
}

function isUnreadStart(message, shown) {
  return !shown && marks.unreadFrom !== null && message.kind !== "system" && !message.pending
    && message.seq > marks.unreadFrom && message.sender_id !== state.me.id;
}

function buildNodes(chat, handlers) {
  const nodes = [];
  let lastDay = "";
  let previous = null;
  let unreadShown = false;
  for (const message of timeline(chat.id)) {
    const day = new Date(message.created_at).toDateString();
    let run = continues(previous, message);
    if (day !== lastDay) {
      nodes.push(separator(dayLabel(new Date(message.created_at)), "day-separator text-body-secondary"));
      lastDay = day;
      run = false;
    }
    if (isUnreadStart(message, unreadShown)) {
      nodes.push(separator(t("messages.newMessages"), "unread-marker"));
      unreadShown = true;
      run = false;
    }
    nodes.push(messageNode(chat, message, handlers, run));
    previous = message;
  }
  if (!nodes.length) nodes.push(el("p", { class: "text-center text-body-secondary small my-3", text: t("messages.empty") }));
  return nodes;
}

/** Scroll so that the message `seq` sits in the upper third of the list. */
export function scrollToSeq(seq) {
  const list = $("messages");
  const node = list.querySelector(`[data-seq="${seq}"]`);
  if (!node) return false;
  list.scrollTop += node.getBoundingClientRect().top - list.getBoundingClientRect().top
    - list.clientHeight / 3;
  return true;
}

/** Rebuild the list, keeping the reader's place (and focus) in it. `prepended`: older
 * messages came in above; `keep`: newer ones came in below; `toEnd`; `toSeq`. */
export function renderMessages(chat, handlers, { prepended = false, toEnd = false, keep = false, toSeq = null } = {}) {
  const list = $("messages");
  const fromBottom = list.scrollHeight - list.scrollTop;
  const top = list.scrollTop;
  const atBottom = fromBottom - list.clientHeight < 60;
  const focusKey = list.contains(document.activeElement) ? document.activeElement.dataset?.focusKey : null;
  list.replaceChildren(...buildNodes(chat, handlers));
  forgetDetachedImages();
  if (toSeq !== null && scrollToSeq(toSeq)) { /* placed */ }
  else if (prepended) list.scrollTop = list.scrollHeight - fromBottom;
  else if (keep) list.scrollTop = top;
  else if (atBottom || toEnd) list.scrollTop = list.scrollHeight;
  if (focusKey) list.querySelector(`[data-focus-key="${focusKey}"]`)?.focus({ preventScroll: true });
}

/** Up and Down move between messages (each is focusable), so their actions are reachable
 * without tabbing through every button of the history. */
export function setupMessageKeys() {
  const list = $("messages");
  list.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
    if (event.target.closest("textarea, input")) return;
    const items = [...list.querySelectorAll(".message[tabindex]")];
    if (!items.length) return;
    const current = event.target.closest(".message[tabindex]");
    let index = current ? items.indexOf(current) + (event.key === "ArrowUp" ? -1 : 1)
      : items.length - 1;
    index = Math.max(0, Math.min(items.length - 1, index));
    event.preventDefault();
    items[index].focus();
  });
}
