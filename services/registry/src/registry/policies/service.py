"""Policy operations. They run in the caller's transaction (the route commits), write the history and
the event to the outbox, and raise :class:`Refused` naming the rule when the register says no."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from kit.calendar import business_day
from kit.contracts.oms import (
    OMS_POLICY_CHANGED,
    InsuredPerson,
    PolicyChanged,
    PolicyContacts,
    normalized_name,
)
from kit.db import session_is_postgres
from kit.messaging import Outbox
from registry.directory.insurers import insurer_in
from registry.directory.regions import REGIONS
from registry.identifiers import enp_check_digit
from registry.policies import rules
from registry.policies.models import EnpCounter, Person, PersonDocument, Policy, PolicyEvent
from registry.policies.rules import Operation, PolicyStatus, Refusal
from registry.policies.schemas import ChangeInsurerIn, ChangeRegionIn, DocumentIn, IssueIn, PersonIn

#: Documents that end a foreigner's policy with them (OMS-05).
STAY_DOCUMENTS = {"residence_permit", "temporary_residence", "labour_contract"}


class Refused(Exception):
    def __init__(
        self, refusal: Refusal, status: int = 409, field: str | None = None, existing: Policy | None = None
    ) -> None:
        super().__init__(refusal.en)
        self.refusal = refusal
        self.status = status
        self.field = field
        #: The policy the person already holds (OMS-02).
        self.existing = existing


def name_key(last_name: str, first_name: str, patronymic: str | None) -> str:
    return normalized_name(last_name, first_name, patronymic)


def enp_for(region: str, serial: int) -> str:
    first15 = f"{region}{serial:013d}"
    return first15 + enp_check_digit(first15)


async def next_enp(session: AsyncSession, region: str) -> str:
    """A new ЕНП for the region: the next serial under the counter's row lock (ID-01, never reused)."""
    insert = pg_insert if session_is_postgres(session) else sqlite_insert
    statement = (
        insert(EnpCounter)
        .values(region=region, last_serial=1)
        .on_conflict_do_update(index_elements=["region"], set_={"last_serial": EnpCounter.last_serial + 1})
        .returning(EnpCounter.last_serial)
    )
    return enp_for(region, int((await session.execute(statement)).scalar_one()))


def _insurer_or_refuse(region: str, code: str, field: str) -> None:
    if region not in REGIONS:
        raise Refused(
            Refusal("OMS-04", "unknown-region", "Нет такого субъекта РФ", "No such region"), 422, "region"
        )
    if insurer_in(region, code) is None:
        raise Refused(
            Refusal(
                "OMS-04",
                "insurer-not-in-region",
                f"Страховая медицинская организация «{code}» не работает в регионе {region}",
                f"The ОМС insurer '{code}' does not work in region {region}",
            ),
            422,
            field,
        )


async def find_person(
    session: AsyncSession, person: PersonIn, other_documents: Sequence[DocumentIn] = ()
) -> Person | None:
    """The same person: by СНИЛС when given, else by name, date of birth and a document number."""
    if person.snils:
        found = await session.scalar(select(Person).where(Person.snils == person.snils))
        if found is not None:
            return found
    numbers = [person.document.number, *(d.number for d in other_documents)]
    query = (
        select(Person)
        .join(PersonDocument, PersonDocument.person_id == Person.id)
        .where(
            Person.name_key == name_key(person.last_name, person.first_name, person.patronymic),
            Person.birth_date == person.birth_date,
            PersonDocument.number.in_(numbers),
        )
        .limit(1)
    )
    return await session.scalar(query)


def contacts(policy: Policy) -> PolicyContacts:
    """OMS-03: the insurer's name and phone from the directory, and the clinic."""
    insurer = insurer_in(policy.region, policy.insurer)
    return PolicyContacts(
        insurer_name=insurer.name if insurer else None,
        insurer_phone=insurer.phone if insurer else None,
        clinic=policy.clinic,
    )


def changed(
    policy: Policy, person: Person, operation: Operation, reason: str, source: str, at: datetime
) -> PolicyChanged:
    return PolicyChanged(
        **contacts(policy).model_dump(),
        enp=policy.enp,
        operation=operation.value,
        status=policy.status.value,
        insurer=policy.insurer,
        region=policy.region,
        valid_from=policy.valid_from,
        valid_until=policy.valid_until,
        reason=reason,
        source=source,
        person=InsuredPerson(
            last_name=person.last_name,
            first_name=person.first_name,
            patronymic=person.patronymic,
            birth_date=person.birth_date,
            snils=person.snils,
        ),
        at=at,
    )


