"""What the cabinet and partner API accept and answer for ДМС-мигрант."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from gateway.dms.rules import ApplicationStatus
from kit.contracts import dms
from kit.contracts.directory import REGION_CODE_PATTERN
from kit.db import UtcDatetime


class ApplicationIn(BaseModel):
    """The application (DMS-05). Names in Cyrillic *and* Latin as in the identity document."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "applicant": {
                        "name_cyrillic": {"last_name": "Рахимов", "first_name": "Алишер", "patronymic": None},
                        "name_latin": {"last_name": "RAKHIMOV", "first_name": "ALISHER", "patronymic": None},
                        "sex": "male",
                        "birth_date": "1994-03-15",
                        "citizenship": "UZB",
                        "document": {
                            "type": "foreign_passport",
                            "series": "FA",
                            "number": "1234567",
                            "issued_on": "2019-05-20",
                            "issued_by": "Ministry of Internal Affairs of Uzbekistan",
                            "valid_until": "2029-05-19",
                        },
                        "address_in_russia": "г. Москва, ул. Примерная, д. 1, кв. 2",
                        "phone": "+79001234567",
                        "email": "alisher@example.com",
                    },
                    "work_region": "77",
                    "permit": {
                        "kind": "patent",
                        "series": "77",
                        "number": "2400123456",
                        "valid_from": "2026-12-01",
                        "valid_until": "2027-11-30",
                    },
                    "term_months": 6,
                    "medical_declaration": [],
                    "consent_to_personal_data": True,
                }
            ]
        },
    )

    applicant: dms.Applicant
    work_region: str = Field(pattern=REGION_CODE_PATTERN, description="Region (субъект РФ) of the work")
    permit: dms.WorkPermit
    term_months: int = Field(ge=1, le=12, description="Months of cover (DMS-02); follows the permit")
    medical_declaration: list[dms.MedicalCondition] = Field(
        default_factory=list, description="Declared conditions (004 §7.3.1); empty when none"
    )
    consent_to_personal_data: bool = Field(description="Consent to personal-data processing (DMS-12)")


class TimelineEntry(BaseModel):
    at: UtcDatetime
    status: ApplicationStatus
    event: str
    insurer: str | None = None
    text: str


class Refusal(BaseModel):
    rule: str
    reason_code: str
    reason: str


class InsurerAnswer(BaseModel):
    insurer: str
    state: Annotated[str, Field(description="asked, offered or refused")]
    asked_at: UtcDatetime
    answered_at: UtcDatetime | None = None
    late: bool = Field(description="Answered after the collection deadline")
    refusal: Refusal | None = None


class PaymentLink(BaseModel):
    url: str = Field(description="The insurer's payment page (PAY-01)")
    amount: dms.Money
    attempt: int
    expires_at: UtcDatetime | None = None


class ApplicationOut(BaseModel):
    id: str
    status: ApplicationStatus
    status_text: str
    submitted_at: UtcDatetime
    updated_at: UtcDatetime
    submitted_by_client: str | None = Field(default=None, description="Partner system that submitted it")
    work_region: str
    term_months: int
    collect_until: UtcDatetime
    insurers: list[InsurerAnswer]
    offers_count: int
    accepted_offer_id: str | None = None
    accepted_insurer: str | None = None
    payment: PaymentLink | None = None
    payment_failure: str | None = None
    can_request_payment_link: bool
    can_withdraw: bool
    paid_at: UtcDatetime | None = None
    policy_due_by: date | None = Field(default=None, description="DMS-06: 2 working days after payment")
    policy_id: str | None = None
    policy_issued_at: UtcDatetime | None = None
    deadline_breached: bool = Field(description="The policy came (or is still missing) after policy_due_by")
    timeline: list[TimelineEntry]
    applicant: dms.Applicant | None = Field(default=None, description="Only in the single-application view")


class ApplicationList(BaseModel):
    items: list[ApplicationOut]


class OfferOut(BaseModel):
    id: str
    insurer: str
    insurer_name: str | None = None
    product_name: str
    programme: str
    sum_insured: dms.Money
    premium: dms.Money
    premium_factors: list[dms.PremiumFactor]
    term_months: int
    cover_from: date
    cover_until: date
    territory: list[str]
    special_terms: list[str]
    valid_until: UtcDatetime
    expired: bool
    late: bool
    synthetic_tariffs: bool
    accepted: bool


class OfferList(BaseModel):
    items: list[OfferOut] = Field(description="Cheapest first")


class PolicyOut(BaseModel):
    id: str
    application_id: str
    insurer: str
    series: str
    number: str
    issued_at: UtcDatetime
    valid_from: date
    valid_until: date
    due_by: date | None = None
    deadline_breached: bool
    document_url: str
    document_sha256: str
    data: dms.PolicyData


class PolicyList(BaseModel):
    items: list[PolicyOut]
