"""«Волга-Мед» — a fictional demo insurer. Every name, number and address here is invented
(SYNTHETIC DATA); the ИНН and ОГРН only pass their checksums."""

from collections.abc import Sequence
from datetime import date

from insurer.plugin import BankDetails, InsurerIdentity, InsurerPlugin, Licence, Product, Signatory


class VolgaMed(InsurerPlugin):
    @property
    def identity(self) -> InsurerIdentity:
        return InsurerIdentity(
            code="volga",
            legal_name="Акционерное общество «Страховая компания «Волга-Мед» (демо, вымышленная организация)",
            short_name="СК «Волга-Мед» (демо)",
            inn="9900000017",
            ogrn="1029900000019",
            licence=Licence(number="СЛ № 0000-ДЕМО", issued_on=date(2015, 3, 17)),
            address="443000, г. Самара, ул. Вымышленная, д. 1 (демо-адрес)",
            phone="+7 800 000-00-01",
            website="https://volga-med.example",
            bank=BankDetails(
                bank_name="Демо-банк (вымышленный)",
                bik="049900001",
                settlement_account="40701810000000000001",
                correspondent_account="30101810000000000001",
            ),
            signatory=Signatory(full_name="Иванова Анна Сергеевна", position="Генеральный директор"),
            synthetic=True,
        )

    def regions(self) -> Sequence[str]:
        # Volga regions and the two capitals.
        return ["16", "34", "50", "52", "63", "64", "77"]

    def products(self) -> Sequence[Product]:
        return [
            Product(code="dms-migrant", name="ДМС-мигрант «Волга-Мед»", line="dms-migrant"),
            Product(code="oms", name="ОМС (страховая медицинская организация)", line="oms"),
        ]


plugin = VolgaMed()
