"""ДМС-мигрант end to end (DMS-06): the gateway, two insurers and payments as processes, on real
RabbitMQ and PostgreSQL, driven through the public API as an applicant would."""

from __future__ import annotations

import asyncio
import hashlib
import io
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from devtools.cabinet import CARD_INSUFFICIENT_FUNDS, CARD_SUCCESS, Cabinet, application_for, pay
from gateway.accounts.demo import DEMO_ACCOUNTS
from kit.calendar import add_working_days, business_day
from kit.messaging.envelope import utcnow
from tests.support.infra import vhost
from tests.support.payments import basic_auth
from tests.support.system import System

pytestmark = pytest.mark.e2e

ALL = ("payments", "gateway", "insurer-volga", "insurer-taiga")
DEMO = {account.key: account for account in DEMO_ACCOUNTS}


@pytest.fixture(scope="module")
def dms_system(
    run_id: str, database_factory: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    """One running system for the scenarios that do not stop a service (each has its own application)."""
    with vhost(f"test-{run_id}-dms-{uuid.uuid4().hex[:6]}") as fresh:
        system = System(fresh, database_factory, tmp_path_factory.mktemp("dms"))
        try:
            system.process("gateway", overrides={"GATEWAY_OFFER_COLLECTION_SECONDS": "20"})
            system.start(*ALL)
            yield system
        finally:
            system.stop_all()


async def logged_in(system: System, who: str) -> Cabinet:
    cabinet = Cabinet(system.url_of("gateway"))
    account = DEMO[who]
    await cabinet.login(account.login, account.password)
    return cabinet


@pytest.fixture
async def worker(dms_system: System) -> AsyncIterator[Cabinet]:
    cabinet = await logged_in(dms_system, "worker")
    yield cabinet
    await cabinet.close()


async def directory_ready(cabinet: Cabinet, region: str = "77", count: int = 2) -> None:
    for _ in range(300):
        if len((await cabinet.get("/insurers", region=region))["items"]) >= count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the insurers did not announce themselves")


async def submitted(cabinet: Cabinet, **application: Any) -> dict[str, Any]:
    await directory_ready(cabinet)
    profile = await cabinet.me()
    response = await cabinet.submit(application_for(profile["profile"], today=_today(), **application))
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


def _today() -> date:
    return business_day(utcnow())  # the gateway counts days in Moscow


STEPS = ("submitted", "collection_closed", "offer_accepted", "payment_link_issued", "paid", "policy_issued")


async def policy_is_in_the_cabinet(worker: Cabinet, app_id: str, premium: int, paid_on: date) -> None:
    policies = await worker.policies()
    policy = next(p for p in policies if p["application_id"] == app_id)
    data = policy["data"]
    # DMS-10: every required field, names in both scripts, territory with the work region.
    assert data["insured"]["name_latin"]["last_name"] == DEMO["worker"].latin_last_name
    assert data["insured"]["name_cyrillic"]["last_name"]
    assert data["insurer"]["licence_number"]
    assert data["insurer"]["bik"]
    assert data["series"]
    assert data["number"]
    assert data["visual_control_number"]
    assert "77" in data["territory"]
    assert data["premium"]["kopecks"] == premium
    assert data["valid_from"] >= paid_on.isoformat()  # DMS-09
    document = await worker.policy_document(policy["id"])
    # Byte for byte what the insurer sent (its sha256 travelled in the message).
    assert hashlib.sha256(document).hexdigest() == policy["document_sha256"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)
    assert data["number"] in text
    assert data["insured"]["name_cyrillic"]["last_name"] in text


async def every_step_was_notified(worker: Cabinet, app_id: str) -> None:
    notes = await worker.notifications()
    kinds = {n["kind"] for n in notes["items"] if n["application_id"] == app_id}
    assert set(STEPS) <= kinds
    assert notes["unread"] >= len(kinds)
    first = notes["items"][0]
    read = worker.http.post(f"/notifications/{first['id']}/read", headers=worker.headers)
    assert (await read).status_code == 200
    assert (await worker.get("/notifications/unread-count"))["unread"] == notes["unread"] - 1


async def test_happy_path_two_offers_the_cheaper_chosen_paid_policy_in_the_cabinet(worker: Cabinet):
    # DMS-06: submit → offers → accept → payment link → pay → policy within 2 working days.
    application = await submitted(worker)
    app_id = str(application["id"])
    assert application["status"] == "submitted"
    assert {i["insurer"] for i in application["insurers"]} == {"volga", "taiga"}

    current = await worker.wait_for(app_id, {"offers_received"})
    assert {i["state"] for i in current["insurers"]} == {"offered"}  # all answered: no need to wait
    offers = await worker.offers(app_id)
    assert len(offers) == 2
    premiums = [o["premium"]["kopecks"] for o in offers]
    assert premiums == sorted(premiums)
    assert premiums[0] < premiums[1]
    cheaper = offers[0]
    for offer in offers:
        assert offer["sum_insured"]["kopecks"] >= 10_000_000  # DMS-03
        assert "77" in offer["territory"]
        assert offer["synthetic_tariffs"] is True

    accepted = await worker.accept(app_id, cheaper["id"])
    assert accepted["status"] == "offer_accepted"
    again = await worker.accept(app_id, cheaper["id"])  # accepting twice changes nothing
    assert again["status"] in {"offer_accepted", "awaiting_payment"}

    awaiting = await worker.wait_for(app_id, {"awaiting_payment"})
    link = awaiting["payment"]
    assert link["amount"]["kopecks"] == cheaper["premium"]["kopecks"]  # PAY-02
    assert "/checkout/" in link["url"]  # PAY-01: the insurer's payment page

    back_to = await pay(link["url"], CARD_SUCCESS)
    assert back_to.endswith(f"/cabinet/payment-return/{app_id}")

    issued = await worker.wait_for(app_id, {"policy_issued"})
    paid_on = _today()
    assert issued["policy_due_by"] == add_working_days(paid_on, 2).isoformat()  # DMS-06, ID-05
    assert issued["deadline_breached"] is False
    steps = [entry["event"] for entry in issued["timeline"]]
    assert set(STEPS) <= set(steps)

    await policy_is_in_the_cabinet(worker, app_id, cheaper["premium"]["kopecks"], paid_on)
    await every_step_was_notified(worker, app_id)


async def test_a_russian_citizen_is_refused_with_the_reason(dms_system: System):
    cabinet = await logged_in(dms_system, "citizen")
    try:
        profile = (await cabinet.me())["profile"]
        response = await cabinet.submit(application_for(profile, today=_today()))
        assert response.status_code == 422  # DMS-01
        problem = response.json()
        assert problem["type"].endswith("DMS-01")
        assert any(e["field"] == "applicant.citizenship" and e["rule"] == "DMS-01" for e in problem["errors"])
        assert "иностранн" in problem["detail"]
        assert (await cabinet.get("/dms/applications"))["items"] == []  # nothing half-written
    finally:
        await cabinet.close()


async def test_an_unconfirmed_account_cannot_apply(dms_system: System):
    cabinet = await logged_in(dms_system, "unconfirmed")
    try:
        profile = (await cabinet.me())["profile"]
        application = application_for({**profile, "document": DEMO_DOCUMENT}, today=_today())
        response = await cabinet.submit(application)
        assert response.status_code == 403  # ACC-01
        assert response.json()["type"].endswith("ACC-01")
    finally:
        await cabinet.close()


DEMO_DOCUMENT = {
    "type": "foreign_passport",
    "series": None,
    "number": "400000001",
    "issued_on": "2020-01-10",
    "issued_by": "MIA",
    "valid_until": None,
}


async def test_an_underwriting_refusal_reaches_the_applicant_with_its_reason(worker: Cabinet):
    # DMS-08: tuberculosis declared; each insurer answers by its own rules.
    application = await submitted(worker, declaration=["tuberculosis"])
    current = await worker.wait_for(str(application["id"]), {"offers_received", "refused"})
    refusals = [i for i in current["insurers"] if i["state"] == "refused"]
    assert refusals, current["insurers"]
    for answer in refusals:
        assert answer["refusal"]["rule"] == "DMS-08"
        assert answer["refusal"]["reason"]
    assert any(e["event"] == "offer_refused" for e in current["timeline"])


async def test_a_declined_card_then_a_new_link_and_a_successful_payment(worker: Cabinet):
    application = await submitted(worker)
    app_id = str(application["id"])
    await worker.wait_for(app_id, {"offers_received"})
    offer = (await worker.offers(app_id))[0]
    await worker.accept(app_id, offer["id"])
    first = (await worker.wait_for(app_id, {"awaiting_payment"}))["payment"]

    await pay(first["url"], CARD_INSUFFICIENT_FUNDS)
    failed = await worker.wait_for(app_id, {"payment_failed"})
    assert failed["payment_failure"] == "insufficient_funds"
    assert failed["can_request_payment_link"] is True

    await worker.new_payment_link(app_id)
    second = (await worker.wait_for(app_id, {"awaiting_payment"}))["payment"]
    assert second["attempt"] == 2
    assert second["url"] != first["url"]  # a new payment; the declined one stays declined
    await pay(second["url"], CARD_SUCCESS)
    issued = await worker.wait_for(app_id, {"policy_issued"})
    assert [e["event"] for e in issued["timeline"]].count("payment_link_issued") == 2


async def test_a_duplicate_submission_creates_one_application(worker: Cabinet):
    await directory_ready(worker)
    profile = (await worker.me())["profile"]
    application = application_for(profile, today=_today())
    key = str(uuid.uuid4())
    first, second = await asyncio.gather(
        worker.submit(application, key=key), worker.submit(application, key=key)
    )
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]
    replayed = await worker.submit(application, key=key)
    assert replayed.json()["id"] == first.json()["id"]
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    other_body = await worker.submit({**application, "term_months": 3}, key=key)
    assert other_body.status_code == 409  # same key, another body
    mine = [a for a in (await worker.get("/dms/applications"))["items"] if a["id"] == first.json()["id"]]
    assert len(mine) == 1


