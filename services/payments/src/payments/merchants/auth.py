"""HTTP Basic authentication of merchants (``shop_id:secret_key``, as YooKassa)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select

from kit.errors import ProblemError
from kit.http import runtime_of
from kit.messaging.envelope import utcnow
from kit.runtime import ServiceRuntime
from payments.merchants.models import Merchant
from payments.settings import MerchantConfig


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def provision_merchants(runtime: ServiceRuntime, merchants: list[MerchantConfig]) -> None:
    """Create or update the configured merchants (at every start; idempotent)."""
    async with runtime.db.transaction() as session:
        existing = {m.shop_id: m for m in (await session.scalars(select(Merchant))).all()}
        for config in merchants:
            merchant = existing.get(config.shop_id) or Merchant(shop_id=config.shop_id)
            merchant.name = config.name
            merchant.secret_hash = secret_hash(config.secret_key.get_secret_value())
            merchant.updated_at = utcnow()
            session.add(merchant)


def _unauthorized() -> ProblemError:
    return ProblemError(
        401,
        rule="authentication",
        title_ru="Требуется аутентификация",
        title_en="Authentication required",
        detail_ru="Передайте shop_id и секретный ключ магазина в заголовке Authorization (HTTP Basic)",
        detail_en="Send the shop_id and secret key in the Authorization header (HTTP Basic)",
        headers={"WWW-Authenticate": 'Basic realm="payments"'},
    )


async def current_merchant(request: Request) -> Merchant:
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise _unauthorized()
    try:
        shop_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise _unauthorized() from None
    runtime: ServiceRuntime = runtime_of(request)
    async with runtime.db.transaction() as session:
        merchant = await session.get(Merchant, shop_id)
    if merchant is None or not hmac.compare_digest(merchant.secret_hash, secret_hash(secret)):
        raise _unauthorized()
    return merchant


CurrentMerchant = Annotated[Merchant, Depends(current_merchant)]
