// The REST client. The access token lives in this module's memory only; the refresh token is
// an HttpOnly cookie scoped to /api/auth that no script can read, so a reload signs back in
// through POST /api/auth/refresh without a body.

import { errorSentence, fieldSentence, formatDateTime, plural, t } from "./i18n.js";

let accessToken = null;
let expiresAt = 0;
let refreshing = null;
let setupOnly = false;  // the token opens only the two-factor setup the workspace requires
const listeners = new Set();
const setupListeners = new Set();

export class ApiError extends Error {
  /** `body` is the error object as the server sent it (details, limits), or {}. */
  constructor(status, code, message, retryAfter, body = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
    this.body = body;
  }
}

/** Called with the profile on every new token pair, and with null when signed out. */
export function onAuthChange(fn) {
  listeners.add(fn);
}

/** Called when the server says the workspace requires two-factor sign-in of this account
 * first (a token limited to the setup, or a 403 two_factor_setup_required). */
export function onSetupRequired(fn) {
  setupListeners.add(fn);
}

/** Whether the current token opens only the two-factor setup. */
export function setupRequired() {
  return setupOnly;
}

function setTokens(body) {
  accessToken = body ? body.access_token : null;
  expiresAt = body ? Date.now() + body.expires_in * 1000 : 0;
  setupOnly = Boolean(body?.two_factor_setup_required);
  if (setupOnly) for (const fn of setupListeners) fn();
  for (const fn of listeners) fn(body ? body.user : null);
}

export function token() {
  return accessToken;
}

/** Trade the cookie for a fresh pair. Single-flight, and serialised across tabs: the refresh
 * token rotates, and presenting a rotated one revokes the whole session. */
export function refresh() {
  if (!refreshing) {
    const run = async () => {
      const response = await fetch("/api/auth/refresh", { method: "POST", credentials: "same-origin" });
      if (!response.ok) {
        setTokens(null);
        return false;
      }
      setTokens(await response.json());
      return true;
    };
    const locked = navigator.locks ? navigator.locks.request("chinwag-refresh", run) : run();
    refreshing = locked.finally(() => { refreshing = null; });
  }
  return refreshing;
}

/** A token with at least 30 s to live (the socket handshake cannot refresh on its own). */
export async function freshToken() {
  if (accessToken && expiresAt - Date.now() > 30_000) return accessToken;
  return (await refresh()) ? accessToken : null;
}

async function errorOf(response) {
  let error = { code: "error", message: `Request failed (${response.status})` };
  try {
    const body = await response.json();
    if (body.error) error = body.error;
  } catch { /* not JSON: keep the generic message */ }
  const retry = Number(response.headers.get("retry-after")) || null;
  return new ApiError(response.status, error.code, error.message, retry, error);
}

