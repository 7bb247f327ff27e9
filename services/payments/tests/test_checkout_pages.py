"""The payment page over HTTP, in process (real PostgreSQL and RabbitMQ): forms, answers, guards.
The browser tests (test_checkout_browser.py) walk the same paths in Chromium."""

from __future__ import annotations

import asyncio
import html
import logging
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from payments.checkout.view import NBSP
from tests.support.payments import PaymentsClient, basic_auth, new_key, running_payments

RETURN_URL = "https://insurer.example/return"
SUCCESS = "5555 5555 5555 4477"
INSUFFICIENT = "5555 5555 5555 5599"
THREE_DS = "4000 0000 0000 3220"
OTHER = "4111 1111 1111 1111"


def token_of(page: httpx.Response) -> str:
    match = re.search(r'name="token" value="([0-9a-f]{64})"', page.text)
    assert match, page.text
    return match.group(1)


def card_form(token: str, number: str = SUCCESS, **change: str) -> dict[str, str]:
    return {
        "token": token,
        "number": number,
        "expiry": "12/35",
        "cvc": "123",
        "holder": "IVAN IVANOV",
        **change,
    }


async def open_page(payments: PaymentsClient, **create: Any) -> tuple[str, str]:
    payment = await payments.create(**create)
    page = await payments.http.get(f"/checkout/{payment['id']}")
    assert page.status_code == 200, page.text
    return payment["id"], token_of(page)


async def api(payments: PaymentsClient, payment_id: str) -> dict[str, Any]:
    response = await payments.http.get(f"/v3/payments/{payment_id}", headers=basic_auth("volga"))
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def visible(page: httpx.Response) -> str:
    return html.unescape(page.text).replace(NBSP, " ")


async def test_the_page_shows_the_order_the_forms_and_the_test_cards(payments: PaymentsClient):
    payment = await payments.create(value="1234.5")
    page = await payments.http.get(
        payment["confirmation"]["confirmation_url"].removeprefix("http://payments.test")
    )
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    body = visible(page)
    assert '<html lang="ru">' in body
    assert "СК «Волга-Мед» (демо)" in body
    assert "1 234,50 ₽" in body
    assert "Полис ДМС-мигрант" in body
    for label in ('for="number"', 'for="expiry"', 'for="cvc"', 'for="holder"'):
        assert label in body
    assert "Тестовые карты" in body
    assert SUCCESS in body
    assert "Я оплатил(а) в приложении банка" in body
    assert 'src="data:image/svg+xml;base64,' in body
    css = await payments.http.get("/checkout/static/checkout.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")


async def test_what_the_shop_wrote_is_escaped(payments: PaymentsClient):
    payment = await payments.create(description='<script>alert("x")</script>')
    page = await payments.http.get(f"/checkout/{payment['id']}")
    assert "<script>" not in page.text
    assert "&lt;script&gt;" in page.text


async def test_the_page_is_not_in_the_api_schema(payments: PaymentsClient):
    schema = (await payments.http.get("/openapi.json")).json()
    assert not [path for path in schema["paths"] if path.startswith("/checkout")]
    assert "checkout" in {tag["name"] for tag in schema["tags"]}


@pytest.mark.parametrize("payment_id", ["3b0f4a52-0000-4000-8000-000000000000", "nope", "x" * 300])
async def test_an_unknown_payment_is_an_html_404(payments: PaymentsClient, payment_id):
    page = await payments.http.get(f"/checkout/{payment_id}")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Платёж не найден" in page.text


async def test_a_post_without_the_pages_token_is_refused(payments: PaymentsClient):
    payment_id, token = await open_page(payments)
    other_id, _ = await open_page(payments)
    for path in ("card", "sbp", "3ds"):
        for bad in ("", "0" * 64, token):
            target = other_id if bad == token else payment_id  # a token of another payment
            response = await payments.http.post(f"/checkout/{target}/{path}", data=card_form(bad))
            assert response.status_code == 403, (path, bad)
            assert "Форма устарела или подделана" in response.text
    assert (await api(payments, payment_id))["status"] == "pending"
    assert (await api(payments, other_id))["status"] == "pending"


async def test_a_bad_card_re_renders_the_form_with_a_message_per_field(payments: PaymentsClient):
    payment_id, token = await open_page(payments)
    response = await payments.http.post(
        f"/checkout/{payment_id}/card",
        data=card_form(token, "5555 5555 5555 4478", expiry="13/30", cvc="1", holder="Иван"),
    )
    assert response.status_code == 422
    body = visible(response)
    assert "Номер карты введён с ошибкой — проверьте цифры" in body
    assert "Месяц — от 01 до 12" in body
    assert "CVC — три цифры на обороте карты" in body
    assert "Имя владельца — латинскими буквами, как на карте" in body
    assert 'id="number-error"' in body
    assert 'aria-invalid="true"' in body
    # What was typed comes back (but not the CVC), so one typo does not wipe the form.
    assert 'value="5555 5555 5555 4478"' in body
    assert 'name="cvc" type="text" value=""' in body
    assert (await api(payments, payment_id))["status"] == "pending"


