import payments.idempotency.models
import payments.merchants.models
import payments.payments.models
import payments.refunds.models
import payments.webhooks.models  # noqa: F401  (register the tables on the metadata)
from kit.db import run_alembic_env
from payments.db import metadata

run_alembic_env(metadata)
