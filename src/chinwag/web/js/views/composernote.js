// The line above the composer that says what a group's moderation holds me to: muted until a
// time ("You are muted in this group until …"), or slow mode ("one message every N s", and
// after a send the seconds left). The server decides; this only tells beforehand, and it
// goes by the clock of this device from the moment a send was acknowledged (no clock skew).

import { $, show } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { state, subscribe } from "../store.js";

const sentAt = new Map();  // chat id -> when my last send there was acknowledged (ms, this clock)
let timer = null;

function noteFor(chat, now) {
  const until = chat.muted_until ? Date.parse(chat.muted_until) : 0;
  if (until > now) {
    return { text: t("composer.muted", { until: formatDateTime(new Date(until)) }), next: until - now };
  }
  const seconds = chat.slow_mode_seconds || 0;
  if (!seconds || chat.role !== "member") return { text: "", next: null };  // admins aren't held
  const wait = Math.ceil(((sentAt.get(chat.id) ?? 0) + seconds * 1000 - now) / 1000);
  if (wait > 0) return { text: t("composer.slowWait", { wait }), next: 1000 };
  return { text: t("composer.slowMode", { seconds }), next: null };
}

function render() {
  clearTimeout(timer);
  const chat = state.chats.get(state.activeChatId);
  const { text, next } = chat ? noteFor(chat, Date.now()) : { text: "", next: null };
  const note = $("composer-note");
  if (note.textContent !== text) note.textContent = text;
  show(note, Boolean(text));
  // a mute's end or the next second of a wait: the line changes by itself
  if (next !== null) timer = setTimeout(render, Math.min(next + 50, 2 ** 31 - 1));
}

/** A send the server refused with `slow_mode`: the wait it named starts now. */
export function noteSlowModeRefusal(chatId, frame) {
  if (frame?.code !== "slow_mode" || !frame.slow_mode_seconds) return;
  sentAt.set(chatId, Date.now() - (frame.slow_mode_seconds - frame.retry_after) * 1000);
  render();
}

export function setupComposerNote() {
  subscribe("frame", (frame) => {
    if (frame.type === "ack" && frame.message) {
      sentAt.set(frame.message.chat_id, Date.now());
      if (frame.message.chat_id === state.activeChatId) render();
    }
  });
  subscribe("chats", render);
  subscribe("active", render);
  subscribe("language", render);
}

/** Signed out: nothing is remembered for the next account. */
export function resetComposerNote() {
  sentAt.clear();
  render();
}
