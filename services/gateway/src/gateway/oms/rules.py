"""Pure rules of the cabinet's ОМС requests (OMS-01, OMS-04, OMS-05): what may be sent to the
register. Each violation names the field and the rule, in Russian and English."""

from __future__ import annotations

from datetime import date

from stdnum.ru import inn

from gateway.oms.schemas import ChildIn, ForeignerApplicationIn, OmsOperationIn
from gateway.violations import Violation, name_violations
from kit.calendar import age_on
from kit.contracts.oms import CHILD_PASSPORT_AGE, REQUIRED_SCANS

#: What a scan may be, recognised by its first bytes (the declared type must agree).
SCAN_SIGNATURES = {
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "application/pdf": b"%PDF-",
}


def child_violations(child: ChildIn, today: date) -> list[Violation]:
    found = list(name_violations(child.name, "child.name", latin=False))
    if child.birth_date > today:
        found.append(
            Violation(
                "child.birth_date",
                "date-not-future",
                "Дата рождения в будущем",
                "The date of birth is in the future",
            )
        )
    elif age_on(child.birth_date, today) >= CHILD_PASSPORT_AGE:
        found.append(
            Violation(
                "child.birth_date",
                "OMS-01",
                f"С {CHILD_PASSPORT_AGE} лет у ребёнка есть паспорт: заявление подаётся по паспорту, "
                "не по свидетельству о рождении",
                f"From {CHILD_PASSPORT_AGE} a child has a passport: apply with it, "
                "not with the birth certificate",
            )
        )
    certificate = child.birth_certificate
    if certificate.issued_on > today:
        found.append(
            Violation(
                "child.birth_certificate.issued_on",
                "date-not-future",
                "Дата выдачи свидетельства в будущем",
                "The certificate's issue date is in the future",
            )
        )
    elif certificate.issued_on < child.birth_date:
        found.append(
            Violation(
                "child.birth_certificate.issued_on",
                "after-birth",
                "Свидетельство выдано раньше даты рождения",
                "The certificate was issued before the date of birth",
            )
        )
    return found


def operation_violations(body: OmsOperationIn) -> list[Violation]:
    """OMS-04: what each operation needs, and nothing it does not."""
    found: list[Violation] = []

    def needs(field: str, value: object, ru: str, en: str) -> None:
        if value is None:
            found.append(Violation(field, "OMS-04", ru, en))

    def refuses(field: str, value: object) -> None:
        if value not in (None, False):
            found.append(
                Violation(
                    field,
                    "OMS-04",
                    f"Поле не относится к операции «{body.operation}»",
                    f"The field does not belong to operation {body.operation}",
                )
            )

    if body.operation == "change_insurer":
        needs(
            "insurer", body.insurer, "Укажите новую страховую медицинскую организацию", "Give the new insurer"
        )
        if body.region is not None and not body.relocation:
            found.append(
                Violation(
                    "region",
                    "OMS-04",
                    "Новый регион указывают только при смене места жительства (relocation)",
                    "A new region is given only with a change of residence (relocation)",
                )
            )
    elif body.operation == "change_region":
        needs("region", body.region, "Укажите новый регион", "Give the new region")
        needs(
            "insurer",
            body.insurer,
            "Укажите страховую медицинскую организацию нового региона",
            "Give an insurer of the new region",
        )
        refuses("relocation", body.relocation)  # a change of region is a relocation by itself
    else:
        for field in ("insurer", "region", "relocation"):
            refuses(field, getattr(body, field))
    return found


def foreigner_violations(data: ForeignerApplicationIn, today: date) -> list[Violation]:
    """OMS-05: the application's own consistency; whether it is enough is the register's review."""
    found: list[Violation] = []
    card, stay = data.migration_card, data.stay
    if card.entry_date > today:
        found.append(
            Violation(
                "migration_card.entry_date",
                "date-not-future",
                "Дата въезда в будущем",
                "The date of entry is in the future",
            )
        )
    if card.stay_until < card.entry_date:
        found.append(
            Violation(
                "migration_card.stay_until",
                "period-order",
                "Срок пребывания заканчивается раньше даты въезда",
                "The period of stay ends before the date of entry",
            )
        )
    if stay.issued_on > today:
        found.append(
            Violation(
                "stay.issued_on",
                "date-not-future",
                "Дата документа в будущем",
                "The document date is in the future",
            )
        )
    if stay.valid_until is not None and stay.valid_until < stay.issued_on:
        found.append(
            Violation(
                "stay.valid_until",
                "period-order",
                "Срок действия заканчивается раньше даты документа",
                "The validity ends before the document's date",
            )
        )
    if stay.employer_inn is not None:
        if stay.kind != "labour_contract":
            found.append(
                Violation(
                    "stay.employer_inn",
                    "OMS-05",
                    "ИНН работодателя указывают для трудового договора",
                    "The employer's ИНН goes with a labour contract",
                )
            )
        elif not inn.is_valid(stay.employer_inn):
            found.append(
                Violation(
                    "stay.employer_inn",
                    "ID-03",
                    "ИНН работодателя неверен: 10 или 12 цифр с верными контрольными цифрами",
                    "Invalid employer ИНН: 10 or 12 digits with valid check digits",
                )
            )
    if not data.consent_to_personal_data:
        found.append(
            Violation(
                "consent_to_personal_data",
                "OMS-05",
                "Заявление подаётся с согласием на обработку персональных данных",
                "The application needs consent to the processing of personal data",
            )
        )
    return found


def missing_scans(uploaded: set[str]) -> list[Violation]:
    return [
        Violation(f"scans.{kind}", "OMS-05", f"Загрузите скан-копию: {ru}", f"Upload the scan of the {en}")
        for kind, (ru, en) in REQUIRED_SCANS.items()
        if kind not in uploaded
    ]


def media_type(content_type: str) -> str:
    """``Image/PNG; charset=binary`` → ``image/png``."""
    return content_type.split(";", maxsplit=1)[0].strip().lower()


def scan_type_problem(media: str, head: bytes) -> tuple[str, str] | None:
    """A scan is a JPEG, PNG or PDF whose first bytes say what its media type says; otherwise why not."""
    signature = SCAN_SIGNATURES.get(media)
    if signature is None:
        return (
            f"Скан принимается как JPEG, PNG или PDF, а не {media or 'без типа'}",
            f"A scan is accepted as JPEG, PNG or PDF, not {media or 'untyped'}",
        )
    if not head:
        return ("Пустой файл", "The file is empty")
    if not head.startswith(signature):
        return (f"Содержимое файла не похоже на {media}", f"The file's content is not {media}")
    return None
