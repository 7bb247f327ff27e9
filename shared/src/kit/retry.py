"""Exponential backoff with jitter, for reconnecting and for redelivering failed messages."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    initial: float = 0.5
    maximum: float = 30.0
    factor: float = 2.0
    #: Spread of the random jitter, so that many waiting clients do not retry in step.
    jitter: float = 0.2

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (0 for the first retry)."""
        base = min(self.maximum, self.initial * self.factor ** max(attempt, 0))
        return base * random.uniform(1 - self.jitter, 1 + self.jitter)

    async def attempts(self) -> AsyncIterator[int]:
        """Yield 0, 1, 2, ... forever, sleeping the backoff delay between attempts."""
        attempt = 0
        while True:
            yield attempt
            await asyncio.sleep(self.delay(attempt))
            attempt += 1
