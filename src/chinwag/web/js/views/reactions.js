// Reactions under a message (chips "👍 2", pressed when I reacted, naming who did) and the
// picker of common emoji a message's "Add reaction" action opens.

import { api, explain } from "../api.js";
import { $, displayName, el } from "../dom.js";
import { applyReaction } from "../events.js";
import { t } from "../i18n.js";
import { state } from "../store.js";
import { ensureUsers } from "../users.js";

export const COMMON_EMOJI = ["👍", "👎", "😄", "🎉", "❤️", "😮", "😢", "🙏", "👀", "🚀", "✅", "😂"];

let picker = null;     // the one picker element, made on first use
let opener = null;     // {focusKey, onPick} of the message action that opened it

function names(userIds) {
  ensureUsers(userIds);
  const named = userIds.map((id) => (id === state.me.id ? "you" : displayName(state.users.get(id))));
  return named.length ? named.join(", ") : "nobody";
}

/** React, or take my reaction back; the event (or this answer, if the socket is down) shows it. */
export async function toggleReaction(message, emoji) {
  const mine = message.reactions?.find((r) => r.emoji === emoji)?.user_ids.includes(state.me.id);
  try {
    await api(mine ? "DELETE" : "PUT", `/api/messages/${message.id}/reactions/${encodeURIComponent(emoji)}`);
    applyReaction(message.chat_id, message.id, emoji, state.me.id, !mine);
  } catch (error) {
    $("typing").textContent = explain(error);
  }
}

export function reactionChips(message, handlers) {
  const reactions = (message.reactions || []).filter((r) => r.count > 0);
  if (!reactions.length || message.pending) return null;
  return el("div", { class: "reactions", attrs: { role: "group", "aria-label": t("reactions.label") } },
    ...reactions.map((reaction) => {
      const pressed = reaction.user_ids.includes(state.me.id);
      const who = names(reaction.user_ids);
      return el("button", {
        class: `reaction-chip ${pressed ? "pressed" : ""}`,
        attrs: { type: "button", "aria-pressed": pressed ? "true" : "false", title: who,
                 "aria-label": `${reaction.emoji} ${reaction.count}: ${who}`,
                 "data-focus-key": `reaction-${message.seq}-${reaction.emoji}` },
        on: { click: () => handlers.toggleReaction(message, reaction.emoji) },
      }, el("span", { class: "emoji", text: reaction.emoji, attrs: { "aria-hidden": "true" } }),
      el("span", { class: "count", text: reaction.count, attrs: { "aria-hidden": "true" } }));
    }));
}

function buildPicker() {
  const node = el("div", { class: "emoji-picker shadow border rounded", attrs: {
    id: "emoji-picker", role: "dialog", "aria-label": t("reactions.pick"), hidden: "" } },
  ...COMMON_EMOJI.map((emoji) => el("button", {
    class: "btn btn-light emoji-choice", text: emoji,
    attrs: { type: "button", "aria-label": t("reactions.with", { emoji }), title: t("reactions.with", { emoji }) },
    on: { click: () => { const pick = opener?.onPick; closePicker(); if (pick) pick(emoji); } },
  })));
  node.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.stopPropagation(); closePicker(); }
    const choices = [...node.querySelectorAll("button")];
    const at = choices.indexOf(document.activeElement);
    const step = { ArrowRight: 1, ArrowDown: 4, ArrowLeft: -1, ArrowUp: -4 }[event.key];
    if (step && at >= 0) {
      event.preventDefault();
      choices[(at + step + choices.length) % choices.length].focus();
    }
  });
  node.addEventListener("focusout", (event) => {
    if (!node.contains(event.relatedTarget) && event.relatedTarget) closePicker(false);
  });
  document.addEventListener("pointerdown", (event) => {
    if (!node.hidden && !node.contains(event.target)) closePicker(false);
  });
  document.body.append(node);
  return node;
}

/** Open the picker next to `anchor` (a message's action button); `onPick(emoji)`. */
export function openPicker(anchor, onPick) {
  picker ||= buildPicker();
  const message = anchor.closest(".message");
  opener = { focusKey: anchor.dataset.focusKey, messageKey: message?.dataset.focusKey, onPick };
  picker.hidden = false;
  const box = anchor.getBoundingClientRect();
  const width = picker.offsetWidth;
  const height = picker.offsetHeight;
  // CSSOM, not a style attribute: the CSP allows the one and refuses the other
  picker.style.left = `${Math.max(8, Math.min(window.innerWidth - width - 8, box.right - width))}px`;
  picker.style.top = `${box.top - height - 6 >= 8 ? box.top - height - 6 : box.bottom + 6}px`;
  picker.querySelector("button").focus();
}

/** Close it; focus goes back to the action that opened it (found again after re-renders). */
export function closePicker(returnFocus = true) {
  if (!picker || picker.hidden) return;
  picker.hidden = true;
  const { focusKey, messageKey } = opener || {};
  opener = null;
  if (!returnFocus) return;
  const list = $("messages");
  // an action shows only while its message has the focus (or the pointer): message first
  if (messageKey) list.querySelector(`[data-focus-key="${messageKey}"]`)?.focus();
  if (focusKey) list.querySelector(`[data-focus-key="${focusKey}"]`)?.focus();
}
