// A person's avatar: their picture (the thumbnail of the image they chose, fetched with the
// token) or their initials on a colour of their own. Decorative: the name is always beside it.

import { el } from "./dom.js";
import { authorizedImage } from "./files.js";

const COLOURS = 8;

function initials(user) {
  const name = (user?.display_name || user?.username || "?").trim();
  const words = name.split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? words[0][0] + words[words.length - 1][0] : name.slice(0, 2);
  return [...letters].slice(0, 2).join("").toUpperCase();
}

/** avatar(user, "sm" | "md" | "lg") -> a round element with the picture or the initials. */
export function avatar(user, size = "sm") {
  const colour = `avatar-c${(Number(user?.id) || 0) % COLOURS}`;
  const node = el("span", { class: `avatar avatar-${size} ${colour}`, attrs: { "aria-hidden": "true" } });
  if (user?.avatar_url) {
    node.classList.add("has-picture");
    node.append(authorizedImage(user.avatar_url, "", { onFail: () => {
      node.classList.remove("has-picture");
      node.textContent = initials(user);
    } }));
  } else {
    node.textContent = initials(user);
  }
  return node;
}
