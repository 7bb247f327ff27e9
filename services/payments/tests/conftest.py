from collections.abc import AsyncIterator

import pytest

from tests.support.payments import PaymentsClient, running_payments


@pytest.fixture
async def payments(database_url: str, amqp_url: str) -> AsyncIterator[PaymentsClient]:
    """The payments service in process, on a fresh PostgreSQL database and the run's vhost."""
    async with running_payments(database_url, amqp_url) as client:
        yield client
