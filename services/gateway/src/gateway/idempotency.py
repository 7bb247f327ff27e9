"""``Idempotency-Key`` on the gateway's POSTs that create something (the kit's rules), scoped by the
principal: the account holder, or the partner system acting for them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header
from sqlalchemy import Table

from gateway.db import metadata
from kit.idempotency import KEY_PATTERN, IdempotencyStore, idempotency_columns

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=64,
        pattern=KEY_PATTERN,
        description="A unique string per submission, up to 64 printable ASCII characters (a UUID v4 is "
        "a good choice). Repeating the request with the same key returns the first answer.",
    ),
]

idempotency_keys = Table("idempotency_keys", metadata, *idempotency_columns("owner"))
store = IdempotencyStore(idempotency_keys, owner_column="owner")
