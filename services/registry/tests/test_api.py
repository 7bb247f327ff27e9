"""The register's REST API in process on PostgreSQL and RabbitMQ (OMS-02..06, ID-01, ID-02)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from kit.messaging.envelope import utcnow
from registry.identifiers import is_valid_enp
from tests.support.infra import RabbitVhost
from tests.support.inprocess import TEST_SETTINGS, serving
from tests.support.system import TEST_REGISTRY_CLIENT

CLIENT = TEST_REGISTRY_CLIENT
AUTH = (CLIENT["client_id"], CLIENT["secret"])


@pytest.fixture
async def app(database_url: str, fresh_vhost: RabbitVhost) -> Any:
    from registry.app import create_app
    from registry.settings import RegistrySettings

    settings = RegistrySettings.model_validate(
        {**TEST_SETTINGS, "database_url": database_url, "amqp_url": fresh_vhost.url(), "clients": [CLIENT]}
    )
    return create_app(settings)


@pytest.fixture
async def registry(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(app, "http://registry.test") as client:
        client.auth = AUTH
        yield client


def citizen(**change: Any) -> dict[str, Any]:
    person = {
        "last_name": "Иванов",
        "first_name": "Иван",
        "patronymic": "Иванович",
        "sex": "male",
        "birth_date": "1985-06-01",
        "birth_place": "г. Москва",
        "snils": "112-233-445 95",
        "document": {"kind": "passport", "series": "4510", "number": "123456", "issued_on": "2010-06-15"},
        **change,
    }
    return {"person": person, "region": "77", "insurer": "smo-alfa", "clinic": "ГП № 1 (демо)"}


def foreign_worker(*, contract: str, contract_until: str) -> dict[str, Any]:
    """A foreign worker whose policy rests on a labour contract (OMS-05)."""
    return citizen(
        last_name="Рахимов",
        first_name="Алишер",
        patronymic=None,
        citizenship="UZB",
        snils=None,
        document={
            "kind": "labour_contract",
            "number": contract,
            "issued_on": "2026-01-10",
            "valid_until": contract_until,
        },
    )


async def issue(registry: httpx.AsyncClient, body: dict[str, Any], key: str | None = None) -> httpx.Response:
    return await registry.post("/policies", json=body, headers={"Idempotency-Key": key or str(uuid.uuid4())})


async def test_issue_and_find_by_enp_snils_and_name(registry: httpx.AsyncClient):  # OMS-03, ID-01
    response = await issue(registry, citizen())
    assert response.status_code == 201, response.text
    policy = response.json()
    assert is_valid_enp(policy["enp"])
    assert policy["enp"].startswith("77")
    assert policy["status"] == "active"
    assert policy["valid"] is True
    assert policy["insurer_name"] == "СМО «Альфа-ОМС» (демо)"
    assert (await registry.get(f"/policies/{policy['enp']}")).json()["person"]["snils"] == "11223344595"
    by_snils = (await registry.get("/policies", params={"snils": "11223344595"})).json()["items"]
    by_name = (
        await registry.get(
            "/policies",
            params={
                "last_name": "ИВАНОВ",
                "first_name": "иван",
                "patronymic": "Иванович",
                "birth_date": "1985-06-01",
            },
        )
    ).json()["items"]
    assert [p["enp"] for p in by_snils] == [p["enp"] for p in by_name] == [policy["enp"]]


async def test_one_policy_per_person_and_idempotent_issue(registry: httpx.AsyncClient):  # OMS-02
    key = str(uuid.uuid4())
    first = await issue(registry, citizen(), key)
    again = await issue(registry, citizen(), key)
    assert again.json()["enp"] == first.json()["enp"]
    assert again.headers["Idempotent-Replayed"] == "true"
    second = await issue(registry, citizen())
    assert second.status_code == 409
    assert second.json()["type"] == "urn:problem:OMS-02"
    assert first.json()["enp"] in second.json()["title"]


async def test_bad_identifiers_are_refused_with_their_rule(registry: httpx.AsyncClient):  # ID-01, ID-02
    bad_snils = await issue(registry, citizen(snils="112-233-445 96"))
    assert bad_snils.status_code == 422
    assert bad_snils.json()["errors"][0]["rule"] == "ID-02"
    assert (await registry.get("/policies/7700000000000421")).json()["type"] == "urn:problem:ID-01"
    assert (await registry.get("/policies/7700000000000420")).status_code == 404


async def test_suspend_resume_and_the_history(registry: httpx.AsyncClient):  # OMS-06
    enp = (await issue(registry, citizen())).json()["enp"]
    suspended = await registry.post(f"/policies/{enp}/suspend", json={"reason": "призыв на военную службу"})
    assert suspended.json()["status"] == "suspended"
    assert suspended.json()["valid"] is False
    twice = await registry.post(f"/policies/{enp}/suspend", json={"reason": "again"})
    assert twice.status_code == 409
    assert (await registry.post(f"/policies/{enp}/resume", json={"reason": "увольнение в запас"})).json()[
        "status"
    ] == ("active")
    events = (await registry.get(f"/policies/{enp}/history")).json()["events"]
    assert [e["operation"] for e in events] == ["issue", "suspend", "resume"]
    assert events[1]["reason"] == "призыв на военную службу"
    assert events[1]["source"] == "insurer-test"


async def test_change_of_insurer_once_a_year_unless_relocating(registry: httpx.AsyncClient):  # OMS-04
    enp = (await issue(registry, citizen())).json()["enp"]
    november = (utcnow().month, utcnow().day) > (11, 1)
    changed = await registry.post(
        f"/policies/{enp}/change-insurer", json={"insurer": "smo-vita", "reason": "выбор"}
    )
    if november:  # after 1 November only a relocation allows it
        assert changed.json()["type"] == "urn:problem:OMS-04"
        assert "1 ноября" in changed.json()["title"]
    else:
        assert changed.json()["insurer"] == "smo-vita"
        again = await registry.post(
            f"/policies/{enp}/change-insurer", json={"insurer": "smo-alfa", "reason": "x"}
        )
        assert again.json()["type"] == "urn:problem:OMS-04"
    moved = await registry.post(
        f"/policies/{enp}/change-insurer",
        json={"insurer": "volga", "relocation": True, "region": "63", "reason": "переезд в Самару"},
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["region"], moved.json()["insurer"]) == ("63", "volga")
    unknown = await registry.post(
        f"/policies/{enp}/change-region", json={"region": "54", "insurer": "volga", "reason": "x"}
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "insurer"


async def test_a_foreigners_policy_ends_with_the_stay_document(registry: httpx.AsyncClient):  # OMS-05
    worker = foreign_worker(contract="ТД-17", contract_until="2027-03-31")
    worker["valid_until"] = "2028-01-01"
    policy = (await issue(registry, worker)).json()
    assert policy["valid_until"] == "2027-03-31"
    no_term = citizen(citizenship="TJK", snils=None, document={"kind": "foreign_passport", "number": "1"})
    refused = await issue(registry, no_term)
    assert refused.status_code == 422
    assert refused.json()["type"] == "urn:problem:OMS-05"


async def test_every_change_is_published(registry: httpx.AsyncClient, app: Any):  # OMS-07
    enp = (await issue(registry, citizen())).json()["enp"]
    await registry.post(f"/policies/{enp}/terminate", json={"reason": "утрата гражданства"})
    outbox = app.state.runtime.tables.outbox
    async with app.state.runtime.db.transaction() as session:
        rows = (
            await session.execute(select(outbox.c.type, outbox.c.routing_key).order_by(outbox.c.id))
        ).all()
    assert [(r.type, r.routing_key) for r in rows] == [
        ("oms.policy.changed", "oms.policy.issue"),
        ("oms.policy.changed", "oms.policy.terminate"),
    ]


async def test_directory_and_credentials(registry: httpx.AsyncClient):
    regions = (await registry.get("/regions")).json()
    assert len(regions) == 89
    assert {"code": "92", "name": "Севастополь"} in regions
    assert {i["code"] for i in (await registry.get("/insurers", params={"region": "63"})).json()} == {
        "smo-alfa",
        "smo-vita",
        "volga",
    }
    anonymous = await registry.get("/policies/7700000000000420", auth=("insurer-test", "wrong"))
    assert anonymous.status_code == 401


async def test_a_foreigners_policy_is_terminated_when_its_term_is_over(
    registry: httpx.AsyncClient, app: Any
):  # OMS-05, OMS-06
    from registry.policies.service import terminate_expired

    ends = date.today() + timedelta(days=30)
    worker = foreign_worker(contract="ТД-18", contract_until=ends.isoformat())
    enp = (await issue(registry, worker)).json()["enp"]
    resident = (await issue(registry, citizen())).json()["enp"]
    runtime = app.state.runtime
    last_day = datetime.combine(ends, time(20, 0), tzinfo=UTC)  # 23:00 in Moscow: still the last day
    async with runtime.db.transaction() as session:
        assert await terminate_expired(session, runtime.outbox, last_day) == 0
    async with runtime.db.transaction() as session:
        assert await terminate_expired(session, runtime.outbox, last_day + timedelta(hours=1)) == 1
    async with runtime.db.transaction() as session:  # a second pass finds nothing more to do
        assert await terminate_expired(session, runtime.outbox, last_day + timedelta(days=2)) == 0
    ended = (await registry.get(f"/policies/{enp}")).json()
    assert (ended["status"], ended["valid"]) == ("terminated", False)
    events = (await registry.get(f"/policies/{enp}/history")).json()["events"]
    assert [(e["operation"], e["source"]) for e in events] == [
        ("issue", "insurer-test"),
        ("terminate", "registry"),
    ]
    assert (await registry.get(f"/policies/{resident}")).json()["status"] == "active"  # no end date


async def test_a_term_cannot_end_in_the_past(registry: httpx.AsyncClient):  # OMS-05
    body = citizen()
    body["valid_until"] = (date.today() - timedelta(days=1)).isoformat()
    refused = await issue(registry, body)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "valid_until"


async def test_an_incomplete_operation_over_amqp_is_refused_naming_the_field(
    registry: httpx.AsyncClient, app: Any
):  # OMS-04
    from kit.contracts.oms import PolicyOperationRequested
    from registry.policies.requests import answer_operation

    enp = (await issue(registry, citizen())).json()["enp"]
    request = PolicyOperationRequested(
        operation_id="op-1",
        enp=enp,
        operation="change_region",
        reason="переезд",
        region="50",
        requested_at=utcnow(),
    )
    runtime = app.state.runtime
    async with runtime.db.transaction() as session:
        answer = await answer_operation(session, runtime.outbox, request, utcnow())
    assert (answer.outcome, answer.rule) == ("refused", "OMS-04")
    assert "insurer" in (answer.reason_en or "")
    assert (await registry.get(f"/policies/{enp}")).json()["region"] == "77"  # nothing changed
