"""HTTP routes of the chats domain: /api/chats/*."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from chinwag.chats import group_dms, members, mutes, service
from chinwag.chats.schemas import (
    BanIn,
    BanOut,
    ChatCreate,
    ChatOut,
    ChatPatch,
    DirectChatIn,
    MemberOut,
    MembersAdd,
    MutedMember,
    MuteIn,
    MuteOut,
    RoleIn,
)
from chinwag.deps import Caller, Ctx
from chinwag.errors import error_responses
from chinwag.validation import ChatId, SearchQuery, UserId

router = APIRouter(prefix="/api/chats", tags=["chats"])

SEEN = error_responses(401, 403, 404, 422)


@router.get(
    "",
    response_model=list[ChatOut],
    summary="My chats, latest activity first",
    responses=error_responses(401),
)
async def my_chats(caller: Caller, ctx: Ctx):
    return await service.my_chats(ctx, caller.user.id)


@router.post(
    "",
    status_code=201,
    response_model=ChatOut,
    summary="Create a group; I become its owner",
    description="A public group's name must be free regardless of case: 409 `name_taken`.",
    responses=error_responses(401, 404, 409, 422),
)
async def create_group(data: ChatCreate, caller: Caller, ctx: Ctx):
    return await service.create_group(ctx, caller.user, data)


@router.post(
    "/direct",
    response_model=ChatOut,
    status_code=200,
    summary="The direct chat with someone, or the group direct message of several people "
    "(created on first ask: 201)",
    description="`{user_id}`: the direct chat with that person. `{user_ids}`: the one "
    "conversation of these people and me, 3 to 9 of us (a group direct message: no roles, "
    "never public; the same set in any order answers the same chat).",
    responses={
        201: {"description": "Created", "model": ChatOut},
        **error_responses(400, 401, 404, 422),
    },
)
async def open_direct(data: DirectChatIn, caller: Caller, ctx: Ctx, response: Response):
    if data.user_ids is not None:
        view, created = await group_dms.open_with_people(ctx, caller.user, data.user_ids)
    else:
        view, created = await service.open_direct(ctx, caller.user, data.user_id)
    if created:
        response.status_code = 201
    return view


@router.get(
    "/discover",
    response_model=list[ChatOut],
    summary="Find public groups by name",
    responses=error_responses(401, 422),
)
async def discover(
    caller: Caller, ctx: Ctx, q: SearchQuery = "", limit: Annotated[int, Query(ge=1, le=100)] = 50
):
    return await service.discover(ctx, caller.user, q, limit)


@router.get("/{chat_id}", response_model=ChatOut, summary="A chat's details", responses=SEEN)
async def read_chat(chat_id: ChatId, caller: Caller, ctx: Ctx):
    return await service.get_chat_view(ctx, caller.user, chat_id)


@router.patch(
    "/{chat_id}",
    response_model=ChatOut,
    summary="Rename, describe, open or close a group (admins); set its retention (owner)",
    description="A public group's name must be free regardless of case: 409 `name_taken`. "
    "`retention_days` (owner only, 403 for others): 1-36500, never more than the workspace's "
    "CHINWAG_RETENTION_DAYS (422 `retention_too_long`); null: the workspace's.",
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
async def update_chat(chat_id: ChatId, patch: ChatPatch, caller: Caller, ctx: Ctx):
    return await service.update_chat(ctx, caller.user, chat_id, patch)


@router.delete(
    "/{chat_id}",
    status_code=204,
    summary="Delete a group (owner)",
    responses=error_responses(400, 401, 403, 404, 422),
)
async def delete_chat(chat_id: ChatId, caller: Caller, ctx: Ctx) -> Response:
    await service.delete_chat(ctx, caller.user, chat_id)
    return Response(status_code=204)


@router.post(
    "/{chat_id}/join", response_model=ChatOut, summary="Join a public group", responses=SEEN
)
async def join(chat_id: ChatId, caller: Caller, ctx: Ctx):
    return await members.join(ctx, caller.user, chat_id)


@router.post(
    "/{chat_id}/leave",
    status_code=204,
    summary="Leave a group",
    responses=error_responses(400, 401, 403, 404, 422),
)
async def leave(chat_id: ChatId, caller: Caller, ctx: Ctx) -> Response:
    await members.leave(ctx, caller.user, chat_id)
    return Response(status_code=204)


@router.get(
    "/{chat_id}/members",
    response_model=list[MemberOut],
    summary="Members and roles",
    responses=SEEN,
)
async def list_members(chat_id: ChatId, caller: Caller, ctx: Ctx):
    return await members.list_members(ctx, caller.user, chat_id)


@router.post(
    "/{chat_id}/members",
    status_code=201,
    response_model=list[MemberOut],
    summary="Add people to a group (admins); answers those added",
    responses=error_responses(400, 401, 403, 404, 422),
)
async def add_members(chat_id: ChatId, data: MembersAdd, caller: Caller, ctx: Ctx):
    return await members.add_members(ctx, caller.user, chat_id, data.user_ids)


@router.patch(
    "/{chat_id}/members/{user_id}",
    response_model=MemberOut,
    summary="Set a member's role (owner); role owner hands ownership over",
    responses=error_responses(400, 401, 403, 404, 422),
)
async def set_role(chat_id: ChatId, user_id: UserId, data: RoleIn, caller: Caller, ctx: Ctx):
    return await members.set_role(ctx, caller.user, chat_id, user_id, data.role)


@router.delete(
    "/{chat_id}/members/{user_id}",
    status_code=204,
    summary="Remove someone from a group (admins)",
    responses=error_responses(400, 401, 403, 404, 422),
)
async def remove_member(chat_id: ChatId, user_id: UserId, caller: Caller, ctx: Ctx) -> Response:
    await members.remove_member(ctx, caller.user, chat_id, user_id)
    return Response(status_code=204)


@router.get(
    "/{chat_id}/bans",
    response_model=list[BanOut],
    summary="Who is banned from a group (admins)",
    responses=error_responses(401, 403, 404, 422),
)
async def list_bans(chat_id: ChatId, caller: Caller, ctx: Ctx) -> list[BanOut]:
    rows = await members.bans(ctx, caller.user, chat_id)
    return [BanOut(user_id=r.user_id, username=r.username, banned_by=r.banned_by,
                   created_at=r.created_at) for r in rows]  # fmt: skip


@router.post(
    "/{chat_id}/bans",
    status_code=204,
    summary="Ban someone from a group (admins): removed, and can't join or be added again",
    responses=error_responses(400, 401, 403, 404, 422),
)
async def ban(chat_id: ChatId, data: BanIn, caller: Caller, ctx: Ctx) -> Response:
    await members.ban(ctx, caller.user, chat_id, data.user_id)
    return Response(status_code=204)


@router.delete(
    "/{chat_id}/bans/{user_id}",
    status_code=204,
    summary="Lift a ban (admins)",
    responses=error_responses(401, 403, 404, 422),
)
async def unban(chat_id: ChatId, user_id: UserId, caller: Caller, ctx: Ctx) -> Response:
    await members.unban(ctx, caller.user, chat_id, user_id)
    return Response(status_code=204)


@router.get(
    "/{chat_id}/mutes",
    response_model=list[MutedMember],
    summary="Who is muted in a group now (admins)",
    responses=error_responses(401, 403, 404, 422),
)
async def list_mutes(chat_id: ChatId, caller: Caller, ctx: Ctx) -> list[MutedMember]:
    rows = await mutes.mutes(ctx, caller.user, chat_id)
    return [MutedMember(user_id=r.user_id, username=r.username, muted_until=r.muted_until)
            for r in rows]  # fmt: skip


@router.post(
    "/{chat_id}/mutes",
    response_model=MuteOut,
    summary="Mute a member (admins): their sends are refused with `muted` until the time",
    description="`minutes` from now or `until` a moment (within 366 days). An admin mutes "
    "members, the owner admins too; nobody mutes the owner or themselves; no mutes in direct "
    "chats. Muting someone muted already moves the end.",
    responses=error_responses(400, 401, 403, 404, 422),
)
async def mute(chat_id: ChatId, data: MuteIn, caller: Caller, ctx: Ctx) -> MuteOut:
    until = mutes.mute_end(data.minutes, data.until)
    return MuteOut(**await mutes.mute(ctx, caller.user, chat_id, data.user_id, until))


@router.delete(
    "/{chat_id}/mutes/{user_id}",
    status_code=204,
    summary="Lift a mute (admins)",
    responses=error_responses(400, 401, 403, 404, 422),
)
async def unmute(chat_id: ChatId, user_id: UserId, caller: Caller, ctx: Ctx) -> Response:
    await mutes.unmute(ctx, caller.user, chat_id, user_id)
    return Response(status_code=204)
