import gateway.directory.models  # noqa: F401  (registers the tables on the metadata)
from gateway.db import metadata
from kit.db import run_alembic_env

run_alembic_env(metadata)
