// Message search (apart from the sidebar's filter of chats and people): a dialog with the
// query, all chats or the open one, and the hits best first with chat, author, time and the
// highlighted snippet. Choosing a hit opens its chat at that message with its neighbours.

import { api, explain } from "../api.js";
import { $, debounce, displayName, el, modal, show } from "../dom.js";
import { formatDateTime, plural, t } from "../i18n.js";
import { snippetFragment } from "../richtext.js";
import { state, subscribe } from "../store.js";
import { ensureUsers } from "../users.js";

const LIMIT = 30;
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

function render(openAt) {
  $("message-search-results").replaceChildren(...lastHits.map((hit) => hitItem(hit, openAt)));
  show($("message-search-more"), more);
}

/** One page of hits for the query in the box; `next` asks for the hits after those shown. */
async function runSearch(openAt, { next = false } = {}) {
  const q = $("message-search").value.trim();
  const scope = $("message-search-scope").value;
  const key = `${scope}|${q}`;
  asked = key;
  const status = $("message-search-status");
  if (!q) { lastHits = []; more = false; render(openAt); status.textContent = ""; return; }
  status.textContent = t("search.searching");
  const params = new URLSearchParams({ q, limit: String(LIMIT) });
  if (scope) params.set("chat_id", scope);
  if (next && lastHits.length) params.set("before", String(lastHits[lastHits.length - 1].message.id));
  try {
    const hits = await api("GET", `/api/search?${params}`);
    if (asked !== key) return;
    lastHits = next ? [...lastHits, ...hits] : hits;
    more = hits.length === LIMIT;
    ensureUsers(hits.map((hit) => hit.message.sender_id));
    render(openAt);
    const count = lastHits.length;
    status.textContent = count ? plural(more ? "messagesFoundMore" : "messagesFound", count)
      : t("search.none");
  } catch (error) {
    if (asked !== key) return;
    lastHits = [];
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
  $("message-search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    runSearch(openAt);
  });
  subscribe("users", () => { if (lastHits.length) render(openAt); });
}
