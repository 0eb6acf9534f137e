// The tab's icon shows how many messages wait unread: the chat bubble, drawn on a canvas, with
// a red count (99+ past 99). A data: URL, which the CSP's img-src allows.

import { state, subscribe, totalUnread } from "./store.js";

const SIZE = 64;
let shown = null;

function bubble(context) {
  context.fillStyle = "#4f46e5";
  context.beginPath();
  context.roundRect(4, 6, 56, 42, 12);
  context.moveTo(18, 46);
  context.lineTo(14, 60);
  context.lineTo(32, 46);
  context.fill();
}

function badge(context, count) {
  const text = count > 99 ? "99+" : String(count);
  context.fillStyle = "#dc2626";
  context.beginPath();
  context.arc(44, 20, 20, 0, 2 * Math.PI);
  context.fill();
  context.fillStyle = "#fff";
  context.font = `bold ${text.length > 2 ? 18 : 26}px system-ui, sans-serif`;
  context.textAlign = "center";
  context.textBaseline = "middle";
  context.fillText(text, 44, 21);
}

/** The icon for `count` unread messages, as a PNG data: URL. */
export function faviconFor(count) {
  const canvas = document.createElement("canvas");
  canvas.width = SIZE;
  canvas.height = SIZE;
  const context = canvas.getContext("2d");
  bubble(context);
  if (count > 0) badge(context, count);
  return canvas.toDataURL("image/png");
}

function update() {
  const count = state.me ? totalUnread() : 0;
  if (count === shown) return;
  shown = count;
  const link = document.getElementById("favicon");
  link.href = faviconFor(count);
  link.dataset.unread = String(count);  // what the icon says, for tests and tools
}

export function watchFavicon() {
  subscribe("chats", update);
  subscribe("me", update);
  update();
}
