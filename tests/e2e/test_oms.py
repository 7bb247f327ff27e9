"""ОМС in the cabinet end to end: the register announces a policy and the holder sees it without
applying (OMS-02); every change is a notification (OMS-07). Real gateway and registry processes."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from devtools.cabinet import Cabinet, foreigner_oms_application_for, oms_child_for
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


def citizen_in_the_register(
    insurer: str, *, document_number: str, last_name_upper: bool = False, with_snils: bool = False
) -> dict[str, Any]:
    """The demo citizen as an insurer issues their policy at the register's REST API."""
    profile = DEMO["citizen"].profile
    name = profile.name_cyrillic
    assert profile.birth_date is not None
    person: dict[str, Any] = {
        "last_name": name.last_name.upper() if last_name_upper else name.last_name,
        "first_name": name.first_name,
        "patronymic": name.patronymic,
        "sex": "male",
        "birth_date": profile.birth_date.isoformat(),
        "document": {"kind": "passport", "number": document_number},
    }
    if with_snils:
        person["snils"] = profile.snils
    return {"person": person, "region": "77", "insurer": insurer}


def test_a_policy_in_the_register_appears_in_the_holders_cabinet(system: System):  # OMS-02, OMS-03, OMS-07
    system.start("gateway", "registry")

    async def scenario() -> None:
        citizen, worker = Cabinet(system.url_of("gateway")), Cabinet(system.url_of("gateway"))
        await citizen.login(DEMO["citizen"].login, DEMO["citizen"].password)
        await worker.login(DEMO["worker"].login, DEMO["worker"].password)
        async with httpx.AsyncClient(base_url=system.url_of("registry"), auth=REGISTRY_AUTH) as registry:
            issued = await registry.post(
                "/policies",
                headers={"Idempotency-Key": str(uuid.uuid4())},
                # Written otherwise (upper case), without a СНИЛС: name and birth date still match.
                json=citizen_in_the_register("smo-alfa", last_name_upper=True, document_number="123456"),
            )
            assert issued.status_code == 201, issued.text
            enp = issued.json()["enp"]
            shown = await oms_policies(citizen, lambda items: items)
            assert [(p["enp"], p["status"], p["insurer"]) for p in shown] == [(enp, "active", "smo-alfa")]
            # OMS-03: with the insurer's contacts (synthetic directory)
            assert (shown[0]["insurer_name"], shown[0]["insurer_phone"]) == (
                "СМО «Альфа-ОМС» (демо)",
                "+7 800 000-10-01",
            )

            await registry.post(f"/policies/{enp}/suspend", json={"reason": "призыв на военную службу"})
            await oms_policies(citizen, lambda items: items and items[0]["status"] == "suspended")
        kinds = [n["kind"] for n in (await citizen.notifications())["items"]]
        assert "oms.issue" in kinds
        assert "oms.suspend" in kinds
        assert (await worker.get("/oms/policies"))["items"] == []  # only the holder sees it
        await citizen.close()
        await worker.close()

    asyncio.run(scenario())


