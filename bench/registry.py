"""The register at national scale: load rate, and look-ups by ЕНП and by name + date of birth.

It creates a fresh PostgreSQL database, migrates it, loads N synthetic persons with
``registry.seed`` (COPY), then times look-ups through the registry's own query functions
(SQLAlchemy async session, one transaction each, as a request does): first one at a time
(latency), then 8 at once (throughput). Memory: this process's peak RSS, the largest seed worker's,
and the database's size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg

from bench.payments import Step, pg
from kit.db import Database, upgrade_to_head
from registry.app import MIGRATIONS
from registry.policies import service
from registry.seed import seed


async def sample(dsn: str, size: int) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return list(
            await conn.fetch(
                "SELECT p.enp, s.last_name, s.first_name, s.patronymic, s.birth_date FROM policies p "
                "JOIN persons s ON s.id = p.person_id ORDER BY random() LIMIT $1",
                size,
            )
        )
    finally:
        await conn.close()


async def lookups(url: str, rows: list[asyncpg.Record], concurrency: int) -> dict[str, Any]:
    db = Database(url, pool_size=max(concurrency, 2))
    steps = {"by_enp": Step("by_enp"), "by_name_and_birth_date": Step("by_name_and_birth_date")}
    rates: dict[str, float] = {}
    try:

        async def by_enp(row: asyncpg.Record) -> None:
            async with db.transaction() as session:
                assert await service.by_enp(session, row["enp"]) is not None

        async def by_name(row: asyncpg.Record) -> None:
            async with db.transaction() as session:
                found = await service.by_name(
                    session, row["last_name"], row["first_name"], row["patronymic"], row["birth_date"], None
                )
                assert found

        for name, probe in (("by_enp", by_enp), ("by_name_and_birth_date", by_name)):
            queue = list(rows)
            started = time.perf_counter()

            async def worker(
                probe: Any = probe, name: str = name, queue: list[asyncpg.Record] = queue
            ) -> None:
                while queue:
                    row = queue.pop()
                    begin = time.perf_counter()
                    await probe(row)
                    steps[name].seconds.append(time.perf_counter() - begin)

            await asyncio.gather(*(worker() for _ in range(concurrency)))
            rates[name] = len(rows) / (time.perf_counter() - started)
    finally:
        await db.dispose()
    return {name: {**step.summary(), "per_second": rates[name]} for name, step in steps.items()}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.registry", description=__doc__)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--keep", action="store_true", help="keep the database (its name is printed)")
    parser.add_argument("--pg-admin-dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    database = f"bench_registry_{uuid.uuid4().hex[:8]}"
    server = args.pg_admin_dsn.rsplit("/", 1)[0]
    dsn = f"{server}/{database}"
    url = dsn.replace("postgresql://", "postgresql+asyncpg://")
    asyncio.run(pg(args.pg_admin_dsn, f'CREATE DATABASE "{database}"'))
    try:
        upgrade_to_head(MIGRATIONS, url)
        load = asyncio.run(seed(dsn, args.persons))
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        # the seed's worker processes (the largest one; they have all ended by now)
        worker_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        rows = asyncio.run(sample(dsn, args.lookups))

        async def size() -> int:
            conn = await asyncpg.connect(dsn)
            try:
                return int(await conn.fetchval("SELECT pg_database_size(current_database())"))
            finally:
                await conn.close()

        results = {
            "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]},
            "persons": args.persons,
            "load": load,
            "loader_peak_rss_mb": round(rss_mb),
            "loader_worker_peak_rss_mb": round(worker_rss_mb),
            "database_size_mb": round(asyncio.run(size()) / 2**20),
            "sequential": asyncio.run(lookups(url, rows, 1)),
            "concurrent_8": asyncio.run(lookups(url, rows, 8)),
        }
    finally:
        if not args.keep:
            asyncio.run(pg(args.pg_admin_dsn, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        else:
            print(f"kept database {database}")
    print(
        f"\nRegister of {results['persons']:,} persons: loaded in {load['seconds']:.1f} s = "
        f"{load['persons_per_second']:,.0f} persons/s; database {results['database_size_mb']} MB; "
        f"loader peak RSS {results['loader_peak_rss_mb']} MB (each of {load.get('workers', 0)} workers "
        f"at most {results['loader_worker_peak_rss_mb']} MB)"
    )
    for mode in ("sequential", "concurrent_8"):
        for name, figures in results[mode].items():
            print(
                f"  {mode:<13} {name:<24} {figures['per_second']:8.0f}/s   p50 {figures['p50_ms']:6.2f} ms   "
                f"p99 {figures['p99_ms']:6.2f} ms"
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
