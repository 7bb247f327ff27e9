"""The payments service for tests: test merchants, an in-process app on a fresh database."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from tests.support.inprocess import TEST_SETTINGS, serving

#: Merchants of the test runs (``test_dev_`` keys are refused outside development).
TEST_MERCHANTS: list[dict[str, str]] = [
    {"shop_id": "volga", "name": "СК «Волга-Мед» (демо)", "secret_key": "sk_test_volga_0123456789"},
    {"shop_id": "taiga", "name": "СК «Тайга-Полис» (демо)", "secret_key": "sk_test_taiga_0123456789"},
]
TEST_MERCHANTS_JSON = json.dumps(TEST_MERCHANTS, ensure_ascii=False)


def basic_auth(shop_id: str) -> dict[str, str]:
    secret = next(m["secret_key"] for m in TEST_MERCHANTS if m["shop_id"] == shop_id)
    return {"Authorization": "Basic " + base64.b64encode(f"{shop_id}:{secret}".encode()).decode()}


def new_key() -> dict[str, str]:
    return {"Idempotence-Key": str(uuid.uuid4())}


def payment_request(value: str = "1500.00", *, capture: bool = True, **extra: Any) -> dict[str, Any]:
    return {
        "amount": {"value": value, "currency": "RUB"},
        "confirmation": {"type": "redirect", "return_url": "https://insurer.example/return"},
        "capture": capture,
        "description": "Полис ДМС-мигрант",
        "metadata": {"contract_id": "contract-1"},
        **extra,
    }


class PaymentsClient:
    """An httpx client speaking to the in-process payments app as one merchant or another."""

    def __init__(self, client: httpx.AsyncClient, app: Any) -> None:
        self.http = client
        self.app = app

    @property
    def runtime(self) -> Any:
        return self.app.state.runtime

    async def create(self, shop_id: str = "volga", **kwargs: Any) -> dict[str, Any]:
        response = await self.http.post(
            "/v3/payments", json=payment_request(**kwargs), headers={**basic_auth(shop_id), **new_key()}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@asynccontextmanager
async def running_payments(
    database_url: str, amqp_url: str, **settings: Any
) -> AsyncIterator[PaymentsClient]:
    from payments.app import create_app
    from payments.settings import PaymentsSettings

    config = PaymentsSettings.model_validate(
        {
            **TEST_SETTINGS,
            "database_url": database_url,
            "amqp_url": amqp_url,
            "merchants": TEST_MERCHANTS,
            "public_url": "http://payments.test",
            **settings,
        }
    )
    app = create_app(config)
    async with serving(app, "http://payments.test") as client:
        yield PaymentsClient(client, app)
