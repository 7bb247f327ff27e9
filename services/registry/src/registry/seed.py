"""A synthetic population for the register, loaded with PostgreSQL COPY.

    python -m registry.seed --count 1000000 --database-url postgresql://postgres@127.0.0.1/interchange_registry

Realistic Russian names (common surnames, first names and patronymics, by sex), dates of birth from
1930 to today, passports or birth certificates, valid СНИЛС (ID-02) and ЕНП (ID-01, from the
region's counter, so issued policies never collide with them), one policy per person with its
`issue` event. Every person, name and number is invented (SYNTHETIC). The schema must exist
(the registry migrates at start, or ``make migrate DATABASE=postgres``).

How it is fast (four rows per person; figures in docs/BENCHMARKS.md):

* the parent plans the load in chunks (``batch`` persons, one transaction each): a chunk has its own
  range of person and document ids and, region by region, its own range of ЕНП serials after the
  region's counter, so chunks are disjoint and commit in any order;
* worker processes (``spawn``, one per core by default) generate chunks of persons, documents and
  policies and COPY them on their own connections, each with ``synchronous_commit = off``;
* the rows are written directly in COPY's binary format: every name combination (with its name_key
  and sex), every date and the constant tail of each row are encoded once, so a row is one bytes
  ``%`` of a few parts; СНИЛС and ЕНП check digits are worked out a thousand serials at a time;
* as pg_restore does, the secondary indexes and the foreign keys of the four tables are dropped for the
  load and put back at the end (even when the load fails): the keys added NOT VALID and then
  validated in one merge join each; primary keys and the СНИЛС unique constraint stay, so a duplicate
  still fails the load;
* the issue events come after the chunks, from the parent on one connection, in ЕНП order (the
  insurer of a policy is a seeded function of its region and serial, so they match), while two
  other connections build the other tables' indexes: the events' ЕНП index then finds its input
  sorted. The ЕНП counters and the id sequences are set last from what is in the tables.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import queue
import random
import sys
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from math import floor
from typing import Any

import asyncpg

from registry.directory.insurers import insurers_in
from registry.directory.regions import REGIONS
from registry.identifiers import snils_check_number

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


# --- identifiers, a run of consecutive serials at a time ------------------------------------------

_TRIPLES = [f"{i:03d}".encode() for i in range(1000)]
#: ID-02 weights 3, 2, 1 of the last three digits of a СНИЛС serial.
_SNILS_TAIL_SUM = [(i // 100) * 3 + (i // 10 % 10) * 2 + i % 10 for i in range(1000)]
#: Luhn (ID-01): from the right of the 15 digits, the 1st, 3rd, … are doubled (digit sum of 2d).
_LUHN_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)
_ENP_TAIL_SUM = [_LUHN_DOUBLED[i // 100] + i // 10 % 10 + _LUHN_DOUBLED[i % 10] for i in range(1000)]
_LUHN_CHECK = [str(-total % 10).encode() for total in range(12 * 9 + 27 + 1)]


def _snils_check_for_sum(total: int) -> bytes:
    """ID-02 on the weighted sum (the rule of :func:`registry.identifiers.snils_check_number`)."""
    if total < 100:
        number = total
    elif total in (100, 101):
        number = 0
    else:
        number = total % 101 % 100  # 100 gives 00
    return f"{number:02d}".encode()


_SNILS_CHECK = [_snils_check_for_sum(total) for total in range(9 * 45 + 1)]


def snils_run(first_serial: int, count: int) -> list[bytes]:
    """``snils_for(s)`` (ASCII) for s in first_serial … first_serial + count - 1: the weighted sum of the
    first six digits is worked out once per thousand serials."""
    numbers: list[bytes] = []
    serial, end = first_serial, first_serial + count
    while serial < end:
        high, low = divmod(serial, 1000)
        stop = min(end - high * 1000, 1000)
        head = f"{high:06d}"
        head_sum = sum(int(digit) * weight for digit, weight in zip(head, range(9, 3, -1), strict=True))
        prefix = head.encode()
        numbers.extend(
            [prefix + _TRIPLES[j] + _SNILS_CHECK[head_sum + _SNILS_TAIL_SUM[j]] for j in range(low, stop)]
        )
        serial = high * 1000 + stop
    return numbers


def enp_run(region: str, first_serial: int, count: int) -> list[bytes]:
    """``enp_for(region, s)`` (ASCII) for s in first_serial … first_serial + count - 1: the Luhn sum of
    the first twelve digits is worked out once per thousand serials."""
    numbers: list[bytes] = []
    serial, end = first_serial, first_serial + count
    while serial < end:
        high, low = divmod(serial, 1000)
        stop = min(end - high * 1000, 1000)
        head = f"{region}{high:010d}"  # 12 of the 15 digits; from the left, the 1st, 3rd, … are doubled
        head_sum = sum(
            _LUHN_DOUBLED[int(digit)] if i % 2 == 0 else int(digit) for i, digit in enumerate(head)
        )
        prefix = head.encode()
        numbers.extend(
            [prefix + _TRIPLES[j] + _LUHN_CHECK[head_sum + _ENP_TAIL_SUM[j]] for j in range(low, stop)]
        )
        serial = high * 1000 + stop
    return numbers


# --- rows in COPY's binary format ------------------------------------------------------------------

REGION_CODES = tuple(REGIONS)
SNILS_BASE = 1_002_000  # СНИЛС serial = SNILS_BASE + person id: above 001-001-998, unique per person
EPOCH = date(1930, 1, 1)
CHILD_DAYS = 14 * 365  # younger than that: a birth certificate
PASSPORT_AFTER = 3000  # a passport is issued at 14 + up to 3000 days
POLICIES_FROM = date(2011, 1, 1)
MALE_SHARE = 0.48

#: The COPY column order of each table: the per-row values first, the constant ones last; the
#: columns left out are NULL.
COLUMNS = {
    "persons": [
        "id",
        "birth_date",
        "snils",
        "last_name",
        "first_name",
        "patronymic",
        "name_key",
        "sex",
        "citizenship",
        "created_at",
    ],
    "person_documents": ["id", "person_id", "issued_on", "number", "kind", "series", "current"],
    "policies": ["enp", "person_id", "valid_from", "status", "insurer", "region", "issued_at", "updated_at"],
    "policy_events": ["id", "enp", "at", "operation", "reason", "source", "details"],
}
TABLES = tuple(COLUMNS)

# COPY BINARY: a signature, flags and header extension; each row is a 16-bit field count, then each
# field as a 32-bit length and the value in the type's binary form (all big-endian); -1 ends the data.
_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_TRAILER = b"\xff\xff"
_PG_EPOCH = date(2000, 1, 1)
_DRAWS_MASK = (1 << 20) - 1


def _field(value: bytes) -> bytes:
    return len(value).to_bytes(4, "big") + value


def _text_field(value: str) -> bytes:
    """varchar, text and json: UTF-8 (the connection's encoding)."""
    return _field(value.encode())


def _date_field(day: date) -> bytes:
    return _field((day - _PG_EPOCH).days.to_bytes(4, "big", signed=True))


def _timestamp_field(moment: datetime) -> bytes:
    """timestamptz: microseconds since 2000-01-01 UTC."""
    delta = moment - datetime(2000, 1, 1, tzinfo=UTC)
    return _field(((delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds).to_bytes(8, "big"))


@dataclass(frozen=True)
class ChunkPlan:
    """One transaction's worth of persons, disjoint from every other chunk's."""

    index: int
    first_id: int
    first_document_id: int
    #: The region of each person, as an index into REGION_CODES.
    regions: bytes
    #: For each region, the last ЕНП serial used before this chunk.
    serials_before: tuple[int, ...]


class RowMaker:
    """Everything about a row that can be worked out once per load: the rest is one bytes % per row."""

    def __init__(self, now: datetime, today: date, seed_value: int) -> None:
        # The register's own name_key (made here, in the parent: the workers get this object pickled
        # and need not import the service and its web stack).
        from registry.policies.service import name_key

        stamp = _timestamp_field(now)
        # last name, first name, patronymic, name_key, sex, citizenship, created_at: every combination,
        # men's and women's apart
        self.name_tails: dict[bool, list[bytes]] = {}
        for male, first_names in ((True, MALE_NAMES), (False, FEMALE_NAMES)):
            sex = "male" if male else "female"
            self.name_tails[male] = [
                b"".join(map(_text_field, (last, first, middle, name_key(last, first, middle), sex, "RUS")))
                + stamp
                for surname in MALE_SURNAMES
                for last in (surname if male else female_surname(surname),)
                for first in first_names
                for father in FATHERS
                for middle in (patronymic(father, male),)
            ]
        self.birth_days = (today - EPOCH).days  # a birth is EPOCH + randrange(birth_days)
        self.child_from = self.birth_days - CHILD_DAYS + 1  # (today - birth) < CHILD_DAYS
        self.policies_from = (POLICIES_FROM - EPOCH).days
        self.dates = [_date_field(EPOCH + timedelta(days=d)) for d in range(self.birth_days + PASSPORT_AFTER)]
        true = _field(b"\x01")
        # kind, series, current
        self.passport_tails = [
            _text_field("passport") + _text_field(f"{first}{second:02d}") + true
            for first in range(10, 99)
            for second in range(99)
        ]
        self.certificate_tail = _text_field("birth_certificate") + _text_field("IV-МЮ") + true
        # for each region, for each of its insurers: (status, insurer, region, issued_at, updated_at)
        # and (at, operation, reason, source, details)
        self.insurer_tails: list[list[tuple[bytes, bytes]]] = []
        for region in REGION_CODES:
            options = []
            for insurer in insurers_in(region):
                details = json.dumps({"insurer": insurer.code, "region": region})
                options.append(
                    (
                        b"".join(map(_text_field, ("active", insurer.code, region))) + stamp + stamp,
                        stamp
                        + b"".join(map(_text_field, ("issue", "synthetic population", "seed", details))),
                    )
                )
            self.insurer_tails.append(options)
        # Which insurer a policy has is a function of its region and serial, so that the events pass
        # finds the same one as the chunk that wrote the policy: a byte of a seeded random table.
        self.insurer_draws = random.Random(seed_value).randbytes(_DRAWS_MASK + 1)

    def _insurer_tails(self, region: int, first_serial: int, count: int, which: int) -> list[bytes]:
        """The policies (which=0) or policy_events (1) row tails of serials first_serial … + count - 1."""
        options, draws = self.insurer_tails[region], self.insurer_draws
        tails = [option[which] for option in options]
        n, offset = len(tails), region * 104_729 + first_serial
        return [tails[draws[(offset + i) & _DRAWS_MASK] % n] for i in range(count)]

    def events(self, runs: Sequence[tuple[int, int, int]], first_event_id: int) -> bytes:
        """The COPY BINARY data of the issue events of ``runs`` (region index, first serial, count),
        with ids from ``first_event_id``, in that order."""
        events = [_HEADER]
        event_id = first_event_id
        for region, first_serial, count in runs:
            enps = enp_run(REGION_CODES[region], first_serial, count)
            tails = self._insurer_tails(region, first_serial, count, 1)
            for enp, tail in zip(enps, tails, strict=True):
                events.append(b"\0\x07\0\0\0\x08%b\0\0\0\x10%b%b" % (event_id.to_bytes(8, "big"), enp, tail))
                event_id += 1
        events.append(_TRAILER)
        return b"".join(events)

    def chunk(self, plan: ChunkPlan, seed_value: int) -> dict[str, bytes]:
        """The COPY BINARY data of persons, person_documents and policies for one chunk."""
        rng = random.Random(seed_value * 1_000_003 + plan.index)
        rnd = rng.random
        count = len(plan.regions)
        men, women = self.name_tails[True], self.name_tails[False]
        # one draw gives the sex (below MALE_SHARE: a man) and, scaled, the name among that sex's
        men_scale, women_scale = len(men) / MALE_SHARE, len(women) / (1 - MALE_SHARE)
        snils = snils_run(SNILS_BASE + plan.first_id, count)
        next_policy = []  # for each region: the next (ЕНП, policies row tail)
        for r, code in enumerate(REGION_CODES):
            first, n = plan.serials_before[r] + 1, plan.regions.count(r)
            pairs = zip(enp_run(code, first, n), self._insurer_tails(r, first, n, 0), strict=True)
            next_policy.append(pairs.__next__)
        dates, birth_days, child_from, policies_from = (
            self.dates,
            self.birth_days,
            self.child_from,
            self.policies_from,
        )
        passport_tails, certificate_tail = self.passport_tails, self.certificate_tail
        passports = len(passport_tails)
        to_document = plan.first_document_id - plan.first_id
        persons = [_HEADER]
        documents = [_HEADER]
        policies = [_HEADER]
        person_id = plan.first_id
        # the field count, then the 32-bit length of the first value (an 8-byte id or a 16-digit ЕНП)
        for region, number in zip(plan.regions, snils, strict=True):
            draw = rnd()
            if draw < MALE_SHARE:
                name = men[floor(draw * men_scale)]
            else:
                name = women[floor((draw - MALE_SHARE) * women_scale)]
            birth = floor(rnd() * birth_days)
            enp, policy_tail = next_policy[region]()
            key = person_id.to_bytes(8, "big")
            persons.append(b"\0\x0a\0\0\0\x08%b%b\0\0\0\x0b%b%b" % (key, dates[birth], number, name))
            if birth >= child_from:
                issued, tail = dates[birth + 30], certificate_tail
            else:
                issued = dates[birth + CHILD_DAYS + floor(rnd() * PASSPORT_AFTER)]
                tail = passport_tails[floor(rnd() * passports)]
            documents.append(
                b"\0\x07\0\0\0\x08%b\0\0\0\x08%b%b\0\0\0\x06%06d%b"
                % ((person_id + to_document).to_bytes(8, "big"), key, issued, floor(rnd() * 1_000_000), tail)
            )
            valid_from = dates[birth if birth > policies_from else policies_from]
            policies.append(b"\0\x08\0\0\0\x10%b\0\0\0\x08%b%b%b" % (enp, key, valid_from, policy_tail))
            person_id += 1
        for rows in (persons, documents, policies):
            rows.append(_TRAILER)
        return {
            "persons": b"".join(persons),
            "person_documents": b"".join(documents),
            "policies": b"".join(policies),
        }


# --- the load -------------------------------------------------------------------------------------

CHUNK_TABLES = ("persons", "person_documents", "policies")


def plan_chunks(
    count: int, batch: int, first_ids: tuple[int, int], serials: Sequence[int], seed_value: int
) -> Iterator[ChunkPlan]:
    """Chunks of ``batch`` persons with disjoint ids and, region by region, disjoint ЕНП serials
    (``serials``: the last serial used in each region of REGION_CODES)."""
    rng = random.Random(seed_value)
    first_id, first_document_id = first_ids
    after = list(serials)
    region_indexes = range(len(REGION_CODES))
    made = index = 0
    while made < count:
        size = min(batch, count - made)
        regions = bytes(rng.choices(region_indexes, k=size))
        yield ChunkPlan(index, first_id + made, first_document_id + made, regions, tuple(after))
        for region, n in Counter(regions).items():
            after[region] += n
        made += size
        index += 1


async def _copy_chunks(dsn: str, rows: RowMaker, seed_value: int, plans: Any, results: Any) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        # A chunk is one transaction; a crash loses at most the last ones, which were not counted.
        await conn.execute("SET synchronous_commit = off")
        while (plan := plans.get()) is not None:
            data = rows.chunk(plan, seed_value)
            async with conn.transaction():
                for table in CHUNK_TABLES:
                    # a memoryview: asyncpg would take bytes for a file name
                    await conn.copy_to_table(
                        table, source=memoryview(data[table]), columns=COLUMNS[table], format="binary"
                    )
            results.put(("done", plan.index, ""))
    finally:
        await conn.close()


def _worker(dsn: str, rows: RowMaker, seed_value: int, plans: Any, results: Any) -> None:
    """A worker process: takes chunk plans from the queue until None, generates and COPYs each one."""
    try:
        asyncio.run(_copy_chunks(dsn, rows, seed_value, plans, results))
    except BaseException:
        results.put(("failed", 0, traceback.format_exc()))
        raise
    results.put(("finished", 0, ""))


@dataclass
class _Loaded:
    """What the chunk workers committed, as runs of ЕНП serials (region index, first serial, count)."""

    persons: int = 0
    runs: list[tuple[int, int, int]] = field(default_factory=list)
    error: str | None = None


def _queue_plans(
    plans: Iterator[ChunkPlan], plan_queue: Any, workers: int
) -> dict[int, tuple[int, list[tuple[int, int, int]]]]:
    """All the plans go to the queue at once (planning is cheap), then a None for each worker. Returns
    each chunk's persons and ЕНП serial runs, by chunk index."""
    planned = {}
    for plan in plans:
        runs = [(region, plan.serials_before[region] + 1, n) for region, n in Counter(plan.regions).items()]
        planned[plan.index] = (len(plan.regions), runs)
        plan_queue.put(plan)
    for _ in range(workers):
        plan_queue.put(None)
    return planned


def _load_in_workers(
    dsn: str, rows: RowMaker, plans: Iterator[ChunkPlan], workers: int, seed_value: int
) -> _Loaded:
    """Run ``workers`` processes over the chunks, until done or the first failure."""
    context = multiprocessing.get_context("spawn")  # the caller may run an event loop and threads
    plan_queue: Any = context.Queue()
    results: Any = context.Queue()
    processes = [
        context.Process(target=_worker, args=(dsn, rows, seed_value, plan_queue, results), daemon=True)
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    loaded = _Loaded()
    finished = 0
    try:
        planned = _queue_plans(plans, plan_queue, workers)
        while finished < workers:
            try:
                kind, index, detail = results.get(timeout=1.0)
            except queue.Empty:
                if any(p.exitcode not in (None, 0) for p in processes) and results.empty():
                    loaded.error = "a seed worker died"
                    break
                continue
            if kind == "failed":
                loaded.error = f"a seed worker failed:\n{detail}"
                break
            if kind == "done":
                persons, runs = planned.pop(index)
                loaded.persons += persons
                loaded.runs.extend(runs)
            finished += kind == "finished"
    finally:
        if finished < workers:  # failed: stop the others (their open transactions roll back)
            plan_queue.cancel_join_thread()  # the plans nobody will take
            for process in processes:
                if process.is_alive():
                    process.terminate()
        for process in processes:
            process.join()
    loaded.runs.sort()  # ЕНП order: region, then serial
    return loaded


async def _copy_events(
    conn: asyncpg.Connection, rows: RowMaker, runs: list[tuple[int, int, int]], first_event_id: int
) -> None:
    """The issue events of the loaded policies, in ЕНП order from one connection: the table is then
    in the order of its ЕНП index, whose build finds its input sorted. The next batch is made in a
    thread while PostgreSQL writes this one."""
    batches = _event_batches(runs, _EVENTS_BATCH)
    if not batches:
        return
    await conn.execute("SET synchronous_commit = off")
    event_id = first_event_id
    upcoming = asyncio.create_task(asyncio.to_thread(rows.events, batches[0], event_id))
    for i, batch in enumerate(batches):
        data = await upcoming
        event_id += sum(count for _, _, count in batch)
        if i + 1 < len(batches):
            upcoming = asyncio.create_task(asyncio.to_thread(rows.events, batches[i + 1], event_id))
        await conn.copy_to_table(
            "policy_events", source=memoryview(data), columns=COLUMNS["policy_events"], format="binary"
        )


_EVENTS_BATCH = 200_000


def _event_batches(runs: list[tuple[int, int, int]], size: int) -> list[list[tuple[int, int, int]]]:
    """The runs, in order, cut into batches of ``size`` serials."""
    batches: list[list[tuple[int, int, int]]] = [[]]
    room = size
    for region, first_serial, count in runs:
        start, left = first_serial, count
        while left:
            take = min(left, room)
            batches[-1].append((region, start, take))
            start, left, room = start + take, left - take, room - take
            if not room:
                batches.append([])
                room = size
    return [batch for batch in batches if batch]


def default_workers() -> int:
    """One generating-and-copying process per core (PostgreSQL's backends share the same cores)."""
    return max(2, os.cpu_count() or 1)


@dataclass(frozen=True)
class _Step:
    """One statement of the end of a load, on one table."""

    table: str
    kind: str  # "index", "key" (validate a foreign key) or "analyze"
    name: str
    sql: str


async def _set_aside(conn: asyncpg.Connection) -> tuple[list[_Step], dict[str, str]]:
    """The bulk-load practice of pg_restore: the secondary indexes and the foreign keys of the four
    tables are dropped for the COPY and made once at the end, which is much cheaper than maintaining an
    index entry or checking a reference row by row. Primary keys and unique constraints stay.
    Returns the steps that put them back, and for each foreign key the statement that adds it back
    NOT VALID (its step then validates it in one pass)."""
    async with conn.transaction():
        keys = await conn.fetch(
            "SELECT conname, conrelid::regclass::text AS tab, pg_get_constraintdef(oid) AS definition "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY($1::regclass[]) ORDER BY conname",
            list(TABLES),
        )
        indexes = await conn.fetch(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY($1::text[]) AND indexname LIKE 'ix\\_%' ORDER BY indexname",
            list(TABLES),
        )
        for key in keys:
            await conn.execute(f'ALTER TABLE {key["tab"]} DROP CONSTRAINT "{key["conname"]}"')
        for index in indexes:
            await conn.execute(f'DROP INDEX "{index["indexname"]}"')
    steps = [_Step(str(i["tablename"]), "index", str(i["indexname"]), str(i["indexdef"])) for i in indexes]
    add: dict[str, str] = {}
    for key in keys:
        table, name = str(key["tab"]), str(key["conname"])
        add[table] = (
            add.get(table, "") + f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {key["definition"]} NOT VALID;'
        )
        steps.append(_Step(table, "key", name, f'ALTER TABLE {table} VALIDATE CONSTRAINT "{name}"'))
    steps += [_Step(table, "analyze", table, f"ANALYZE {table}") for table in TABLES]
    return steps, add


#: The longest first (sorting text under the database's collation), then the key checks, the other
#: indexes, and each table's ANALYZE once the rest of its steps are done.
_LONGEST = ("ix_persons_name_key_birth_date", "ix_person_documents_number_kind", "ix_policy_events_enp")


def _rank(step: _Step) -> tuple[int, str]:
    if step.name in _LONGEST:
        return _LONGEST.index(step.name), step.name
    return {"index": 10, "key": 20}.get(step.kind, 30), step.name


def _before(other: _Step, step: _Step) -> bool:
    """A table's foreign key is checked once its indexes are made (a merge join of two index scans),
    ANALYZE comes last."""
    if other is step or other.table != step.table:
        return False
    return other.kind == "index" or (step.kind == "analyze" and other.kind == "key")


def _conflict(step: _Step, other: _Step) -> bool:
    """Index builds of one table share it (SHARE locks); a key check or ANALYZE (SHARE UPDATE
    EXCLUSIVE on the referencing table, ROW SHARE on the referenced one) waits for the others."""
    return step.table == other.table and not (step.kind == other.kind == "index")


class _PutBack:
    """Two connections take the first step that no running step holds the table for; policy_events'
    steps join once its rows are in."""

    def __init__(self, steps: list[_Step]) -> None:
        self.pending = sorted((s for s in steps if s.table != "policy_events"), key=_rank)
        self.later = sorted((s for s in steps if s.table == "policy_events"), key=_rank)
        self.running: list[_Step] = []
        self.errors: list[BaseException] = []
        self.events_done = False
        self.changed = asyncio.Condition()

    def next_step(self) -> _Step | None:
        for step in self.pending:
            if any(_conflict(step, other) for other in self.running):
                continue
            if step.kind != "index" and any(_before(other, step) for other in self.pending + self.running):
                continue
            return step
        return None

    async def copy_events(
        self, c: asyncpg.Connection, events: Callable[[asyncpg.Connection], Awaitable[None]], add: str
    ) -> None:
        try:
            await events(c)
            # the events' key check scans pk_policies in order: without a visibility map, that is one
            # heap page visit per row in random order; after VACUUM, an index-only scan
            await c.execute("VACUUM policies")
        except Exception as error:  # the indexes and keys are put back all the same
            self.errors.append(error)
        finally:
            try:
                if add:
                    await c.execute(add)
            finally:
                async with self.changed:
                    self.pending.extend(self.later)
                    self.events_done = True
                    self.changed.notify_all()

    async def run(self, c: asyncpg.Connection) -> None:
        # Sorts for the index builds in memory up to 10^7 rows. The key checks (an anti-join of the two
        # tables) as merge joins of index scans, one process each: with both cores busy, a parallel
        # hash join of 10^7 rows costs several times the CPU.
        await c.execute(
            "SET maintenance_work_mem = '1GB'; SET work_mem = '512MB'; SET enable_hashjoin = off; "
            "SET max_parallel_workers_per_gather = 0; SET jit = off"
        )
        while True:
            async with self.changed:
                await self.changed.wait_for(
                    lambda: self.next_step() is not None or (self.events_done and not self.pending)
                )
                step = self.next_step()
                if step is None:
                    return
                self.pending.remove(step)
                self.running.append(step)
            try:
                await c.execute(step.sql)
            except asyncpg.PostgresError as error:  # the rest all the same
                self.errors.append(error)
            finally:
                async with self.changed:
                    self.running.remove(step)
                    self.changed.notify_all()


async def _finish(
    dsn: str,
    conn: asyncpg.Connection,
    set_aside: tuple[list[_Step], dict[str, str]],
    events: Callable[[asyncpg.Connection], Awaitable[None]],
) -> None:
    """COPY the events on one connection while two others make the indexes and check the foreign keys
    of the other tables; then those of policy_events; ANALYZE each table after its other steps. This
    runs even when the load failed half-way; an error is raised once everything has been tried."""
    steps, add = set_aside
    work = _PutBack(steps)
    for table, statement in add.items():  # instant: the rows are checked by the VALIDATE steps
        if table != "policy_events":  # not while its rows are being copied (a check per row)
            try:
                await conn.execute(statement)
            except asyncpg.PostgresError as error:
                work.errors.append(error)
    connections = [conn]
    for _ in range(2):
        with contextlib.suppress(OSError, asyncpg.PostgresError):  # else fewer connections do it all
            connections.append(await asyncpg.connect(dsn))
    try:
        add_events = add.get("policy_events", "")
        if len(connections) > 1:
            await asyncio.gather(
                work.copy_events(connections[-1], events, add_events),
                *(work.run(c) for c in connections[:-1]),
            )
        else:
            await work.copy_events(conn, events, add_events)
            await work.run(conn)
    finally:
        for c in connections[1:]:
            await c.close()
    if work.errors:
        raise work.errors[0]


def _enp_range(region: str) -> tuple[str, str]:
    return region + "0" * 14, region + "9" * 14


async def _last_serials(conn: asyncpg.Connection) -> list[int]:
    """The last ЕНП serial of each region: its counter, or the highest ЕНП in policies if higher."""
    counters = {r["region"]: int(r["last_serial"]) for r in await conn.fetch("SELECT * FROM enp_counters")}
    serials = []
    for region in REGION_CODES:
        highest = await conn.fetchval(
            "SELECT max(enp) FROM policies WHERE enp BETWEEN $1 AND $2", *_enp_range(region)
        )
        serials.append(max(counters.get(region, 0), int(highest[2:15]) if highest else 0))
    return serials


async def _move_counters_on(conn: asyncpg.Connection) -> None:
    """After the load (whole or not): each region's counter to its highest ЕНП, the id sequences to the
    highest id, so the register's next policy or row never collides with a loaded one."""
    serials = await _last_serials(conn)
    async with conn.transaction():
        await conn.executemany(
            "INSERT INTO enp_counters (region, last_serial) VALUES ($1, $2) "
            "ON CONFLICT (region) DO UPDATE SET last_serial = greatest(enp_counters.last_serial, $2)",
            [(region, serial) for region, serial in zip(REGION_CODES, serials, strict=True) if serial],
        )
        for table in ("persons", "person_documents", "policy_events"):
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )


async def seed(
    dsn: str, count: int, *, batch: int = 50_000, seed_value: int = 1, workers: int | None = None
) -> dict[str, Any]:
    """Load ``count`` more persons (ids, ЕНП serials and СНИЛС go on after what is there)."""
    workers = max(1, min(workers or default_workers(), -(-count // batch)))  # no idle worker
    conn = await asyncpg.connect(dsn)
    started = time.perf_counter()
    rows = RowMaker(datetime.now(UTC), date.today(), seed_value)
    loaded = _Loaded()
    first_event_id = 1  # (set below; no events are copied if the load fails before)
    try:
        set_aside = await _set_aside(conn)
        try:
            first_id, first_document_id, first_event_id = [
                int(await conn.fetchval(f"SELECT coalesce(max(id), 0) + 1 FROM {table}"))
                for table in ("persons", "person_documents", "policy_events")
            ]
            plans = plan_chunks(
                count, batch, (first_id, first_document_id), await _last_serials(conn), seed_value
            )
            loaded = await asyncio.to_thread(_load_in_workers, dsn, rows, plans, workers, seed_value)
        finally:
            copied = time.perf_counter()
            try:  # even when the load failed half-way: the events of what got in, indexes, keys
                await _finish(
                    dsn, conn, set_aside, lambda c: _copy_events(c, rows, loaded.runs, first_event_id)
                )
            finally:
                await _move_counters_on(conn)
    finally:
        await conn.close()
    if loaded.error:
        raise RuntimeError(loaded.error)
    elapsed = time.perf_counter() - started
    return {
        "persons": loaded.persons,
        "seconds": elapsed,
        "persons_per_second": loaded.persons / elapsed if elapsed else 0.0,
        "workers": workers,
        "copy_seconds": copied - started,  # up to the last chunk's commit
        "finish_seconds": time.perf_counter() - copied,  # events, indexes, foreign keys, ANALYZE, counters
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--database-url", required=True, help="postgresql://… of the registry's database")
    parser.add_argument("--batch", type=int, default=50_000, help="persons per chunk (one transaction)")
    parser.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: one per core, at least 2)"
    )
    args = parser.parse_args()
    dsn = args.database_url.replace("postgresql+asyncpg://", "postgresql://")
    result = asyncio.run(seed(dsn, args.count, batch=args.batch, workers=args.workers))
    rate = result["persons_per_second"]
    print(
        f"{result['persons']} persons in {result['seconds']:.1f} s = {rate:.0f} persons/s "
        f"(COPY {result['copy_seconds']:.1f} s with {result['workers']} workers, "
        f"then events, indexes, keys and ANALYZE {result['finish_seconds']:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