def test_a_holder_the_register_knew_before_their_account_sees_the_policy(system: System):  # OMS-02
    # The register issues the policy before the gateway ever ran: its announcement reached no queue.
    system.start("registry")
    document = DEMO["citizen"].profile.document
    assert document is not None

    async def issue_in_the_register() -> str:
        async with httpx.AsyncClient(base_url=system.url_of("registry"), auth=REGISTRY_AUTH) as registry:
            issued = await registry.post(
                "/policies",
                headers={"Idempotency-Key": str(uuid.uuid4())},
                json=citizen_in_the_register("smo-vita", with_snils=True, document_number=document.number),
            )
            assert issued.status_code == 201, issued.text
            enp: str = issued.json()["enp"]
            return enp

    enp = asyncio.run(issue_in_the_register())
    system.start("gateway")

    async def scenario() -> None:
        citizen, stranger = Cabinet(system.url_of("gateway")), Cabinet(system.url_of("gateway"))
        await citizen.login(DEMO["citizen"].login, DEMO["citizen"].password)
        await stranger.login(DEMO["worker2"].login, DEMO["worker2"].password)
        first = await citizen.get("/oms/policies")
        assert first["lookup"]["status"] in {"pending", "found"}
        assert first["lookup"]["message_en"]
        shown = await oms_policies(citizen, lambda items: items)
        assert [(p["enp"], p["insurer"], p["insured"]) for p in shown] == [(enp, "smo-vita", "self")]
        assert shown[0]["insurer_name"] == "СМО «Вита-Мед» (демо)"
        assert (await citizen.get("/oms/policies"))["lookup"]["status"] == "found"

        # Someone the register does not know: asked again with backoff, then told nothing was found.
        assert (await stranger.get("/oms/policies"))["lookup"]["status"] == "pending"
        for _ in range(100):
            lookup = (await stranger.get("/oms/policies"))["lookup"]
            if lookup["status"] == "not_found":
                break
            await asyncio.sleep(0.2)
        assert (lookup["status"], lookup["attempts"]) == ("not_found", 3), lookup
        kinds = [n["kind"] for n in (await stranger.notifications())["items"]]
        assert "oms.not_found" in kinds
        assert "oms.found" in [n["kind"] for n in (await citizen.notifications())["items"]]
        await citizen.close()
        await stranger.close()

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
        response = await citizen.post("/oms/requests", body)
        assert response.status_code == 202, response.text
        request = response.json()
        await asyncio.sleep(2)  # the register is down: the request waits, the cabinet says so
        assert (await wait_request(citizen, request["id"], {"submitted"}))["answered_at"] is None

        system.start("registry")
        answered = await wait_request(citizen, request["id"], {"issued"})
        shown = await oms_policies(citizen, lambda items: items)
        assert [(p["enp"], p["insurer"]) for p in shown] == [(answered["enp"], "smo-vita")]

        # Asking again: the register answers with the policy the person already holds (OMS-02).
        again = await citizen.post("/oms/requests", body)
        second = await wait_request(citizen, again.json()["id"], {"already_insured"})
        assert second["enp"] == answered["enp"]
        assert second["rule"] == "OMS-02"
        kinds = [n["kind"] for n in (await citizen.notifications())["items"]]
        assert {"oms.requested", "oms.request.already_insured"} <= set(kinds)
        # The issue is told once: by the answer or by the policy's announcement, whichever came first.
        assert kinds.count("oms.request.issued") + kinds.count("oms.issue") == 1, kinds

        worker = Cabinet(system.url_of("gateway"))
        await worker.login(DEMO["worker"].login, DEMO["worker"].password)
        foreigner = await worker.post("/oms/requests", body)
        assert foreigner.status_code == 422
        assert foreigner.json()["type"] == "urn:problem:OMS-05"
        await worker.close()
        await citizen.close()

    asyncio.run(scenario())


async def wait_item(
    cabinet: Cabinet, path: str, item_id: str, statuses: set[str], timeout: float = 30.0
) -> dict[str, Any]:
    for _ in range(int(timeout / 0.2)):
        found: dict[str, Any] = next(r for r in (await cabinet.get(path))["items"] if r["id"] == item_id)
        if found["status"] in statuses:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"{path} {item_id} is {found['status']}")


def years_ago(years: int, days: int = 0) -> date:
    today = date.today()
    return today.replace(year=today.year - years) - timedelta(days=days)


