"""The AsyncAPI 3.0 document of the interchange, generated from the contract registry.

::

    python -m kit.contracts.asyncapi > docs/asyncapi.yaml        # regenerate
    python -m kit.contracts.asyncapi --check docs/asyncapi.yaml  # exit 1 when the file is stale

One channel per contract (address = its routing-key template on its producer's topic exchange),
one message per contract (the envelope, with ``payload`` replaced by the contract's payload schema),
one ``send`` operation for the producer and one ``receive`` operation per consumer. The output
depends on the contracts only, so regenerating an unchanged registry gives the same bytes.
"""

from __future__ import annotations

import argparse
import copy
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from kit.contracts import registry as contract_registry
from kit.contracts.base import Contract, ContractRegistry, PayloadModel
from kit.messaging.envelope import Envelope

ASYNCAPI_VERSION = "3.0.0"
#: Version of the document as a whole; raise it when a contract changes in a way participants notice.
DOCUMENT_VERSION = "0.1.0"
AMQP_BINDING_VERSION = "0.3.0"
CONTENT_TYPE = "application/json"
CONTENT_ENCODING = "utf-8"
SCHEMA_REF_TEMPLATE = "#/components/schemas/{model}"
SERVER = "local"
SECURITY_SCHEME = "userPassword"

#: A JSON Schema (or a part of the document) as plain data.
Schema = dict[str, Any]

HEADER = (
    "# Generated from the contract registry by `python -m kit.contracts.asyncapi`; do not edit by hand.\n"
    "# Regenerate: python -m kit.contracts.asyncapi > docs/asyncapi.yaml\n"
)

DESCRIPTION = """\
Messages exchanged over RabbitMQ by the gateway, the insurers, the registry and payments.

* Each producer owns one durable **topic** exchange (`gateway`, `insurers`, `registry`, `payments`).
  A channel here is a routing-key template on that exchange; `{name}` parts are single words.
* Every message body is one JSON **envelope** (UTF-8): `message_id`, `type`, `version`,
  `occurred_at`, `producer`, `correlation_id`, `causation_id`, `payload`. The AMQP properties
  repeat `message_id`, `type` and `correlation_id`; `app_id` names the producer; messages are
  persistent. A `traceparent` header (W3C Trace Context) is set when there is one.
* Delivery is **at least once**: a consumer may see a message twice and must deduplicate by
  `message_id`.
* Each consumer queue `<queue>` is a durable quorum queue with a delivery limit; a message it
  cannot handle goes to its dead-letter exchange `<queue>.dlx` (topic, bound with `#`) and queue
  `<queue>.dlq`, with the reason in header `x-dead-letter-reason`.

See docs/contracts.md for the whole contract in prose."""

#: Descriptions of the envelope fields for the document (the model itself has none).
ENVELOPE_FIELD_DESCRIPTIONS: dict[str, str] = {
    "message_id": "Unique id of this message, chosen by the producer once and kept on every re-send. "
    "Consumers deduplicate by it.",
    "type": "Message type; also the AMQP `type` property.",
    "version": "Version of the message type's payload schema.",
    "occurred_at": "When the producer created the message (ISO 8601 with offset, UTC).",
    "producer": "Name of the producing instance, e.g. `gateway` or `insurer-volga`; also the AMQP `app_id`.",
    "correlation_id": "The business flow the message belongs to (application, payment, `directory`...); "
    "also the AMQP `correlation_id` property. Messages of one correlation id are handled in order.",
    "causation_id": "`message_id` of the message that caused this one, or null.",
    "payload": "The message type's data.",
}


@dataclass(frozen=True)
class RoutingParameter:
    description: str
    examples: tuple[str, ...] = ()


#: What a routing-key parameter means; a parameter not listed here gets a generic description.
ROUTING_PARAMETERS: dict[str, RoutingParameter] = {
    "insurer": RoutingParameter(
        description="Code of the insurer (страховщик) the message is about or for: lower-case latin "
        "letters, digits and `_`, e.g. `volga`.",
        examples=("volga", "taiga"),
    ),
}


