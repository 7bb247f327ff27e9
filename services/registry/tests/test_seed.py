"""The synthetic population: valid identifiers, and new policies after it never collide (ID-01, ID-02)."""

from __future__ import annotations

import asyncio

import asyncpg

from kit.db import upgrade_to_head
from registry.app import MIGRATIONS
from registry.identifiers import is_valid_enp, is_valid_snils
from registry.seed import patronymic, seed


def test_patronymics():
    assert patronymic("Фёдор", male=True) == "Фёдорович"
    assert patronymic("Николай", male=False) == "Николаевна"
    assert patronymic("Пётр", male=True) == "Петрович"
    assert patronymic("Илья", male=False) == "Ильинична"


async def test_seeded_people_have_valid_numbers_and_the_counters_move_on(database_url: str):  # ID-01, ID-02
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, database_url)
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    result = await seed(dsn, 500, batch=200)
    assert result["persons"] == 500
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT p.enp, s.snils, p.region FROM policies p JOIN persons s ON s.id = p.person_id"
        )
        assert len(rows) == 500
        assert all(is_valid_enp(r["enp"]) and r["enp"].startswith(r["region"]) for r in rows)
        assert all(is_valid_snils(r["snils"]) for r in rows)
        assert await conn.fetchval("SELECT count(*) FROM policy_events WHERE operation = 'issue'") == 500
        highest = {r["region"]: int(r["last_serial"]) for r in await conn.fetch("SELECT * FROM enp_counters")}
        serials: dict[str, int] = {}
        for r in rows:
            serials[r["region"]] = max(serials.get(r["region"], 0), int(r["enp"][2:15]))
        assert highest == serials  # the next policy issued in a region takes the next serial
        indexes = {
            r["indexname"]
            for r in await conn.fetch("SELECT indexname FROM pg_indexes WHERE tablename='persons'")
        }
        assert "ix_persons_name_key_birth_date" in indexes  # rebuilt after the load
    finally:
        await conn.close()
