"""A foreigner's ОМС application (OMS-05): the data, the scans stored with it (encrypted), the
submission to the register's review and its answer. Runs inside the caller's transaction."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from gateway.accounts.service import AccountView
from gateway.notifications.service import notify
from gateway.oms import rules
from gateway.oms.models import ApplicationScan, ForeignerApplication
from gateway.oms.schemas import ForeignerApplicationIn, ForeignerApplicationOut, ScanOut
from gateway.oms.service import NotRequestable, person_of, show_policy
from gateway.violations import Violation
from kit.contracts.dms import RUSSIA
from kit.contracts.oms import (
    OMS_FOREIGNER_APPLICATION_SUBMITTED,
    ForeignerApplicationReviewed,
    ForeignerApplicationSubmitted,
    NeededInformation,
    ScanKind,
    ScanReference,
)
from kit.crypto import DataCipher
from kit.messaging import Outbox

#: Statuses in which the applicant may change the data and the scans, and submit.
EDITABLE = frozenset({"draft", "information_needed"})


class Invalid(Exception):
    """The application cannot be submitted as it is; the violations say why, field by field."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__("; ".join(v.field for v in violations))
        self.violations = violations


def ensure_foreigner(account: AccountView) -> None:
    if account.profile.citizenship == RUSSIA:
        raise NotRequestable(
            "OMS-05",
            "Это заявление для иностранных граждан; "
            "гражданин России запрашивает полис через POST /oms/requests",
            "This application is for foreigners; a Russian citizen asks through POST /oms/requests",
        )


def ensure_editable(application: ForeignerApplication) -> None:
    if application.status not in EDITABLE:
        raise NotRequestable(
            "OMS-05",
            f"Заявление в статусе «{application.status}» изменить нельзя",
            f"An application that is {application.status} cannot be changed",
            status=409,
        )


async def create(
    session: AsyncSession,
    cipher: DataCipher,
    account: AccountView,
    data: ForeignerApplicationIn,
    now: datetime,
) -> ForeignerApplication:
    ensure_foreigner(account)
    application = ForeignerApplication(
        id=str(uuid.uuid4()),
        account_id=account.id,
        status="draft",
        data=cipher.encrypt(data.model_dump(mode="json")),
        attempt=0,
        needed=[],
        created_at=now,
        updated_at=now,
    )
    session.add(application)
    return application


def replace_data(
    cipher: DataCipher, application: ForeignerApplication, data: ForeignerApplicationIn, now: datetime
) -> None:
    ensure_editable(application)
    application.data = cipher.encrypt(data.model_dump(mode="json"))
    application.updated_at = now


async def store_scan(
    session: AsyncSession,
    cipher: DataCipher,
    application: ForeignerApplication,
    kind: ScanKind,
    content_type: str,
    content: bytes,
    now: datetime,
) -> ApplicationScan:
    """A new upload of the same kind replaces the earlier one."""
    ensure_editable(application)
    scan = await session.get(ApplicationScan, (application.id, kind))
    if scan is None:
        scan = ApplicationScan(application_id=application.id, kind=kind)
        session.add(scan)
    scan.content_type = content_type
    scan.size = len(content)
    scan.sha256 = hashlib.sha256(content).hexdigest()
    scan.content = cipher.encrypt_bytes(content)
    scan.uploaded_at = now
    application.updated_at = now
    return scan


async def scans_of(session: AsyncSession, application_id: str) -> Sequence[ApplicationScan]:
    query = select(ApplicationScan).where(ApplicationScan.application_id == application_id)
    return (await session.scalars(query.order_by(ApplicationScan.kind))).all()


