"""The cabinet's ОМС routes: my policies (own and children's), requests for a policy (OMS-01), and
operations on a policy (OMS-04, OMS-06). The register answers over AMQP; these routes answer 202 and
the cabinet follows the request's status and the notifications."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.accounts.profile import can_apply
from gateway.accounts.service import AccountView, get_account
from gateway.auth.deps import Principal, ensure_can_apply, require_scope
from gateway.deps import Cipher
from gateway.idempotency import IdempotencyKey, store
from gateway.oms import lookups, rules, service
from gateway.oms.models import OmsLookup, OmsOperation, OmsPolicy, OmsRequest
from gateway.oms.schemas import (
    OmsLookupOut,
    OmsOperationIn,
    OmsOperationList,
    OmsOperationOut,
    OmsPolicyList,
    OmsPolicyOut,
    OmsRequestIn,
    OmsRequestList,
    OmsRequestOut,
)
from gateway.violations import invalid
from kit.calendar import business_day
from kit.crypto import DataCipher
from kit.errors import Problem, ProblemError, preferred_language
from kit.http import Runtime
from kit.messaging.envelope import utcnow

router = APIRouter(prefix="/oms", tags=["oms"])

Reader = Annotated[Principal, Depends(require_scope("oms.policies.read"))]
Writer = Annotated[Principal, Depends(require_scope("oms.policies.write"))]
IDEMPOTENCY_TTL = timedelta(hours=24)
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No, expired or invalid access token"},
    403: {"model": Problem, "description": "Not allowed: unconfirmed account (ACC-01) or no partner grant"},
    404: {"model": Problem, "description": "Not in this account's cabinet"},
    409: {"model": Problem, "description": "The status does not allow it"},
    422: {"model": Problem, "description": "Invalid fields, each named with its rule"},
}


async def confirmed_account(session: AsyncSession, cipher: DataCipher, principal: Principal) -> AccountView:
    """Who may ask the register for something: the confirmed holder (ACC-01), in person (OMS-01)."""
    ensure_can_apply(principal)
    if principal.client_id is not None:
        raise ProblemError(
            403,
            rule="OMS-01",
            title_ru="Заявления по ОМС подаёт сам владелец учётной записи, не представитель",
            title_en="ОМС applications are made by the account holder in person, not by a representative",
            detail_ru=f"Система «{principal.client_id}» может только смотреть полисы и заявления",
            detail_en=f"The system '{principal.client_id}' may only read the policies and applications",
        )
    account = await get_account(session, cipher, principal.account_id)
    assert account is not None, "a token names an existing account"
    return account


def owner_of(principal: Principal) -> str:
    return f"{principal.client_id or 'self'}:{principal.account_id}"


LOOKUP_MESSAGES = {
    "pending": (
        "Ищем ваш полис в реестре застрахованных; ответ может занять время — загляните позже",
        "We are looking for your policy in the register; this may take a while — come back later",
    ),
    "retrying": (
        "Реестр пока не нашёл ваш полис; мы спросим ещё раз — загляните позже",
        "The register has not found your policy yet; we will ask again — come back later",
    ),
    "found": ("Полис найден в реестре", "Your policy was found in the register"),
    "not_found": (
        "Полис в реестре не найден; оформите его (POST /oms/requests) или спросите реестр снова",
        "No policy found in the register; apply for one (POST /oms/requests) or ask again",
    ),
}


def _lookup_out(lookup: OmsLookup) -> OmsLookupOut:
    ru, en = LOOKUP_MESSAGES[lookup.status]
    return OmsLookupOut(
        status=lookup.status,
        attempts=lookup.attempts,
        asked_at=lookup.asked_at,
        answered_at=lookup.answered_at,
        next_attempt_at=lookup.next_attempt_at,
        message_ru=ru,
        message_en=en,
    )


OutModel = TypeVar("OutModel", OmsPolicyOut, OmsRequestOut)


def _with_insured_name(
    model: type[OutModel], row: OmsPolicy | OmsRequest, encrypted_name: bytes | None, cipher: DataCipher
) -> OutModel:
    """The row as the API shows it, with the child's name decrypted."""
    fields = {f: getattr(row, f) for f in model.model_fields if f != "insured_name"}
    return model.model_validate({**fields, "insured_name": service.insured_name_of(cipher, encrypted_name)})


@router.get(
    "/policies",
    response_model=OmsPolicyList,
    summary="My ОМС policies and my children's (OMS-02)",
    description="The policies the register announced or was found to hold. The first call for a confirmed "
    "account asks the register whether the holder has a policy (`lookup`): the answer comes later, so "
    'call again; while the register says "not found" the gateway asks again with backoff.',
    responses=PROBLEMS,
)
async def my_policies(principal: Reader, runtime: Runtime, cipher: Cipher) -> OmsPolicyList:
    async with runtime.db.transaction() as session:
        lookup = await session.get(OmsLookup, principal.account_id)
        if lookup is None and can_apply(principal.level):
            account = await get_account(session, cipher, principal.account_id)
            if account is not None and lookups.can_look_up(account):
                lookup = await lookups.ensure_asked(session, runtime.outbox, account, utcnow())
        rows = (
            await session.scalars(select(OmsPolicy).where(OmsPolicy.account_id == principal.account_id))
        ).all()
        return OmsPolicyList(
            items=[_with_insured_name(OmsPolicyOut, row, row.insured_name, cipher) for row in rows],
            lookup=_lookup_out(lookup) if lookup is not None else None,
        )


