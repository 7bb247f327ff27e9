"""ОМС: what the registry tells the others about policies (OMS-02, OMS-07)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, Field

from kit.contracts.base import Contract, Payload, registry
from kit.contracts.directory import REGION_CODE_PATTERN


def normalized_name(last_name: str, first_name: str, patronymic: str | None) -> str:
    """How the register and the gateway compare names: upper case, Ё as Е, single spaces."""
    parts = (last_name, first_name, patronymic or "")
    return "|".join(" ".join(p.replace("ё", "е").replace("Ё", "Е").upper().split()) for p in parts)


def person_match_values(
    last_name: str, first_name: str, patronymic: str | None, birth_date: date, snils: str | None
) -> list[str]:
    """What identifies a person across the register and the gateway (OMS-02): the СНИЛС when known,
    and the name with the date of birth."""
    values = [f"name:{normalized_name(last_name, first_name, patronymic)}|{birth_date.isoformat()}"]
    if snils:
        values.append(f"snils:{snils}")
    return values


PolicyOperation = Literal["issue", "suspend", "resume", "change_insurer", "change_region", "terminate"]


class InsuredPerson(Payload):
    """Enough to find the account holder the policy belongs to (OMS-02)."""

    last_name: str
    first_name: str
    patronymic: str | None = None
    birth_date: date
    snils: str | None = Field(default=None, pattern=r"^\d{11}$")


class PolicyChanged(Payload):
    enp: str = Field(pattern=r"^\d{16}$", description="Единый номер полиса (ID-01)")
    operation: PolicyOperation
    status: Literal["active", "suspended", "terminated"]
    insurer: str = Field(description="Code of the ОМС insurer (СМО)")
    region: str = Field(pattern=REGION_CODE_PATTERN)
    valid_from: date
    valid_until: date | None = Field(default=None, description="A foreigner's policy ends with the document")
    reason: str
    source: str = Field(description="Who asked: the registry client's id")
    person: InsuredPerson
    at: AwareDatetime


OMS_POLICY_CHANGED = registry.register(
    Contract(
        type="oms.policy.changed",
        version=1,
        payload=PolicyChanged,
        exchange="registry",
        routing_key="oms.policy.{operation}",
        producer="registry",
        consumers=("gateway",),
        summary="A policy was issued or changed in the register; the cabinet shows it (OMS-02, OMS-07).",
    )
)


class PersonDocument(Payload):
    kind: Literal[
        "passport",
        "birth_certificate",
        "foreign_passport",
        "residence_permit",
        "temporary_residence",
        "labour_contract",
    ]
    series: str | None = None
    number: str = Field(min_length=1, max_length=30)
    issued_on: date | None = None
    valid_until: date | None = None


class PersonData(Payload):
    last_name: str = Field(min_length=1, max_length=100)
    first_name: str = Field(min_length=1, max_length=100)
    patronymic: str | None = None
    sex: Literal["male", "female"]
    birth_date: date
    citizenship: str = Field(pattern=r"^[A-Z]{3}$")
    snils: str | None = Field(default=None, pattern=r"^\d{11}$")
    document: PersonDocument


class PolicyRequested(Payload):
    """A confirmed account holder asks for an electronic ОМС policy (OMS-01)."""

    request_id: str
    person: PersonData
    region: str = Field(pattern=REGION_CODE_PATTERN)
    insurer: str = Field(description="The ОМС insurer (СМО) chosen")
    requested_at: AwareDatetime


class PolicySnapshot(Payload):
    status: Literal["active", "suspended", "terminated"]
    insurer: str
    region: str = Field(pattern=REGION_CODE_PATTERN)
    valid_from: date
    valid_until: date | None = None


class PolicyRequestAnswered(Payload):
    request_id: str
    outcome: Literal["issued", "already_insured", "refused"]
    enp: str | None = Field(default=None, pattern=r"^\d{16}$")
    policy: PolicySnapshot | None = Field(
        default=None, description="The policy issued, or the one the person holds"
    )
    rule: str | None = None
    reason_ru: str | None = None
    reason_en: str | None = None
    at: AwareDatetime


OMS_POLICY_REQUESTED = registry.register(
    Contract(
        type="oms.policy.requested",
        version=1,
        payload=PolicyRequested,
        exchange="gateway",
        routing_key="oms.policy.requested",
        producer="gateway",
        consumers=("registry",),
        summary="The gateway asks the register for an electronic ОМС policy (OMS-01, OMS-03).",
    )
)
OMS_POLICY_REQUEST_ANSWERED = registry.register(
    Contract(
        type="oms.policy.request.answered",
        version=1,
        payload=PolicyRequestAnswered,
        exchange="registry",
        routing_key="oms.policy.request.answered",
        producer="registry",
        consumers=("gateway",),
        summary="The register's answer to a policy request: issued, already insured (OMS-02) or refused.",
    )
)
