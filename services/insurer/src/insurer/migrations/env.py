import insurer.dms.models  # noqa: F401  (the models must be imported for autogenerate)
from insurer.db import metadata
from kit.db import run_alembic_env

run_alembic_env(metadata)
