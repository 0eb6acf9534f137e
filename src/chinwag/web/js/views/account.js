// Account: username and email, avatar, profile fields, change password, two-factor sign-in,
// signed-in devices with sign-out per device.

import { api, explain, uploadFile } from "../api.js";
import { avatar } from "../avatars.js";
import { $, el, modal, show, showAlert } from "../dom.js";
import { clearFieldErrors, showFieldErrors } from "../forms.js";
import { formatDateTime, t } from "../i18n.js";
import { choosePrefs, currentPrefs, editCount } from "../prefs.js";
import { emit, rememberUser, state, subscribe } from "../store.js";
import { twoFactorPanel } from "./twofactor.js";

const PLACES = {  // where each part of the dialog says how it went
  account: { error: "account-error", info: "account-info" },
  identity: { error: "identity-error", info: "identity-info", form: "identity-form",
              fields: { username: "#identity-username", email: "#identity-email",
                        current_password: "#identity-password" } },
  profile: { error: "profile-error", info: "profile-info", form: "profile-form",
             fields: { display_name: "#profile-display", phone: "#profile-phone",
                       birth_date: "#profile-birth", bio: "#profile-bio" } },
  password: { error: "password-error", info: "password-info", form: "password-form",
              fields: { current_password: "#password-current", new_password: "#password-new" } },
};

function clearAlerts() {
  for (const place of Object.values(PLACES)) {
    showAlert($(place.error), "");
    showAlert($(place.info), "");
    if (place.form) clearFieldErrors($(place.form));
  }
}

/** Say it where the person is looking: the dialog scrolls, and an alert at its top was out of
 * view after saving the password at its bottom. */
function say(node, text) {
  showAlert(node, text);
  if (text) node.scrollIntoView({ block: "nearest" });
}

async function run(action, done, where = "account") {
  const place = PLACES[where];
  clearAlerts();
  try {
    await action();
    if (done) say($(place.info), typeof done === "function" ? done() : done);
  } catch (error) {
    const text = place.form ? showFieldErrors($(place.form), error, place.fields) : explain(error);
    say($(place.error), text);
  }
}

function describeDevice(session) {
  const agent = session.user_agent || t("account.unknownDevice");
  const browser = /Firefox\//.test(agent) ? "Firefox" : /Edg\//.test(agent) ? "Edge"
    : /Chrom(e|ium)\//.test(agent) ? "Chrome" : /Safari\//.test(agent) ? "Safari" : agent.slice(0, 40);
  const used = formatDateTime(new Date(session.last_used_at || session.created_at));
  return t("account.device", { browser, used });
}

async function loadDevices() {
  const sessions = await api("GET", "/api/users/me/sessions");
  $("devices").replaceChildren(...sessions.map((session) => el("li", { class: "list-group-item d-flex align-items-center gap-2" },
    el("span", { class: "flex-grow-1 small", text: describeDevice(session) + (session.current ? ` ${t("account.thisDevice")}` : "") }),
    session.current ? null : el("button", { class: "btn btn-sm btn-outline-danger", text: t("account.signOut"),
      attrs: { type: "button", "aria-label": t("account.signOutDevice", { device: describeDevice(session) }) },
      on: { click: () => run(async () => {
        await api("DELETE", `/api/users/me/sessions/${session.id}`);
        await loadDevices();
      }, t("account.deviceSignedOut")) } }))));
}

/** Who I am signed in as: my username (what people mention) and my email (what I sign in
 * with), shown nowhere else. */
function renderIdentity() {
  const me = state.me;
  $("account-identity").textContent = me?.username
    ? t("account.signedInAs", { username: me.username }) + (me.email ? ` · ${me.email}` : "") : "";
}

function renderAvatar() {
  renderIdentity();
  if (!state.me) return;
  $("avatar-preview").replaceChildren(avatar(state.me, "lg"));
  show($("avatar-remove"), Boolean(state.me.avatar_url));
}

function setMe(me) {
  state.me = me;
  rememberUser(me);
  emit("me");
  emit("users");
}

