"""OMS-02 for holders the register knew before their account did: the gateway asks the register
whether the confirmed holder has a policy, shows what it finds, and, since the real register may say
"not found" under load, asks again with backoff before it tells the holder that nothing was found.
Runs inside the caller's transaction; the retries run in the gateway's background loop."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.accounts.service import AccountView, get_account
from gateway.notifications.service import notify
from gateway.oms.models import OmsLookup, OmsPolicy
from gateway.oms.service import show_policy
from gateway.settings import GatewaySettings
from kit.contracts.oms import (
    OMS_POLICY_LOOKUP_REQUESTED,
    InsuredPerson,
    PolicyLookupAnswered,
    PolicyLookupRequested,
)
from kit.crypto import DataCipher
from kit.db import session_is_postgres
from kit.messaging import Outbox
from kit.messaging.envelope import utcnow
from kit.runtime import ServiceRuntime, StartupHook, periodic


def next_attempt_after(attempts: int, *, first_pause: float, limit: int) -> timedelta | None:
    """The pause before asking again after ``attempts`` "not found" answers; None when done. Pure."""
    if attempts >= limit:
        return None
    return timedelta(seconds=first_pause * 4 ** (attempts - 1))


def can_look_up(account: AccountView) -> bool:
    profile = account.profile
    return profile.birth_date is not None and (profile.snils is not None or profile.document is not None)


async def _publish(
    session: AsyncSession, outbox: Outbox, account: AccountView, lookup_id: str, now: datetime
) -> None:
    profile = account.profile
    assert profile.birth_date is not None, "can_look_up() was checked"
    name = profile.name_cyrillic
    await outbox.put(
        session,
        OMS_POLICY_LOOKUP_REQUESTED,
        PolicyLookupRequested(
            lookup_id=lookup_id,
            person=InsuredPerson(
                last_name=name.last_name,
                first_name=name.first_name,
                patronymic=name.patronymic,
                birth_date=profile.birth_date,
                snils=profile.snils,
            ),
            document_number=profile.document.number if profile.document else None,
            requested_at=now,
        ),
        correlation_id=f"oms.lookup.{account.id}",
    )


async def _ask_first(session: AsyncSession, outbox: Outbox, account: AccountView, now: datetime) -> bool:
    """The first question about this holder, once: two cabinets opening at the same moment insert one
    row (ON CONFLICT DO NOTHING) and send one question. True when this call asked."""
    insert = pg_insert if session_is_postgres(session) else sqlite_insert
    lookup_id = str(uuid.uuid4())
    inserted = await session.execute(
        insert(OmsLookup)
        .values(account_id=account.id, lookup_id=lookup_id, status="pending", attempts=1, asked_at=now)
        .on_conflict_do_nothing(index_elements=["account_id"])
    )
    if getattr(inserted, "rowcount", 0) != 1:
        return False
    await _publish(session, outbox, account, lookup_id, now)
    return True


async def ensure_asked(
    session: AsyncSession, outbox: Outbox, account: AccountView, now: datetime
) -> OmsLookup:
    """The holder's look-up, asked the first time it is needed."""
    await _ask_first(session, outbox, account, now)
    lookup = await session.get(OmsLookup, account.id, populate_existing=True)
    assert lookup is not None
    return lookup


async def ask(
    session: AsyncSession, outbox: Outbox, account: AccountView, now: datetime, *, retry: bool = False
) -> OmsLookup:
    """Ask again: after a "not found" (``retry``: one more attempt), or because the holder asked (the
    count starts over)."""
    first = await _ask_first(session, outbox, account, now)
    lookup = await session.get(OmsLookup, account.id, with_for_update=True, populate_existing=True)
    assert lookup is not None
    if first:
        return lookup
    lookup.attempts = lookup.attempts + 1 if retry else 1
    lookup.status = "retrying" if retry else "pending"
    lookup.lookup_id = str(uuid.uuid4())
    lookup.asked_at, lookup.answered_at, lookup.next_attempt_at = now, None, None
    await _publish(session, outbox, account, lookup.lookup_id, now)
    return lookup


async def record_answer(
    session: AsyncSession, answer: PolicyLookupAnswered, settings: GatewaySettings
) -> None:
    lookup = await session.scalar(
        select(OmsLookup).where(OmsLookup.lookup_id == answer.lookup_id).with_for_update()
    )
    if lookup is None:
        return  # an answer to a question asked again since: the newer one counts
    lookup.answered_at = answer.at
    if answer.outcome == "found":
        lookup.status, lookup.next_attempt_at = "found", None
        for found in answer.policies:
            new = await session.get(OmsPolicy, (lookup.account_id, found.enp)) is None
            await show_policy(session, lookup.account_id, found.enp, found, answer.at)
            if new:
                notify(
                    session,
                    account_id=lookup.account_id,
                    kind="oms.found",
                    title=("Ваш полис ОМС найден в реестре", "Your ОМС policy was found in the register"),
                    body=(f"ЕНП {found.enp}", f"ЕНП {found.enp}"),
                )
        return
    pause = next_attempt_after(
        lookup.attempts, first_pause=settings.oms_lookup_backoff_seconds, limit=settings.oms_lookup_attempts
    )
    if pause is not None:
        lookup.status, lookup.next_attempt_at = "retrying", answer.at + pause
        return
    lookup.status, lookup.next_attempt_at = "not_found", None
    notify(
        session,
        account_id=lookup.account_id,
        kind="oms.not_found",
        title=("Полис ОМС в реестре не найден", "No ОМС policy found in the register"),
        body=(
            "Оформите электронный полис: POST /oms/requests (или спросите реестр снова позже)",
            "Apply for an electronic policy: POST /oms/requests (or ask the register again later)",
        ),
    )


async def ask_again_when_due(
    session: AsyncSession, outbox: Outbox, cipher: DataCipher, now: datetime, *, limit: int = 200
) -> int:
    query = (
        select(OmsLookup)
        .where(OmsLookup.status == "retrying", OmsLookup.next_attempt_at <= now)
        .order_by(OmsLookup.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    due = (await session.scalars(query)).all()
    for lookup in due:
        account = await get_account(session, cipher, lookup.account_id)
        if account is not None:
            await ask(session, outbox, account, now, retry=True)
    return len(due)


def retrier(cipher: DataCipher, interval: float) -> StartupHook:
    async def step(session: AsyncSession, runtime: ServiceRuntime) -> int:
        return await ask_again_when_due(session, runtime.outbox, cipher, utcnow())

    return periodic(interval, step)
