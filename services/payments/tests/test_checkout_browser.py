"""The payment page in a real headless Chromium, against the real payments process.

The browser is the system's Chromium (``scripts/ensure-browser.sh``; ``TEST_CHROMIUM`` to use
another), driven by Playwright; nothing is downloaded. The shop's ``return_url`` is a small HTTP
server of the test, so a paid payment really lands back "in the shop".
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from devtools.processes import wait_ready
from tests.support.infra import RabbitVhost
from tests.support.payments import basic_auth, new_key, payment_request
from tests.support.proxy import free_port
from tests.support.system import System

pytestmark = pytest.mark.e2e

CHROMIUM = os.environ.get("TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = Path("/tmp/checkout.png")

SUCCESS = "5555 5555 5555 4477"
INSUFFICIENT = "5555 5555 5555 5599"
THREE_DS = "4000 0000 0000 3220"
SHOP_PAGE = "Магазин: вы вернулись после оплаты"

T = TypeVar("T")


def off_the_browser_loop(work: Callable[[], T]) -> T:
    """Playwright's sync API keeps an event loop running in the test's thread, and creating a test
    database uses ``asyncio.run``: starting services therefore happens in a thread of its own."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


class Shop:
    """The merchant's site as far as the payer sees it: any GET answers a small page."""

    def __init__(self) -> None:
        self.port = free_port()
        self.visits: list[str] = []
        visits = self.visits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                visits.append(self.path)
                body = f'<!doctype html><html lang="ru"><meta charset="utf-8"><h1>{SHOP_PAGE}</h1>'.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def return_url(self, order: str) -> str:
        return f"http://127.0.0.1:{self.port}/return?order={order}"

    def __enter__(self) -> Shop:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def shop() -> Iterator[Shop]:
    with Shop() as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no Chromium at {CHROMIUM}: run scripts/ensure-browser.sh (or set TEST_CHROMIUM)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="ru-RU", viewport={"width": 900, "height": 1000})
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="module")
def payments_url(
    rabbit: RabbitVhost, database_factory: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One payments process for the module (starting one per test would triple the run time);
    the expiry test starts its own through the ``system`` fixture."""
    running = System(rabbit, database_factory, tmp_path_factory.mktemp("checkout-browser"))
    try:
        off_the_browser_loop(lambda: running.start("payments"))
        yield running.processes["payments"].url
    finally:
        running.stop_all()


class Api:
    """The shop's side: the payments API with the test merchant's credentials."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def create(self, return_url: str, value: str = "1234.50") -> dict[str, Any]:
        body = payment_request(value, confirmation={"type": "redirect", "return_url": return_url})
        with httpx.Client(base_url=self.base_url, timeout=10) as client:
            response = client.post("/v3/payments", json=body, headers={**basic_auth("volga"), **new_key()})
        assert response.status_code == 200, response.text
        payment: dict[str, Any] = response.json()
        return payment

    def get(self, payment_id: str) -> dict[str, Any]:
        with httpx.Client(base_url=self.base_url, timeout=10) as client:
            response = client.get(f"/v3/payments/{payment_id}", headers=basic_auth("volga"))
        assert response.status_code == 200, response.text
        payment: dict[str, Any] = response.json()
        return payment

    def cancel(self, payment_id: str) -> None:
        with httpx.Client(base_url=self.base_url, timeout=10) as client:
            response = client.post(
                f"/v3/payments/{payment_id}/cancel", headers={**basic_auth("volga"), **new_key()}
            )
        assert response.status_code == 200, response.text


@pytest.fixture(scope="module")
def api(payments_url: str) -> Api:
    return Api(payments_url)


def fill_card(
    page: Page, number: str, expiry: str = "12/35", cvc: str = "123", holder: str = "IVAN IVANOV"
) -> None:
    page.get_by_label("Номер карты", exact=True).fill(number)
    page.get_by_label("Срок действия", exact=True).fill(expiry)
    page.get_by_label("CVC", exact=True).fill(cvc)
    page.get_by_label("Имя владельца", exact=True).fill(holder)
    page.get_by_role("button", name=re.compile(r"^Оплатить")).click()


def expect_back_in_shop(page: Page, shop: Shop, order: str) -> None:
    page.wait_for_url(shop.return_url(order))
    expect(page.get_by_role("heading", level=1)).to_have_text(SHOP_PAGE)
    assert f"/return?order={order}" in shop.visits


def test_the_payment_page_is_legible_and_labelled(page: Page, api: Api, shop: Shop) -> None:
    payment = api.create(shop.return_url("look"))
    page.goto(payment["confirmation"]["confirmation_url"])
    assert page.locator("html").get_attribute("lang") == "ru"
    expect(page.get_by_test_id("amount")).to_have_text("1\u00a0234,50\u00a0₽")
    expect(page.get_by_text("СК «Волга-Мед» (демо)").first).to_be_visible()
    expect(page.get_by_text("Полис ДМС-мигрант").first).to_be_visible()
    for label in ("Номер карты", "Срок действия", "CVC", "Имя владельца"):
        expect(page.get_by_label(label, exact=True)).to_be_editable()
    expect(page.get_by_role("heading", name="Тестовые карты")).to_be_visible()
    expect(page.get_by_role("img", name="QR-код для оплаты через СБП")).to_be_visible()
    expect(page.get_by_role("button", name="Я оплатил(а) в приложении банка")).to_be_visible()
    # The stylesheet applied (no broken layout): the sheet is a centred, bounded column.
    box = page.locator("main").bounding_box()
    assert box is not None
    assert 400 < box["width"] <= 560
    page.screenshot(path=str(SCREENSHOT), full_page=True)


def test_the_success_card_pays_and_lands_back_in_the_shop(page: Page, api: Api, shop: Shop) -> None:
    payment = api.create(shop.return_url("success"))
    page.goto(payment["confirmation"]["confirmation_url"])
    fill_card(page, SUCCESS)
    expect_back_in_shop(page, shop, "success")
    paid = api.get(payment["id"])
    assert paid["status"] == "succeeded"
    assert paid["payment_method"]["card"] == {"last4": "4477", "card_type": "MasterCard"}
    # Going back to the link later: already paid, not a second form.
    page.goto(payment["confirmation"]["confirmation_url"])
    expect(page.get_by_role("heading", name="Платёж уже оплачен")).to_be_visible()


def test_a_declined_card_explains_why_and_leads_back_to_the_shop(page: Page, api: Api, shop: Shop) -> None:
    payment = api.create(shop.return_url("declined"))
    page.goto(payment["confirmation"]["confirmation_url"])
    fill_card(page, INSUFFICIENT)
    expect(page.get_by_role("heading", name="Платёж отклонён")).to_be_visible()
    expect(page.get_by_text("Недостаточно средств на карте")).to_be_visible()
    canceled = api.get(payment["id"])
    assert canceled["status"] == "canceled"
    assert canceled["cancellation_details"] == {"party": "payment_network", "reason": "insufficient_funds"}
    page.get_by_role("link", name="Вернуться в магазин").click()
    expect_back_in_shop(page, shop, "declined")


def test_the_3ds_card_asks_for_a_code_then_pays(page: Page, api: Api, shop: Shop) -> None:
    payment = api.create(shop.return_url("three-ds"))
    page.goto(payment["confirmation"]["confirmation_url"])
    fill_card(page, THREE_DS)
    page.wait_for_url(re.compile(r"/3ds$"))
    expect(page.get_by_role("heading", name="Подтверждение платежа")).to_be_visible()
    expect(page.get_by_text("Visa •••• 3220")).to_be_visible()
    page.get_by_label("Код из SMS").fill("000000")
    page.get_by_role("button", name="Подтвердить").click()
    expect(page.locator("#code-error")).to_have_text("Код неверный. Осталось попыток: 2")
    assert api.get(payment["id"])["status"] == "pending"
    page.get_by_label("Код из SMS").fill("123456")
    page.get_by_role("button", name="Подтвердить").click()
    expect_back_in_shop(page, shop, "three-ds")
    paid = api.get(payment["id"])
    assert paid["status"] == "succeeded"
    assert paid["payment_method"]["card"] == {"last4": "3220", "card_type": "Visa"}


def test_sbp_pays(page: Page, api: Api, shop: Shop) -> None:
    payment = api.create(shop.return_url("sbp"))
    page.goto(payment["confirmation"]["confirmation_url"])
    page.get_by_role("button", name="Я оплатил(а) в приложении банка").click()
    expect_back_in_shop(page, shop, "sbp")
    paid = api.get(payment["id"])
    assert paid["status"] == "succeeded"
    assert paid["payment_method"] == {"type": "sbp", "title": "СБП"}


def test_a_mistyped_card_number_is_pointed_out_next_to_the_field(page: Page, api: Api, shop: Shop) -> None:
    payment = api.create(shop.return_url("typo"))
    page.goto(payment["confirmation"]["confirmation_url"])
    fill_card(page, "5555 5555 5555 4478")
    expect(page.locator("#number-error")).to_have_text("Номер карты введён с ошибкой — проверьте цифры")
    number = page.get_by_label("Номер карты", exact=True)
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(number).to_have_value("5555 5555 5555 4478")
    expect(page.get_by_role("alert")).to_contain_text("Проверьте данные карты")
    assert api.get(payment["id"])["status"] == "pending"
    # Corrected, it goes through.
    fill_card(page, SUCCESS)
    expect_back_in_shop(page, shop, "typo")


def test_a_payment_canceled_by_the_shop_says_so(page: Page, api: Api, shop: Shop) -> None:
    payment = api.create(shop.return_url("canceled"))
    api.cancel(payment["id"])
    page.goto(payment["confirmation"]["confirmation_url"])
    expect(page.get_by_role("heading", name="Платёж отменён магазином")).to_be_visible()
    expect(page.get_by_role("link", name="Вернуться в магазин")).to_have_attribute(
        "href", shop.return_url("canceled")
    )


def test_an_unknown_payment_is_a_404_page(page: Page, payments_url: str) -> None:
    response = page.goto(f"{payments_url}/checkout/00000000-0000-4000-8000-000000000000")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", name="Платёж не найден")).to_be_visible()


def test_an_expired_payment_cannot_be_paid(system: System, page: Page, shop: Shop) -> None:
    process = off_the_browser_loop(
        lambda: system.process(
            "payments",
            overrides={"PAYMENTS_PENDING_TTL_SECONDS": "1", "PAYMENTS_EXPIRY_INTERVAL_SECONDS": "0.5"},
        ).start()
    )
    wait_ready([process], timeout=60)
    api = Api(process.url)
    payment = api.create(shop.return_url("expired"))
    url = payment["confirmation"]["confirmation_url"]
    page.goto(url)  # opened in time, submitted too late
    time.sleep(1.2)
    fill_card(page, SUCCESS)
    expect(page.get_by_role("heading", name="Время на оплату истекло")).to_be_visible()
    deadline = time.monotonic() + 15
    while (current := api.get(payment["id"]))["status"] == "pending":
        assert time.monotonic() < deadline, "the expiry loop did not cancel the payment"
        time.sleep(0.2)
    assert current["cancellation_details"] == {"party": "yoo_money", "reason": "expired_on_confirmation"}
    page.goto(url)
    expect(page.get_by_role("heading", name="Время на оплату истекло")).to_be_visible()
