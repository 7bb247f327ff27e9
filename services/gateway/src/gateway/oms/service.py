"""ОМС in the gateway: requests to the register and the policies it announces. Runs inside the
caller's transaction (the route or the consumer commits)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.accounts.service import AccountView
from gateway.notifications.service import notify
from gateway.oms.models import OmsPolicy, OmsRequest
from kit.contracts.dms import DocumentType
from kit.contracts.oms import (
    OMS_POLICY_REQUESTED,
    PersonData,
    PersonDocument,
    PolicyRequestAnswered,
    PolicyRequested,
)
from kit.db import as_utc
from kit.messaging import Outbox

#: The account's identity document as the register names it.
DOCUMENT_KINDS = {
    DocumentType.russian_passport: "passport",
    DocumentType.foreign_passport: "foreign_passport",
    DocumentType.residence_permit: "residence_permit",
}


class NotRequestable(Exception):
    def __init__(self, rule: str, ru: str, en: str) -> None:
        super().__init__(en)
        self.rule, self.ru, self.en = rule, ru, en


def person_of(account: AccountView) -> PersonData:
    """The holder as the register needs them, from the confirmed account (ACC-02)."""
    profile = account.profile
    document = profile.document
    if profile.citizenship != "RUS":
        raise NotRequestable(
            "OMS-05",
            "Иностранцы подают заявление на полис ОМС с документами о пребывании; "
            "через кабинет это пока недоступно",
            "Foreigners apply with their residence documents; this is not available in the cabinet yet",
        )
    if document is None or profile.birth_date is None or document.type not in DOCUMENT_KINDS:
        raise NotRequestable(
            "ACC-02",
            "В учётной записи нет паспорта или даты рождения",
            "The account has no passport or date of birth",
        )
    name = profile.name_cyrillic
    return PersonData(
        last_name=name.last_name,
        first_name=name.first_name,
        patronymic=name.patronymic,
        sex=profile.sex.value,
        birth_date=profile.birth_date,
        citizenship=profile.citizenship,
        snils=profile.snils,
        document=PersonDocument(
            kind=DOCUMENT_KINDS[document.type],
            series=document.series,
            number=document.number,
            issued_on=document.issued_on,
            valid_until=document.valid_until,
        ),
    )


async def request_policy(
    session: AsyncSession, outbox: Outbox, account: AccountView, *, region: str, insurer: str, now: datetime
) -> OmsRequest:
    request = OmsRequest(
        id=str(uuid.uuid4()),
        account_id=account.id,
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
            request_id=request.id, person=person_of(account), region=region, insurer=insurer, requested_at=now
        ),
        correlation_id=f"oms.request.{request.id}",
    )
    notify(
        session,
        account_id=account.id,
        kind="oms.requested",
        title=("Заявление на полис ОМС отправлено в реестр", "ОМС policy request sent to the register"),
        body=(
            "Ответ придёт сюда; если реестр занят, заявление подождёт — приходить заново не нужно",
            "The answer will appear here; if the register is busy the request waits — no need to apply again",
        ),
        at=now,
    )
    return request


async def show_policy(
    session: AsyncSession,
    account_id: str,
    enp: str,
    *,
    status: str,
    insurer: str,
    region: str,
    valid_from: date,
    valid_until: date | None,
    at: datetime,
) -> bool:
    """Show the policy in the account's cabinet; an announcement older than the one shown is ignored."""
    row = await session.get(OmsPolicy, (account_id, enp), with_for_update=True)
    if row is not None and as_utc(row.changed_at) > at:
        return False
    if row is None:
        row = OmsPolicy(account_id=account_id, enp=enp)
        session.add(row)
    row.status, row.insurer, row.region = status, insurer, region
    row.valid_from, row.valid_until, row.changed_at = valid_from, valid_until, at
    return True


ANSWER_TEXTS = {
    "issued": ("Полис ОМС оформлен", "ОМС policy issued"),
    "already_insured": ("У вас уже есть полис ОМС", "You already hold an ОМС policy"),
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
    if answer.enp and answer.policy:
        snapshot = answer.policy
        await show_policy(
            session,
            request.account_id,
            answer.enp,
            status=snapshot.status,
            insurer=snapshot.insurer,
            region=snapshot.region,
            valid_from=snapshot.valid_from,
            valid_until=snapshot.valid_until,
            at=answer.at,
        )
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
