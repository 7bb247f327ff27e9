"""Write a new Alembic revision for a service from its models (for developers):

    python -m devtools.autogen insurer 0002 "ДМС quotes, contracts, payments, policies"

It creates a scratch PostgreSQL database, brings it to head, compares it with the models and
writes ``migrations/versions/<rev>_<slug>.py``; review the file before committing it.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import re
import uuid
from pathlib import Path

import asyncpg
from alembic import command
from alembic.config import Config

from devtools.processes import DEFAULT_PG_DSN
from kit.db import upgrade_to_head


async def _create(name: str) -> None:
    conn = await asyncpg.connect(DEFAULT_PG_DSN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _drop(name: str) -> None:
    conn = await asyncpg.connect(DEFAULT_PG_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("service")
    parser.add_argument("revision")
    parser.add_argument("message")
    args = parser.parse_args()
    package = importlib.import_module(args.service)
    migrations = Path(package.__file__ or "").parent / "migrations"
    name = f"autogen_{uuid.uuid4().hex[:8]}"
    server = DEFAULT_PG_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    url = f"{server}/{name}"
    asyncio.run(_create(name))
    try:
        upgrade_to_head(migrations, url)
        config = Config()
        config.set_main_option("script_location", str(migrations))
        config.set_main_option("sqlalchemy.url", url)
        slug = re.sub(r"[^a-z0-9]+", "_", args.message.lower()).strip("_")[:40] or "revision"
        command.revision(config, message=args.message, autogenerate=True, rev_id=args.revision, head="head")
        print(f"written: {migrations}/versions/{args.revision}_{slug}.py (check the name Alembic chose)")
    finally:
        asyncio.run(_drop(name))


if __name__ == "__main__":
    main()
