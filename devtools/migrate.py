"""``make migrate``: run every service's migrations (SQLite under var/, or local PostgreSQL)."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
from pathlib import Path

from devtools.processes import SYSTEM
from devtools.run_local import ensure_databases

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--pg-dsn", default=os.environ.get("RUN_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--var-dir", type=Path, default=ROOT / "var")
    args = parser.parse_args()
    server = args.pg_dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    if args.database == "postgres":
        asyncio.run(ensure_databases(args.pg_dsn, [f"interchange_{spec.database}" for spec in SYSTEM]))
    for spec in SYSTEM:
        env = spec.environment(
            amqp_url="amqp://unused/",
            database_url=f"{server}/interchange_{spec.database}" if args.database == "postgres" else None,
            var_dir=args.var_dir,
        )
        result = subprocess.run(
            [sys.executable, "-m", spec.module, "migrate"],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=False,
        )
        status = "up to date" if result.returncode == 0 else f"FAILED\n{result.stdout}{result.stderr}"
        print(f"{spec.name:<15} {status}")
        if result.returncode != 0:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