def build_document(registry: ContractRegistry) -> dict[str, Any]:
    """The AsyncAPI 3.0 document of every contract in ``registry`` (a plain, YAML-ready dict)."""
    contracts = registry.all()
    envelope, payload_refs, schemas = _schemas(contracts)
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for contract in contracts:
        key = contract.type
        channels[key] = _channel(contract)
        messages[key] = _message(contract, envelope, payload_refs[contract.payload])
        channel_ref = f"#/channels/{_pointer(key)}"
        message_ref = f"#/channels/{_pointer(key)}/messages/{_pointer(key)}"
        filled_in = " (its parameters filled in)" if contract.routing_parameters else ""
        operations[f"{contract.producer}.send.{key}"] = {
            "action": "send",
            "channel": {"$ref": channel_ref},
            "title": f"{contract.producer} sends {key}",
            "summary": contract.summary,
            "description": (
                f"Publish to exchange `{contract.exchange}` with routing key `{contract.routing_key}`"
                f"{filled_in}, persistent, after the state change is committed."
            ),
            "tags": [{"name": contract.producer}],
            "bindings": {
                "amqp": {
                    "deliveryMode": 2,
                    "mandatory": False,
                    "timestamp": True,
                    "bindingVersion": AMQP_BINDING_VERSION,
                }
            },
            "messages": [{"$ref": message_ref}],
        }
        for consumer in sorted(set(contract.consumers)):
            operations[f"{consumer}.receive.{key}"] = {
                "action": "receive",
                "channel": {"$ref": channel_ref},
                "title": f"{consumer} receives {key}",
                "summary": contract.summary,
                "description": (
                    f"Consume from a durable queue of the consumer bound to exchange `{contract.exchange}` "
                    f"with binding key `{contract.binding_key}`. Acknowledge after handling; deduplicate "
                    "by `message_id`; dead-letter what can never be handled."
                ),
                "tags": [{"name": consumer}],
                "bindings": {"amqp": {"ack": True, "bindingVersion": AMQP_BINDING_VERSION}},
                "messages": [{"$ref": message_ref}],
            }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "Interchange messaging",
            "version": DOCUMENT_VERSION,
            "description": DESCRIPTION,
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            SERVER: {
                "host": "localhost:5672",
                "protocol": "amqp",
                "protocolVersion": "0-9-1",
                "title": "Local RabbitMQ",
                "description": (
                    "RabbitMQ of a local run (default vhost `/`, user `guest`). The Compose deployment "
                    "uses vhost `interchange` and one RabbitMQ user per participant."
                ),
                "security": [{"$ref": f"#/components/securitySchemes/{SECURITY_SCHEME}"}],
            }
        },
        "channels": dict(sorted(channels.items())),
        "operations": dict(sorted(operations.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "messages": dict(sorted(messages.items())),
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "userPassword",
                    "description": "AMQP PLAIN authentication with the participant's RabbitMQ user.",
                }
            },
        },
    }


