// The admin page (#/admin), for site administrators only: People (search, pages of accounts,
// deactivate / reactivate, make or remove a site administrator), Invitations (create, the
// link shown once, the list, revoke), Workspace (name, who may sign up, the groups newcomers
// join, who may create public groups), Reports (the review queue) and the Audit log.
// It takes the open chat's place; anyone else never gets it drawn.

import { api, explain } from "../api.js";
import { $, debounce, displayName, el, icon, show, showAlert } from "../dom.js";
import { clearFieldErrors, showFieldErrors } from "../forms.js";
import { formatDateTime, plural, t } from "../i18n.js";
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
    loadReports(true);
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
    renderReports();
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
  setupReports();
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

const workspace = { publicGroups: [], names: new Map() };

async function loadWorkspace() {
  try {
    const [settings, groups] = await Promise.all([
      api("GET", "/api/admin/workspace"), api("GET", "/api/chats/discover?limit=100")]);
    workspace.publicGroups = groups;
    fillWorkspace(settings);
    showAlert($("workspace-error"), "");
  } catch (error) {
    showAlert($("workspace-error"), explain(error));
  }
}

function fillWorkspace(settings) {
  $("workspace-name").value = settings.name;
  $("workspace-registration").value = settings.registration;
  $("workspace-public-groups-by").value = settings.public_groups_by;
  $("workspace-require-two-factor").checked = settings.require_two_factor;
  renderDefaultGroups(settings.default_group_ids);
}

/** The public groups to pick from, and any default group that isn't public (the API lets a
 * private one be a default: it stays listed, so saving doesn't drop it unseen). */
function renderDefaultGroups(checkedIds) {
  const names = new Map(workspace.publicGroups.map((group) => [group.id, group.name]));
  for (const id of checkedIds) {
    if (!names.has(id)) names.set(id, state.chats.get(id)?.name || `#${id}`);
  }
  workspace.names = names;
  const checked = new Set(checkedIds);
  const items = [...names].sort((a, b) => a[1].localeCompare(b[1])).map(([id, name]) => {
    const inputId = `default-group-${id}`;
    return el("div", { class: "form-check" },
      el("input", { class: "form-check-input", attrs: {
        type: "checkbox", id: inputId, value: String(id), checked: checked.has(id) } }),
      el("label", { class: "form-check-label", text: name, attrs: { for: inputId } }));
  });
  if (!items.length) items.push(el("p", { class: "small text-body-secondary mb-0", text: t("admin.noPublicGroups") }));
  $("workspace-default-groups").replaceChildren(...items);
}

async function saveWorkspace() {
  const form = $("workspace-form");
  showAlert($("workspace-error"), "");
  showAlert($("workspace-info"), "");
  const defaults = [...$("workspace-default-groups").querySelectorAll("input:checked")]
    .map((input) => Number(input.value));
  try {
    const saved = await api("PATCH", "/api/admin/workspace", {
      name: $("workspace-name").value.trim(),
      registration: $("workspace-registration").value,
      default_group_ids: defaults,
      public_groups_by: $("workspace-public-groups-by").value,
      require_two_factor: $("workspace-require-two-factor").checked,
    });
    fillWorkspace(saved);
    clearFieldErrors(form);
    showAlert($("workspace-info"), t("admin.workspaceSaved"));
    loadAudit(true);
  } catch (error) {
    showAlert($("workspace-error"), showFieldErrors(form, error));
  }
}

// Reports: the review queue. No event announces a new report, so the queue is read when the
// page or the tab opens, when the filter changes and after each decision.

const reports = { rows: [], exhausted: false, run: 0 };

function setupReports() {
  $("reports-state").addEventListener("change", () => loadReports(true));
  $("reports-more").addEventListener("click", () => loadReports(false));
  $("admin-tab-reports").addEventListener("shown.bs.tab", () => loadReports(true));
}

async function loadReports(fromTop) {
  const run = fromTop ? ++reports.run : reports.run;
  if (fromTop) { reports.rows = []; reports.exhausted = false; }
  const query = new URLSearchParams({ state: $("reports-state").value, limit: PAGE + 1 });
  const last = reports.rows[reports.rows.length - 1];
  if (last) query.set("before", last.id);
  try {
    const rows = await api("GET", `/api/admin/reports?${query}`);
    if (run !== reports.run) return;  // a later reload owns the list
    reports.exhausted = rows.length <= PAGE;
    reports.rows.push(...rows.slice(0, PAGE));
    showAlert($("reports-error"), "");
  } catch (error) {
    if (run !== reports.run) return;
    showAlert($("reports-error"), explain(error));
  }
  renderReports();
}

function handle(username) {
  return username ? `@${username}` : t("reports.nobody");
}

function reportButtons(report) {
  const sender = handle(report.sender_username);
  const button = (text, label, style, action) => el("button", {
    class: `btn btn-sm ${style}`, text,
    attrs: { type: "button", "aria-label": label },
    on: { click: () => resolveReport(report, action) },
  });
  return el("div", { class: "d-flex flex-wrap gap-1 mt-1" },
    button(t("reports.dismiss"), t("reports.dismissWhich", { id: report.id }),
      "btn-outline-secondary", "dismiss"),
    report.text === null ? null : button(t("reports.deleteMessage"),
      t("reports.deleteWhich", { id: report.id }), "btn-outline-danger", "delete_message"),
    report.sender_id === null ? null : button(t("reports.deactivateSender"),
      t("reports.deactivateWhich", { sender, id: report.id }), "btn-outline-danger",
      "deactivate_sender"));
}