async def _record(
    session: AsyncSession,
    outbox: Outbox,
    policy: Policy,
    person: Person,
    operation: Operation,
    *,
    reason: str,
    source: str,
    at: datetime,
    details: dict[str, Any],
) -> None:
    session.add(
        PolicyEvent(enp=policy.enp, at=at, operation=operation, reason=reason, source=source, details=details)
    )
    await outbox.put(
        session,
        OMS_POLICY_CHANGED,
        changed(policy, person, operation, reason, source, at),
        correlation_id=f"enp.{policy.enp}",
        routing={"operation": operation.value},
    )


async def issue(
    session: AsyncSession,
    outbox: Outbox,
    body: IssueIn,
    *,
    source: str,
    at: datetime,
    other_documents: Sequence[DocumentIn] = (),
) -> tuple[Policy, Person]:
    """OMS-03: a person without a policy gets one with a new ЕНП; a person who has one is refused
    with its number (the register holds one policy per person). ``other_documents`` (a foreigner's
    passport beside the stay document) also identify the person and join their document history."""
    _insurer_or_refuse(body.region, body.insurer, "insurer")
    today = business_day(at)
    person = await find_person(session, body.person, other_documents)
    if person is not None:
        existing = await session.scalar(
            select(Policy).where(Policy.person_id == person.id, Policy.status != PolicyStatus.terminated)
        )
        if existing is not None:
            raise Refused(
                Refusal(
                    "OMS-02",
                    "already-insured",
                    f"У этого человека уже есть полис ОМС, ЕНП {existing.enp}",
                    f"This person already holds an ОМС policy, ЕНП {existing.enp}",
                ),
                existing=existing,
            )
    valid_until = body.valid_until
    if valid_until is not None and valid_until < today:
        raise Refused(
            Refusal(
                "OMS-05",
                "term-in-the-past",
                "Срок действия полиса не может закончиться в прошлом",
                "The policy's term cannot end in the past",
            ),
            422,
            "valid_until",
        )
    document = body.person.document
    if body.person.citizenship != "RUS":
        if document.kind not in STAY_DOCUMENTS or document.valid_until is None:
            raise Refused(
                Refusal(
                    "OMS-05",
                    "stay-document-required",
                    "Иностранцу нужен документ о праве пребывания или трудовой договор со сроком действия",
                    "A foreigner needs a residence document or labour contract with its end date",
                ),
                422,
                "person.document",
            )
        if document.valid_until < today:
            raise Refused(
                Refusal(
                    "OMS-05", "document-expired", "Срок действия документа истёк", "The document has expired"
                ),
                422,
                "person.document.valid_until",
            )
        valid_until = rules.foreigner_valid_until(body.valid_until, document.valid_until)
    if person is None:
        person = Person(
            last_name=body.person.last_name,
            first_name=body.person.first_name,
            patronymic=body.person.patronymic,
            name_key=name_key(body.person.last_name, body.person.first_name, body.person.patronymic),
            sex=body.person.sex,
            birth_date=body.person.birth_date,
            birth_place=body.person.birth_place,
            citizenship=body.person.citizenship,
            snils=body.person.snils,
            created_at=at,
        )
        session.add(person)
        await session.flush()
    for document in (body.person.document, *other_documents):
        await add_document(session, person, document)
    policy = Policy(
        enp=await next_enp(session, body.region),
        person_id=person.id,
        status=PolicyStatus.active,
        insurer=body.insurer,
        region=body.region,
        valid_from=today,
        valid_until=valid_until,
        clinic=body.clinic,
        last_insurer_change_on=None,
        issued_at=at,
        updated_at=at,
    )
    session.add(policy)
    await session.flush()
    await _record(
        session,
        outbox,
        policy,
        person,
        Operation.issue,
        reason="issued",
        source=source,
        at=at,
        details={"insurer": body.insurer, "region": body.region},
    )
    return policy, person


async def add_document(session: AsyncSession, person: Person, document: DocumentIn) -> None:
    """Keep the document history: an unknown document becomes the current one of its kind."""
    known = await session.scalar(
        select(PersonDocument).where(
            PersonDocument.person_id == person.id,
            PersonDocument.kind == document.kind,
            PersonDocument.number == document.number,
        )
    )
    if known is not None:
        return
    await session.execute(
        update(PersonDocument)
        .where(PersonDocument.person_id == person.id, PersonDocument.kind == document.kind)
        .values(current=False)
    )
    session.add(
        PersonDocument(
            person_id=person.id,
            kind=document.kind,
            series=document.series,
            number=document.number,
            issued_on=document.issued_on,
            valid_until=document.valid_until,
            current=True,
        )
    )


