"""The register's REST API for insurers and partner systems (HTTP Basic clients)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from kit.calendar import business_day
from kit.errors import FieldError, Problem, ProblemError
from kit.http import Runtime
from kit.messaging.envelope import utcnow
from registry.access import CurrentClient
from registry.directory.insurers import insurer_in
from registry.idempotency import IdempotencyKey, store
from registry.identifiers import is_valid_enp, is_valid_snils, normalize_snils
from registry.policies import rules, service
from registry.policies.models import Person, Policy
from registry.policies.rules import Operation
from registry.policies.schemas import (
    ChangeInsurerIn,
    ChangeRegionIn,
    EventOut,
    History,
    IssueIn,
    PersonOut,
    PolicyList,
    PolicyOut,
    ReasonIn,
)

router = APIRouter(prefix="/policies", tags=["policies"])
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No or wrong client credentials"},
    404: {"model": Problem, "description": "No policy with this ЕНП"},
    409: {"model": Problem, "description": "The register refuses: the rule is named"},
    422: {"model": Problem, "description": "Invalid fields, each named with its rule"},
}


def _problem(refused: service.Refused) -> ProblemError:
    refusal = refused.refusal
    errors = []
    if refused.field:
        errors = [FieldError(field=refused.field, location="body", rule=refusal.rule, message=refusal.ru)]
    return ProblemError(
        refused.status, rule=refusal.rule, title_ru=refusal.ru, title_en=refusal.en, errors=errors
    )


async def _out(session: AsyncSession, policy: Policy) -> PolicyOut:
    person = await session.get(Person, policy.person_id)
    assert person is not None
    insurer = insurer_in(policy.region, policy.insurer)
    today = business_day(utcnow())
    return PolicyOut(
        enp=policy.enp,
        status=policy.status,
        valid=policy.status is rules.PolicyStatus.active and not rules.is_expired(policy.valid_until, today),
        insurer=policy.insurer,
        insurer_name=insurer.name if insurer else None,
        insurer_phone=insurer.phone if insurer else None,
        region=policy.region,
        valid_from=policy.valid_from,
        valid_until=policy.valid_until,
        clinic=policy.clinic,
        last_insurer_change_on=policy.last_insurer_change_on,
        issued_at=policy.issued_at,
        person=PersonOut(
            last_name=person.last_name,
            first_name=person.first_name,
            patronymic=person.patronymic,
            sex=person.sex,
            birth_date=person.birth_date,
            citizenship=person.citizenship,
            snils=person.snils,
        ),
    )


def _not_found(enp: str) -> ProblemError:
    return ProblemError(
        404, rule="not-found", title_ru="Полис не найден", title_en="Policy not found", detail_en=f"ЕНП {enp}"
    )


@router.post(
    "", status_code=201, response_model=PolicyOut, summary="Issue a policy (OMS-03)", responses=PROBLEMS
)
async def issue_policy(
    body: IssueIn, client: CurrentClient, key: IdempotencyKey, runtime: Runtime
) -> JSONResponse:
    async with runtime.db.transaction() as session:

        async def issue() -> PolicyOut:
            try:
                policy, _ = await service.issue(
                    session, runtime.outbox, body, source=client.client_id, at=utcnow()
                )
            except service.Refused as refused:
                raise _problem(refused) from refused
            return await _out(session, policy)

        return await store.run(
            session,
            owner=client.client_id,
            key=key,
            operation="policies.issue",
            body=body,
            ttl=timedelta(hours=24),
            action=issue,
            status_code=201,
        )


@router.get(
    "",
    response_model=PolicyList,
    summary="Find policies by СНИЛС, or by name and date of birth",
    responses=PROBLEMS,
)
async def find_policies(
    client: CurrentClient,
    runtime: Runtime,
    snils: Annotated[str | None, Query(description="11 digits (ID-02)")] = None,
    last_name: str | None = None,
    first_name: str | None = None,
    patronymic: str | None = None,
    birth_date: date | None = None,
    document_number: str | None = None,
) -> PolicyList:
    async with runtime.db.transaction() as session:
        if snils is not None:
            if not is_valid_snils(snils):
                raise ProblemError(
                    422,
                    rule="ID-02",
                    title_ru="СНИЛС неверен",
                    title_en="Invalid СНИЛС",
                    errors=[
                        FieldError(field="snils", location="query", rule="ID-02", message="СНИЛС неверен")
                    ],
                )
            found = await service.by_snils(session, normalize_snils(snils))
        elif last_name and first_name and birth_date:
            found = await service.by_name(
                session, last_name, first_name, patronymic, birth_date, document_number
            )
        else:
            raise ProblemError(
                422,
                rule="search-criteria",
                title_ru="Укажите СНИЛС или фамилию, имя и дату рождения",
                title_en="Give the СНИЛС, or the last name, first name and date of birth",
            )
        return PolicyList(items=[await _out(session, p) for p in found])


async def _policy(session: AsyncSession, enp: str, *, lock: bool = False) -> Policy:
    if not is_valid_enp(enp):
        raise ProblemError(
            422,
            rule="ID-01",
            title_ru="ЕНП неверен: 16 цифр, последняя — контрольная по Луну",
            title_en="Invalid ЕНП: 16 digits, the last a Luhn check digit",
            errors=[FieldError(field="enp", location="path", rule="ID-01", message="ЕНП неверен")],
        )
    policy = await service.by_enp(session, enp, lock=lock)
    if policy is None:
        raise _not_found(enp)
    return policy


@router.get("/{enp}", response_model=PolicyOut, summary="A policy by its ЕНП", responses=PROBLEMS)
async def get_policy(enp: str, client: CurrentClient, runtime: Runtime) -> PolicyOut:
    async with runtime.db.transaction() as session:
        return await _out(session, await _policy(session, enp))


@router.get("/{enp}/history", response_model=History, summary="Every event of a policy", responses=PROBLEMS)
async def get_history(enp: str, client: CurrentClient, runtime: Runtime) -> History:
    async with runtime.db.transaction() as session:
        await _policy(session, enp)
        events = await service.history(session, enp)
        return History(
            enp=enp,
            events=[
                EventOut(at=e.at, operation=e.operation, reason=e.reason, source=e.source, details=e.details)
                for e in events
            ],
        )


async def _operate(
    runtime: Any,
    enp: str,
    operation: Operation,
    reason: str,
    source: str,
    change: ChangeInsurerIn | ChangeRegionIn | None = None,
) -> PolicyOut:
    async with runtime.db.transaction() as session:
        policy = await _policy(session, enp, lock=True)
        try:
            await service.operate(
                session,
                runtime.outbox,
                policy,
                operation,
                reason=reason,
                source=source,
                at=utcnow(),
                change=change,
            )
        except service.Refused as refused:
            raise _problem(refused) from refused
        return await _out(session, policy)


@router.post(
    "/{enp}/suspend",
    response_model=PolicyOut,
    summary="Suspend (military service, OMS-06)",
    responses=PROBLEMS,
)
async def suspend(enp: str, body: ReasonIn, client: CurrentClient, runtime: Runtime) -> PolicyOut:
    return await _operate(runtime, enp, Operation.suspend, body.reason, client.client_id)


@router.post(
    "/{enp}/resume", response_model=PolicyOut, summary="Resume a suspended policy", responses=PROBLEMS
)
async def resume(enp: str, body: ReasonIn, client: CurrentClient, runtime: Runtime) -> PolicyOut:
    return await _operate(runtime, enp, Operation.resume, body.reason, client.client_id)


@router.post("/{enp}/terminate", response_model=PolicyOut, summary="Terminate (OMS-06)", responses=PROBLEMS)
async def terminate(enp: str, body: ReasonIn, client: CurrentClient, runtime: Runtime) -> PolicyOut:
    return await _operate(runtime, enp, Operation.terminate, body.reason, client.client_id)


@router.post(
    "/{enp}/change-insurer",
    response_model=PolicyOut,
    summary="Change the insurer (OMS-04)",
    responses=PROBLEMS,
)
async def change_insurer(
    enp: str, body: ChangeInsurerIn, client: CurrentClient, runtime: Runtime
) -> PolicyOut:
    return await _operate(runtime, enp, Operation.change_insurer, body.reason, client.client_id, body)


@router.post(
    "/{enp}/change-region", response_model=PolicyOut, summary="Change the region", responses=PROBLEMS
)
async def change_region(enp: str, body: ChangeRegionIn, client: CurrentClient, runtime: Runtime) -> PolicyOut:
    return await _operate(runtime, enp, Operation.change_region, body.reason, client.client_id, body)
