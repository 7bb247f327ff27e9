# The models register their tables on the metadata: import every feature's models.
import gateway.accounts.models
import gateway.directory.models
import gateway.dms.models
import gateway.idempotency
import gateway.notifications.models
import gateway.oms.models  # noqa: F401
from gateway.db import metadata
from kit.db import run_alembic_env

run_alembic_env(metadata)
