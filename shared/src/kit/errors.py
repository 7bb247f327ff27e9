"""Errors as ``application/problem+json`` (RFC 9457), in Russian with an English variant.

A bad request always names the field and the rule it broke. The language follows
``Accept-Language``: Russian unless the client prefers English.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from pydantic_core import PydanticCustomError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class FieldError(BaseModel):
    field: str = Field(description="Dotted path of the field, e.g. applicant.birth_date")
    location: str = Field(description="body, query, path or header")
    rule: str = Field(description="Machine-readable rule that failed")
    message: str


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] = Field(default_factory=list)


class ProblemError(Exception):
    """Raise from a route or domain service to answer with a problem document."""

    def __init__(
        self,
        status: int,
        *,
        rule: str,
        title_ru: str,
        title_en: str,
        detail_ru: str | None = None,
        detail_en: str | None = None,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(title_en)
        self.status = status
        self.rule = rule
        self.title = {"ru": title_ru, "en": title_en}
        self.detail = {"ru": detail_ru, "en": detail_en}
        self.errors = errors or []
        self.headers = headers


def rule_error(rule: str, *, ru: str, en: str) -> PydanticCustomError:
    """For a pydantic validator: a rule violation with both wordings (``raise rule_error(...)``)."""
    return PydanticCustomError(rule, en, {"ru": ru})


def preferred_language(request: Request) -> str:
    """``en`` if the client ranks English above Russian, otherwise ``ru``."""
    header = request.headers.get("accept-language", "")
    best: tuple[float, str] = (-1.0, "ru")
    for part in header.split(","):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower().split("-")[0]
        quality = 1.0
        for param in pieces[1:]:
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag in ("ru", "en") and quality > best[0]:
            best = (quality, tag)
    return best[1]


# Russian wordings of pydantic's error types; ``{...}`` takes the error's context.
_RU_MESSAGES: dict[str, str] = {
    "missing": "Обязательное поле не заполнено",
    "extra_forbidden": "Поле не предусмотрено",
    "json_invalid": "Тело запроса не является корректным JSON",
    "json_type": "Ожидается JSON",
    "string_type": "Ожидается строка",
    "string_too_short": "Длина должна быть не меньше {min_length}",
    "string_too_long": "Длина должна быть не больше {max_length}",
    "string_pattern_mismatch": "Значение не соответствует формату {pattern}",
    "int_type": "Ожидается целое число",
    "int_parsing": "Ожидается целое число",
    "int_from_float": "Ожидается целое число без дробной части",
    "float_type": "Ожидается число",
    "float_parsing": "Ожидается число",
    "decimal_parsing": "Ожидается десятичное число",
    "bool_type": "Ожидается true или false",
    "bool_parsing": "Ожидается true или false",
    "greater_than": "Значение должно быть больше {gt}",
    "greater_than_equal": "Значение должно быть не меньше {ge}",
    "less_than": "Значение должно быть меньше {lt}",
    "less_than_equal": "Значение должно быть не больше {le}",
    "date_type": "Ожидается дата в формате ГГГГ-ММ-ДД",
    "date_parsing": "Ожидается дата в формате ГГГГ-ММ-ДД",
    "date_from_datetime_parsing": "Ожидается дата в формате ГГГГ-ММ-ДД",
    "datetime_type": "Ожидается дата и время в формате ISO 8601",
    "datetime_parsing": "Ожидается дата и время в формате ISO 8601",
    "datetime_from_date_parsing": "Ожидается дата и время в формате ISO 8601",
    "timezone_aware": "Дата и время должны содержать часовой пояс",
    "uuid_type": "Ожидается UUID",
    "uuid_parsing": "Ожидается UUID",
    "enum": "Допустимые значения: {expected}",
    "literal_error": "Допустимые значения: {expected}",
    "list_type": "Ожидается список",
    "dict_type": "Ожидается объект",
    "model_type": "Ожидается объект",
    "model_attributes_type": "Ожидается объект",
    "too_short": "Нужно не меньше {min_length} элементов",
    "too_long": "Допускается не больше {max_length} элементов",
    "url_parsing": "Ожидается URL",
    "url_type": "Ожидается URL",
    "url_scheme": "Допустимые схемы адреса: {expected_schemes}",
    "value_error": "Недопустимое значение: {error}",
}


def _russian(error: dict[str, Any]) -> str:
    ctx = error.get("ctx") or {}
    if isinstance(ctx.get("ru"), str):
        return str(ctx["ru"])
    template = _RU_MESSAGES.get(error["type"])
    if template is None:
        return str(error["msg"])
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return str(error["msg"])


def field_errors(errors: list[dict[str, Any]], language: str) -> list[FieldError]:
    result = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        location = loc[0] if loc and loc[0] in ("body", "query", "path", "header", "cookie") else "body"
        path = loc[1:] if loc and loc[0] == location else loc
        result.append(
            FieldError(
                field=".".join(path) or "(body)",
                location=location,
                rule=str(error["type"]),
                message=_russian(error) if language == "ru" else str(error["msg"]),
            )
        )
    return result


def problem_response(
    request: Request, problem: Problem, headers: dict[str, str] | None = None
) -> JSONResponse:
    problem.instance = problem.instance or request.url.path
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


_TITLES = {
    400: ("Некорректный запрос", "Bad request"),
    401: ("Требуется аутентификация", "Authentication required"),
    403: ("Доступ запрещён", "Forbidden"),
    404: ("Не найдено", "Not found"),
    405: ("Метод не поддерживается", "Method not allowed"),
    409: ("Конфликт", "Conflict"),
    422: ("Ошибка в данных запроса", "The request has invalid fields"),
    500: ("Внутренняя ошибка", "Internal error"),
    503: ("Сервис временно недоступен", "Service temporarily unavailable"),
}


def _title(status: int, language: str) -> str:
    ru, en = _TITLES.get(status, ("Ошибка", "Error"))
    return ru if language == "ru" else en


def install_problem_handlers(app: FastAPI) -> None:
    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        language = preferred_language(request)
        return problem_response(
            request,
            Problem(
                type="urn:problem:validation",
                title=_title(422, language),
                status=422,
                errors=field_errors(list(exc.errors()), language),
            ),
        )

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        language = preferred_language(request)
        return problem_response(
            request,
            Problem(
                type=f"urn:problem:{exc.rule}",
                title=exc.title[language],
                status=exc.status,
                detail=exc.detail[language],
                errors=exc.errors,
            ),
            headers=exc.headers,
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        language = preferred_language(request)
        detail = (
            exc.detail
            if isinstance(exc.detail, str) and exc.detail != _title(exc.status_code, "en")
            else None
        )
        return problem_response(
            request,
            Problem(title=_title(exc.status_code, language), status=exc.status_code, detail=detail),
            headers=getattr(exc, "headers", None),
        )

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        language = preferred_language(request)
        return problem_response(request, Problem(title=_title(500, language), status=500))

    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)
