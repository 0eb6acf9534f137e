// The composer: Enter sends, Shift+Enter adds a line (on a touch screen Enter adds a line and
// the button sends); the box grows with its text; a counter near the length limit, and a text
// over it is refused before sending and kept. Typing frames at most every 3 s; a send shows at
// once as pending and is confirmed by its ack. Also edits my own messages, replies
// ("Replying to …" above the box) and sends the files of the draft.

import { api, explain } from "../api.js";
import { $, displayName, show } from "../dom.js";
import { send, sendFrame } from "../socket.js";
import { plainSnippet } from "../richtext.js";
import { t } from "../i18n.js";
import { emit, findMessage, state, subscribe } from "../store.js";
import { hideCommandResult, showCommandResult, suggestCommands } from "./commands.js";
import { noteSlowModeRefusal, resetComposerNote, setupComposerNote } from "./composernote.js";
import { setupMentions } from "./mentions.js";
import { forgetUploads, hasUploads, isUploading, setupUploads, takeUploads } from "./uploads.js";

const TYPING_EVERY_MS = 3000;
const SNIPPET_CHARS = 80;
const COUNT_FROM = 0.9;  // the counter shows from 90 % of the limit on
let lastTyping = 0;
let editing = null;  // the message being edited, or null
const replies = new Map();  // chat id -> the message the next one answers
let beforeSend = async () => {};

function clientId() {
  // randomUUID needs a secure context; getRandomValues works everywhere
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)),
    (b) => b.toString(16).padStart(2, "0")).join("");
}

function snippetOf(message) {
  const text = plainSnippet(message.text);
  if (!text) return message.attachments?.length ? t("composer.file") : "";
  return text.length > SNIPPET_CHARS ? `${text.slice(0, SNIPPET_CHARS)}…` : text;
}

/** A slash command (not "//", which sends a slash): the server answers it, maybe with no
 * message at all, so it is not shown as a pending message meanwhile. */
function isCommand(text) {
  return /^\/[A-Za-z]+(\s|$)/.test(text);
}

export function sendMessage(chatId, text, { replyTo = null, attachments = [] } = {}) {
  hideCommandResult();
  const pending = { chat_id: chatId, text, client_id: clientId(), created_at: new Date().toISOString(),
                    command: isCommand(text),
                    reply_to_id: replyTo?.id || null, attachments,
                    reply: replyTo ? { id: replyTo.id, sender_id: replyTo.sender_id, snippet: snippetOf(replyTo) } : null };
  state.pending.set(pending.client_id, pending);
  emit("messages", chatId);
  // not connected: it stays pending and goes out again (same client_id) after `ready`
  send(sendFrame(pending));
}

export function startReply(message) {
  stopEdit();
  replies.set(message.chat_id, message);
  renderReply();
  $("composer-text").focus();
}

function cancelReply() {
  replies.delete(state.activeChatId);
  renderReply();
}

function renderReply() {
  const message = replies.get(state.activeChatId);
  show($("reply-bar"), Boolean(message));
  if (!message) return;
  $("reply-author").textContent = displayName(state.users.get(message.sender_id));
  $("reply-snippet").textContent = snippetOf(message);
}

/** The reply bar follows its message: an edit shows the new words, a deletion for everyone
 * ends the reply (nothing is left to quote, and its words must not stay on screen). */
function followReply(chatId) {
  const target = replies.get(chatId);
  const held = target && findMessage(chatId, target.id);
  if (held && held !== target) {
    if (held.deleted) {
      replies.delete(chatId);
      if (chatId === state.activeChatId) $("typing").textContent = t("composer.replyGone");
    } else {
      replies.set(chatId, held);
    }
  }
  if (chatId === state.activeChatId) renderReply();
  // the message being edited was deleted meanwhile: nothing is left to save
  if (editing?.chat_id === chatId && findMessage(chatId, editing.id)?.deleted) stopEdit();
}

/** A touch screen has no Shift to hold: Enter adds a line there and the Send button sends. */
function enterAddsLine() {
  return window.matchMedia("(pointer: coarse)").matches;
}

/** The box as tall as its text, up to its CSS max-height (then it scrolls). */
function grow() {
  const box = $("composer-text");
  box.style.height = "auto";  // CSSOM: allowed by the CSP, unlike a style attribute
  if (!box.getClientRects().length) return;  // hidden (signed out): nothing to measure
  const border = box.offsetHeight - box.clientHeight;
  box.style.height = `${box.scrollHeight + border}px`;
}

/** Characters as the server counts them: code points of the trimmed text. */
function lengthOf(text) {
  return [...text.trim()].length;
}

function overBy() {
  return lengthOf($("composer-text").value) - state.limits.message_max_chars;
}

/** The counter near the limit, and Send refused past it (the text stays to be shortened). */
function updateCount() {
  const max = state.limits.message_max_chars;
  const length = lengthOf($("composer-text").value);
  const counter = $("composer-count");
  const over = length - max;
  show(counter, length >= Math.floor(max * COUNT_FROM));
  counter.classList.toggle("over", over > 0);
  counter.textContent = over > 0 ? t("composer.tooLong", { over, max })
    : t("composer.left", { left: max - length });
  if (over > 0) $("composer-text").setAttribute("aria-invalid", "true");
  else $("composer-text").removeAttribute("aria-invalid");
  updateSend();
}

