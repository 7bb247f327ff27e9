from __future__ import annotations

from pydantic import BaseModel

from kit.db import UtcDatetime


class NotificationOut(BaseModel):
    id: str
    kind: str
    application_id: str | None = None
    created_at: UtcDatetime
    title: str
    body: str
    read: bool
    read_at: UtcDatetime | None = None


class NotificationList(BaseModel):
    items: list[NotificationOut]
    unread: int


class UnreadCount(BaseModel):
    unread: int


class MarkedRead(BaseModel):
    marked: int
