"""ДМС-мигрант applications in the gateway (DMS-06). Every function runs inside the caller's
transaction (the route or the consumer commits) and writes what it sends to the outbox.

The gateway routes and collects; it never computes a premium or numbers a policy.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.directory.service import list_insurers
from gateway.dms.models import Application, IssuedPolicy, Offer, QuoteRequest, TimelineEvent
from gateway.dms.rules import (
    OPEN_FOR_ANSWERS,
    STATUS_TEXT,
    ApplicationStatus,
    can_move,
    collection_outcome,
    deadline_breached,
    offer_is_acceptable,
)
from gateway.notifications.service import notify
from kit.calendar import business_day
from kit.contracts import dms
from kit.contracts.base import Contract, Payload
from kit.crypto import DataCipher
from kit.db import as_utc
from kit.messaging import Outbox

log = logging.getLogger(__name__)

S = ApplicationStatus
DMS_PRODUCT_LINE = "dms-migrant"


def rub(kopecks: int) -> str:
    """1234567 → «12 345,67 ₽» (PAY-02: kopecks in, the Russian way out)."""
    roubles = f"{kopecks // 100:,}".replace(",", " ")
    return f"{roubles},{kopecks % 100:02d} ₽"


class TransitionRefused(Exception):
    def __init__(self, current: ApplicationStatus, wanted: ApplicationStatus) -> None:
        super().__init__(f"{current} → {wanted}")
        self.current = current
        self.wanted = wanted


def move(
    session: AsyncSession,
    application: Application,
    status: ApplicationStatus,
    *,
    event: str,
    at: datetime,
    text: tuple[str, str] | None = None,
    insurer: str | None = None,
    notify_title: tuple[str, str] | None = None,
) -> None:
    """Change the status, with an entry in the timeline and a notification in the cabinet."""
    if application.status is not status and not can_move(application.status, status):
        raise TransitionRefused(application.status, status)
    application.status = status
    application.updated_at = at
    record(session, application, event=event, at=at, text=text or STATUS_TEXT[status], insurer=insurer)
    notify(
        session,
        account_id=application.account_id,
        application_id=application.id,
        kind=event,
        title=notify_title or STATUS_TEXT[status],
        body=text or STATUS_TEXT[status],
        at=at,
    )


def record(
    session: AsyncSession,
    application: Application,
    *,
    event: str,
    at: datetime,
    text: tuple[str, str],
    insurer: str | None = None,
) -> None:
    """An entry in the timeline that does not change the status (e.g. one offer arrived)."""
    session.add(
        TimelineEvent(
            application_id=application.id,
            at=at,
            status=application.status.value,
            event=event,
            insurer=insurer,
            text_ru=text[0],
            text_en=text[1],
        )
    )


async def _put(
    outbox: Outbox,
    session: AsyncSession,
    contract: Contract,
    payload: Payload,
    application_id: str,
    insurer: str,
) -> None:
    """Everything about one application is correlated by its id; the insurer is in the routing key."""
    await outbox.put(session, contract, payload, correlation_id=application_id, routing={"insurer": insurer})


# -- submission -------------------------------------------------------------------------------------


async def insurers_for(session: AsyncSession, region: str) -> list[str]:
    """Every insurer of the directory that sells ДМС-мигрант in the region."""
    entries = await list_insurers(session, region=region)
    return [e.code for e in entries if any(p.get("line") == DMS_PRODUCT_LINE for p in e.products)]


async def submit(
    session: AsyncSession,
    outbox: Outbox,
    cipher: DataCipher,
    *,
    account_id: str,
    client_id: str | None,
    application: dms.DmsApplication,
    collect_for: timedelta,
) -> Application:
    now = application.submitted_at
    insurers = await insurers_for(session, application.work_region)
    record_ = Application(
        id=application.application_id,
        account_id=account_id,
        submitted_by_client=client_id,
        status=S.submitted,
        work_region=application.work_region,
        term_months=application.term_months,
        personal=cipher.encrypt(application.model_dump(mode="json")),
        submitted_at=now,
        updated_at=now,
        collect_until=now + collect_for,
        deadline_breached=False,
    )
    session.add(record_)
    names = ", ".join(insurers) or "—"
    record(
        session,
        record_,
        event="submitted",
        at=now,
        text=(
            f"Заявление принято и отправлено страховщикам: {names}",
            f"Application accepted and sent to the insurers: {names}",
        ),
    )
    notify(
        session,
        account_id=account_id,
        application_id=record_.id,
        kind="submitted",
        title=STATUS_TEXT[S.submitted],
        body=(
            f"Страховщики, работающие в регионе {application.work_region}: {names}. Предложения придут сюда.",
            f"Insurers serving region {application.work_region}: {names}. Their offers will appear here.",
        ),
        at=now,
    )
    if not insurers:
        move(
            session,
            record_,
            S.no_offers,
            event="no_insurers",
            at=now,
            text=(
                f"В регионе {application.work_region} нет страховщиков ДМС-мигрант",
                f"No ДМС-мигрант insurer serves region {application.work_region}",
            ),
        )
        record_.collection_closed_at = now
        return record_
    for insurer in insurers:
        session.add(QuoteRequest(application_id=record_.id, insurer=insurer, state="asked", asked_at=now))
        await _put(
            outbox,
            session,
            dms.DMS_QUOTE_REQUESTED,
            dms.QuoteRequested(insurer=insurer, application=application, answer_by=record_.collect_until),
            record_.id,
            insurer,
        )
    return record_


# -- answers from insurers --------------------------------------------------------------------------


async def _quote_request(session: AsyncSession, application_id: str, insurer: str) -> QuoteRequest | None:
    return await session.get(QuoteRequest, (application_id, insurer), with_for_update=True)


async def _close_if_all_answered(session: AsyncSession, application: Application, now: datetime) -> None:
    if application.status is not S.submitted:
        return
    requests = (
        await session.scalars(select(QuoteRequest).where(QuoteRequest.application_id == application.id))
    ).all()
    if all(r.state != "asked" for r in requests):
        await close_collection(session, application, now)


async def close_collection(session: AsyncSession, application: Application, now: datetime) -> None:
    """End the collection: every insurer answered, or the deadline passed."""
    requests = (
        await session.scalars(select(QuoteRequest).where(QuoteRequest.application_id == application.id))
    ).all()
    offers = sum(1 for r in requests if r.state == "offered")
    outcome = collection_outcome([r.state for r in requests], offers)
    silent = [r.insurer for r in requests if r.state == "asked"]
    application.collection_closed_at = now
    text = STATUS_TEXT[outcome]
    if outcome is S.offers_received:
        text = (f"Получено предложений: {offers}. Выберите одно", f"Offers received: {offers}. Choose one")
    elif outcome is S.refused:
        text = ("Все страховщики отказали; причины — в заявлении", "Every insurer refused; see the reasons")
    if silent:
        text = (
            f"{text[0]}. Не ответили к сроку: {', '.join(silent)}",
            f"{text[1]}. No answer by the deadline from: {', '.join(silent)}",
        )
    move(session, application, outcome, event="collection_closed", at=now, text=text)


async def record_offer(session: AsyncSession, offer: dms.OfferMade, *, now: datetime) -> None:
    application = await session.get(Application, offer.application_id, with_for_update=True)
    if application is None:
        raise LookupError(f"no application {offer.application_id}")
    request = await _quote_request(session, offer.application_id, offer.insurer)
    if request is None:
        raise LookupError(f"insurer {offer.insurer} was not asked about {offer.application_id}")
    if request.state != "asked":
        return  # answered before: one answer per insurer
    if application.status not in OPEN_FOR_ANSWERS:
        log.info("late offer for a closed application ignored", extra={"insurer": offer.insurer})
        return
    late = application.collection_closed_at is not None
    request.answered_at, request.late = now, late
    if not offer_is_acceptable(offer.sum_insured.kopecks):
        # DMS-03: an offer below the minimum sum insured is not shown; it counts as a refusal.
        request.state = "refused"
        request.refusal = {
            "rule": "DMS-03",
            "reason_code": "sum-insured-below-minimum",
            "reason_ru": "Страховая сумма предложения меньше 100 000 ₽ (DMS-03); предложение не показано",
            "reason_en": "The offer's sum insured is below 100 000 RUB (DMS-03); it is not shown",
        }
        log.warning("offer below the minimum sum insured ignored", extra={"insurer": offer.insurer})
    else:
        request.state = "offered"
        session.add(
            Offer(
                id=offer.offer_id,
                application_id=offer.application_id,
                insurer=offer.insurer,
                premium_kopecks=offer.premium.kopecks,
                sum_insured_kopecks=offer.sum_insured.kopecks,
                valid_until=offer.valid_until,
                received_at=now,
                late=late,
                terms=offer.model_dump(mode="json"),
            )
        )
        record(
            session,
            application,
            event="offer_received",
            at=now,
            insurer=offer.insurer,
            text=(
                f"Предложение {offer.insurer}: {rub(offer.premium.kopecks)} за {offer.term_months} мес."
                + (" (после срока сбора)" if late else ""),
                f"Offer from {offer.insurer}: {rub(offer.premium.kopecks)} for {offer.term_months} months"
                + (" (after the deadline)" if late else ""),
            ),
        )
    if late:
        if request.state == "offered" and application.status in (S.no_offers, S.refused):
            move(
                session,
                application,
                S.offers_received,
                event="late_offer",
                at=now,
                insurer=offer.insurer,
                text=(f"Пришло предложение от {offer.insurer}", f"An offer arrived from {offer.insurer}"),
            )
        return
    await _close_if_all_answered(session, application, now)


async def record_refusal(session: AsyncSession, refusal: dms.OfferRefused, *, now: datetime) -> None:
    application = await session.get(Application, refusal.application_id, with_for_update=True)
    if application is None:
        raise LookupError(f"no application {refusal.application_id}")
    request = await _quote_request(session, refusal.application_id, refusal.insurer)
    if request is None:
        raise LookupError(f"insurer {refusal.insurer} was not asked about {refusal.application_id}")
    if request.state != "asked" or application.status not in OPEN_FOR_ANSWERS:
        return
    request.state = "refused"
    request.answered_at = now
    request.late = application.collection_closed_at is not None
    request.refusal = {
        "rule": refusal.rule,
        "reason_code": refusal.reason_code,
        "reason_ru": refusal.reason_ru,
        "reason_en": refusal.reason_en,
    }
    record(
        session,
        application,
        event="offer_refused",
        at=now,
        insurer=refusal.insurer,
        text=(
            f"Отказ {refusal.insurer}: {refusal.reason_ru}",
            f"Refusal from {refusal.insurer}: {refusal.reason_en}",
        ),
    )
    if not request.late:
        await _close_if_all_answered(session, application, now)


# -- the applicant's choice -------------------------------------------------------------------------


async def offers_of(session: AsyncSession, application_id: str) -> Sequence[Offer]:
    query = (
        select(Offer).where(Offer.application_id == application_id).order_by(Offer.premium_kopecks, Offer.id)
    )
    return (await session.scalars(query)).all()


async def accept(
    session: AsyncSession,
    outbox: Outbox,
    application: Application,
    offer: Offer,
    *,
    now: datetime,
    return_url: str,
) -> None:
    application.accepted_offer_id = offer.id
    application.accepted_insurer = offer.insurer
    move(
        session,
        application,
        S.offer_accepted,
        event="offer_accepted",
        at=now,
        insurer=offer.insurer,
        text=(
            f"Выбрано предложение {offer.insurer} на {rub(offer.premium_kopecks)}; ждём ссылку на оплату",
            f"Offer of {offer.insurer} for {rub(offer.premium_kopecks)} accepted; awaiting the payment link",
        ),
    )
    await _put(
        outbox,
        session,
        dms.DMS_OFFER_ACCEPTED,
        dms.OfferAccepted(
            insurer=offer.insurer,
            application_id=application.id,
            offer_id=offer.id,
            accepted_at=now,
            return_url=return_url,
        ),
        application.id,
        offer.insurer,
    )


async def request_payment_link(
    session: AsyncSession, outbox: Outbox, application: Application, *, now: datetime, return_url: str
) -> None:
    assert application.accepted_offer_id is not None
    assert application.accepted_insurer is not None
    move(
        session,
        application,
        S.offer_accepted,
        event="payment_link_requested",
        at=now,
        text=("Запрошена новая ссылка на оплату", "A new payment link was requested"),
    )
    await _put(
        outbox,
        session,
        dms.DMS_PAYMENT_LINK_REQUESTED,
        dms.PaymentLinkRequested(
            insurer=application.accepted_insurer,
            application_id=application.id,
            offer_id=application.accepted_offer_id,
            requested_at=now,
            return_url=return_url,
        ),
        application.id,
        application.accepted_insurer,
    )


async def withdraw(session: AsyncSession, outbox: Outbox, application: Application, *, now: datetime) -> None:
    move(session, application, S.withdrawn, event="withdrawn", at=now)
    asked = (
        await session.scalars(
            select(QuoteRequest.insurer).where(QuoteRequest.application_id == application.id)
        )
    ).all()
    for insurer in asked:
        await _put(
            outbox,
            session,
            dms.DMS_APPLICATION_WITHDRAWN,
            dms.ApplicationWithdrawn(insurer=insurer, application_id=application.id, withdrawn_at=now),
            application.id,
            insurer,
        )


# -- the contract, the payment and the policy -------------------------------------------------------


async def _accepted_application(
    session: AsyncSession, application_id: str, insurer: str
) -> Application | None:
    application = await session.get(Application, application_id, with_for_update=True)
    if application is None:
        raise LookupError(f"no application {application_id}")
    if application.accepted_insurer != insurer:
        raise LookupError(f"{insurer} is not the insurer chosen for {application_id}")
    if application.status is S.withdrawn:
        return None
    return application


async def record_payment_link(session: AsyncSession, link: dms.PaymentLinkIssued, *, now: datetime) -> None:
    application = await _accepted_application(session, link.application_id, link.insurer)
    if application is None or application.status is not S.offer_accepted:
        return  # withdrawn, or a link for an attempt that is over
    application.payment_id = link.payment_id
    application.payment_url = link.confirmation_url
    application.payment_attempt = link.attempt
    application.payment_amount_kopecks = link.amount.kopecks
    application.payment_expires_at = link.expires_at
    application.payment_failure = None
    move(
        session,
        application,
        S.awaiting_payment,
        event="payment_link_issued",
        at=now,
        insurer=link.insurer,
        text=(
            f"Оплатите {rub(link.amount.kopecks)} на странице страховщика",
            f"Pay {rub(link.amount.kopecks)} on the insurer's payment page",
        ),
    )


async def record_payment_failure(session: AsyncSession, failure: dms.PaymentFailed, *, now: datetime) -> None:
    application = await _accepted_application(session, failure.application_id, failure.insurer)
    if application is None or application.payment_id != failure.payment_id:
        return
    if application.status is not S.awaiting_payment:
        return
    application.payment_failure = failure.reason
    move(
        session,
        application,
        S.payment_failed,
        event="payment_failed",
        at=now,
        insurer=failure.insurer,
        text=(
            f"Оплата не прошла ({failure.reason}). Запросите новую ссылку на оплату",
            f"The payment failed ({failure.reason}). Ask for a new payment link",
        ),
    )


async def record_paid(session: AsyncSession, paid: dms.ContractPaid, *, now: datetime) -> None:
    application = await _accepted_application(session, paid.application_id, paid.insurer)
    if application is None or application.status in (S.paid, S.policy_issued):
        return
    application.payment_id = paid.payment_id
    application.paid_at = paid.paid_at
    application.policy_due_by = paid.policy_due_by
    move(
        session,
        application,
        S.paid,
        event="paid",
        at=now,
        insurer=paid.insurer,
        text=(
            f"Оплата получена. Полис будет в личном кабинете не позднее {paid.policy_due_by:%d.%m.%Y}",
            f"Payment received. The policy will be in the cabinet by {paid.policy_due_by:%Y-%m-%d}",
        ),
    )


async def record_policy(
    session: AsyncSession, cipher: DataCipher, issued: dms.PolicyIssued, *, now: datetime
) -> None:
    application = await _accepted_application(session, issued.application_id, issued.insurer)
    if application is None or application.status is S.policy_issued:
        return
    content = base64.b64decode(issued.document.content_base64)
    if hashlib.sha256(content).hexdigest() != issued.document.sha256:
        raise ValueError(f"the PDF of policy {issued.policy_id} does not match its sha256")
    if application.status is not S.paid:
        # The payment's own message has not come (or was lost): the policy implies it.
        application.paid_at = application.paid_at or issued.issued_at
    issued_on = business_day(issued.issued_at)
    due_by = application.policy_due_by
    breached = deadline_breached(due_by, issued_on, issued_on)
    policy = issued.policy
    session.add(
        IssuedPolicy(
            id=issued.policy_id,
            application_id=application.id,
            account_id=application.account_id,
            insurer=issued.insurer,
            series=policy.series,
            number=policy.number,
            valid_from=policy.valid_from,
            valid_until=policy.valid_until,
            issued_at=issued.issued_at,
            received_at=now,
            due_by=due_by,
            deadline_breached=breached,
            data=cipher.encrypt(policy.model_dump(mode="json")),
            document=cipher.encrypt(issued.document.content_base64),
            document_sha256=issued.document.sha256,
            filename=issued.document.filename,
        )
    )
    application.policy_id = issued.policy_id
    application.policy_issued_at = issued.issued_at
    application.deadline_breached = application.deadline_breached or breached
    if application.status is not S.paid:
        move(session, application, S.paid, event="paid", at=now, insurer=issued.insurer)
    late = " — с нарушением срока" if breached else ""
    late_en = " — past the deadline" if breached else ""
    move(
        session,
        application,
        S.policy_issued,
        event="policy_issued",
        at=now,
        insurer=issued.insurer,
        text=(
            f"Полис {policy.series} № {policy.number} оформлен{late}; действует "
            f"с {policy.valid_from:%d.%m.%Y} по {policy.valid_until:%d.%m.%Y}",
            f"Policy {policy.series} {policy.number} issued{late_en}; valid "
            f"{policy.valid_from:%Y-%m-%d} to {policy.valid_until:%Y-%m-%d}",
        ),
    )


# -- deadlines --------------------------------------------------------------------------------------


async def close_due_collections(session: AsyncSession, now: datetime, *, limit: int = 200) -> int:
    query = (
        select(Application)
        .where(Application.status == S.submitted, Application.collect_until <= now)
        .order_by(Application.collect_until)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    due = (await session.scalars(query)).all()
    for application in due:
        await close_collection(session, application, now)
    return len(due)


async def expire_offers(session: AsyncSession, now: datetime, *, limit: int = 200) -> int:
    """Applications whose every offer lapsed before one was accepted."""
    query = (
        select(Application)
        .where(Application.status == S.offers_received)
        .order_by(Application.updated_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    expired = 0
    for application in (await session.scalars(query)).all():
        offers = await offers_of(session, application.id)
        if offers and all(as_utc(o.valid_until) <= now for o in offers):
            move(session, application, S.offer_expired, event="offers_expired", at=now)
            expired += 1
    return expired


async def flag_breached_deadlines(session: AsyncSession, now: datetime, *, limit: int = 200) -> int:
    """DMS-06: a paid application without its policy after the due date is flagged, once."""
    today = business_day(now)
    query = (
        select(Application)
        .where(
            Application.status == S.paid,
            Application.deadline_breached.is_(False),
            Application.policy_due_by < today,
        )
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    flagged = (await session.scalars(query)).all()
    for application in flagged:
        application.deadline_breached = True
        record(
            session,
            application,
            event="deadline_breached",
            at=now,
            text=(
                f"Срок выдачи полиса ({application.policy_due_by:%d.%m.%Y}) нарушен страховщиком",
                f"The insurer missed the policy deadline ({application.policy_due_by:%Y-%m-%d})",
            ),
        )
        notify(
            session,
            account_id=application.account_id,
            application_id=application.id,
            kind="deadline_breached",
            title=("Полис не выдан в срок", "The policy is overdue"),
            body=(
                "Страховщик не выдал полис в течение 2 рабочих дней после оплаты; нарушение зафиксировано",
                "The insurer did not issue the policy within 2 working days of payment; breach recorded",
            ),
            at=now,
        )
    return len(flagged)


def new_application_id() -> str:
    return str(uuid.uuid4())
