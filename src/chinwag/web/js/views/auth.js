// The signed-out screens: sign in, register, forgot password, and the reset page that the
// mailed link (#/reset?token=...) opens.

import { api, signIn } from "../api.js";
import { $, show, showAlert } from "../dom.js";
import { clearFieldErrors, showFieldErrors } from "../forms.js";
import { t } from "../i18n.js";

const FORMS = ["signin", "register", "forgot", "reset"];

/** Show one of the forms; `notice` above it, a success or (`tone` "warning") not. */
export function showAuth(route, notice = "", tone = "success") {
  show($("auth"), true);
  show($("app"), false);
  const name = FORMS.includes(route) ? route : "signin";
  for (const form of FORMS) {
    show($(`form-${form}`), form === name);
    clearFieldErrors($(`form-${form}`));
  }
  showAlert($("auth-error"), "");
  $("auth-info").classList.toggle("alert-success", tone === "success");
  $("auth-info").classList.toggle("alert-warning", tone === "warning");
  showAlert($("auth-info"), notice);
  const first = $(`form-${name}`).querySelector("input");
  if (first) first.focus();
}

function guard(form, action) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    showAlert($("auth-error"), "");
    showAlert($("auth-info"), "");
    clearFieldErrors(form);
    try {
      await action(new FormData(form));
    } catch (error) {
      showAlert($("auth-error"), showFieldErrors(form, error));
    } finally {
      button.disabled = false;
    }
  });
}

function resetToken() {
  const query = location.hash.split("?")[1] || "";
  return new URLSearchParams(query).get("token") || "";
}

/** Wire the forms; `onSignedIn` runs after a successful sign-in. */
export function setupAuth(onSignedIn) {
  guard($("form-signin"), async (data) => {
    await signIn(data.get("login").trim(), data.get("password"));
    $("form-signin").reset();
    onSignedIn();
  });
  guard($("form-register"), async (data) => {
    const body = {
      email: data.get("email").trim(),
      username: data.get("username").trim(),
      password: data.get("password"),
    };
    const display = data.get("display_name").trim();
    if (display) body.display_name = display;
    const created = await api("POST", "/api/auth/register", body);
    if (!created) {  // 202: the address has an account; its owner was mailed
      $("form-register").reset();
      showAlert($("auth-info"), t("auth.checkMail"));
      return;
    }
    await signIn(body.username, body.password);
    $("form-register").reset();
    onSignedIn();
  });
  guard($("form-forgot"), async (data) => {
    await api("POST", "/api/auth/password-reset", { email: data.get("email").trim() });
    showAlert($("auth-info"), t("auth.resetSent"));
  });
  guard($("form-reset"), async (data) => {
    const token = resetToken();
    if (!token) throw new Error(t("auth.resetIncomplete"));
    await api("POST", "/api/auth/password-reset/confirm",
      { token, new_password: data.get("new_password") });
    $("form-reset").reset();
    history.replaceState(null, "", "#/signin");
    showAuth("signin", t("auth.passwordChanged"));
  });
}
