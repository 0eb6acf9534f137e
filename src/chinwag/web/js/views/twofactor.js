// Two-factor sign-in (TOTP): the setup (QR code, the secret as text, a code from the app to
// turn it on), the ten recovery codes shown once with a copy button, new codes, turning it
// off (password and a code). Drawn into a container: the account dialog's section, and the
// screen shown before the chat when the workspace requires it (views/auth.js).

import { api, explain, refresh } from "../api.js";
import { el, show, showAlert } from "../dom.js";
import { t } from "../i18n.js";

const BASE = "/api/users/me/two-factor";
let fields = 0;

function field(label, attrs) {
  const id = `two-factor-field-${++fields}`;
  return el("div", { class: "mb-2" },
    el("label", { class: "form-label", text: label, attrs: { for: id } }),
    el("input", { class: "form-control form-control-sm", attrs: { id, maxlength: "32", required: "", ...attrs } }));
}

function codeField(label = t("twoFactor.codeLabel")) {
  return field(label, { name: "code", autocomplete: "one-time-code", spellcheck: "false" });
}

/** A form whose submit runs `action(data)`, its button kept off meanwhile. */
function form(cls, children, button, action) {
  const submit = el("button", { class: `btn btn-sm ${cls}`, text: button, attrs: { type: "submit" } });
  const node = el("form", { attrs: { novalidate: "" } }, ...children, submit);
  node.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try { await action(new FormData(node)); } finally { submit.disabled = false; }
  });
  return node;
}

/** The panel in `container`; `onDone` runs when the recovery codes of a new setup have been
 * seen (the person pressed Continue). Returns {load} to (re)read the state. */
export function twoFactorPanel(container, { onDone = () => {} } = {}) {
  const error = el("div", { class: "alert alert-danger py-2 d-none", attrs: { role: "alert" } });
  const info = el("div", { class: "alert alert-success py-2 d-none", attrs: { role: "status" } });
  const body = el("div");
  container.replaceChildren(error, info, body);
  let status = null;

  async function attempt(action, done = "") {
    showAlert(error, "");
    showAlert(info, "");
    try {
      await action();
      showAlert(info, done);
    } catch (problem) {
      showAlert(error, explain(problem));
    }
  }

  function renderOff() {
    body.replaceChildren(
      el("p", { class: "small mb-2", text: t(status?.required ? "twoFactor.requiredNote" : "twoFactor.offNote") }),
      el("button", { class: "btn btn-sm btn-primary two-factor-start", text: t("twoFactor.setUp"),
        attrs: { type: "button" },
        on: { click: () => attempt(async () => renderSetup(await api("POST", `${BASE}/setup`))) } }));
  }

  function renderSetup(setup) {
    const confirm = form("btn-primary", [codeField(t("twoFactor.appCodeLabel"))], t("twoFactor.turnOn"), (data) => attempt(async () => {
      const { recovery_codes: codes } = await api("POST", `${BASE}/confirm`, { code: data.get("code").trim() });
      await refresh();  // a token limited to the setup becomes a whole one
      status = { ...status, enabled: true, recovery_codes_left: codes.length };
      renderCodes(codes, true);
    }));
    body.replaceChildren(
      el("p", { class: "small mb-2", text: t("twoFactor.scan") }),
      el("img", { class: "two-factor-qr mb-2", attrs: { src: setup.qr_svg, alt: t("twoFactor.qrAlt"), width: "180", height: "180" } }),
      el("p", { class: "small mb-2" }, el("span", { text: t("twoFactor.secretLabel") + " " }),
        el("code", { class: "user-select-all two-factor-secret", text: setup.secret })),
      confirm);
    confirm.querySelector("input").focus();
  }

  function renderCodes(codes, fresh) {
    const copy = el("button", { class: "btn btn-sm btn-outline-secondary", text: t("twoFactor.copy"), attrs: { type: "button" } });
    copy.addEventListener("click", async () => {
      try { await navigator.clipboard.writeText(codes.join("\n")); copy.textContent = t("admin.copied"); }
      catch { showAlert(error, t("twoFactor.copyFailed")); }
    });
    const done = el("button", { class: "btn btn-sm btn-primary", text: t("twoFactor.continue"), attrs: { type: "button" } });
    done.addEventListener("click", () => { renderOn(); if (fresh) onDone(); });
    body.replaceChildren(
      el("p", { class: "small mb-2", text: t("twoFactor.codesOnce") }),
      el("ul", { class: "list-unstyled font-monospace two-factor-codes mb-2" },
        ...codes.map((code) => el("li", { text: code }))),
      el("div", { class: "d-flex gap-2" }, copy, done));
    done.focus();
  }

  function renderOn() {
    const regenerate = form("btn-outline-primary", [codeField()], t("twoFactor.newCodes"), (data) => attempt(async () => {
      const { recovery_codes: codes } = await api("POST", `${BASE}/recovery-codes`, { code: data.get("code").trim() });
      status = { ...status, recovery_codes_left: codes.length };
      renderCodes(codes, false);
    }));
    const disable = form("btn-outline-danger", [
      field(t("twoFactor.passwordLabel"), { name: "password", type: "password", autocomplete: "current-password", maxlength: "128" }),
      codeField(),
    ], t("twoFactor.turnOff"), (data) => attempt(async () => {
      await api("POST", `${BASE}/disable`, { password: data.get("password"), code: data.get("code").trim() });
      status = { ...status, enabled: false, recovery_codes_left: 0 };
      renderOff();
      // where the workspace requires it, the new token opens only the setup (main.js shows it)
      if (status.required) await refresh();
    }, t("twoFactor.turnedOff")));
    body.replaceChildren(
      el("p", { class: "small mb-2 two-factor-on",
        text: t("twoFactor.onNote", { left: status?.recovery_codes_left ?? 0 }) }),
      el("h4", { class: "h6 small fw-semibold", text: t("twoFactor.newCodesTitle") }), regenerate,
      el("h4", { class: "h6 small fw-semibold mt-3", text: t("twoFactor.turnOffTitle") }), disable);
  }

  async function load() {
    showAlert(error, "");
    showAlert(info, "");
    show(container, true);
    try {
      status = await api("GET", BASE);
      if (status.enabled) renderOn(); else renderOff();
    } catch (problem) {
      showAlert(error, explain(problem));
    }
  }

  return { load };
}
