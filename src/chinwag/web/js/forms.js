// Problems shown where they are: each field the server (or the client) found wrong gets its
// sentence right under it, marked for assistive technology too; what belongs to no field goes
// to the form's alert. Every problem of a form is shown at once, not the first only.

import { explain, fieldProblems } from "./api.js";
import { el } from "./dom.js";
import { errorSentence } from "./i18n.js";

// Error codes that are about one field of the form that was sent.
const CODE_FIELDS = {
  username_taken: "username",
  email_taken: "email",
  wrong_password: "current_password",
  name_taken: "name",
};
let notes = 0;

function inputOf(form, field, fields) {
  return form.querySelector(fields[field] || `[name="${field}"]`);
}

/** Take away the marks and sentences of an earlier attempt. */
export function clearFieldErrors(form) {
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.classList.remove("is-invalid");
    input.removeAttribute("aria-invalid");
    const described = (input.getAttribute("aria-describedby") || "").split(" ")
      .filter((id) => id && !id.startsWith("field-error-"));
    if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    else input.removeAttribute("aria-describedby");
  }
  for (const note of form.querySelectorAll(".field-error")) note.remove();
}

function mark(input, text) {
  const id = `field-error-${++notes}`;
  input.classList.add("is-invalid");
  input.setAttribute("aria-invalid", "true");
  const described = input.getAttribute("aria-describedby");
  input.setAttribute("aria-describedby", described ? `${described} ${id}` : id);
  input.after(el("div", { class: "invalid-feedback field-error", text, attrs: { id } }));
}

/** Show `error` on `form`: each field's sentence under it (the first such field focused).
 * `fields` maps a field name to a selector where the input has no matching name.
 * Returns the text for the form's alert: what belongs to no field, or null. */
export function showFieldErrors(form, error, fields = {}) {
  clearFieldErrors(form);
  let problems = fieldProblems(error);
  if (!problems.length && CODE_FIELDS[error?.code]) {
    problems = [{ field: CODE_FIELDS[error.code], text: errorSentence(error.code) }];
  }
  const rest = [];
  let first = null;
  for (const { field, text } of problems) {
    const input = field && inputOf(form, field, fields);
    if (input) { mark(input, text); first ||= input; } else rest.push(text);
  }
  first?.focus();
  if (rest.length) return rest.join(" ");
  return problems.length ? null : explain(error);
}
