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

/** A search snippet: its text, with <mark> kept around the matches and nothing else. */
export function snippetFragment(snippet) {
  const fragment = document.createDocumentFragment();
  copyChildren(parsed(snippet || ""), fragment, SNIPPET_TAGS, null);
  return fragment;
}

/** A quote's snippet is the start of the markdown as written: show it without the marks. */
export function plainSnippet(markdown) {
  return (markdown || "")
    .replace(/(\*\*|__|~~|`+)/g, "")
    .replace(/(^|\s)(>|#{1,6})\s+/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
}