/** api("GET", "/api/chats") -> parsed JSON (null for 204). Retries once after a refresh. */
export async function api(method, path, body, { retry = true } = {}) {
  const headers = {};
  if (accessToken) headers.authorization = `Bearer ${accessToken}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401 && retry && accessToken && !path.startsWith("/api/auth/")) {
    if (await refresh()) return api(method, path, body, { retry: false });
  }
  if (!response.ok) {
    const error = await errorOf(response);
    if (error.code === "two_factor_setup_required") {
      setupOnly = true;
      for (const fn of setupListeners) fn();
    }
    throw error;
  }
  if (response.status === 204 || response.status === 202) return null;
  return response.json();
}

/** GET a file with the bearer token (an <img src> can't send one) -> Blob. */
export async function fetchBlob(path, { retry = true } = {}) {
  const headers = accessToken ? { authorization: `Bearer ${accessToken}` } : {};
  const response = await fetch(path, { headers, credentials: "same-origin" });
  if (response.status === 401 && retry && (await refresh())) return fetchBlob(path, { retry: false });
  if (!response.ok) throw await errorOf(response);
  return response.blob();
}

function xhrError(xhr) {
  let error = { code: "error", message: `Upload failed (${xhr.status})` };
  try {
    const body = JSON.parse(xhr.responseText);
    if (body.error) error = body.error;
  } catch { /* not JSON */ }
  return new ApiError(xhr.status, error.code, error.message, null, error);
}

function postForm(path, form, onProgress, signal) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    if (accessToken) xhr.setRequestHeader("authorization", `Bearer ${accessToken}`);
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => resolve(xhr));
    xhr.addEventListener("error", () => reject(new TypeError("network error")));
    xhr.addEventListener("abort", () => reject(new DOMException("Upload cancelled", "AbortError")));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}

/** Upload one file as multipart field `file` with progress (fetch can't report upload
 * progress, XMLHttpRequest can) -> the stored file's shape. */
export async function uploadFile(path, file, onProgress = () => {}, signal = undefined) {
  const form = new FormData();
  form.append("file", file, file.name);
  await freshToken();
  let xhr = await postForm(path, form, onProgress, signal);
  if (xhr.status === 401 && (await refresh())) xhr = await postForm(path, form, onProgress, signal);
  if (xhr.status < 200 || xhr.status >= 300) throw xhrError(xhr);
  return JSON.parse(xhr.responseText);
}

/** Sign in; `code` (an authenticator or recovery code) once the server asked for it with
 * two_factor_required. */
export async function signIn(login, password, code = "") {
  setTokens(await api("POST", "/api/auth/login", { login, password, ...(code ? { code } : {}) }));
}

export async function signOut() {
  try {
    await api("POST", "/api/auth/logout");
  } catch { /* already signed out server-side */ }
  setTokens(null);
}

/** The fields a validation error names, each with its sentence: [{field, text}], one per
 * field (the first problem of each), in the order the server listed them. */
export function fieldProblems(error) {
  if (!(error instanceof ApiError) || error.code !== "validation_error") return [];
  const problems = new Map();
  for (const detail of error.body.details || []) {
    const path = (detail.loc || []).filter((part) => part !== "body");
    const field = typeof path[0] === "string" ? path[0] : "";
    const key = detail.type === "extra_forbidden" ? `?${field}` : field;
    if (!problems.has(key)) {
      problems.set(key, { field: detail.type === "extra_forbidden" ? "" : field,
                          text: fieldSentence(field, detail.type, error.body) });
    }
  }
  return [...problems.values()];
}

/** Human text for an error (never the server's raw validation text), with the wait when
 * throttled. */
export function explain(error) {
  if (!(error instanceof ApiError)) {
    return error instanceof TypeError ? t("errors.offline") : error.message;
  }
  // a group's moderation says when: the mute's end, slow mode's wait (seconds, not minutes)
  if (error.code === "muted" && error.body?.until) {
    return t("errors.muted", { until: formatDateTime(new Date(error.body.until)) });
  }
  // a search operator the server couldn't take: name it as typed
  if ((error.code === "invalid_operator" || error.code === "unsupported_operator") && error.body?.operator) {
    return t(`errors.${error.code}`, { operator: error.body.operator });
  }
  if (error.code === "slow_mode") {
    return t("errors.slow_mode", { wait: error.body?.retry_after ?? error.retryAfter ?? "" });
  }
  const problems = fieldProblems(error);
  // a rule checked past the schema names its field in its message: "text: at most 4000 ..."
  const named = error.code === "validation_error" && /^([a-z_]+): (?:\D*(\d+))?/.exec(error.message || "");
  let text = problems.length ? problems.map((p) => p.text).join(" ")
    : named ? fieldSentence(named[1], "any", { max: named[2] ?? "" })
      : errorSentence(error.code) || error.message;
  if (error.status === 429 && error.retryAfter) {
    text += ` ${t("retryIn", { wait: plural("minutes", Math.ceil(error.retryAfter / 60)) })}`;
  }
  return text;
}