/** Put text in the box (an edit, a cleared draft, a refused send) and fit everything to it. */
function setText(text) {
  $("composer-text").value = text;
  grow();
  updateCount();
}

export function startEdit(message) {
  cancelReply();
  editing = message;
  const box = $("composer-text");
  setText(message.text);
  show($("editing-note"), true);
  box.focus();
}

function stopEdit() {
  if (!editing) return;
  editing = null;
  setText("");
  show($("editing-note"), false);
}

async function saveEdit(text) {
  if (!text) return;
  if (overBy() > 0) return;
  try {
    await api("PATCH", `/api/messages/${editing.id}`, { text });
    stopEdit();
  } catch (error) {
    $("typing").textContent = explain(error);
  }
}

async function submit() {
  const box = $("composer-text");
  const text = box.value.trim();
  const chatId = state.activeChatId;
  if (!chatId) return;
  if (editing) return saveEdit(text);
  if (isUploading(chatId)) {
    $("typing").textContent = t("composer.waitUploads");
    return;
  }
  if (!text && !hasUploads(chatId)) return;
  if (overBy() > 0) {  // refused here, before it is sent: the text stays to be shortened
    updateCount();
    box.focus();
    return;
  }
  const replyTo = replies.get(chatId) || null;
  setText("");
  suggestCommands("");
  replies.delete(chatId);
  renderReply();
  await beforeSend(chatId);  // back to the newest messages, if a search opened older ones
  sendMessage(chatId, text, { replyTo, attachments: takeUploads(chatId) });
  // The message clears "is typing" on the other side: the next keystroke tells it again.
  lastTyping = 0;
}

function updateSend() {
  const chatId = state.activeChatId;
  $("send-button").disabled = Boolean(chatId && isUploading(chatId)) || overBy() > 0;
}

function onKeydown(event, box) {
  if (event.defaultPrevented) return;  // the mention list took it
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing && !enterAddsLine()) {
    event.preventDefault();
    submit();
  } else if (event.key === "Escape" && editing) {
    event.preventDefault();  // Esc did its work here: it closes nothing else
    stopEdit();
  } else if (event.key === "Escape" && replies.has(state.activeChatId)) {
    event.preventDefault();
    cancelReply();
  } else if (event.key === "ArrowUp" && !box.value && !editing
             && !event.altKey && !event.ctrlKey && !event.metaKey) {
    // like most chats: Up in an empty box edits my last message
    const mine = [...document.querySelectorAll("#messages .message.mine[data-seq]")]
      .filter((node) => node.querySelector("[data-focus-key^='edit-']")).pop();
    if (mine) {
      event.preventDefault();
      mine.querySelector("[data-focus-key^='edit-']").click();
    }
  }
}

/** `onBeforeSend(chatId)` may bring the chat back to its newest messages first. */
export function setupComposer({ onBeforeSend } = {}) {
  if (onBeforeSend) beforeSend = onBeforeSend;
  const box = $("composer-text");
  setupMentions(box);
  setupUploads(updateSend);
  setupComposerNote();
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  box.addEventListener("keydown", (event) => onKeydown(event, box));
  const help = () => {
    $("composer-help").textContent = t(enterAddsLine() ? "composer.helpTouch" : "composer.help");
  };
  help();
  subscribe("language", () => { help(); updateCount(); renderReply(); });
  box.addEventListener("input", () => {
    grow();
    updateCount();
    suggestCommands(editing ? "" : box.value);
    const now = Date.now();
    if (!editing && box.value && now - lastTyping > TYPING_EVERY_MS && state.activeChatId) {
      if (send({ type: "typing", chat_id: state.activeChatId })) lastTyping = now;
    }
  });
  $("reply-cancel").addEventListener("click", () => { cancelReply(); box.focus(); });
  subscribe("active", () => { stopEdit(); renderReply(); updateSend(); });
  subscribe("send-failed", failSend);
  subscribe("command-result", answered);
  subscribe("messages", followReply);
}

/** Signed out: drafts (reply targets, files, an edit) go with the account. */
export function resetComposer() {
  stopEdit();
  replies.clear();
  renderReply();
  forgetUploads();
  resetComposerNote();
  setText("");
}

/** The server ran a command instead of storing a message: its answer, for me alone. */
function answered(frame) {
  const pending = state.pending.get(frame.client_id);
  if (!pending) return;
  state.pending.delete(frame.client_id);
  emit("messages", pending.chat_id);
  if (pending.chat_id === state.activeChatId) showCommandResult(frame);
}

/** A send the server refused (error frame naming its client_id) shows why. */
function failSend({ clientId: clientIdOf, reason, frame }) {
  const pending = state.pending.get(clientIdOf);
  if (!pending) return;
  state.pending.delete(clientIdOf);
  noteSlowModeRefusal(pending.chat_id, frame);
  $("typing").textContent = t("composer.notSent", { reason });
  // the words are not lost: back into an empty box of the same chat, to be changed and sent
  if (pending.chat_id === state.activeChatId && !$("composer-text").value && !editing) {
    setText(pending.text);
  }
  emit("messages", pending.chat_id);
}
