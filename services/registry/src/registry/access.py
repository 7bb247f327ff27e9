"""Who calls the register's REST API: HTTP Basic with a configured client id and secret."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from kit.errors import ProblemError
from registry.settings import RegistryClient, RegistrySettings

_basic = HTTPBasic(auto_error=False, description="The client id and secret given by the register's operators")


def _unauthorised() -> ProblemError:
    return ProblemError(
        401,
        rule="invalid-client",
        title_ru="Неверные данные клиента реестра",
        title_en="Wrong registry client credentials",
        headers={"WWW-Authenticate": 'Basic realm="registry"'},
    )


async def _client(
    request: Request, credentials: Annotated[HTTPBasicCredentials | None, Depends(_basic)]
) -> RegistryClient:
    settings: RegistrySettings = request.app.state.settings
    if credentials is None:
        raise _unauthorised()
    client = next((c for c in settings.clients if c.client_id == credentials.username), None)
    if client is None or not hmac.compare_digest(
        client.secret.get_secret_value().encode(), credentials.password.encode()
    ):
        raise _unauthorised()
    return client


CurrentClient = Annotated[RegistryClient, Depends(_client)]
