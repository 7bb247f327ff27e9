"""ОМС in the gateway: requests to the register (for oneself or a child), operations on a policy, and
the policies the register announces. Runs inside the caller's transaction (the route or the consumer
commits)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.accounts.service import AccountView
from gateway.notifications.service import notify
from gateway.oms.models import ForeignerApplication, OmsOperation, OmsPolicy, OmsRequest
from gateway.oms.schemas import ChildIn, OmsOperationIn
from kit.contracts.dms import RUSSIA, DocumentType, PersonName
from kit.contracts.oms import (
    OMS_POLICY_OPERATION_REQUESTED,
    OMS_POLICY_REQUESTED,
    PersonData,
    PersonDocument,
    PolicyOperationAnswered,
    PolicyOperationRequested,
    PolicyRequestAnswered,
    PolicyRequested,
    PolicySnapshot,
)
from kit.crypto import DataCipher
from kit.db import as_utc, session_is_postgres
from kit.errors import ProblemError
from kit.messaging import Outbox

#: The account's identity document as the register names it.
DOCUMENT_KINDS = {
    DocumentType.russian_passport: "passport",
    DocumentType.foreign_passport: "foreign_passport",
    DocumentType.residence_permit: "residence_permit",
}


class NotRequestable(ProblemError):
    """What the cabinet may not ask, answered to the client as a problem naming the rule."""

    def __init__(self, rule: str, ru: str, en: str, status: int = 422) -> None:
        super().__init__(status, rule=rule, title_ru=ru, title_en=en)


Owned = TypeVar("Owned", OmsRequest, OmsOperation, ForeignerApplication)


async def own(
    session: AsyncSession, model: type[Owned], key: str, account_id: str, *, lock: bool = False
) -> Owned:
    """The account's own record (ACC-02); another holder's is as good as absent."""
    row = await session.get(model, key, with_for_update=lock)
    if row is None or row.account_id != account_id:
        raise NotRequestable(
            "not-found", "Не найдено в вашем кабинете", "Not found in your cabinet", status=404
        )
    return row


def person_of(account: AccountView, *, birth_place: str | None = None) -> PersonData:
    """The holder as the register needs them, from the confirmed account (ACC-02)."""
    profile = account.profile
    document = profile.document
    if document is None or profile.birth_date is None or document.type not in DOCUMENT_KINDS:
        raise NotRequestable(
            "ACC-02",
            "В учётной записи нет документа, удостоверяющего личность, или даты рождения",
            "The account has no identity document or date of birth",
        )
    if profile.citizenship is None:
        raise NotRequestable("ACC-02", "В учётной записи нет гражданства", "The account has no citizenship")
    name = profile.name_cyrillic
    return PersonData(
        last_name=name.last_name,
        first_name=name.first_name,
        patronymic=name.patronymic,
        sex=profile.sex.value,
        birth_date=profile.birth_date,
        citizenship=profile.citizenship,
        snils=profile.snils,
        birth_place=birth_place,
        document=PersonDocument(
            kind=DOCUMENT_KINDS[document.type],
            series=document.series,
            number=document.number,
            issued_on=document.issued_on,
            valid_until=document.valid_until,
        ),
    )


def child_person(child: ChildIn) -> PersonData:
    """A child of a Russian citizen, named by the birth certificate (OMS-01)."""
    certificate = child.birth_certificate
    return PersonData(
        last_name=child.name.last_name,
        first_name=child.name.first_name,
        patronymic=child.name.patronymic,
        sex=child.sex.value,
        birth_date=child.birth_date,
        citizenship=RUSSIA,
        birth_place=child.birth_place,
        document=PersonDocument(
            kind="birth_certificate",
            series=certificate.series,
            number=certificate.number,
            issued_on=certificate.issued_on,
        ),
    )


def full_name(name: PersonName) -> str:
    return " ".join(part for part in (name.last_name, name.first_name, name.patronymic) if part)


async def request_policy(
    session: AsyncSession,
    outbox: Outbox,
    cipher: DataCipher,
    account: AccountView,
    *,
    region: str,
    insurer: str,
    child: ChildIn | None,
    now: datetime,
) -> OmsRequest:
    """OMS-01: for oneself (a Russian citizen; foreigners apply with their documents, OMS-05) or for
    one's child."""
    if child is None and account.profile.citizenship != RUSSIA:
        raise NotRequestable(
            "OMS-05",
            "Иностранный гражданин подаёт заявление на полис ОМС с документами о пребывании и работе: "
            "POST /oms/foreigner-applications",
            "A foreigner applies with their stay and employment documents: POST /oms/foreigner-applications",
        )
    person = child_person(child) if child is not None else person_of(account)
    request = OmsRequest(
        id=str(uuid.uuid4()),
        account_id=account.id,
        insured="child" if child is not None else "self",
        child=cipher.encrypt({"name": full_name(child.name)}) if child is not None else None,
        status="submitted",
        region=region,
        insurer=insurer,
        submitted_at=now,
    )
    session.add(request)
    await outbox.put(
        session,
        OMS_POLICY_REQUESTED,
        PolicyRequested(
            request_id=request.id,
            insured=request.insured,
            person=person,
            region=region,
            insurer=insurer,
            requested_at=now,
        ),
        correlation_id=f"oms.request.{request.id}",
    )
    whom = ("", "") if child is None else (f" для ребёнка ({full_name(child.name)})", " for a child")
    notify(
        session,
        account_id=account.id,
        kind="oms.requested",
        title=(
            f"Заявление на полис ОМС{whom[0]} отправлено в реестр",
            f"ОМС policy request{whom[1]} sent to the register",
        ),
        body=(
            "Ответ придёт сюда; если реестр занят, заявление подождёт — приходить заново не нужно",
            "The answer will appear here; if the register is busy the request waits — no need to apply again",
        ),
        at=now,
    )
    return request


