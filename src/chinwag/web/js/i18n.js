// Looking up the client's sentences: t("composer.left", {left: 3}), plural("members", 1), and
// the sentence for an API error code or a field's problem. English only so far; a language is
// one more catalogue under i18n/ with the same keys.

import en from "./i18n/en.js";

const catalogue = en;
const rules = new Intl.PluralRules("en");

function fill(text, vars = {}) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** The sentence at a dotted key, its {names} filled from `vars`. */
export function t(key, vars) {
  const text = key.split(".").reduce((node, part) => node?.[part], catalogue);
  return typeof text === "string" ? fill(text, vars) : key;
}

/** "1 member", "2 members": the count with the word in its plural form. */
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
