// The person's look and language: theme (system / light / dark) and language (auto / en / ru),
// kept in their `settings` on the server so every device follows. The last choice is also
// remembered in this browser (no secret in it), so the sign-in page looks the same before the
// settings arrive. The browser's time zone goes into settings too: it is the one setting
// others see (a profile card shows their local time).

import { api } from "./api.js";
import { chooseLanguage } from "./i18n.js";
import { emit, state } from "./store.js";

const THEMES = ["system", "light", "dark"];
const darkQuery = window.matchMedia("(prefers-color-scheme: dark)");
let chosen = null;  // until the first applyPrefs

function remembered() {
  try { return JSON.parse(localStorage.getItem("chinwag.prefs") || "{}"); } catch { return {}; }
}

function paint() {
  const dark = chosen.theme === "dark" || (chosen.theme === "system" && darkQuery.matches);
  document.documentElement.dataset.bsTheme = dark ? "dark" : "light";
}

/** Apply the preferences found in `settings` (a user's, or nothing: this browser's last). */
// Preferences changed here whose save hasn't answered yet: a profile read before the change
// (the account dialog's refresh, a `ready`) must not undo them meanwhile.
const pending = {};
let edits = 0;

/** How many preference changes this page made: a read that started before one is stale. */
export function editCount() {
  return edits;
}

/** A preference changed here: shown at once, then kept in my settings. */
export function choosePrefs(changes) {
  edits += 1;
  Object.assign(pending, changes);
  applyPrefs(withPrefs(state.me?.settings, changes));
  return saveSettings(changes).finally(() => {
    for (const [key, value] of Object.entries(changes)) {
      if (pending[key] === value) delete pending[key];
    }
  });
}

export function applyPrefs(incoming = {}) {
  const settings = { ...incoming, ...pending };
  const theme = THEMES.includes(settings.theme) ? settings.theme : "system";
  const language = typeof settings.language === "string" ? settings.language : "auto";
  const changedLanguage = language !== chosen?.language;
  chosen = { theme, language };
  try { localStorage.setItem("chinwag.prefs", JSON.stringify(chosen)); } catch { /* private mode */ }
  paint();
  if (changedLanguage) chooseLanguage(language);
}

export function currentPrefs() {
  return { ...chosen };
}

/** The settings object with these preferences changed (the others kept: settings are one
 * JSON object, replaced whole by PATCH /api/users/me). */
export function withPrefs(settings, changes) {
  return { ...(settings || {}), ...changes };
}

export function setupPrefs() {
  applyPrefs(remembered());
  // "system" follows the operating system as it changes (evening dark mode, say)
  darkQuery.addEventListener("change", paint);
}

let queue = Promise.resolve();

/** Change some keys of my settings. PATCH replaces the whole object, so the changes go one
 * after another, each merged into the settings the previous one saved: a theme chosen while
 * the time zone was being saved can't be lost. Answers my profile as saved. */
export function saveSettings(changes) {
  const run = queue.then(async () => {
    const settings = withPrefs(state.me?.settings, changes);
    const saved = await api("PATCH", "/api/users/me", { settings });
    if (state.me?.id === saved.id) state.me = { ...state.me, ...saved };
    emit("me");
    return saved;
  });
  queue = run.catch(() => {});
  return run;
}

let sharing = false;

/** Keep my time zone in my settings as this browser has it (the latest device wins). */
export function shareTimeZone(me) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!me?.settings || !zone || me.settings.timezone === zone || sharing) return;
  sharing = true;
  // offline or refused: the next sign-in tries again
  saveSettings({ timezone: zone }).catch(() => {}).finally(() => { sharing = false; });
}
