"""PAY-02: amounts are integers in kopecks inside and exact decimal strings outside."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from payments.money import MAX_KOPECKS, AmountIn, format_kopecks, parse_kopecks


@pytest.mark.parametrize(
    ("text", "kopecks"),
    [("1", 100), ("1.5", 150), ("1.50", 150), ("0.01", 1), ("1234.56", 123456), ("10000000.00", MAX_KOPECKS)],
)
def test_decimal_strings_parse_exactly(text, kopecks):  # PAY-02
    assert parse_kopecks(text) == kopecks


@given(st.integers(min_value=0, max_value=10**14 - 1))  # the parser takes up to 12 digits of roubles
def test_format_and_parse_round_trip(kopecks):  # PAY-02
    assert parse_kopecks(format_kopecks(kopecks)) == kopecks


def test_no_float_rounding_creeps_in():  # PAY-02: 0.1 + 0.2 style errors cannot happen
    assert parse_kopecks("0.29") == 29
    assert parse_kopecks("1.15") == 115


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (12.5, "amount_not_a_string"),
        (100, "amount_not_a_string"),
        (True, "amount_not_a_string"),
        ("1.234", "amount_format"),
        ("1,50", "amount_format"),
        ("-5.00", "amount_format"),
        ("01.00", "amount_format"),
        ("1e3", "amount_format"),
        (" 1.00", "amount_format"),
        ("", "amount_format"),
        ("0", "amount_positive"),
        ("0.00", "amount_positive"),
        ("10000000.01", "amount_too_large"),
    ],
)
def test_bad_amounts_name_the_rule(value, rule):
    with pytest.raises(ValidationError) as caught:
        AmountIn.model_validate({"value": value, "currency": "RUB"})
    errors = caught.value.errors()
    assert [e["type"] for e in errors] == [rule]
    assert errors[0]["loc"] == ("value",)
    assert errors[0]["ctx"]["ru"]


@pytest.mark.parametrize("currency", ["USD", "rub", "", "RUR", 643])
def test_unknown_or_unsupported_currency_is_refused(currency):
    with pytest.raises(ValidationError) as caught:
        AmountIn.model_validate({"value": "1.00", "currency": currency})
    assert [e["type"] for e in caught.value.errors()] == ["currency_unsupported"]
