"""The register's announcements (queue ``gateway.oms``): the policy appears in the holder's cabinet
without an application (OMS-02), and every change is a notification (OMS-07)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.accounts.service import accounts_matching
from gateway.notifications.service import notify
from gateway.oms.models import OmsPolicy
from kit.contracts.oms import OMS_POLICY_CHANGED, PolicyChanged, person_match_values
from kit.crypto import DataCipher
from kit.db import as_utc
from kit.messaging import Binding, QueueSpec, Received
from kit.runtime import ConsumerSpec

QUEUE = "gateway.oms"

TEXTS: dict[str, tuple[str, str]] = {
    "issue": ("Полис ОМС оформлен", "ОМС policy issued"),
    "suspend": ("Действие полиса ОМС приостановлено", "ОМС policy suspended"),
    "resume": ("Действие полиса ОМС возобновлено", "ОМС policy resumed"),
    "change_insurer": ("Сменилась страховая медицинская организация", "The ОМС insurer changed"),
    "change_region": ("Сменился регион страхования", "The ОМС region changed"),
    "terminate": ("Полис ОМС прекратил действие", "ОМС policy terminated"),
}


def consumer(cipher: DataCipher, max_deliveries: int) -> ConsumerSpec:
    async def on_policy_changed(session: AsyncSession, message: Received[PolicyChanged]) -> None:
        event = message.payload
        person = event.person
        values = person_match_values(
            person.last_name, person.first_name, person.patronymic, person.birth_date, person.snils
        )
        for account_id in await accounts_matching(session, cipher, values):
            row = await session.get(OmsPolicy, (account_id, event.enp), with_for_update=True)
            if row is not None and as_utc(row.changed_at) > event.at:
                continue  # an older announcement arriving late changes nothing
            if row is None:
                row = OmsPolicy(account_id=account_id, enp=event.enp)
                session.add(row)
            row.status, row.insurer, row.region = event.status, event.insurer, event.region
            row.valid_from, row.valid_until, row.changed_at = event.valid_from, event.valid_until, event.at
            title = TEXTS[event.operation]
            notify(
                session,
                account_id=account_id,
                kind=f"oms.{event.operation}",
                title=title,
                body=(
                    f"ЕНП {event.enp}: {title[0].lower()} ({event.reason})",
                    f"ЕНП {event.enp}: {title[1]}",
                ),
            )

    return ConsumerSpec(
        queue=QueueSpec(
            QUEUE,
            bindings=(Binding(OMS_POLICY_CHANGED.exchange, OMS_POLICY_CHANGED.binding_key),),
            delivery_limit=max_deliveries,
        ),
        handlers={OMS_POLICY_CHANGED.type: on_policy_changed},
    )
