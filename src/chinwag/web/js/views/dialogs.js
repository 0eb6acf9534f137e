// Small dialogs: confirm, new group, and the directory of public groups (the new direct
// message is views/newdirect.js).
// Bootstrap modals trap focus inside and give it back to the opener when closed.

import { api, explain } from "../api.js";
import { $, debounce, displayName, el, icon, modal, showAlert } from "../dom.js";
import { clearFieldErrors, showFieldErrors } from "../forms.js";
import { plural, t } from "../i18n.js";
import { putChat, rememberUser, state } from "../store.js";
import { joinGroup } from "./sidebar.js";

/** Resolves true when the person confirms, false when they cancel or close. */
export function confirmAction(question, action = t("actions.confirm")) {
  return new Promise((resolve) => {
    const dialog = $("confirm-dialog");
    $("confirm-title").textContent = question;
    const ok = $("confirm-ok");
    ok.textContent = action;
    let answer = false;
    const onOk = () => { answer = true; modal("confirm-dialog").hide(); };
    ok.addEventListener("click", onOk, { once: true });
    dialog.addEventListener("hidden.bs.modal", () => {
      ok.removeEventListener("click", onOk);
      resolve(answer);
    }, { once: true });
    modal("confirm-dialog").show();
  });
}

function personItem(person, label, onPick) {
  rememberUser(person);
  return el("li", { class: "p-0 list-unstyled" }, el("button", {
    class: "list-group-item list-group-item-action",
    attrs: { type: "button", "aria-label": label(displayName(person)) },
    on: { click: () => onPick(person) },
  }, icon("person"), " ", el("span", { text: displayName(person) }),
  el("span", { class: "text-body-secondary small", text: ` @${person.username}` })));
}

/** Search people into a list; `exclude(person)` hides some (me, members). */
export async function findPeople(q, list, label, onPick, exclude = () => false) {
  if (!q) { list.replaceChildren(); return; }
  try {
    const people = await api("GET", `/api/users?q=${encodeURIComponent(q)}&limit=10`);
    const shown = people.filter((p) => p.id !== state.me.id && !exclude(p));
    list.replaceChildren(...shown.map((p) => personItem(p, label, onPick)));
    if (!shown.length) list.append(el("li", { class: "list-group-item small text-body-secondary", text: t("people.nobody") }));
  } catch (error) {
    list.replaceChildren(el("li", { class: "list-group-item text-danger", text: explain(error) }));
  }
}

const TABBABLE = "a[href], button, input, select, textarea, [tabindex]";

/** Bootstrap's trap only catches focus arriving elsewhere in the page: Tab past a dialog's
 * last control (or Shift+Tab before its first) can leave the page itself, so wrap it. */
function wrapTabInDialogs() {
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") return;
    const open = [...document.querySelectorAll(".modal.show")].pop();
    if (!open) return;
    const stops = [...open.querySelectorAll(TABBABLE)].filter((node) =>
      !node.disabled && node.tabIndex >= 0 && node.getClientRects().length);
    if (!stops.length) return;
    const first = stops[0];
    const last = stops[stops.length - 1];
    const active = document.activeElement;
    if (event.shiftKey ? active === first || active === open : active === last) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    }
  });
}

/** Bootstrap gives focus back only to data-bs-toggle openers; ours open dialogs from code,
 * so remember what had the focus and return to it, unless the focus went somewhere since. */
function returnFocusFromDialogs() {
  const openers = new WeakMap();
  document.addEventListener("show.bs.modal", (event) => {
    openers.set(event.target, document.activeElement);
  });
  document.addEventListener("hidden.bs.modal", (event) => {
    const opener = openers.get(event.target);
    openers.delete(event.target);
    const active = document.activeElement;
    const lost = !active || active === document.body || event.target.contains(active);
    if (lost && opener?.isConnected && opener.getClientRects().length) opener.focus();
  });
}

export function setupDialogs({ openChat }) {
  wrapTabInDialogs();
  returnFocusFromDialogs();
  $("new-group-button").addEventListener("click", () => {
    $("new-group-form").reset();
    clearFieldErrors($("new-group-form"));
    showAlert($("new-group-error"), "");
    modal("new-group-dialog").show();
  });
  $("new-group-dialog").addEventListener("shown.bs.modal", () => $("new-group-name").focus());
  $("new-group-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const chat = putChat(await api("POST", "/api/chats", {
        name: $("new-group-name").value.trim(),
        description: $("new-group-description").value,
        is_public: $("new-group-public").checked,
      }));
      modal("new-group-dialog").hide();
      openChat(chat.id);
    } catch (error) {
      showAlert($("new-group-error"), showFieldErrors($("new-group-form"), error,
        { name: "#new-group-name", description: "#new-group-description" }));
    }
  });

  $("directory-button").addEventListener("click", () => {
    $("directory-search").value = "";
    modal("directory-dialog").show();
    loadDirectory(openChat);
  });
  $("directory-dialog").addEventListener("shown.bs.modal", () => $("directory-search").focus());
  $("directory-search").addEventListener("input", debounce(() => loadDirectory(openChat)));
}

async function loadDirectory(openChat) {
  const list = $("directory-results");
  try {
    const q = encodeURIComponent($("directory-search").value.trim());
    const groups = await api("GET", `/api/chats/discover?q=${q}`);
    list.replaceChildren(...groups.map((group) => el("li", { class: "list-group-item d-flex align-items-center gap-2" },
      el("div", { class: "flex-grow-1 min-w-0" },
        el("div", { class: "fw-semibold text-truncate", text: group.name }),
        el("div", { class: "small text-body-secondary text-truncate",
                    text: `${plural("members", group.member_count)}${group.description ? ` · ${group.description}` : ""}` })),
      el("button", { class: "btn btn-sm btn-outline-primary", text: t(group.role ? "groups.openVerb" : "groups.joinVerb"),
                     attrs: { type: "button", "aria-label": t(group.role ? "groups.open" : "groups.join", { name: group.name }) },
                     on: { click: async () => { modal("directory-dialog").hide(); await joinGroup(group, openChat); } } }))));
    if (!groups.length) list.append(el("li", { class: "list-group-item small text-body-secondary", text: t("groups.none") }));
  } catch (error) {
    list.replaceChildren(el("li", { class: "list-group-item text-danger", text: explain(error) }));
  }
}
