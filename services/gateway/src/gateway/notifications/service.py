"""Notifications: written in the transaction of the change they tell about; never commit here."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.notifications.models import Notification
from kit.messaging.envelope import utcnow


def notify(
    session: AsyncSession,
    *,
    account_id: str,
    kind: str,
    title: tuple[str, str],
    body: tuple[str, str],
    application_id: str | None = None,
    at: datetime | None = None,
) -> Notification:
    """``title`` and ``body`` are (Russian, English)."""
    notification = Notification(
        id=str(uuid.uuid4()),
        account_id=account_id,
        application_id=application_id,
        kind=kind,
        created_at=at or utcnow(),
        title_ru=title[0],
        title_en=title[1],
        body_ru=body[0],
        body_en=body[1],
        read_at=None,
    )
    session.add(notification)
    return notification


async def list_for(
    session: AsyncSession, account_id: str, *, unread_only: bool, limit: int, offset: int
) -> Sequence[Notification]:
    query = select(Notification).where(Notification.account_id == account_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    query = query.order_by(Notification.created_at.desc(), Notification.id).limit(limit).offset(offset)
    return (await session.scalars(query)).all()


async def unread_count(session: AsyncSession, account_id: str) -> int:
    query = select(func.count()).where(Notification.account_id == account_id, Notification.read_at.is_(None))
    return int(await session.scalar(query) or 0)


async def mark_read(session: AsyncSession, account_id: str, notification_id: str) -> Notification | None:
    notification = await session.get(Notification, notification_id)
    if notification is None or notification.account_id != account_id:
        return None
    if notification.read_at is None:
        notification.read_at = utcnow()
    return notification


async def mark_all_read(session: AsyncSession, account_id: str) -> int:
    result = await session.execute(
        update(Notification)
        .where(Notification.account_id == account_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)
