// Looking up the client's sentences: t("composer.left", {left: 3}), plural("members", 1), the
// sentence for an API error code or a field's problem, and dates and times in the chosen
// language (Intl). One catalogue per language under i18n/, all with the same keys; the page's
// own words carry data-i18n="key" (text) or data-i18n-attrs="aria-label:key;title:key".

import en from "./i18n/en.js";
import ru from "./i18n/ru.js";
import { emit } from "./store.js";

export const LANGUAGES = { en, ru };
let language = "en";
let catalogue = en;
let rules = new Intl.PluralRules("en");

function fill(text, vars = {}) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** The browser's first language we have a catalogue for (ru-RU -> ru), else English. */
function browserLanguage() {
  for (const tag of navigator.languages || [navigator.language || "en"]) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (base in LANGUAGES) return base;
  }
  return "en";
}

/** Use `choice` ("auto": the browser's), translate the page and tell the views to redraw. */
export function chooseLanguage(choice = "auto") {
  language = choice in LANGUAGES ? choice : browserLanguage();
  catalogue = LANGUAGES[language];
  rules = new Intl.PluralRules(language);
  document.documentElement.lang = language;
  translatePage(document);
  emit("language", language);
}

export function currentLanguage() {
  return language;
}

/** Every data-i18n element of `root` in the current language. */
export function translatePage(root) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-attrs]")) {
    for (const pair of node.dataset.i18nAttrs.split(";")) {
      const [attr, key] = pair.split(":");
      node.setAttribute(attr.trim(), t(key.trim()));
    }
  }
  if (root === document) document.title = t("page.title");
}

/** The sentence at a dotted key, its {names} filled from `vars`. */
export function t(key, vars) {
  const text = key.split(".").reduce((node, part) => node?.[part], catalogue);
  return typeof text === "string" ? fill(text, vars) : key;
}

/** "1 member", "2 members" ("1 участник", "3 участника", "5 участников"). */
export function plural(key, n) {
  const forms = catalogue.plurals[key];
  return fill(forms[rules.select(n)] || forms.other, { n });
}

/** The sentence for an error code, or null when the catalogue has none. */
export function errorSentence(code) {
  return catalogue.errors[code] || null;
}

/** A field's problem (Pydantic's error type) as a sentence. */
export function fieldSentence(field, type, vars = {}) {
  const entry = (type !== "extra_forbidden" && catalogue.fields[field]) || catalogue.fields[""];
  const text = entry[type] || entry.any;
  return text ? fill(text, { field, ...vars }) : catalogue.fieldFallback;
}

function sameDay(a, b) {
  return a.toDateString() === b.toDateString();
}

/** 14:05 (or 2:05 PM), as the language writes it. */
export function formatTime(date, timeZone) {
  return new Intl.DateTimeFormat(language, { hour: "2-digit", minute: "2-digit", timeZone })
    .format(date);
}

/** "Today", "Yesterday", else the full date: a day separator. */
export function formatDay(date) {
  const now = new Date();
  const days = Math.round((new Date(now.toDateString()) - new Date(date.toDateString())) / 864e5);
  if (days === 0 || days === 1) {
    const word = new Intl.RelativeTimeFormat(language, { numeric: "auto" }).format(-days, "day");
    return word.charAt(0).toUpperCase() + word.slice(1);
  }
  return new Intl.DateTimeFormat(language, { weekday: "long", month: "long", day: "numeric",
                                             year: "numeric" }).format(date);
}

/** The chat list's time: the hour today, the weekday this week, else a short date. */
export function formatWhen(date) {
  const now = new Date();
  if (sameDay(date, now)) return formatTime(date);
  const options = now - date < 6 * 864e5 ? { weekday: "short" } : { day: "numeric", month: "short" };
  return new Intl.DateTimeFormat(language, options).format(date);
}

/** A date with its time (search hits, devices). */
export function formatDateTime(date) {
  if (sameDay(date, new Date())) return formatTime(date);
  return new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" }).format(date);
}
