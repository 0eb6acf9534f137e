// The only HTML the client ever shows: a message's `html` (sanitised by the server) and a
// search hit's `snippet` (escaped text with <mark>). Both are parsed in an inert document
// (DOMParser runs no scripts and loads nothing) and copied node by node into the page through
// an allowlist of our own, so even a server bug can't put a handler or a script on the page.

const MESSAGE_TAGS = new Set([
  "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a",
  "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td", "span",
]);
const SNIPPET_TAGS = new Set(["mark"]);
const LINK_SCHEMES = new Set(["http:", "https:", "mailto:"]);
// Line breaks between blocks are the renderer's layout, not the writer's: they are dropped,
// so that paragraphs can keep the writer's own line breaks (white-space: pre-wrap).
const BLOCK_PARENTS = new Set(["ul", "ol", "li", "blockquote", "table", "thead", "tbody", "tr"]);
const LAYOUT_BREAK = /^\s*\n\s*$/;

function safeHref(value) {
  try {
    const url = new URL(value);
    return LINK_SCHEMES.has(url.protocol) ? url.href : null;
  } catch {
    return null;  // relative or malformed: the server allows neither
  }
}

/** The allowed attributes of one element, copied onto its twin in the page. */
function copyAttributes(from, to, myId) {
  const tag = to.localName;
  if (tag === "a") {
    const href = safeHref(from.getAttribute("href") || "");
    if (href) to.setAttribute("href", href);
    to.setAttribute("target", "_blank");
    to.setAttribute("rel", "noopener noreferrer nofollow");
  } else if (tag === "pre" || tag === "table") {
    to.tabIndex = 0;  // they scroll sideways when wide: the keyboard must reach them too
  } else if (tag === "ol" && /^\d{1,9}$/.test(from.getAttribute("start") || "")) {
    to.setAttribute("start", from.getAttribute("start"));
  } else if (tag === "span" && from.classList.contains("mention")) {
    const userId = from.getAttribute("data-user-id") || "";
    to.className = "mention";
    if (/^\d+$/.test(userId)) {
      to.dataset.userId = userId;
      if (Number(userId) === myId) to.classList.add("mention-me");
    }
  }
}

function copyChildren(from, to, tags, myId) {
  const block = to.nodeType === Node.DOCUMENT_FRAGMENT_NODE || BLOCK_PARENTS.has(to.localName);
  for (const node of from.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      if (!(block && LAYOUT_BREAK.test(node.data))) to.append(node.data);
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      const tag = node.localName;
      if (tags.has(tag)) {
        const twin = document.createElement(tag);
        copyAttributes(node, twin, myId);
        copyChildren(node, twin, tags, myId);
        to.append(twin);
      } else if (tag !== "script" && tag !== "style") {
        copyChildren(node, to, tags, myId);  // unknown wrapper: keep its text only
      }
    }
  }
}

function parsed(html) {
  return new DOMParser().parseFromString(`<body>${html}</body>`, "text/html").body;
}

/** A fragment of the message's sanitised html; a mention of `myId` is marked `mention-me`. */
export function messageFragment(html, myId) {
  const fragment = document.createDocumentFragment();
  copyChildren(parsed(html || ""), fragment, MESSAGE_TAGS, myId);
  return fragment;
}

/** Markdown's inline marks taken off a run of text: links keep their words, emphasis and
 * code lose their asterisks, underscores and backticks (snake_case keeps its underscore). */
function stripInline(text) {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/(\*\*|__|~~|`+)/g, "")
    .replace(/(^|[\s([{"'])[*_]+(?=\S)/g, "$1")
    .replace(/(\S)[*_]+(?=$|[\s)\]}.,;:!?"'…])/g, "$1")
    .replace(/\\([\\`*_{}[\]()#+\-.!>~|])/g, "$1");
}

/** The words of a message's Markdown, on one line: what previews and quotes show. */
export function plainText(markdown) {
  const lines = (markdown || "").split("\n")
    .filter((line) => !/^\s*(```|~~~)/.test(line) && !/^\s*\|?\s*:?-{3,}/.test(line))
    .map((line) => line
      .replace(/^\s{0,3}(>\s?)+/, "")
      .replace(/^\s{0,3}#{1,6}\s+/, "")
      .replace(/^\s*([-*+]|\d{1,9}[.)])\s+(\[[ xX]\]\s+)?/, "")
      .replace(/\|/g, " "));
  // a table's rule row (|---|:--:|) inside a snippet already on one line, and rules (---)
  const words = lines.join(" ").replace(/(^|\s):?-{3,}:?(?=\s|$)/g, "$1");
  return stripInline(words).replace(/\s+/g, " ").trim();
}

/** The words of a message's sanitised html, on one line (mentions keep their @). */
export function htmlText(html) {
  const body = parsed(html || "");
  // blocks would run together in textContent ("one</p><p>two" -> "onetwo")
  for (const block of body.querySelectorAll("p, li, br, tr, td, th, pre, blockquote, h1, h2, h3, h4, h5, h6")) {
    block.append(" ");
  }
  return body.textContent.replace(/\s+/g, " ").trim();
}

/** A search snippet: its words without Markdown's marks, with <mark> kept around the
 * matches and nothing else. */
export function snippetFragment(snippet) {
  const fragment = document.createDocumentFragment();
  const body = parsed(snippet || "");
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) node.data = stripInline(node.data);
  copyChildren(body, fragment, SNIPPET_TAGS, null);
  return fragment;
}

/** A quote's snippet is the start of the markdown as written: show its words. */
export function plainSnippet(markdown) {
  return plainText(markdown);
}
