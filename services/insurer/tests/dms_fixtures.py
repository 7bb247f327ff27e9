"""An application for the insurer's unit tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from kit.contracts.dms import DmsApplication


def application(**change: Any) -> DmsApplication:
    applicant = {
        "name_cyrillic": {"last_name": "Рахимов", "first_name": "Алишер", "patronymic": "Бахтиёрович"},
        "name_latin": {"last_name": "RAKHIMOV", "first_name": "ALISHER", "patronymic": None},
        "sex": "male",
        "birth_date": "1996-03-15",
        "citizenship": "UZB",
        "document": {
            "type": "foreign_passport",
            "series": "FA",
            "number": "1234567",
            "issued_on": "2019-05-20",
            "issued_by": "Министерство внутренних дел Республики Узбекистан",
        },
        "address_in_russia": "г. Москва, ул. Примерная, д. 1, кв. 2",
        "phone": "+79001234567",
        "email": "alisher@example.com",
        **change.pop("applicant", {}),
    }
    base: dict[str, Any] = {
        "application_id": "app-1",
        "submitted_at": datetime(2026, 11, 23, 9, tzinfo=UTC),
        "applicant": applicant,
        "work_region": "77",
        "permit": {
            "kind": "patent",
            "number": "7700123456",
            "valid_from": "2026-11-01",
            "valid_until": "2027-10-31",
        },
        "term_months": 6,
        "medical_declaration": [],
        "consent_given_at": datetime(2026, 11, 23, 9, tzinfo=UTC),
    }
    return DmsApplication.model_validate({**base, **change})


TODAY = date(2026, 11, 23)
