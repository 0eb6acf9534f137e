// The group panel: name, description, public or private, slow mode; members with roles; add
// people, remove, make or unmake admin, mute or unmute, ban; the banned, with unban; leave;
// delete.

import { api } from "../api.js";
import { $, debounce, displayName, el, modal, show, showAlert } from "../dom.js";
import { clearFieldErrors, showFieldErrors } from "../forms.js";
import { formatDateTime, t } from "../i18n.js";
import { putChat, state, subscribe } from "../store.js";
import { ensureUsers, loadMembers } from "../users.js";
import { confirmAction, findPeople } from "./dialogs.js";

const RANK = { member: 0, admin: 1, owner: 2 };
const MUTE_MINUTES = { mute10m: 10, mute1h: 60, mute1d: 1440, mute1w: 10080 };
let edited = false;  // the person changed the form since it was last filled
let muteEnds = null;  // the timer that redraws the members when the soonest mute ends

function chat() {
  return state.chats.get(state.activeChatId);
}

async function run(action) {
  showAlert($("group-error"), "");
  clearFieldErrors($("group-form"));
  try {
    await action();
  } catch (error) {
    showAlert($("group-error"), showFieldErrors($("group-form"), error,
      { name: "#group-name", description: "#group-description", retention_days: "#group-retention",
        slow_mode_seconds: "#group-slow-mode" }));
  }
}

/** The panel's fields and what my role lets me do; `keepEdits` leaves typed values alone. */
function fillForm({ keepEdits = false } = {}) {
  const group = chat();
  if (!group) return;
  const admin = RANK[group.role] >= RANK.admin;
  $("group-dialog-title").textContent = group.name;
  if (!keepEdits) {
    edited = false;
    $("group-name").value = group.name;
    $("group-description").value = group.description || "";
    $("group-public").checked = group.is_public;
    $("group-retention").value = group.retention_days ?? "";
    slowModeChoice(group.slow_mode_seconds || 0);
  }
  for (const id of ["group-name", "group-description", "group-public", "group-slow-mode"]) {
    $(id).disabled = !admin;
  }
  $("group-retention").disabled = group.role !== "owner";  // the owner's alone
  show($("group-save"), admin);
  show($("group-add"), admin);
  show($("group-delete"), group.role === "owner");
  show($("group-bans"), admin);
}

/** The slow-mode select on `seconds`, with an option for a value set elsewhere (the API). */
function slowModeChoice(seconds) {
  const select = $("group-slow-mode");
  if (![...select.options].some((o) => Number(o.value) === seconds)) {
    select.append(el("option", { text: `${seconds} s`, attrs: { value: String(seconds) } }));
  }
  select.value = String(seconds);
}

function mutedNow(member) {
  return Boolean(member.muted_until) && Date.parse(member.muted_until) > Date.now();
}

/** Mute (a select of durations) or Unmute, for someone my role is above. */
function muteControl(group, member, name) {
  if (mutedNow(member)) {
    return el("button", { class: "btn btn-outline-secondary", text: t("group.unmute"),
      attrs: { type: "button", "aria-label": t("group.unmuteOf", { name }), "data-focus-key": `unmute-${member.user_id}` },
      on: { click: () => run(() => api("DELETE", `/api/chats/${group.id}/mutes/${member.user_id}`)) } });
  }
  const select = el("select", { class: "form-select form-select-sm mute-select",
    attrs: { "aria-label": t("group.muteOf", { name }), "data-focus-key": `mute-${member.user_id}` },
    on: { change: () => {
      const minutes = Number(select.value);
      select.value = "";
      if (minutes) run(() => api("POST", `/api/chats/${group.id}/mutes`, { user_id: member.user_id, minutes }));
    } } },
  el("option", { text: t("group.mute"), attrs: { value: "" } }),
  ...Object.entries(MUTE_MINUTES).map(([key, minutes]) => el("option", { text: t(`group.${key}`),
    attrs: { value: String(minutes) } })));
  return select;
}

function banButton(group, member, name) {
  return el("button", { class: "btn btn-outline-danger", text: t("group.ban"),
    attrs: { type: "button", "aria-label": t("group.banOf", { name }), "data-focus-key": `ban-${member.user_id}` },
    on: { click: () => run(async () => {
      if (await confirmAction(t("group.confirmBan", { name }), t("group.ban"))) {
        await api("POST", `/api/chats/${group.id}/bans`, { user_id: member.user_id });
        keepFocusInPanel();
        await loadBans(group);
      }
    }) } });
}

