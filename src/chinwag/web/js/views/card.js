// A person's card, opened by clicking their name or avatar: display name, username, bio,
// whether they are online, their local time (when their profile says their time zone), and
// "Message", which opens (or starts) the direct chat with them.

import { avatar } from "../avatars.js";
import { $, displayName, el, modal, show } from "../dom.js";
import { formatTime, t } from "../i18n.js";
import { state, subscribe } from "../store.js";
import { userOf } from "../users.js";
import { openDirect } from "./sidebar.js";

let shownId = null;

function localTime(user) {
  if (!user.timezone) return null;
  try {
    return t("card.localTime", { time: formatTime(new Date(), user.timezone) });
  } catch { return null; }  // a zone this browser doesn't know
}

function fill(user) {
  $("card-avatar").replaceChildren(avatar(user, "md"));
  $("card-name").textContent = displayName(user);
  $("card-username").textContent = user.username ? `@${user.username}` : "";
  const online = user.id === state.me?.id || state.online.has(user.id);
  $("card-status").textContent = t(online ? "presence.online" : "presence.offline");
  $("card-status").classList.toggle("online", online);
  const time = localTime(user);
  $("card-time").textContent = time || "";
  show($("card-time"), Boolean(time));
  $("card-bio").textContent = user.bio || t("card.noBio");
  $("card-bio").classList.toggle("text-body-secondary", !user.bio);
  show($("card-message"), user.id !== state.me?.id);
}

/** Open the card of person `userId` (their full profile is fetched if not held yet). */
export async function openCard(userId) {
  shownId = userId;
  const held = state.users.get(userId) || { id: userId };
  fill(held);
  modal("card-dialog").show();
  const user = "bio" in held ? held : await userOf(userId);
  if (shownId === userId && user) fill(user);
}

/** A button around `content` that opens the card of `userId`; `focusable: false` for a
 * second way to the same card (an avatar beside the name), kept out of the Tab order. */
export function personButton(userId, label, content, extraClass = "", { focusable = true } = {}) {
  return el("button", {
    class: `person-link ${extraClass}`,
    attrs: { type: "button", "aria-label": t("card.open", { name: label }), title: label,
             "aria-haspopup": "dialog", tabindex: focusable ? null : "-1" },
    on: { click: (event) => { event.stopPropagation(); openCard(userId); } },
  }, content);
}

export function setupCard({ openChat }) {
  $("card-message").addEventListener("click", async () => {
    const userId = shownId;
    modal("card-dialog").hide();
    await openDirect(userId, openChat);
  });
  $("card-dialog").addEventListener("hidden.bs.modal", () => { shownId = null; });
  subscribe("presence", () => {
    const user = shownId && state.users.get(shownId);
    if (user) fill(user);
  });
}
