from kit.db import run_alembic_env
from payments.db import metadata

run_alembic_env(metadata)
