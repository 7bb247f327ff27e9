from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class NotificationOut(BaseModel):
    id: str
    kind: str
    application_id: str | None = None
    created_at: datetime
    title: str
    body: str
    read: bool
    read_at: datetime | None = None


class NotificationList(BaseModel):
    items: list[NotificationOut]
    unread: int


class UnreadCount(BaseModel):
    unread: int


class MarkedRead(BaseModel):
    marked: int
