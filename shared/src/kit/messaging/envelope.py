"""The one envelope every message travels in (DESIGN.md, Messaging)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


def utcnow() -> datetime:
    return datetime.now(UTC)


class Envelope(BaseModel):
    """Metadata around a payload. ``correlation_id`` names the application or payment it belongs to;
    ``causation_id`` names the message that caused this one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    message_id: UUID = Field(default_factory=uuid4)
    type: str = Field(min_length=1, max_length=200, pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
    version: int = Field(default=1, ge=1)
    occurred_at: AwareDatetime = Field(default_factory=utcnow)
    producer: str = Field(min_length=1, max_length=100)
    correlation_id: str = Field(min_length=1, max_length=200)
    causation_id: str | None = Field(default=None, max_length=200)
    payload: dict[str, Any]

    def body(self) -> bytes:
        return self.model_dump_json().encode()

    def content_hash(self) -> str:
        """What makes two deliveries of one ``message_id`` the same message."""
        canonical = json.dumps(
            {
                "type": self.type,
                "version": self.version,
                "correlation_id": self.correlation_id,
                "payload": self.payload,
            },
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
            default=str,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()
