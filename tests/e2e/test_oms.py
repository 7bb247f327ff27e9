"""ОМС in the cabinet end to end: the register announces a policy and the holder sees it without
applying (OMS-02); every change is a notification (OMS-07). Real gateway and registry processes."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from devtools.cabinet import Cabinet
from gateway.accounts.demo import DEMO_ACCOUNTS
from tests.support.system import TEST_REGISTRY_CLIENT, System

pytestmark = pytest.mark.e2e
DEMO = {a.key: a for a in DEMO_ACCOUNTS}
REGISTRY_AUTH = (str(TEST_REGISTRY_CLIENT["client_id"]), str(TEST_REGISTRY_CLIENT["secret"]))


async def oms_policies(cabinet: Cabinet, until: Any, timeout: float = 20.0) -> list[dict[str, Any]]:
    for _ in range(int(timeout / 0.2)):
        items: list[dict[str, Any]] = (await cabinet.get("/oms/policies"))["items"]
        if until(items):
            return items
        await asyncio.sleep(0.2)
    raise AssertionError(f"the cabinet shows {items}")


def test_a_policy_in_the_register_appears_in_the_holders_cabinet(system: System):  # OMS-02, OMS-07
    system.start("gateway", "registry")

    async def scenario() -> None:
        citizen, worker = Cabinet(system.url_of("gateway")), Cabinet(system.url_of("gateway"))
        await citizen.login(DEMO["citizen"].login, DEMO["citizen"].password)
        await worker.login(DEMO["worker"].login, DEMO["worker"].password)
        profile = DEMO["citizen"].profile
        assert profile.birth_date is not None
        async with httpx.AsyncClient(base_url=system.url_of("registry"), auth=REGISTRY_AUTH) as registry:
            issued = await registry.post(
                "/policies",
                headers={"Idempotency-Key": str(uuid.uuid4())},
                json={
                    "person": {
                        # Written otherwise (upper case), without a СНИЛС: name and birth date still match.
                        "last_name": profile.name_cyrillic.last_name.upper(),
                        "first_name": profile.name_cyrillic.first_name,
                        "patronymic": profile.name_cyrillic.patronymic,
                        "sex": "male",
                        "birth_date": profile.birth_date.isoformat(),
                        "document": {"kind": "passport", "series": "4510", "number": "123456"},
                    },
                    "region": "77",
                    "insurer": "smo-alfa",
                },
            )
            assert issued.status_code == 201, issued.text
            enp = issued.json()["enp"]
            shown = await oms_policies(citizen, lambda items: items)
            assert [(p["enp"], p["status"], p["insurer"]) for p in shown] == [(enp, "active", "smo-alfa")]

            await registry.post(f"/policies/{enp}/suspend", json={"reason": "призыв на военную службу"})
            await oms_policies(citizen, lambda items: items and items[0]["status"] == "suspended")
        kinds = [n["kind"] for n in (await citizen.notifications())["items"]]
        assert "oms.issue" in kinds
        assert "oms.suspend" in kinds
        assert (await worker.get("/oms/policies"))["items"] == []  # only the holder sees it
        await citizen.close()
        await worker.close()

    asyncio.run(scenario())


async def wait_request(
    cabinet: Cabinet, request_id: str, statuses: set[str], timeout: float = 30.0
) -> dict[str, Any]:
    for _ in range(int(timeout / 0.2)):
        found: dict[str, Any] = next(
            r for r in (await cabinet.get("/oms/requests"))["items"] if r["id"] == request_id
        )
        if found["status"] in statuses:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"request {request_id} is {found['status']}")


def test_a_request_waits_while_the_register_is_down_then_the_policy_comes(system: System):  # OMS-01..03
    system.start("gateway", "registry")
    system.processes["registry"].stop()

    async def scenario() -> None:
        citizen = Cabinet(system.url_of("gateway"))
        await citizen.login(DEMO["citizen"].login, DEMO["citizen"].password)
        body = {"region": "77", "insurer": "smo-vita"}
        response = await citizen.http.post(
            "/oms/requests", json=body, headers={**citizen.headers, "Idempotency-Key": str(uuid.uuid4())}
        )
        assert response.status_code == 202, response.text
        request = response.json()
        await asyncio.sleep(2)  # the register is down: the request waits, the cabinet says so
        assert (await wait_request(citizen, request["id"], {"submitted"}))["answered_at"] is None

        system.start("registry")
        answered = await wait_request(citizen, request["id"], {"issued"})
        shown = await oms_policies(citizen, lambda items: items)
        assert [(p["enp"], p["insurer"]) for p in shown] == [(answered["enp"], "smo-vita")]

        # Asking again: the register answers with the policy the person already holds (OMS-02).
        again = await citizen.http.post(
            "/oms/requests", json=body, headers={**citizen.headers, "Idempotency-Key": str(uuid.uuid4())}
        )
        second = await wait_request(citizen, again.json()["id"], {"already_insured"})
        assert second["enp"] == answered["enp"]
        assert second["rule"] == "OMS-02"
        kinds = [n["kind"] for n in (await citizen.notifications())["items"]]
        assert {"oms.requested", "oms.request.issued", "oms.request.already_insured"} <= set(kinds)

        worker = Cabinet(system.url_of("gateway"))
        await worker.login(DEMO["worker"].login, DEMO["worker"].password)
        foreigner = await worker.http.post(
            "/oms/requests", json=body, headers={**worker.headers, "Idempotency-Key": str(uuid.uuid4())}
        )
        assert foreigner.status_code == 422
        assert foreigner.json()["type"] == "urn:problem:OMS-05"
        await worker.close()
        await citizen.close()

    asyncio.run(scenario())
