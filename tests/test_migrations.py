"""Every service's migrations build exactly the schema its models describe (no forgotten migration)."""

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("service", ["gateway", "insurer", "registry", "payments"])
def test_models_and_migrations_agree(service: str, tmp_path: Path, database_factory):
    config = Config()
    config.set_main_option("script_location", str(ROOT / f"services/{service}/src/{service}/migrations"))
    config.set_main_option("sqlalchemy.url", database_factory(f"mig_{service}"))
    command.upgrade(config, "head")
    command.check(config)  # raises when autogenerate would find something to add
    command.downgrade(config, "base")  # the way back works too
