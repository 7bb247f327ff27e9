"""HTTP Basic authentication of merchants (``shop_id:secret_key``, as YooKassa)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select

from kit.errors import ProblemError
from kit.messaging.envelope import utcnow
from kit.runtime import ServiceRuntime
from payments.merchants.models import Merchant
from payments.settings import MerchantConfig


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class AuthenticatedMerchant:
    shop_id: str
    name: str


class MerchantDirectory:
    """The merchants' credentials in memory: they change only when the service starts, so
    authenticating a request needs no database round trip."""

    def __init__(self) -> None:
        self._by_shop: dict[str, tuple[str, str]] = {}

    def load(self, merchants: list[Merchant]) -> None:
        self._by_shop = {m.shop_id: (m.name, m.secret_hash) for m in merchants}

    def authenticate(self, shop_id: str, secret: str) -> AuthenticatedMerchant | None:
        known = self._by_shop.get(shop_id)
        # Compare even for an unknown shop, so that timing does not tell which shops exist.
        expected = known[1] if known else "0" * 64
        if hmac.compare_digest(expected, secret_hash(secret)) and known:
            return AuthenticatedMerchant(shop_id, known[0])
        return None


async def provision_merchants(
    runtime: ServiceRuntime, merchants: list[MerchantConfig], directory: MerchantDirectory
) -> None:
    """Create or update the configured merchants (at every start; idempotent) and load them."""
    async with runtime.db.transaction() as session:
        existing = {m.shop_id: m for m in (await session.scalars(select(Merchant))).all()}
        for config in merchants:
            merchant = existing.get(config.shop_id) or Merchant(shop_id=config.shop_id)
            merchant.name = config.name
            merchant.secret_hash = secret_hash(config.secret_key.get_secret_value())
            merchant.updated_at = utcnow()
            session.add(merchant)
            existing[config.shop_id] = merchant
    directory.load(list(existing.values()))


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


async def current_merchant(request: Request) -> AuthenticatedMerchant:
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise _unauthorized()
    try:
        shop_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise _unauthorized() from None
    directory: MerchantDirectory = request.app.state.merchants
    merchant = directory.authenticate(shop_id, secret)
    if merchant is None:
        raise _unauthorized()
    return merchant


CurrentMerchant = Annotated[AuthenticatedMerchant, Depends(current_merchant)]
