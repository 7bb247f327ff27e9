"""``make migrate``: run every service's migrations (SQLite under var/, or local PostgreSQL)."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
from pathlib import Path

from devtools.processes import SYSTEM, ensure_local_databases, local_database_url

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--var-dir", type=Path, default=ROOT / "var")
    args = parser.parse_args()
    if args.database == "postgres":
        asyncio.run(ensure_local_databases())
    for spec in SYSTEM:
        env = spec.environment(
            amqp_url="amqp://unused/",
            database_url=local_database_url(spec, args.database),
            var_dir=args.var_dir,
        )
        result = subprocess.run(
            [sys.executable, "-m", spec.module, "migrate"],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=False,
        )
        print(f"{spec.name:<15} {'up to date' if result.returncode == 0 else 'FAILED'}")
        if result.returncode != 0:
            print(result.stdout + result.stderr, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
