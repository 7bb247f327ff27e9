"""The insurer plugin interface, and how an instance finds its plugin.

A plugin is a Python distribution that declares an entry point in the group
``interchange.insurers``; its name is the insurer's code and its object an
:class:`InsurerPlugin`::

    [project.entry-points."interchange.insurers"]
    volga = "insurer_demo_volga:plugin"

Today a plugin says who the insurer is, where it works and what it sells. Tariffs (DMS-07),
terms per region (DMS-02), underwriting (DMS-08) and policy numbering (DMS-10) join this interface
with the ДМС flow; ``docs/insurer-plugins.md`` describes the planned hooks.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from importlib.metadata import entry_points

from stdnum.ru import inn, ogrn

from kit.contracts.directory import INSURER_CODE_PATTERN, REGION_CODE_PATTERN

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
    return problems
