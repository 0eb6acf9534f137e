// Email verification: while the server requires it and my address isn't verified yet, a
// banner says where the link went (with Resend) and the composer says why it can't send. The
// mailed link (#/verify?token=...) is followed here, signed in or not.

import { api, explain } from "../api.js";
import { $, show, showAlert } from "../dom.js";
import { t } from "../i18n.js";
import { state, subscribe } from "../store.js";

/** Waiting for my link: the server refuses my messages until it is followed. */
export function awaitingVerification() {
  const me = state.me;
  return Boolean(me?.email_verification_required && !me.email_verified);
}

function render() {
  const waiting = awaitingVerification();
  show($("verify-banner"), waiting);
  if (waiting) $("verify-text").textContent = t("verify.banner", { email: state.me.email });
  // the composer: no typing into a box that can't send, and why
  show($("verify-note"), waiting);
  $("verify-note").textContent = waiting ? t("verify.cantSend") : "";
  $("composer-text").disabled = waiting;
  $("attach-button").disabled = waiting;
}

async function resend() {
  const button = $("verify-resend");
  button.disabled = true;
  try {
    await api("POST", "/api/users/me/verification");
    showAlert($("verify-info"), t("verify.resent", { email: state.me.email }));
  } catch (error) {
    showAlert($("verify-info"), explain(error));
  } finally {
    button.disabled = false;
  }
}

export function setupVerification() {
  subscribe("me", render);
  subscribe("language", render);
  $("verify-resend").addEventListener("click", resend);
}

/** Follow the mailed link's `token`: the words to show (how it went) and whether it worked;
 * my profile comes back verified (the socket says so too, to every tab). */
export async function followVerifyLink(token) {
  try {
    const me = await api("POST", "/api/auth/verify-email", { token }, { retry: false });
    if (state.me?.id === me.id) state.me = { ...state.me, email_verified: me.email_verified };
    return { ok: true, text: t("verify.done", { email: me.email }) };
  } catch (error) {
    return { ok: false, text: explain(error) };
  }
}
