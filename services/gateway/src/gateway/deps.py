"""Dependency aliases of the gateway's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from gateway.settings import GatewaySettings
from kit.crypto import DataCipher


def _settings(request: Request) -> GatewaySettings:
    settings: GatewaySettings = request.app.state.settings
    return settings


def _cipher(request: Request) -> DataCipher:
    cipher: DataCipher = request.app.state.cipher
    return cipher


Settings = Annotated[GatewaySettings, Depends(_settings)]
Cipher = Annotated[DataCipher, Depends(_cipher)]
