"""The account's profile and its rules (ACC-01, ACC-02). Pure."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from kit.contracts.dms import CITIZENSHIP_PATTERN, IdentityDocument, PersonName, Sex


class AssuranceLevel(StrEnum):
    """ESIA's levels: a simplified account has a name and contacts; a standard one a checked СНИЛС
    and passport; a confirmed one was confirmed in person or by an electronic signature."""

    simplified = "simplified"
    standard = "standard"
    confirmed = "confirmed"


class AccountProfile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name_cyrillic: PersonName
    name_latin: PersonName | None = Field(default=None, description="As in the identity document")
    sex: Sex
    birth_date: date | None = None
    citizenship: str | None = Field(
        default=None, pattern=CITIZENSHIP_PATTERN, description="ICAO; XXA stateless"
    )
    document: IdentityDocument | None = None
    phone: str | None = None
    email: str | None = None
    snils: str | None = Field(default=None, pattern=r"^\d{11}$", description="СНИЛС, 11 digits")


def can_apply(level: AssuranceLevel) -> bool:
    """ACC-01: applying for anything needs a confirmed account."""
    return level is AssuranceLevel.confirmed


def profile_problems(level: AssuranceLevel, profile: AccountProfile) -> list[str]:
    """ACC-02: a confirmed account carries the identity document, citizenship, date of birth and
    contacts. Returns what is missing (empty when the profile fits its level)."""
    if level is not AssuranceLevel.confirmed:
        return []
    missing = [
        name
        for name, value in (
            ("document", profile.document),
            ("citizenship", profile.citizenship),
            ("birth_date", profile.birth_date),
            ("phone", profile.phone),
        )
        if value is None
    ]
    return [f"a confirmed account needs {name} (ACC-02)" for name in missing]
