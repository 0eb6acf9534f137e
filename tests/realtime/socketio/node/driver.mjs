// Drives a real socket.io-client for the Python tests: `node driver.mjs URL OPTIONS_JSON`.
// Prints one JSON line per thing that happens (connect, connect_error, every event, acks,
// disconnect) and reads one JSON line per command on stdin: {"emit", "args", "ack": id?}.
import { createInterface } from "node:readline";
import { io } from "socket.io-client";

const [url, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson || "{}");
const say = (line) => process.stdout.write(JSON.stringify(line) + "\n");

const socket = io(url, { reconnection: false, ...options });
socket.on("connect", () => say({ kind: "connect", id: socket.id }));
socket.on("connect_error", (err) =>
  say({ kind: "connect_error", message: err.message, data: err.data ?? null }),
);
socket.on("disconnect", (reason) => say({ kind: "disconnect", reason }));
socket.onAny((event, ...args) => say({ kind: "event", event, data: args[0] ?? null }));

createInterface({ input: process.stdin }).on("line", (line) => {
  const command = JSON.parse(line);
  if (command.close) {
    socket.close();
    return;
  }
  const args = command.args ?? [];
  if (command.ack !== undefined) {
    socket.timeout(10000).emit(command.emit, ...args, (err, answer) =>
      say({ kind: "ack", ack: command.ack, error: err ? String(err) : null, data: answer ?? null }),
    );
  } else {
    socket.emit(command.emit, ...args);
  }
});
process.stdin.on("end", () => {
  socket.close();
  process.exit(0);
});
