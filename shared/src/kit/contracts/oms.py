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


#: A Russian child gets a passport at 14; until then the birth certificate identifies them (OMS-01).
CHILD_PASSPORT_AGE = 14

PolicyOperation = Literal["issue", "suspend", "resume", "change_insurer", "change_region", "terminate"]


class PolicyContacts(Payload):
    """What the holder needs to use the policy (OMS-03): the insurer's name and phone, the clinic."""

    insurer_name: str | None = Field(default=None, description="The СМО's name")
    insurer_phone: str | None = Field(default=None, description="The СМО's contact phone")
    clinic: str | None = Field(default=None, description="The clinic the holder is attached to, when known")


class InsuredPerson(Payload):
    """Enough to find the account holder the policy belongs to (OMS-02)."""

    last_name: str
    first_name: str
    patronymic: str | None = None
    birth_date: date
    snils: str | None = Field(default=None, pattern=r"^\d{11}$")


class PolicyChanged(PolicyContacts):
    """v2 added the insurer's name and phone and the clinic (OMS-03)."""

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
        version=2,
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
    birth_place: str | None = Field(default=None, max_length=300)
    document: PersonDocument


class PolicyRequested(Payload):
    """A confirmed account holder asks for an electronic ОМС policy for themselves or for their child
    (OMS-01); a child is named by the birth certificate. v2 added ``insured`` and ``person.birth_place``."""

    request_id: str
    insured: Literal["self", "child"] = Field(
        default="self", description="child: `person` is the child, its document the birth certificate"
    )
    person: PersonData
    region: str = Field(pattern=REGION_CODE_PATTERN)
    insurer: str = Field(description="The ОМС insurer (СМО) chosen")
    requested_at: AwareDatetime


class PolicySnapshot(PolicyContacts):
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
        version=2,
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
        version=2,
        payload=PolicyRequestAnswered,
        exchange="registry",
        routing_key="oms.policy.request.answered",
        producer="registry",
        consumers=("gateway",),
        summary="The register's answer to a policy request: issued, already insured (OMS-02) or refused.",
    )
)


# -- operations on a policy from the cabinet (OMS-04, OMS-06) ---------------------------------------

CabinetOperation = Literal["suspend", "resume", "change_insurer", "change_region"]


class PolicyOperationRequested(Payload):
    """The holder asks, from the cabinet, to suspend, resume, change the insurer or the region. The
    gateway sends it only for a policy its cabinet shows the account (OMS-02 matching)."""

    operation_id: str
    enp: str = Field(pattern=r"^\d{16}$")
    operation: CabinetOperation
    reason: str = Field(min_length=1, max_length=500)
    insurer: str | None = Field(default=None, description="change_insurer, change_region: the new СМО")
    region: str | None = Field(
        default=None,
        pattern=REGION_CODE_PATTERN,
        description="change_region, or change_insurer on relocation",
    )
    relocation: bool = Field(default=False, description="A change of residence lifts the OMS-04 limits")
    requested_at: AwareDatetime


class PolicyOperationAnswered(Payload):
    operation_id: str
    enp: str = Field(pattern=r"^\d{16}$")
    outcome: Literal["done", "refused"]
    policy: PolicySnapshot | None = Field(default=None, description="The policy after the operation")
    rule: str | None = Field(default=None, description="The rule a refusal rests on (OMS-04, OMS-06, ...)")
    reason_ru: str | None = None
    reason_en: str | None = None
    at: AwareDatetime


OMS_POLICY_OPERATION_REQUESTED = registry.register(
    Contract(
        type="oms.policy.operation.requested",
        version=1,
        payload=PolicyOperationRequested,
        exchange="gateway",
        routing_key="oms.policy.operation.requested",
        producer="gateway",
        consumers=("registry",),
        summary="The holder asks to suspend, resume, change the insurer or the region (OMS-04, OMS-06).",
    )
)
OMS_POLICY_OPERATION_ANSWERED = registry.register(
    Contract(
        type="oms.policy.operation.answered",
        version=1,
        payload=PolicyOperationAnswered,
        exchange="registry",
        routing_key="oms.policy.operation.answered",
        producer="registry",
        consumers=("gateway",),
        summary="The register did the operation (the change itself is announced as oms.policy.changed) "
        "or refused it naming the rule.",
    )
)


# -- a foreigner's application (OMS-05) -------------------------------------------------------------

ScanKind = Literal["passport", "migration_card", "stay_document"]
#: The scans a foreigner's application cannot go without (OMS-05), named in Russian and English.
REQUIRED_SCANS: dict[str, tuple[str, str]] = {
    "passport": ("паспорт", "passport"),
    "migration_card": ("миграционная карта", "migration card"),
}


