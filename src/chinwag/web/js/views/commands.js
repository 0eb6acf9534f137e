// Slash commands in the composer: the list of commands that shows while "/word" is typed at
// the start of the box, and the answers the server gives the sender alone (command.result:
// /help, an unknown command, what /topic, /invite, /leave, /mute did), shown above the
// composer until closed or the next send. The server runs the commands (docs/protocol.md).

import { $, el, show } from "../dom.js";
import { t } from "../i18n.js";

export const COMMANDS = [
  ["me", "<text>"], ["shrug", "[text]"], ["topic", "<text>"], ["invite", "@user"], ["leave", ""],
  ["mute", ""], ["unmute", ""], ["remind", ""], ["help", ""],
];

function commandLine([name, args]) {
  return el("li", {},
    el("code", { text: `/${name}${args ? ` ${args}` : ""}` }),
    el("span", { text: ` — ${t(`commands.${name}`)}` }));
}

/** The commands whose names start with what is typed after the slash ("" for all). */
function matching(prefix) {
  return COMMANDS.filter(([name]) => name.startsWith(prefix));
}

function render(lines, footer) {
  const box = $("command-result");
  box.replaceChildren(
    el("button", { class: "btn-close btn-sm float-end", attrs: { type: "button",
      "aria-label": t("commands.close"), title: t("commands.close") },
    on: { click: () => { hideCommandResult(); $("composer-text").focus(); } } }),
    ...lines,
    footer ? el("div", { class: "text-body-secondary", text: footer }) : null);
  show(box, true);
}

function helpList(commands) {
  return el("ul", { class: "command-list list-unstyled mb-0", attrs: { "aria-label": t("commands.label") } },
    ...commands.map(commandLine));
}

/** The server's answer to a command: the help list in the reader's language, or what it did. */
export function showCommandResult(frame) {
  if (frame.command === "help") return render([helpList(COMMANDS)], t("commands.escape", { slashes: "//" }));
  const known = COMMANDS.some(([name]) => name === frame.command);
  if (!known) {
    return render([el("div", { text: t("commands.unknown", { name: frame.command }) }), helpList(COMMANDS)],
      t("commands.escape", { slashes: "//" }));
  }
  // /invite names the people added: the server's words; the others have the reader's
  const key = `commands.result.${frame.command}`;
  const text = frame.command === "invite" ? frame.text : t(key);
  return render([el("div", { text })]);
}

export function hideCommandResult() {
  const box = $("command-result");
  box.replaceChildren();
  show(box, false);
}

/** While the box holds "/" and the start of a command name, the commands it could be. */
export function suggestCommands(text) {
  const typed = /^\/([a-z]*)$/i.exec(text);
  const box = $("command-suggestions");
  const found = typed ? matching(typed[1].toLowerCase()) : [];
  show(box, found.length > 0);
  box.replaceChildren(...(found.length ? [helpList(found)] : []));
}
