// The composer: Enter sends, Shift+Enter adds a line; typing frames at most every 3 s; a send
// shows at once as pending and is confirmed by its ack. Also edits my own messages.

import { api, explain } from "../api.js";
import { $, show } from "../dom.js";
import { send } from "../socket.js";
import { emit, state } from "../store.js";

const TYPING_EVERY_MS = 3000;
let lastTyping = 0;
let editing = null;  // the message being edited, or null

function clientId() {
  // randomUUID needs a secure context; getRandomValues works everywhere
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)),
    (b) => b.toString(16).padStart(2, "0")).join("");
}

export function sendMessage(chatId, text) {
  const pending = { chat_id: chatId, text, client_id: clientId(),
                    created_at: new Date().toISOString() };
  state.pending.set(pending.client_id, pending);
  emit("messages", chatId);
  // not connected: it stays pending and goes out again (same client_id) after `ready`
  send({ type: "message.send", chat_id: chatId, text, client_id: pending.client_id });
}

export function startEdit(message) {
  editing = message;
  const box = $("composer-text");
  box.value = message.text;
  show($("editing-note"), true);
  box.focus();
}

function stopEdit() {
  editing = null;
  $("composer-text").value = "";
  show($("editing-note"), false);
}

async function submit() {
  const box = $("composer-text");
  const text = box.value.trim();
  const chatId = state.activeChatId;
  if (!chatId) return;
  if (editing) {
    const message = editing;
    if (!text) return;
    try {
      await api("PATCH", `/api/messages/${message.id}`, { text });
      stopEdit();
    } catch (error) {
      $("typing").textContent = explain(error);
    }
    return;
  }
  if (!text) return;
  box.value = "";
  sendMessage(chatId, text);
}

export function setupComposer() {
  const box = $("composer-text");
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    } else if (event.key === "Escape" && editing) {
      stopEdit();
    }
  });
  box.addEventListener("input", () => {
    const now = Date.now();
    if (!editing && box.value && now - lastTyping > TYPING_EVERY_MS && state.activeChatId) {
      if (send({ type: "typing", chat_id: state.activeChatId })) lastTyping = now;
    }
  });
}

/** A send the server refused (error frame naming its client_id) shows why. */
export function failSend(clientIdOf, reason) {
  const pending = state.pending.get(clientIdOf);
  if (!pending) return;
  state.pending.delete(clientIdOf);
  $("typing").textContent = `Not sent: ${reason}`;
  emit("messages", pending.chat_id);
}
