"""The interchange as an applicant uses it, over HTTP: log in, apply, pick an offer, pay on the
insurer's payment page, fetch the policy. Used by ``make demo``, the end-to-end tests and the
flow benchmark, so all three exercise the same public API.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Callable, Collection
from datetime import date
from typing import Any

import httpx
from dateutil.relativedelta import relativedelta

#: The payment page's published test cards (docs/payments.md).
CARD_SUCCESS = "5555 5555 5555 4477"
CARD_INSUFFICIENT_FUNDS = "5555 5555 5555 5599"

_FORM_TOKEN = re.compile(r'name="token" value="([0-9a-f]{64})"')


class FlowError(AssertionError):
    """The system did not do what the flow expects (with what it answered)."""


def application_for(
    profile: dict[str, Any],
    *,
    today: date,
    region: str = "77",
    term_months: int = 6,
    declaration: Collection[str] = (),
    address: str = "г. Москва, ул. Примерная, д. 1, кв. 2",
) -> dict[str, Any]:
    """An application (DMS-05) for the logged-in account, from its profile (``GET /me``): the
    names, document and contacts the confirmed account carries (ACC-02), plus a patent that
    started a month ago and runs for a year."""
    permit_from = today - relativedelta(months=1)
    return {
        "applicant": {
            "name_cyrillic": profile["name_cyrillic"],
            "name_latin": profile["name_latin"],
            "sex": profile["sex"],
            "birth_date": profile["birth_date"],
            "citizenship": profile["citizenship"],
            "document": profile["document"],
            "address_in_russia": address,
            "phone": profile["phone"],
            "email": profile.get("email"),
        },
        "work_region": region,
        "permit": {
            "kind": "patent",
            "series": region,
            "number": f"{uuid.uuid4().int % 10**10:010d}",
            "valid_from": permit_from.isoformat(),
            "valid_until": (permit_from + relativedelta(years=1, days=-1)).isoformat(),
        },
        "term_months": term_months,
        "medical_declaration": list(declaration),
        "consent_to_personal_data": True,
    }


def oms_child_for(
    born: date, *, series: str = "IV-МЮ", number: str = "654321", first_name: str = "Алёна"
) -> dict[str, Any]:
    """A child for an ОМС request (OMS-01): named by the birth certificate, issued on the birth day."""
    return {
        "name": {"last_name": "Смирнова", "first_name": first_name, "patronymic": "Игоревна"},
        "sex": "female",
        "birth_date": born.isoformat(),
        "birth_place": "г. Москва",
        "birth_certificate": {"series": series, "number": number, "issued_on": born.isoformat()},
    }


def foreigner_oms_application_for(
    today: date, *, stay_until: date, contract_until: date, region: str = "77"
) -> dict[str, Any]:
    """A foreign worker's ОМС application (OMS-05): entered 200 days ago, a labour contract since then."""
    return {
        "birth_place": "г. Самарканд, Узбекистан",
        "migration_card": {
            "series": "4617",
            "number": "1234567",
            "entry_date": (today - relativedelta(days=200)).isoformat(),
            "stay_until": stay_until.isoformat(),
        },
        "stay": {
            "kind": "labour_contract",
            "number": "ТД-15/2026",
            "issued_on": (today - relativedelta(days=190)).isoformat(),
            "valid_until": contract_until.isoformat(),
            "employer_inn": "7707083893",
        },
        "address": "г. Москва, ул. Тверская, д. 1, кв. 1",
        "region": region,
        "insurer": "smo-alfa",
        "consent_to_personal_data": True,
    }