def test_an_insurer_down_during_collection_does_not_block_and_its_late_offer_is_recorded(system: System):
    system.process("gateway", overrides={"GATEWAY_OFFER_COLLECTION_SECONDS": "3"})
    system.start(*ALL)

    async def scenario() -> None:
        worker = await logged_in(system, "worker")
        try:
            await directory_ready(worker)
            system.processes["insurer-taiga"].stop()
            application = await submitted(worker)
            app_id = str(application["id"])
            # Volga answers; the deadline passes without Taiga: the applicant may go on.
            current = await worker.wait_for(app_id, {"offers_received"}, timeout=20)
            answers = {i["insurer"]: i for i in current["insurers"]}
            assert answers["volga"]["state"] == "offered"
            assert answers["taiga"]["state"] == "asked"
            assert any("taiga" in e["text"] for e in current["timeline"] if e["event"] == "collection_closed")
            # Taiga comes back, finds the request in its queue, and its late answer is recorded.
            system.start("insurer-taiga")
            late = await worker.wait_for(
                app_id,
                {"offers_received"},
                timeout=30,
                until=lambda a: {i["insurer"]: i for i in a["insurers"]}["taiga"]["state"] == "offered",
            )
            assert {i["insurer"]: i for i in late["insurers"]}["taiga"]["late"] is True
            offers = await worker.offers(app_id)
            assert {o["insurer"] for o in offers} == {"volga", "taiga"}
            assert next(o for o in offers if o["insurer"] == "taiga")["late"] is True
        finally:
            await worker.close()

    asyncio.run(scenario())


