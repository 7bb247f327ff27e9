"""ДМС-мигрант: the messages between the gateway and the insurers (DMS-06).

The flow, as messages::

    gateway ──dms.quote.requested──▶ insurer       (one per insurer serving the work region)
    gateway ◀──dms.offer.made / dms.offer.refused── insurer
    gateway ──dms.offer.accepted──▶ insurer         (the applicant picked this insurer's offer)
    gateway ◀──dms.payment.link.issued── insurer    (a payment at the payments service, its page)
    gateway ◀──dms.payment.failed── insurer         (declined or expired; a new link may be asked)
    gateway ──dms.payment.link.requested──▶ insurer
    gateway ◀──dms.contract.paid── insurer          (DMS-09: paid, effective dates, policy due by)
    gateway ◀──dms.policy.issued── insurer          (DMS-10: the policy data and its PDF)
    gateway ──dms.application.withdrawn──▶ insurer

Everything about one application carries ``correlation_id`` = the application id. Money is in
kopecks (PAY-02). Personal data travels in the payload; the broker is private to the interchange
and, in production, reached over TLS.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from kit.contracts.base import Contract, Payload, registry
from kit.contracts.directory import INSURER_CODE_PATTERN, REGION_CODE_PATTERN

#: ICAO Doc 9303 nationality codes: ISO 3166-1 alpha-3, plus ``XXA`` for a stateless person.
CITIZENSHIP_PATTERN = r"^[A-Z]{3}$"
STATELESS = "XXA"
RUSSIA = "RUS"

Region = Annotated[str, Field(pattern=REGION_CODE_PATTERN, description="Code of a subject of the RF")]
InsurerCode = Annotated[str, Field(pattern=INSURER_CODE_PATTERN)]


class Sex(StrEnum):
    male = "male"
    female = "female"


class MedicalCondition(StrEnum):
    """The conditions of the medical declaration (004 §7.3.1; DMS-05)."""

    hiv = "hiv"
    dangerous_infection = "dangerous_infection"  # особо опасные инфекции
    drug_addiction = "drug_addiction"
    mental_disorder = "mental_disorder"
    cancer = "cancer"
    tuberculosis = "tuberculosis"
    congenital_anomaly = "congenital_anomaly"
    connective_tissue_disease = "connective_tissue_disease"  # системные заболевания соединительной ткани
    dialysis = "dialysis"  # хроническая почечная/печёночная недостаточность, требующая диализа
    chronic_hepatitis = "chronic_hepatitis"  # хронический гепатит C, E, F, G
    disability = "disability"  # инвалидность, кроме III группы


class DocumentType(StrEnum):
    foreign_passport = "foreign_passport"  # паспорт иностранного гражданина
    stateless_id = "stateless_id"  # документ лица без гражданства
    residence_permit = "residence_permit"  # вид на жительство
    refugee_certificate = "refugee_certificate"  # удостоверение беженца
    russian_passport = "russian_passport"  # паспорт гражданина РФ (в учётной записи гражданина России)


class PermitKind(StrEnum):
    patent = "patent"  # патент
    work_permit = "work_permit"  # разрешение на работу


class Money(Payload):
    kopecks: int = Field(ge=0, description="Amount in kopecks (PAY-02)")
    currency: Literal["RUB"] = "RUB"


class PersonName(Payload):
    last_name: str = Field(min_length=1, max_length=100)
    first_name: str = Field(min_length=1, max_length=100)
    patronymic: str | None = Field(default=None, max_length=100)


class IdentityDocument(Payload):
    type: DocumentType
    series: str | None = Field(default=None, max_length=20)
    number: str = Field(min_length=1, max_length=30)
    issued_on: date
    issued_by: str = Field(min_length=1, max_length=300)
    valid_until: date | None = None


class WorkPermit(Payload):
    kind: PermitKind
    series: str | None = Field(default=None, max_length=20)
    number: str = Field(min_length=1, max_length=30)
    valid_from: date
    valid_until: date


class Applicant(Payload):
    """The insured person as the application names them (DMS-05)."""

    name_cyrillic: PersonName
    name_latin: PersonName = Field(description="As in the identity document (ID-04), kept as given")
    sex: Sex
    birth_date: date
    citizenship: str = Field(pattern=CITIZENSHIP_PATTERN, description="ICAO code; XXA: stateless")
    document: IdentityDocument
    address_in_russia: str = Field(min_length=1, max_length=500)
    phone: str = Field(min_length=1, max_length=30)
    email: str | None = Field(default=None, max_length=200)


class DmsApplication(Payload):
    application_id: str = Field(min_length=1, max_length=64)
    submitted_at: AwareDatetime
    applicant: Applicant
    work_region: Region
    permit: WorkPermit
    term_months: int = Field(ge=1, le=12)
    medical_declaration: list[MedicalCondition] = Field(
        default_factory=list, description="Declared conditions; empty when none"
    )
    consent_given_at: AwareDatetime = Field(description="Consent to personal-data processing (DMS-12)")


class QuoteRequested(Payload):
    """Make an offer for this application, or refuse it with a reason."""

    insurer: InsurerCode
    application: DmsApplication
    answer_by: AwareDatetime = Field(description="Collection deadline; a later answer is still recorded")


class PremiumFactor(Payload):
    name: str = Field(
        description="base_annual_tariff, sex_age, scope, group_size, clinic_category, region, term"
    )
    value: str = Field(pattern=r"^\d+(\.\d+)?$", description="Decimal string")


class OfferMade(Payload):
    insurer: InsurerCode
    application_id: str
    offer_id: str
    product_code: str
    product_name: str
    programme: str = Field(description="What the cover includes (DMS-04)")
    sum_insured: Money
    premium: Money
    premium_factors: list[PremiumFactor] = Field(description="How the premium was computed (DMS-07)")
    term_months: int = Field(ge=1, le=12)
    cover_from: date = Field(description="Earliest start of cover if paid now (DMS-09)")
    cover_until: date
    territory: list[Region] = Field(min_length=1, description="Regions covered; includes the work region")
    special_terms: list[str] = Field(default_factory=list, description="Underwriting special terms (DMS-08)")
    valid_until: AwareDatetime = Field(description="The offer may be accepted until then")
    synthetic_tariffs: bool = Field(description="True when the tariff tables are invented (demo)")


class OfferRefused(Payload):
    insurer: InsurerCode
    application_id: str
    rule: str = Field(description="The rule behind the refusal, e.g. DMS-08, DMS-02")
    reason_code: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    reason_ru: str = Field(min_length=1)
    reason_en: str = Field(min_length=1)


class OfferAccepted(Payload):
    insurer: InsurerCode
    application_id: str
    offer_id: str
    accepted_at: AwareDatetime
    return_url: str = Field(description="Where the payment page sends the payer back (the cabinet)")


class PaymentLinkRequested(Payload):
    """After a failed payment the applicant asks for a new payment link."""

    insurer: InsurerCode
    application_id: str
    offer_id: str
    requested_at: AwareDatetime
    return_url: str


class PaymentLinkIssued(Payload):
    insurer: InsurerCode
    application_id: str
    contract_id: str
    payment_id: str
    attempt: int = Field(ge=1, description="1 for the first link, then one more per new link")
    confirmation_url: str = Field(description="The insurer's payment page (PAY-01)")
    amount: Money
    expires_at: AwareDatetime | None = None


class PaymentFailed(Payload):
    insurer: InsurerCode
    application_id: str
    contract_id: str
    payment_id: str
    attempt: int = Field(ge=1)
    party: str = Field(description="Who canceled: yoo_money, payment_network, merchant")
    reason: str = Field(description="Cancellation reason, e.g. insufficient_funds, expired_on_confirmation")
    failed_at: AwareDatetime


class ContractPaid(Payload):
    insurer: InsurerCode
    application_id: str
    contract_id: str
    payment_id: str
    paid_at: AwareDatetime
    effective_from: date = Field(description="DMS-09: payment day, or the permit start when later")
    effective_until: date
    policy_due_by: date = Field(description="DMS-06: 2 working days after payment (RU production calendar)")


class InsurerDetails(Payload):
    legal_name: str
    licence_number: str
    licence_issued_on: date
    inn: str
    ogrn: str
    address: str
    phone: str
    website: str
    bank_name: str
    bik: str
    settlement_account: str
    correspondent_account: str
    signatory_name: str
    signatory_position: str


class PolicyData(Payload):
    """Everything DMS-10 requires a policy to name."""

    series: str
    number: str
    visual_control_number: str
    issued_on: date
    valid_from: date
    valid_until: date
    territory: list[Region] = Field(min_length=1)
    sum_insured: Money
    premium: Money
    product_name: str
    programme: str
    policyholder: str = Field(description="The policyholder's name (an individual contract: the insured)")
    insured: Applicant
    insurer: InsurerDetails
    special_terms: list[str] = Field(default_factory=list)


class PolicyDocument(Payload):
    media_type: Literal["application/pdf"] = "application/pdf"
    filename: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    content_base64: str


class PolicyIssued(Payload):
    insurer: InsurerCode
    application_id: str
    contract_id: str
    policy_id: str
    policy: PolicyData
    document: PolicyDocument
    issued_at: AwareDatetime


class ApplicationWithdrawn(Payload):
    insurer: InsurerCode
    application_id: str
    withdrawn_at: AwareDatetime


def _to_insurer(message_type: str, payload: type[Payload], summary: str) -> Contract:
    return registry.register(
        Contract(
            type=message_type,
            version=1,
            payload=payload,
            exchange="gateway",
            routing_key=f"insurer.{{insurer}}.{message_type}",
            producer="gateway",
            consumers=("insurer",),
            summary=summary,
        )
    )


def _from_insurer(message_type: str, payload: type[Payload], summary: str) -> Contract:
    return registry.register(
        Contract(
            type=message_type,
            version=1,
            payload=payload,
            exchange="insurers",
            routing_key=f"insurer.{{insurer}}.{message_type}",
            producer="insurer",
            consumers=("gateway",),
            summary=summary,
        )
    )


DMS_QUOTE_REQUESTED = _to_insurer(
    "dms.quote.requested", QuoteRequested, "An application for ДМС-мигрант: make an offer or refuse."
)
DMS_OFFER_ACCEPTED = _to_insurer(
    "dms.offer.accepted", OfferAccepted, "The applicant accepted this insurer's offer: conclude the contract."
)
DMS_PAYMENT_LINK_REQUESTED = _to_insurer(
    "dms.payment.link.requested", PaymentLinkRequested, "The applicant asks for a new payment link."
)
DMS_APPLICATION_WITHDRAWN = _to_insurer(
    "dms.application.withdrawn", ApplicationWithdrawn, "The applicant withdrew the application."
)
DMS_OFFER_MADE = _from_insurer("dms.offer.made", OfferMade, "The insurer's offer for an application.")
DMS_OFFER_REFUSED = _from_insurer(
    "dms.offer.refused", OfferRefused, "The insurer refuses to insure, with its reason (DMS-08)."
)
DMS_PAYMENT_LINK_ISSUED = _from_insurer(
    "dms.payment.link.issued",
    PaymentLinkIssued,
    "A payment was created; its page is where the applicant pays.",
)
DMS_PAYMENT_FAILED = _from_insurer(
    "dms.payment.failed", PaymentFailed, "The payment was declined or expired; a new link may be requested."
)
DMS_CONTRACT_PAID = _from_insurer(
    "dms.contract.paid", ContractPaid, "The premium is paid; the contract's dates are fixed (DMS-09)."
)
DMS_POLICY_ISSUED = _from_insurer(
    "dms.policy.issued", PolicyIssued, "The electronic policy (DMS-10) with its printable PDF."
)

#: What the gateway consumes from insurers, and what insurers consume from the gateway.
FROM_INSURERS = (
    DMS_OFFER_MADE,
    DMS_OFFER_REFUSED,
    DMS_PAYMENT_LINK_ISSUED,
    DMS_PAYMENT_FAILED,
    DMS_CONTRACT_PAID,
    DMS_POLICY_ISSUED,
)
TO_INSURERS = (DMS_QUOTE_REQUESTED, DMS_OFFER_ACCEPTED, DMS_PAYMENT_LINK_REQUESTED, DMS_APPLICATION_WITHDRAWN)
