"""Violations of the gateway's rules, each naming the field and the rule in Russian and English, and
the problem document that lists them all. Shared by the ДМС and ОМС features; pure."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import iuliia  # type: ignore[import-untyped]

from kit.contracts.dms import PersonName
from kit.errors import FieldError, ProblemError

# Letters of each script, with the separators names use (space, hyphen, apostrophe, dot).
_CYRILLIC_NAME = re.compile(r"^[А-Яа-яЁё]+(?:[ '’.-][А-Яа-яЁё]+)*\.?$")
_LATIN_NAME = re.compile(r"^[A-Za-z]+(?:[ '’.-][A-Za-z]+)*\.?$")
_HAS_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


@dataclass(frozen=True)
class Violation:
    field: str
    rule: str
    ru: str
    en: str


def name_violations(name: PersonName, field: str, *, latin: bool) -> Iterable[Violation]:
    for part in ("last_name", "first_name", "patronymic"):
        value = getattr(name, part)
        if value is None:
            continue
        path = f"{field}.{part}"
        if latin:
            if _LATIN_NAME.fullmatch(value):
                continue
            hint_ru = hint_en = ""
            if _HAS_CYRILLIC.search(value):
                # ID-04: the Latin spelling comes from the passport; ICAO Doc 9303 shows the usual one.
                icao = iuliia.ICAO_DOC_9303.translate(value)
                hint_ru = f"; по ICAO Doc 9303 «{value}» пишется «{icao}», но укажите как в паспорте"
                hint_en = f"; ICAO Doc 9303 spells '{value}' as '{icao}', but give it as in the passport"
            yield Violation(
                path,
                "ID-04",
                "Имя латиницей — только латинские буквы, пробел, дефис или апостроф, как в документе"
                + hint_ru,
                "The Latin name takes Latin letters, spaces, hyphens or apostrophes only, as in the document"
                + hint_en,
            )
        elif not _CYRILLIC_NAME.fullmatch(value):
            yield Violation(
                path,
                "name-cyrillic",
                "Имя кириллицей — только русские буквы, пробел, дефис или апостроф",
                "The Cyrillic name takes Cyrillic letters, spaces, hyphens or apostrophes only",
            )


def invalid(
    violations: list[Violation],
    language: str,
    *,
    rule: str = "invalid-application",
    title_ru: str = "Заявление заполнено с ошибками",
    title_en: str = "The application has errors",
    detail_ru: str = "Исправьте поля, перечисленные в errors",
    detail_en: str = "Correct the fields listed in errors",
) -> ProblemError:
    """A 422 listing every violation, worded in the client's language."""
    return ProblemError(
        422,
        rule=rule,
        title_ru=title_ru,
        title_en=title_en,
        detail_ru=detail_ru,
        detail_en=detail_en,
        errors=[
            FieldError(
                field=v.field, location="body", rule=v.rule, message=v.en if language == "en" else v.ru
            )
            for v in violations
        ],
    )
