"""The payment page's pure parts: the test bank, card checks, amounts, form tokens, notices."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from stdnum import luhn

from payments.checkout import cards, view
from payments.checkout.cards import Brand, CardForm, CodeVerdict, Outcome

TODAY = date(2026, 5, 15)
GOOD = CardForm(number="5555 5555 5555 4477", expiry="12/30", cvc="123", holder="Ivan Ivanov")


def card(**change: str) -> cards.CardCheck:
    fields = {"number": GOOD.number, "expiry": GOOD.expiry, "cvc": GOOD.cvc, "holder": GOOD.holder}
    return cards.check_card(CardForm(**{**fields, **change}), TODAY)


def test_every_published_test_card_is_luhn_valid_with_a_known_brand_and_distinct():
    assert {c.outcome for c in cards.TEST_CARDS} == set(Outcome) - {Outcome.general_decline}
    assert len({c.digits for c in cards.TEST_CARDS}) == len(cards.TEST_CARDS)
    for test_card in cards.TEST_CARDS:
        assert luhn.is_valid(test_card.digits), test_card.number
        assert cards.brand_of(test_card.digits) is not None
        assert cards.outcome_of(test_card.digits) is test_card.outcome


@pytest.mark.parametrize(
    ("number", "outcome", "brand", "last4"),
    [
        ("5555 5555 5555 4477", Outcome.success, Brand.mastercard, "4477"),
        ("2200-0000-0000-0004", Outcome.success, Brand.mir, "0004"),
        ("5555555555555599", Outcome.insufficient_funds, Brand.mastercard, "5599"),
        (" 4000 0000 0000 3220 ", Outcome.three_d_secure, Brand.visa, "3220"),
        ("4111 1111 1111 1111", Outcome.general_decline, Brand.visa, "1111"),
        ("3782 822463 10005", Outcome.general_decline, None, "0005"),  # Amex: declined, no brand here
    ],
)
def test_a_well_formed_card_is_reduced_to_brand_last4_and_the_banks_answer(number, outcome, brand, last4):
    checked = card(number=number)
    assert checked.errors == {}
    assert checked.card == cards.AcceptedCard(brand=brand, last4=last4, outcome=outcome)


@pytest.mark.parametrize(
    ("digits", "brand"),
    [
        ("4000000000000002", Brand.visa),
        ("5100000000000008", Brand.mastercard),
        ("5599999999999999", Brand.mastercard),
        ("2221000000000009", Brand.mastercard),
        ("2720999999999999", Brand.mastercard),
        ("2200000000000004", Brand.mir),
        ("2204999999999999", Brand.mir),
        ("2205000000000000", None),
        ("2721000000000000", None),
        ("5000000000000009", None),
        ("5600000000000000", None),
        ("6011000000000004", None),
    ],
)
def test_brand_by_prefix(digits, brand):
    assert cards.brand_of(digits) is brand


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"number": ""}, "number", "Введите номер карты"),
        ({"number": "5555 5555 5555 447a"}, "number", "Номер карты состоит только из цифр"),
        ({"number": "5555 5555 44"}, "number", "В номере карты от 13 до 19 цифр"),
        ({"number": "5555 5555 5555 4478"}, "number", "Номер карты введён с ошибкой — проверьте цифры"),
        ({"expiry": "1230"}, "expiry", "Срок действия — в формате ММ/ГГ, например 08/29"),
        ({"expiry": "13/30"}, "expiry", "Месяц — от 01 до 12"),
        ({"expiry": "00/30"}, "expiry", "Месяц — от 01 до 12"),
        ({"expiry": "04/26"}, "expiry", "Срок действия карты истёк"),
        ({"expiry": "12/25"}, "expiry", "Срок действия карты истёк"),
        ({"expiry": "01/99"}, "expiry", "Проверьте год: карты не выпускают на такой срок"),
        ({"cvc": "12"}, "cvc", "CVC — три цифры на обороте карты"),
        ({"cvc": "12a"}, "cvc", "CVC — три цифры на обороте карты"),
        ({"cvc": "1234"}, "cvc", "CVC — три цифры на обороте карты"),
        ({"holder": "  "}, "holder", "Введите имя владельца, как на карте"),
        ({"holder": "Иван Иванов"}, "holder", "Имя владельца — латинскими буквами, как на карте"),
        ({"holder": "IVAN 2"}, "holder", "Имя владельца — латинскими буквами, как на карте"),
        ({"holder": "A" * 27}, "holder", "Имя владельца — не длиннее 26 символов"),
    ],
)
def test_each_bad_field_gets_its_own_russian_message(change, field, message):
    checked = card(**change)
    assert checked.card is None
    assert checked.errors == {field: message}


def test_all_bad_fields_are_reported_at_once():
    checked = card(number="1234", expiry="", cvc="", holder="")
    assert set(checked.errors) == {"number", "expiry", "cvc", "holder"}


def test_a_card_is_valid_through_the_last_day_of_its_month_and_spacing_is_forgiven():
    assert card(expiry="05/26").errors == {}
    assert card(expiry=" 05 / 26 ").errors == {}
    assert card(holder="  ivan   ivanov ").errors == {}
    assert cards.normalize_holder("  ivan   ivanov ") == "IVAN IVANOV"


def test_the_card_number_never_shows_in_a_repr():
    form = CardForm(number="5555555555554477", expiry="12/30", cvc="123", holder="IVAN")
    assert "5555555555554477" not in repr(form)
    assert "123" not in repr(form)
    assert "5555555555554477" not in repr(cards.check_card(form, TODAY))


def test_the_confirmation_code_allows_three_wrong_attempts_and_forgives_typos():
    assert cards.check_code(cards.THREE_DS_CODE, 0).verdict is CodeVerdict.accepted
    assert cards.check_code(" 123456 ", 2).verdict is CodeVerdict.accepted
    malformed = cards.check_code("12345", 1)
    assert (malformed.verdict, malformed.failed_attempts) == (CodeVerdict.malformed, 1)
    first = cards.check_code("000000", 0)
    assert (first.verdict, first.failed_attempts) == (CodeVerdict.wrong, 1)
    assert first.message == "Код неверный. Осталось попыток: 2"
    assert cards.check_code("000000", 1).verdict is CodeVerdict.wrong
    assert cards.check_code("000000", 2).verdict is CodeVerdict.failed


@pytest.mark.parametrize(
    ("kopecks", "text"),
    [
        (0, "0,00 ₽"),
        (5, "0,05 ₽"),
        (123450, "1 234,50 ₽"),
        (100_000_000, "1 000 000,00 ₽"),
        (1_000_000_000, "10 000 000,00 ₽"),
    ],
)
def test_amounts_are_written_the_russian_way_with_no_break_spaces(kopecks, text):
    assert view.format_amount(kopecks).replace(view.NBSP, " ") == text
    assert " " not in view.format_amount(kopecks)


def test_the_form_token_is_bound_to_the_payment_and_the_secret():
    token = view.form_token("secret", "payment-1")
    assert len(token) == 64
    assert view.token_ok("secret", "payment-1", token)
    assert not view.token_ok("secret", "payment-2", token)
    assert not view.token_ok("another", "payment-1", token)
    assert not view.token_ok("secret", "payment-1", "")


NOW = datetime(2026, 5, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "expires_at", "party", "reason", "kind", "title"),
    [
        ("pending", NOW + timedelta(seconds=1), None, None, None, None),
        ("pending", NOW, None, None, "expired", "Время на оплату истекло"),
        ("pending", NOW - timedelta(seconds=1), None, None, "expired", "Время на оплату истекло"),
        ("succeeded", None, None, None, "paid", "Платёж уже оплачен"),
        ("waiting_for_capture", NOW, None, None, "paid", "Платёж уже оплачен"),
        ("canceled", None, "yoo_money", "expired_on_confirmation", "expired", "Время на оплату истекло"),
        ("canceled", None, "merchant", "canceled_by_merchant", "canceled", "Платёж отменён магазином"),
        ("canceled", None, "payment_network", "insufficient_funds", "declined", "Платёж отклонён"),
        ("canceled", None, "payment_network", "general_decline", "declined", "Платёж отклонён"),
        ("canceled", None, "payment_network", "3d_secure_failed", "declined", "Платёж отклонён"),
        ("canceled", None, "yoo_money", "expired_on_capture", "canceled", "Платёж отменён"),
    ],
)
def test_the_notice_replacing_the_form(status, expires_at, party, reason, kind, title):
    notice = view.notice_for(status, expires_at, NOW, party, reason)
    if kind is None:
        assert notice is None
    else:
        assert notice is not None
        assert (notice.kind, notice.title) == (kind, title)


def test_declines_say_why():
    def text(reason: str) -> str:
        notice = view.notice_for("canceled", None, NOW, "payment_network", reason)
        assert notice is not None
        return notice.text

    assert "Недостаточно средств" in text("insufficient_funds")
    assert "только тестовые карты" in text("general_decline")
    assert "код подтверждения" in text("3d_secure_failed")
    assert "Деньги не списаны" in text("something_new")


def test_the_qr_code_is_an_svg_data_uri():
    uri = view.qr_data_uri("http://127.0.0.1:8001/checkout/x")
    assert uri.startswith("data:image/svg+xml;base64,")


def test_the_published_test_cards_are_the_ones_in_the_docs():
    from pathlib import Path

    from payments.checkout.cards import TEST_CARDS

    docs = (Path(__file__).resolve().parents[3] / "docs" / "payments.md").read_text(encoding="utf-8")
    for card in TEST_CARDS:
        assert f"`{card.number}`" in docs, f"{card.number} is missing from docs/payments.md"
