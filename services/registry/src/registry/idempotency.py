"""``Idempotency-Key`` on issuing a policy (the kit's rules), scoped by the client."""

from __future__ import annotations

from sqlalchemy import Table

from kit.idempotency import IdempotencyKey, IdempotencyStore, idempotency_columns
from registry.db import metadata

idempotency_keys = Table("idempotency_keys", metadata, *idempotency_columns("owner"))
store = IdempotencyStore(idempotency_keys, owner_column="owner")

__all__ = ["IdempotencyKey", "idempotency_keys", "store"]
