// The chat list (latest activity first, unread badges, previews, online dots) and the search
// box that filters it and finds people (start a direct chat) and public groups (join). With no
// chats yet it offers the public groups to join; a search that finds nothing says so.

import { api, explain } from "../api.js";
import { avatar } from "../avatars.js";
import { $, debounce, displayName, el, icon } from "../dom.js";
import { htmlText, plainText } from "../richtext.js";
import { rememberUser, putChat, sortedChats, state, subscribe } from "../store.js";
import { systemText } from "../systemtext.js";
import { formatWhen, plural, t } from "../i18n.js";
import { ensureUsers } from "../users.js";

let query = "";

export function setupSidebar({ openChat }) {
  const render = () => renderList(openChat);
  for (const topic of ["chats", "presence", "active", "me", "users", "language"]) subscribe(topic, render);
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
  if (!message) return t("sidebar.noMessages");
  if (message.deleted) return t("sidebar.deleted");
  if (message.kind === "system") return systemText(message.text);
  const who = message.sender_id === state.me?.id ? t("sidebar.you")
    : chat.kind !== "direct" ? displayName(state.users.get(message.sender_id)) : "";
  const files = message.attachments?.length || 0;
  // the words as shown in the chat, not the Markdown that was typed
  const words = typeof message.html === "string" ? htmlText(message.html) : plainText(message.text);
  const text = words || (files ? plural("files", files) : "");
  return who ? `${who}: ${text}` : text;
}

/** Two of a group direct message's other people, one behind the other. */
function groupAvatar(chat) {
  const others = (chat.members || []).filter((m) => m.id !== state.me?.id).slice(0, 2);
  return el("span", { class: "avatar-stack", attrs: { "aria-hidden": "true" } },
    ...others.map((m) => avatar(state.users.get(m.id) || m)));
}

function chatItem(chat, openChat) {
  const active = chat.id === state.activeChatId;
  const online = chat.kind === "direct" && chat.peer && state.online.has(chat.peer.id);
  const badge = chat.unread
    ? el("span", { class: "badge rounded-pill text-bg-primary", text: chat.unread,
                   attrs: { "aria-label": plural("unreadBadge", chat.unread),
                            title: plural("unread", chat.unread) } })
    : null;
  const mentions = chat.unread_mentions || 0;
  const mentionBadge = mentions
    ? el("span", { class: "badge rounded-pill text-bg-danger mention-badge", text: "@",
                   attrs: { "aria-label": plural("mentionBadge", mentions),
                            title: plural("mentions", mentions) } })
    : null;
  const peer = chat.peer && (state.users.get(chat.peer.id) || chat.peer);
  const when = chat.last_message?.created_at ? new Date(chat.last_message.created_at) : null;
  const marker = chat.kind === "direct"
    ? el("span", { class: "avatar-wrap" }, avatar(peer),
      el("span", { class: `presence-dot ${online ? "online" : ""}`, attrs: { "aria-hidden": "true" } }))
    : chat.kind === "group_dm" ? groupAvatar(chat)
      : icon(chat.is_public ? "hash" : "lock");
  const button = el("button", {
    class: `list-group-item list-group-item-action chat-item ${active ? "active" : ""}`,
    attrs: { type: "button", "data-chat-id": chat.id, "aria-current": active ? "true" : null },
    on: { click: () => openChat(chat.id) },
  },
  el("div", { class: "d-flex align-items-center gap-2" }, marker,
    el("span", { class: "chat-name text-truncate flex-grow-1 fw-semibold", text: chat.name }),
    online ? el("span", { class: "visually-hidden", text: t("presence.online") }) : null,
    when ? el("time", { class: "chat-time", text: formatWhen(when),
                        attrs: { datetime: chat.last_message.created_at } }) : null),
  el("div", { class: "d-flex align-items-center gap-2" },
    el("span", { class: "chat-preview small text-truncate flex-grow-1", text: preview(chat) }),
    mentionBadge, badge));
  return el("li", { class: "p-0 list-unstyled" }, button);
}

