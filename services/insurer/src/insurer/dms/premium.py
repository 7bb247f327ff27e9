"""The premium of a ДМС-мигрант contract (DMS-07), in kopecks (PAY-02).

    premium = sum insured × base annual tariff × risk coefficients × term coefficient

The risk coefficients are named: sex and age, scope of cover, group size, price category of the
clinics, region. The term coefficient applies to a term other than a year. A special-terms loading
from underwriting (DMS-08), when there is one, is one more factor. The tables that give
the numbers live in each insurer plugin and are synthetic; this module only does the arithmetic.

Rounding, documented once for every insurer: the product is computed exactly in decimal and
rounded **once**, at the end, to whole kopecks, half up (0.5 kopeck → 1 kopeck), the commercial
rounding of Russian accounting. No intermediate rounding, no floats.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

RISK_FACTORS = ("sex_age", "scope", "group_size", "clinic_category", "region")


@dataclass(frozen=True)
class PremiumQuote:
    kopecks: int
    #: The exact product before rounding, for the offer's explanation and for audits.
    exact_kopecks: Decimal
    factors: Mapping[str, Decimal]


def premium(
    sum_insured_kopecks: int,
    base_annual_tariff: Decimal,
    risk: Mapping[str, Decimal],
    term_coefficient: Decimal,
    underwriting_loading: Decimal = Decimal(1),
) -> PremiumQuote:
    if sum_insured_kopecks <= 0:
        raise ValueError("sum insured must be positive")
    unknown = set(risk) - set(RISK_FACTORS)
    missing = set(RISK_FACTORS) - set(risk)
    if unknown or missing:
        raise ValueError(f"risk coefficients: unknown {sorted(unknown)}, missing {sorted(missing)}")
    factors = {
        "base_annual_tariff": base_annual_tariff,
        **{k: risk[k] for k in RISK_FACTORS},
        "term": term_coefficient,
    }
    if underwriting_loading != 1:
        factors["underwriting"] = underwriting_loading
    for name, value in factors.items():
        if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
            raise ValueError(f"{name} must be a positive Decimal, not {value!r}")
    exact = Decimal(sum_insured_kopecks)
    for value in factors.values():
        exact *= value
    return PremiumQuote(int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)), exact, factors)
