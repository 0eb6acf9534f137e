// The person's look and language: theme (system / light / dark) and language (auto / en / ru),
// kept in their `settings` on the server so every device follows. The last choice is also
// remembered in this browser (no secret in it), so the sign-in page looks the same before the
// settings arrive.

import { chooseLanguage } from "./i18n.js";
import { emit } from "./store.js";

const THEMES = ["system", "light", "dark"];
const darkQuery = window.matchMedia("(prefers-color-scheme: dark)");
let chosen = null;  // until the first applyPrefs

function remembered() {
  try { return JSON.parse(localStorage.getItem("chinwag.prefs") || "{}"); } catch { return {}; }
}

function paint() {
  const dark = chosen.theme === "dark" || (chosen.theme === "system" && darkQuery.matches);
  document.documentElement.dataset.bsTheme = dark ? "dark" : "light";
  emit("theme", dark ? "dark" : "light");
}

/** Apply the preferences found in `settings` (a user's, or nothing: this browser's last). */
export function applyPrefs(settings = {}) {
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
