// Names for the people behind sender ids: from member lists, peers and search results, and
// fetched once for anyone still unknown.

import { api } from "./api.js";
import { emit, rememberUser, state } from "./store.js";

const asking = new Set();
const fetched = new Set();  // asked once this session: a profile (and avatar) change shows on reload

/** Fetch the public profiles (names, avatars) of people known only by id or a brief shape. */
export function ensureUsers(ids) {
  for (const id of ids) {
    if (!id || asking.has(id) || fetched.has(id)) continue;
    const known = state.users.get(id);
    // a full profile already (briefs of members and peers carry no bio)
    if (known && "avatar_url" in known && "bio" in known) continue;
    asking.add(id);
    api("GET", `/api/users/${id}`)
      .then((user) => { rememberUser(user); emit("users"); })
      .catch(() => { /* a deleted account: it stays "Someone" */ })
      .finally(() => { asking.delete(id); fetched.add(id); });
  }
}

/** Someone's profile, fetched when not known yet (a notification names its sender). */
export async function userOf(id) {
  if (!state.users.has(id) && id) {
    try { rememberUser(await api("GET", `/api/users/${id}`)); } catch { /* stays "Someone" */ }
  }
  return state.users.get(id);
}

export function forgetFetchedUsers() {
  fetched.clear();
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
