// The composer: Enter sends, Shift+Enter adds a line; typing frames at most every 3 s; a send
// shows at once as pending and is confirmed by its ack. Also edits my own messages, replies
// ("Replying to …" above the box) and sends the files of the draft.

import { api, explain } from "../api.js";
import { $, displayName, show } from "../dom.js";
import { send } from "../socket.js";
import { plainSnippet } from "../richtext.js";
import { emit, state, subscribe } from "../store.js";
import { setupMentions } from "./mentions.js";
import { forgetUploads, hasUploads, isUploading, setupUploads, takeUploads } from "./uploads.js";

const TYPING_EVERY_MS = 3000;
const SNIPPET_CHARS = 80;
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

/** The WebSocket frame of a pending send (sent again, unchanged, after a reconnect). */
export function sendFrame(pending) {
  const frame = { type: "message.send", chat_id: pending.chat_id, text: pending.text,
                  client_id: pending.client_id };
  if (pending.reply_to_id) frame.reply_to = pending.reply_to_id;
  if (pending.attachments?.length) frame.attachment_ids = pending.attachments.map((f) => f.id);
  return frame;
}

function snippetOf(message) {
  const text = plainSnippet(message.text);
  if (!text) return message.attachments?.length ? "(file)" : "";
  return text.length > SNIPPET_CHARS ? `${text.slice(0, SNIPPET_CHARS)}…` : text;
}

export function sendMessage(chatId, text, { replyTo = null, attachments = [] } = {}) {
  const pending = { chat_id: chatId, text, client_id: clientId(), created_at: new Date().toISOString(),
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

export function startEdit(message) {
  cancelReply();
  editing = message;
  const box = $("composer-text");
  box.value = message.text;
  show($("editing-note"), true);
  box.focus();
}

function stopEdit() {
  if (!editing) return;
  editing = null;
  $("composer-text").value = "";
  show($("editing-note"), false);
}

async function saveEdit(text) {
  if (!text) return;
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
    $("typing").textContent = "Wait for the uploads to finish.";
    return;
  }
  if (!text && !hasUploads(chatId)) return;
  const replyTo = replies.get(chatId) || null;
  box.value = "";
  replies.delete(chatId);
  renderReply();
  await beforeSend(chatId);  // back to the newest messages, if a search opened older ones
  sendMessage(chatId, text, { replyTo, attachments: takeUploads(chatId) });
  // The message clears "is typing" on the other side: the next keystroke tells it again.
  lastTyping = 0;
}

function updateSend() {
  const chatId = state.activeChatId;
  $("send-button").disabled = Boolean(chatId && isUploading(chatId));
}

function onKeydown(event, box) {
  if (event.defaultPrevented) return;  // the mention list took it
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    submit();
  } else if (event.key === "Escape" && editing) {
    stopEdit();
  } else if (event.key === "Escape" && replies.has(state.activeChatId)) {
    cancelReply();
  } else if (event.key === "ArrowUp" && !box.value && !editing) {
    // like most chats: Up in an empty box edits my last message
    const mine = [...document.querySelectorAll("#messages .message.mine[data-seq]")].pop();
    if (mine) mine.querySelector("[aria-label='Edit message']")?.click();
  }
}

/** `onBeforeSend(chatId)` may bring the chat back to its newest messages first. */
export function setupComposer({ onBeforeSend } = {}) {
  if (onBeforeSend) beforeSend = onBeforeSend;
  const box = $("composer-text");
  setupMentions(box);
  setupUploads(updateSend);
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  box.addEventListener("keydown", (event) => onKeydown(event, box));
  box.addEventListener("input", () => {
    const now = Date.now();
    if (!editing && box.value && now - lastTyping > TYPING_EVERY_MS && state.activeChatId) {
      if (send({ type: "typing", chat_id: state.activeChatId })) lastTyping = now;
    }
  });
  $("reply-cancel").addEventListener("click", () => { cancelReply(); box.focus(); });
  subscribe("active", () => { stopEdit(); renderReply(); updateSend(); });
}

/** Signed out: drafts (reply targets, files, an edit) go with the account. */
export function resetComposer() {
  stopEdit();
  replies.clear();
  renderReply();
  forgetUploads();
  $("composer-text").value = "";
}

/** A send the server refused (error frame naming its client_id) shows why. */
export function failSend(clientIdOf, reason) {
  const pending = state.pending.get(clientIdOf);
  if (!pending) return;
  state.pending.delete(clientIdOf);
  $("typing").textContent = `Not sent: ${reason}`;
  emit("messages", pending.chat_id);
}
