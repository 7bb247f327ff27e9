"""The directory on SQLite (``make run``'s default database): a re-announcement updates the entry.

SQLite returns naive datetimes; comparing them with the announcement's aware ones used to fail and
dead-letter every announcement after the first start."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from gateway.db import metadata
from gateway.directory import models  # noqa: F401  (registers the table)
from gateway.directory.service import get_insurer, record_announcement
from kit.contracts.directory import InsurerAnnounced, Licence, Product
from kit.db import Database


def announcement(started: datetime) -> InsurerAnnounced:
    return InsurerAnnounced(
        code="volga",
        legal_name="АО «Волга-Мед» (демо)",
        short_name="Волга-Мед",
        inn="9900000017",
        ogrn="1029900000019",
        licence=Licence(number="СЛ № 0000-ДЕМО", issued_on=date(2015, 3, 17)),
        address="г. Самара",
        phone="+7 800 000-00-01",
        website="https://volga-med.example",
        regions=["63"],
        products=[Product(code="dms-migrant", name="ДМС-мигрант", line="dms-migrant")],
        synthetic=True,
        instance_started_at=started,
    )


async def test_a_newer_announcement_replaces_an_older_one_on_sqlite(tmp_path: Path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        first = datetime(2026, 11, 22, 9, tzinfo=UTC)
        for started, expected in ((first, True), (first + timedelta(hours=1), True), (first, False)):
            async with db.transaction() as session:
                assert (
                    await record_announcement(session, announcement(started), received_at=started) is expected
                )
        async with db.transaction() as session:
            entry = await get_insurer(session, "volga")
            assert entry is not None
            assert entry.instance_started_at.replace(tzinfo=UTC) == first + timedelta(hours=1)
    finally:
        await db.dispose()