class ScanReference(Payload):
    """A scan stays with the application in the gateway; the register's reviewer sees what was given."""

    kind: ScanKind
    content_type: str
    size: int = Field(ge=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class MigrationCard(Payload):
    series: str | None = Field(default=None, max_length=10)
    number: str = Field(min_length=1, max_length=20)
    entry_date: date = Field(description="Date of entry to Russia")
    stay_until: date = Field(description="End of the period of stay")


class StayGround(Payload):
    """Why the foreigner may hold a policy: a labour contract, a temporary residence permit or a
    residence permit (OMS-05). The policy does not outlast it."""

    kind: Literal["labour_contract", "temporary_residence", "residence_permit"]
    number: str = Field(min_length=1, max_length=30)
    issued_on: date
    valid_until: date | None = Field(default=None, description="Open-ended labour contracts have none")
    employer_inn: str | None = Field(default=None, description="Labour contract: the employer's ИНН (ID-03)")


class ForeignerApplicationSubmitted(Payload):
    application_id: str
    attempt: int = Field(ge=1, description="1 for the first submission, +1 for each resubmission")
    person: PersonData = Field(description="From the confirmed account; the document is the passport")
    migration_card: MigrationCard
    stay: StayGround
    address: str = Field(min_length=1, max_length=500, description="The actual address in Russia")
    region: str = Field(pattern=REGION_CODE_PATTERN)
    insurer: str
    scans: list[ScanReference]
    submitted_at: AwareDatetime


class NeededInformation(Payload):
    field: str = Field(description="Dotted path in the application, e.g. migration_card.stay_until")
    rule: str
    ru: str
    en: str


class ForeignerApplicationReviewed(Payload):
    application_id: str
    attempt: int = Field(ge=1)
    outcome: Literal["approved", "information_needed", "already_insured"]
    needed: list[NeededInformation] = Field(default_factory=list, description="information_needed: what")
    enp: str | None = Field(default=None, pattern=r"^\d{16}$")
    policy: PolicySnapshot | None = None
    at: AwareDatetime


OMS_FOREIGNER_APPLICATION_SUBMITTED = registry.register(
    Contract(
        type="oms.foreigner.application.submitted",
        version=1,
        payload=ForeignerApplicationSubmitted,
        exchange="gateway",
        routing_key="oms.foreigner.application.submitted",
        producer="gateway",
        consumers=("registry",),
        summary="A foreigner's application for an ОМС policy with the OMS-05 data and its scans' references.",
    )
)
OMS_FOREIGNER_APPLICATION_REVIEWED = registry.register(
    Contract(
        type="oms.foreigner.application.reviewed",
        version=1,
        payload=ForeignerApplicationReviewed,
        exchange="registry",
        routing_key="oms.foreigner.application.reviewed",
        producer="registry",
        consumers=("gateway",),
        summary="The review: approved (the policy, bounded by the stay document), additional information "
        "needed (what, field by field) or already insured (OMS-05).",
    )
)


# -- is this person in the register? (OMS-02) -------------------------------------------------------


class PolicyLookupRequested(Payload):
    """The gateway asks whether a confirmed account holder already holds a policy, so that it shows
    in the cabinet without an application (OMS-02). The real register may answer "not found" under
    load; the gateway asks again with backoff."""

    lookup_id: str
    person: InsuredPerson
    document_number: str | None = Field(
        default=None, description="Without a СНИЛС: the identity document's number must match too"
    )
    requested_at: AwareDatetime


class FoundPolicy(PolicySnapshot):
    enp: str = Field(pattern=r"^\d{16}$")


class PolicyLookupAnswered(Payload):
    lookup_id: str
    outcome: Literal["found", "not_found"]
    policies: list[FoundPolicy] = Field(default_factory=list, description="found: the person's policies")
    at: AwareDatetime


OMS_POLICY_LOOKUP_REQUESTED = registry.register(
    Contract(
        type="oms.policy.lookup.requested",
        version=1,
        payload=PolicyLookupRequested,
        exchange="gateway",
        routing_key="oms.policy.lookup.requested",
        producer="gateway",
        consumers=("registry",),
        summary="Does this person hold a policy? Asked for a confirmed account holder (OMS-02).",
    )
)
OMS_POLICY_LOOKUP_ANSWERED = registry.register(
    Contract(
        type="oms.policy.lookup.answered",
        version=1,
        payload=PolicyLookupAnswered,
        exchange="registry",
        routing_key="oms.policy.lookup.answered",
        producer="registry",
        consumers=("gateway",),
        summary="The person's policies, or not found (the gateway asks again later).",
    )
)
