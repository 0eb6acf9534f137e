// "Report…" on someone else's message: a dialog asks for the reason and sends it to the site
// administrators' review queue (POST /api/messages/{id}/report). The server refuses one's own
// messages, a second report of the same message and deleted ones; those come back as
// sentences in the dialog.

import { api, explain } from "../api.js";
import { $, modal, showAlert } from "../dom.js";
import { plainSnippet } from "../richtext.js";
import { t } from "../i18n.js";

let reporting = null;  // the message the open dialog is about
let onSent = () => {};

/** Ask for a reason and report `message`. */
export function openReport(message) {
  reporting = message;
  $("report-form").reset();
  showAlert($("report-error"), "");
  const text = plainSnippet(message.text || "");
  $("report-excerpt").textContent = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  modal("report-dialog").show();
}

/** `sent(text)` tells the person the report went (the dialog is closed by then). */
export function setupReport({ sent }) {
  onSent = sent;
  $("report-dialog").addEventListener("shown.bs.modal", () => $("report-reason").focus());
  $("report-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sendReport();
  });
}

async function sendReport() {
  const reason = $("report-reason").value.trim();
  showAlert($("report-error"), "");
  if (!reason) {
    showAlert($("report-error"), t("report.needReason"));
    $("report-reason").focus();
    return;
  }
  const button = $("report-send");
  button.disabled = true;
  try {
    await api("POST", `/api/messages/${reporting.id}/report`, { reason });
    modal("report-dialog").hide();
    onSent(t("report.sent"));
  } catch (error) {
    showAlert($("report-error"), explain(error));
  } finally {
    button.disabled = false;
  }
}
