// Files waiting to go with the next message of each chat: chosen with the paperclip, dropped
// on the chat or pasted into the composer. Each uploads at once (POST /api/files) with its own
// progress bar; the chips show name, size, a preview for images, and remove it.

import { explain, uploadFile } from "../api.js";
import { $, el, icon, show } from "../dom.js";
import { humanSize } from "../files.js";
import { t } from "../i18n.js";
import { state, subscribe } from "../store.js";

export const MAX_ATTACHMENTS = 10;
const drafts = new Map();  // chat id -> [{key, file, progress, status, stored, error, controller, preview}]
let nextKey = 1;
let changed = () => {};

function listOf(chatId) {
  if (!drafts.has(chatId)) drafts.set(chatId, []);
  return drafts.get(chatId);
}

export function isUploading(chatId) {
  return listOf(chatId).some((item) => item.status === "uploading");
}

export function hasUploads(chatId) {
  return listOf(chatId).some((item) => item.status === "ready");
}

/** The uploaded files of the draft, handed over to a send (the draft forgets them). */
export function takeUploads(chatId) {
  const ready = listOf(chatId).filter((item) => item.status === "ready");
  for (const item of listOf(chatId)) forget(item);
  drafts.set(chatId, []);
  render();
  return ready.map((item) => item.stored);
}

function forget(item) {
  if (item.status === "uploading") item.controller.abort();
  if (item.preview) URL.revokeObjectURL(item.preview);
}

function remove(chatId, key) {
  const list = listOf(chatId);
  const item = list.find((entry) => entry.key === key);
  if (item) forget(item);
  drafts.set(chatId, list.filter((entry) => entry.key !== key));
  render();
  $("composer-text").focus();
}

/** "Too large" in the units of the chip beside it (the server says MiB, the chips MB). */
function tooLarge(file) {
  return t("uploads.tooLarge", { size: humanSize(file.size), limit: humanSize(state.limits.upload_max_bytes) });
}

function uploadError(error, file) {
  if (error.status === 413) return error.code === "quota_exceeded" ? explain(error) : tooLarge(file);
  // a server refusing an oversized body may close the connection before answering
  if (error instanceof TypeError) return t("uploads.failed", { size: humanSize(file.size) });
  return explain(error);
}

async function upload(chatId, item) {
  try {
    item.stored = await uploadFile("/api/files", item.file, (fraction) => {
      item.progress = fraction;
      updateProgress(item);
    }, item.controller.signal);
    item.status = "ready";
  } catch (error) {
    if (error.name === "AbortError") return;
    item.status = "failed";
    item.error = uploadError(error, item.file);
  }
  if (state.activeChatId === chatId) render();
}

/** Start uploading files into the draft of a chat (at most ten per message). */
export function addFiles(chatId, files) {
  const list = listOf(chatId);
  const room = MAX_ATTACHMENTS - list.length;
  const taken = [...files].slice(0, Math.max(0, room));
  for (const file of taken) {
    const item = { key: nextKey++, file, progress: 0, status: "uploading", stored: null, error: "",
                   controller: new AbortController(),
                   preview: /^image\/(png|jpeg|gif|webp)$/.test(file.type) ? URL.createObjectURL(file) : null };
    list.push(item);
    if (file.size > state.limits.upload_max_bytes) {  // refused here: no upload to wait for
      item.status = "failed";
      item.error = tooLarge(file);
    } else {
      upload(chatId, item);
    }
  }
  render();
  if (taken.length < files.length) $("typing").textContent = t("uploads.atMost", { n: MAX_ATTACHMENTS });
}

function updateProgress(item) {
  const bar = $("uploads").querySelector(`[data-upload="${item.key}"] .progress-bar`);
  if (!bar) return;
  const percent = Math.round(item.progress * 100);
  bar.style.width = `${percent}%`;  // CSSOM: allowed by the CSP, unlike a style attribute
  bar.parentElement.setAttribute("aria-valuenow", String(percent));
}

function chip(chatId, item) {
  const { file } = item;
  const percent = Math.round(item.progress * 100);
  const progress = item.status !== "uploading" ? null
    : el("div", { class: "progress upload-progress", attrs: { role: "progressbar", "aria-label": t("uploads.uploading", { name: file.name }),
      "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": String(percent) } },
    el("div", { class: "progress-bar" }));
  if (progress) progress.firstChild.style.width = `${percent}%`;
  const status = item.status === "failed" ? el("span", { class: "upload-error text-danger small", text: item.error })
    : item.status === "ready" ? el("span", { class: "visually-hidden", text: t("uploads.done") }) : null;
  return el("li", { class: `upload-chip ${item.status}`, attrs: { "data-upload": item.key } },
    item.preview ? el("img", { class: "upload-preview", attrs: { src: item.preview, alt: "" } }) : icon("file-earmark"),
    el("div", { class: "upload-info min-w-0" },
      el("div", { class: "d-flex gap-1" }, el("span", { class: "file-name text-truncate", text: file.name }),
        el("span", { class: "file-size text-body-secondary", text: humanSize(file.size) })),
      progress, status),
    el("button", { class: "btn-close btn-sm", attrs: { type: "button", "aria-label": t("uploads.remove", { name: file.name }), title: t("uploads.remove", { name: file.name }) },
                   on: { click: () => remove(chatId, item.key) } }));
}

/** Signed out: no draft of this account's files stays behind for the next one. */
export function forgetUploads() {
  for (const list of drafts.values()) for (const item of list) forget(item);
  drafts.clear();
  render();
}

export function render() {
  const chatId = state.activeChatId;
  const list = chatId ? listOf(chatId) : [];
  $("uploads").replaceChildren(...list.map((item) => chip(chatId, item)));
  show($("uploads"), list.length > 0);
  changed();
}

function hasFiles(event) {
  return [...(event.dataTransfer?.types || [])].includes("Files");
}

function setupDropZone() {
  const zone = $("chat-open");
  zone.addEventListener("dragover", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    zone.classList.add("dropping");
  });
  zone.addEventListener("dragleave", (event) => {
    if (!zone.contains(event.relatedTarget)) zone.classList.remove("dropping");
  });
  zone.addEventListener("drop", (event) => {
    zone.classList.remove("dropping");
    if (!event.dataTransfer?.files.length || !state.activeChatId) return;
    event.preventDefault();
    addFiles(state.activeChatId, event.dataTransfer.files);
  });
}

/** `onChange` runs whenever the draft's files change (the composer enables Send). */
export function setupUploads(onChange) {
  changed = onChange;
  $("attach-button").addEventListener("click", () => $("file-input").click());
  $("file-input").addEventListener("change", () => {
    if (state.activeChatId) addFiles(state.activeChatId, $("file-input").files);
    $("file-input").value = "";
  });
  $("composer-text").addEventListener("paste", (event) => {
    const files = [...(event.clipboardData?.files || [])];
    if (!files.length || !state.activeChatId) return;
    event.preventDefault();  // a pasted screenshot goes as a file, not as its name
    addFiles(state.activeChatId, files);
  });
  setupDropZone();
  subscribe("active", render);
}
