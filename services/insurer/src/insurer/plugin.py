"""The insurer plugin interface, and how an instance finds its plugin.

A plugin is a Python distribution that declares an entry point in the group
``interchange.insurers``; its name is the insurer's code and its object an
:class:`InsurerPlugin`::

    [project.entry-points."interchange.insurers"]
    volga = "insurer_demo_volga:plugin"

A plugin says who the insurer is, where it works and what it sells, and for ДМС-мигрант: its
tariff per region (DMS-07), the terms it offers per region (DMS-02), its underwriting of the
medical declaration (DMS-08) and its policy numbering (DMS-10). Plugins supply data and
decisions; the arithmetic and its rounding stay in the service (``insurer.dms.premium``), so
every insurer rounds the same documented way. ``docs/insurer-plugins.md`` describes the hooks.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from importlib.metadata import entry_points

from stdnum.iso7064 import mod_97_10
from stdnum.ru import inn, ogrn

from kit.contracts.directory import INSURER_CODE_PATTERN, REGION_CODE_PATTERN
from kit.contracts.dms import MedicalCondition, Sex

#: DMS-03: the least sum insured per insured person, in kopecks (100 000 RUB).
MIN_SUM_INSURED_KOPECKS = 10_000_000
#: DMS-02: the terms offered when a plugin says nothing else.
DEFAULT_TERMS = (3, 6, 9, 12)

ENTRY_POINT_GROUP = "interchange.insurers"


@dataclass(frozen=True)
class Licence:
    number: str
    issued_on: date


@dataclass(frozen=True)
class BankDetails:
    bank_name: str
    bik: str
    settlement_account: str
    correspondent_account: str


@dataclass(frozen=True)
class Signatory:
    full_name: str
    position: str


@dataclass(frozen=True)
class InsurerIdentity:
    """Legal details, as printed on a policy (DMS-10)."""

    code: str
    legal_name: str
    short_name: str
    inn: str
    ogrn: str
    licence: Licence
    address: str
    phone: str
    website: str
    bank: BankDetails
    signatory: Signatory
    #: True for a demo insurer whose name and data are invented.
    synthetic: bool


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    #: Line of business: ``dms-migrant`` (ДМС for foreign workers), ``oms`` (acting as an СМО).
    line: str


@dataclass(frozen=True)
class AgeBand:
    """Sex-and-age coefficients for ages ``min_age``..``max_age`` inclusive (DMS-07)."""

    min_age: int
    max_age: int
    male: Decimal
    female: Decimal

    def coefficient(self, sex: Sex) -> Decimal:
        return self.male if sex is Sex.male else self.female


@dataclass(frozen=True)
class DmsTariff:
    """One insurer's ДМС-мигрант tariff in one region (DMS-07). The numbers of the demo plugins are
    synthetic; a real insurer's come from its actuarial calculations (004 §6)."""

    product_code: str
    product_name: str
    #: What the cover includes (DMS-04), as printed on the offer and the policy.
    programme: str
    sum_insured_kopecks: int
    base_annual_tariff: Decimal
    #: Ages outside every band are not insured by this tariff.
    age_bands: tuple[AgeBand, ...]
    #: Scope of cover: the base programme (urgent care) is 1.
    scope: Decimal
    #: Group size: an individual contract (one person).
    group_size: Decimal
    #: Price category of the clinics the insurer sends the insured to.
    clinic_category: Decimal
    region: Decimal
    #: Term in months → coefficient; 12 months is the annual tariff (1).
    term: Mapping[int, Decimal]
    #: How long an offer may be accepted.
    offer_valid_for: timedelta = timedelta(days=3)
    #: Regions covered besides the work region (the territory always includes the work region).
    extra_territory: tuple[str, ...] = ()
    synthetic: bool = True

    def band_for(self, age: int) -> AgeBand | None:
        return next((band for band in self.age_bands if band.min_age <= age <= band.max_age), None)


@dataclass(frozen=True)
class Accept:
    """Insure; with a loading and special terms when the declaration calls for them (DMS-08)."""

    loading: Decimal = Decimal(1)
    special_terms: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Decline:
    """Refuse to insure, with the reason the applicant sees (DMS-08)."""

    reason_code: str
    reason_ru: str
    reason_en: str


UnderwritingDecision = Accept | Decline