def insured_name_of(cipher: DataCipher, encrypted: bytes | None) -> str | None:
    if encrypted is None:
        return None
    name: str = cipher.decrypt(encrypted)["name"]
    return name


async def show_policy(
    session: AsyncSession,
    account_id: str,
    enp: str,
    policy: PolicySnapshot,
    at: datetime,
    *,
    insured: str = "self",
    insured_name: bytes | None = None,
) -> bool:
    """Show the policy in the account's cabinet. False when the cabinet already shows this change or a
    later one (an answer and the announcement of the same change carry the same time), so that a
    change is notified once. ``insured`` and ``insured_name`` stay as first shown (a child's stays a
    child's)."""
    shown = {
        "status": policy.status,
        "insurer": policy.insurer,
        "region": policy.region,
        "valid_from": policy.valid_from,
        "valid_until": policy.valid_until,
        "insurer_name": policy.insurer_name,
        "insurer_phone": policy.insurer_phone,
        "clinic": policy.clinic,
        "changed_at": at,
    }
    # Insert first (two handlers showing one new policy at once insert one row), then compare.
    insert = pg_insert if session_is_postgres(session) else sqlite_insert
    inserted = await session.execute(
        insert(OmsPolicy)
        .values(account_id=account_id, enp=enp, insured=insured, insured_name=insured_name, **shown)
        .on_conflict_do_nothing(index_elements=["account_id", "enp"])
    )
    if getattr(inserted, "rowcount", 0) == 1:
        return True
    row = await session.get(OmsPolicy, (account_id, enp), with_for_update=True, populate_existing=True)
    assert row is not None
    if as_utc(row.changed_at) >= at:
        return False
    for name, value in shown.items():
        setattr(row, name, value)
    return True


CHANGE_TEXTS: dict[str, tuple[str, str]] = {
    "issue": ("Полис ОМС оформлен", "ОМС policy issued"),
    "suspend": ("Действие полиса ОМС приостановлено", "ОМС policy suspended"),
    "resume": ("Действие полиса ОМС возобновлено", "ОМС policy resumed"),
    "change_insurer": ("Сменилась страховая медицинская организация", "The ОМС insurer changed"),
    "change_region": ("Сменился регион страхования", "The ОМС region changed"),
    "terminate": ("Полис ОМС прекратил действие", "ОМС policy terminated"),
}


def notify_change(session: AsyncSession, account_id: str, enp: str, operation: str, reason: str) -> None:
    """OMS-07: a change of the policy reaches the cabinet."""
    title = CHANGE_TEXTS[operation]
    notify(
        session,
        account_id=account_id,
        kind=f"oms.{operation}",
        title=title,
        body=(f"ЕНП {enp}: {title[0].lower()} ({reason})", f"ЕНП {enp}: {title[1]}"),
    )


async def accounts_showing(session: AsyncSession, enp: str) -> list[str]:
    """The cabinets that show this policy already: the holder's, or the parent's for a child."""
    query = select(OmsPolicy.account_id).where(OmsPolicy.enp == enp)
    return list((await session.scalars(query)).all())


ANSWER_TEXTS = {
    "issued": ("Полис ОМС оформлен", "ОМС policy issued"),
    "already_insured": ("Полис ОМС уже есть", "An ОМС policy already exists"),
    "refused": ("В оформлении полиса ОМС отказано", "ОМС policy refused"),
}