def test_a_parent_gets_a_policy_for_a_child_named_by_the_birth_certificate(system: System):  # OMS-01
    system.start("gateway", "registry")

    async def scenario() -> None:
        citizen = Cabinet(system.url_of("gateway"))
        await citizen.login(DEMO["citizen"].login, DEMO["citizen"].password)
        born = years_ago(6)
        child = oms_child_for(born)
        # A child of 14 has a passport; a certificate issued before birth is an error — both named.
        certificate = {**child["birth_certificate"], "issued_on": years_ago(14, days=1).isoformat()}
        older = {**child, "birth_date": years_ago(14).isoformat(), "birth_certificate": certificate}
        refused = await citizen.post("/oms/requests", {"region": "77", "insurer": "smo-alfa", "child": older})
        assert refused.status_code == 422, refused.text
        assert {(e["field"], e["rule"]) for e in refused.json()["errors"]} == {
            ("child.birth_date", "OMS-01"),
            ("child.birth_certificate.issued_on", "after-birth"),
        }
        bad_series = {**child, "birth_certificate": {**child["birth_certificate"], "series": "4-MU"}}
        refused = await citizen.post(
            "/oms/requests", {"region": "77", "insurer": "smo-alfa", "child": bad_series}
        )
        assert refused.status_code == 422
        assert [e["field"] for e in refused.json()["errors"]] == ["child.birth_certificate.series"]

        asked = await citizen.post("/oms/requests", {"region": "77", "insurer": "smo-alfa", "child": child})
        assert asked.status_code == 202, asked.text
        assert asked.json()["insured"] == "child"
        answered = await wait_item(citizen, "/oms/requests", asked.json()["id"], {"issued", "refused"})
        assert answered["status"] == "issued", answered
        assert answered["insured_name"] == "Смирнова Алёна Игоревна"
        shown = await oms_policies(citizen, lambda items: items)
        assert [(p["enp"], p["insured"], p["insured_name"]) for p in shown] == [
            (answered["enp"], "child", "Смирнова Алёна Игоревна")
        ]
        # The register knows the child by the certificate: asking again names the same ЕНП (OMS-02).
        again = await citizen.post("/oms/requests", {"region": "77", "insurer": "smo-vita", "child": child})
        second = await wait_item(citizen, "/oms/requests", again.json()["id"], {"already_insured"})
        assert second["enp"] == answered["enp"]

        # The child's policy changes reach the parent's cabinet (OMS-07) though the child has no account.
        moved = await citizen.post(
            f"/oms/policies/{answered['enp']}/operations",
            {"operation": "change_region", "reason": "переезд семьи", "region": "50", "insurer": "smo-vita"},
        )
        assert moved.status_code == 202, moved.text
        done = await wait_item(citizen, "/oms/operations", moved.json()["id"], {"done", "refused"})
        assert done["status"] == "done", done
        shown = await oms_policies(citizen, lambda items: items[0]["region"] == "50")
        assert shown[0]["insurer"] == "smo-vita"
        for _ in range(50):
            kinds = [n["kind"] for n in (await citizen.notifications())["items"]]
            if "oms.change_region" in kinds:
                break
            await asyncio.sleep(0.2)
        assert {"oms.requested", "oms.request.issued", "oms.change_region"} <= set(kinds)
        assert kinds.count("oms.change_region") == 1  # the answer or the announcement, not both
        await citizen.close()

    asyncio.run(scenario())


