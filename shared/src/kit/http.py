"""The FastAPI application every service builds on: lifespan, health, correlation ids, problems."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kit.errors import install_problem_handlers
from kit.logging import log_context
from kit.runtime import ServiceRuntime

CORRELATION_HEADER = "x-correlation-id"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,200}$")


class CorrelationIdMiddleware:
    """Takes ``X-Correlation-ID`` (or ``X-Request-ID``) from the request, or makes one, puts it in
    every log line written while handling the request and returns it in the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        candidate = headers.get(CORRELATION_HEADER) or headers.get("x-request-id") or ""
        correlation_id = candidate if _SAFE_ID.match(candidate) else str(uuid.uuid4())
        traceparent = headers.get("traceparent")

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"].append((CORRELATION_HEADER.encode(), correlation_id.encode()))
            await send(message)

        with log_context(correlation_id=correlation_id, traceparent=traceparent):
            await self.app(scope, receive, send_with_header)


def operation_id(route: APIRoute) -> str:
    """``{tag}-{name}`` so that generated clients get readable method names."""
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}"


def runtime_of(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


Runtime = Annotated[ServiceRuntime, Depends(runtime_of)]


class Health(BaseModel):
    status: Literal["ok"]
    service: str


class ReadyChecks(BaseModel):
    database: str
    broker: str


class Ready(BaseModel):
    status: Literal["ready", "not_ready"]
    service: str
    checks: ReadyChecks


health_router = APIRouter(tags=["health"])


@health_router.get("/health", response_model=Health, summary="Process is alive")
async def health(runtime: Runtime) -> Health:
    return Health(status="ok", service=runtime.settings.instance_name)


@health_router.get(
    "/ready",
    response_model=Ready,
    summary="Database and RabbitMQ reachable",
    responses={503: {"model": Ready, "description": "Not ready: a dependency is unreachable or starting"}},
)
async def ready(runtime: Runtime) -> Any:
    state = await runtime.readiness()
    body = Ready(
        status="ready" if state.ready else "not_ready",
        service=runtime.settings.instance_name,
        checks=ReadyChecks(database=state.database, broker=state.broker),
    )
    if state.ready:
        return body
    return JSONResponse(body.model_dump(), status_code=503)


def create_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    description: str,
    version: str = "0.1.0",
    routers: Sequence[APIRouter] = (),
    openapi_tags: list[dict[str, Any]] | None = None,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        openapi_tags=[*(openapi_tags or []), {"name": "health", "description": "Liveness and readiness"}],
    )
    app.state.runtime = runtime
    app.add_middleware(CorrelationIdMiddleware)
    install_problem_handlers(app)
    app.include_router(health_router)
    for router in routers:
        app.include_router(router)
    return app