async def record_answer(session: AsyncSession, answer: PolicyRequestAnswered) -> None:
    request = await session.get(OmsRequest, answer.request_id, with_for_update=True)
    if request is None:
        raise LookupError(f"no ОМС request {answer.request_id}")
    if request.status != "submitted":
        return
    request.status, request.answered_at, request.enp = answer.outcome, answer.at, answer.enp
    request.rule, request.reason_ru, request.reason_en = answer.rule, answer.reason_ru, answer.reason_en
    shown = False
    if answer.enp and answer.policy:
        shown = await show_policy(
            session,
            request.account_id,
            answer.enp,
            answer.policy,
            answer.at,
            insured=request.insured,
            insured_name=request.child,
        )
    if answer.outcome == "issued" and not shown:
        return  # its announcement came first and told the holder
    title = ANSWER_TEXTS[answer.outcome]
    body = (
        f"ЕНП {answer.enp}" if answer.enp else (answer.reason_ru or title[0]),
        f"ЕНП {answer.enp}" if answer.enp else (answer.reason_en or title[1]),
    )
    notify(
        session, account_id=request.account_id, kind=f"oms.request.{answer.outcome}", title=title, body=body
    )


async def requests_of(session: AsyncSession, account_id: str) -> Sequence[OmsRequest]:
    query = (
        select(OmsRequest).where(OmsRequest.account_id == account_id).order_by(OmsRequest.submitted_at.desc())
    )
    return (await session.scalars(query)).all()


# -- operations from the cabinet (OMS-04, OMS-06) ---------------------------------------------------

OPERATION_TEXTS = {
    "suspend": ("приостановление", "suspension"),
    "resume": ("возобновление", "resumption"),
    "change_insurer": ("смена страховой медицинской организации", "change of insurer"),
    "change_region": ("смена региона", "change of region"),
}


async def request_operation(
    session: AsyncSession, outbox: Outbox, account_id: str, enp: str, body: OmsOperationIn, now: datetime
) -> OmsOperation:
    """Only a policy the cabinet shows the account — their own or their child's — may be operated on."""
    shown = await session.get(OmsPolicy, (account_id, enp))
    if shown is None:
        raise NotRequestable(
            "ACC-02",
            f"В вашем кабинете нет полиса ОМС с ЕНП {enp}",
            f"Your cabinet shows no ОМС policy with ЕНП {enp}",
            status=404,
        )
    operation = OmsOperation(
        id=str(uuid.uuid4()),
        account_id=account_id,
        enp=enp,
        operation=body.operation,
        reason=body.reason,
        insurer=body.insurer,
        region=body.region,
        relocation=body.relocation,
        status="submitted",
        submitted_at=now,
    )
    session.add(operation)
    await outbox.put(
        session,
        OMS_POLICY_OPERATION_REQUESTED,
        PolicyOperationRequested(
            operation_id=operation.id,
            enp=enp,
            operation=body.operation,
            reason=body.reason,
            insurer=body.insurer,
            region=body.region,
            relocation=body.relocation,
            requested_at=now,
        ),
        correlation_id=f"oms.operation.{operation.id}",
    )
    what = OPERATION_TEXTS[body.operation]
    notify(
        session,
        account_id=account_id,
        kind="oms.operation.requested",
        title=(f"Заявление отправлено в реестр: {what[0]}", f"Request sent to the register: {what[1]}"),
        body=(f"ЕНП {enp}", f"ЕНП {enp}"),
        at=now,
    )
    return operation


async def record_operation_answer(session: AsyncSession, answer: PolicyOperationAnswered) -> None:
    """The register did it or refused it. A done change is told by whichever shows it first: this
    answer or the change's announcement (``oms.policy.changed``)."""
    operation = await session.get(OmsOperation, answer.operation_id, with_for_update=True)
    if operation is None:
        raise LookupError(f"no ОМС operation {answer.operation_id}")
    if operation.status != "submitted":
        return
    operation.status, operation.answered_at = answer.outcome, answer.at
    operation.rule, operation.reason_ru, operation.reason_en = answer.rule, answer.reason_ru, answer.reason_en
    policy = answer.policy if answer.outcome == "done" else None
    if policy is not None and await show_policy(session, operation.account_id, answer.enp, policy, answer.at):
        # the answer came before the change's announcement: it tells the holder
        notify_change(session, operation.account_id, answer.enp, operation.operation, operation.reason)
    if answer.outcome == "refused":
        what = OPERATION_TEXTS[operation.operation]
        notify(
            session,
            account_id=operation.account_id,
            kind="oms.operation.refused",
            title=(f"Реестр отказал: {what[0]}", f"The register refused: {what[1]}"),
            body=(
                f"ЕНП {answer.enp}: {answer.reason_ru} ({answer.rule})",
                f"ЕНП {answer.enp}: {answer.reason_en} ({answer.rule})",
            ),
        )


async def operations_of(session: AsyncSession, account_id: str) -> Sequence[OmsOperation]:
    query = (
        select(OmsOperation)
        .where(OmsOperation.account_id == account_id)
        .order_by(OmsOperation.submitted_at.desc())
    )
    return (await session.scalars(query)).all()
