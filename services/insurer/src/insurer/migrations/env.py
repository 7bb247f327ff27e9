from insurer.db import metadata
from kit.db import run_alembic_env

run_alembic_env(metadata)
