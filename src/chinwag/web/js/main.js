// Start-up and routing. Routes live in the hash: #/signin, #/register, #/forgot,
// #/reset?token=... (the mailed link), #/join?invitation=... (an invitation link),
// #/verify?token=... (the email verification link, signed in or not), #/ and #/chat/<id> once
// signed in, #/admin (site administrators).

import { onAuthChange, onSetupRequired, refresh, setupRequired, signOut } from "./api.js";
import { avatar } from "./avatars.js";
import { $, displayName, modal, show, showAlert } from "./dom.js";
import { setupEvents } from "./events.js";
import { watchFavicon } from "./favicon.js";
import { forgetFiles } from "./files.js";
import { t } from "./i18n.js";
import { applyPrefs, setupPrefs, shareTimeZone } from "./prefs.js";
import * as socket from "./socket.js";
import { emit, reset, rememberUser, state, subscribe } from "./store.js";
import { askPermission, canAsk, watchTitle } from "./notify.js";
import {
  forgetOfflineCopy, keepOfflineCopy, registerServiceWorker, restoreOfflineCopy, watchNetwork,
} from "./offline.js";
import { onOpenChat, subscribeDevice, unsubscribeDevice } from "./push.js";
import { forgetFetchedUsers } from "./users.js";
import { setupAccount } from "./views/account.js";
import { setupAdmin, showAdmin } from "./views/admin.js";
import { setupImageDialog } from "./views/attachments.js";
import { setupAuth, showAuth, showTwoFactorSetup } from "./views/auth.js";
import { setupCard } from "./views/card.js";
import { resetComposer } from "./views/composer.js";
import { activateChat, setupChat } from "./views/chat.js";
import { openAt } from "./views/history.js";
import { setupDialogs } from "./views/dialogs.js";
import { setupGroupPanel } from "./views/group.js";
import { setupNewDirect } from "./views/newdirect.js";
import { setupKeyboard } from "./views/keyboard.js";
import { setupNotificationSettings } from "./views/notifications.js";
import { setupPins } from "./views/pins.js";
import { setupSearch } from "./views/search.js";
import { forgetSuggestions, setupSidebar } from "./views/sidebar.js";
import { followVerifyLink, setupVerification } from "./views/verify.js";

const AUTH_ROUTES = ["signin", "register", "forgot", "reset", "join"];
let signedIn = false;
let settingUp = false;  // signed in, but the workspace requires two-factor sign-in set up first
let wasConnected = false;  // the banner is for a lost connection, not the first one

