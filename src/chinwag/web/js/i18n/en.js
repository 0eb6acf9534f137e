// English: every sentence the client builds around server error codes, field problems and
// counts. Another language is one more file with the same keys (see ../i18n.js).

export default {
  // {n} is the count; each entry has the plural categories of Intl.PluralRules("en")
  plurals: {
    members: { one: "{n} member", other: "{n} members" },
    minutes: { one: "{n} minute", other: "{n} minutes" },
    files: { one: "{n} file", other: "{n} files" },
    messagesFound: { one: "{n} message found", other: "{n} messages found" },
  },

  // An API error code -> what to tell the person
  errors: {
    invalid_credentials: "That email or username and password don't match.",
    username_taken: "That username is taken. Try another one.",
    email_taken: "An account with this email already exists.",
    name_taken: "A public group already has this name. Choose another one.",
    wrong_password: "Your current password is not right.",
    invalid_token: "This link has expired or has been used already. Ask for a new one.",
    too_many_attempts: "Too many failed attempts.",
    rate_limited: "You're going too fast.",
    not_found: "That no longer exists, or you can't see it.",
    member_not_found: "That person is no longer in the group.",
    not_a_member: "Join this group first.",
    insufficient_role: "Only the group's admins can do that.",
    own_role: "You can't change your own role.",
    not_sender: "Only the sender can change this message.",
    message_deleted: "That message was deleted.",
    direct_self: "A direct chat needs someone else.",
    too_large: "That is too large.",
    quota_exceeded: "Your uploads would pass your storage quota.",
    image_too_large: "That picture has too many pixels to be shown.",
    upload_interrupted: "The upload was interrupted. Try again.",
    server_busy: "The server is busy. Try again in a moment.",
    database_unavailable: "The server can't store anything just now. Try again in a moment.",
    unauthorized: "You're signed out. Please sign in again.",
    not_authenticated: "You're signed out. Please sign in again.",
    direct_chat: "That can't be done in a direct chat.",
    client_id_reused: "That message was already sent with other words. Send it again.",
    bad_multipart: "The file didn't arrive whole. Try again.",
    bad_cursor: "That page of results is gone. Search again.",
    forbidden: "You're not allowed to do that.",
    conflict: "That clashes with something that already exists.",
    bad_request: "The server couldn't read that request. Reload the page and try again.",
    method_not_allowed: "The server couldn't read that request. Reload the page and try again.",
    invalid_json: "The server couldn't read that request. Reload the page and try again.",
    invalid_frame: "The server couldn't read that request. Reload the page and try again.",
    unknown_type: "The server couldn't read that request. Reload the page and try again.",
    request_timeout: "The request took too long. Check your connection and try again.",
    headers_too_large: "The request was too large. Reload the page and try again.",
    too_many_sockets: "Too many open tabs or devices. Close some and try again.",
    flooding: "Too many requests at once. Wait a moment.",
    http_error: "Something went wrong. Try again.",
    validation_error: "The server didn't accept that. Check what you entered.",
    offline: "Can't reach the server. Check your connection.",
    fields: "Check the fields marked below.",
  },
  retryIn: "Try again in {wait}.",

  // A field's problem -> a sentence. By field name, then by Pydantic's error type; `any`
  // covers every type of that field.
  fields: {
    email: { any: "Enter an email address, like name@example.com." },
    username: { any: "Usernames are 3 to 32 letters, digits, dots, dashes or underscores." },
    password: { any: "Use at least 8 characters (at most 128)." },
    new_password: { any: "Use at least 8 characters (at most 128)." },
    current_password: { any: "Enter your current password." },
    login: { any: "Enter your email or username." },
    display_name: { any: "Display names are at most 64 characters." },
    phone: { any: "Phone numbers hold digits, spaces and + ( ) - . only (at most 32)." },
    birth_date: { any: "Enter a birth date between 1900 and today." },
    bio: { any: "The bio is at most 2000 characters." },
    name: { any: "Group names are 1 to 80 characters." },
    description: { any: "Descriptions are at most 2000 characters." },
    text: { any: "Messages are at most {max} characters." },
    token: { any: "This link is incomplete. Ask for a new one." },
    reply_to: { any: "The message you answer is no longer in this chat." },
    attachment_ids: { any: "Those files can't be attached (at most 10, and only your own)." },
    "": { extra_forbidden: "The app sent a field the server doesn't know ({field})." },
  },
  fieldFallback: "This value isn't accepted.",

  composer: {
    tooLong: "{over} characters too long: messages are at most {max} characters.",
    left: "{left} characters left",
    notSent: "Not sent: {reason}",
  },
  uploads: {
    tooLarge: "Too large: this file is {size}; a file may be at most {limit}.",
    quota: "Your uploads would pass your quota: {limit} left.",
  },
  session: {
    ended: "Your session has ended. Please sign in again.",
  },
  offline: {
    readOnly: "You are offline: these are the chats and messages as last loaded, read-only. Sending comes back with the connection.",
    lost: "You are offline: messages can't be sent until the connection is back.",
  },
  mute: {
    mute: "Mute this chat",
    unmute: "Unmute this chat",
    failed: "Couldn't change this chat's notifications.",
  },
  push: {
    sentFile: "Sent a file",
  },
};
