# The models register their tables on the metadata.
import registry.idempotency
import registry.policies.models  # noqa: F401
from kit.db import run_alembic_env
from registry.db import metadata

run_alembic_env(metadata)
