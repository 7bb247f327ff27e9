"""The payments API on real PostgreSQL and RabbitMQ (in process)."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import aio_pika
import httpx
import pytest

from tests.support.payments import PaymentsClient, basic_auth, new_key, payment_request, running_payments


async def test_create_payment_answers_pending_with_a_confirmation_url(payments: PaymentsClient):
    payment = await payments.create(value="1234.5")
    assert payment["status"] == "pending"
    assert payment["paid"] is False
    assert payment["amount"] == {"value": "1234.50", "currency": "RUB"}
    assert payment["confirmation"]["confirmation_url"] == f"http://payments.test/checkout/{payment['id']}"
    assert payment["metadata"] == {"contract_id": "contract-1"}
    response = await payments.http.get(f"/v3/payments/{payment['id']}", headers=basic_auth("volga"))
    assert response.json() == payment


async def test_same_key_same_body_returns_the_stored_answer(payments: PaymentsClient):
    headers = {**basic_auth("volga"), **new_key()}
    first = await payments.http.post("/v3/payments", json=payment_request(), headers=headers)
    again = await payments.http.post("/v3/payments", json=payment_request(), headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"


# --- helpers ---------------------------------------------------------------------------------


async def pay(payments: PaymentsClient, payment_id: str) -> None:
    """What the payment page does when the payer pays with a card."""
    from payments.deps import checkout_url, lifetimes
    from payments.payments import service
    from payments.payments.models import Payment

    runtime = payments.runtime
    async with runtime.db.transaction() as session:
        payment = await session.get(Payment, payment_id, with_for_update=True)
        await service.confirm(
            session,
            runtime.outbox,
            payment,
            service.card_method("MasterCard", "4477"),
            lifetimes(runtime.settings),
            checkout_url(runtime.settings),
        )


async def post(
    payments: PaymentsClient,
    path: str,
    body: Any = None,
    shop: str = "volga",
    key: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    return await payments.http.post(
        path, json=body, headers={**basic_auth(shop), **(key or new_key()), **(headers or {})}
    )


def fields(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return {e["field"]: e["rule"] for e in response.json()["errors"]}


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"amount": {"value": 1500.0, "currency": "RUB"}}, "amount.value", "amount_not_a_string"),
        ({"amount": {"value": "-1.00", "currency": "RUB"}}, "amount.value", "amount_format"),
        ({"amount": {"value": "0.00", "currency": "RUB"}}, "amount.value", "amount_positive"),
        ({"amount": {"value": "1.001", "currency": "RUB"}}, "amount.value", "amount_format"),
        ({"amount": {"value": "1.00", "currency": "XYZ"}}, "amount.currency", "currency_unsupported"),
        ({"amount": {"value": "1.00"}}, "amount.currency", "missing"),
        (
            {"confirmation": {"type": "embedded", "return_url": "https://x.example"}},
            "confirmation.type",
            "literal_error",
        ),
        (
            {"confirmation": {"type": "redirect", "return_url": "javascript:alert(1)"}},
            "confirmation.return_url",
            "url_scheme",
        ),
        ({"description": "x" * 129}, "description", "string_too_long"),
        ({"metadata": {f"k{i}": "v" for i in range(17)}}, "metadata", "metadata_too_many_keys"),
        ({"metadata": {"k": "v" * 513}}, "metadata.k", "string_too_long"),
        ({"capture": "true"}, "capture", "bool_type"),
        ({"surprise": 1}, "surprise", "extra_forbidden"),
    ],
)
async def test_each_bad_field_is_a_clear_422_naming_field_and_rule(
    payments: PaymentsClient, change, field, rule
):
    body = {**payment_request(), **change}
    response = await post(payments, "/v3/payments", body)
    assert fields(response).get(field) == rule, response.json()


async def test_bad_input_is_explained_in_english_on_request(payments: PaymentsClient):
    response = await post(
        payments, "/v3/payments", payment_request(value="12.345"), headers={"Accept-Language": "en"}
    )
    error = response.json()["errors"][0]
    assert error["field"] == "amount.value"
    assert error["message"] == 'The amount takes digits and at most two decimals, e.g. "1234.50"'


async def test_idempotence_key_is_required_and_bounded(payments: PaymentsClient):
    response = await payments.http.post("/v3/payments", json=payment_request(), headers=basic_auth("volga"))
    assert fields(response) == {"Idempotence-Key": "missing"}
    response = await post(payments, "/v3/payments", payment_request(), key={"Idempotence-Key": "k" * 65})
    assert fields(response) == {"Idempotence-Key": "string_too_long"}


async def test_no_or_wrong_credentials_are_refused(payments: PaymentsClient):
    assert (await payments.http.get("/v3/payments")).status_code == 401
    wrong = {"Authorization": "Basic " + base64.b64encode(b"volga:sk_test_taiga_0123456789").decode()}
    response = await payments.http.get("/v3/payments", headers=wrong)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic")


# --- merchant isolation --------------------------------------------------------------------------


async def test_a_merchant_sees_and_touches_only_its_own_payments(payments: PaymentsClient):
    volgas = await payments.create("volga")
    await payments.create("taiga")
    pid = volgas["id"]
    assert (await payments.http.get(f"/v3/payments/{pid}", headers=basic_auth("taiga"))).status_code == 404
    assert (await post(payments, f"/v3/payments/{pid}/cancel", shop="taiga")).status_code == 404
    refund = await post(
        payments,
        "/v3/refunds",
        {"payment_id": pid, "amount": {"value": "1.00", "currency": "RUB"}},
        shop="taiga",
    )
    assert refund.status_code == 404
    listed = (await payments.http.get("/v3/payments", headers=basic_auth("taiga"))).json()["items"]
    assert all(p["recipient"]["account_id"] == "taiga" for p in listed)
    assert pid not in {p["id"] for p in listed}


# --- idempotence -------------------------------------------------------------------------------


async def test_same_key_with_another_body_or_operation_is_a_409(payments: PaymentsClient):
    key = new_key()
    assert (await post(payments, "/v3/payments", payment_request(), key=key)).status_code == 200
    other_body = await post(payments, "/v3/payments", payment_request(value="1.00"), key=key)
    assert other_body.status_code == 409
    assert other_body.json()["type"] == "urn:problem:idempotence-key-reused"
    payment = await payments.create()
    other_operation = await post(payments, f"/v3/payments/{payment['id']}/cancel", key=key)
    assert other_operation.status_code == 409


async def test_concurrent_requests_with_one_key_create_one_payment(payments: PaymentsClient):
    key = new_key()
    responses = await asyncio.gather(
        *(post(payments, "/v3/payments", payment_request(), key=key) for _ in range(8))
    )
    assert {r.status_code for r in responses} == {200}
    assert len({r.json()["id"] for r in responses}) == 1
    listed = (
        await payments.http.get("/v3/payments", params={"limit": 100}, headers=basic_auth("volga"))
    ).json()
    assert len(listed["items"]) == 1


async def test_the_same_key_may_be_used_by_two_merchants(payments: PaymentsClient):
    key = new_key()
    a = await post(payments, "/v3/payments", payment_request(), key=key, shop="volga")
    b = await post(payments, "/v3/payments", payment_request(), key=key, shop="taiga")
    assert a.json()["id"] != b.json()["id"]


async def test_a_refused_operation_stores_nothing_under_its_key(payments: PaymentsClient):
    payment = await payments.create()
    key = new_key()
    too_early = await post(
        payments,
        "/v3/refunds",
        {"payment_id": payment["id"], "amount": {"value": "1.00", "currency": "RUB"}},
        key=key,
    )
    assert too_early.status_code == 422
    await pay(payments, payment["id"])
    retried = await post(
        payments,
        "/v3/refunds",
        {"payment_id": payment["id"], "amount": {"value": "1.00", "currency": "RUB"}},
        key=key,
    )
    assert retried.status_code == 200


# --- statuses, capture, cancel, refunds --------------------------------------------------------------


async def test_two_stage_payment_capture_in_part_then_refunds_up_to_the_remainder(payments: PaymentsClient):
    payment = await payments.create(value="1000.00", capture=False)
    pid = payment["id"]
    early = await post(payments, f"/v3/payments/{pid}/capture")
    assert early.status_code == 409  # pending: nothing to capture yet
    await pay(payments, pid)
    waiting = (await payments.http.get(f"/v3/payments/{pid}", headers=basic_auth("volga"))).json()
    assert waiting["status"] == "waiting_for_capture"
    assert waiting["paid"] is True
    assert "confirmation_url" not in waiting["confirmation"]
    too_much = await post(
        payments, f"/v3/payments/{pid}/capture", {"amount": {"value": "1000.01", "currency": "RUB"}}
    )
    assert fields(too_much) == {"amount.value": "capture_above_amount"}
    captured = await post(
        payments, f"/v3/payments/{pid}/capture", {"amount": {"value": "800.00", "currency": "RUB"}}
    )
    assert captured.json()["status"] == "succeeded"
    assert captured.json()["captured_amount"] == {"value": "800.00", "currency": "RUB"}
    assert captured.json()["refundable"] is True

    def refund(value: str) -> Any:
        return post(
            payments, "/v3/refunds", {"payment_id": pid, "amount": {"value": value, "currency": "RUB"}}
        )

    assert (await refund("300.00")).status_code == 200  # PAY-03: partial refund to the original payment
    over = await refund("500.01")
    assert fields(over) == {"amount.value": "refund_above_remainder"}
    last = await refund("500.00")
    assert last.json()["status"] == "succeeded"
    after = (await payments.http.get(f"/v3/payments/{pid}", headers=basic_auth("volga"))).json()
    assert after["refunded_amount"] == {"value": "800.00", "currency": "RUB"}
    assert after["refundable"] is False
    assert fields(await refund("0.01")) == {"amount.value": "refund_above_remainder"}
    refunds = (
        await payments.http.get("/v3/refunds", params={"payment_id": pid}, headers=basic_auth("volga"))
    ).json()
    assert [r["amount"]["value"] for r in refunds["items"]] == ["300.00", "500.00"]
    one = await payments.http.get(f"/v3/refunds/{refunds['items'][0]['id']}", headers=basic_auth("volga"))
    assert one.json()["payment_id"] == pid


async def test_cancel_a_pending_payment_and_nothing_after(payments: PaymentsClient):
    payment = await payments.create()
    canceled = (await post(payments, f"/v3/payments/{payment['id']}/cancel")).json()
    assert canceled["status"] == "canceled"
    assert canceled["cancellation_details"] == {"party": "merchant", "reason": "canceled_by_merchant"}
    assert (await post(payments, f"/v3/payments/{payment['id']}/cancel")).status_code == 409
    assert (await post(payments, f"/v3/payments/{payment['id']}/capture")).status_code == 409


async def test_a_succeeded_payment_cannot_be_canceled(payments: PaymentsClient):
    payment = await payments.create(capture=True)
    await pay(payments, payment["id"])
    response = await post(payments, f"/v3/payments/{payment['id']}/cancel")
    assert response.status_code == 409
    assert response.json()["type"] == "urn:problem:payment-status"


async def test_unpaid_payment_expires_and_is_canceled(database_url, amqp_url):
    async with running_payments(
        database_url, amqp_url, pending_ttl_seconds=1, expiry_interval_seconds=0.2
    ) as p:
        payment = await p.create()

        async def status() -> dict[str, Any]:
            body: dict[str, Any] = (
                await p.http.get(f"/v3/payments/{payment['id']}", headers=basic_auth("volga"))
            ).json()
            return body

        for _ in range(60):
            current = await status()
            if current["status"] == "canceled":
                break
            await asyncio.sleep(0.1)
        assert current["status"] == "canceled"
        assert current["cancellation_details"] == {"party": "yoo_money", "reason": "expired_on_confirmation"}


async def test_list_pages_with_a_cursor_and_filters(payments: PaymentsClient):
    created = [await payments.create() for _ in range(5)]
    await post(payments, f"/v3/payments/{created[0]['id']}/cancel")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await payments.http.get("/v3/payments", params=params, headers=basic_auth("volga"))).json()
        seen += [p["id"] for p in page["items"]]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    assert seen == [p["id"] for p in reversed(created)]  # newest first, each once
    canceled = await payments.http.get(
        "/v3/payments", params={"status": "canceled"}, headers=basic_auth("volga")
    )
    assert [p["id"] for p in canceled.json()["items"]] == [created[0]["id"]]
    bad = await payments.http.get("/v3/payments", params={"cursor": "garbage!"}, headers=basic_auth("volga"))
    assert fields(bad) == {"cursor": "cursor_invalid"}
    bad_status = await payments.http.get(
        "/v3/payments", params={"status": "paid"}, headers=basic_auth("volga")
    )
    assert fields(bad_status) == {"status": "enum"}


# --- events on RabbitMQ --------------------------------------------------------------------------


async def test_every_status_change_is_an_event_on_rabbitmq(payments: PaymentsClient, amqp_url, unique):
    queue = unique("observer")
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        exchange = await channel.declare_exchange("payments", aio_pika.ExchangeType.TOPIC, durable=True)
        observer = await channel.declare_queue(queue, exclusive=True)
        await observer.bind(exchange, "merchant.volga.#")

        two_stage = await payments.create(capture=False)
        await pay(payments, two_stage["id"])
        await post(payments, f"/v3/payments/{two_stage['id']}/capture")
        await post(
            payments,
            "/v3/refunds",
            {"payment_id": two_stage["id"], "amount": {"value": "100.00", "currency": "RUB"}},
        )
        to_cancel = await payments.create()
        await post(payments, f"/v3/payments/{to_cancel['id']}/cancel")
        await payments.create("taiga")  # another merchant's events do not reach volga's binding

        events: list[tuple[str, str, str]] = []
        for _ in range(100):
            message = await observer.get(fail=False, no_ack=True)
            if message is None:
                if len(events) >= 4:
                    break
                await asyncio.sleep(0.1)
                continue
            body = json.loads(message.body)
            events.append((message.routing_key or "", body["type"], body["payload"]["object"]["status"]))
    finally:
        await connection.close()
    assert events == [
        ("merchant.volga.payment.waiting_for_capture", "payment.waiting_for_capture", "waiting_for_capture"),
        ("merchant.volga.payment.succeeded", "payment.succeeded", "succeeded"),
        ("merchant.volga.refund.succeeded", "refund.succeeded", "succeeded"),
        ("merchant.volga.payment.canceled", "payment.canceled", "canceled"),
    ]
