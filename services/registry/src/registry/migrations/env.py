from kit.db import run_alembic_env
from registry.db import metadata

run_alembic_env(metadata)
