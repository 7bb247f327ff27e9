"""A synthetic population for the register, loaded with PostgreSQL COPY.

    python -m registry.seed --count 1000000 --database-url postgresql://postgres@127.0.0.1/interchange_registry

Realistic Russian names (common surnames, first names and patronymics, by sex), dates of birth from
1930 to today, passports or birth certificates, valid СНИЛС (ID-02) and ЕНП (ID-01, from the
region's counter, so issued policies never collide with them), one policy per person with its
`issue` event. Every person, name and number is invented (SYNTHETIC). The schema must exist
(the registry migrates at start, or ``make migrate DATABASE=postgres``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from registry.directory.insurers import insurers_in
from registry.directory.regions import REGIONS
from registry.identifiers import snils_check_number
from registry.policies.service import enp_for, name_key

MALE_SURNAMES = [
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Воробьёв",
    "Сергеев",
    "Кузьмин",
    "Фролов",
    "Александров",
    "Дмитриев",
    "Королёв",
    "Гусев",
    "Киселёв",
    "Ильин",
    "Максимов",
    "Поляков",
    "Сорокин",
    "Виноградов",
    "Ковалёв",
    "Белов",
    "Медведев",
    "Антонов",
    "Тарасов",
    "Жуков",
    "Баранов",
    "Филиппов",
    "Комаров",
    "Давыдов",
    "Беляев",
    "Герасимов",
    "Богданов",
    "Осипов",
    "Сидоров",
    "Матвеев",
    "Титов",
    "Марков",
    "Миронов",
]
MALE_NAMES = [
    "Александр",
    "Алексей",
    "Андрей",
    "Артём",
    "Владимир",
    "Дмитрий",
    "Евгений",
    "Иван",
    "Игорь",
    "Кирилл",
    "Максим",
    "Михаил",
    "Никита",
    "Николай",
    "Олег",
    "Павел",
    "Роман",
    "Сергей",
    "Юрий",
    "Денис",
    "Антон",
    "Виктор",
    "Георгий",
    "Егор",
    "Илья",
    "Константин",
    "Матвей",
    "Тимофей",
    "Фёдор",
]
FEMALE_NAMES = [
    "Анна",
    "Анастасия",
    "Валентина",
    "Вера",
    "Виктория",
    "Галина",
    "Дарья",
    "Екатерина",
    "Елена",
    "Ирина",
    "Ксения",
    "Людмила",
    "Мария",
    "Наталья",
    "Ольга",
    "Полина",
    "Светлана",
    "Софья",
    "Татьяна",
    "Юлия",
    "Алёна",
    "Алина",
    "Василиса",
    "Евгения",
    "Елизавета",
    "Марина",
    "Надежда",
    "Нина",
]
FATHERS = [
    "Александр",
    "Алексей",
    "Андрей",
    "Владимир",
    "Дмитрий",
    "Евгений",
    "Иван",
    "Игорь",
    "Михаил",
    "Николай",
    "Олег",
    "Павел",
    "Сергей",
    "Юрий",
    "Виктор",
    "Фёдор",
    "Пётр",
    "Григорий",
    "Борис",
    "Анатолий",
]


def patronymic(father: str, male: bool) -> str:
    """Фёдор → Фёдорович / Фёдоровна; Николай → Николаевич; Илья → Ильич (the regular Russian endings)."""
    special = {"Пётр": ("Петрович", "Петровна"), "Илья": ("Ильич", "Ильинична")}
    if father in special:
        return special[father][0 if male else 1]
    if father.endswith("й"):
        stem = father[:-1]
        return stem + ("евич" if male else "евна")
    return father + ("ович" if male else "овна")


def female_surname(surname: str) -> str:
    return surname + "а" if surname.endswith(("ов", "ев", "ёв", "ин", "ын")) else surname


def snils_for(serial: int) -> str:
    """A valid СНИЛС (ID-02) from a 9-digit serial above 001-001-998."""
    first9 = f"{serial:09d}"
    return first9 + f"{snils_check_number(first9):02d}"


def people(start_id: int, count: int, region_serials: dict[str, int], seed: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    regions = list(REGIONS)
    today = date.today()
    for offset in range(count):
        person_id = start_id + offset
        male = rng.random() < 0.48
        surname = rng.choice(MALE_SURNAMES)
        last = surname if male else female_surname(surname)
        first = rng.choice(MALE_NAMES if male else FEMALE_NAMES)
        middle = patronymic(rng.choice(FATHERS), male)
        birth = date(1930, 1, 1) + timedelta(days=rng.randrange((today - date(1930, 1, 1)).days))
        region = rng.choice(regions)
        region_serials[region] += 1
        child = (today - birth).days < 14 * 365
        yield {
            "id": person_id,
            "last": last,
            "first": first,
            "middle": middle,
            "sex": "male" if male else "female",
            "birth": birth,
            "snils": snils_for(1_002_000 + person_id),
            "region": region,
            "enp": enp_for(region, region_serials[region]),
            "insurer": rng.choice(insurers_in(region)).code,
            "doc_kind": "birth_certificate" if child else "passport",
            "doc_series": f"{rng.randrange(10, 99)}{rng.randrange(0, 99):02d}" if not child else "IV-МЮ",
            "doc_number": f"{rng.randrange(1_000_000):06d}",
            "doc_issued": birth + timedelta(days=30 if child else 14 * 365 + rng.randrange(3000)),
            "valid_from": max(birth, date(2011, 1, 1)),
        }


TABLES = ("persons", "person_documents", "policies", "policy_events")


async def _drop_secondary_indexes(conn: asyncpg.Connection) -> list[str]:
    """The bulk-load practice of pg_restore: secondary indexes are dropped during COPY and built once
    at the end (much cheaper than maintaining them row by row). Keys and unique constraints stay."""
    rows = await conn.fetch(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename = ANY($1::text[]) AND indexname LIKE 'ix\\_%'",
        list(TABLES),
    )
    for row in rows:
        await conn.execute(f'DROP INDEX "{row["indexname"]}"')
    return [str(row["indexdef"]) for row in rows]


async def seed(dsn: str, count: int, *, batch: int = 50_000, seed_value: int = 1) -> dict[str, Any]:
    conn = await asyncpg.connect(dsn)
    started = time.perf_counter()
    now = datetime.now(UTC)
    indexes = await _drop_secondary_indexes(conn)
    try:
        start_id = int(await conn.fetchval("SELECT coalesce(max(id), 0) + 1 FROM persons"))
        serials = dict.fromkeys(REGIONS, 0)
        for row in await conn.fetch("SELECT region, last_serial FROM enp_counters"):
            serials[row["region"]] = int(row["last_serial"])
        loaded = 0
        generator = people(start_id, count, serials, seed_value)

        def make_chunk(size: int) -> list[dict[str, Any]]:
            return [next(generator) for _ in range(size)]

        # The next chunk is generated in a thread while PostgreSQL writes the current one.
        loop = asyncio.get_running_loop()
        upcoming = loop.run_in_executor(None, make_chunk, min(batch, count))
        while loaded < count:
            chunk = await upcoming
            after = min(batch, count - loaded - len(chunk))
            if after:
                upcoming = loop.run_in_executor(None, make_chunk, after)
            async with conn.transaction():
                await conn.copy_records_to_table(
                    "persons",
                    columns=[
                        "id",
                        "last_name",
                        "first_name",
                        "patronymic",
                        "name_key",
                        "sex",
                        "birth_date",
                        "birth_place",
                        "citizenship",
                        "snils",
                        "created_at",
                    ],
                    records=[
                        (
                            p["id"],
                            p["last"],
                            p["first"],
                            p["middle"],
                            name_key(p["last"], p["first"], p["middle"]),
                            p["sex"],
                            p["birth"],
                            None,
                            "RUS",
                            p["snils"],
                            now,
                        )
                        for p in chunk
                    ],
                )
                await conn.copy_records_to_table(
                    "person_documents",
                    columns=["person_id", "kind", "series", "number", "issued_on", "valid_until", "current"],
                    records=[
                        (
                            p["id"],
                            p["doc_kind"],
                            p["doc_series"],
                            p["doc_number"],
                            p["doc_issued"],
                            None,
                            True,
                        )
                        for p in chunk
                    ],
                )
                await conn.copy_records_to_table(
                    "policies",
                    columns=[
                        "enp",
                        "person_id",
                        "status",
                        "insurer",
                        "region",
                        "valid_from",
                        "valid_until",
                        "clinic",
                        "last_insurer_change_on",
                        "issued_at",
                        "updated_at",
                    ],
                    records=[
                        (
                            p["enp"],
                            p["id"],
                            "active",
                            p["insurer"],
                            p["region"],
                            p["valid_from"],
                            None,
                            None,
                            None,
                            now,
                            now,
                        )
                        for p in chunk
                    ],
                )
                await conn.copy_records_to_table(
                    "policy_events",
                    columns=["enp", "at", "operation", "reason", "source", "details"],
                    records=[
                        (
                            p["enp"],
                            now,
                            "issue",
                            "synthetic population",
                            "seed",
                            json.dumps({"insurer": p["insurer"], "region": p["region"]}),
                        )
                        for p in chunk
                    ],
                )
            loaded += len(chunk)
        async with conn.transaction():
            await conn.executemany(
                "INSERT INTO enp_counters (region, last_serial) VALUES ($1, $2) "
                "ON CONFLICT (region) DO UPDATE SET last_serial = greatest(enp_counters.last_serial, $2)",
                [(region, serial) for region, serial in serials.items() if serial],
            )
            for table in ("persons", "person_documents", "policy_events"):
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
    finally:
        for definition in indexes:  # built again even when the load failed half-way
            await conn.execute(definition)
        await conn.execute("ANALYZE persons, person_documents, policies, policy_events")
        await conn.close()
    elapsed = time.perf_counter() - started
    return {"persons": count, "seconds": elapsed, "persons_per_second": count / elapsed if elapsed else 0.0}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--database-url", required=True, help="postgresql://… of the registry's database")
    args = parser.parse_args()
    dsn = args.database_url.replace("postgresql+asyncpg://", "postgresql://")
    result = asyncio.run(seed(dsn, args.count))
    rate = result["persons_per_second"]
    print(f"{result['persons']} persons in {result['seconds']:.1f} s = {rate:.0f} persons/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