async def test_the_success_card_pays_and_sends_the_payer_back_to_the_shop(payments: PaymentsClient):
    payment_id, token = await open_page(payments)
    response = await payments.http.post(f"/checkout/{payment_id}/card", data=card_form(token))
    assert response.status_code == 303
    assert response.headers["location"] == RETURN_URL
    payment = await api(payments, payment_id)
    assert payment["status"] == "succeeded"
    assert payment["paid"] is True
    assert payment["payment_method"] == {
        "type": "bank_card",
        "title": "Bank card *4477",
        "card": {"last4": "4477", "card_type": "MasterCard"},
    }
    again = await payments.http.get(f"/checkout/{payment_id}")
    assert "Платёж уже оплачен" in again.text
    assert f'href="{RETURN_URL}"' in again.text


async def test_a_two_stage_payment_waits_for_capture(payments: PaymentsClient):
    payment_id, token = await open_page(payments, capture=False)
    response = await payments.http.post(f"/checkout/{payment_id}/card", data=card_form(token))
    assert response.headers["location"] == RETURN_URL
    assert (await api(payments, payment_id))["status"] == "waiting_for_capture"


@pytest.mark.parametrize(
    ("number", "reason", "says"),
    [
        (INSUFFICIENT, "insufficient_funds", "Недостаточно средств на карте"),
        (OTHER, "general_decline", "принимает только тестовые карты"),
    ],
)
async def test_a_declined_card_cancels_the_payment_and_says_why(
    payments: PaymentsClient, number, reason, says
):
    payment_id, token = await open_page(payments)
    response = await payments.http.post(f"/checkout/{payment_id}/card", data=card_form(token, number))
    assert response.status_code == 303
    assert response.headers["location"] == f"/checkout/{payment_id}"
    page = await payments.http.get(f"/checkout/{payment_id}")
    assert "Платёж отклонён" in page.text
    assert says in page.text
    assert f'href="{RETURN_URL}"' in page.text
    payment = await api(payments, payment_id)
    assert payment["status"] == "canceled"
    assert payment["cancellation_details"] == {"party": "payment_network", "reason": reason}


async def test_the_3ds_card_asks_for_the_code_then_pays(payments: PaymentsClient):
    payment_id, token = await open_page(payments)
    response = await payments.http.post(f"/checkout/{payment_id}/card", data=card_form(token, THREE_DS))
    assert response.headers["location"] == f"/checkout/{payment_id}/3ds"
    page = await payments.http.get(f"/checkout/{payment_id}/3ds")
    assert page.status_code == 200
    assert "Visa •••• 3220" in visible(page)
    assert "123456" in page.text
    wrong = await payments.http.post(f"/checkout/{payment_id}/3ds", data={"token": token, "code": "000000"})
    assert wrong.status_code == 422
    assert "Код неверный. Осталось попыток: 2" in wrong.text
    typo = await payments.http.post(f"/checkout/{payment_id}/3ds", data={"token": token, "code": "12"})
    assert "Код — шесть цифр из SMS" in typo.text
    assert (await api(payments, payment_id))["status"] == "pending"
    right = await payments.http.post(f"/checkout/{payment_id}/3ds", data={"token": token, "code": "123456"})
    assert right.status_code == 303
    assert right.headers["location"] == RETURN_URL
    payment = await api(payments, payment_id)
    assert payment["status"] == "succeeded"
    assert payment["payment_method"]["card"] == {"last4": "3220", "card_type": "Visa"}


async def test_three_wrong_codes_decline_the_payment(payments: PaymentsClient):
    payment_id, token = await open_page(payments)
    await payments.http.post(f"/checkout/{payment_id}/card", data=card_form(token, THREE_DS))
    for _ in range(2):
        response = await payments.http.post(
            f"/checkout/{payment_id}/3ds", data={"token": token, "code": "654321"}
        )
        assert response.status_code == 422
    last = await payments.http.post(f"/checkout/{payment_id}/3ds", data={"token": token, "code": "654321"})
    assert last.headers["location"] == f"/checkout/{payment_id}"
    payment = await api(payments, payment_id)
    assert payment["cancellation_details"] == {"party": "payment_network", "reason": "3d_secure_failed"}
    # Once decided, the confirmation step is gone.
    assert (await payments.http.get(f"/checkout/{payment_id}/3ds")).headers[
        "location"
    ] == f"/checkout/{payment_id}"


