"""The payments API on real PostgreSQL and RabbitMQ (in process)."""

from __future__ import annotations

from tests.support.payments import PaymentsClient, basic_auth, new_key, payment_request


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