function memberItem(group, member) {
  const mine = RANK[group.role] ?? -1;
  const online = member.user_id === state.me.id || state.online.has(member.user_id);
  const name = displayName(member.user);
  const bio = state.users.get(member.user_id)?.bio;  // the full profile, once fetched
  const buttons = el("div", { class: "btn-group btn-group-sm" });
  if (group.role === "owner" && member.user_id !== state.me.id) {
    const toAdmin = member.role === "member";
    buttons.append(el("button", { class: "btn btn-outline-secondary", text: t(toAdmin ? "group.makeAdmin" : "group.unmakeAdmin"),
      attrs: { type: "button", "aria-label": t(toAdmin ? "group.makeAdminOf" : "group.unmakeAdminOf", { name }),
               "data-focus-key": `role-${member.user_id}` },
      on: { click: () => run(() => api("PATCH", `/api/chats/${group.id}/members/${member.user_id}`,
                                       { role: toAdmin ? "admin" : "member" })) } }));
  }
  const above = member.user_id !== state.me.id && mine >= RANK.admin && RANK[member.role] < mine;
  if (above) buttons.append(muteControl(group, member, name));
  if (above) {
    buttons.append(el("button", { class: "btn btn-outline-danger", text: t("actions.remove"),
      attrs: { type: "button", "aria-label": t("group.removeOf", { name }), "data-focus-key": `remove-${member.user_id}` },
      on: { click: () => run(async () => {
        if (await confirmAction(t("group.confirmRemove", { name }), t("actions.remove"))) {
          await api("DELETE", `/api/chats/${group.id}/members/${member.user_id}`);
          keepFocusInPanel();
        }
      }) } }));
    buttons.append(banButton(group, member, name));
  }
  const muted = mutedNow(member);
  return el("li", { class: "list-group-item d-flex align-items-center gap-2", attrs: { "data-user-id": member.user_id } },
    el("span", { class: `presence-dot ${online ? "online" : ""}`, attrs: { "aria-hidden": "true" } }),
    el("span", { class: "flex-grow-1 min-w-0" },
      el("span", { class: "d-block text-truncate" }, el("span", { text: name }),
        el("span", { class: "text-body-secondary small", text: ` @${member.user.username}` }),
        el("span", { class: "visually-hidden", text: online ? " (online)" : " (offline)" })),
      bio ? el("span", { class: "member-bio d-block small text-body-secondary text-truncate", text: bio }) : null),
    member.role !== "member" ? el("span", { class: "badge text-bg-secondary", text: member.role }) : null,
    muted ? el("span", { class: "badge text-bg-warning member-muted",
      text: t("group.mutedUntil", { until: formatDateTime(new Date(member.muted_until)) }) }) : null,
    buttons);
}

/** The group's bans (admins), each with Unban; no events tell of them, so read on demand. */
async function loadBans(group) {
  if (RANK[group.role] < RANK.admin) return;
  const bans = await api("GET", `/api/chats/${group.id}/bans`);
  if (state.activeChatId !== group.id) return;
  const list = $("group-bans-list");
  const items = bans.map((ban) => el("li", { class: "list-group-item d-flex align-items-center gap-2",
    attrs: { "data-user-id": ban.user_id } },
  el("span", { class: "flex-grow-1 text-truncate", text: `@${ban.username}` }),
  el("button", { class: "btn btn-sm btn-outline-secondary", text: t("group.unban"),
    attrs: { type: "button", "aria-label": t("group.unbanOf", { name: `@${ban.username}` }) },
    on: { click: () => run(async () => {
      await api("DELETE", `/api/chats/${group.id}/bans/${ban.user_id}`);
      if (list.contains(document.activeElement)) list.focus();  // its row goes
      await loadBans(group);
    }) } })));
  if (!items.length) items.push(el("li", { class: "list-group-item text-body-secondary", text: t("group.noBans") }));
  list.replaceChildren(...items);
}

