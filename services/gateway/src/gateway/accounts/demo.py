"""Demo accounts of a local run and of the tests. Invented people; development passwords.

They are created at start when ``GATEWAY_DEMO_ACCOUNTS`` is on (by default in development only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gateway.accounts.profile import AccountProfile, AssuranceLevel
from kit.contracts.dms import DocumentType, IdentityDocument, PersonName, Sex


@dataclass(frozen=True)
class DemoAccount:
    key: str
    login: str
    password: str
    level: AssuranceLevel
    description: str
    profile: AccountProfile

    @property
    def citizenship(self) -> str | None:
        return self.profile.citizenship

    @property
    def latin_last_name(self) -> str | None:
        return self.profile.name_latin.last_name if self.profile.name_latin else None


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        key="worker",
        login="worker@demo.example",
        password="demo-worker-1",
        level=AssuranceLevel.confirmed,
        description="иностранный работник, гражданин Узбекистана, подтверждённая учётная запись",
        profile=AccountProfile(
            name_cyrillic=PersonName(last_name="Рахимов", first_name="Алишер", patronymic="Бахтиёрович"),
            name_latin=PersonName(last_name="RAKHIMOV", first_name="ALISHER"),
            sex=Sex.male,
            birth_date=date(1994, 3, 15),
            citizenship="UZB",
            document=IdentityDocument(
                type=DocumentType.foreign_passport,
                series="FA",
                number="1234567",
                issued_on=date(2019, 5, 20),
                issued_by="Министерство внутренних дел Республики Узбекистан",
                valid_until=date(2029, 5, 19),
            ),
            phone="+79001234567",
            email="alisher.rakhimov@demo.example",
        ),
    ),
    DemoAccount(
        key="worker2",
        login="worker2@demo.example",
        password="demo-worker-2",
        level=AssuranceLevel.confirmed,
        description="иностранная работница, гражданка Киргизии, подтверждённая учётная запись",
        profile=AccountProfile(
            name_cyrillic=PersonName(last_name="Асанова", first_name="Айгуль"),
            name_latin=PersonName(last_name="ASANOVA", first_name="AIGUL"),
            sex=Sex.female,
            birth_date=date(1998, 7, 2),
            citizenship="KGZ",
            document=IdentityDocument(
                type=DocumentType.foreign_passport,
                series="AC",
                number="7654321",
                issued_on=date(2021, 2, 10),
                issued_by="Государственная регистрационная служба Кыргызской Республики",
                valid_until=date(2031, 2, 9),
            ),
            phone="+79007654321",
            email=None,
        ),
    ),
    DemoAccount(
        key="unconfirmed",
        login="unconfirmed@demo.example",
        password="demo-unconfirmed",
        level=AssuranceLevel.standard,
        description="иностранный гражданин (Таджикистан), учётная запись не подтверждена",
        profile=AccountProfile(
            name_cyrillic=PersonName(last_name="Назаров", first_name="Фаррух"),
            name_latin=PersonName(last_name="NAZAROV", first_name="FARRUKH"),
            sex=Sex.male,
            birth_date=date(1990, 11, 11),
            citizenship="TJK",
            document=IdentityDocument(
                type=DocumentType.foreign_passport,
                number="400000001",
                issued_on=date(2020, 1, 10),
                issued_by="МВД Республики Таджикистан",
            ),
            phone="+79005550101",
        ),
    ),
    DemoAccount(
        key="citizen",
        login="citizen@demo.example",
        password="demo-citizen",
        level=AssuranceLevel.confirmed,
        description="гражданин России, подтверждённая учётная запись",
        profile=AccountProfile(
            name_cyrillic=PersonName(last_name="Иванов", first_name="Иван", patronymic="Иванович"),
            name_latin=PersonName(last_name="IVANOV", first_name="IVAN"),
            sex=Sex.male,
            birth_date=date(1985, 6, 1),
            citizenship="RUS",
            document=IdentityDocument(
                type=DocumentType.russian_passport,
                series="4510",
                number="123456",
                issued_on=date(2010, 6, 15),
                issued_by="ОВД района Демо г. Москвы",
            ),
            phone="+79003332211",
            email="ivanov@demo.example",
            snils="11223344595",
        ),
    ),
)