async def test_the_3ds_step_needs_a_card_waiting_for_it(payments: PaymentsClient):
    payment_id, token = await open_page(payments)
    assert (await payments.http.get(f"/checkout/{payment_id}/3ds")).status_code == 303
    response = await payments.http.post(
        f"/checkout/{payment_id}/3ds", data={"token": token, "code": "123456"}
    )
    assert response.headers["location"] == f"/checkout/{payment_id}"
    assert (await api(payments, payment_id))["status"] == "pending"


async def test_sbp_pays(payments: PaymentsClient):
    payment_id, token = await open_page(payments)
    response = await payments.http.post(f"/checkout/{payment_id}/sbp", data={"token": token})
    assert response.status_code == 303
    assert response.headers["location"] == RETURN_URL
    payment = await api(payments, payment_id)
    assert payment["status"] == "succeeded"
    assert payment["payment_method"] == {"type": "sbp", "title": "СБП"}


async def test_a_double_submitted_form_pays_once(payments: PaymentsClient):
    payment_id, token = await open_page(payments)
    responses = await asyncio.gather(
        payments.http.post(f"/checkout/{payment_id}/card", data=card_form(token)),
        payments.http.post(f"/checkout/{payment_id}/card", data=card_form(token)),
        payments.http.post(f"/checkout/{payment_id}/sbp", data={"token": token}),
    )
    locations = sorted(r.headers["location"] for r in responses)
    assert locations == sorted([RETURN_URL, f"/checkout/{payment_id}", f"/checkout/{payment_id}"])
    async with payments.runtime.db.transaction() as session:
        events = await session.scalar(
            text("SELECT count(*) FROM outbox WHERE correlation_id = :id AND type = 'payment.succeeded'"),
            {"id": payment_id},
        )
    assert events == 1


async def test_a_payment_canceled_by_the_shop_says_so(payments: PaymentsClient):
    payment_id, token = await open_page(payments)
    canceled = await payments.http.post(
        f"/v3/payments/{payment_id}/cancel", headers={**basic_auth("volga"), **new_key()}
    )
    assert canceled.status_code == 200
    page = await payments.http.get(f"/checkout/{payment_id}")
    assert "Платёж отменён магазином" in page.text
    late = await payments.http.post(f"/checkout/{payment_id}/card", data=card_form(token))
    assert late.headers["location"] == f"/checkout/{payment_id}"
    assert (await api(payments, payment_id))["cancellation_details"]["reason"] == "canceled_by_merchant"


async def test_a_payment_past_its_time_is_expired_before_the_loop_cancels_it(
    database_url: str, amqp_url: str
):
    # The expiry loop runs once at start, then not for an hour: the payment stays pending in the table.
    async with running_payments(
        database_url, amqp_url, pending_ttl_seconds=1, expiry_interval_seconds=3600
    ) as payments:
        payment_id, token = await open_page(payments)
        await asyncio.sleep(1.2)
        page = await payments.http.get(f"/checkout/{payment_id}")
        assert "Время на оплату истекло" in page.text
        late = await payments.http.post(f"/checkout/{payment_id}/card", data=card_form(token))
        assert late.headers["location"] == f"/checkout/{payment_id}"
        assert (await api(payments, payment_id))["status"] == "pending"
        sbp = await payments.http.post(f"/checkout/{payment_id}/sbp", data={"token": token})
        assert sbp.headers["location"] == f"/checkout/{payment_id}"
        assert (await api(payments, payment_id))["status"] == "pending"


async def test_card_numbers_are_neither_stored_nor_logged(payments: PaymentsClient, caplog):
    # DEBUG everywhere, and SQLAlchemy (WARNING by its own default) logs every statement with its
    # parameters, so the number would show if any statement carried it.
    # (The last call sets the capturing handler's level, so DEBUG goes last.)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    caplog.set_level(logging.DEBUG)
    numbers = [SUCCESS, INSUFFICIENT, THREE_DS, OTHER, "5555 5555 5555 4478"]
    for number in numbers:
        payment_id, token = await open_page(payments)
        await payments.http.post(f"/checkout/{payment_id}/card", data=card_form(token, number))
    assert any("checkout card answered" in record.getMessage() for record in caplog.records)
    assert any(record.name.startswith("sqlalchemy.engine") for record in caplog.records)

    async with payments.runtime.db.transaction() as session:
        stored = [row[0] for row in await session.execute(text("SELECT p::text FROM payments p"))]
        stored += [row[0] for row in await session.execute(text("SELECT o::text FROM outbox o"))]
    assert len(stored) > len(numbers)
    logged = caplog.text + "\n".join(str(record.__dict__) for record in caplog.records)
    for number in numbers:
        for form in (number, number.replace(" ", "")):
            assert form not in logged
            assert all(form not in row for row in stored)
    # Only brand and last four are kept of a card.
    assert any("4477" in row for row in stored)
