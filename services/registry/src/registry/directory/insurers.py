"""ОМС insurers (СМО) per region. SYNTHETIC: invented names, not the real register of СМО; each
region has two, so a change of insurer (OMS-04) is always possible."""

from __future__ import annotations

from dataclasses import dataclass

from registry.directory.regions import REGIONS


@dataclass(frozen=True)
class OmsInsurer:
    code: str
    name: str
    phone: str
    synthetic: bool = True


_NATIONAL = (
    OmsInsurer("smo-alfa", "СМО «Альфа-ОМС» (демо)", "+7 800 000-10-01"),
    OmsInsurer("smo-vita", "СМО «Вита-Мед» (демо)", "+7 800 000-10-02"),
)
#: Regions where a demo ДМС insurer also works as an СМО (the insurer plugins' `oms` product).
_ALSO = {"63": OmsInsurer("volga", "СК «Волга-Мед» (демо)", "+7 800 000-00-01")}


def insurers_in(region: str) -> tuple[OmsInsurer, ...]:
    if region not in REGIONS:
        return ()
    extra = (_ALSO[region],) if region in _ALSO else ()
    return (*_NATIONAL, *extra)


def insurer_in(region: str, code: str) -> OmsInsurer | None:
    return next((i for i in insurers_in(region) if i.code == code), None)
