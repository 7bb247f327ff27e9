from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from gateway.accounts.demo import DEMO_ACCOUNTS
from tests.support.infra import RabbitVhost
from tests.support.inprocess import TEST_SETTINGS, serving
from tests.support.system import TEST_PARTNER


@dataclass
class Gateway:
    http: httpx.AsyncClient
    app: Any

    @property
    def runtime(self) -> Any:
        return self.app.state.runtime

    async def token(self, who: str, **form: str) -> str:
        account = next(a for a in DEMO_ACCOUNTS if a.key == who)
        response = await self.http.post(
            "/oauth/token",
            data={"grant_type": "password", "username": account.login, "password": account.password, **form},
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    async def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token(who)}"}

    async def partner_headers(self, on_behalf_of: str | None = None) -> dict[str, str]:
        response = await self.http.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(str(TEST_PARTNER["client_id"]), str(TEST_PARTNER["secret"])),
        )
        assert response.status_code == 200, response.text
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        if on_behalf_of:
            headers["On-Behalf-Of"] = on_behalf_of
        return headers


@pytest.fixture
async def gateway(database_url: str, fresh_vhost: RabbitVhost) -> AsyncIterator[Gateway]:
    """The gateway in process on a fresh database and vhost, with the demo accounts."""
    from gateway.app import create_app
    from gateway.settings import GatewaySettings

    settings = GatewaySettings.model_validate(
        {
            **TEST_SETTINGS,
            "database_url": database_url,
            "amqp_url": fresh_vhost.url(),
            "demo_accounts": True,
            "partners": [TEST_PARTNER],
            "public_url": "http://gateway.test",
        }
    )
    app = create_app(settings)
    async with serving(app, "http://gateway.test") as client:
        for _ in range(100):  # the demo accounts are seeded right after the migrations
            probe = await client.post(
                "/oauth/token",
                data={
                    "grant_type": "password",
                    "username": "worker@demo.example",
                    "password": "demo-worker-1",
                },
            )
            if probe.status_code == 200:
                break
            await asyncio.sleep(0.05)
        yield Gateway(client, app)