function route() {
  const [path] = location.hash.replace(/^#\/?/, "").split("?");
  const [name, id] = path.split("/");
  return { name, id: Number(id) || null };
}

function openChat(chatId) {
  const target = `#/chat/${chatId}`;
  if (location.hash === target) activateChat(chatId);
  else location.hash = target;
}

/** The mailed verification link: followed, then on to the chats (or the sign-in page, which
 * says how it went). */
async function verifyFromLink() {
  const token = new URLSearchParams(location.hash.split("?")[1] || "").get("token") || "";
  // off the link at once: a redraw meanwhile routes to the chats, not to the link again
  history.replaceState(null, "", signedIn ? "#/" : "#/signin");
  const { ok, text } = await followVerifyLink(token);
  if (signedIn) {
    emit("me");
    showAlert($("verify-done"), text);
    $("verify-done").classList.toggle("alert-success", ok);
    $("verify-done").classList.toggle("alert-danger", !ok);
    onRoute();
  } else {
    showAuth("signin", text, ok ? "success" : "warning");
  }
}

function onRoute() {
  if (settingUp) return;
  const { name, id } = route();
  if (name === "verify") { verifyFromLink(); return; }
  if (name === "reset" || (!signedIn && AUTH_ROUTES.includes(name))) return showAuth(name);
  if (!signedIn) return showAuth("signin");
  if (AUTH_ROUTES.includes(name)) { location.hash = "#/"; return; }
  activateChat(name === "chat" ? id : null);
  showAdmin(name === "admin");
}

/** The setup the workspace requires, before the chat; the chat once it is on. */
function setUpTwoFactor() {
  settingUp = true;
  signedIn = false;
  socket.stop();
  for (const open of document.querySelectorAll(".modal.show")) modal(open.id).hide();
  showTwoFactorSetup(() => { settingUp = false; enterApp(); }, async () => {
    settingUp = false;
    await signOut();
    leaveApp();
  });
}

function enterApp({ offline = false } = {}) {
  if (!offline && setupRequired()) { setUpTwoFactor(); return; }
  signedIn = true;
  show($("auth"), false);
  show($("app"), true);
  if (!offline) {
    socket.start();
    subscribeDevice();
  }
  if (AUTH_ROUTES.includes(route().name)) location.hash = "#/";
  else onRoute();
  // the sign-in form that had the focus is hidden: start in the chat filter (an opened chat
  // puts it in its composer instead)
  const active = document.activeElement;
  if (!active || active === document.body || !active.getClientRects().length) $("search").focus();
}

function leaveApp(notice = "") {  // a notice here is never good news
  signedIn = false;
  wasConnected = false;
  showAdmin(false);
  socket.stop();
  reset();
  forgetFiles();
  forgetFetchedUsers();
  resetComposer();
  forgetSuggestions();
  emit("chats");  // the list and the tab's icon forget the unread counts
  forgetOfflineCopy();
  history.replaceState(null, "", "#/signin");
  showAuth("signin", notice, "warning");
}

function showMe(user) {
  $("me-name").textContent = displayName(user);
  $("me-avatar").replaceChildren(avatar(user));
}

function setupShell() {
  subscribe("me", () => {
    rememberUser(state.me);
    showMe(state.me);
    if (state.me?.settings) applyPrefs(state.me.settings);  // my theme and language, everywhere
    shareTimeZone(state.me);
    if (signedIn) showAdmin(route().name === "admin");
  });
  subscribe("connection", (connected) => {
    wasConnected ||= connected;
    show($("banner"), signedIn && wasConnected && !connected);
  });
  subscribe("chats", () => { if (state.activeChatId === null) onRoute(); });
  subscribe("signed-out", () => leaveApp(t("session.ended")));
  $("signout-button").addEventListener("click", async () => {
    await unsubscribeDevice();  // needs the token: before signing out
    await signOut();
    leaveApp();
  });
  show($("notify-button"), canAsk());
  $("notify-button").addEventListener("click", async () => {
    await askPermission();
    show($("notify-button"), canAsk());
    subscribeDevice();
  });
  onSetupRequired(() => { if (signedIn) setUpTwoFactor(); });
  onAuthChange((user) => {
    if (user) { state.me = { ...state.me, ...user }; rememberUser(user); showMe(state.me); }
    if (user?.settings) applyPrefs(user.settings);
  });
}

async function boot() {
  setupPrefs();  // theme and language first: nothing shows in the wrong one
  setupShell();
  setupEvents();
  setupAuth(enterApp);
  setupSidebar({ openChat });
  setupChat();
  setupGroupPanel();
  setupDialogs({ openChat });
  setupNewDirect({ openChat });
  setupAccount();
  setupVerification();
  setupAdmin();
  setupSearch({ openAt });
  setupPins({ openAt });
  setupImageDialog();
  setupCard({ openChat });
  setupKeyboard({ openChat });
  watchTitle();
  watchFavicon();
  setupNotificationSettings();
  keepOfflineCopy();
  watchNetwork();
  onOpenChat(openChat);
  registerServiceWorker();
  window.addEventListener("hashchange", onRoute);
  // a reload keeps you signed in: the HttpOnly cookie buys a new access token; no answer at
  // all (offline) shows the chats as last loaded, read-only
  const resumed = route().name !== "reset" && (await refresh().catch((error) => error));
  if (resumed === true) enterApp();
  else if (resumed instanceof TypeError && (await restoreOfflineCopy())) enterApp({ offline: true });
  else onRoute();
  document.body.dataset.ready = "true";  // lets tests (and people) know the client is wired
}

boot();
