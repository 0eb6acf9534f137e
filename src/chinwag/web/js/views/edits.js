// "edited" on a message opens its edit history: every version, newest first, each with when
// it was written (GET /api/messages/{id}/edits, the last 100). A version is rendered as a
// message is: its sanitised html through richtext's allow-list, never parsed as it came.
// Deleted for everyone while the dialog is open, the message takes its versions with it: the
// dialog empties and closes. Edited again, it reads them again.

import { api, explain } from "../api.js";
import { $, el, modal, showAlert } from "../dom.js";
import { currentLanguage, t } from "../i18n.js";
import { messageFragment } from "../richtext.js";
import { findMessage, state, subscribe } from "../store.js";

let showing = null;  // { chatId, id, editedAt } of the message the open dialog lists
let run = 0;  // the latest load: an older answer arriving late is dropped

function formatMoment(date) {
  // seconds too: two quick edits of a typo are told apart
  return new Intl.DateTimeFormat(currentLanguage(), { dateStyle: "medium", timeStyle: "medium" })
    .format(date);
}

function versionItem(version) {
  const when = new Date(version.written_at);
  const body = el("div", { class: "message-text rich" });
  body.append(messageFragment(version.html, state.me.id));
  if (!body.childNodes.length) body.textContent = version.text;
  return el("li", { class: `list-group-item edit-version${version.current ? " current" : ""}` },
    el("div", { class: "small text-body-secondary mb-1" },
      el("time", { text: formatMoment(when), attrs: { datetime: version.written_at } }),
      version.current ? el("span", { class: "badge text-bg-secondary ms-2", text: t("edits.current") }) : null),
    body);
}

async function load() {
  const mine = ++run;
  const list = $("edits-list");
  showAlert($("edits-error"), "");
  list.setAttribute("aria-busy", "true");
  try {
    const versions = await api("GET", `/api/messages/${showing.id}/edits`);
    if (mine !== run || !showing) return;
    list.replaceChildren(...versions.map(versionItem));
  } catch (error) {
    if (mine === run) showAlert($("edits-error"), explain(error));
  } finally {
    if (mine === run) list.removeAttribute("aria-busy");
  }
}

/** Open the dialog with `message`'s versions. */
export function openEdits(message) {
  showing = { chatId: message.chat_id, id: message.id, editedAt: message.edited_at };
  $("edits-list").replaceChildren();
  modal("edits-dialog").show();
  load();
}

function followShown(chatId) {
  if (!showing || showing.chatId !== chatId) return;
  const message = findMessage(chatId, showing.id);
  if (!message) return;
  if (message.deleted) {
    ++run;
    $("edits-list").replaceChildren();
    showing = null;
    modal("edits-dialog").hide();
  } else if (message.edited_at !== showing.editedAt) {
    showing.editedAt = message.edited_at;
    load();
  }
}

export function setupEdits() {
  subscribe("messages", followShown);
  $("edits-dialog").addEventListener("hidden.bs.modal", () => {
    ++run;
    showing = null;
    $("edits-list").replaceChildren();
  });
}
