"""The printable policy (DMS-10): an A4 PDF in Russian with a QR code of the policy number.

fpdf2 writes the PDF (pure Python, Unicode TrueType fonts embedded as a subset, so the file stays
small); the font is DejaVu Sans, shipped with the package (its licence is beside it) so the
Cyrillic text renders the same on every machine; qrcode draws the QR code.
"""

from __future__ import annotations

import copy
import io
from datetime import UTC, date, datetime, time
from functools import lru_cache
from pathlib import Path

import qrcode  # type: ignore[import-untyped]
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import TTFFont

from kit.contracts.dms import Money, PersonName, PolicyData, Sex

#: DejaVu Sans cut down to Latin, Cyrillic and the symbols of Russian documents (devtools/policy_font.py).
FONT = Path(__file__).parent / "fonts" / "DejaVuSans-policy.ttf"
SEX = {Sex.male: "мужской", Sex.female: "женский"}
DOCUMENT_TYPES = {
    "foreign_passport": "паспорт иностранного гражданина",
    "stateless_id": "документ лица без гражданства",
    "residence_permit": "вид на жительство",
    "refugee_certificate": "удостоверение беженца",
    "russian_passport": "паспорт гражданина Российской Федерации",
}


def qr_payload(policy: PolicyData) -> str:
    """What the QR code says: enough to find and check the policy."""
    return f"ДМС-мигрант;серия={policy.series};номер={policy.number};КН={policy.visual_control_number}"


@lru_cache(maxsize=256)
def _qr_png(text: str) -> bytes:
    image = qrcode.make(text, box_size=4, border=1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def rub(money: Money) -> str:
    roubles = f"{money.kopecks // 100:,}".replace(",", " ")
    return f"{roubles},{money.kopecks % 100:02d} руб."


def _day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


@lru_cache(maxsize=1)
def _parsed_font() -> TTFFont:
    """fpdf2 spends about as long measuring every glyph of the font (widths, cmap) as on the rest
    of a render: measure once, and give each document a copy (see :func:`_font_for_one_document`)."""
    loader = FPDF()
    loader.add_font("DejaVu", "", str(FONT))
    font = loader.fonts["dejavu"]
    assert isinstance(font, TTFFont)
    return font


@lru_cache(maxsize=1)
def _font_file() -> bytes:
    return FONT.read_bytes()


def _font_for_one_document() -> TTFFont:
    """A copy of the measured font with its own fontTools tables: writing the PDF subsets the
    tables *in place*, so no two documents may share them (they would lose each other's glyphs)."""
    font = copy.deepcopy(_parsed_font())
    font.ttfont = ttLib.TTFont(io.BytesIO(_font_file()), lazy=True)
    return font


class _Policy(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        self.fonts["dejavu"] = _font_for_one_document()
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(15, 15, 15)

    def heading(self, text: str, size: int = 11) -> None:
        self.set_font("DejaVu", size=size)
        self.set_fill_color(230, 236, 245)
        self.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT", fill=True)
        self.ln(1)

    def row(self, label: str, value: str) -> None:
        self.set_font("DejaVu", size=8)
        self.set_text_color(90, 90, 90)
        self.cell(55, 5, label)
        self.set_text_color(0, 0, 0)
        self.set_font("DejaVu", size=9)
        self.multi_cell(0, 5, value, new_x="LMARGIN", new_y="NEXT", align="L")


def _full(name: PersonName) -> str:
    return " ".join(part for part in (name.last_name, name.first_name, name.patronymic) if part)


def _insured(pdf: _Policy, policy: PolicyData) -> None:
    insured = policy.insured
    document = insured.document
    kind = DOCUMENT_TYPES.get(document.type.value, document.type.value)
    number = " ".join(part for part in (document.series, document.number) if part)
    pdf.heading("Застрахованное лицо")
    pdf.row("Фамилия, имя, отчество", _full(insured.name_cyrillic))
    pdf.row("Латинскими буквами", _full(insured.name_latin))
    pdf.row("Пол", SEX[insured.sex])
    pdf.row("Дата рождения", _day(insured.birth_date))
    pdf.row("Гражданство", insured.citizenship)
    pdf.row("Документ", f"{kind} {number}, выдан {_day(document.issued_on)}, {document.issued_by}")
    pdf.row("Адрес в Российской Федерации", insured.address_in_russia)
    pdf.row("Телефон, e-mail", ", ".join(c for c in (insured.phone, insured.email) if c))


def _terms(pdf: _Policy, policy: PolicyData) -> None:
    pdf.heading("Условия страхования")
    pdf.row("Программа", f"{policy.product_name}. {policy.programme}")
    pdf.row("Срок действия", f"с {_day(policy.valid_from)} по {_day(policy.valid_until)} включительно")
    pdf.row("Территория страхования", "субъекты РФ с кодами " + ", ".join(policy.territory))
    pdf.row("Страховая сумма", rub(policy.sum_insured))
    pdf.row("Страховая премия", rub(policy.premium))
    for term in policy.special_terms:
        pdf.row("Особые условия", term)


def render_policy_pdf(policy: PolicyData, *, synthetic: bool) -> bytes:
    """The policy as a printable PDF. ``synthetic`` marks a demo insurer's document as a sample."""
    pdf = _Policy()
    pdf.set_title(f"Полис ДМС-мигрант {policy.series} № {policy.number}")
    pdf.set_author(policy.insurer.legal_name)
    # The issue date, not the wall clock: the same policy renders to the same bytes.
    pdf.set_creation_date(datetime.combine(policy.issued_on, time(), tzinfo=UTC))
    pdf.add_page()

    pdf.image(io.BytesIO(_qr_png(qr_payload(policy))), x=170, y=12, w=25)
    pdf.set_font("DejaVu", size=15)
    pdf.cell(150, 8, "ПОЛИС", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=10)
    pdf.cell(
        150,
        6,
        "добровольного медицинского страхования иностранного гражданина",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("DejaVu", size=12)
    pdf.cell(150, 8, f"Серия {policy.series} № {policy.number}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=9)
    pdf.cell(
        150,
        5,
        f"Контрольный номер: {policy.visual_control_number}    Дата выдачи: {_day(policy.issued_on)}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if synthetic:
        pdf.set_text_color(180, 0, 0)
        pdf.cell(0, 6, "ДЕМО / ОБРАЗЕЦ — не является страховым документом", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(3)

    pdf.heading("Страхователь")
    pdf.row("Страхователь", policy.policyholder)

    _insured(pdf, policy)
    _terms(pdf, policy)
    insurer = policy.insurer
    pdf.heading("Страховщик")
    pdf.row("Наименование", insurer.legal_name)
    pdf.row("Лицензия", f"{insurer.licence_number} от {_day(insurer.licence_issued_on)}")
    pdf.row("ИНН / ОГРН", f"{insurer.inn} / {insurer.ogrn}")
    pdf.row("Адрес", insurer.address)
    pdf.row("Телефон, сайт", f"{insurer.phone}, {insurer.website}")
    pdf.row(
        "Банковские реквизиты",
        f"{insurer.bank_name}, БИК {insurer.bik}, р/с {insurer.settlement_account}, "
        f"к/с {insurer.correspondent_account}",
    )
    pdf.ln(4)
    pdf.row(insurer.signatory_position, f"{insurer.signatory_name}  (электронный документ)")
    return bytes(pdf.output())
