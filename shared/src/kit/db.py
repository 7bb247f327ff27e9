"""Database access: one async engine per service, SQLite by default, PostgreSQL in production.

The transaction has one owner: the HTTP request or the message consumer opens it with
``async with db.transaction() as session`` and commits it; code below only adds and flushes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator
from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

#: Constraint names that Alembic can rely on, the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


class Database:
    """The service's engine and session factory."""

    def __init__(self, url: str, *, pool_size: int = 20) -> None:
        self.url = url
        parsed = make_url(url)
        self._is_postgres = parsed.get_backend_name() == "postgresql"
        kwargs: dict[str, Any] = {"pool_pre_ping": True}
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs.update(pool_size=pool_size, max_overflow=pool_size)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if parsed.get_backend_name() == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        # A Session class of its own, so that commit hooks fire for this database only.
        session_class = type("DatabaseSession", (Session,), {})
        self.sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, sync_session_class=session_class
        )
        self._after_commit: list[Callable[[Session], None]] = []
        event.listen(session_class, "after_commit", self._run_after_commit)

    @property
    def is_postgres(self) -> bool:
        # Read per message by the consumer and per batch by the relay: parse the URL once.
        return self._is_postgres

    def on_commit(self, callback: Callable[[Session], None]) -> None:
        """Call ``callback(session)`` after every commit of a session of this database."""
        self._after_commit.append(callback)

    def _run_after_commit(self, session: Session) -> None:
        for callback in self._after_commit:
            callback(session)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside a transaction that commits on success and rolls back on error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def ping(self, timeout: float = 2.0) -> None:
        async def _ping() -> None:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))

        await asyncio.wait_for(_ping(), timeout)

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the relay read while a request writes; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


#: SQLSTATEs worth retrying: serialization failure, deadlock, server shutting down or starting,
#: connection failures.
_TRANSIENT_SQLSTATES = {"40001", "40P01", "57P01", "57P02", "57P03", "08000", "08001", "08003", "08006"}


def is_transient(exc: BaseException) -> bool:
    """True when the database (not the data) is the problem: retrying later may succeed."""
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated or isinstance(exc, (OperationalError, InterfaceError)):
            return True
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        return code in _TRANSIENT_SQLSTATES
    return isinstance(exc, OSError)


# --- migrations -------------------------------------------------------------------------------

#: Any fixed number: the PostgreSQL advisory lock that keeps two replicas from migrating at once.
_MIGRATION_LOCK_KEY = 7_301_994_211


def upgrade_to_head(migrations_dir: Path, url: str) -> None:
    """Run the service's Alembic tree up to head (blocking; call it in a thread)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")


def run_alembic_env(target_metadata: MetaData) -> None:
    """The body of every service's ``migrations/env.py`` (online and offline modes)."""
    from alembic import context

    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("sqlalchemy.url is not set for the migration")
    render_as_batch = make_url(url).get_backend_name() == "sqlite"

    if context.is_offline_mode():
        context.configure(
            url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=render_as_batch
        )
        with context.begin_transaction():
            context.run_migrations()
        return

    def run(connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=render_as_batch
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                await connection.run_sync(run)
        finally:
            await engine.dispose()

    asyncio.run(run_async())


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for ``DateTime(timezone=True)``; they are UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def session_is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


#: A datetime field of an API model read from the database: naive values (SQLite) are UTC.
UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]
