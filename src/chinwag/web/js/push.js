// Web Push on this device: once notifications are allowed, subscribe through the service
// worker with the server's VAPID key and give the server the subscription; it pushes direct
// messages and mentions while no tab has a socket open. Withdrawn on sign-out. A click on
// a notification sends {type: "open-chat"} from the worker to a tab.

import { api } from "./api.js";

function supported() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/** Subscribe this device (when allowed); quietly nothing where the browser can't. */
export async function subscribeDevice() {
  if (!supported() || Notification.permission !== "granted") return;
  try {
    const registration = await navigator.serviceWorker.ready;
    let subscription = await registration.pushManager.getSubscription();
    if (!subscription) {
      const { public_key: key } = await api("GET", "/api/push/key");
      subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: keyBytes(key),
      });
    }
    const { endpoint, keys } = subscription.toJSON();
    await api("POST", "/api/push/subscriptions", { endpoint, keys });
  } catch {
    // no push service reachable (or refused): the tab's own notifications still work
  }
}

/** Before signing out: this device stops getting the person's pushes. */
export async function unsubscribeDevice() {
  if (!supported()) return;
  try {
    const registration = await navigator.serviceWorker.getRegistration("/");
    const subscription = await registration?.pushManager.getSubscription();
    if (!subscription) return;
    await api("DELETE", "/api/push/subscriptions", { endpoint: subscription.endpoint }).catch(() => {});
    await subscription.unsubscribe();
  } catch { /* the worker is gone already */ }
}

/** A notification was clicked: the worker asks this tab to open its chat. */
export function onOpenChat(openChat) {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data?.type === "open-chat" && Number.isInteger(event.data.chat_id)) {
      openChat(event.data.chat_id);
    }
  });
}
