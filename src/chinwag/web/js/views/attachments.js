// A message's files: images as inline previews (the thumbnail) that open full size in a
// dialog, other files as chips with name and size that download on click.

import { explain, fetchBlob } from "../api.js";
import { $, el, icon, modal, showAlert } from "../dom.js";
import { authorizedImage, downloadFile, humanSize } from "../files.js";
import { t } from "../i18n.js";

const PREVIEW_PX = 240;  // the longest side of an inline preview
// The same <img> goes back into each re-render, so a loaded preview never blinks or resizes.
const previews = new Map();  // "messageId:fileId" -> img
let fullUrl = null;  // the open full-size image's blob: URL, revoked when the dialog closes
let shown = null;    // the file the dialog shows

function previewSize(file) {
  const width = file.width || PREVIEW_PX;
  const height = file.height || PREVIEW_PX;
  const scale = Math.min(1, PREVIEW_PX / Math.max(width, height));
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}

function previewImage(message, file) {
  const key = `${message.id}:${file.id}`;
  let img = previews.get(key);
  if (!img) {
    img = authorizedImage(file.thumbnail_url, file.filename, { className: "attachment-thumb" });
    // width and height hold the place while it loads: the history doesn't jump
    const [width, height] = previewSize(file);
    img.width = width;
    img.height = height;
    previews.set(key, img);
  }
  return img;
}

function imageItem(message, file) {
  return el("li", {}, el("button", {
    class: "attachment-image", attrs: { type: "button",
      "aria-label": t("files.open", { name: file.filename }), "data-focus-key": `file-${message.seq}-${file.id}` },
    on: { click: () => openImage(file) },
  }, previewImage(message, file)));
}

function fileItem(message, file) {
  const size = humanSize(file.size);
  return el("li", {}, el("button", {
    class: "attachment-file", attrs: { type: "button", "aria-label": t("files.download", { name: file.filename, size }),
      "data-focus-key": `file-${message.seq}-${file.id}` },
    on: { click: () => downloadFile(file).catch((error) => { $("typing").textContent = explain(error); }) },
  }, icon("file-earmark-arrow-down"), el("span", { class: "file-name text-truncate", text: file.filename }),
  el("span", { class: "file-size", text: size })));
}

export function attachmentList(message) {
  const files = message.attachments || [];
  if (!files.length) return null;
  return el("ul", { class: "attachments list-unstyled", attrs: { "aria-label": t("files.attachments") } },
    ...files.map((file) => (file.is_image && file.thumbnail_url ? imageItem(message, file)
      : fileItem(message, file))));
}

/** Previews no longer on the page are let go (their blob stays cached in files.js). */
export function forgetDetachedImages() {
  for (const [key, img] of previews) if (!img.isConnected) previews.delete(key);
}

async function openImage(file) {
  const full = $("image-full");
  $("image-title").textContent = file.filename;
  showAlert($("image-error"), "");
  full.removeAttribute("src");
  full.alt = file.filename;
  full.classList.add("d-none");
  shown = file;
  modal("image-dialog").show();
  try {
    // not cached: full images can be big, and the dialog shows one at a time
    const blob = await fetchBlob(file.url);
    if (shown !== file) return;
    if (fullUrl) URL.revokeObjectURL(fullUrl);
    fullUrl = URL.createObjectURL(blob);
    full.src = fullUrl;
    full.classList.remove("d-none");
  } catch (error) {
    showAlert($("image-error"), explain(error));
  }
}

export function setupImageDialog() {
  $("image-download").addEventListener("click", () => {
    if (shown) downloadFile(shown).catch((error) => showAlert($("image-error"), explain(error)));
  });
  $("image-dialog").addEventListener("hidden.bs.modal", () => {
    shown = null;
    $("image-full").removeAttribute("src");
    if (fullUrl) URL.revokeObjectURL(fullUrl);
    fullUrl = null;
  });
}
