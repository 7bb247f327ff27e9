"""The gateway's API in process, on PostgreSQL and RabbitMQ: access (ACC-01, ACC-02), partner consent,
submission checks with their wording, idempotency, each person's own data, notifications."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import jwt
from sqlalchemy import func, select

from devtools.cabinet import application_for
from gateway.accounts.demo import DEMO_ACCOUNTS
from gateway.accounts.models import Account
from gateway.dms.models import Application
from kit.calendar import business_day
from kit.messaging.envelope import utcnow
from services.gateway.tests.conftest import Gateway

DEMO = {a.key: a for a in DEMO_ACCOUNTS}


async def profile(gateway: Gateway, headers: dict[str, str]) -> dict[str, Any]:
    response = await gateway.http.get("/me", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def submit(
    gateway: Gateway, headers: dict[str, str], body: dict[str, Any], key: str | None = None, **extra: str
):
    return await gateway.http.post(
        "/dms/applications",
        json=body,
        headers={**headers, "Idempotency-Key": key or str(uuid.uuid4()), **extra},
    )


async def worker_application(
    gateway: Gateway, who: str = "worker", **change: Any
) -> tuple[dict[str, str], dict[str, Any]]:
    headers = await gateway.headers(who)
    me = await profile(gateway, headers)
    return headers, application_for(me["profile"], today=business_day(utcnow()), **change)


# -- logging in ------------------------------------------------------------------------------------


async def test_each_demo_account_logs_in_and_the_token_carries_its_level(gateway: Gateway):  # ACC-01
    for account in DEMO_ACCOUNTS:
        token = await gateway.token(account.key)
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["acr"] == account.level.value
        assert "dms.applications.write" in claims["scope"].split()


async def test_wrong_password_and_unknown_login_get_the_same_answer(gateway: Gateway):
    answers = []
    for username in ("worker@demo.example", "nobody@demo.example"):
        response = await gateway.http.post(
            "/oauth/token", data={"grant_type": "password", "username": username, "password": "wrong"}
        )
        answers.append((response.status_code, response.json()["type"], response.json()["title"]))
    assert answers[0] == answers[1] == (400, "urn:problem:invalid_grant", "Неверный логин или пароль")


async def test_unsupported_grant_and_scope(gateway: Gateway):
    response = await gateway.http.post("/oauth/token", data={"grant_type": "implicit"})
    assert response.json()["type"] == "urn:problem:unsupported_grant_type"
    response = await gateway.http.post(
        "/oauth/token",
        data={
            "grant_type": "password",
            "username": "worker@demo.example",
            "password": "demo-worker-1",
            "scope": "admin",
        },
    )
    assert response.json()["type"] == "urn:problem:invalid_scope"


async def test_a_token_with_fewer_scopes_is_refused_where_it_lacks_one(gateway: Gateway):
    token = await gateway.token("worker", scope="notifications.read")
    response = await gateway.http.get("/dms/applications", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert response.json()["type"] == "urn:problem:insufficient-scope"


async def test_no_expired_or_tampered_token_is_401_with_www_authenticate(gateway: Gateway):
    assert (await gateway.http.get("/me")).status_code == 401
    token = await gateway.token("worker")
    claims = jwt.decode(token, options={"verify_signature": False})
    expired = jwt.encode(
        {**claims, "exp": int(time.time()) - 10}, gateway.app.state.token_key, algorithm="HS256"
    )
    forged = jwt.encode(
        {**claims, "acr": "confirmed"}, b"another key of thirty-two bytes!", algorithm="HS256"
    )
    for bad, wording in ((expired, "The token has expired"), (forged, "The token is invalid")):
        response = await gateway.http.get(
            "/me", headers={"Authorization": f"Bearer {bad}", "Accept-Language": "en"}
        )
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["detail"] == wording


async def test_me_shows_only_my_own_profile(gateway: Gateway):  # ACC-02
    worker = await profile(gateway, await gateway.headers("worker"))
    other = await profile(gateway, await gateway.headers("worker2"))
    assert worker["profile"]["citizenship"] == "UZB"
    assert worker["profile"]["document"]["number"] == "1234567"
    assert worker["can_apply"] is True
    assert other["id"] != worker["id"]
    assert other["profile"]["name_latin"]["last_name"] == "ASANOVA"


async def test_personal_data_is_encrypted_at_rest(gateway: Gateway):
    headers, body = await worker_application(gateway)
    assert (await submit(gateway, headers, body)).status_code == 202
    async with gateway.runtime.db.transaction() as session:
        profiles = (await session.scalars(select(Account.profile))).all()
        applications = (await session.scalars(select(Application.personal))).all()
    for blob in (*profiles, *applications):
        assert b"1234567" not in blob
        assert "Рахимов".encode() not in blob


# -- applying ---------------------------------------------------------------------------------------


async def test_an_unconfirmed_account_cannot_apply(gateway: Gateway):  # ACC-01
    headers, body = await worker_application(gateway, "unconfirmed")
    response = await submit(gateway, headers, body, **{"Accept-Language": "en"})
    assert response.status_code == 403
    assert response.json()["type"] == "urn:problem:ACC-01"
    assert "confirmed account" in response.json()["title"]


async def test_a_russian_citizen_is_refused_with_the_rule(gateway: Gateway):  # DMS-01
    headers, body = await worker_application(gateway, "citizen")
    response = await submit(gateway, headers, body)
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "urn:problem:DMS-01"
    assert problem["title"] == "Гражданину России ДМС-мигрант не оформляется"
    assert [(e["field"], e["rule"]) for e in problem["errors"]] == [("applicant.citizenship", "DMS-01")]


async def test_every_broken_field_is_listed_with_its_rule_in_russian_or_english(gateway: Gateway):  # DMS-05
    headers, body = await worker_application(gateway)
    body["applicant"]["name_latin"]["last_name"] = "Рахимов"
    body["applicant"]["phone"] = "12"
    body["term_months"] = 12
    body["permit"]["valid_until"] = body["permit"]["valid_from"][:4] + "-12-31"
    body["consent_to_personal_data"] = False
    body["applicant"]["citizenship"] = "TJK"
    for language, expected in (("ru", "Имя латиницей"), ("en", "The Latin name")):
        response = await submit(gateway, headers, body, **{"Accept-Language": language})
        assert response.status_code == 422
        problem = response.json()
        rules = {(e["field"], e["rule"]) for e in problem["errors"]}
        assert {
            ("applicant.name_latin.last_name", "ID-04"),
            ("applicant.phone", "phone"),
            ("term_months", "DMS-02"),
            ("consent_to_personal_data", "DMS-12"),
            ("applicant.citizenship", "ACC-02"),
        } <= rules
        latin = next(e for e in problem["errors"] if e["field"] == "applicant.name_latin.last_name")
        assert latin["message"].startswith(expected)
        assert "Rakhimov" in latin["message"]  # the ICAO Doc 9303 spelling as a hint (ID-04)


async def test_a_malformed_body_is_a_422_naming_the_field_never_a_500(gateway: Gateway):
    headers, body = await worker_application(gateway)
    body["term_months"] = 13
    body["medical_declaration"] = ["flu"]
    del body["permit"]
    response = await submit(gateway, headers, body)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"term_months", "medical_declaration.0", "permit"} <= fields
    missing_key = await gateway.http.post("/dms/applications", json=body, headers=headers)
    assert missing_key.status_code == 422
    assert any(e["field"] == "Idempotency-Key" for e in missing_key.json()["errors"])


async def test_a_repeated_submission_is_one_application(gateway: Gateway):
    headers, body = await worker_application(gateway)
    key = str(uuid.uuid4())
    first = await submit(gateway, headers, body, key)
    again = await submit(gateway, headers, body, key)
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    changed = await submit(gateway, headers, {**body, "term_months": 3}, key)
    assert changed.status_code == 409
    assert changed.json()["type"] == "urn:problem:idempotency-key-reused"
    listed = (await gateway.http.get("/dms/applications", headers=headers)).json()["items"]
    assert [a["id"] for a in listed] == [first.json()["id"]]


async def test_no_insurer_in_the_region_ends_the_collection_at_once(gateway: Gateway):  # DMS-06
    headers, body = await worker_application(gateway)
    application = (await submit(gateway, headers, body)).json()
    assert application["status"] == "no_offers"
    assert application["timeline"][-1]["event"] == "no_insurers"


async def test_each_person_sees_only_their_own_applications(gateway: Gateway):  # ACC-02
    headers, body = await worker_application(gateway)
    mine = (await submit(gateway, headers, body)).json()["id"]
    other = await gateway.headers("worker2")
    assert (await gateway.http.get(f"/dms/applications/{mine}", headers=other)).status_code == 404
    assert (await gateway.http.get(f"/dms/applications/{mine}/offers", headers=other)).status_code == 404
    assert (await gateway.http.post(f"/dms/applications/{mine}/withdraw", headers=other)).status_code == 404
    assert (await gateway.http.get("/dms/applications", headers=other)).json()["items"] == []
    detail = (await gateway.http.get(f"/dms/applications/{mine}", headers=headers)).json()
    assert detail["applicant"]["document"]["number"] == "1234567"


async def test_withdrawing_and_what_the_status_allows(gateway: Gateway):  # DMS-06
    headers, body = await worker_application(gateway)
    app_id = (await submit(gateway, headers, body)).json()["id"]
    withdrawn = await gateway.http.post(f"/dms/applications/{app_id}/withdraw", headers=headers)
    assert withdrawn.json()["status"] == "withdrawn"
    again = await gateway.http.post(f"/dms/applications/{app_id}/withdraw", headers=headers)
    assert again.status_code == 200
    link = await gateway.http.post(f"/dms/applications/{app_id}/payment-link", headers=headers)
    assert link.status_code == 409
    assert link.json()["type"] == "urn:problem:status-does-not-allow"


# -- partner systems --------------------------------------------------------------------------------


async def test_a_partner_acts_only_for_an_account_holder_who_allowed_it(gateway: Gateway):
    holder = await gateway.headers("worker")
    me = await profile(gateway, holder)
    assert (await gateway.http.get("/me", headers=await gateway.partner_headers())).json()["type"] == (
        "urn:problem:on-behalf-of-required"
    )
    partner = await gateway.partner_headers(on_behalf_of=me["id"])
    refused = await gateway.http.get("/me", headers=partner)
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:problem:partner-not-authorised"

    grant = await gateway.http.put(
        "/me/partner-grants/hr-test",
        json={"scopes": ["dms.applications.read", "dms.applications.write"]},
        headers=holder,
    )
    assert grant.status_code == 200, grant.text
    assert (await profile(gateway, partner))["id"] == me["id"]
    body = application_for(me["profile"], today=business_day(utcnow()))
    submitted = await submit(gateway, partner, body)
    assert submitted.status_code == 202
    assert submitted.json()["submitted_by_client"] == "hr-test"
    # Not granted: policies. Partners cannot grant themselves more.
    assert (await gateway.http.get("/dms/policies", headers=partner)).status_code == 403
    assert (
        await gateway.http.put(
            "/me/partner-grants/hr-test", json={"scopes": ["dms.policies.read"]}, headers=partner
        )
    ).status_code == 403

    assert (await gateway.http.delete("/me/partner-grants/hr-test", headers=holder)).status_code == 204
    assert (await gateway.http.get("/me", headers=partner)).status_code == 403
    grants = (await gateway.http.get("/me/partner-grants", headers=holder)).json()["items"]
    assert grants[0]["revoked_at"] is not None


async def test_a_partner_reads_oms_but_cannot_apply_for_the_holder(gateway: Gateway):  # OMS-01
    holder = await gateway.headers("citizen")
    me = await profile(gateway, holder)
    scopes = {"scopes": ["oms.policies.read", "oms.policies.write"]}
    assert (
        await gateway.http.put("/me/partner-grants/hr-test", json=scopes, headers=holder)
    ).status_code == 200
    partner = await gateway.partner_headers(on_behalf_of=me["id"])
    assert (await gateway.http.get("/oms/policies", headers=partner)).status_code == 200
    asked = await gateway.http.post(
        "/oms/requests",
        json={"region": "77", "insurer": "smo-alfa"},
        headers={**partner, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert asked.status_code == 403
    assert asked.json()["type"] == "urn:problem:OMS-01"
    mine = await gateway.http.post(
        "/oms/requests",
        json={"region": "77", "insurer": "smo-alfa"},
        headers={**holder, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert mine.status_code == 202
    path = f"/oms/requests/{mine.json()['id']}"
    assert (await gateway.http.get(path, headers=holder)).json()["status"] == "submitted"
    other = await gateway.http.get(path, headers=await gateway.headers("worker"))
    assert other.status_code == 404  # ACC-02: only one's own


async def test_wrong_partner_credentials(gateway: Gateway):
    response = await gateway.http.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=("hr-test", "wrong")
    )
    assert response.status_code == 401
    assert response.json()["type"] == "urn:problem:invalid_client"


# -- notifications ----------------------------------------------------------------------------------


async def test_notifications_unread_count_and_marking_read(gateway: Gateway):
    headers, body = await worker_application(gateway)
    await submit(gateway, headers, body)  # submitted + no offers: two notifications
    listed = (await gateway.http.get("/notifications", headers=headers)).json()
    assert listed["unread"] == 2
    assert {n["kind"] for n in listed["items"]} == {"submitted", "no_insurers"}
    first = listed["items"][0]["id"]
    assert (await gateway.http.post(f"/notifications/{first}/read", headers=headers)).json()["read"] is True
    assert (await gateway.http.get("/notifications/unread-count", headers=headers)).json() == {"unread": 1}
    other = await gateway.headers("worker2")
    assert (await gateway.http.post(f"/notifications/{first}/read", headers=other)).status_code == 404
    assert (await gateway.http.post("/notifications/read-all", headers=headers)).json() == {"marked": 1}
    english = await gateway.http.get("/notifications", headers={**headers, "Accept-Language": "en"})
    assert all(n["read"] for n in english.json()["items"])
    assert datetime.fromisoformat(english.json()["items"][0]["created_at"]) <= datetime.now(UTC)


async def test_opening_the_cabinet_twice_at_once_asks_the_register_once(gateway: Gateway):  # OMS-02
    holder = await gateway.headers("citizen")
    first, second = await asyncio.gather(
        gateway.http.get("/oms/policies", headers=holder), gateway.http.get("/oms/policies", headers=holder)
    )
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json()["lookup"]["status"] == second.json()["lookup"]["status"] == "pending"
    outbox = gateway.runtime.tables.outbox
    async with gateway.runtime.db.transaction() as session:
        asked = await session.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.type == "oms.policy.lookup.requested")
        )
    assert asked == 1
    unconfirmed = await gateway.http.get("/oms/policies", headers=await gateway.headers("unconfirmed"))
    assert unconfirmed.json()["lookup"] is None  # ACC-01: nobody is looked up on an unconfirmed account
