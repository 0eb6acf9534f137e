// "New direct message": pick one person (a direct chat) or several (a group direct message,
// up to 8 besides me), then start the conversation. The server keeps one conversation per
// set of people, so starting the same set again opens the one there is.

import { explain } from "../api.js";
import { $, debounce, displayName, el, icon, modal, showAlert } from "../dom.js";
import { t } from "../i18n.js";
import { findPeople } from "./dialogs.js";
import { openConversation } from "./sidebar.js";

export const MAX_OTHERS = 8;  // nine people in all, me included (the server's limit)

const chosen = new Map();  // user id -> person, in the order picked

function renderChosen() {
  $("people-chosen").replaceChildren(...[...chosen.values()].map((person) =>
    el("li", {}, el("button", {
      class: "btn btn-sm btn-outline-secondary rounded-pill",
      attrs: { type: "button", "aria-label": t("people.removeChosen", { name: displayName(person) }) },
      on: { click: () => { chosen.delete(person.id); renderChosen(); $("people-search").focus(); } },
    }, el("span", { text: displayName(person) }), " ", icon("x")))));
  $("people-start").disabled = chosen.size === 0;
  showAlert($("people-error"), "");
}

function choose(person) {
  if (!chosen.has(person.id) && chosen.size >= MAX_OTHERS) {
    showAlert($("people-error"), t("people.tooMany", { n: MAX_OTHERS }));
    return;
  }
  chosen.set(person.id, person);
  renderChosen();
  $("people-search").value = "";
  $("people-results").replaceChildren();
  $("people-search").focus();
}

export function setupNewDirect({ openChat }) {
  $("new-direct-button").addEventListener("click", () => {
    chosen.clear();
    renderChosen();
    $("people-search").value = "";
    $("people-results").replaceChildren();
    modal("people-dialog").show();
  });
  $("people-dialog").addEventListener("shown.bs.modal", () => $("people-search").focus());
  $("people-search").addEventListener("input", debounce(() => findPeople(
    $("people-search").value.trim(), $("people-results"),
    (name) => t("people.choose", { name }), choose, (person) => chosen.has(person.id))));
  $("people-start").addEventListener("click", async () => {
    const button = $("people-start");
    button.disabled = true;
    try {
      await openConversation([...chosen.keys()], openChat);
      modal("people-dialog").hide();
    } catch (error) {
      showAlert($("people-error"), explain(error));
    } finally {
      button.disabled = chosen.size === 0;
    }
  });
}
