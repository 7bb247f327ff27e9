"""From records to what the API answers, in the language the client asked for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from gateway.dms.models import Application, IssuedPolicy, Offer, QuoteRequest, TimelineEvent
from gateway.dms.rules import STATUS_TEXT, WITHDRAWABLE, ApplicationStatus
from gateway.dms.schemas import (
    ApplicationOut,
    InsurerAnswer,
    OfferOut,
    PaymentLink,
    PolicyOut,
    Refusal,
    TimelineEntry,
)
from kit.contracts import dms
from kit.db import as_utc


def _pick(language: str, ru: str, en: str) -> str:
    return en if language == "en" else ru


def application_out(
    application: Application,
    *,
    requests: Sequence[QuoteRequest],
    offers_count: int,
    timeline: Sequence[TimelineEvent],
    language: str,
    applicant: dms.Applicant | None = None,
) -> ApplicationOut:
    status = application.status
    payment = None
    if application.payment_url and application.payment_amount_kopecks is not None:
        payment = PaymentLink(
            url=application.payment_url,
            amount=dms.Money(kopecks=application.payment_amount_kopecks),
            attempt=application.payment_attempt or 1,
            expires_at=application.payment_expires_at,
        )
    return ApplicationOut(
        id=application.id,
        status=status,
        status_text=_pick(language, *STATUS_TEXT[status]),
        submitted_at=application.submitted_at,
        updated_at=application.updated_at,
        submitted_by_client=application.submitted_by_client,
        work_region=application.work_region,
        term_months=application.term_months,
        collect_until=application.collect_until,
        insurers=[
            InsurerAnswer(
                insurer=r.insurer,
                state=r.state,
                asked_at=r.asked_at,
                answered_at=r.answered_at,
                late=r.late,
                refusal=Refusal(
                    rule=r.refusal["rule"],
                    reason_code=r.refusal["reason_code"],
                    reason=_pick(language, r.refusal["reason_ru"], r.refusal["reason_en"]),
                )
                if r.refusal
                else None,
            )
            for r in requests
        ],
        offers_count=offers_count,
        accepted_offer_id=application.accepted_offer_id,
        accepted_insurer=application.accepted_insurer,
        payment=payment if status is ApplicationStatus.awaiting_payment else None,
        payment_failure=application.payment_failure,
        can_request_payment_link=status is ApplicationStatus.payment_failed,
        can_withdraw=status in WITHDRAWABLE,
        paid_at=application.paid_at,
        policy_due_by=application.policy_due_by,
        policy_id=application.policy_id,
        policy_issued_at=application.policy_issued_at,
        deadline_breached=application.deadline_breached,
        timeline=[
            TimelineEntry(
                at=event.at,
                status=ApplicationStatus(event.status),
                event=event.event,
                insurer=event.insurer,
                text=_pick(language, event.text_ru, event.text_en),
            )
            for event in timeline
        ],
        applicant=applicant,
    )


def offer_out(offer: Offer, *, now: datetime, accepted_id: str | None, insurer_name: str | None) -> OfferOut:
    terms = dms.OfferMade.model_validate(offer.terms)
    return OfferOut(
        id=offer.id,
        insurer=offer.insurer,
        insurer_name=insurer_name,
        product_name=terms.product_name,
        programme=terms.programme,
        sum_insured=terms.sum_insured,
        premium=terms.premium,
        premium_factors=terms.premium_factors,
        term_months=terms.term_months,
        cover_from=terms.cover_from,
        cover_until=terms.cover_until,
        territory=terms.territory,
        special_terms=terms.special_terms,
        valid_until=terms.valid_until,
        expired=as_utc(offer.valid_until) <= now,
        late=offer.late,
        synthetic_tariffs=terms.synthetic_tariffs,
        accepted=offer.id == accepted_id,
    )


def policy_out(policy: IssuedPolicy, data: dms.PolicyData, document_url: str) -> PolicyOut:
    return PolicyOut(
        id=policy.id,
        application_id=policy.application_id,
        insurer=policy.insurer,
        series=policy.series,
        number=policy.number,
        issued_at=policy.issued_at,
        valid_from=policy.valid_from,
        valid_until=policy.valid_until,
        due_by=policy.due_by,
        deadline_breached=policy.deadline_breached,
        document_url=document_url,
        document_sha256=policy.document_sha256,
        data=data,
    )
