// Reactions under a message (chips "👍 2", pressed when I reacted, naming who did) and the
// picker a message's "Add reaction" action opens: the common emoji first, then the full set
// (GET /api/emoji, loaded once on first use) by group, with a search by name and alias.

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

let catalogue = null;  // the promise of the full set, fetched once

function pick(emoji) {
  const onPick = opener?.onPick;
  closePicker();
  if (onPick) onPick(emoji);
}

function choice(emoji, label, title = label) {
  return el("button", {
    class: "btn btn-light emoji-choice", text: emoji,
    attrs: { type: "button", "aria-label": label, title },
    on: { click: () => pick(emoji) },
  });
}

/** The full set under the common row: a heading and a grid per group. */
async function fillCatalogue(node) {
  catalogue ||= fetch("/api/emoji").then((r) => (r.ok ? r.json() : Promise.reject(r)));
  let groups;
  try {
    ({ groups } = await catalogue);
  } catch {
    catalogue = null;  // tried again on the next opening
    return;
  }
  const all = node.querySelector(".emoji-all");
  if (all.childElementCount) return;
  for (const group of groups) {
    const buttons = group.emoji.map((entry) => {
      const button = choice(entry.emoji, entry.name, [entry.name, ...entry.aliases.map((a) => `:${a}:`)].join(" "));
      button.dataset.names = [entry.name, ...entry.aliases].join(" ").toLowerCase().replaceAll("_", " ");
      return button;
    });
    all.append(el("section", { class: "emoji-group" },
      el("h3", { class: "emoji-group-name small text-body-secondary", text: t(`reactions.groups.${group.key}`) }),
      el("div", { class: "emoji-grid" }, ...buttons)));
  }
  filter(node);
}

/** Show only the emoji whose name or an alias holds every word typed. */
function filter(node) {
  const words = node.querySelector(".emoji-search").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  node.querySelector(".emoji-common").hidden = words.length > 0;
  let found = 0;
  for (const section of node.querySelectorAll(".emoji-group")) {
    let shown = 0;
    for (const button of section.querySelectorAll(".emoji-choice")) {
      const match = words.every((word) => button.dataset.names.includes(word));
      button.hidden = !match;
      if (match) shown += 1;
    }
    section.hidden = shown === 0;
    found += shown;
  }
  node.querySelector(".emoji-none").hidden = !words.length || found > 0;
}

function visibleChoices(node) {
  return [...node.querySelectorAll(".emoji-choice")].filter((b) => b.offsetParent !== null);
}

/** Arrows move through the emoji shown; rows are as wide as the grid they're in. */
function moveFocus(node, event) {
  const choices = visibleChoices(node);
  const at = choices.indexOf(document.activeElement);
  const grid = document.activeElement?.parentElement;
  const columns = grid ? Math.max(1, Math.round(grid.clientWidth / (document.activeElement.offsetWidth || 1))) : 4;
  const step = { ArrowRight: 1, ArrowDown: columns, ArrowLeft: -1, ArrowUp: -columns }[event.key];
  if (step && at >= 0) {
    event.preventDefault();
    choices[Math.max(0, Math.min(choices.length - 1, at + step))].focus();
  }
}

function searchKeys(node, event) {
  if (event.key === "ArrowDown") {
    event.preventDefault();
    visibleChoices(node)[0]?.focus();
  } else if (event.key === "Enter") {
    event.preventDefault();  // the first match, as in most pickers
    const first = visibleChoices(node)[0];
    if (first) pick(first.textContent);
  }
}

function buildPicker() {
  const search = el("input", { class: "form-control form-control-sm emoji-search", attrs: {
    type: "search", "aria-label": t("reactions.search"), placeholder: t("reactions.search") } });
  const node = el("div", { class: "emoji-picker shadow border rounded", attrs: {
    id: "emoji-picker", role: "dialog", "aria-label": t("reactions.pick"), hidden: "" } },
  search,
  el("div", { class: "emoji-common emoji-grid" },
    ...COMMON_EMOJI.map((emoji) => choice(emoji, t("reactions.with", { emoji })))),
  el("p", { class: "emoji-none small text-body-secondary m-1", text: t("reactions.none"), attrs: { hidden: "" } }),
  el("div", { class: "emoji-all" }));
  search.addEventListener("input", () => filter(node));
  search.addEventListener("keydown", (event) => searchKeys(node, event));
  node.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.stopPropagation(); closePicker(); return; }
    if (event.target === search) return;
    if (event.key.length === 1 && /\p{L}/u.test(event.key) && !event.ctrlKey && !event.metaKey) {
      search.focus();  // typing a letter on an emoji starts a search
      return;
    }
    moveFocus(node, event);
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
  const search = picker.querySelector(".emoji-search");
  if (search.value) { search.value = ""; filter(picker); }
  fillCatalogue(picker);
  const box = anchor.getBoundingClientRect();
  const width = picker.offsetWidth;
  const height = picker.offsetHeight;
  // CSSOM, not a style attribute: the CSP allows the one and refuses the other
  picker.style.left = `${Math.max(8, Math.min(window.innerWidth - width - 8, box.right - width))}px`;
  picker.style.top = `${box.top - height - 6 >= 8 ? box.top - height - 6 : box.bottom + 6}px`;
  picker.querySelector(".emoji-common button").focus();
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
