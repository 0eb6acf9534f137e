// The settings behind push and missed-message email: a chat's mute (the bell in the chat
// header) and the email switch in the account dialog.

import { api, explain } from "../api.js";
import { $, show } from "../dom.js";
import { t } from "../i18n.js";
import { emit, putChat, state, subscribe } from "../store.js";

function renderMute() {
  const chat = state.chats.get(state.activeChatId);
  const button = $("mute-button");
  show(button, Boolean(chat?.role));
  if (!chat) return;
  const label = chat.muted ? t("mute.unmute") : t("mute.mute");
  button.setAttribute("aria-pressed", String(Boolean(chat.muted)));
  button.setAttribute("aria-label", label);
  button.title = label;
  button.querySelector("i").className = `bi ${chat.muted ? "bi-bell-slash" : "bi-bell"}`;
}

async function toggleMute() {
  const chat = state.chats.get(state.activeChatId);
  if (!chat) return;
  const button = $("mute-button");
  button.disabled = true;
  try {
    const answer = await api("PUT", `/api/chats/${chat.id}/notifications`, { muted: !chat.muted });
    putChat({ id: chat.id, muted: answer.muted });
  } catch (error) {
    button.title = `${t("mute.failed")} ${explain(error)}`;
  } finally {
    button.disabled = false;
    button.focus();  // the press changed its label: keep the focus where it was
  }
}

function renderEmailSwitch() {
  $("email-missed").checked = state.me?.email_missed_messages !== false;
}

async function changeEmailSwitch() {
  const box = $("email-missed");
  show($("email-missed-error"), false);
  try {
    state.me = await api("PATCH", "/api/users/me", { email_missed_messages: box.checked });
    emit("me");
  } catch (error) {
    box.checked = !box.checked;
    $("email-missed-error").textContent = explain(error);
    show($("email-missed-error"), true);
  }
}

export function setupNotificationSettings() {
  subscribe("active", renderMute);
  subscribe("chats", renderMute);
  subscribe("me", renderEmailSwitch);
  $("mute-button").addEventListener("click", toggleMute);
  $("email-missed").addEventListener("change", changeEmailSwitch);
}
