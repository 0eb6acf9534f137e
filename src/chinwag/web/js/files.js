// Files behind the bearer token: thumbnails and avatars are fetched with it into blob: URLs
// (an <img src> can't send a header), cached per URL and revoked when the cache is full or
// the person signs out. Full-size images and downloads are fetched when asked for and
// revoked when done, so big files don't sit in memory.

import { currentLanguage, t } from "./i18n.js";
import { fetchBlob } from "./api.js";

const KEEP = 300;  // thumbnails and avatars held at once (a few hundred KB each at most)
const cache = new Map();  // url -> {promise, objectUrl}; Map order is least recently used first

function touch(url, entry) {
  cache.delete(url);
  cache.set(url, entry);
}

function evict() {
  for (const [url, entry] of cache) {
    if (cache.size <= KEEP) return;
    if (!entry.objectUrl) continue;  // still loading
    // an <img> on the page keeps showing a revoked URL, but a re-render couldn't use it
    if (document.querySelector(`img[src="${CSS.escape(entry.objectUrl)}"]`)) continue;
    URL.revokeObjectURL(entry.objectUrl);
    cache.delete(url);
  }
}

/** The blob: URL of `url` if it is loaded already (no waiting, no flicker), else null. */
export function cachedBlobUrl(url) {
  const entry = cache.get(url);
  if (!entry?.objectUrl) return null;
  touch(url, entry);
  return entry.objectUrl;
}

/** A blob: URL for a file URL of the API, fetched once. */
export function blobUrl(url) {
  const known = cache.get(url);
  if (known) { touch(url, known); return known.promise; }
  const entry = { objectUrl: null };
  entry.promise = fetchBlob(url).then((blob) => {
    entry.objectUrl = URL.createObjectURL(blob);
    evict();
    return entry.objectUrl;
  }, (error) => {
    cache.delete(url);  // try again next time
    throw error;
  });
  cache.set(url, entry);
  return entry.promise;
}

/** An <img> that shows `url` (an API file URL) once fetched; `alt` names it. */
export function authorizedImage(url, alt, { className = "", onFail = null } = {}) {
  const img = document.createElement("img");
  img.alt = alt;
  if (className) img.className = className;
  const ready = cachedBlobUrl(url);
  if (ready) img.src = ready;
  else {
    blobUrl(url).then((src) => { img.src = src; }, () => {
      img.classList.add("failed");
      if (onFail) onFail(img);
    });
  }
  return img;
}

/** Fetch a file and hand it to the browser as a download named `filename`. */
export async function downloadFile(file) {
  const objectUrl = URL.createObjectURL(await fetchBlob(file.url));
  const link = document.createElement("a");
  link.href = objectUrl;
  link.download = file.filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // the download has its own copy once it started; a minute is plenty for it to start
  setTimeout(() => URL.revokeObjectURL(objectUrl), 60_000);
}

export function forgetFiles() {
  for (const entry of cache.values()) if (entry.objectUrl) URL.revokeObjectURL(entry.objectUrl);
  cache.clear();
}

const UNITS = ["b", "kb", "mb", "gb"];  // keys of the catalogue's `units`

/** 1536 -> "1.5 KB" */
export function humanSize(bytes) {
  let size = Number(bytes) || 0;
  let unit = 0;
  while (size >= 1024 && unit < UNITS.length - 1) { size /= 1024; unit += 1; }
  const shown = unit === 0 || size >= 10 ? Math.round(size) : Math.round(size * 10) / 10;
  const number = new Intl.NumberFormat(currentLanguage(), { useGrouping: false }).format(shown);
  return `${number} ${t(`units.${UNITS[unit]}`)}`;
}
