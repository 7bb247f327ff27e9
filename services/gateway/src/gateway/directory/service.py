"""Directory operations. They run inside the caller's transaction and never commit."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.directory.models import DirectoryEntry
from gateway.directory.rules import announcement_supersedes
from kit.contracts.directory import InsurerAnnounced
from kit.db import as_utc


async def record_announcement(
    session: AsyncSession, announcement: InsurerAnnounced, received_at: datetime
) -> bool:
    """Create or update the insurer's entry; returns False when the announcement was stale."""
    entry = await session.get(DirectoryEntry, announcement.code, with_for_update=True)
    # SQLite hands back naive datetimes (UTC): compare them as UTC.
    if entry is not None and not announcement_supersedes(
        as_utc(entry.instance_started_at), announcement.instance_started_at
    ):
        return False
    if entry is None:
        entry = DirectoryEntry(code=announcement.code, first_announced_at=received_at)
        session.add(entry)
    entry.legal_name = announcement.legal_name
    entry.short_name = announcement.short_name
    entry.inn = announcement.inn
    entry.ogrn = announcement.ogrn
    entry.licence_number = announcement.licence.number
    entry.licence_issued_on = announcement.licence.issued_on
    entry.address = announcement.address
    entry.phone = announcement.phone
    entry.website = announcement.website
    entry.regions = list(announcement.regions)
    entry.products = [product.model_dump(mode="json") for product in announcement.products]
    entry.synthetic = announcement.synthetic
    entry.instance_started_at = announcement.instance_started_at
    entry.last_announced_at = received_at
    return True


async def list_insurers(session: AsyncSession, *, region: str | None = None) -> Sequence[DirectoryEntry]:
    entries = (await session.scalars(select(DirectoryEntry).order_by(DirectoryEntry.code))).all()
    if region is None:
        return entries
    # The region lists are small JSON arrays; filtering here works the same on SQLite and PostgreSQL.
    return [entry for entry in entries if region in entry.regions]


async def get_insurer(session: AsyncSession, code: str) -> DirectoryEntry | None:
    return await session.get(DirectoryEntry, code)
