"""Settings common to every service.

Each service subclasses :class:`ServiceSettings` with its own ``env_prefix`` (``GATEWAY_``,
``INSURER_``, ...). Values that are secrets and still hold their shipped default are refused
outside development, so a forgotten variable fails the start instead of running in production
with a published password.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import ClassVar, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The value every shipped secret starts with; refused outside development.
DEFAULT_SECRET = "change-me-in-production"


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class ServiceSettings(BaseSettings):
    """What every service needs: where it listens, its database, its broker, its secrets."""

    model_config = SettingsConfigDict(extra="ignore", env_file=None)

    #: Short name of the service, used for logs, the SQLite file and the AMQP ``app_id``.
    service_name: ClassVar[str] = "service"
    #: Default HTTP port of the service.
    default_port: ClassVar[int] = 8000

    environment: Environment = Environment.development
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=0, ge=0, le=65535, description="0 means the service's default port")
    database_url: str = Field(default="", description="empty means SQLite under var/")
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    var_dir: Path = Path("var")
    log_level: str = "INFO"
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET)

    # Messaging tuning; the defaults suit a local run and the tests.
    # At most the pool size: each delivery holds a database connection for its transaction, so
    # more would only wait and make the pool open and close connections (docs/BENCHMARKS.md).
    prefetch: int = Field(default=16, ge=1, le=10_000)
    max_deliveries: int = Field(default=5, ge=1, le=100)
    retry_backoff_initial: float = Field(default=0.5, gt=0)
    retry_backoff_max: float = Field(default=30.0, gt=0)
    outbox_batch_size: int = Field(default=500, ge=1, le=10_000)
    outbox_poll_interval: float = Field(default=1.0, gt=0)

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Self:
        if self.environment is Environment.development:
            return self
        offending = [
            name
            for name, value in self.secret_fields().items()
            if value.get_secret_value() == DEFAULT_SECRET or not value.get_secret_value()
        ]
        if offending:
            prefix = self.model_config.get("env_prefix", "")
            names = ", ".join(f"{prefix}{name}".upper() for name in offending)
            raise ValueError(
                f"секреты по умолчанию запрещены вне development: задайте {names} / "
                f"default secrets are refused outside development: set {names}"
            )
        return self

    def secret_fields(self) -> dict[str, SecretStr]:
        return {name: value for name, value in self.__dict__.items() if isinstance(value, SecretStr)}

    @property
    def port(self) -> int:
        return self.http_port or self.default_port

    @property
    def instance_name(self) -> str:
        """Name of this running instance (an insurer instance adds its plugin code)."""
        return self.service_name

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.var_dir / f'{self.instance_name}.db').as_posix()}"


#: Secrets of the shipped development credentials (merchants, partners, clients) start with this.
DEV_SECRET_PREFIX = "test_dev_"


def refuse_development_credentials(
    environment: Environment, credentials: Mapping[str, SecretStr], *, variable: str
) -> None:
    """Outside development, credentials whose secret is a shipped development one are refused."""
    if environment is Environment.development:
        return
    dev = sorted(
        name
        for name, secret in credentials.items()
        if secret.get_secret_value().startswith(DEV_SECRET_PREFIX)
    )
    if dev:
        raise ValueError(
            f"ключи разработки запрещены вне development: {dev} ({variable}) / "
            f"development credentials are refused outside development: {dev} ({variable})"
        )