async def test_a_payment_made_after_withdrawal_is_refunded(worker: Cabinet, dms_system: System):  # PAY-03
    application = await submitted(worker)
    app_id = str(application["id"])
    await worker.wait_for(app_id, {"offers_received"})
    offer = (await worker.offers(app_id))[0]
    await worker.accept(app_id, offer["id"])
    link = (await worker.wait_for(app_id, {"awaiting_payment"}))["payment"]
    withdrawn = await worker.http.post(f"/dms/applications/{app_id}/withdraw", headers=worker.headers)
    assert withdrawn.json()["status"] == "withdrawn"

    # The payer still had the page open and pays: the insurer gives the money back.
    await pay(link["url"], CARD_SUCCESS)
    payment_id = link["url"].rsplit("/", 1)[1]
    async with httpx.AsyncClient(base_url=dms_system.url_of("payments"), timeout=10) as merchant:
        for _ in range(150):
            payment = (
                await merchant.get(f"/v3/payments/{payment_id}", headers=basic_auth(offer["insurer"]))
            ).json()
            if payment.get("refunded_amount"):
                break
            await asyncio.sleep(0.2)
    assert payment["status"] == "succeeded"
    assert payment["refunded_amount"] == payment["amount"]
    assert (await worker.application(app_id))["status"] == "withdrawn"
    assert not [p for p in await worker.policies() if p["application_id"] == app_id]
