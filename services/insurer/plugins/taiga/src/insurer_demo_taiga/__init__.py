"""«Тайга-Полис» — a fictional demo insurer. Every name, number and address here is invented
(SYNTHETIC DATA); the ИНН and ОГРН only pass their checksums."""

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from insurer.plugin import (
    Accept,
    AgeBand,
    BankDetails,
    Decline,
    DmsTariff,
    InsurerIdentity,
    InsurerPlugin,
    Licence,
    Product,
    Signatory,
    UnderwritingDecision,
)
from kit.contracts.dms import MedicalCondition

# SYNTHETIC TARIFF TABLES: invented for the demo, not an insurer's actuarial figures.
PROGRAMME = (
    "Неотложная первичная и специализированная медицинская помощь амбулаторно и в стационаре, "
    "лекарственное обеспечение при её оказании; клиники повышенной категории (программа ДМС-мигрант, демо)"
)
AGE_BANDS = (
    AgeBand(18, 44, male=Decimal("1.00"), female=Decimal("1.05")),
    AgeBand(45, 60, male=Decimal("1.30"), female=Decimal("1.30")),
)
REGION_COEFFICIENTS = {"77": Decimal("1.35"), "78": Decimal("1.25")}
#: In Siberia Taiga sells any whole number of months (DMS-02); elsewhere the default terms.
MONTHLY_REGIONS = {"24", "54"}
TERM_COEFFICIENTS = {
    # A short term costs more per month: months / 12 with a 10 % surcharge, a year at 1.
    **{
        months: min(Decimal(1), (Decimal(months) / 12 * Decimal("1.1")).quantize(Decimal("0.0001")))
        for months in range(1, 12)
    },
    3: Decimal("0.40"),
    6: Decimal("0.65"),
    9: Decimal("0.85"),
    12: Decimal(1),
}
DECLINED = {
    MedicalCondition.hiv,
    MedicalCondition.cancer,
    MedicalCondition.mental_disorder,
    MedicalCondition.dialysis,
    MedicalCondition.chronic_hepatitis,
}


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

    def dms_tariff(self, region: str) -> DmsTariff:
        return DmsTariff(
            product_code="dms-migrant",
            product_name="ДМС-мигрант «Тайга»",
            programme=PROGRAMME,
            sum_insured_kopecks=15_000_000,  # 150 000 RUB
            base_annual_tariff=Decimal("0.045"),
            age_bands=AGE_BANDS,
            scope=Decimal(1),
            group_size=Decimal(1),
            clinic_category=Decimal("1.10"),
            region=REGION_COEFFICIENTS.get(region, Decimal(1)),
            term=TERM_COEFFICIENTS,
            offer_valid_for=timedelta(days=2),
            extra_territory=("54",) if region != "54" else (),
        )

    def dms_terms(self, region: str) -> Sequence[int]:
        return tuple(range(1, 13)) if region in MONTHLY_REGIONS else (3, 6, 9, 12)

    def dms_underwrite(self, declaration: Sequence[MedicalCondition]) -> UnderwritingDecision:
        declined = sorted(DECLINED.intersection(declaration))
        if declined:
            names = ", ".join(declined)
            return Decline(
                "declared-condition",
                f"«Тайга-Полис» не страхует при заявленных заболеваниях: {names}",
                f"Taiga-Polis does not insure with the declared conditions: {names}",
            )
        if declaration:
            return Accept(
                loading=Decimal("2.0"),
                special_terms=("Повышающий коэффициент 2,0 за заявленные заболевания",),
            )
        return Accept()

    def policy_series(self, region: str) -> str:
        return f"ТП {region}"


plugin = TaigaPolis()