function renderMembers() {
  const group = chat();
  const members = group && state.members.get(group.id);
  if (!members) return;
  const sorted = [...members.values()].sort((a, b) => RANK[b.role] - RANK[a.role]
    || displayName(a.user).localeCompare(displayName(b.user)));
  ensureUsers(sorted.map((m) => m.user_id));  // their bios
  // a mute that ends by itself: its row (badge, Unmute) changes then
  clearTimeout(muteEnds);
  const ends = sorted.filter(mutedNow).map((m) => Date.parse(m.muted_until) - Date.now());
  if (ends.length) muteEnds = setTimeout(renderMembers, Math.min(Math.min(...ends) + 50, 2 ** 31 - 1));
  const list = $("group-members");
  const items = sorted.map((m) => memberItem(group, m));
  // nothing to show differently (a presence or profile that changed nobody's row): the
  // buttons stay the same elements, so a key pressed on one meanwhile isn't lost
  const drawn = items.map((item) => item.outerHTML).join("");
  if (drawn === list.dataset.drawn) return;
  list.dataset.drawn = drawn;
  // the list is rebuilt: the focused button comes back by its key, or (its member gone) the
  // focus stays in the panel on the list, so Tab and Esc still work there
  const focusKey = list.contains(document.activeElement) ? document.activeElement.dataset.focusKey : null;
  const hadFocus = list.contains(document.activeElement);
  list.replaceChildren(...items);
  if (hadFocus) (list.querySelector(`[data-focus-key="${focusKey}"]`) || list).focus();
}

/** An action whose button may be gone by now: keep the focus in the panel. */
function keepFocusInPanel() {
  const active = document.activeElement;
  if (!active || active === document.body || !active.isConnected) $("group-members").focus();
}

export function setupGroupPanel() {
  $("group-button").addEventListener("click", () => {
    showAlert($("group-error"), "");
    $("group-add-search").value = "";
    $("group-add-results").replaceChildren();
    fillForm();
    renderMembers();
    modal("group-dialog").show();
    loadMembers(state.activeChatId).catch(() => {});
    $("group-bans-list").replaceChildren();
    loadBans(chat()).catch((error) => run(() => Promise.reject(error)));
  });
  subscribe("members", renderMembers);
  subscribe("users", renderMembers);
  subscribe("presence", renderMembers);
  subscribe("chats", () => {
    if (!chat()) modal("group-dialog").hide();
    // a role that changed live (made admin, say) shows at once, even while the panel opens;
    // what the person changed in the form and hasn't saved yet stays
    else fillForm({ keepEdits: edited });
  });
  $("group-form").addEventListener("input", () => { edited = true; });
  $("group-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const group = chat();
    run(async () => {
      const changes = { name: $("group-name").value.trim(),
        description: $("group-description").value, is_public: $("group-public").checked };
      if (group.role === "owner") {
        const days = $("group-retention").value.trim();
        changes.retention_days = days === "" ? null : Number(days);
      }
      changes.slow_mode_seconds = Number($("group-slow-mode").value);
      const saved = await api("PATCH", `/api/chats/${group.id}`, changes);
      // what was saved, without waiting for chat.updated (so the fields don't flick back)
      putChat({ id: group.id, name: saved.name, description: saved.description,
                is_public: saved.is_public, retention_days: saved.retention_days,
                slow_mode_seconds: saved.slow_mode_seconds });
      fillForm();
    });
  });
  $("group-add-search").addEventListener("input", debounce(() => {
    const group = chat();
    const members = state.members.get(group.id) || new Map();
    const label = (name) => t("group.addOf", { name });
    findPeople($("group-add-search").value.trim(), $("group-add-results"), label,
      (person) => run(async () => {
        // cleared before the request: the next name typed while it runs must not be wiped
        $("group-add-search").value = "";
        $("group-add-search").focus();  // the button pressed goes with the results
        $("group-add-results").replaceChildren();
        await api("POST", `/api/chats/${group.id}/members`, { user_ids: [person.id] });
        await loadMembers(group.id);
      }), (person) => members.has(person.id));
  }));
  $("group-leave").addEventListener("click", () => run(async () => {
    const group = chat();
    if (await confirmAction(t("group.confirmLeave", { name: group.name }), t("actions.leave"))) {
      await api("POST", `/api/chats/${group.id}/leave`);
      modal("group-dialog").hide();
    }
  }));
  $("group-delete").addEventListener("click", () => run(async () => {
    const group = chat();
    if (await confirmAction(t("group.confirmDelete", { name: group.name }), t("actions.delete"))) {
      await api("DELETE", `/api/chats/${group.id}`);
      modal("group-dialog").hide();
    }
  }));
}