function renderList(openChat) {
  const needle = query.toLowerCase();
  const chats = sortedChats().filter((chat) => !needle || chat.name.toLowerCase().includes(needle));
  const items = chats.map((chat) => chatItem(chat, openChat));
  // peers for their avatars, and whoever wrote the latest line of a group
  ensureUsers(chats.map((chat) => chat.peer?.id || chat.last_message?.sender_id));
  if (!items.length && !needle) items.push(...emptyGuide(openChat));
  $("chat-list").replaceChildren(...items);
}

let suggested = null;  // public groups offered to someone with no chat yet (fetched once)

/** No chat yet: say how to start one, and offer the public groups to join. */
function emptyGuide(openChat) {
  if (suggested === null) {
    suggested = [];
    api("GET", "/api/chats/discover?limit=8")
      .then((groups) => { suggested = groups; if (!state.chats.size) renderList(openChat); })
      .catch(() => { suggested = null; });
  }
  const groups = suggested.filter((group) => !state.chats.has(group.id));
  const guide = el("li", { class: "list-unstyled empty-guide", attrs: { "data-empty": "chats" } },
    el("p", { class: "small mb-2", text: t("sidebar.noChats") }));
  if (groups.length) {
    guide.append(el("h3", { class: "h6 small text-uppercase", text: t("sidebar.groupsToJoin") }),
      el("ul", { class: "list-group", attrs: { "aria-label": t("sidebar.groupsToJoin") } },
        ...groupItems(groups, openChat)));
  }
  return [guide];
}

/** Signed out: the next person gets their own suggestions. */
export function forgetSuggestions() {
  suggested = null;
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
    const found = [...peopleSection(people, openChat), ...groupSection(groups, openChat)];
    const chatsMatch = $("chat-list").querySelector(".chat-item");
    if (!found.length && !chatsMatch) {
      found.push(el("p", { class: "small text-body-secondary p-2 mb-0", attrs: { role: "status" },
                           text: t("sidebar.nothingFound", { q }) }));
    }
    box.replaceChildren(...found);
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
      attrs: { type: "button", "aria-label": t("sidebar.messagePerson", { name: displayName(person) }) },
      on: { click: () => openDirect(person.id, openChat) },
    }, icon("person"), " ", el("span", { text: displayName(person) }),
    el("span", { class: "text-body-secondary small", text: ` @${person.username}` })));
  });
  return [el("h3", { class: "h6 px-2 pt-2 small text-uppercase", text: t("sidebar.people") }),
          el("ul", { class: "list-group list-group-flush" }, ...items)];
}

function groupItems(groups, openChat) {
  return groups.map((group) => el("li", { class: "p-0 list-unstyled" }, el("button", {
    class: "list-group-item list-group-item-action",
    attrs: { type: "button",
             "aria-label": t(group.role ? "groups.open" : "groups.join", { name: group.name }) },
    on: { click: () => joinGroup(group, openChat) },
  }, icon("hash"), " ", el("span", { text: group.name }),
  el("span", { class: "text-body-secondary small",
               text: group.role ? ` ${t("groups.joined")}`
                 : ` · ${plural("members", group.member_count)} · ${t("groups.joinVerb")}` }))));
}

function groupSection(groups, openChat) {
  if (!groups.length) return [];
  const items = groupItems(groups, openChat);
  return [el("h3", { class: "h6 px-2 pt-2 small text-uppercase", text: t("sidebar.publicGroups") }),
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

/** The one conversation with these people: the direct chat for one, else the group direct
 * message of us all (the server finds it when it exists). */
export async function openConversation(userIds, openChat) {
  const body = userIds.length === 1 ? { user_id: userIds[0] } : { user_ids: userIds };
  const chat = putChat(await api("POST", "/api/chats/direct", body));
  clearSearch();
  openChat(chat.id);
}

export async function joinGroup(group, openChat) {
  const chat = group.role ? group : await api("POST", `/api/chats/${group.id}/join`);
  putChat(chat);
  clearSearch();
  openChat(chat.id);
}