function reportItem(report) {
  const when = (iso) => formatDateTime(new Date(iso));
  const text = report.text === null ? t("reports.deletedText")
    : report.text.length > 300 ? `${report.text.slice(0, 300)}…` : report.text;
  const outcome = report.resolution === null ? reportButtons(report)
    : el("div", { class: "small report-resolution", text: t("reports.resolvedAt", {
      resolution: t(`reports.resolution.${report.resolution}`), when: when(report.resolved_at) }) });
  return el("li", { class: "list-group-item", attrs: { "data-report-id": report.id } },
    el("div", { class: "d-flex gap-2" },
      el("span", { class: "flex-grow-1 fw-semibold report-what", text: t("reports.what", {
        reporter: handle(report.reporter_username), sender: handle(report.sender_username),
        chat: report.chat_name }) }),
      el("time", { class: "small text-body-secondary", text: when(report.created_at),
                   attrs: { datetime: report.created_at } })),
    el("blockquote", { class: "report-excerpt border-start ps-2 my-1", text }),
    el("div", { class: "small report-reason", text: t("reports.reason", { reason: report.reason }) }),
    outcome);
}

function renderReports() {
  const items = reports.rows.map(reportItem);
  if (!items.length) items.push(el("li", { class: "list-group-item text-body-secondary", text: t("reports.none") }));
  $("reports-list").replaceChildren(...items);
  show($("reports-more"), !reports.exhausted && reports.rows.length > 0);
}

const REPORT_QUESTIONS = { delete_message: "reports.confirmDelete", deactivate_sender: "reports.confirmDeactivate" };
const REPORT_VERBS = { delete_message: "reports.deleteMessage", deactivate_sender: "admin.deactivate" };

async function resolveReport(report, action) {
  const question = REPORT_QUESTIONS[action];
  if (question && !(await confirmAction(t(question, { sender: handle(report.sender_username) }),
    t(REPORT_VERBS[action])))) return;
  try {
    await api("POST", `/api/admin/reports/${report.id}/resolve`, { action });
    showAlert($("reports-error"), "");
  } catch (error) {
    showAlert($("reports-error"), explain(error));  // decided elsewhere meanwhile: reload
  }
  await loadReports(true);
  loadAudit(true);
  if (action === "deactivate_sender") loadPeople();
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
  "report.dismissed": "reportDismissed",
  "report.message_deleted": "reportMessageDeleted",
  "report.sender_deactivated": "reportSenderDeactivated",
  "chat.retention_set": "retentionSet",
  "user.two_factor_reset": "twoFactorReset",
  "user.sso_linked": "ssoLinked",
  "chat.member_muted": "memberMuted",
  "chat.member_unmuted": "memberUnmuted",
  "chat.member_banned": "memberBanned",
  "chat.member_unbanned": "memberUnbanned",
  "chat.slow_mode_set": "slowModeSet",
};

/** What a workspace.changed entry changed, in words: its details hold only those. */
function workspaceChanges(details) {
  const parts = [];
  if (details.name !== undefined) parts.push(t("audit.workspaceName", { name: details.name }));
  if (details.registration) {
    parts.push(t("audit.workspaceRegistration", { registration: t(`audit.registration.${details.registration}`) }));
  }
  if (details.default_group_ids) {
    const groups = details.default_group_ids.map((id) => workspace.names.get(id) || state.chats.get(id)?.name || `#${id}`);
    parts.push(groups.length ? t("audit.workspaceDefaults", { groups: groups.join(", ") }) : t("audit.workspaceNoDefaults"));
  }
  if (details.public_groups_by) parts.push(t(`audit.workspacePublicGroups.${details.public_groups_by}`));
  if (typeof details.require_two_factor === "boolean") {
    parts.push(t(details.require_two_factor ? "audit.twoFactorRequired" : "audit.twoFactorOptional"));
  }
  return parts.join(", ");
}

/** One entry as a sentence in the reader's language. */
export function auditSentence(entry) {
  const actor = entry.actor_username ? `@${entry.actor_username}`
    : entry.actor_id === null ? t("audit.commandLine") : t("people.someone");
  const target = entry.target_username ? `@${entry.target_username}` : "";
  const details = entry.details || {};
  let key = AUDIT_KEYS[entry.action];
  if (!key) return `${actor}: ${entry.action}`;
  if (key === "invitationCreated" && details.email) key = "invitationCreatedFor";
  if (key === "retentionSet" && details.retention_days === null) key = "retentionCleared";
  const group = state.chats.get(details.chat_id)?.name || `#${details.chat_id}`;
  const days = details.retention_days ? plural("days", details.retention_days) : "";
  const changes = key === "workspaceChanged" ? workspaceChanges(details) : "";
  return t(`audit.${key}`, { actor, target, changes, group, days, email: details.email ?? "" });
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
