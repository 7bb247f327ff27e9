"""A foreigner's ОМС application (OMS-05): create it with the data, upload the scans (passport,
migration card, optionally the stay document), submit it for review, and follow the answer —
approved, or additional information needed with what is needed (correct, upload, submit again)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, Response

from gateway.deps import Cipher, Settings
from gateway.idempotency import IdempotencyKey, store
from gateway.oms import foreigners, rules
from gateway.oms.models import ForeignerApplication
from gateway.oms.routes import IDEMPOTENCY_TTL, PROBLEMS, Reader, Writer, confirmed_account, owner_of
from gateway.oms.schemas import (
    ForeignerApplicationIn,
    ForeignerApplicationList,
    ForeignerApplicationOut,
    ScanOut,
)
from gateway.oms.service import own
from gateway.violations import invalid
from kit.calendar import business_day
from kit.contracts.oms import ScanKind
from kit.errors import Problem, ProblemError, preferred_language
from kit.http import Runtime
from kit.messaging.envelope import utcnow

router = APIRouter(prefix="/oms/foreigner-applications", tags=["oms"])

SCAN_BODY = {
    "requestBody": {
        "required": True,
        "description": "The scan itself: JPEG, PNG or PDF, its Content-Type matching its bytes",
        "content": {
            kind: {"schema": {"type": "string", "format": "binary"}} for kind in rules.SCAN_SIGNATURES
        },
    }
}


def _check(body: ForeignerApplicationIn, request: Request, now: datetime) -> None:
    """OMS-05: every field error at once, before anything is stored."""
    violations = rules.foreigner_violations(body, business_day(now))
    if violations:
        raise invalid(violations, preferred_language(request))


@router.post(
    "",
    status_code=201,
    response_model=ForeignerApplicationOut,
    summary="Start a foreigner's ОМС application (OMS-05); then upload the scans and submit",
    description="The name, date of birth, citizenship and passport come from the confirmed account (ACC-02).",
    responses=PROBLEMS,
)
async def create_application(
    body: ForeignerApplicationIn,
    principal: Writer,
    key: IdempotencyKey,
    request: Request,
    runtime: Runtime,
    cipher: Cipher,
) -> JSONResponse:
    now = utcnow()
    _check(body, request, now)
    async with runtime.db.transaction() as session:
        account = await confirmed_account(session, cipher, principal)

        async def create() -> ForeignerApplicationOut:
            application = await foreigners.create(session, cipher, account, body, now)
            return await foreigners.view(session, cipher, application)

        return await store.run(
            session,
            owner=owner_of(principal),
            key=key,
            operation="oms.foreigner-applications.create",
            body=body,
            ttl=IDEMPOTENCY_TTL,
            action=create,
            status_code=201,
        )


@router.get("", response_model=ForeignerApplicationList, summary="My ОМС applications as a foreigner")
async def my_applications(principal: Reader, runtime: Runtime, cipher: Cipher) -> ForeignerApplicationList:
    async with runtime.db.transaction() as session:
        items = []
        for application in await foreigners.applications_of(session, principal.account_id):
            items.append(await foreigners.view(session, cipher, application))
        return ForeignerApplicationList(items=items)


@router.get(
    "/{application_id}", response_model=ForeignerApplicationOut, summary="One application", responses=PROBLEMS
)
async def get_application(
    application_id: str, principal: Reader, runtime: Runtime, cipher: Cipher
) -> ForeignerApplicationOut:
    async with runtime.db.transaction() as session:
        application = await own(session, ForeignerApplication, application_id, principal.account_id)
        return await foreigners.view(session, cipher, application)


@router.put(
    "/{application_id}",
    response_model=ForeignerApplicationOut,
    summary="Correct the data of a draft, or of an application that needs information",
    responses=PROBLEMS,
)
async def replace_application(
    application_id: str,
    body: ForeignerApplicationIn,
    principal: Writer,
    request: Request,
    runtime: Runtime,
    cipher: Cipher,
) -> ForeignerApplicationOut:
    now = utcnow()
    _check(body, request, now)
    async with runtime.db.transaction() as session:
        await confirmed_account(session, cipher, principal)
        application = await own(
            session, ForeignerApplication, application_id, principal.account_id, lock=True
        )
        foreigners.replace_data(cipher, application, body, now)
        return await foreigners.view(session, cipher, application)


def _too_large(limit: int) -> ProblemError:
    return ProblemError(
        413,
        rule="scan-size",
        title_ru=f"Скан больше {limit // 1024} КБ",
        title_en=f"The scan is larger than {limit // 1024} KB",
    )


@router.put(
    "/{application_id}/scans/{kind}",
    response_model=ScanOut,
    summary="Upload a scan (passport, migration_card, stay_document); a new upload replaces the old one",
    description="The body is the file itself (not multipart), with Content-Type image/jpeg, image/png or "
    "application/pdf; the size limit is GATEWAY_SCAN_MAX_BYTES (5 MB by default).",
    openapi_extra=SCAN_BODY,
    responses={
        **PROBLEMS,
        413: {"model": Problem, "description": "Larger than the limit"},
        415: {"model": Problem, "description": "Not a JPEG, PNG or PDF, or the bytes disagree with the type"},
    },
)
async def upload_scan(
    application_id: str,
    kind: ScanKind,
    request: Request,
    principal: Writer,
    runtime: Runtime,
    cipher: Cipher,
    settings: Settings,
    content_type: Annotated[str, Header()] = "",
) -> ScanOut:
    limit = settings.scan_max_bytes
    declared_length = request.headers.get("content-length")
    if declared_length is not None and declared_length.isdigit() and int(declared_length) > limit:
        raise _too_large(limit)
    content = bytearray()
    async for chunk in request.stream():  # read no further than the limit, whatever the header said
        content.extend(chunk)
        if len(content) > limit:
            raise _too_large(limit)
    media = rules.media_type(content_type)
    problem = rules.scan_type_problem(media, bytes(content[:16]))
    if problem is not None:
        raise ProblemError(415, rule="scan-type", title_ru=problem[0], title_en=problem[1])
    async with runtime.db.transaction() as session:
        await confirmed_account(session, cipher, principal)
        application = await own(
            session, ForeignerApplication, application_id, principal.account_id, lock=True
        )
        scan = await foreigners.store_scan(
            session,
            cipher,
            application,
            kind,
            media,
            bytes(content),
            utcnow(),
        )
        return ScanOut.model_validate(scan, from_attributes=True)


@router.get(
    "/{application_id}/scans/{kind}",
    response_class=Response,
    summary="Download a scan as uploaded",
    responses={**PROBLEMS, 200: {"content": {t: {} for t in rules.SCAN_SIGNATURES}}},
)
async def download_scan(
    application_id: str, kind: ScanKind, principal: Reader, runtime: Runtime, cipher: Cipher
) -> Response:
    async with runtime.db.transaction() as session:
        application = await own(session, ForeignerApplication, application_id, principal.account_id)
        found = await foreigners.scan_file(session, cipher, application.id, kind)
        if found is None:
            raise ProblemError(404, rule="not-found", title_ru="Скан не загружен", title_en="No such scan")
        content, media_type = found
        return Response(content, media_type=media_type)


@router.post(
    "/{application_id}/submit",
    status_code=202,
    response_model=ForeignerApplicationOut,
    summary="Submit for review (again, after information was asked for)",
    description="Needs the scans of the passport and the migration card. The register reviews it and "
    "answers approved (the policy, ending with the contract, permit or stay) or information_needed.",
    responses=PROBLEMS,
)
async def submit_application(
    application_id: str,
    principal: Writer,
    key: IdempotencyKey,
    request: Request,
    runtime: Runtime,
    cipher: Cipher,
) -> JSONResponse:
    async with runtime.db.transaction() as session:
        account = await confirmed_account(session, cipher, principal)

        async def submit() -> ForeignerApplicationOut:
            application = await own(session, ForeignerApplication, application_id, account.id, lock=True)
            try:
                await foreigners.submit(session, runtime.outbox, cipher, account, application, utcnow())
            except foreigners.Invalid as error:
                raise invalid(error.violations, preferred_language(request)) from error
            return await foreigners.view(session, cipher, application)

        return await store.run(
            session,
            owner=owner_of(principal),
            key=key,
            operation=f"oms.foreigner-applications.{application_id}.submit",
            body=None,
            ttl=IDEMPOTENCY_TTL,
            action=submit,
            status_code=202,
        )
