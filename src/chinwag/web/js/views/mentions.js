// `@` in the composer offers the chat's members (and @all in a group): Up/Down choose,
// Enter or Tab puts `@username ` in, Escape closes the list.

import { $, displayName, el } from "../dom.js";
import { t } from "../i18n.js";
import { state, subscribe } from "../store.js";

const SHOWN = 6;
const TYPED = /(^|[^A-Za-z0-9_.@/-])@([A-Za-z0-9_.-]{0,32})$/;
let box = null;
let options = [];   // [{username, label}]
let chosen = 0;
let typedFrom = 0;  // where the `@` is in the box
let dismissed = false;  // Escape closed the list: it stays closed until the next keystroke

function candidates(prefix) {
  const chat = state.chats.get(state.activeChatId);
  const members = state.members.get(state.activeChatId);
  if (!chat || !members) return [];
  const needle = prefix.toLowerCase();
  const people = [...members.values()].filter((m) => m.user_id !== state.me.id)
    .map((m) => ({ username: m.user.username, label: displayName(m.user) }));
  if (chat.kind === "group") people.push({ username: "all", label: t("mentions.all") });
  return people.filter((p) => p.username.toLowerCase().startsWith(needle)
    || p.label.toLowerCase().split(/\s+/).some((word) => word.startsWith(needle)))
    .slice(0, SHOWN);
}

function close() {
  options = [];
  $("mention-list").replaceChildren();
  $("mention-list").hidden = true;
  box.removeAttribute("aria-activedescendant");
}

function render() {
  const list = $("mention-list");
  list.replaceChildren(...options.map((option, index) => el("li", {
    class: `mention-option ${index === chosen ? "active" : ""}`,
    attrs: { role: "option", id: `mention-option-${index}`, "aria-selected": index === chosen ? "true" : "false" },
    on: { mousedown: (event) => { event.preventDefault(); pick(index); } },
  }, el("span", { class: "fw-semibold", text: `@${option.username}` }), " ",
  el("span", { class: "text-body-secondary small", text: option.label }))));
  list.hidden = !options.length;
  if (options.length) box.setAttribute("aria-activedescendant", `mention-option-${chosen}`);
  else box.removeAttribute("aria-activedescendant");
}

function pick(index) {
  const option = options[index];
  if (!option) return;
  const caret = box.selectionStart;
  const inserted = `@${option.username} `;
  box.value = box.value.slice(0, typedFrom) + inserted + box.value.slice(caret);
  box.selectionStart = box.selectionEnd = typedFrom + inserted.length;
  close();
  box.dispatchEvent(new Event("input"));
}

function onInput() {
  const before = box.value.slice(0, box.selectionStart);
  const match = TYPED.exec(before);
  if (!match) return close();
  typedFrom = before.length - match[2].length - 1;
  options = candidates(match[2]);
  chosen = Math.min(chosen, Math.max(0, options.length - 1));
  render();
}

function onKeydown(event) {
  if (!options.length) return;
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    chosen = (chosen + (event.key === "ArrowDown" ? 1 : -1) + options.length) % options.length;
    render();
  } else if ((event.key === "Enter" && !event.shiftKey) || event.key === "Tab") {
    event.preventDefault();
    pick(chosen);
  } else if (event.key === "Escape") {
    event.preventDefault();
    dismissed = true;
    close();
  }
}

export function setupMentions(textarea) {
  box = textarea;
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-controls", "mention-list");
  box.addEventListener("keydown", onKeydown);
  box.addEventListener("input", () => {
    dismissed = false;
    chosen = options.length ? chosen : 0;
    onInput();
  });
  box.addEventListener("blur", () => close());
  // typed before the member list came: offer it once it is here
  subscribe("members", (chatId) => {
    if (chatId === state.activeChatId && document.activeElement === box && !dismissed) onInput();
  });
}
