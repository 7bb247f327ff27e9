"""The deadlines nobody sends a message about (DMS-06): the end of the collection, offers lapsing, an
overdue policy. The gateway's sweeper finds them in the database."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from gateway.dms.models import Application, Offer, QuoteRequest
from gateway.dms.rules import ApplicationStatus
from gateway.dms.sweeper import sweep_once
from gateway.notifications.models import Notification
from kit.messaging.envelope import utcnow
from services.gateway.tests.conftest import Gateway


def application(status: ApplicationStatus, **values: object) -> Application:
    now = utcnow()
    return Application(
        id=str(uuid.uuid4()),
        account_id="account-1",
        status=status,
        work_region="77",
        term_months=6,
        personal=b"-",
        submitted_at=now - timedelta(days=5),
        updated_at=now - timedelta(days=5),
        collect_until=now - timedelta(days=5),
        deadline_breached=False,
        **values,
    )


async def reload(gateway: Gateway, application_id: str) -> Application:
    async with gateway.runtime.db.transaction() as session:
        found: Application | None = await session.get(Application, application_id)
        assert found is not None
        return found


async def kinds(gateway: Gateway, application_id: str) -> list[str]:
    async with gateway.runtime.db.transaction() as session:
        query = select(Notification.kind).where(Notification.application_id == application_id)
        return list((await session.scalars(query)).all())


async def test_the_collection_ends_at_its_deadline_naming_who_did_not_answer(gateway: Gateway):  # DMS-06
    record = application(ApplicationStatus.submitted)
    async with gateway.runtime.db.transaction() as session:
        session.add(record)
        await session.flush()
        session.add(QuoteRequest(application_id=record.id, insurer="volga", state="asked", asked_at=utcnow()))
    await sweep_once(gateway.runtime)
    closed = await reload(gateway, record.id)
    assert closed.status is ApplicationStatus.no_offers
    assert closed.collection_closed_at is not None
    assert "collection_closed" in await kinds(gateway, record.id)


async def test_offers_that_all_lapsed_expire_the_application(gateway: Gateway):  # DMS-06
    record = application(ApplicationStatus.offers_received)
    async with gateway.runtime.db.transaction() as session:
        session.add(record)
        await session.flush()
        session.add(
            Offer(
                id=f"off-{record.id}",
                application_id=record.id,
                insurer="volga",
                premium_kopecks=429_000,
                sum_insured_kopecks=10_000_000,
                valid_until=utcnow() - timedelta(minutes=1),
                received_at=utcnow() - timedelta(days=3),
                late=False,
                terms={},
            )
        )
    await sweep_once(gateway.runtime)
    assert (await reload(gateway, record.id)).status is ApplicationStatus.offer_expired
    assert "offers_expired" in await kinds(gateway, record.id)


async def test_a_policy_missing_after_its_due_date_is_flagged_once(gateway: Gateway):  # DMS-06
    record = application(ApplicationStatus.paid, policy_due_by=(utcnow() - timedelta(days=2)).date())
    on_time = application(ApplicationStatus.paid, policy_due_by=(utcnow() + timedelta(days=1)).date())
    async with gateway.runtime.db.transaction() as session:
        session.add_all([record, on_time])
    await sweep_once(gateway.runtime)
    await sweep_once(gateway.runtime)
    assert (await reload(gateway, record.id)).deadline_breached is True
    assert (await kinds(gateway, record.id)).count("deadline_breached") == 1
    assert (await reload(gateway, on_time.id)).deadline_breached is False
