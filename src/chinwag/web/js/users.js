// Names for the people behind sender ids: from member lists, peers and search results, and
// fetched once for anyone still unknown.

import { api } from "./api.js";
import { emit, rememberUser, state } from "./store.js";

const asking = new Set();

export function ensureUsers(ids) {
  for (const id of ids) {
    if (!id || state.users.has(id) || asking.has(id)) continue;
    asking.add(id);
    api("GET", `/api/users/${id}`)
      .then((user) => { rememberUser(user); emit("users"); })
      .catch(() => { /* a deleted account: it stays "Someone" */ })
      .finally(() => asking.delete(id));
  }
}

/** Load a chat's members (roles, read pointers) into the store. */
export async function loadMembers(chatId) {
  const [list, online] = await Promise.all([
    api("GET", `/api/chats/${chatId}/members`), api("GET", "/api/users/online")]);
  // presence events only reach people who already shared a chat: newcomers are checked here
  const onlineIds = new Set(online.map((user) => user.id));
  for (const member of list) {
    if (onlineIds.has(member.user_id)) state.online.add(member.user_id);
    else state.online.delete(member.user_id);
  }
  emit("presence");
  const members = new Map();
  for (const member of list) {
    members.set(member.user_id, member);
    rememberUser(member.user);
  }
  state.members.set(chatId, members);
  emit("members", chatId);
  emit("users");
  return members;
}
