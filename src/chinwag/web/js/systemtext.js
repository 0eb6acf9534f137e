// System messages ("@ana added @bo") are stored by the server in the words it writes them
// with (chats/service.py, chats/members.py); the client recognises those few shapes and says
// them in the reader's language. Anything else is shown as stored.

import { plural, t } from "./i18n.js";

const NAME = "@([A-Za-z0-9_.-]+)";
const SHAPES = [
  [new RegExp(`^${NAME} created the group$`), "system.created", ["actor"]],
  [new RegExp(`^${NAME} added ${NAME}$`), "system.added", ["actor", "user"]],
  [new RegExp(`^${NAME} joined$`), "system.joined", ["user"]],
  [new RegExp(`^${NAME} removed ${NAME}$`), "system.removed", ["actor", "user"]],
  [new RegExp(`^${NAME} left$`), "system.left", ["user"]],
  [new RegExp(`^${NAME} renamed the group to "(.*)"$`, "s"), "system.renamed", ["actor", "name"]],
  [new RegExp(`^${NAME} set the topic to "(.*)"$`, "s"), "system.topic", ["actor", "topic"]],
  [new RegExp(`^${NAME} set messages to be kept for (\\d+) days?$`), "system.keptFor", ["actor", "days"]],
  [new RegExp(`^${NAME} set messages to be kept forever$`), "system.keptForever", ["actor"]],
  [
    new RegExp(`^${NAME} set messages to be kept as long as the workspace keeps them \\((\\d+) days\\)$`),
    "system.keptAsWorkspace",
    ["actor", "days"],
  ],
  // the same three, set from the server's command line (no account did it)
  [/^An administrator set messages to be kept for (\d+) days?$/, "system.adminKeptFor", ["days"]],
  [/^An administrator set messages to be kept forever$/, "system.adminKeptForever", []],
  [
    /^An administrator set messages to be kept as long as the workspace keeps them \((\d+) days\)$/,
    "system.adminKeptAsWorkspace",
    ["days"],
  ],
];

// A number of days in the reader's words ("1 day", "5 дней").
function spelled(vars) {
  if (vars.days !== undefined) vars.days = plural("days", Number(vars.days));
  return vars;
}

/** A system message's text in the current language. */
export function systemText(text) {
  for (const [shape, key, names] of SHAPES) {
    const found = shape.exec(text || "");
    if (found) return t(key, spelled(Object.fromEntries(names.map((name, i) => [name, found[i + 1]]))));
  }
  return text;
}
