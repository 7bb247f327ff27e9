"""«Тайга-Полис» — a fictional demo insurer. Every name, number and address here is invented
(SYNTHETIC DATA); the ИНН and ОГРН only pass their checksums."""

from collections.abc import Sequence
from datetime import date

from insurer.plugin import BankDetails, InsurerIdentity, InsurerPlugin, Licence, Product, Signatory


class TaigaPolis(InsurerPlugin):
    @property
    def identity(self) -> InsurerIdentity:
        return InsurerIdentity(
            code="taiga",
            legal_name="Общество с ограниченной ответственностью «Страховая компания «Тайга-Полис» "
            "(демо, вымышленная организация)",
            short_name="СК «Тайга-Полис» (демо)",
            inn="9900000024",
            ogrn="1029900000020",
            licence=Licence(number="СИ № 0001-ДЕМО", issued_on=date(2018, 9, 4)),
            address="630000, г. Новосибирск, пр-т Вымышленный, д. 2 (демо-адрес)",
            phone="+7 800 000-00-02",
            website="https://taiga-polis.example",
            bank=BankDetails(
                bank_name="Демо-банк (вымышленный)",
                bik="045000002",
                settlement_account="40702810000000000002",
                correspondent_account="30101810000000000002",
            ),
            signatory=Signatory(full_name="Петров Олег Иванович", position="Директор"),
            synthetic=True,
        )

    def regions(self) -> Sequence[str]:
        # Siberia and the two capitals.
        return ["24", "38", "54", "70", "77", "78"]

    def products(self) -> Sequence[Product]:
        return [Product(code="dms-migrant", name="ДМС-мигрант «Тайга»", line="dms-migrant")]


plugin = TaigaPolis()
