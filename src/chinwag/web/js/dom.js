// Tiny DOM helpers. Text always goes in through textContent: nothing people typed is ever
// parsed as HTML.

import { t } from "./i18n.js";

export const $ = (id) => document.getElementById(id);

/** el("li", {class: "x", text: "hi", attrs: {"aria-label": "..."}, on: {click: fn}}, ...children) */
export function el(tag, options = {}, ...children) {
  const node = document.createElement(tag);
  if (options.class) node.className = options.class;
  if (options.text !== undefined && options.text !== null) node.textContent = String(options.text);
  for (const [name, value] of Object.entries(options.attrs || {})) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value);
  }
  for (const [event, handler] of Object.entries(options.on || {})) node.addEventListener(event, handler);
  for (const child of children) if (child) node.append(child);
  return node;
}

export function icon(name) {
  return el("i", { class: `bi bi-${name}`, attrs: { "aria-hidden": "true" } });
}

export function show(node, visible = true) {
  node.classList.toggle("d-none", !visible);
}

export function showAlert(node, text) {
  node.textContent = text || "";
  show(node, Boolean(text));
}

/** Call fn at most once per `ms` of quiet (search boxes). */
export function debounce(fn, ms = 250) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

export function displayName(user) {
  if (!user) return t("people.someone");
  return user.display_name || user.username || t("people.someone");
}

export function modal(id) {
  return window.bootstrap.Modal.getOrCreateInstance(document.getElementById(id));
}
