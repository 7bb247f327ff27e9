"""How a message contract is declared: its type, version, payload model, exchange and routing key.

Every service and the AsyncAPI document use these declarations, so a message has one definition.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict


class Payload(BaseModel):
    """Base of every payload: unknown fields are refused so a typo does not pass silently."""

    model_config = ConfigDict(extra="forbid")


#: The payload model of a contract (an alias: inside ``Contract`` the name ``type`` is a field).
PayloadModel = type[Payload]


@dataclass(frozen=True)
class Contract:
    """One message type.

    ``routing_key`` is a template read as a sentence, e.g. ``insurer.{insurer}.announced``; a
    message meant for one insurer carries that insurer's code in it.
    """

    type: str
    version: int
    payload: PayloadModel
    exchange: str
    routing_key: str
    producer: str
    summary: str
    consumers: tuple[str, ...] = field(default_factory=tuple)

    @property
    def routing_parameters(self) -> tuple[str, ...]:
        return tuple(name for _, name, _, _ in string.Formatter().parse(self.routing_key) if name)

    def render_routing_key(self, **parameters: str) -> str:
        missing = set(self.routing_parameters) - parameters.keys()
        if missing:
            raise ValueError(f"routing key of {self.type} needs {sorted(missing)}")
        for name, value in parameters.items():
            if not value or any(ch in value for ch in ".#*"):
                raise ValueError(f"routing key part {name}={value!r} must be one plain word")
        return self.routing_key.format(**parameters)

    @property
    def binding_key(self) -> str:
        """The routing key with every parameter replaced by ``*``: what a consumer of all binds."""
        return self.routing_key.format(**dict.fromkeys(self.routing_parameters, "*"))


class ContractRegistry:
    def __init__(self) -> None:
        self._by_type: dict[str, Contract] = {}

    def register(self, contract: Contract) -> Contract:
        existing = self._by_type.get(contract.type)
        if existing is not None and existing != contract:
            raise ValueError(f"message type {contract.type} is declared twice")
        self._by_type[contract.type] = contract
        return contract

    def get(self, message_type: str) -> Contract | None:
        return self._by_type.get(message_type)

    def all(self) -> list[Contract]:
        return sorted(self._by_type.values(), key=lambda c: c.type)

    def parse(self, message_type: str, payload: dict[str, Any]) -> Payload:
        contract = self._by_type[message_type]
        parsed: Payload = contract.payload.model_validate(payload)
        return parsed


#: Every contract of the interchange registers here on import of ``kit.contracts``.
registry = ContractRegistry()