class Cabinet:
    """One logged-in applicant (or a partner acting for one) at the gateway."""

    def __init__(self, gateway_url: str, *, http: httpx.AsyncClient | None = None) -> None:
        self.http = http or httpx.AsyncClient(base_url=gateway_url, timeout=15)
        self.headers: dict[str, str] = {}

    async def close(self) -> None:
        await self.http.aclose()

    async def login(self, login: str, password: str) -> dict[str, Any]:
        response = await self.http.post(
            "/oauth/token", data={"grant_type": "password", "username": login, "password": password}
        )
        token: dict[str, Any] = self._ok(response, 200)
        self.headers = {"Authorization": f"Bearer {token['access_token']}"}
        return token

    def _ok(self, response: httpx.Response, *expected: int) -> Any:
        if response.status_code not in expected:
            raise FlowError(
                f"{response.request.method} {response.request.url.path} answered {response.status_code}: "
                f"{response.text[:2000]}"
            )
        return response.json()

    async def get(self, path: str, **params: Any) -> Any:
        return self._ok(await self.http.get(path, params=params, headers=self.headers), 200)

    async def me(self) -> dict[str, Any]:
        result: dict[str, Any] = await self.get("/me")
        return result

    async def submit(self, application: dict[str, Any], *, key: str | None = None) -> httpx.Response:
        """POST the application; answers the raw response (202, or a problem document)."""
        return await self.http.post(
            "/dms/applications",
            json=application,
            headers={**self.headers, "Idempotency-Key": key or str(uuid.uuid4())},
        )

    async def post(
        self, path: str, body: dict[str, Any] | None = None, *, key: str | None = None
    ) -> httpx.Response:
        """POST with a fresh Idempotency-Key (or the one given); answers the raw response."""
        return await self.http.post(
            path, json=body, headers={**self.headers, "Idempotency-Key": key or str(uuid.uuid4())}
        )

    async def application(self, application_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.get(f"/dms/applications/{application_id}")
        return result

    async def wait_for(
        self,
        application_id: str,
        statuses: Collection[str],
        *,
        timeout: float = 30.0,
        interval: float = 0.1,
        until: Callable[[dict[str, Any]], bool] | None = None,
    ) -> dict[str, Any]:
        """Poll the application until its status is one of ``statuses`` (and ``until`` holds)."""
        deadline = time.monotonic() + timeout
        while True:
            current = await self.application(application_id)
            if current["status"] in statuses and (until is None or until(current)):
                return current
            if time.monotonic() > deadline:
                raise FlowError(
                    f"application {application_id} is {current['status']}, not {sorted(statuses)}, "
                    f"after {timeout} s; timeline: {[e['text'] for e in current['timeline']]}"
                )
            await asyncio.sleep(interval)

    async def offers(self, application_id: str) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = (await self.get(f"/dms/applications/{application_id}/offers"))["items"]
        return result

    async def accept(self, application_id: str, offer_id: str) -> dict[str, Any]:
        response = await self.http.post(
            f"/dms/applications/{application_id}/offers/{offer_id}/accept", headers=self.headers
        )
        result: dict[str, Any] = self._ok(response, 202)
        return result

    async def new_payment_link(self, application_id: str) -> dict[str, Any]:
        response = await self.http.post(
            f"/dms/applications/{application_id}/payment-link", headers=self.headers
        )
        result: dict[str, Any] = self._ok(response, 202)
        return result

    async def policies(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = (await self.get("/dms/policies"))["items"]
        return result

    async def policy_document(self, policy_id: str) -> bytes:
        response = await self.http.get(f"/dms/policies/{policy_id}/document", headers=self.headers)
        if response.status_code != 200:
            raise FlowError(f"policy document answered {response.status_code}: {response.text[:500]}")
        return response.content

    async def notifications(self, *, unread_only: bool = False) -> dict[str, Any]:
        result: dict[str, Any] = await self.get("/notifications", unread_only=str(unread_only).lower())
        return result


async def pay(confirmation_url: str, card_number: str, *, http: httpx.AsyncClient | None = None) -> str:
    """Pay on the insurer's payment page as a browser would: open the page, post the card form.
    Answers where the page sends the payer next (the cabinet on success, the page again on a decline)."""
    client = http or httpx.AsyncClient(timeout=15)
    try:
        page = await client.get(confirmation_url)
        match = _FORM_TOKEN.search(page.text)
        if page.status_code != 200 or match is None:
            raise FlowError(f"payment page {confirmation_url} answered {page.status_code} without a form")
        answer = await client.post(
            f"{confirmation_url}/card",
            data={
                "token": match.group(1),
                "number": card_number,
                "expiry": "12/35",
                "cvc": "123",
                "holder": "CARD HOLDER",
            },
            follow_redirects=False,
        )
        if answer.status_code != 303:
            raise FlowError(f"card form answered {answer.status_code}: {answer.text[:500]}")
        return str(answer.headers["location"])
    finally:
        if http is None:
            await client.aclose()
