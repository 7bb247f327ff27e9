"""JSON logs that carry the correlation id of the request or message being handled."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)
message_id_var: ContextVar[str | None] = ContextVar("message_id", default=None)
#: W3C trace context of the request or message being handled; travels on in AMQP headers.
traceparent_var: ContextVar[str | None] = ContextVar("traceparent", default=None)


@contextmanager
def log_context(
    *, correlation_id: str | None, message_id: str | None = None, traceparent: str | None = None
) -> Iterator[None]:
    """Tag every log line written inside the block with these ids."""
    corr_token = correlation_id_var.set(correlation_id)
    msg_token = message_id_var.set(message_id)
    trace_token = traceparent_var.set(traceparent)
    try:
        yield
    finally:
        traceparent_var.reset(trace_token)
        message_id_var.reset(msg_token)
        correlation_id_var.reset(corr_token)


class _ContextFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.correlation_id = correlation_id_var.get()
        record.message_id = message_id_var.get()
        return True


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send every log record (ours, uvicorn's, aio-pika's) to stdout as one JSON object a line."""
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(_ContextFilter(service))
    formatter: Any = JsonFormatter(
        "{asctime}{levelname}{name}{message}{service}{correlation_id}{message_id}",
        style="{",
        rename_fields={"asctime": "ts", "levelname": "level", "name": "logger"},
        json_ensure_ascii=False,
    )
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # aio-pika and aiormq are chatty at INFO on every reconnect attempt.
    logging.getLogger("aiormq").setLevel(logging.WARNING)
    logging.getLogger("aio_pika").setLevel(logging.WARNING)
    # httpx logs every request with its full URL at INFO (webhook URLs may carry tokens).
    logging.getLogger("httpx").setLevel(logging.WARNING)
