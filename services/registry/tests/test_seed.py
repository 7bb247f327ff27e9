"""The synthetic population: valid identifiers, and new policies after it never collide (ID-01, ID-02)."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Any

import asyncpg
import pytest

from kit.db import upgrade_to_head
from registry.app import MIGRATIONS
from registry.identifiers import is_valid_enp, is_valid_snils
from registry.policies.service import enp_for
from registry.seed import SNILS_BASE, enp_run, patronymic, seed, snils_for, snils_run

SECONDARY = {  # dropped for the load, and there again after it
    "ix_persons_name_key_birth_date",
    "ix_person_documents_number_kind",
    "ix_person_documents_person_id",
    "ix_policies_person_id",
    "ix_policy_events_enp",
}
FOREIGN_KEYS = {
    "fk_person_documents_person_id_persons",
    "fk_policies_person_id_persons",
    "fk_policy_events_enp_policies",
}


def test_patronymics():
    assert patronymic("Фёдор", male=True) == "Фёдорович"
    assert patronymic("Николай", male=False) == "Николаевна"
    assert patronymic("Пётр", male=True) == "Петрович"
    assert patronymic("Илья", male=False) == "Ильинична"


@pytest.mark.parametrize("first", [1_002_001, 1_002_998, 1_999_990, 999_997_500])
def test_snils_a_thousand_at_a_time_are_the_one_by_one_numbers(first: int):  # ID-02
    numbers = [n.decode() for n in snils_run(first, 2_345)]
    assert numbers == [snils_for(serial) for serial in range(first, first + 2_345)]
    assert all(is_valid_snils(n) for n in numbers)


@pytest.mark.parametrize("first", [1, 998, 999_999, 9_999_999_997_000])
@pytest.mark.parametrize("region", ["01", "77", "92"])
def test_enp_a_thousand_at_a_time_are_the_one_by_one_numbers(region: str, first: int):  # ID-01
    numbers = [n.decode() for n in enp_run(region, first, 2_345)]
    assert numbers == [enp_for(region, serial) for serial in range(first, first + 2_345)]
    assert all(is_valid_enp(n) for n in numbers)


async def _state(conn: asyncpg.Connection) -> dict[str, Any]:
    return {
        "indexes": {
            r["indexname"]
            for r in await conn.fetch("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'ix\\_%'")
        },
        "keys": {
            r["conname"]: r["convalidated"]
            for r in await conn.fetch("SELECT conname, convalidated FROM pg_constraint WHERE contype = 'f'")
        },
        "counters": {
            r["region"]: int(r["last_serial"]) for r in await conn.fetch("SELECT * FROM enp_counters")
        },
    }


def _highest_serials(enps: list[str]) -> dict[str, int]:
    serials: dict[str, int] = {}
    for enp in enps:
        serials[enp[:2]] = max(serials.get(enp[:2], 0), int(enp[2:15]))
    return serials


async def test_seeded_people_have_valid_numbers_and_the_counters_move_on(database_url: str):  # ID-01, ID-02
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, database_url)
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    result = await seed(dsn, 500, batch=200)
    assert result["persons"] == 500
    assert result["persons_per_second"] > 0
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT p.enp, p.region, p.insurer, p.valid_from, p.status, s.id, s.snils, s.sex, s.last_name, "
            "s.first_name, s.patronymic, s.name_key, s.birth_date, d.kind, d.series, d.number, d.issued_on, "
            "e.operation, e.details::text AS details "
            "FROM policies p JOIN persons s ON s.id = p.person_id "
            "JOIN person_documents d ON d.person_id = s.id JOIN policy_events e ON e.enp = p.enp"
        )
        assert len(rows) == 500  # one document, one policy and its issue event each
        assert sorted(r["id"] for r in rows) == list(range(1, 501))
        assert all(is_valid_enp(r["enp"]) and r["enp"].startswith(r["region"]) for r in rows)
        assert all(is_valid_snils(r["snils"]) for r in rows)
        assert len({r["snils"] for r in rows}) == len({r["enp"] for r in rows}) == 500
        today = date.today()
        for r in rows:
            assert r["status"] == "active"
            assert r["operation"] == "issue"
            assert json.loads(r["details"]) == {"insurer": r["insurer"], "region": r["region"]}
            assert r["name_key"] == f"{r['last_name']}|{r['first_name']}|{r['patronymic']}".upper().replace(
                "Ё", "Е"
            )
            assert r["patronymic"].endswith(("ич", "на"))
            assert r["patronymic"].endswith("ич") == (r["sex"] == "male")
            assert date(1930, 1, 1) <= r["birth_date"] < today
            assert r["valid_from"] == max(r["birth_date"], date(2011, 1, 1))
            child = (today - r["birth_date"]).days < 14 * 365
            assert r["kind"] == ("birth_certificate" if child else "passport")
            assert len(r["number"]) == 6
        men = sum(r["sex"] == "male" for r in rows)
        assert 150 < men < 330  # 48 %
        state = await _state(conn)
        assert state["counters"] == _highest_serials([r["enp"] for r in rows])  # the next policy: next serial
        assert state["indexes"] >= SECONDARY  # rebuilt after the load
        assert state["keys"] == dict.fromkeys(FOREIGN_KEYS, True)  # put back, validated
        for table in ("persons", "person_documents", "policy_events"):
            assert await conn.fetchval(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))") == 501
    finally:
        await conn.close()


async def test_a_second_load_goes_on_after_the_first(database_url: str):  # ID-01, ID-02
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, database_url)
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        # a policy the register issued itself before the load: the load's serials come after it
        await conn.execute("INSERT INTO enp_counters (region, last_serial) VALUES ('77', 40)")
        await seed(dsn, 300, batch=100)
        await seed(dsn, 300, batch=120, seed_value=2)
        rows = await conn.fetch(
            "SELECT p.enp, s.id, s.snils FROM policies p JOIN persons s ON s.id = p.person_id"
        )
        assert sorted(r["id"] for r in rows) == list(range(1, 601))
        assert len({r["snils"] for r in rows}) == 600
        assert {r["snils"] for r in rows} == {snils_for(SNILS_BASE + i) for i in range(1, 601)}
        assert all(is_valid_enp(r["enp"]) for r in rows)
        assert min(int(r["enp"][2:15]) for r in rows if r["enp"].startswith("77")) == 41
        state = await _state(conn)
        assert state["counters"] == _highest_serials([r["enp"] for r in rows])
        assert await conn.fetchval("SELECT count(*) FROM policy_events") == 600
        assert await conn.fetchval("SELECT count(DISTINCT id) FROM person_documents") == 600
    finally:
        await conn.close()


async def test_a_failed_load_still_puts_the_indexes_and_keys_back(database_url: str):
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, database_url)
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        # person 1 holds the СНИЛС the load would give person 150: that chunk fails on the unique key
        await conn.execute(
            "INSERT INTO persons (id, last_name, first_name, name_key, sex, birth_date, citizenship, snils, "
            "created_at) VALUES (1, 'Тест', 'Тест', 'ТЕСТ|ТЕСТ|', 'male', '1990-01-01', 'RUS', $1, now())",
            snils_for(SNILS_BASE + 150),
        )
        with pytest.raises(RuntimeError, match="seed worker failed"):
            await seed(dsn, 400, batch=100)
        state = await _state(conn)
        assert state["indexes"] >= SECONDARY
        assert state["keys"] == dict.fromkeys(FOREIGN_KEYS, True)
        enps = [r["enp"] for r in await conn.fetch("SELECT enp FROM policies")]
        assert state["counters"] == _highest_serials(enps)  # whatever chunks got in, no serial is reused
        assert await conn.fetchval("SELECT count(*) FROM persons WHERE id BETWEEN 102 AND 201") == 0
    finally:
        await conn.close()
