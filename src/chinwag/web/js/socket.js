// The one WebSocket of this tab: connect with ?token=, reconnect with backoff, and resume.
// Resume: the store keeps the highest seq it holds per chat; `ready` says each chat's last_seq,
// and every gap is fetched with ?after=. Messages are keyed by chat+seq, so a message that
// arrives both live and in a gap is shown once.
// Frames other than `ready` go out as the store's "frame" topic (events.js listens): the
// socket imports no handler or view, so modules import one way.

import { api, freshToken, refresh } from "./api.js";
import { emit, highestSeq, isWindowed, putChat, putMessages, state } from "./store.js";

let socket = null;
let attempt = 0;
let retryTimer = null;
let stopped = true;

export function start() {
  stopped = false;
  attempt = 0;
  open();
}

export function stop() {
  stopped = true;
  clearTimeout(retryTimer);
  if (socket) socket.close(1000);
  socket = null;
  setConnected(false);
}

function setConnected(connected) {
  state.connected = connected;
  emit("connection", connected);
}

async function open() {
  clearTimeout(retryTimer);
  if (stopped) return;
  const token = await freshToken().catch(() => null);
  if (stopped) return;
  if (!token) {
    if (navigator.onLine === false) return scheduleRetry();
    emit("signed-out");
    return;
  }
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/ws?token=${encodeURIComponent(token)}`);
  socket = ws;
  let opened = false;
  ws.addEventListener("open", () => { opened = true; });
  ws.addEventListener("message", (event) => {
    if (ws !== socket) return;
    let frame;
    try { frame = JSON.parse(event.data); } catch { return; }
    if (frame.type === "ready") onReady(frame);
    else emit("frame", frame);
  });
  ws.addEventListener("close", (event) => {
    if (ws !== socket) return;
    socket = null;
    setConnected(false);
    // 1008 is what a revoked session (signed out from another device, password changed)
    // gets, and a refused handshake never opens: ask whether the session still lives
    if (event.code === 1008 || !opened) checkSession();
    else scheduleRetry();
  });
}

/** Signed out for good when the cookie no longer buys a token; otherwise try again later. */
async function checkSession() {
  let alive = null;  // unknown while the server can't be reached
  try { alive = await refresh(); } catch { /* offline or server down: retry with backoff */ }
  if (stopped) return;
  if (alive === false) emit("signed-out");
  else scheduleRetry();
}

function scheduleRetry() {
  if (stopped) return;
  // A random time up to 1 s, 2 s, 4 s ... capped at 15 s ("full jitter"): the tabs of a
  // restarted server come back spread out, not in step
  const delay = Math.random() * Math.min(15000, 1000 * 2 ** attempt);
  attempt += 1;
  retryTimer = setTimeout(open, delay);
}

// The browser knows the network is gone before TCP does: stop showing a live socket now.
// Don't wait for the close event: with the network gone the closing handshake may never end.
window.addEventListener("offline", () => {
  if (!socket) return;
  const gone = socket;
  socket = null;  // its close event, whenever it comes, is then ignored
  setConnected(false);
  gone.close();
  scheduleRetry();
});

// Going back online is the best moment to try again, whatever the backoff says.
window.addEventListener("online", () => {
  if (!stopped && !socket) { attempt = 0; open(); }
});

async function onReady(frame) {
  attempt = 0;
  state.me = frame.user;
  state.online = new Set(frame.online);
  if (frame.limits) state.limits = { ...state.limits, ...frame.limits };
  const listed = new Set(frame.chats.map((chat) => chat.id));
  for (const id of [...state.chats.keys()]) if (!listed.has(id)) state.chats.delete(id);
  for (const chat of frame.chats) putChat(chat);
  emit("me");
  emit("presence");
  setConnected(true);
  await Promise.all(frame.chats.map((chat) => fillGap(chat.id, chat.last_seq)));
  resendPending();
}

/** Fetch what was missed in a chat whose history this tab holds. */
export async function fillGap(chatId, lastSeq) {
  if (!state.history.get(chatId)?.loaded) return;  // never opened: loads fresh when opened
  if (isWindowed(chatId)) return;  // opened further back: scrolling down loads the rest
  let after = highestSeq(chatId);
  while (after < lastSeq) {
    const page = await api("GET", `/api/chats/${chatId}/messages?after=${after}&limit=100`);
    if (!page.length) break;
    putMessages(chatId, page);
    after = page[page.length - 1].seq;
  }
}

/** The WebSocket frame of a pending send (sent again, unchanged, after a reconnect). */
export function sendFrame(pending) {
  const frame = { type: "message.send", chat_id: pending.chat_id, text: pending.text,
                  client_id: pending.client_id };
  if (pending.reply_to_id) frame.reply_to = pending.reply_to_id;
  if (pending.attachments?.length) frame.attachment_ids = pending.attachments.map((f) => f.id);
  return frame;
}

/** Sends that never got an ack go again with the same client_id: the server stores each once. */
function resendPending() {
  for (const pending of state.pending.values()) send(sendFrame(pending));
}

export function send(frame) {
  if (socket && socket.readyState === WebSocket.OPEN && state.connected) {
    socket.send(JSON.stringify(frame));
    return true;
  }
  return false;
}