@router.post(
    "/policies/lookup",
    status_code=202,
    response_model=OmsLookupOut,
    summary="Ask the register again whether I hold a policy (OMS-02)",
    responses=PROBLEMS,
)
async def look_up_again(principal: Writer, runtime: Runtime, cipher: Cipher) -> OmsLookupOut:
    async with runtime.db.transaction() as session:
        account = await confirmed_account(session, cipher, principal)
        if not lookups.can_look_up(account):
            raise ProblemError(
                422,
                rule="ACC-02",
                title_ru="В учётной записи нет даты рождения или документа",
                title_en="The account has no date of birth or identity document",
            )
        return _lookup_out(await lookups.ask(session, runtime.outbox, account, utcnow()))


def _request_out(request: OmsRequest, cipher: DataCipher) -> OmsRequestOut:
    return _with_insured_name(OmsRequestOut, request, request.child, cipher)


@router.post(
    "/requests",
    status_code=202,
    response_model=OmsRequestOut,
    summary="Ask for an electronic ОМС policy for myself or my child (OMS-01)",
    description="For a child under 14 give `child` with the birth certificate. The register answers "
    "asynchronously: follow GET /oms/requests and the notifications. While the register is slow or down "
    "the request waits; there is nothing to resubmit. Foreigners apply at /oms/foreigner-applications.",
    responses=PROBLEMS,
)
async def request_policy(
    body: OmsRequestIn,
    principal: Writer,
    key: IdempotencyKey,
    request: Request,
    runtime: Runtime,
    cipher: Cipher,
) -> JSONResponse:
    now = utcnow()
    if body.child is not None:
        violations = rules.child_violations(body.child, business_day(now))
        if violations:
            raise invalid(violations, preferred_language(request))
    async with runtime.db.transaction() as session:
        account = await confirmed_account(session, cipher, principal)

        async def submit() -> OmsRequestOut:
            created = await service.request_policy(
                session,
                runtime.outbox,
                cipher,
                account,
                region=body.region,
                insurer=body.insurer,
                child=body.child,
                now=now,
            )
            return _request_out(created, cipher)

        return await store.run(
            session,
            owner=owner_of(principal),
            key=key,
            operation="oms.requests.submit",
            body=body,
            ttl=IDEMPOTENCY_TTL,
            action=submit,
            status_code=202,
        )


@router.get("/requests", response_model=OmsRequestList, summary="My ОМС policy requests", responses=PROBLEMS)
async def my_requests(principal: Reader, runtime: Runtime, cipher: Cipher) -> OmsRequestList:
    async with runtime.db.transaction() as session:
        return OmsRequestList(
            items=[_request_out(r, cipher) for r in await service.requests_of(session, principal.account_id)]
        )


@router.get(
    "/requests/{request_id}",
    response_model=OmsRequestOut,
    summary="One ОМС policy request",
    responses=PROBLEMS,
)
async def one_request(request_id: str, principal: Reader, runtime: Runtime, cipher: Cipher) -> OmsRequestOut:
    async with runtime.db.transaction() as session:
        return _request_out(await service.own(session, OmsRequest, request_id, principal.account_id), cipher)


def _operation_out(operation: OmsOperation) -> OmsOperationOut:
    return OmsOperationOut.model_validate(operation, from_attributes=True)


@router.post(
    "/policies/{enp}/operations",
    status_code=202,
    response_model=OmsOperationOut,
    summary="Suspend, resume, change the insurer or the region of my (or my child's) policy",
    description="suspend: military service (OMS-06); change_insurer: once a calendar year until 1 November, "
    "no limit with `relocation` (OMS-04); change_region: a new region and an insurer there. The register "
    "decides: follow GET /oms/operations and the notifications; a refusal names its rule.",
    responses=PROBLEMS,
)
async def request_operation(
    enp: str,
    body: OmsOperationIn,
    principal: Writer,
    key: IdempotencyKey,
    request: Request,
    runtime: Runtime,
    cipher: Cipher,
) -> JSONResponse:
    violations = rules.operation_violations(body)
    if violations:
        raise invalid(violations, preferred_language(request), rule="OMS-04")
    async with runtime.db.transaction() as session:
        await confirmed_account(session, cipher, principal)

        async def submit() -> OmsOperationOut:
            operation = await service.request_operation(
                session, runtime.outbox, principal.account_id, enp, body, utcnow()
            )
            return _operation_out(operation)

        return await store.run(
            session,
            owner=owner_of(principal),
            key=key,
            operation=f"oms.operations.{enp}",
            body=body,
            ttl=IDEMPOTENCY_TTL,
            action=submit,
            status_code=202,
        )


@router.get(
    "/operations",
    response_model=OmsOperationList,
    summary="My operations on ОМС policies",
    responses=PROBLEMS,
)
async def my_operations(principal: Reader, runtime: Runtime) -> OmsOperationList:
    async with runtime.db.transaction() as session:
        return OmsOperationList(
            items=[_operation_out(o) for o in await service.operations_of(session, principal.account_id)]
        )


@router.get(
    "/operations/{operation_id}",
    response_model=OmsOperationOut,
    summary="One operation on an ОМС policy",
    responses=PROBLEMS,
)
async def one_operation(operation_id: str, principal: Reader, runtime: Runtime) -> OmsOperationOut:
    async with runtime.db.transaction() as session:
        return _operation_out(await service.own(session, OmsOperation, operation_id, principal.account_id))