function showProgress(fraction) {
  const bar = $("avatar-progress");
  show(bar, fraction !== null);
  const percent = Math.round((fraction || 0) * 100);
  bar.setAttribute("aria-valuenow", String(percent));
  bar.firstElementChild.style.width = `${percent}%`;  // CSSOM: allowed by the CSP
}

/** Upload the chosen picture (the files pipeline makes its thumbnail), then make it mine. */
function setupAvatar() {
  subscribe("me", renderAvatar);
  $("avatar-input").addEventListener("change", () => {
    const file = $("avatar-input").files[0];
    $("avatar-input").value = "";
    if (!file) return;
    run(async () => {
      showProgress(0);
      try {
        const stored = await uploadFile("/api/files", file, showProgress);
        if (!stored.is_image) throw new Error(t("account.pictureType"));
        setMe(await api("PATCH", "/api/users/me", { avatar_file_id: stored.id }));
      } finally {
        showProgress(null);
      }
    }, t("account.pictureSaved"));
  });
  $("avatar-remove").addEventListener("click", () => run(async () => {
    setMe(await api("PATCH", "/api/users/me", { avatar_file_id: null }));
  }, t("account.pictureRemoved")));
}

function showPrefs() {
  const prefs = currentPrefs();
  $("theme-select").value = prefs.theme;
  $("language-select").value = prefs.language;
}

/** Theme and language apply at once and are kept in my settings (every device follows). */
function setupPrefsForm() {
  subscribe("me", showPrefs);
  for (const [id, name] of [["theme-select", "theme"], ["language-select", "language"]]) {
    $(id).addEventListener("change", () => {
      run(() => choosePrefs({ [name]: $(id).value }));  // shown at once, then saved
    });
  }
}

export function setupAccount() {
  setupAvatar();
  setupPrefsForm();
  const twoFactor = twoFactorPanel($("two-factor-panel"));
  $("me-button").addEventListener("click", () => {
    clearAlerts();
    showPrefs();
    modal("account-dialog").show();
    run(async () => {
      const edits = editCount();
      const me = await api("GET", "/api/users/me");
      // a theme or language chosen while this was read is newer than what it says
      setMe(editCount() === edits ? me : { ...me, settings: state.me?.settings ?? me.settings });
      $("identity-username").value = me.username;
      $("identity-email").value = me.email;
      $("profile-display").value = me.display_name || "";
      $("profile-phone").value = me.phone || "";
      $("profile-birth").value = me.birth_date || "";
      $("profile-bio").value = me.bio || "";
      twoFactor.load();
      await loadDevices();
    });
  });
  $("profile-form").addEventListener("submit", (event) => {
    event.preventDefault();
    run(async () => {
      const display = $("profile-display").value.trim();
      state.me = await api("PATCH", "/api/users/me", {
        ...(display ? { display_name: display } : {}),
        phone: $("profile-phone").value.trim() || null,
        birth_date: $("profile-birth").value || null,
        bio: $("profile-bio").value,
      });
      rememberUser(state.me);
      emit("me");
    }, t("account.profileSaved"), "profile");
  });
  $("identity-form").addEventListener("submit", (event) => {
    event.preventDefault();
    let saved = "";
    run(async () => {
      const username = $("identity-username").value.trim();
      const email = $("identity-email").value.trim();
      const changes = {};
      if (username !== state.me.username) changes.username = username;
      if (email !== state.me.email) {
        changes.email = email;
        changes.current_password = $("identity-password").value;
      }
      if (!Object.keys(changes).length) return;
      setMe(await api("PATCH", "/api/users/me", changes));
      $("identity-password").value = "";
      const waiting = changes.email && state.me.email_verification_required && !state.me.email_verified;
      saved = waiting ? t("account.emailSent", { email: state.me.email }) : t("account.identitySaved");
    }, () => saved, "identity");
  });
  $("password-form").addEventListener("submit", (event) => {
    event.preventDefault();
    run(async () => {
      await api("POST", "/api/users/me/password", {
        current_password: $("password-current").value, new_password: $("password-new").value });
      $("password-form").reset();
      await loadDevices();
    }, t("account.passwordChanged"), "password");
  });
}