async def operate(
    session: AsyncSession,
    outbox: Outbox,
    policy: Policy,
    operation: Operation,
    *,
    reason: str,
    source: str,
    at: datetime,
    change: ChangeInsurerIn | ChangeRegionIn | None = None,
) -> Policy:
    refusal = rules.status_refusal(operation, policy.status)
    if refusal is not None:
        raise Refused(refusal)
    details: dict[str, Any] = {"from_status": policy.status.value}
    if isinstance(change, ChangeInsurerIn):
        region = change.region or policy.region
        if change.region and not change.relocation:
            raise Refused(
                Refusal(
                    "OMS-04",
                    "region-needs-relocation",
                    "Новый регион указывают только при смене места жительства",
                    "A new region is given only with a change of residence",
                ),
                422,
                "region",
            )
        _insurer_or_refuse(region, change.insurer, "insurer")
        refusal = rules.insurer_change_refusal(
            business_day(at), policy.last_insurer_change_on, relocation=change.relocation
        )
        if refusal is not None:
            raise Refused(refusal)
        details |= {"insurer": [policy.insurer, change.insurer], "relocation": change.relocation}
        if region != policy.region:
            details["region"] = [policy.region, region]
        policy.insurer, policy.region = change.insurer, region
        if not change.relocation:
            policy.last_insurer_change_on = business_day(at)
    elif isinstance(change, ChangeRegionIn):
        _insurer_or_refuse(change.region, change.insurer, "insurer")
        details |= {"region": [policy.region, change.region], "insurer": [policy.insurer, change.insurer]}
        policy.region, policy.insurer = change.region, change.insurer
    policy.status = rules.STATUS_AFTER[operation]
    policy.updated_at = at
    person = await session.get(Person, policy.person_id)
    assert person is not None
    await _record(
        session, outbox, policy, person, operation, reason=reason, source=source, at=at, details=details
    )
    return policy


# -- look-ups ---------------------------------------------------------------------------------------


async def by_enp(session: AsyncSession, enp: str, *, lock: bool = False) -> Policy | None:
    return await session.get(Policy, enp, with_for_update=lock)


async def by_snils(session: AsyncSession, snils: str) -> Sequence[Policy]:
    query = select(Policy).join(Person, Person.id == Policy.person_id).where(Person.snils == snils)
    return (await session.scalars(query)).all()


async def by_name(
    session: AsyncSession,
    last_name: str,
    first_name: str,
    patronymic: str | None,
    birth_date: date,
    document_number: str | None,
) -> Sequence[Policy]:
    query = (
        select(Policy)
        .join(Person, Person.id == Policy.person_id)
        .where(
            Person.name_key == name_key(last_name, first_name, patronymic), Person.birth_date == birth_date
        )
    )
    if document_number:
        query = query.join(PersonDocument, PersonDocument.person_id == Person.id).where(
            PersonDocument.number == document_number
        )
    return (await session.scalars(query.limit(20))).all()


async def history(session: AsyncSession, enp: str) -> Sequence[PolicyEvent]:
    query = select(PolicyEvent).where(PolicyEvent.enp == enp).order_by(PolicyEvent.id)
    return (await session.scalars(query)).all()


# -- the end of a term (OMS-05, OMS-06) -------------------------------------------------------------

#: Why the register ends a policy whose term is over.
EXPIRY_REASON = "срок действия документа о пребывании истёк (OMS-05, OMS-06)"
#: Who ends it: the register itself.
REGISTER_SOURCE = "registry"


async def terminate_expired(session: AsyncSession, outbox: Outbox, now: datetime, *, limit: int = 500) -> int:
    """A foreigner's policy ends with their document: policies whose term ended before today (Moscow)
    become terminated, each change announced as any other. Rows are taken with SKIP LOCKED, so several
    registry replicas share the work."""
    today = business_day(now)
    query = (
        select(Policy)
        .where(
            Policy.valid_until.is_not(None),
            Policy.valid_until < today,
            Policy.status != PolicyStatus.terminated,
        )
        .order_by(Policy.valid_until)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    due = (await session.scalars(query)).all()
    for policy in due:
        await operate(
            session, outbox, policy, Operation.terminate, reason=EXPIRY_REASON, source=REGISTER_SOURCE, at=now
        )
    return len(due)
