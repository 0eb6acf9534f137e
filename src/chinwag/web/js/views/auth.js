// The signed-out screens: sign in, register, forgot password, the reset page that the
// mailed link (#/reset?token=...) opens, and the join page of an invitation link
// (#/join?invitation=...: the registration form under who invited you where). They follow
// the workspace (GET /api/workspace): its name, whether anyone may sign up, the single
// sign-on button ("Sign in with ...", a navigation to /api/auth/oidc/start) and whether
// password sign-in is on. A failed single sign-on comes back as #/signin?sso_error=<code>.
// Signing in to an account with two-factor sign-in takes a second step (the code); a
// workspace that requires it shows its setup before the chat (showTwoFactorSetup).

import { api, ApiError, signIn } from "../api.js";
import { $, el, show, showAlert } from "../dom.js";
import { clearFieldErrors, showFieldErrors } from "../forms.js";
import { errorSentence, t } from "../i18n.js";
import { twoFactorPanel } from "./twofactor.js";

const FORMS = ["signin", "register", "forgot", "reset"];
let workspace = null;  // {name, registration} once asked
let joining = "";      // the invitation token of the join page being shown
let codeStep = false;  // the sign-in form asks for the second factor
let shown = "signin";  // the form on screen

/** Show one of the forms; `notice` above it, a success or (`tone` "warning") not. */
export function showAuth(route, notice = "", tone = "success") {
  show($("auth"), true);
  show($("app"), false);
  joining = route === "join" ? queryParam("invitation") : "";
  const name = route === "join" ? "register" : FORMS.includes(route) ? route : "signin";
  shown = name;
  show($("join-invalid"), false);
  show($("join-preview"), false);
  show($("two-factor-required"), false);
  askForCode(false);
  for (const form of FORMS) {
    show($(`form-${form}`), form === name);
    clearFieldErrors($(`form-${form}`));
  }
  showAlert($("auth-error"), route === "signin" ? ssoFailure() : "");
  $("auth-info").classList.toggle("alert-success", tone === "success");
  $("auth-info").classList.toggle("alert-warning", tone === "warning");
  showAlert($("auth-info"), notice);
  const first = $(`form-${name}`).querySelector("input");
  if (first) first.focus();
  followWorkspace();
  if (route === "join") previewInvitation(joining);
}

/** Why the single sign-on that sent the browser here failed ("" if none); said once. */
function ssoFailure() {
  const code = queryParam("sso_error");
  if (!code) return "";
  history.replaceState(null, "", "#/signin");
  return errorSentence(code) || t("errors.sso_provider_error");
}

/** The workspace's name, and the ways to sign up it allows. */
async function followWorkspace() {
  try {
    workspace = await api("GET", "/api/workspace");
  } catch { /* offline or an old server: the page stays as it is */ }
  applyWorkspace();
}

function registrationNote() {
  if (!workspace || workspace.registration === "open") return "";
  return t(workspace.registration === "closed" ? "auth.registrationClosed" : "auth.invitationNeeded");
}

function applyWorkspace() {
  if (workspace) $("auth-workspace").textContent = workspace.name;
  const note = registrationNote();
  show($("register-link"), !note);
  showAlert($("registration-note"), note);
  // on the join page an invitation link is there: only a closed workspace refuses it
  const joinNote = joining && workspace?.registration !== "closed" ? "" : note;
  showAlert($("register-note"), joinNote);
  applySignInWays();
}

/** The single sign-on button where there is a provider; without password sign-in, only it. */
function applySignInWays() {
  const sso = workspace?.sso_name || "";
  const passwords = workspace?.password_signin !== false;
  for (const node of document.querySelectorAll(".password-signin")) show(node, passwords);
  if (!passwords && shown !== "signin") {
    for (const form of FORMS) show($(`form-${form}`), form === "signin");
  }
  show($("sso"), Boolean(sso) && (!passwords || shown === "signin" || shown === "register"));
  show($("sso-or"), passwords);
  const button = $("sso-button");
  button.textContent = t("auth.signInWith", { name: sso });
  const invitation = joining ? `?invitation=${encodeURIComponent(joining)}` : "";
  button.setAttribute("href", `/api/auth/oidc/start${invitation}`);
}

async function previewInvitation(token) {
  const form = $("form-register");
  try {
    if (!token) throw new Error("no token");
    const invitation = await api("GET", `/api/invitations/${encodeURIComponent(token)}`);
    if (joining !== token) return;
    const lines = [t(invitation.invited_by ? "auth.invitedBy" : "auth.invitedTo",
      { who: invitation.invited_by || "", workspace: invitation.workspace })];
    if (invitation.groups.length) lines.push(t("auth.joinGroups", { groups: invitation.groups.join(", ") }));
    $("join-preview").replaceChildren(...lines.map((line) => el("p", { class: "mb-1", text: line })));
    show($("join-preview"), true);
    if (invitation.email) $("register-email").value = invitation.email;
  } catch (error) {
    if (joining !== token) return;
    if (error instanceof TypeError) { showAlert($("auth-error"), t("errors.offline")); return; }
    show(form, false);
    $("join-invalid-text").textContent = t("errors.invitation_invalid");
    show($("join-invalid"), true);
  }
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

function queryParam(name) {
  const query = location.hash.split("?")[1] || "";
  return new URLSearchParams(query).get(name) || "";
}

function resetToken() {
  return queryParam("token");
}

/** The sign-in form's second step (the code), or back to its first. */
function askForCode(on) {
  codeStep = on;
  show($("signin-credentials"), !on);
  show($("signin-code-step"), on);
  $("signin-code").value = "";
  $("signin-code").required = on;
}

async function signInOnce(data) {
  const code = codeStep ? data.get("code").trim() : "";
  try {
    await signIn(data.get("login").trim(), data.get("password"), code);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === "two_factor_required")) throw error;
    askForCode(true);  // the password was right: now the code, without typing it again
    showAlert($("auth-info"), t("auth.enterCode"));
    $("signin-code").focus();
    return false;
  }
  return true;
}

/** The screen before the chat while the workspace requires two-factor sign-in of this
 * account: its setup; `onDone` once it is on (and the token refreshed), `onSignOut` to leave. */
export function showTwoFactorSetup(onDone, onSignOut) {
  show($("auth"), true);
  show($("app"), false);
  for (const form of FORMS) show($(`form-${form}`), false);
  show($("join-invalid"), false);
  show($("join-preview"), false);
  showAlert($("auth-error"), "");
  showAlert($("auth-info"), "");
  show($("two-factor-required"), true);
  $("two-factor-required-signout").onclick = onSignOut;
  twoFactorPanel($("two-factor-required-panel"), { onDone }).load();
}

/** Wire the forms; `onSignedIn` runs after a successful sign-in. */
export function setupAuth(onSignedIn) {
  guard($("form-signin"), async (data) => {
    if (!(await signInOnce(data))) return;
    $("form-signin").reset();
    askForCode(false);
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
    if (joining) body.invitation = joining;
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
