"""Notifications in the cabinet: list, unread count, mark read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from gateway.auth.deps import Principal, require_scope
from gateway.notifications import service
from gateway.notifications.models import Notification
from gateway.notifications.schemas import MarkedRead, NotificationList, NotificationOut, UnreadCount
from kit.errors import Problem, ProblemError, preferred_language
from kit.http import Runtime

router = APIRouter(prefix="/notifications", tags=["notifications"])

Reader = Annotated[Principal, Depends(require_scope("notifications.read"))]
Writer = Annotated[Principal, Depends(require_scope("notifications.write"))]
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No, expired or invalid access token"},
    403: {"model": Problem, "description": "No partner grant for this"},
    404: {"model": Problem, "description": "No such notification of this account"},
}


def _out(notification: Notification, language: str) -> NotificationOut:
    english = language == "en"
    return NotificationOut(
        id=notification.id,
        kind=notification.kind,
        application_id=notification.application_id,
        created_at=notification.created_at,
        title=notification.title_en if english else notification.title_ru,
        body=notification.body_en if english else notification.body_ru,
        read=notification.read_at is not None,
        read_at=notification.read_at,
    )


@router.get("", response_model=NotificationList, summary="My notifications, newest first", responses=PROBLEMS)
async def list_notifications(
    principal: Reader,
    request: Request,
    runtime: Runtime,
    unread_only: Annotated[bool, Query(description="Only the unread ones")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> NotificationList:
    language = preferred_language(request)
    async with runtime.db.transaction() as session:
        items = await service.list_for(
            session, principal.account_id, unread_only=unread_only, limit=limit, offset=offset
        )
        return NotificationList(
            items=[_out(n, language) for n in items],
            unread=await service.unread_count(session, principal.account_id),
        )


@router.get("/unread-count", response_model=UnreadCount, summary="How many are unread", responses=PROBLEMS)
async def unread_count(principal: Reader, runtime: Runtime) -> UnreadCount:
    async with runtime.db.transaction() as session:
        return UnreadCount(unread=await service.unread_count(session, principal.account_id))


@router.post(
    "/{notification_id}/read", response_model=NotificationOut, summary="Mark one as read", responses=PROBLEMS
)
async def mark_read(
    notification_id: str, principal: Writer, request: Request, runtime: Runtime
) -> NotificationOut:
    async with runtime.db.transaction() as session:
        notification = await service.mark_read(session, principal.account_id, notification_id)
        if notification is None:
            raise ProblemError(
                404,
                rule="not-found",
                title_ru="Уведомление не найдено",
                title_en="Notification not found",
            )
        return _out(notification, preferred_language(request))


@router.post("/read-all", response_model=MarkedRead, summary="Mark all as read", responses=PROBLEMS)
async def mark_all_read(principal: Writer, runtime: Runtime) -> MarkedRead:
    async with runtime.db.transaction() as session:
        return MarkedRead(marked=await service.mark_all_read(session, principal.account_id))