class _Dumper(yaml.SafeDumper):
    """Writes every repeated object in full (no ``&id001`` anchors) and multi-line text as blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def render(registry: ContractRegistry) -> str:
    """The document as YAML text, exactly as written to ``docs/asyncapi.yaml``."""
    body = yaml.dump(build_document(registry), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return HEADER + body


def _schemas(
    contracts: Sequence[Contract],
) -> tuple[Schema, dict[PayloadModel, Schema], dict[str, Schema]]:
    """The envelope's schema, a ``$ref`` to each payload model and every schema for ``components``.

    All models are generated together so that two models of the same name get distinct names
    instead of overwriting each other.
    """
    mode: JsonSchemaMode = "validation"
    payload_models = sorted({c.payload for c in contracts}, key=lambda m: (m.__name__, m.__module__))
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [(Envelope, mode)]
    models.extend((model, mode) for model in payload_models)
    refs, top = models_json_schema(models, ref_template=SCHEMA_REF_TEMPLATE)
    schemas: dict[str, Schema] = dict(top.get("$defs", {}))
    envelope: Schema = schemas.pop(_ref_name(refs[(Envelope, mode)]["$ref"]))
    payload_refs = {model: {"$ref": refs[(model, mode)]["$ref"]} for model in payload_models}
    return envelope, payload_refs, schemas


def _ref_name(ref: str) -> str:
    prefix = SCHEMA_REF_TEMPLATE.format(model="")
    if not ref.startswith(prefix):
        raise ValueError(f"unexpected schema reference {ref!r}")
    return ref.removeprefix(prefix)


def _envelope_for(contract: Contract, envelope: Schema, payload_ref: Schema) -> Schema:
    """The envelope schema of one message type: its ``type`` and ``version`` fixed, its payload's
    schema in place of ``payload``.

    On the wire every field is present (``causation_id`` may be null), so everything but the fields
    that default to null is required: a producer that leaves ``message_id`` out would defeat
    deduplication.
    """
    schema = copy.deepcopy(envelope)
    schema["title"] = f"Envelope of {contract.type}"
    schema["description"] = (
        f"The envelope {contract.type} travels in; its `payload` is a {contract.payload.__name__}."
    )
    properties: dict[str, Schema] = schema["properties"]
    for name, field_schema in properties.items():
        description = ENVELOPE_FIELD_DESCRIPTIONS.get(name)
        if description and "description" not in field_schema:
            properties[name] = {"description": description, **field_schema}
    properties["type"]["const"] = contract.type
    properties["version"]["const"] = contract.version
    properties["payload"] = {"description": ENVELOPE_FIELD_DESCRIPTIONS["payload"], **payload_ref}
    required = [name for name, field in Envelope.model_fields.items() if field.default is not None]
    for name in required:
        properties[name].pop("default", None)
    schema["required"] = required
    return schema


def _channel(contract: Contract) -> dict[str, Any]:
    channel: dict[str, Any] = {
        "address": contract.routing_key,
        "title": contract.type,
        "summary": contract.summary,
        "description": (
            f"Routing key `{contract.routing_key}` on the topic exchange `{contract.exchange}` "
            f"owned by {contract.producer}. Consumers bind with `{contract.binding_key}`."
        ),
        "messages": {contract.type: {"$ref": f"#/components/messages/{_pointer(contract.type)}"}},
    }
    if contract.routing_parameters:
        channel["parameters"] = {name: _parameter(name) for name in contract.routing_parameters}
    channel["bindings"] = {
        "amqp": {
            "is": "routingKey",
            "exchange": {"name": contract.exchange, "type": "topic", "durable": True, "autoDelete": False},
            "bindingVersion": AMQP_BINDING_VERSION,
        }
    }
    return channel


def _parameter(name: str) -> dict[str, Any]:
    known = ROUTING_PARAMETERS.get(name)
    if known is None:
        return {"description": f"Value of `{name}`: one word without `.`, `*` or `#`."}
    parameter: dict[str, Any] = {"description": known.description}
    if known.examples:
        parameter["examples"] = list(known.examples)
    return parameter


def _message(contract: Contract, envelope: Schema, payload_ref: Schema) -> Schema:
    return {
        "name": contract.payload.__name__,
        "title": f"{contract.type} v{contract.version}",
        "summary": contract.summary,
        "contentType": CONTENT_TYPE,
        "correlationId": {
            "description": "The business flow the message belongs to (also the AMQP `correlation_id`).",
            "location": "$message.payload#/correlation_id",
        },
        "headers": {
            "type": "object",
            "description": "AMQP application headers.",
            "properties": {
                "traceparent": {
                    "type": "string",
                    "description": "W3C Trace Context of the operation that produced the message, if any.",
                }
            },
        },
        "payload": _envelope_for(contract, envelope, payload_ref),
        "bindings": {
            "amqp": {
                "contentEncoding": CONTENT_ENCODING,
                "messageType": contract.type,
                "bindingVersion": AMQP_BINDING_VERSION,
            }
        },
    }


def _pointer(key: str) -> str:
    """``key`` escaped as one JSON Pointer segment."""
    return key.replace("~", "~0").replace("/", "~1")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kit.contracts.asyncapi",
        description="Print the AsyncAPI 3.0 document of the message contracts (YAML).",
    )
    parser.add_argument(
        "--check",
        metavar="PATH",
        type=Path,
        help="compare PATH with the generated document; exit 1 if it differs",
    )
    args = parser.parse_args(argv)

    text = render(contract_registry)
    if args.check is not None:
        path: Path = args.check
        try:
            current = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            print(
                f"{path} does not exist; generate it with: python -m kit.contracts.asyncapi > {path}",
                file=sys.stderr,
            )
            return 1
        if current != text:
            print(
                f"{path} is out of date; regenerate it with: python -m kit.contracts.asyncapi > {path}",
                file=sys.stderr,
            )
            return 1
        return 0
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
