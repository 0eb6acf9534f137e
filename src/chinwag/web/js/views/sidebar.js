// The chat list (latest activity first, unread badges, previews, online dots) and the search
// box that filters it and finds people (start a direct chat) and public groups (join).

import { api, explain } from "../api.js";
import { avatar } from "../avatars.js";
import { $, debounce, displayName, el, icon } from "../dom.js";
import { htmlText, plainText } from "../richtext.js";
import { rememberUser, putChat, sortedChats, state, subscribe } from "../store.js";
import { plural } from "../i18n.js";
import { ensureUsers } from "../users.js";

let query = "";

export function setupSidebar({ openChat }) {
  const render = () => renderList(openChat);
  for (const topic of ["chats", "presence", "active", "me", "users"]) subscribe(topic, render);
  const search = debounce(() => searchDirectory(openChat), 250);
  $("search").addEventListener("input", () => {
    query = $("search").value.trim();
    render();
    search();
  });
  $("search").addEventListener("keydown", (event) => {
    if (event.key === "Escape") { $("search").value = ""; query = ""; render(); search(); }
  });
}

function preview(chat) {
  const message = chat.last_message;
  if (!message) return "No messages yet";
  if (message.deleted) return "Message deleted";
  if (message.kind === "system") return message.text;
  const who = message.sender_id === state.me?.id ? "You"
    : chat.kind === "group" ? displayName(state.users.get(message.sender_id)) : "";
  const files = message.attachments?.length || 0;
  // the words as shown in the chat, not the Markdown that was typed
  const words = typeof message.html === "string" ? htmlText(message.html) : plainText(message.text);
  const text = words || (files ? plural("files", files) : "");
  return who ? `${who}: ${text}` : text;
}

function chatItem(chat, openChat) {
  const active = chat.id === state.activeChatId;
  const online = chat.kind === "direct" && chat.peer && state.online.has(chat.peer.id);
  const badge = chat.unread
    ? el("span", { class: "badge rounded-pill text-bg-primary", text: chat.unread,
                   attrs: { "aria-label": `${chat.unread} unread` } })
    : null;
  const mentions = chat.unread_mentions || 0;
  const mentionBadge = mentions
    ? el("span", { class: "badge rounded-pill text-bg-danger mention-badge", text: "@",
                   attrs: { "aria-label": `${mentions} mention${mentions === 1 ? "" : "s"}`,
                            title: `${mentions} unread mention${mentions === 1 ? "" : "s"}` } })
    : null;
  const peer = chat.peer && (state.users.get(chat.peer.id) || chat.peer);
  const marker = chat.kind === "direct"
    ? el("span", { class: "avatar-wrap" }, avatar(peer),
      el("span", { class: `presence-dot ${online ? "online" : ""}`, attrs: { "aria-hidden": "true" } }))
    : icon(chat.is_public ? "hash" : "lock");
  const button = el("button", {
    class: `list-group-item list-group-item-action chat-item ${active ? "active" : ""}`,
    attrs: { type: "button", "data-chat-id": chat.id, "aria-current": active ? "true" : null },
    on: { click: () => openChat(chat.id) },
  },
  el("div", { class: "d-flex align-items-center gap-2" }, marker,
    el("span", { class: "chat-name text-truncate flex-grow-1 fw-semibold", text: chat.name }),
    online ? el("span", { class: "visually-hidden", text: "online" }) : null,
    mentionBadge, badge),
  el("div", { class: "chat-preview small text-truncate", text: preview(chat) }));
  return el("li", { class: "p-0 list-unstyled" }, button);
}

function renderList(openChat) {
  const needle = query.toLowerCase();
  const chats = sortedChats().filter((chat) => !needle || chat.name.toLowerCase().includes(needle));
  const items = chats.map((chat) => chatItem(chat, openChat));
  // peers for their avatars, and whoever wrote the latest line of a group
  ensureUsers(chats.map((chat) => chat.peer?.id || chat.last_message?.sender_id));
  if (!items.length && !needle) {
    items.push(el("li", { class: "list-group-item text-body-secondary small",
                          text: "No chats yet: start one with the buttons above." }));
  }
  $("chat-list").replaceChildren(...items);
}

async function searchDirectory(openChat) {
  const box = $("search-results");
  const q = query;
  if (!q) { box.replaceChildren(); return; }
  try {
    const [people, groups] = await Promise.all([
      api("GET", `/api/users?q=${encodeURIComponent(q)}&limit=10`),
      api("GET", `/api/chats/discover?q=${encodeURIComponent(q)}&limit=10`),
    ]);
    if (q !== query) return;  // a later keystroke owns the box now
    box.replaceChildren(...peopleSection(people, openChat), ...groupSection(groups, openChat));
  } catch (error) {
    box.replaceChildren(el("p", { class: "text-danger small p-2", text: explain(error) }));
  }
}

function peopleSection(people, openChat) {
  const others = people.filter((person) => person.id !== state.me?.id);
  if (!others.length) return [];
  const items = others.map((person) => {
    rememberUser(person);
    return el("li", { class: "p-0 list-unstyled" }, el("button", {
      class: "list-group-item list-group-item-action",
      attrs: { type: "button", "aria-label": `Message ${displayName(person)}` },
      on: { click: () => openDirect(person.id, openChat) },
    }, icon("person"), " ", el("span", { text: displayName(person) }),
    el("span", { class: "text-body-secondary small", text: ` @${person.username}` })));
  });
  return [el("h3", { class: "h6 px-2 pt-2 small text-uppercase", text: "People" }),
          el("ul", { class: "list-group list-group-flush" }, ...items)];
}

function groupSection(groups, openChat) {
  if (!groups.length) return [];
  const items = groups.map((group) => el("li", { class: "p-0 list-unstyled" }, el("button", {
    class: "list-group-item list-group-item-action",
    attrs: { type: "button",
             "aria-label": group.role ? `Open ${group.name}` : `Join ${group.name}` },
    on: { click: () => joinGroup(group, openChat) },
  }, icon("hash"), " ", el("span", { text: group.name }),
  el("span", { class: "text-body-secondary small",
               text: group.role ? " (joined)" : ` · ${plural("members", group.member_count)} · Join` }))));
  return [el("h3", { class: "h6 px-2 pt-2 small text-uppercase", text: "Public groups" }),
          el("ul", { class: "list-group list-group-flush" }, ...items)];
}

function clearSearch() {
  $("search").value = "";
  query = "";
  $("search-results").replaceChildren();
}

export async function openDirect(userId, openChat) {
  const chat = putChat(await api("POST", "/api/chats/direct", { user_id: userId }));
  clearSearch();
  openChat(chat.id);
}

export async function joinGroup(group, openChat) {
  const chat = group.role ? group : await api("POST", `/api/chats/${group.id}/join`);
  putChat(chat);
  clearSearch();
  openChat(chat.id);
}