def test_suspend_resume_and_change_insurer_from_the_cabinet(system: System):  # OMS-04, OMS-06, OMS-07
    system.start("gateway", "registry")

    async def scenario() -> None:
        citizen, worker = Cabinet(system.url_of("gateway")), Cabinet(system.url_of("gateway"))
        await citizen.login(DEMO["citizen"].login, DEMO["citizen"].password)
        await worker.login(DEMO["worker"].login, DEMO["worker"].password)
        asked = await citizen.post("/oms/requests", {"region": "77", "insurer": "smo-alfa"})
        enp = (await wait_item(citizen, "/oms/requests", asked.json()["id"], {"issued"}))["enp"]
        await oms_policies(citizen, lambda items: items)

        async def operate(body: dict[str, Any], cabinet: Cabinet = citizen) -> dict[str, Any]:
            response = await cabinet.post(f"/oms/policies/{enp}/operations", body)
            assert response.status_code == 202, response.text
            return await wait_item(cabinet, "/oms/operations", response.json()["id"], {"done", "refused"})

        # Field errors before anything is sent: each names the field and OMS-04.
        incomplete = await citizen.post(
            f"/oms/policies/{enp}/operations", {"operation": "change_region", "reason": "переезд"}
        )
        assert incomplete.status_code == 422
        assert {(e["field"], e["rule"]) for e in incomplete.json()["errors"]} == {
            ("region", "OMS-04"),
            ("insurer", "OMS-04"),
        }
        # Another holder's policy is not in their cabinet.
        foreign = await worker.post(
            f"/oms/policies/{enp}/operations", {"operation": "suspend", "reason": "служба"}
        )
        assert foreign.status_code == 404

        suspended = await operate({"operation": "suspend", "reason": "призыв на военную службу"})
        assert suspended["status"] == "done", suspended
        await oms_policies(citizen, lambda items: items[0]["status"] == "suspended")
        twice = await operate({"operation": "suspend", "reason": "призыв на военную службу"})
        assert (twice["status"], twice["rule"]) == ("refused", "OMS-04")  # already suspended
        resumed = await operate({"operation": "resume", "reason": "окончание военной службы"})
        assert resumed["status"] == "done"
        await oms_policies(citizen, lambda items: items[0]["status"] == "active")

        moved = await operate(
            {
                "operation": "change_insurer",
                "reason": "переезд",
                "insurer": "volga",
                "region": "63",
                "relocation": True,
            }
        )
        assert moved["status"] == "done", moved  # a change of residence: no OMS-04 limit
        shown = await oms_policies(citizen, lambda items: items[0]["insurer"] == "volga")
        assert shown[0]["region"] == "63"
        # Without relocation at most one change a calendar year, none after 1 November: whatever today
        # is, the second of two changes is refused naming OMS-04.
        first = await operate({"operation": "change_insurer", "reason": "по желанию", "insurer": "smo-alfa"})
        other = "smo-vita" if first["status"] == "done" else "smo-alfa"
        second = await operate({"operation": "change_insurer", "reason": "по желанию", "insurer": other})
        assert (second["status"], second["rule"]) == ("refused", "OMS-04"), second
        assert second["reason_ru"]
        assert second["reason_en"]

        for _ in range(50):
            kinds = [n["kind"] for n in (await citizen.notifications())["items"]]
            if {"oms.suspend", "oms.resume", "oms.change_insurer", "oms.operation.refused"} <= set(kinds):
                break
            await asyncio.sleep(0.2)
        assert {"oms.suspend", "oms.resume", "oms.change_insurer", "oms.operation.refused"} <= set(kinds)
        assert (kinds.count("oms.suspend"), kinds.count("oms.resume")) == (1, 1)  # each change told once
        await citizen.close()
        await worker.close()

    asyncio.run(scenario())


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 2000
PDF = b"%PDF-1.4\n" + b"%" * 3000 + b"\n%%EOF\n"


async def upload(cabinet: Cabinet, path: str, kind: str, content: bytes, content_type: str) -> httpx.Response:
    return await cabinet.http.put(
        f"{path}/scans/{kind}", content=content, headers={**cabinet.headers, "Content-Type": content_type}
    )


async def upload_scans(worker: Cabinet, path: str) -> None:
    """Only JPEG, PNG or PDF whose bytes agree with the type, up to 5 MB; both required scans."""
    assert (await upload(worker, path, "passport", JPEG, "image/jpeg")).status_code == 200
    assert (await upload(worker, path, "migration_card", PDF, "image/png")).status_code == 415  # bytes: PDF
    gif = b"GIF89a" + b"\x00" * 100
    assert (await upload(worker, path, "migration_card", gif, "image/gif")).status_code == 415
    big = b"%PDF-" + b"\x00" * (5 * 1024 * 1024)
    too_large = await upload(worker, path, "migration_card", big, "application/pdf")
    assert too_large.status_code == 413
    assert too_large.json()["type"] == "urn:problem:scan-size"
    missing = await worker.post(f"{path}/submit")
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["scans.migration_card"]
    stored = await upload(worker, path, "migration_card", PDF, "application/pdf")
    assert stored.status_code == 200
    assert stored.json()["size"] == len(PDF)
    downloaded = await worker.http.get(f"{path}/scans/migration_card", headers=worker.headers)
    assert downloaded.content == PDF
    assert downloaded.headers["content-type"] == "application/pdf"


