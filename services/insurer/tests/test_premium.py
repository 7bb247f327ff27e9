"""DMS-07: premium = sum insured × base tariff × risk coefficients × term coefficient, in kopecks."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insurer.dms.premium import RISK_FACTORS, premium

NEUTRAL = {name: Decimal(1) for name in RISK_FACTORS}


def test_worked_example():  # DMS-07
    # 100 000 RUB sum insured (DMS-03 minimum), 2.4 % a year, a 40-year-old man (1.1), urgent care
    # scope (1), alone (1), standard clinics (1), Moscow (1.3), 6 months (0.6).
    quote = premium(
        10_000_000,
        Decimal("0.024"),
        {**NEUTRAL, "sex_age": Decimal("1.1"), "region": Decimal("1.3")},
        Decimal("0.6"),
    )
    # 10 000 000 × 0.024 × 1.1 × 1.3 × 0.6 = 205 920 kopecks = 2 059.20 RUB
    assert quote.kopecks == 205_920
    assert quote.exact_kopecks == Decimal("205920.0000")


def test_rounded_once_half_up_to_kopecks():  # DMS-07, PAY-02
    # 1 kopeck × 0.5 = 0.5 → 1; rounding each step would have given 0 or a different result.
    assert premium(1, Decimal("0.5"), NEUTRAL, Decimal(1)).kopecks == 1
    assert premium(3, Decimal("0.5"), NEUTRAL, Decimal(1)).kopecks == 2  # 1.5 → 2
    assert (
        premium(10_000_001, Decimal("0.0333"), NEUTRAL, Decimal("0.35")).kopecks == 116_550
    )  # 116550.0116...


@given(
    st.integers(1, 10**12),
    st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(1), places=4),
    st.lists(st.decimals(min_value=Decimal("0.1"), max_value=Decimal(5), places=2), min_size=6, max_size=6),
)
def test_the_order_of_coefficients_does_not_matter(sum_insured, tariff, values):  # DMS-07
    risk = dict(zip(RISK_FACTORS, values[:5], strict=True))
    reversed_risk = dict(zip(RISK_FACTORS, reversed(values[:5]), strict=True))
    a = premium(sum_insured, tariff, risk, values[5])
    b = premium(sum_insured, tariff, reversed_risk, values[5])
    assert a.kopecks == b.kopecks
    assert abs(Decimal(a.kopecks) - a.exact_kopecks) <= Decimal("0.5")


@pytest.mark.parametrize(
    ("risk", "term", "message"),
    [
        ({**NEUTRAL, "region": Decimal(0)}, Decimal(1), "region must be a positive"),
        ({**NEUTRAL, "region": 1.3}, Decimal(1), "region must be a positive Decimal"),  # floats are refused
        (NEUTRAL, Decimal("NaN"), "term must be a positive"),
        ({k: v for k, v in NEUTRAL.items() if k != "scope"}, Decimal(1), "missing \\['scope'\\]"),
        ({**NEUTRAL, "mood": Decimal(1)}, Decimal(1), "unknown \\['mood'\\]"),
    ],
)
def test_bad_coefficients_are_refused(risk, term, message):
    with pytest.raises(ValueError, match=message):
        premium(10_000_000, Decimal("0.02"), risk, term)
