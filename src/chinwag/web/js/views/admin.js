// The admin page (#/admin), for site administrators only: People (search, pages of accounts,
// deactivate / reactivate, make or remove a site administrator), Invitations (create, the
// link shown once, the list, revoke), Workspace (name, who may sign up) and the Audit log.
// It takes the open chat's place; anyone else never gets it drawn.

import { api, explain } from "../api.js";
import { $, debounce, displayName, el, icon, show, showAlert } from "../dom.js";
import { clearFieldErrors, showFieldErrors } from "../forms.js";
import { formatDateTime, t } from "../i18n.js";
import { emit, sortedChats, state, subscribe } from "../store.js";
import { confirmAction } from "./dialogs.js";

const PAGE = 20;
const people = { q: "", cursors: [""], rows: [], run: 0 };  // cursors: the `after` of each page seen
const audit = { entries: [], exhausted: false, run: 0 };
let invitations = [];
let shown = false;

export function isSiteAdmin() {
  return Boolean(state.me?.is_site_admin);
}

/** Show the admin page (true) or put the chat back (false). Only a site admin gets it. */
export function showAdmin(visible) {
  const on = visible && isSiteAdmin();
  document.body.classList.toggle("admin-open", on);
  $("admin-page").hidden = !on;
  if (on && !shown) {
    loadPeople();
    loadInvitations();
    loadWorkspace();
    loadAudit(true);
    renderGroups();
    showAlert($("invite-error"), "");
    show($("invite-created"), false);
  }
  shown = on;
}

export function setupAdmin() {
  const entry = () => show($("admin-button"), isSiteAdmin());
  subscribe("me", entry);
  entry();
  subscribe("language", () => {
    if (!shown) return;
    renderPeople();
    renderInvitations();
    renderAudit();
  });
  subscribe("chats", () => { if (shown) renderGroups(); });
  const search = debounce(() => { people.cursors = [""]; loadPeople(); }, 250);
  $("admin-people-search").addEventListener("input", () => {
    people.q = $("admin-people-search").value.trim();
    search();
  });
  $("admin-people-next").addEventListener("click", () => {
    people.cursors.push(people.rows[PAGE - 1].username);
    loadPeople();
  });
  $("admin-people-prev").addEventListener("click", () => {
    people.cursors.pop();
    loadPeople();
  });
  $("invite-form").addEventListener("submit", (event) => { event.preventDefault(); invite(); });
  $("invite-copy").addEventListener("click", copyLink);
  $("workspace-form").addEventListener("submit", (event) => { event.preventDefault(); saveWorkspace(); });
  $("audit-more").addEventListener("click", () => loadAudit(false));
}

// People

async function loadPeople() {
  const after = people.cursors[people.cursors.length - 1];
  const query = new URLSearchParams({ limit: PAGE + 1 });
  if (people.q) query.set("q", people.q);
  if (after) query.set("after", after);
  const run = ++people.run;
  try {
    const rows = await api("GET", `/api/admin/users?${query}`);
    if (run !== people.run) return;  // a later search or page owns the table
    people.rows = rows;
    showAlert($("admin-people-error"), "");
  } catch (error) {
    if (run !== people.run) return;
    people.rows = [];
    showAlert($("admin-people-error"), explain(error));
  }
  renderPeople();
}

function yesNo(value) {
  return t(value ? "admin.yes" : "admin.no");
}

function personRow(user) {
  const name = displayName(user);
  const actions = el("div", { class: "d-flex gap-1" });
  if (user.is_active) {
    actions.append(el("button", {
      class: "btn btn-sm btn-outline-danger", text: t("admin.deactivate"),
      attrs: { type: "button", "aria-label": t("admin.deactivateWho", { name }) },
      on: { click: () => deactivate(user) },
    }));
  } else {
    actions.append(el("button", {
      class: "btn btn-sm btn-outline-primary", text: t("admin.reactivate"),
      attrs: { type: "button", "aria-label": t("admin.reactivateWho", { name }) },
      on: { click: () => change(user, "POST", `/api/admin/users/${user.id}/reactivate`) },
    }));
  }
  const admin = user.is_site_admin;
  actions.append(el("button", {
    class: "btn btn-sm btn-outline-secondary",
    text: t(admin ? "admin.removeAdmin" : "admin.makeAdmin"),
    attrs: { type: "button", "aria-label": t(admin ? "admin.removeAdminWho" : "admin.makeAdminWho", { name }) },
    on: { click: () => change(user, "PATCH", `/api/admin/users/${user.id}`, { is_site_admin: !admin }) },
  }));
  const seen = user.last_seen_at ? formatDateTime(new Date(user.last_seen_at)) : t("admin.never");
  return el("tr", { attrs: { "data-username": user.username } },
    el("td", { text: name }),
    el("td", { text: `@${user.username}` }),
    el("td", { text: user.email }),
    el("td", { text: yesNo(admin) }),
    el("td", { text: yesNo(user.is_active) }),
    el("td", { text: seen }),
    el("td", {}, actions));
}