async def submit(
    session: AsyncSession,
    outbox: Outbox,
    cipher: DataCipher,
    account: AccountView,
    application: ForeignerApplication,
    now: datetime,
) -> None:
    """Send it to the register's review with the data from the confirmed account (ACC-02)."""
    ensure_editable(application)
    data = ForeignerApplicationIn.model_validate(cipher.decrypt(application.data))
    scans = await scans_of(session, application.id)
    violations = rules.foreigner_violations(data, now.date()) + rules.missing_scans({s.kind for s in scans})
    if violations:
        raise Invalid(violations)
    application.attempt += 1
    application.status = "submitted"
    application.submitted_at = application.updated_at = now
    application.needed = []
    await outbox.put(
        session,
        OMS_FOREIGNER_APPLICATION_SUBMITTED,
        ForeignerApplicationSubmitted(
            application_id=application.id,
            attempt=application.attempt,
            person=person_of(account, birth_place=data.birth_place),
            migration_card=data.migration_card,
            stay=data.stay,
            address=data.address,
            region=data.region,
            insurer=data.insurer,
            scans=[
                ScanReference(kind=s.kind, content_type=s.content_type, size=s.size, sha256=s.sha256)
                for s in scans
            ],
            submitted_at=now,
        ),
        correlation_id=f"oms.foreigner.{application.id}",
    )
    notify(
        session,
        account_id=account.id,
        kind="oms.foreigner.submitted",
        title=("Заявление на полис ОМС отправлено на проверку", "ОМС application sent for review"),
        body=(
            "Ответ придёт сюда: «одобрено» или «нужны дополнительные сведения»",
            "The answer will appear here: approved, or additional information needed",
        ),
        at=now,
    )


REVIEW_TEXTS = {
    "approved": ("Заявление одобрено, полис ОМС оформлен", "Application approved, ОМС policy issued"),
    "information_needed": ("По заявлению нужны дополнительные сведения", "Additional information needed"),
    "already_insured": ("Полис ОМС у вас уже есть", "You already hold an ОМС policy"),
}


async def record_review(session: AsyncSession, review: ForeignerApplicationReviewed) -> None:
    """A review of an earlier submission than the current one changes nothing."""
    application = await session.get(ForeignerApplication, review.application_id, with_for_update=True)
    if application is None:
        raise LookupError(f"no foreigner's ОМС application {review.application_id}")
    if application.status != "submitted" or review.attempt != application.attempt:
        return
    application.status, application.answered_at = review.outcome, review.at
    application.needed = [n.model_dump() for n in review.needed]
    application.enp = review.enp
    if review.enp and review.policy:
        shown = await show_policy(session, application.account_id, review.enp, review.policy, review.at)
        if review.outcome == "approved" and not shown:
            return  # the policy's announcement came first and told the holder
    title = REVIEW_TEXTS[review.outcome]
    if review.needed:
        body = ("; ".join(n.ru for n in review.needed), "; ".join(n.en for n in review.needed))
    else:
        valid_until = review.policy.valid_until if review.policy else None
        until = (
            (f", действует до {valid_until:%d.%m.%Y}", f", valid until {valid_until}")
            if valid_until
            else ("", "")
        )
        body = (f"ЕНП {review.enp}{until[0]}", f"ЕНП {review.enp}{until[1]}")
    notify(
        session,
        account_id=application.account_id,
        kind=f"oms.foreigner.{review.outcome}",
        title=title,
        body=body,
    )


async def view(
    session: AsyncSession, cipher: DataCipher, application: ForeignerApplication
) -> ForeignerApplicationOut:
    return ForeignerApplicationOut(
        id=application.id,
        status=application.status,
        data=ForeignerApplicationIn.model_validate(cipher.decrypt(application.data)),
        scans=[
            ScanOut.model_validate(s, from_attributes=True) for s in await scans_of(session, application.id)
        ],
        attempt=application.attempt,
        needed=[NeededInformation.model_validate(n) for n in application.needed],
        enp=application.enp,
        created_at=application.created_at,
        submitted_at=application.submitted_at,
        answered_at=application.answered_at,
    )


async def scan_file(
    session: AsyncSession, cipher: DataCipher, application_id: str, kind: ScanKind
) -> tuple[bytes, str] | None:
    """The scan as uploaded, with its media type; the only place its bytes are read back."""
    scan = await session.get(
        ApplicationScan, (application_id, kind), options=[undefer(ApplicationScan.content)]
    )
    return None if scan is None else (cipher.decrypt_bytes(scan.content), scan.content_type)


async def applications_of(session: AsyncSession, account_id: str) -> Sequence[ForeignerApplication]:
    query = (
        select(ForeignerApplication)
        .where(ForeignerApplication.account_id == account_id)
        .order_by(ForeignerApplication.created_at.desc())
    )
    return (await session.scalars(query)).all()