def test_a_foreigner_applies_with_scans_and_gets_a_policy_bounded_by_the_stay(system: System):  # OMS-05
    system.start("gateway", "registry")

    async def scenario() -> None:
        worker = Cabinet(system.url_of("gateway"))
        await worker.login(DEMO["worker"].login, DEMO["worker"].password)
        today = date.today()
        # the stay has ended: the review will ask for it
        data = foreigner_oms_application_for(
            today, stay_until=today - timedelta(days=1), contract_until=today + timedelta(days=300)
        )
        bad = await worker.post(
            "/oms/foreigner-applications",
            {
                **data,
                "stay": {**data["stay"], "employer_inn": "7707083890"},
                "consent_to_personal_data": False,
            },
        )
        assert bad.status_code == 422
        assert {(e["field"], e["rule"]) for e in bad.json()["errors"]} == {
            ("stay.employer_inn", "ID-03"),
            ("consent_to_personal_data", "OMS-05"),
        }
        created = await worker.post("/oms/foreigner-applications", data)
        assert created.status_code == 201, created.text
        application = created.json()
        path = f"/oms/foreigner-applications/{application['id']}"

        await upload_scans(worker, path)
        assert (await worker.post(f"{path}/submit")).status_code == 202
        reviewed = await wait_item(
            worker, "/oms/foreigner-applications", application["id"], {"approved", "information_needed"}
        )
        assert reviewed["status"] == "information_needed", reviewed
        assert [(n["field"], n["rule"]) for n in reviewed["needed"]] == [
            ("migration_card.stay_until", "OMS-05")
        ]

        # The extended stay given, it goes again and is approved; the policy ends with the stay,
        # which ends before the labour contract.
        stay_until = today + timedelta(days=90)
        data["migration_card"]["stay_until"] = stay_until.isoformat()
        corrected = await worker.http.put(path, json=data, headers=worker.headers)
        assert corrected.status_code == 200, corrected.text
        assert (await worker.post(f"{path}/submit")).status_code == 202
        approved = await wait_item(
            worker, "/oms/foreigner-applications", application["id"], {"approved", "information_needed"}
        )
        assert approved["status"] == "approved", approved
        assert approved["attempt"] == 2
        assert approved["needed"] == []
        shown = await oms_policies(worker, lambda items: items)
        assert [(p["enp"], p["valid_until"]) for p in shown] == [(approved["enp"], stay_until.isoformat())]
        # Approved: no more changes.
        assert (await upload(worker, path, "passport", JPEG, "image/jpeg")).status_code == 409

        kinds = [n["kind"] for n in (await worker.notifications())["items"]]
        assert {"oms.foreigner.submitted", "oms.foreigner.information_needed"} <= set(kinds)
        assert kinds.count("oms.foreigner.approved") + kinds.count("oms.issue") == 1, kinds

        citizen = Cabinet(system.url_of("gateway"))
        await citizen.login(DEMO["citizen"].login, DEMO["citizen"].password)
        assert (await citizen.post("/oms/foreigner-applications", data)).json()[
            "type"
        ] == "urn:problem:OMS-05"
        assert (await citizen.get("/oms/foreigner-applications"))["items"] == []
        assert (await citizen.http.get(path, headers=citizen.headers)).status_code == 404  # not theirs
        await citizen.close()
        await worker.close()

    asyncio.run(scenario())
