"""Webhooks: the subscriptions API and the signed, retried deliveries to a real HTTP receiver."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from kit.messaging.envelope import utcnow
from kit.webhooks import WebhookSignatureError, verify
from tests.support.payments import PaymentsClient, basic_auth, new_key, running_payments
from tests.support.proxy import free_port

#: Short pauses, so that retries happen within a test.
FAST = {
    "webhook_retry_initial_seconds": 0.2,
    "webhook_retry_max_seconds": 0.4,
    "webhook_timeout_seconds": 2.0,
}


@pytest.fixture
async def payments(database_url: str, amqp_url: str) -> AsyncIterator[PaymentsClient]:
    async with running_payments(database_url, amqp_url, **FAST) as client:
        yield client


# --- a tiny HTTP receiver ---------------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


@dataclass
class Receiver:
    """An HTTP/1.1 server on localhost that records every request and answers ``fail_first``
    requests with 500, then 200."""

    port: int = field(default_factory=free_port)
    fail_first: int = 0
    requests: list[Received] = field(default_factory=list)
    _server: asyncio.Server | None = None
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def start(self) -> Receiver:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, reuse_address=True)
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line, *lines = head.decode("latin-1").split("\r\n")
                _method, path, _version = request_line.split(" ", 2)
                headers = {}
                for line in lines:
                    if line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                status = 500 if len(self.requests) < self.fail_first else 200
                async with self._arrived:
                    self.requests.append(Received(path, headers, body, time.monotonic()))
                    self._arrived.notify_all()
                reason = b"OK" if status == 200 else b"Internal Server Error"
                writer.write(
                    b"HTTP/1.1 %d %s\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"
                    % (status, reason)
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: len(self.requests) >= count), timeout)
        return list(self.requests)


@contextlib.asynccontextmanager
async def receiver(fail_first: int = 0) -> AsyncIterator[Receiver]:
    server = await Receiver(fail_first=fail_first).start()
    try:
        yield server
    finally:
        await server.stop()


# --- helpers ----------------------------------------------------------------------------------


async def subscribe(
    payments: PaymentsClient, url: str, event: str = "payment.canceled", shop_id: str = "volga"
) -> dict[str, Any]:
    response = await payments.http.post(
        "/v3/webhooks", json={"event": event, "url": url}, headers={**basic_auth(shop_id), **new_key()}
    )
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


async def cancel(payments: PaymentsClient, payment_id: str, shop_id: str = "volga") -> None:
    response = await payments.http.post(
        f"/v3/payments/{payment_id}/cancel", headers={**basic_auth(shop_id), **new_key()}
    )
    assert response.status_code == 200, response.text


async def deliveries(payments: PaymentsClient) -> list[Any]:
    from payments.webhooks.models import WebhookDelivery

    async with payments.runtime.db.transaction() as session:
        return list((await session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))).all())


async def eventually(check: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not come true in time")
        await asyncio.sleep(0.05)


def assert_signed(request: Received, secret: str) -> None:
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == "interchange-payments/0.1"
    verify(request.body, request.headers["webhook-signature"], secret)
    timestamp = request.headers["webhook-timestamp"]
    assert request.headers["webhook-signature"].startswith(f"t={timestamp},v1=")
    assert request.headers["webhook-id"] == request.json()["id"]


# --- deliveries -------------------------------------------------------------------------------


async def test_signed_notification_is_retried_after_5xx_then_delivered_once(payments: PaymentsClient):
    async with receiver(fail_first=2) as hook, receiver() as other_shop:
        webhook = await subscribe(payments, hook.url())
        await subscribe(payments, hook.url("/succeeded"), event="payment.succeeded")
        await subscribe(payments, other_shop.url(), shop_id="taiga")
        payment = await payments.create()
        await cancel(payments, payment["id"])

        requests = await hook.wait_for(3)
        assert [r.path for r in requests] == ["/hook"] * 3
        for request in requests:
            assert_signed(request, webhook["secret"])
        bodies = [r.json() for r in requests]
        assert len({b["id"] for b in bodies}) == 1, "every retry carries the same event id"
        assert bodies[0]["type"] == "notification"
        assert bodies[0]["event"] == "payment.canceled"
        assert bodies[0]["object"]["id"] == payment["id"]
        assert bodies[0]["object"]["status"] == "canceled"
        assert requests[0].body == requests[2].body, "the body is the same bytes in every attempt"
        assert requests[2].at - requests[1].at >= 0.15, "retries wait the backoff"

        rows = await eventually(lambda: _delivered(payments), timeout=5)
        assert len(rows) == 1
        assert rows[0].attempts == 3
        assert rows[0].last_status == 200
        assert rows[0].last_error is None
        assert rows[0].next_attempt_at is None
        assert rows[0].given_up_at is None

        await asyncio.sleep(1.5)  # several retry periods: nothing more is sent
        assert len(hook.requests) == 3
        assert other_shop.requests == [], "another shop's subscription never hears of this payment"


async def _delivered(payments: PaymentsClient) -> list[Any]:
    rows = await deliveries(payments)
    return rows if rows and all(r.delivered_at is not None for r in rows) else []


async def test_a_commit_wakes_the_dispatcher_at_once(
    database_url: str, amqp_url: str, monkeypatch: pytest.MonkeyPatch
):
    from payments.webhooks import dispatcher

    monkeypatch.setattr(dispatcher, "POLL_INTERVAL", 60.0)  # only the commit hook can wake it
    async with running_payments(database_url, amqp_url, **FAST) as client, receiver() as hook:
        await subscribe(client, hook.url())
        await asyncio.sleep(0.3)  # the dispatcher is now asleep for a minute
        for n in range(1, 3):
            payment = await client.create()
            await cancel(client, payment["id"])
            await hook.wait_for(n, timeout=5)


async def test_failed_attempts_are_recorded(payments: PaymentsClient):
    async with receiver(fail_first=100) as hook:
        await subscribe(payments, hook.url())
        payment = await payments.create()
        await cancel(payments, payment["id"])
        await hook.wait_for(2)

        async def failed_twice() -> list[Any]:
            rows = await deliveries(payments)
            return rows if rows and rows[0].attempts >= 2 and rows[0].last_status == 500 else []

        (row,) = await eventually(failed_twice)
        assert row.delivered_at is None
        assert row.given_up_at is None
        assert row.last_error == "HTTP 500"
        assert row.next_attempt_at is not None


async def test_a_receiver_that_is_down_gets_the_notification_when_it_comes_up(payments: PaymentsClient):
    hook = Receiver()  # not started: its port refuses connections
    webhook = await subscribe(payments, hook.url())
    payment = await payments.create()
    await cancel(payments, payment["id"])

    async def refused_twice() -> list[Any]:
        rows = await deliveries(payments)
        return rows if rows and rows[0].attempts >= 2 else []

    (row,) = await eventually(refused_twice)
    assert row.delivered_at is None
    assert row.last_status is None
    assert "ConnectError" in (row.last_error or "")

    await hook.start()
    try:
        (request,) = await hook.wait_for(1)
        assert_signed(request, webhook["secret"])
        assert request.json()["object"]["id"] == payment["id"]
        (row,) = await eventually(lambda: _delivered(payments))
        assert row.attempts >= 3
        await asyncio.sleep(1.0)
        assert len(hook.requests) == 1
    finally:
        await hook.stop()


async def test_a_confirmed_payment_notifies_payment_succeeded(payments: PaymentsClient):
    from payments.deps import checkout_url, lifetimes
    from payments.payments import service

    async with receiver() as hook:
        webhook = await subscribe(payments, hook.url(), event="payment.succeeded")
        canceled = await subscribe(payments, hook.url("/canceled"), event="payment.canceled")
        payment = await payments.create(capture=True)
        runtime = payments.runtime
        async with runtime.db.transaction() as session:
            row = await service.get(session, "volga", payment["id"], for_update=True)
            await service.confirm(
                session,
                runtime.outbox,
                row,
                service.card_method("MasterCard", "4444"),
                lifetimes(runtime.settings),
                checkout_url(runtime.settings),
            )
        (request,) = await hook.wait_for(1)
        assert request.path == "/hook"
        assert_signed(request, webhook["secret"])
        with pytest.raises(WebhookSignatureError, match="no v1 signature matches"):
            verify(request.body, request.headers["webhook-signature"], canceled["secret"])
        body = request.json()
        assert body["event"] == "payment.succeeded"
        assert body["object"]["status"] == "succeeded"
        assert body["object"]["paid"] is True


async def test_delivery_is_given_up_past_the_window(payments: PaymentsClient):
    from payments.webhooks.models import WebhookDelivery

    hook = Receiver()  # never started
    webhook = await subscribe(payments, hook.url())
    old = utcnow() - timedelta(days=4)
    async with payments.runtime.db.transaction() as session:
        session.add(
            WebhookDelivery(
                event_id=str(uuid.uuid4()),
                subscription_id=webhook["id"],
                url=hook.url(),
                body='{"id":"x","type":"notification"}',
                attempts=0,
                next_attempt_at=utcnow(),
                created_at=old,
            )
        )

    async def given_up() -> list[Any]:
        rows = await deliveries(payments)
        return rows if rows and rows[0].given_up_at is not None else []

    (row,) = await eventually(given_up)
    assert row.attempts == 1
    assert row.next_attempt_at is None
    assert row.delivered_at is None
    await asyncio.sleep(1.0)
    (row,) = await deliveries(payments)
    assert row.attempts == 1, "a given-up delivery is not tried again"


async def test_two_dispatchers_never_send_the_same_delivery_twice(payments: PaymentsClient):
    from payments.webhooks.dispatcher import Dispatcher

    second = Dispatcher(payments.runtime.db, payments.runtime.settings, concurrency=4)
    task = asyncio.create_task(second.run())
    try:
        async with receiver() as hook:
            for n in range(8):
                await subscribe(payments, hook.url(f"/{n}"))
            for _ in range(3):
                payment = await payments.create()
                await cancel(payments, payment["id"])
            requests = await hook.wait_for(24)
            await eventually(lambda: _delivered(payments))
            await asyncio.sleep(0.5)
            keys = [(r.path, r.json()["id"]) for r in hook.requests]
            assert len(keys) == 24
            assert len(set(keys)) == 24
            assert len(requests) == 24
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_deleting_a_webhook_drops_its_pending_deliveries(payments: PaymentsClient):
    hook = Receiver()  # down
    webhook = await subscribe(payments, hook.url())
    payment = await payments.create()
    await cancel(payments, payment["id"])
    assert len(await deliveries(payments)) == 1, "written in the transaction of the change"
    response = await payments.http.delete(f"/v3/webhooks/{webhook['id']}", headers=basic_auth("volga"))
    assert response.status_code == 200
    assert await deliveries(payments) == []
    await hook.start()
    try:
        await asyncio.sleep(1.0)
        assert hook.requests == []
    finally:
        await hook.stop()


# --- the subscriptions API ---------------------------------------------------------------------


async def test_create_answers_the_secret_once_and_lists_without_it(payments: PaymentsClient):
    created = await subscribe(payments, "https://insurer.example/hooks/payments")
    assert set(created) == {"id", "event", "url", "secret"}
    assert created["event"] == "payment.canceled"
    assert created["url"] == "https://insurer.example/hooks/payments"
    assert created["secret"].startswith("whsec_")
    assert len(created["secret"]) >= 6 + 43

    listed = await payments.http.get("/v3/webhooks", headers=basic_auth("volga"))
    assert listed.status_code == 200
    assert listed.json() == {
        "type": "list",
        "items": [{"id": created["id"], "event": "payment.canceled", "url": created["url"]}],
    }
    assert created["secret"] not in listed.text


async def test_same_key_replays_the_creation_with_its_secret(payments: PaymentsClient):
    headers = {**basic_auth("volga"), **new_key()}
    request = {"event": "refund.succeeded", "url": "https://insurer.example/refunds"}
    first = await payments.http.post("/v3/webhooks", json=request, headers=headers)
    again = await payments.http.post("/v3/webhooks", json=request, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"


async def test_same_event_and_url_twice_is_a_conflict(payments: PaymentsClient):
    first = await subscribe(payments, "https://insurer.example/hook")
    response = await payments.http.post(
        "/v3/webhooks",
        json={"event": "payment.canceled", "url": "https://insurer.example/hook"},
        headers={**basic_auth("volga"), **new_key(), "Accept-Language": "en"},
    )
    assert response.status_code == 409
    problem = response.json()
    assert problem["type"] == "urn:problem:webhook-exists"
    assert first["id"] in problem["detail"]
    # Another event at the same URL, or another shop at the same URL, is a subscription of its own.
    await subscribe(payments, "https://insurer.example/hook", event="payment.succeeded")
    await subscribe(payments, "https://insurer.example/hook", shop_id="taiga")


async def test_concurrent_twins_make_one_webhook(payments: PaymentsClient):
    body = {"event": "payment.succeeded", "url": "https://insurer.example/twins"}
    answers = await asyncio.gather(
        *(
            payments.http.post("/v3/webhooks", json=body, headers={**basic_auth("volga"), **new_key()})
            for _ in range(4)
        )
    )
    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409]
    listed = (await payments.http.get("/v3/webhooks", headers=basic_auth("volga"))).json()
    assert len(listed["items"]) == 1


async def test_shops_see_and_delete_only_their_own_webhooks(payments: PaymentsClient):
    volga_1 = await subscribe(payments, "https://volga.example/1")
    volga_2 = await subscribe(payments, "https://volga.example/2", event="payment.succeeded")
    taiga = await subscribe(payments, "https://taiga.example/1", shop_id="taiga")

    volga_list = (await payments.http.get("/v3/webhooks", headers=basic_auth("volga"))).json()
    assert [w["id"] for w in volga_list["items"]] == [volga_1["id"], volga_2["id"]]
    taiga_list = (await payments.http.get("/v3/webhooks", headers=basic_auth("taiga"))).json()
    assert [w["id"] for w in taiga_list["items"]] == [taiga["id"]]

    stolen = await payments.http.delete(f"/v3/webhooks/{volga_1['id']}", headers=basic_auth("taiga"))
    assert stolen.status_code == 404
    assert stolen.json()["type"] == "urn:problem:webhook-not-found"

    deleted = await payments.http.delete(f"/v3/webhooks/{volga_1['id']}", headers=basic_auth("volga"))
    assert deleted.status_code == 200
    assert deleted.json() == {}
    again = await payments.http.delete(f"/v3/webhooks/{volga_1['id']}", headers=basic_auth("volga"))
    assert again.status_code == 404
    missing = await payments.http.delete(f"/v3/webhooks/{uuid.uuid4()}", headers=basic_auth("volga"))
    assert missing.status_code == 404

    volga_list = (await payments.http.get("/v3/webhooks", headers=basic_auth("volga"))).json()
    assert [w["id"] for w in volga_list["items"]] == [volga_2["id"]]
    taiga_list = (await payments.http.get("/v3/webhooks", headers=basic_auth("taiga"))).json()
    assert [w["id"] for w in taiga_list["items"]] == [taiga["id"]]


async def test_webhooks_need_the_shop_credentials(payments: PaymentsClient):
    assert (await payments.http.get("/v3/webhooks")).status_code == 401
    response = await payments.http.post(
        "/v3/webhooks", json={"event": "payment.canceled", "url": "https://x.example/"}, headers=new_key()
    )
    assert response.status_code == 401
    assert (await payments.http.delete(f"/v3/webhooks/{uuid.uuid4()}")).status_code == 401


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"event": "payment.pending", "url": "https://x.example/"}, "event", "literal_error"),
        ({"event": "payment.canceled", "url": "ftp://x.example/"}, "url", "url_scheme"),
        ({"event": "payment.canceled", "url": "not a url"}, "url", "url_parsing"),
        (
            {"event": "payment.canceled", "url": "https://x.example/" + "a" * 2100},
            "url",
            "url_too_long",
        ),
        ({"event": "payment.canceled"}, "url", "missing"),
        ({"url": "https://x.example/"}, "event", "missing"),
        (
            {"event": "payment.canceled", "url": "https://x.example/", "secret": "mine"},
            "secret",
            "extra_forbidden",
        ),
    ],
)
async def test_invalid_subscriptions_are_422_naming_the_field(
    payments: PaymentsClient, body: dict[str, Any], field: str, rule: str
):
    response = await payments.http.post(
        "/v3/webhooks", json=body, headers={**basic_auth("volga"), **new_key()}
    )
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert {"field": field, "rule": rule} in [{"field": e["field"], "rule": e["rule"]} for e in errors]
    assert all(e["message"] for e in errors)


async def test_too_long_url_is_worded_in_russian_and_english(payments: PaymentsClient):
    body = {"event": "payment.canceled", "url": "https://x.example/" + "a" * 2100}
    ru = await payments.http.post("/v3/webhooks", json=body, headers={**basic_auth("volga"), **new_key()})
    en = await payments.http.post(
        "/v3/webhooks", json=body, headers={**basic_auth("volga"), **new_key(), "Accept-Language": "en"}
    )
    assert ru.json()["errors"][0]["message"] == "Адрес длиннее 2048 символов"
    assert en.json()["errors"][0]["message"] == "The URL is over 2048 characters"


async def test_missing_idempotence_key_is_422(payments: PaymentsClient):
    response = await payments.http.post(
        "/v3/webhooks",
        json={"event": "payment.canceled", "url": "https://x.example/"},
        headers=basic_auth("volga"),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotence-Key"