function renderPeople() {
  const rows = people.rows.slice(0, PAGE).map(personRow);
  if (!rows.length) {
    rows.push(el("tr", {}, el("td", { class: "text-body-secondary", text: t("people.nobody"),
                                       attrs: { colspan: "7" } })));
  }
  $("admin-people-rows").replaceChildren(...rows);
  $("admin-people-prev").disabled = people.cursors.length < 2;
  $("admin-people-next").disabled = people.rows.length <= PAGE;
}

async function change(user, method, path, body) {
  try {
    const changed = await api(method, path, body);
    people.rows = people.rows.map((row) => (row.id === changed.id ? changed : row));
    if (changed.id === state.me?.id && !changed.is_site_admin) {
      state.me.is_site_admin = false;  // I made myself an ordinary member: the page goes
      emit("me");
    }
    showAlert($("admin-people-error"), "");
    renderPeople();
    loadAudit(true);
  } catch (error) {
    showAlert($("admin-people-error"), explain(error));
  }
}

async function deactivate(user) {
  const sure = await confirmAction(t("admin.confirmDeactivate", { name: displayName(user) }),
    t("admin.deactivate"));
  if (sure) await change(user, "POST", `/api/admin/users/${user.id}/deactivate`);
}

// Invitations

function myGroups() {
  return sortedChats().filter((chat) => chat.kind === "group");
}

function renderGroups() {
  const box = $("invite-groups");
  const checked = new Set([...box.querySelectorAll("input:checked")].map((input) => input.value));
  const groups = myGroups().map((chat) => {
    const id = `invite-group-${chat.id}`;
    return el("div", { class: "form-check" },
      el("input", { class: "form-check-input", attrs: {
        type: "checkbox", id, value: String(chat.id), checked: checked.has(String(chat.id)) } }),
      el("label", { class: "form-check-label", text: chat.name, attrs: { for: id } }));
  });
  if (!groups.length) groups.push(el("p", { class: "small text-body-secondary mb-0", text: t("admin.noGroups") }));
  box.replaceChildren(...groups);
}

async function invite() {
  const form = $("invite-form");
  clearFieldErrors(form);
  showAlert($("invite-error"), "");
  const body = {
    max_uses: Number($("invite-uses").value) || 1,
    expires_in_days: Number($("invite-days").value) || 7,
    chat_ids: [...$("invite-groups").querySelectorAll("input:checked")].map((input) => Number(input.value)),
  };
  const email = $("invite-email").value.trim();
  if (email) body.email = email;
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const created = await api("POST", "/api/admin/invitations", body);
    $("invite-link").value = created.link;
    show($("invite-created"), true);
    $("invite-copy").querySelector("span").textContent = t("page.copy");
    form.reset();
    renderGroups();
    loadInvitations();
    loadAudit(true);
  } catch (error) {
    showAlert($("invite-error"), showFieldErrors(form, error));
  } finally {
    button.disabled = false;
  }
}

async function copyLink() {
  const link = $("invite-link");
  link.select();
  try {
    await navigator.clipboard.writeText(link.value);
  } catch {
    document.execCommand("copy");  // no clipboard permission: the selected text still copies
  }
  $("invite-copy").querySelector("span").textContent = t("admin.copied");
}

async function loadInvitations() {
  try {
    invitations = await api("GET", "/api/admin/invitations");
    showAlert($("invite-error"), "");
  } catch (error) {
    invitations = [];
    showAlert($("invite-error"), explain(error));
  }
  renderInvitations();
}

function invitationState(invitation) {
  if (invitation.revoked) return "revoked";
  if (Date.parse(invitation.expires_at) <= Date.now()) return "expired";
  if (invitation.max_uses !== null && invitation.uses >= invitation.max_uses) return "usedUp";
  return "active";
}

function invitationRow(invitation) {
  const status = invitationState(invitation);
  const groups = invitation.chat_ids.map((id) => state.chats.get(id)?.name || `#${id}`).join(", ");
  const uses = invitation.max_uses === null ? t("admin.usesAny", { uses: invitation.uses })
    : t("admin.usesOf", { uses: invitation.uses, max: invitation.max_uses });
  const actions = status === "active"
    ? el("button", { class: "btn btn-sm btn-outline-danger", text: t("admin.revoke"),
                     attrs: { type: "button", "aria-label": t("admin.revokeWhich", { id: invitation.id }) },
                     on: { click: () => revoke(invitation) } })
    : null;
  return el("tr", { attrs: { "data-invitation-id": invitation.id } },
    el("td", { text: invitation.email || t("admin.anyone") }),
    el("td", { text: groups || "—" }),
    el("td", { text: uses }),
    el("td", { text: formatDateTime(new Date(invitation.expires_at)) }),
    el("td", { class: "invitation-state", text: t(`admin.state.${status}`) }),
    el("td", {}, actions));
}

