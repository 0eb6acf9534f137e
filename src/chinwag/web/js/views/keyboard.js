// Keyboard shortcuts of the whole client: Ctrl/Cmd+K opens the quick switcher (type, arrows,
// Enter), "?" lists the shortcuts, Alt+Up/Down moves to the previous or next chat of the list,
// Esc closes what is open (Bootstrap's dialogs close themselves; on a phone Esc in the open
// chat goes back to the list). Up in an empty composer (composer.js) edits my last message.

import { $, el, icon, modal } from "../dom.js";
import { t } from "../i18n.js";
import { sortedChats, state } from "../store.js";

let openChat = () => {};
let picked = 0;  // index of the highlighted switcher option

function typing(target) {
  return target instanceof HTMLElement
    && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

function dialogOpen() {
  return Boolean(document.querySelector(".modal.show"));
}

function matches() {
  const needle = $("switcher-input").value.trim().toLowerCase();
  return sortedChats().filter((chat) => !needle || chat.name.toLowerCase().includes(needle))
    .slice(0, 12);
}

function renderSwitcher() {
  const chats = matches();
  picked = Math.min(picked, Math.max(0, chats.length - 1));
  const options = chats.map((chat, index) => el("li", {
    class: `list-group-item list-group-item-action switch-option ${index === picked ? "active" : ""}`,
    attrs: { role: "option", id: `switch-${chat.id}`, "aria-selected": index === picked ? "true" : "false",
             "data-chat-id": chat.id },
    on: { click: () => choose(chat.id) },
  }, icon(chat.kind === "direct" ? "person" : chat.kind === "group_dm" ? "people"
    : chat.is_public ? "hash" : "lock"), " ",
  el("span", { text: chat.name }),
  chat.unread ? el("span", { class: "badge rounded-pill text-bg-primary ms-2", text: chat.unread }) : null));
  if (!options.length) {
    options.push(el("li", { class: "list-group-item small text-body-secondary", text: t("switcher.none") }));
  }
  $("switcher-results").replaceChildren(...options);
  const active = chats[picked];
  if (active) $("switcher-input").setAttribute("aria-activedescendant", `switch-${active.id}`);
  else $("switcher-input").removeAttribute("aria-activedescendant");
}

function choose(chatId) {
  modal("switcher-dialog").hide();
  openChat(chatId);
}

export function openSwitcher() {
  $("switcher-input").value = "";
  picked = 0;
  renderSwitcher();
  modal("switcher-dialog").show();
}

function onSwitcherKey(event) {
  const chats = matches();
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    const step = event.key === "ArrowDown" ? 1 : -1;
    picked = (picked + step + chats.length) % Math.max(1, chats.length);
    renderSwitcher();
  } else if (event.key === "Enter") {
    event.preventDefault();
    if (chats[picked]) choose(chats[picked].id);
  }
}

/** Alt+Up / Alt+Down: the chat above or below the open one in the list. */
function moveChat(step) {
  const chats = sortedChats();
  if (!chats.length) return;
  const index = chats.findIndex((chat) => chat.id === state.activeChatId);
  const next = index < 0 ? (step > 0 ? 0 : chats.length - 1)
    : Math.min(chats.length - 1, Math.max(0, index + step));
  openChat(chats[next].id);
}

/** On a phone, Esc with nothing else to close goes back from the open chat to the list
 * (from an empty message box too: a half-written message is kept by staying). */
function leavesChat(target) {
  if (dialogOpen() || !document.body.classList.contains("chat-open")) return false;
  if (!window.matchMedia("(max-width: 767.98px)").matches) return false;
  return !typing(target) || (target.id === "composer-text" && !target.value);
}

function onKey(event) {
  if (!state.me || event.defaultPrevented) return;
  const key = event.key.toLowerCase();
  if ((event.ctrlKey || event.metaKey) && key === "k") {
    event.preventDefault();
    if (!$("switcher-dialog").classList.contains("show")) openSwitcher();
  } else if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
    if (dialogOpen()) return;
    event.preventDefault();
    moveChat(event.key === "ArrowUp" ? -1 : 1);
  } else if (event.key === "?" && !typing(event.target) && !dialogOpen()) {
    event.preventDefault();
    modal("shortcuts-dialog").show();
  } else if (event.key === "Escape" && leavesChat(event.target)) {
    $("back-button").click();  // phone: Esc leaves the open chat for the list
  }
}

export function setupKeyboard({ openChat: open }) {
  openChat = open;
  document.addEventListener("keydown", onKey);
  $("switcher-input").addEventListener("input", () => { picked = 0; renderSwitcher(); });
  $("switcher-input").addEventListener("keydown", onSwitcherKey);
  $("switcher-dialog").addEventListener("shown.bs.modal", () => $("switcher-input").focus());
  $("shortcuts-button").addEventListener("click", () => modal("shortcuts-dialog").show());
}
