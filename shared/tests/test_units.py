"""Fast unit tests of the kit: no database, no broker."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic_settings import SettingsConfigDict

from kit.contracts.base import Contract, ContractRegistry
from kit.errors import ProblemError, install_problem_handlers, rule_error
from kit.messaging.consumer import KeyedLocks
from kit.messaging.envelope import Envelope
from kit.retry import Backoff
from kit.settings import DEFAULT_SECRET, Environment, ServiceSettings
from shared.tests.harness import Noted, make_contract


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_")


# --- settings --------------------------------------------------------------------------------


def test_default_secret_is_accepted_in_development():
    settings = DemoSettings(environment=Environment.development)
    assert settings.secret_key.get_secret_value() == DEFAULT_SECRET


@pytest.mark.parametrize("environment", [Environment.test, Environment.production])
def test_default_secret_is_refused_outside_development(environment: Environment):
    with pytest.raises(ValidationError) as caught:
        DemoSettings(environment=environment)
    message = str(caught.value)
    assert "DEMO_SECRET_KEY" in message
    assert "секреты по умолчанию запрещены" in message
    assert "default secrets are refused" in message


def test_explicit_secret_is_accepted_in_production():
    settings = DemoSettings(environment=Environment.production, secret_key="a-real-secret")
    assert settings.environment is Environment.production


def test_sqlite_under_var_by_default_and_postgres_when_given(tmp_path):
    assert (
        DemoSettings(var_dir=tmp_path).effective_database_url == f"sqlite+aiosqlite:///{tmp_path}/service.db"
    )
    url = "postgresql+asyncpg://u@h/db"
    assert DemoSettings(database_url=url).effective_database_url == url


# --- contracts and envelope ------------------------------------------------------------------


def test_routing_key_reads_as_a_sentence_with_the_target_code():
    contract = make_contract("ex")
    assert contract.render_routing_key(topic="volga") == "test.note.volga.written"
    assert contract.binding_key == "test.note.*.written"
    with pytest.raises(ValueError, match="needs"):
        contract.render_routing_key()
    with pytest.raises(ValueError, match="one plain word"):
        contract.render_routing_key(topic="a.b")


def test_a_type_cannot_be_declared_twice_differently():
    registry = ContractRegistry()
    registry.register(make_contract("ex"))
    registry.register(make_contract("ex"))  # the same declaration again is harmless
    with pytest.raises(ValueError, match="declared twice"):
        registry.register(
            Contract(
                type="test.note.written",
                version=2,
                payload=Noted,
                exchange="ex",
                routing_key="x",
                producer="p",
                summary="s",
            )
        )


def test_content_hash_ignores_key_order_and_sees_payload_changes():
    a = Envelope(type="a.b", producer="p", correlation_id="c", payload={"x": 1, "y": [1, 2]})
    b = Envelope(
        message_id=a.message_id, type="a.b", producer="p", correlation_id="c", payload={"y": [1, 2], "x": 1}
    )
    c = Envelope(
        message_id=a.message_id, type="a.b", producer="p", correlation_id="c", payload={"x": 2, "y": [1, 2]}
    )
    assert a.content_hash() == b.content_hash()
    assert a.content_hash() != c.content_hash()


def test_envelope_refuses_unknown_fields_and_bad_types():
    with pytest.raises(ValidationError):
        Envelope.model_validate(
            {"type": "a.b", "producer": "p", "correlation_id": "c", "payload": {}, "extra": 1}
        )
    with pytest.raises(ValidationError):
        Envelope(type="NoDots", producer="p", correlation_id="c", payload={})


# --- retry and ordering ----------------------------------------------------------------------


def test_backoff_grows_and_is_capped():
    backoff = Backoff(initial=0.5, maximum=4.0, jitter=0.0)
    assert [backoff.delay(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    jittered = Backoff(initial=1.0, maximum=10.0, jitter=0.2)
    assert all(0.8 <= jittered.delay(0) <= 1.2 for _ in range(100))


async def test_keyed_locks_serialise_one_key_in_arrival_order_and_free_others():
    locks = KeyedLocks()
    order: list[str] = []

    async def work(key: str, name: str, pause: float) -> None:
        async with locks.hold(key):
            order.append(f"start {name}")
            await asyncio.sleep(pause)
            order.append(f"end {name}")

    await asyncio.gather(work("a", "a1", 0.05), work("a", "a2", 0.0), work("b", "b1", 0.0))
    assert order.index("end a1") < order.index("start a2")
    assert order.index("start b1") < order.index("end a1"), "another key is not held up"
    assert locks._locks == {}


# --- problem documents -----------------------------------------------------------------------


class Application(BaseModel):
    months: int = Field(ge=1, le=12)
    citizenship: str

    @field_validator("citizenship")
    @classmethod
    def not_russian(cls, value: str) -> str:
        if value == "RU":
            raise rule_error(
                "DMS-01",
                ru="Гражданам России ДМС-мигрант не оформляется",
                en="Russian citizens cannot apply for DMS-migrant",
            )
        return value


def problem_app() -> httpx.AsyncClient:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/applications")
    async def submit(application: Application) -> dict[str, Any]:
        return application.model_dump()

    @app.get("/conflict")
    async def conflict() -> None:
        raise ProblemError(
            409, rule="idempotency-key-reused", title_ru="Ключ уже использован", title_en="Key already used"
        )

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("bug")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_validation_errors_name_field_and_rule_in_russian_by_default():
    response = await problem_app().post("/applications", json={"months": 13, "citizenship": "RU"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["title"] == "Ошибка в данных запроса"
    errors = {e["field"]: e for e in body["errors"]}
    assert errors["months"]["rule"] == "less_than_equal"
    assert errors["months"]["message"] == "Значение должно быть не больше 12"
    assert errors["citizenship"]["rule"] == "DMS-01"
    assert errors["citizenship"]["message"] == "Гражданам России ДМС-мигрант не оформляется"


async def test_validation_errors_in_english_when_preferred():
    response = await problem_app().post(
        "/applications", json={"citizenship": "RU"}, headers={"Accept-Language": "en-GB,en;q=0.9,ru;q=0.5"}
    )
    body = response.json()
    assert body["title"] == "The request has invalid fields"
    errors = {e["field"]: e for e in body["errors"]}
    assert errors["months"]["rule"] == "missing"
    assert errors["citizenship"]["message"] == "Russian citizens cannot apply for DMS-migrant"


async def test_russian_wins_when_ranked_higher_and_bad_json_is_a_clear_422():
    client = problem_app()
    response = await client.post(
        "/applications",
        content=b"{not json",
        headers={"Content-Type": "application/json", "Accept-Language": "en;q=0.3, ru"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "Тело запроса не является корректным JSON"


async def test_domain_problem_and_unexpected_error_are_problem_documents():
    client = problem_app()
    conflict = await client.get("/conflict", headers={"Accept-Language": "en"})
    assert conflict.status_code == 409
    assert conflict.json()["type"] == "urn:problem:idempotency-key-reused"
    assert conflict.json()["title"] == "Key already used"
    boom = await client.get("/boom")
    assert boom.status_code == 500
    assert boom.json() == {
        "type": "about:blank",
        "title": "Внутренняя ошибка",
        "status": 500,
        "instance": "/boom",
        "errors": [],
    }


def test_development_credentials_are_refused_outside_development():
    from pydantic import SecretStr

    from gateway.settings import GatewaySettings
    from kit.settings import Environment, refuse_development_credentials
    from payments.settings import PaymentsSettings
    from registry.settings import RegistrySettings

    dev = {"hr-demo": SecretStr("test_dev_hr-demo"), "real": SecretStr("s3cr3t")}
    refuse_development_credentials(Environment.development, dev, variable="X")  # allowed there
    with pytest.raises(ValueError, match=r"\['hr-demo'\] \(X\)"):
        refuse_development_credentials(Environment.production, dev, variable="X")
    for settings, variable in (
        (GatewaySettings, "GATEWAY_PARTNERS"),
        (PaymentsSettings, "PAYMENTS_MERCHANTS"),
        (RegistrySettings, "REGISTRY_CLIENTS"),
    ):
        with pytest.raises(ValidationError, match=variable):
            settings.model_validate({"environment": "production", "secret_key": "a-real-secret"})
