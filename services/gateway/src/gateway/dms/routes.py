"""The cabinet's ДМС-мигрант API: applications, offers, payment links, policies.

The same routes serve the account holder (their own token) and a partner system acting for them
(its token, ``On-Behalf-Of`` and the holder's grant); every query is limited to that account.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.accounts.service import get_account
from gateway.auth.deps import Principal, ensure_can_apply, require_scope
from gateway.deps import Cipher, Settings
from gateway.directory.service import list_insurers
from gateway.dms import rules, service, views
from gateway.dms.models import Application, IssuedPolicy, Offer, QuoteRequest, TimelineEvent
from gateway.dms.schemas import (
    ApplicationIn,
    ApplicationList,
    ApplicationOut,
    OfferList,
    PolicyList,
    PolicyOut,
)
from gateway.idempotency import IdempotencyKey, store
from gateway.violations import Violation, invalid
from kit.calendar import business_day
from kit.contracts import dms
from kit.db import as_utc
from kit.errors import Problem, ProblemError, preferred_language
from kit.http import Runtime
from kit.messaging.envelope import utcnow

router = APIRouter(tags=["applications"])

Reader = Annotated[Principal, Depends(require_scope("dms.applications.read"))]
Writer = Annotated[Principal, Depends(require_scope("dms.applications.write"))]
PolicyReader = Annotated[Principal, Depends(require_scope("dms.policies.read"))]

#: Idempotency keys are kept a day, as the payments API keeps its own.
IDEMPOTENCY_TTL = timedelta(hours=24)

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No, expired or invalid access token"},
    403: {"model": Problem, "description": "Not allowed: unconfirmed account (ACC-01) or no partner grant"},
    404: {"model": Problem, "description": "No such application of this account"},
    409: {"model": Problem, "description": "The application's status does not allow it"},
    422: {"model": Problem, "description": "Invalid fields, each named with its rule"},
}


def _not_found(what_ru: str, what_en: str) -> ProblemError:
    return ProblemError(
        404,
        rule="not-found",
        title_ru=f"{what_ru} не найдено",
        title_en=f"{what_en} not found",
        detail_ru="Нет такой записи у этой учётной записи",
        detail_en="This account has no such record",
    )


def _conflict(rule: str, ru: str, en: str) -> ProblemError:
    return ProblemError(409, rule=rule, title_ru=ru, title_en=en)


async def _own_application(
    session: AsyncSession, principal: Principal, application_id: str, *, lock: bool = False
) -> Application:
    application = await session.get(Application, application_id, with_for_update=lock)
    if application is None or application.account_id != principal.account_id:
        raise _not_found("Заявление", "Application")
    return application


async def _application_view(
    session: AsyncSession,
    application: Application,
    language: str,
    *,
    cipher: Any = None,
) -> ApplicationOut:
    requests = (
        await session.scalars(
            select(QuoteRequest)
            .where(QuoteRequest.application_id == application.id)
            .order_by(QuoteRequest.insurer)
        )
    ).all()
    offers = int(
        await session.scalar(select(func.count()).where(Offer.application_id == application.id)) or 0
    )
    timeline = (
        await session.scalars(
            select(TimelineEvent)
            .where(TimelineEvent.application_id == application.id)
            .order_by(TimelineEvent.id)
        )
    ).all()
    applicant = None
    if cipher is not None:
        applicant = dms.DmsApplication.model_validate(cipher.decrypt(application.personal)).applicant
    return views.application_out(
        application,
        requests=requests,
        offers_count=offers,
        timeline=timeline,
        language=language,
        applicant=applicant,
    )


def _return_url(settings: Settings, application_id: str) -> str:
    return f"{settings.base_url}/cabinet/payment-return/{application_id}"


@router.post(
    "/dms/applications",
    status_code=202,
    response_model=ApplicationOut,
    summary="Submit an application for ДМС-мигрант",
    description="Checks the application (DMS-01, DMS-02, DMS-05, ID-04, ACC-01, ACC-02) and sends it to "
    "every insurer serving the work region; follow it with GET /dms/applications/{id}.",
    responses=PROBLEMS,
)
async def submit_application(
    body: ApplicationIn,
    principal: Writer,
    key: IdempotencyKey,
    request: Request,
    runtime: Runtime,
    settings: Settings,
    cipher: Cipher,
) -> JSONResponse:
    language = preferred_language(request)
    now = utcnow()
    async with runtime.db.transaction() as session:
        ensure_can_apply(principal)
        account = await get_account(session, cipher, principal.account_id)
        if account is None:
            raise _not_found("Учётная запись", "Account")
        today = business_day(now)
        violations = [
            *rules.applicant_violations(body.applicant, today),
            *rules.account_mismatches(
                body.applicant, account.profile.citizenship, account.profile.birth_date
            ),
            *rules.permit_violations(body.permit, body.term_months, today),
            *rules.declaration_violations(body.medical_declaration),
            *rules.consent_violations(body.consent_to_personal_data),
        ]
        if violations:
            raise _invalid(violations, language)

        async def create() -> ApplicationOut:
            application = dms.DmsApplication(
                application_id=service.new_application_id(),
                submitted_at=now,
                applicant=body.applicant,
                work_region=body.work_region,
                permit=body.permit,
                term_months=body.term_months,
                medical_declaration=body.medical_declaration,
                consent_given_at=now,
            )
            record = await service.submit(
                session,
                runtime.outbox,
                cipher,
                account_id=principal.account_id,
                client_id=principal.client_id,
                application=application,
                collect_for=timedelta(seconds=settings.offer_collection_seconds),
            )
            await session.flush()
            return await _application_view(session, record, language)

        return await store.run(
            session,
            owner=f"{principal.client_id or 'self'}:{principal.account_id}",
            key=key,
            operation="dms.applications.submit",
            body=body,
            ttl=IDEMPOTENCY_TTL,
            action=create,
            status_code=202,
        )


def _invalid(violations: list[Violation], language: str) -> ProblemError:
    dms01 = next((v for v in violations if v.rule == "DMS-01"), None)
    if dms01 is None:
        return invalid(violations, language)
    return invalid(
        violations,
        language,
        rule="DMS-01",
        title_ru="Гражданину России ДМС-мигрант не оформляется",
        title_en="ДМС-мигрант is not for Russian citizens",
        detail_ru=dms01.ru,
        detail_en=dms01.en,
    )


@router.get(
    "/dms/applications",
    response_model=ApplicationList,
    summary="My applications, newest first, each with its timeline",
    responses=PROBLEMS,
)
async def list_applications(principal: Reader, request: Request, runtime: Runtime) -> ApplicationList:
    language = preferred_language(request)
    async with runtime.db.transaction() as session:
        applications = (
            await session.scalars(
                select(Application)
                .where(Application.account_id == principal.account_id)
                .order_by(Application.submitted_at.desc())
                .limit(100)
            )
        ).all()
        return ApplicationList(items=[await _application_view(session, a, language) for a in applications])


@router.get(
    "/dms/applications/{application_id}",
    response_model=ApplicationOut,
    response_model_exclude_none=False,
    summary="One application: status, timeline, insurers' answers, payment link",
    responses=PROBLEMS,
)
async def get_application(
    application_id: str, principal: Reader, request: Request, runtime: Runtime, cipher: Cipher
) -> ApplicationOut:
    async with runtime.db.transaction() as session:
        application = await _own_application(session, principal, application_id)
        return await _application_view(session, application, preferred_language(request), cipher=cipher)


@router.get(
    "/dms/applications/{application_id}/offers",
    response_model=OfferList,
    tags=["offers"],
    summary="The offers of an application, cheapest first",
    responses=PROBLEMS,
)
async def list_offers(application_id: str, principal: Reader, runtime: Runtime) -> OfferList:
    now = utcnow()
    async with runtime.db.transaction() as session:
        application = await _own_application(session, principal, application_id)
        names = {e.code: e.short_name for e in await list_insurers(session)}
        return OfferList(
            items=[
                views.offer_out(
                    offer,
                    now=now,
                    accepted_id=application.accepted_offer_id,
                    insurer_name=names.get(offer.insurer),
                )
                for offer in await service.offers_of(session, application_id)
            ]
        )


@router.post(
    "/dms/applications/{application_id}/offers/{offer_id}/accept",
    status_code=202,
    response_model=ApplicationOut,
    tags=["offers"],
    summary="Accept an offer: the insurer concludes the contract and sends a payment link",
    description="Accepting the same offer again answers the application as it is.",
    responses=PROBLEMS,
)
async def accept_offer(
    application_id: str,
    offer_id: str,
    principal: Writer,
    request: Request,
    runtime: Runtime,
    settings: Settings,
) -> ApplicationOut:
    now = utcnow()
    async with runtime.db.transaction() as session:
        application = await _own_application(session, principal, application_id, lock=True)
        offer = await session.get(Offer, offer_id)
        if offer is None or offer.application_id != application.id:
            raise _not_found("Предложение", "Offer")
        if application.accepted_offer_id == offer.id:
            return await _application_view(session, application, preferred_language(request))
        if application.accepted_offer_id is not None:
            raise _conflict(
                "offer-already-accepted",
                "Уже выбрано другое предложение",
                "Another offer was accepted already",
            )
        if application.status is not rules.ApplicationStatus.offers_received:
            raise _conflict(
                "status-does-not-allow",
                f"Сейчас выбрать предложение нельзя: {rules.STATUS_TEXT[application.status][0]}",
                f"An offer cannot be accepted now: {rules.STATUS_TEXT[application.status][1]}",
            )
        if rules.is_expired(as_utc(offer.valid_until), now):
            raise _conflict(
                "offer-expired",
                "Срок действия предложения истёк",
                "The offer has expired",
            )
        await service.accept(
            session,
            runtime.outbox,
            application,
            offer,
            now=now,
            return_url=_return_url(settings, application.id),
        )
        return await _application_view(session, application, preferred_language(request))


@router.post(
    "/dms/applications/{application_id}/payment-link",
    status_code=202,
    response_model=ApplicationOut,
    summary="Ask for a new payment link after a failed payment",
    responses=PROBLEMS,
)
async def request_payment_link(
    application_id: str, principal: Writer, request: Request, runtime: Runtime, settings: Settings
) -> ApplicationOut:
    async with runtime.db.transaction() as session:
        application = await _own_application(session, principal, application_id, lock=True)
        if application.status is rules.ApplicationStatus.offer_accepted:
            # Asked again while the new link is on its way: nothing more to do.
            return await _application_view(session, application, preferred_language(request))
        if application.status is not rules.ApplicationStatus.payment_failed:
            raise _conflict(
                "status-does-not-allow",
                "Новая ссылка на оплату выдаётся только после неудачной оплаты",
                "A new payment link is given only after a failed payment",
            )
        await service.request_payment_link(
            session,
            runtime.outbox,
            application,
            now=utcnow(),
            return_url=_return_url(settings, application.id),
        )
        return await _application_view(session, application, preferred_language(request))


@router.post(
    "/dms/applications/{application_id}/withdraw",
    response_model=ApplicationOut,
    summary="Withdraw the application (before payment)",
    responses=PROBLEMS,
)
async def withdraw_application(
    application_id: str, principal: Writer, request: Request, runtime: Runtime
) -> ApplicationOut:
    async with runtime.db.transaction() as session:
        application = await _own_application(session, principal, application_id, lock=True)
        if application.status is rules.ApplicationStatus.withdrawn:
            return await _application_view(session, application, preferred_language(request))
        if application.status not in rules.WITHDRAWABLE:
            raise _conflict(
                "status-does-not-allow",
                f"Отозвать заявление нельзя: {rules.STATUS_TEXT[application.status][0]}",
                f"The application cannot be withdrawn: {rules.STATUS_TEXT[application.status][1]}",
            )
        await service.withdraw(session, runtime.outbox, application, now=utcnow())
        return await _application_view(session, application, preferred_language(request))


# -- policies ---------------------------------------------------------------------------------------


def _document_url(policy_id: str) -> str:
    return f"/dms/policies/{policy_id}/document"


@router.get(
    "/dms/policies", response_model=PolicyList, tags=["policies"], summary="My policies", responses=PROBLEMS
)
async def list_policies(principal: PolicyReader, runtime: Runtime, cipher: Cipher) -> PolicyList:
    async with runtime.db.transaction() as session:
        policies = (
            await session.scalars(
                select(IssuedPolicy)
                .where(IssuedPolicy.account_id == principal.account_id)
                .order_by(IssuedPolicy.issued_at.desc())
            )
        ).all()
        return PolicyList(
            items=[
                views.policy_out(
                    p, dms.PolicyData.model_validate(cipher.decrypt(p.data)), _document_url(p.id)
                )
                for p in policies
            ]
        )


async def _own_policy(session: AsyncSession, principal: Principal, policy_id: str) -> IssuedPolicy:
    policy = await session.get(IssuedPolicy, policy_id)
    if policy is None or policy.account_id != principal.account_id:
        raise _not_found("Полис", "Policy")
    return policy


@router.get(
    "/dms/policies/{policy_id}",
    response_model=PolicyOut,
    tags=["policies"],
    summary="One policy: every field of DMS-10",
    responses=PROBLEMS,
)
async def get_policy(policy_id: str, principal: PolicyReader, runtime: Runtime, cipher: Cipher) -> PolicyOut:
    async with runtime.db.transaction() as session:
        policy = await _own_policy(session, principal, policy_id)
        data = dms.PolicyData.model_validate(cipher.decrypt(policy.data))
        return views.policy_out(policy, data, _document_url(policy.id))


@router.get(
    "/dms/policies/{policy_id}/document",
    tags=["policies"],
    summary="The printable policy (PDF)",
    response_class=Response,
    responses={**PROBLEMS, 200: {"content": {"application/pdf": {}}, "description": "The PDF"}},
)
async def get_policy_document(
    policy_id: str, principal: PolicyReader, runtime: Runtime, cipher: Cipher
) -> Response:
    async with runtime.db.transaction() as session:
        policy = await _own_policy(session, principal, policy_id)
        content = base64.b64decode(cipher.decrypt(policy.document))
        return Response(
            content,
            media_type="application/pdf",
            headers={
                # RFC 6266/5987: the Cyrillic file name, with an ASCII fallback for old clients.
                "Content-Disposition": f'attachment; filename="policy-{policy.id}.pdf"; '
                f"filename*=UTF-8''{quote(policy.filename)}",
                "ETag": f'"{policy.document_sha256}"',
            },
        )


# -- where the payment page sends the payer back ----------------------------------------------------

_RETURN_PAGE = """<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>Возврат в личный кабинет</title></head>
<body><main>
<h1>Спасибо! Вы вернулись со страницы оплаты</h1>
<p>Результат оплаты и полис появятся в личном кабинете, в заявлении <code>{application_id}</code>.</p>
<p lang="en">Thank you. The payment result and the policy will appear in your cabinet.</p>
</main></body></html>
"""


@router.get(
    "/cabinet/payment-return/{application_id}",
    response_class=HTMLResponse,
    tags=["applications"],
    summary="Where the payment page sends the payer back",
    include_in_schema=False,
)
async def payment_return(application_id: str) -> HTMLResponse:
    safe = "".join(ch for ch in application_id if ch.isalnum() or ch == "-")[:64]
    return HTMLResponse(_RETURN_PAGE.format(application_id=safe))
