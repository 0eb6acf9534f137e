// Message search (apart from the sidebar's filter of chats and people): a dialog with the
// query, all chats or the open one, and the hits best first with chat, author, time and the
// highlighted snippet. Choosing a hit opens its chat at that message with its neighbours.
// The box takes the server's operators as typed (from:@ana in:#design has:file ...); a help
// panel lists them (choosing one adds it to the box) and the operators of the query shown
// are chips above the hits.

import { api, explain } from "../api.js";
import { $, debounce, displayName, el, modal, show } from "../dom.js";
import { formatDateTime, plural, t } from "../i18n.js";
import { snippetFragment } from "../richtext.js";
import { state, subscribe } from "../store.js";
import { ensureUsers } from "../users.js";

const LIMIT = 30;
// The operators as written (syntax, the same in every language) and what each means.
const OPERATORS = [
  ["from:@username", "opFrom"], ["in:#group", "opIn"], ["in:@username", "opInDirect"],
  ["before:2026-03-01", "opBefore"], ["after:2026-03-01", "opAfter"], ["on:2026-03-01", "opOn"],
  ["has:file", "opHasFile"], ["has:link", "opHasLink"], ['"exact words"', "opPhrase"],
  ["is:pinned", "opPinned"], ["is:thread", "opLater"],
];
const EXAMPLE = ["deploy", "from:@ana", "in:#design", "after:2026-03-01", "has:file"].join(" ");
// An operator of the query, as the server reads it (search.query): name:value, the value
// maybe after # or @ and maybe quoted.
const OPERATOR = /(?:^|\s)((?:from|in|before|after|on|has|is):[#@]?(?:"[^"]*"?|[^\s"]+))/gi;
let asked = "";  // the query whose answer the list shows (a later one wins)
let lastHits = [];

function when(iso) {
  return formatDateTime(new Date(iso));
}

function hitItem(hit, openAt) {
  const chat = state.chats.get(hit.chat_id);
  const author = displayName(state.users.get(hit.message.sender_id));
  const snippet = el("div", { class: "search-snippet small" });
  snippet.append(snippetFragment(hit.snippet));
  return el("li", { class: "p-0 list-unstyled" }, el("button", {
    class: "list-group-item list-group-item-action search-hit",
    attrs: { type: "button", "data-chat-id": hit.chat_id, "data-seq": hit.message.seq },
    on: { click: () => { modal("search-dialog").hide(); openAt(hit.chat_id, hit.message.seq).catch(() => {}); } },
  },
  el("div", { class: "d-flex gap-2 small" },
    el("span", { class: "fw-semibold text-truncate", text: chat ? chat.name : "A chat" }),
    el("span", { class: "text-body-secondary text-truncate flex-grow-1", text: author }),
    el("time", { class: "text-body-secondary text-nowrap", text: when(hit.message.created_at),
                 attrs: { datetime: hit.message.created_at } })),
  snippet));
}

let more = false;  // the last page was full: there may be more hits
let chips = [];  // the operators of the query the list shows

function render(openAt) {
  $("message-search-results").replaceChildren(...lastHits.map((hit) => hitItem(hit, openAt)));
  $("message-search-chips").replaceChildren(...chips.map((chip) => el("li", {},
    el("span", { class: "badge rounded-pill text-bg-secondary search-chip", text: chip }))));
  show($("message-search-more"), more);
}

function operatorsOf(q) {
  return [...q.matchAll(OPERATOR)].map((match) => match[1]);
}

/** The help panel: each operator (a button that adds it to the box) and what it does. */
function renderHelp() {
  const box = $("message-search");
  const add = (token) => {
    box.value = `${box.value.trim()} ${token}`.trimStart();
    box.focus();
    box.dispatchEvent(new Event("input"));
  };
  $("message-search-help").replaceChildren(
    el("p", { class: "mb-1", text: t("search.helpIntro") }),
    el("ul", { class: "list-unstyled mb-1" }, ...OPERATORS.map(([token, key]) => el("li", {},
      el("button", { class: "btn btn-link btn-sm p-0 font-monospace search-operator",
                     attrs: { type: "button" }, text: token, on: { click: () => add(token) } }),
      el("span", { class: "text-body-secondary", text: ` — ${t(`search.${key}`)}` })))),
    el("p", { class: "mb-0" }, el("span", { text: `${t("search.example")}: ` }),
      el("code", { text: EXAMPLE })));
}

function toggleHelp() {
  const button = $("message-search-help-button");
  const open = button.getAttribute("aria-expanded") !== "true";
  if (open) renderHelp();
  button.setAttribute("aria-expanded", String(open));
  show($("message-search-help"), open);
}

/** One page of hits for the query in the box; `next` asks for the hits after those shown. */
async function runSearch(openAt, { next = false } = {}) {
  const q = $("message-search").value.trim();
  const scope = $("message-search-scope").value;
  const key = `${scope}|${q}`;
  asked = key;
  const status = $("message-search-status");
  if (!q) { lastHits = []; chips = []; more = false; render(openAt); status.textContent = ""; return; }
  status.textContent = t("search.searching");
  const params = new URLSearchParams({ q, limit: String(LIMIT) });
  if (scope) params.set("chat_id", scope);
  if (next && lastHits.length) params.set("before", String(lastHits[lastHits.length - 1].message.id));
  try {
    const hits = await api("GET", `/api/search?${params}`);
    if (asked !== key) return;
    lastHits = next ? [...lastHits, ...hits] : hits;
    chips = operatorsOf(q);
    more = hits.length === LIMIT;
    ensureUsers(hits.map((hit) => hit.message.sender_id));
    render(openAt);
    const count = lastHits.length;
    status.textContent = count ? plural(more ? "messagesFoundMore" : "messagesFound", count)
      : t("search.none");
  } catch (error) {
    if (asked !== key) return;
    lastHits = [];
    chips = [];
    more = false;
    render(openAt);
    status.textContent = explain(error);
  }
}

/** Open the dialog; `inChat` searches the open chat only. */
function openSearch(inChat) {
  const chat = state.chats.get(state.activeChatId);
  const scope = $("message-search-scope");
  const here = scope.querySelector("option[data-here]");
  show(here, Boolean(chat));
  if (chat) { here.value = String(chat.id); here.textContent = t("search.inChat", { name: chat.name }); }
  scope.value = inChat && chat ? String(chat.id) : "";
  modal("search-dialog").show();
}

export function setupSearch({ openAt }) {
  const search = debounce(() => runSearch(openAt), 300);
  const open = (inChat) => {
    openSearch(inChat);
    if ($("message-search").value.trim()) runSearch(openAt);  // the scope may differ now
  };
  $("message-search-button").addEventListener("click", () => open(false));
  $("chat-search-button").addEventListener("click", () => open(true));
  $("search-dialog").addEventListener("shown.bs.modal", () => $("message-search").select());
  $("message-search").addEventListener("input", search);
  $("message-search-scope").addEventListener("change", () => runSearch(openAt));
  $("message-search-more").addEventListener("click", () => runSearch(openAt, { next: true }));
  $("message-search-help-button").addEventListener("click", toggleHelp);
  $("message-search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    runSearch(openAt);
  });
  subscribe("users", () => { if (lastHits.length) render(openAt); });
}