function renderInvitations() {
  const rows = invitations.map(invitationRow);
  if (!rows.length) {
    rows.push(el("tr", {}, el("td", { class: "text-body-secondary", text: t("admin.noInvitations"),
                                       attrs: { colspan: "6" } })));
  }
  $("invite-rows").replaceChildren(...rows);
}

async function revoke(invitation) {
  try {
    await api("DELETE", `/api/admin/invitations/${invitation.id}`);
  } catch (error) {
    showAlert($("invite-error"), explain(error));
  }
  loadInvitations();
  loadAudit(true);
}

// Workspace

async function loadWorkspace() {
  try {
    const workspace = await api("GET", "/api/workspace");
    $("workspace-name").value = workspace.name;
    $("workspace-registration").value = workspace.registration;
  } catch (error) {
    showAlert($("workspace-error"), explain(error));
  }
}

async function saveWorkspace() {
  const form = $("workspace-form");
  showAlert($("workspace-error"), "");
  showAlert($("workspace-info"), "");
  try {
    const saved = await api("PATCH", "/api/admin/workspace", {
      name: $("workspace-name").value.trim(), registration: $("workspace-registration").value,
    });
    $("workspace-name").value = saved.name;
    $("workspace-registration").value = saved.registration;
    clearFieldErrors(form);
    showAlert($("workspace-info"), t("admin.workspaceSaved"));
    loadAudit(true);
  } catch (error) {
    showAlert($("workspace-error"), showFieldErrors(form, error));
  }
}

// Audit log

async function loadAudit(fromTop) {
  // a change reloads from the top: an answer asked for before it is stale
  const run = fromTop ? ++audit.run : audit.run;
  if (fromTop) { audit.entries = []; audit.exhausted = false; }
  const query = new URLSearchParams({ limit: PAGE + 1 });
  const last = audit.entries[audit.entries.length - 1];
  if (last) query.set("before", last.id);
  try {
    const entries = await api("GET", `/api/admin/audit?${query}`);
    if (run !== audit.run) return;
    audit.exhausted = entries.length <= PAGE;
    audit.entries.push(...entries.slice(0, PAGE));
    showAlert($("audit-error"), "");
  } catch (error) {
    showAlert($("audit-error"), explain(error));
  }
  renderAudit();
}

const AUDIT_KEYS = {
  "user.deactivated": "deactivated",
  "user.reactivated": "reactivated",
  "user.site_admin_granted": "adminGranted",
  "user.site_admin_revoked": "adminRevoked",
  "workspace.changed": "workspaceChanged",
  "invitation.created": "invitationCreated",
  "invitation.revoked": "invitationRevoked",
  "chat.member_muted": "memberMuted",
  "chat.member_unmuted": "memberUnmuted",
  "chat.member_banned": "memberBanned",
  "chat.member_unbanned": "memberUnbanned",
  "chat.slow_mode_set": "slowModeSet",
};

/** One entry as a sentence in the reader's language. */
export function auditSentence(entry) {
  const actor = entry.actor_username ? `@${entry.actor_username}`
    : entry.actor_id === null ? t("audit.commandLine") : t("people.someone");
  const target = entry.target_username ? `@${entry.target_username}` : "";
  const details = entry.details || {};
  let key = AUDIT_KEYS[entry.action];
  if (!key) return `${actor}: ${entry.action}`;
  if (key === "invitationCreated" && details.email) key = "invitationCreatedFor";
  const registration = details.registration ? t(`audit.registration.${details.registration}`) : "";
  return t(`audit.${key}`, { actor, target, name: details.name ?? "", registration,
                             email: details.email ?? "" });
}

function renderAudit() {
  const items = audit.entries.map((entry) => el("li", { class: "list-group-item d-flex gap-2" },
    icon("clock-history"),
    el("span", { class: "flex-grow-1 audit-text", text: auditSentence(entry) }),
    el("time", { class: "small text-body-secondary", text: formatDateTime(new Date(entry.created_at)),
                 attrs: { datetime: entry.created_at } })));
  if (!items.length) items.push(el("li", { class: "list-group-item text-body-secondary", text: t("audit.empty") }));
  $("audit-list").replaceChildren(...items);
  show($("audit-more"), !audit.exhausted && audit.entries.length > 0);
}