class InsurerPlugin(ABC):
    """What an insurer brings to the interchange."""

    @property
    @abstractmethod
    def identity(self) -> InsurerIdentity: ...

    @abstractmethod
    def regions(self) -> Sequence[str]:
        """Codes of the regions (субъекты РФ, two digits) the insurer serves."""

    @abstractmethod
    def products(self) -> Sequence[Product]: ...

    # -- ДМС-мигрант -----------------------------------------------------------------------------

    def dms_tariff(self, region: str) -> DmsTariff | None:
        """The tariff in a region; None where the insurer does not sell ДМС-мигрант."""
        return None

    def dms_terms(self, region: str) -> Sequence[int]:
        """DMS-02: whole months the insurer offers in the region (1–12); 3, 6, 9, 12 by default."""
        return DEFAULT_TERMS

    def dms_underwrite(self, declaration: Sequence[MedicalCondition]) -> UnderwritingDecision:
        """DMS-08: the decision on the medical declaration. By default every declared condition
        needs an individual assessment the online channel cannot make, so it is declined."""
        if not declaration:
            return Accept()
        return Decline(
            "individual-underwriting",
            "Заявленные заболевания требуют индивидуальной оценки; обратитесь в офис страховщика",
            "The declared conditions need an individual assessment; please contact the insurer's office",
        )

    def policy_series(self, region: str) -> str:
        """DMS-10: the series printed on the policy (by default the code and the region)."""
        return f"{self.identity.code.upper()}-{region}"

    def policy_number(self, sequence: int) -> str:
        """DMS-10: the number within the series, from the instance's counter (1, 2, ...)."""
        return f"{sequence:010d}"

    def visual_control_number(self, series: str, number: str) -> str:
        """DMS-10: a check a person can verify by eye: ISO 7064 MOD 97-10 check digits over the
        digits of the series and number (python-stdnum), so a mistyped digit is caught."""
        digits = "".join(ch for ch in series + number if ch.isdigit()) or "0"
        return mod_97_10.calc_check_digits(digits)


class PluginError(RuntimeError):
    pass


def available_plugins() -> list[str]:
    return sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))


def load_plugin(name: str) -> InsurerPlugin:
    found = list(entry_points(group=ENTRY_POINT_GROUP, name=name))
    if not found:
        raise PluginError(
            f"no insurer plugin named {name!r} in entry point group {ENTRY_POINT_GROUP}; "
            f"installed: {', '.join(available_plugins()) or 'none'}"
        )
    plugin = found[0].load()
    if not isinstance(plugin, InsurerPlugin):
        raise PluginError(f"entry point {name!r} is {type(plugin).__name__}, not an InsurerPlugin")
    problems = plugin_problems(plugin, expected_code=name)
    if problems:
        raise PluginError(f"insurer plugin {name!r} is invalid: " + "; ".join(problems))
    return plugin


def plugin_problems(plugin: InsurerPlugin, *, expected_code: str) -> list[str]:
    """Everything wrong with a plugin's declarations (empty when it may run)."""
    identity = plugin.identity
    problems = []
    if identity.code != expected_code:
        problems.append(f"code {identity.code!r} differs from the entry point name {expected_code!r}")
    if not re.fullmatch(INSURER_CODE_PATTERN, identity.code):
        problems.append(f"code {identity.code!r} must match {INSURER_CODE_PATTERN}")
    if not inn.is_valid(identity.inn) or len(identity.inn) != 10:
        problems.append(f"ИНН {identity.inn!r} is not a valid 10-digit legal-entity INN")
    if not ogrn.is_valid(identity.ogrn) or len(identity.ogrn) != 13:
        problems.append(f"ОГРН {identity.ogrn!r} is not a valid 13-digit OGRN")
    regions = list(plugin.regions())
    if not regions:
        problems.append("serves no region")
    problems.extend(
        f"region code {r!r} is not two digits" for r in regions if not re.fullmatch(REGION_CODE_PATTERN, r)
    )
    if not plugin.products():
        problems.append("sells no product")
    for region in regions:
        problems.extend(f"region {region}: {p}" for p in tariff_problems(plugin, region))
    return problems


def tariff_problems(plugin: InsurerPlugin, region: str) -> list[str]:
    """What is wrong with the ДМС tariff and terms in one region (empty when fine or not sold)."""
    tariff = plugin.dms_tariff(region)
    if tariff is None:
        return []
    problems = []
    if tariff.sum_insured_kopecks < MIN_SUM_INSURED_KOPECKS:
        problems.append(f"sum insured {tariff.sum_insured_kopecks} kopecks is below 100 000 RUB (DMS-03)")
    terms = list(plugin.dms_terms(region))
    if not terms:
        problems.append("offers no term (DMS-02)")
    problems.extend(
        f"term {t} is not a whole number of months 1–12 (DMS-02)" for t in terms if not 1 <= t <= 12
    )
    problems.extend(f"no term coefficient for {t} months" for t in terms if t not in tariff.term)
    coefficients = {
        "base annual tariff": tariff.base_annual_tariff,
        "scope": tariff.scope,
        "group size": tariff.group_size,
        "clinic category": tariff.clinic_category,
        "region": tariff.region,
        **{f"term {months}": value for months, value in tariff.term.items()},
        **{f"age {b.min_age}-{b.max_age} male": b.male for b in tariff.age_bands},
        **{f"age {b.min_age}-{b.max_age} female": b.female for b in tariff.age_bands},
    }
    problems.extend(
        f"coefficient {name} must be positive" for name, value in coefficients.items() if value <= 0
    )
    if not tariff.age_bands:
        problems.append("no age band")
    return problems
