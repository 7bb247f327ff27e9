"""«Волга-Мед» — a fictional demo insurer. Every name, number and address here is invented
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
    "Первичная медико-санитарная и специализированная медицинская помощь в неотложной форме "
    "в амбулаторных и стационарных условиях, с лекарственными препаратами, применяемыми при её оказании "
    "(программа ДМС-мигрант, демо)"
)
AGE_BANDS = (
    AgeBand(18, 39, male=Decimal("1.00"), female=Decimal("1.10")),
    AgeBand(40, 54, male=Decimal("1.20"), female=Decimal("1.25")),
    AgeBand(55, 65, male=Decimal("1.60"), female=Decimal("1.50")),
)
REGION_COEFFICIENTS = {"77": Decimal("1.30"), "50": Decimal("1.15")}
TERM_COEFFICIENTS = {3: Decimal("0.35"), 6: Decimal("0.60"), 9: Decimal("0.80"), 12: Decimal("1")}
#: Declined outright (DMS-08); any other declared condition is insured on special terms.
DECLINED = {
    MedicalCondition.hiv,
    MedicalCondition.tuberculosis,
    MedicalCondition.drug_addiction,
    MedicalCondition.dangerous_infection,
}


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

    def dms_tariff(self, region: str) -> DmsTariff:
        return DmsTariff(
            product_code="dms-migrant",
            product_name="ДМС-мигрант «Волга-Мед»",
            programme=PROGRAMME,
            sum_insured_kopecks=10_000_000,  # 100 000 RUB, the DMS-03 minimum
            base_annual_tariff=Decimal("0.055"),
            age_bands=AGE_BANDS,
            scope=Decimal(1),
            group_size=Decimal(1),
            clinic_category=Decimal(1),
            region=REGION_COEFFICIENTS.get(region, Decimal(1)),
            term=TERM_COEFFICIENTS,
            offer_valid_for=timedelta(days=3),
        )

    def dms_underwrite(self, declaration: Sequence[MedicalCondition]) -> UnderwritingDecision:
        declined = sorted(DECLINED.intersection(declaration))
        if declined:
            names = ", ".join(declined)
            return Decline(
                "declared-condition",
                f"«Волга-Мед» не страхует при заявленных заболеваниях: {names}",
                f"Volga-Med does not insure with the declared conditions: {names}",
            )
        if declaration:
            return Accept(
                loading=Decimal("1.5"),
                special_terms=(
                    "Заявленные заболевания и их осложнения не являются страховыми случаями; "
                    "надбавка к премии 50 %",
                ),
            )
        return Accept()

    def policy_series(self, region: str) -> str:
        return f"ВМД-{region}"


plugin = VolgaMed()
