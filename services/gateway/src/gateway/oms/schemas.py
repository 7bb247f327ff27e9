"""What the cabinet's ОМС routes take and give."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kit.contracts.directory import REGION_CODE_PATTERN
from kit.contracts.dms import PersonName, Sex
from kit.contracts.oms import CabinetOperation, MigrationCard, NeededInformation, ScanKind, StayGround
from kit.db import UtcDatetime

Insurer = Field(min_length=1, max_length=32, description="An ОМС insurer (СМО) of the region")


class OmsPolicyOut(BaseModel):
    enp: str
    insured: Literal["self", "child"] = Field(description="Whose policy: the holder's or their child's")
    insured_name: str | None = Field(default=None, description="The child's name")
    status: str
    insurer: str
    insurer_name: str | None = Field(default=None, description="The СМО's name (OMS-03)")
    insurer_phone: str | None = Field(default=None, description="The СМО's phone (OMS-03)")
    clinic: str | None = Field(default=None, description="The clinic the holder is attached to, when known")
    region: str
    valid_from: date
    valid_until: date | None
    changed_at: UtcDatetime


class OmsLookupOut(BaseModel):
    """Whether the register was asked about the holder's policy (OMS-02), and what to tell them."""

    status: Literal["pending", "retrying", "found", "not_found"] = Field(
        description="pending: asked; retrying: not found yet, asked again at next_attempt_at; found; "
        "not_found: still nothing after every attempt (apply with POST /oms/requests)"
    )
    attempts: int
    asked_at: UtcDatetime
    answered_at: UtcDatetime | None = None
    next_attempt_at: UtcDatetime | None = None
    message_ru: str
    message_en: str


class OmsPolicyList(BaseModel):
    items: list[OmsPolicyOut]
    lookup: OmsLookupOut | None = Field(
        default=None,
        description="The register's search for the holder's policy; none for an unconfirmed account",
    )


class BirthCertificate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    series: str = Field(
        pattern=r"^[IVXLC]{1,6}-[А-ЯЁ]{2}$",
        description="Roman numerals, a hyphen and two Cyrillic capitals, e.g. IV-МЮ",
        examples=["IV-МЮ"],
    )
    number: str = Field(pattern=r"^\d{6}$", description="Six digits")
    issued_on: date


class ChildIn(BaseModel):
    """A child under 14, named by the birth certificate (OMS-01)."""

    model_config = ConfigDict(extra="forbid")

    name: PersonName = Field(description="In Cyrillic, as in the birth certificate")
    sex: Sex
    birth_date: date
    birth_place: str | None = Field(default=None, max_length=300)
    birth_certificate: BirthCertificate


class OmsRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: str = Field(pattern=REGION_CODE_PATTERN, description="Where the insured person lives")
    insurer: str = Insurer
    child: ChildIn | None = Field(default=None, description="For a child; leave out for oneself")


class OmsRequestOut(BaseModel):
    id: str
    insured: Literal["self", "child"]
    insured_name: str | None = Field(default=None, description="The child's name")
    status: str = Field(
        description="submitted (the register has not answered yet), issued, already_insured, refused"
    )
    region: str
    insurer: str
    submitted_at: UtcDatetime
    answered_at: UtcDatetime | None = None
    enp: str | None = None
    rule: str | None = None
    reason_ru: str | None = None
    reason_en: str | None = None


class OmsRequestList(BaseModel):
    items: list[OmsRequestOut]


class OmsOperationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    operation: CabinetOperation = Field(
        description="suspend (military service, OMS-06), resume, change_insurer, change_region (OMS-04)"
    )
    reason: str = Field(min_length=3, max_length=500, description="Why, in the holder's words")
    insurer: str | None = Field(default=None, min_length=1, max_length=32, description="The new СМО")
    region: str | None = Field(default=None, pattern=REGION_CODE_PATTERN, description="The new region")
    relocation: bool = Field(
        default=False, description="change_insurer on a change of residence: the OMS-04 limits do not apply"
    )


class OmsOperationOut(BaseModel):
    id: str
    enp: str
    operation: str
    status: str = Field(description="submitted, done or refused")
    reason: str
    insurer: str | None
    region: str | None
    relocation: bool
    submitted_at: UtcDatetime
    answered_at: UtcDatetime | None = None
    rule: str | None = None
    reason_ru: str | None = None
    reason_en: str | None = None


class OmsOperationList(BaseModel):
    items: list[OmsOperationOut]


class ForeignerApplicationIn(BaseModel):
    """OMS-05. The name, date of birth, citizenship and passport come from the confirmed account."""

    model_config = ConfigDict(extra="forbid")

    birth_place: str = Field(min_length=1, max_length=300)
    migration_card: MigrationCard
    stay: StayGround
    address: str = Field(min_length=5, max_length=500, description="The actual address in Russia")
    region: str = Field(pattern=REGION_CODE_PATTERN)
    insurer: str = Insurer
    consent_to_personal_data: bool


class ScanOut(BaseModel):
    kind: ScanKind
    content_type: str
    size: int
    sha256: str
    uploaded_at: UtcDatetime


class ForeignerApplicationOut(BaseModel):
    id: str
    status: str = Field(
        description="draft (scans may be added), submitted (under review), approved, information_needed "
        "(see needed; correct, upload and submit again), already_insured"
    )
    data: ForeignerApplicationIn
    scans: list[ScanOut]
    attempt: int = Field(description="How many times it was submitted")
    needed: list[NeededInformation] = Field(default_factory=list)
    enp: str | None = None
    created_at: UtcDatetime
    submitted_at: UtcDatetime | None = None
    answered_at: UtcDatetime | None = None


class ForeignerApplicationList(BaseModel):
    items: list[ForeignerApplicationOut]
