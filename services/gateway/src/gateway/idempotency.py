"""``Idempotency-Key`` on the gateway's POSTs that create something (the kit's rules), scoped by the
principal: the account holder, or the partner system acting for them."""

from __future__ import annotations

from sqlalchemy import Table

from gateway.db import metadata
from kit.idempotency import IdempotencyKey, IdempotencyStore, idempotency_columns

idempotency_keys = Table("idempotency_keys", metadata, *idempotency_columns("owner"))
store = IdempotencyStore(idempotency_keys, owner_column="owner")

__all__ = ["IdempotencyKey", "idempotency_keys", "store"]
