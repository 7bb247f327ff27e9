"""The AsyncAPI document, the examples and docs/contracts.md agree with the contract registry."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from kit.contracts import registry
from kit.contracts.asyncapi import SCHEMA_REF_TEMPLATE, build_document, main, render
from kit.contracts.base import Contract, ContractRegistry
from kit.messaging.envelope import Envelope

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
REGENERATE = "python -m kit.contracts.asyncapi > docs/asyncapi.yaml"

CONTRACTS = registry.all()
by_type = pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.type)


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document(registry)


def resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"{ref} is not a local reference"
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def load_example(message_type: str) -> dict[str, Any]:
    path = EXAMPLES / f"{message_type}.json"
    assert path.exists(), f"{message_type} has no example: write {path.relative_to(ROOT)}"
    example: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return example


# -- the document ----------------------------------------------------------------------------------


def test_registry_has_contracts() -> None:
    assert CONTRACTS, "no contract registered: importing kit.contracts should register them"
    assert any(c.routing_parameters for c in CONTRACTS), "no parameterised routing key to check"


def test_header(document: dict[str, Any]) -> None:
    assert document["asyncapi"] == "3.0.0"
    assert document["servers"]["local"]["protocol"] == "amqp"
    assert document["defaultContentType"] == "application/json"


@by_type
def test_contract_has_a_channel(document: dict[str, Any], contract: Contract) -> None:
    channel = document["channels"][contract.type]
    assert channel["address"] == contract.routing_key
    assert channel["bindings"]["amqp"]["is"] == "routingKey"
    assert channel["bindings"]["amqp"]["exchange"] == {
        "name": contract.exchange,
        "type": "topic",
        "durable": True,
        "autoDelete": False,
    }
    assert list(channel["messages"]) == [contract.type]
    message = resolve(document, channel["messages"][contract.type]["$ref"])
    assert message is document["components"]["messages"][contract.type]


@by_type
def test_contract_has_a_message(document: dict[str, Any], contract: Contract) -> None:
    message = document["components"]["messages"][contract.type]
    assert message["contentType"] == "application/json"
    assert message["bindings"]["amqp"]["messageType"] == contract.type

    envelope = message["payload"]
    properties = envelope["properties"]
    assert list(properties) == list(Envelope.model_fields)
    assert envelope["additionalProperties"] is False
    assert properties["type"]["const"] == contract.type
    assert properties["version"]["const"] == contract.version
    assert set(envelope["required"]) == set(Envelope.model_fields) - {"causation_id"}

    payload_schema = resolve(document, properties["payload"]["$ref"])
    expected = contract.payload.model_json_schema(ref_template=SCHEMA_REF_TEMPLATE)
    definitions = expected.pop("$defs", {})
    assert payload_schema == expected
    for name, schema in definitions.items():
        assert document["components"]["schemas"][name] == schema


@by_type
def test_contract_has_send_and_receive_operations(document: dict[str, Any], contract: Contract) -> None:
    channel_ref = f"#/channels/{contract.type}"
    operations = [op for op in document["operations"].values() if op["channel"]["$ref"] == channel_ref]
    found = sorted((op["action"], [tag["name"] for tag in op["tags"]]) for op in operations)
    expected = sorted([("send", [contract.producer]), *(("receive", [c]) for c in contract.consumers)])
    assert found == expected
    channel = document["channels"][contract.type]
    for operation in operations:
        for ref in operation["messages"]:
            assert ref["$ref"].startswith(f"{channel_ref}/messages/")
            assert resolve(document, ref["$ref"]) in channel["messages"].values()


@by_type
def test_routing_parameters_are_declared(document: dict[str, Any], contract: Contract) -> None:
    channel = document["channels"][contract.type]
    in_address = set(re.findall(r"\{([^{}]+)\}", channel["address"]))
    declared = channel.get("parameters", {})
    assert in_address == set(contract.routing_parameters) == set(declared)
    for name, parameter in declared.items():
        assert parameter["description"].strip(), f"parameter {name} of {contract.type} is not described"


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    refs = list(references(document))
    assert refs
    for ref in refs:
        resolve(document, ref)


def test_definitions_live_in_components(document: dict[str, Any]) -> None:
    text = json.dumps(document)
    assert "$defs" not in text
    assert all(ref.startswith("#/") for ref in references(document))


def test_output_is_deterministic() -> None:
    reversed_registry = ContractRegistry()
    for contract in reversed(CONTRACTS):
        reversed_registry.register(contract)
    assert render(reversed_registry) == render(registry)


def test_yaml_reads_back_as_the_document(document: dict[str, Any]) -> None:
    assert yaml.safe_load(render(registry)) == document
    assert "&id" not in render(registry)


def test_docs_asyncapi_yaml_is_up_to_date() -> None:
    path = DOCS / "asyncapi.yaml"
    assert path.exists(), f"docs/asyncapi.yaml is missing; generate it: {REGENERATE}"
    assert path.read_text(encoding="utf-8") == render(registry), (
        f"docs/asyncapi.yaml is out of date; regenerate it: {REGENERATE}"
    )


def test_check_option(tmp_path: Path) -> None:
    current = tmp_path / "asyncapi.yaml"
    current.write_text(render(registry), encoding="utf-8")
    stale = tmp_path / "stale.yaml"
    stale.write_text(render(registry).replace("3.0.0", "2.6.0", 1), encoding="utf-8")
    assert main(["--check", str(current)]) == 0
    assert main(["--check", str(stale)]) == 1
    assert main(["--check", str(tmp_path / "missing.yaml")]) == 1


# -- the examples ----------------------------------------------------------------------------------


def test_every_contract_has_one_example() -> None:
    assert {path.stem for path in EXAMPLES.glob("*.json")} == {c.type for c in CONTRACTS}


@by_type
def test_example_is_valid(contract: Contract) -> None:
    example = load_example(contract.type)
    # As our consumer reads it: the body as JSON into the envelope, then the payload into its model.
    body = json.dumps(example["body"], ensure_ascii=False).encode()
    envelope = Envelope.model_validate_json(body)
    assert registry.get(envelope.type) is contract
    assert envelope.version == contract.version
    payload = registry.parse(envelope.type, envelope.payload)
    # And exactly as our producers would have written it.
    assert json.loads(envelope.model_dump_json()) == example["body"]
    assert payload.model_dump(mode="json") == example["body"]["payload"]

    assert example["exchange"] == contract.exchange
    pattern = re.escape(contract.routing_key)
    for name in contract.routing_parameters:
        pattern = pattern.replace(re.escape(f"{{{name}}}"), f"(?P<{name}>[^.#*]+)")
    match = re.fullmatch(pattern, example["routing_key"])
    assert match, f"{example['routing_key']} does not fit {contract.routing_key}"
    assert contract.render_routing_key(**match.groupdict()) == example["routing_key"]

    properties = example["properties"]
    assert properties["message_id"] == str(envelope.message_id)
    assert properties["type"] == envelope.type
    assert properties["correlation_id"] == envelope.correlation_id
    assert properties["app_id"] == envelope.producer
    assert properties["content_type"] == "application/json"
    assert properties["delivery_mode"] == 2
    assert properties["timestamp"] == int(envelope.occurred_at.timestamp())
    assert isinstance(example["headers"], dict)


def test_examples_are_one_conversation() -> None:
    """The announcement answers the refresh request: its causation id is the request's message id."""
    request = load_example("directory.refresh.requested")["body"]
    announcement = load_example("insurer.announced")["body"]
    assert announcement["causation_id"] == request["message_id"]
    answered_at = datetime.fromisoformat(announcement["occurred_at"])
    assert answered_at >= datetime.fromisoformat(request["occurred_at"])


def test_contracts_md_shows_the_examples() -> None:
    text = (DOCS / "contracts.md").read_text(encoding="utf-8")
    blocks = [json.loads(block) for block in re.findall(r"```json\n(.*?)\n```", text, flags=re.DOTALL)]
    shown = {block["body"]["type"]: block for block in blocks if isinstance(block, dict) and "body" in block}
    assert set(shown) == {c.type for c in CONTRACTS}
    for message_type, block in shown.items():
        assert block == load_example(message_type), f"contracts.md shows another {message_type} example"
