from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kit.contracts.directory import REGION_CODE_PATTERN
from kit.contracts.dms import CITIZENSHIP_PATTERN, RUSSIA
from kit.db import UtcDatetime
from kit.errors import rule_error
from registry.identifiers import is_valid_snils, normalize_snils
from registry.policies.rules import Operation, PolicyStatus

DocumentKind = Literal[
    "passport",
    "birth_certificate",
    "foreign_passport",
    "residence_permit",
    "temporary_residence",
    "labour_contract",
]


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: DocumentKind
    series: str | None = Field(default=None, max_length=20)
    number: str = Field(min_length=1, max_length=30)
    issued_on: date | None = None
    valid_until: date | None = None


class PersonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    last_name: str = Field(min_length=1, max_length=100)
    first_name: str = Field(min_length=1, max_length=100)
    patronymic: str | None = Field(default=None, max_length=100)
    sex: Literal["male", "female"]
    birth_date: date
    birth_place: str | None = Field(default=None, max_length=300)
    citizenship: str = Field(default=RUSSIA, pattern=CITIZENSHIP_PATTERN)
    snils: str | None = Field(default=None, description="11 digits, separators allowed (ID-02)")
    document: DocumentIn

    @field_validator("snils")
    @classmethod
    def _snils(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not is_valid_snils(value):
            raise rule_error(
                "ID-02",
                ru="СНИЛС неверен: не сходится контрольное число",
                en="Invalid СНИЛС: the check number fails",
            )
        return normalize_snils(value)


class IssueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person: PersonIn
    region: str = Field(pattern=REGION_CODE_PATTERN)
    insurer: str = Field(
        min_length=1, max_length=32, description="An ОМС insurer of the region (GET /insurers)"
    )
    clinic: str | None = Field(default=None, max_length=300)
    valid_until: date | None = Field(
        default=None, description="Foreigners: the policy ends no later than their document (OMS-05)"
    )


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


class ChangeInsurerIn(ReasonIn):
    insurer: str = Field(min_length=1, max_length=32)
    relocation: bool = Field(default=False, description="A change of residence lifts the OMS-04 limits")
    region: str | None = Field(
        default=None, pattern=REGION_CODE_PATTERN, description="The new region on relocation"
    )


class ChangeRegionIn(ReasonIn):
    region: str = Field(pattern=REGION_CODE_PATTERN)
    insurer: str = Field(min_length=1, max_length=32, description="An ОМС insurer of the new region")


class PersonOut(BaseModel):
    last_name: str
    first_name: str
    patronymic: str | None
    sex: str
    birth_date: date
    citizenship: str
    snils: str | None


class PolicyOut(BaseModel):
    enp: str
    status: PolicyStatus
    valid: bool = Field(description="Active and within its term today")
    insurer: str
    insurer_name: str | None
    insurer_phone: str | None
    region: str
    valid_from: date
    valid_until: date | None
    clinic: str | None
    last_insurer_change_on: date | None
    issued_at: UtcDatetime
    person: PersonOut


class PolicyList(BaseModel):
    items: list[PolicyOut]


class EventOut(BaseModel):
    at: UtcDatetime
    operation: Operation
    reason: str
    source: str
    details: dict[str, object]


class History(BaseModel):
    enp: str
    events: list[EventOut]


class RegionOut(BaseModel):
    code: str
    name: str


class InsurerOut(BaseModel):
    code: str
    name: str
    phone: str
    synthetic: bool
