"""The insurer's ДМС desk: answers applications, concludes contracts, takes payments, issues policies.

Every handler runs inside the consumer's transaction (it owns the commit; the inbox makes a
redelivered message a no-op) and writes its answers to the outbox. The only call to another
service, creating a payment, is made by a background loop with an idempotence key per contract
and attempt, so a payments outage delays links instead of losing or doubling them.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from insurer.dms import pdf, policy
from insurer.dms.models import (
    Contract,
    ContractStatus,
    PaymentAttempt,
    Policy,
    PolicyCounter,
    Quote,
    QuoteStatus,
)
from insurer.dms.payments_client import PaymentOrder, PaymentRefused, PaymentsClient, PaymentsUnavailable
from insurer.dms.quote import OfferTerms, Refusal, quote
from insurer.plugin import InsurerPlugin
from kit.calendar import business_day
from kit.contracts import dms
from kit.contracts.base import Contract as MessageContract
from kit.contracts.base import Payload
from kit.contracts.payments import PAYMENT_CANCELED, PAYMENT_SUCCEEDED, PaymentEvent
from kit.crypto import DataCipher
from kit.db import session_is_postgres
from kit.messaging import Binding, Outbox, QueueSpec, Received, Unprocessable
from kit.messaging.envelope import utcnow
from kit.retry import Backoff
from kit.runtime import ConsumerSpec, ServiceRuntime

log = logging.getLogger(__name__)

_LINK_PENDING = "insurer.dms.link_pending"
#: Contracts given payment links per pass of the loop.
_LINK_BATCH = 20


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


class DmsDesk:
    def __init__(
        self,
        plugin: InsurerPlugin,
        outbox: Outbox,
        cipher: DataCipher,
        payments: PaymentsClient,
        *,
        link_interval: float,
        backoff: Backoff,
    ) -> None:
        self.plugin = plugin
        self.code = plugin.identity.code
        self.outbox = outbox
        self.cipher = cipher
        self.payments = payments
        self.link_interval = link_interval
        self.backoff = backoff
        self._link_wanted = asyncio.Event()

    # -- wiring ----------------------------------------------------------------------------------

    def consumers(self, max_deliveries: int) -> list[ConsumerSpec]:
        own = {"insurer": self.code}
        from_gateway = ConsumerSpec(
            queue=QueueSpec(
                f"insurer.{self.code}.dms",
                bindings=tuple(Binding(c.exchange, c.render_routing_key(**own)) for c in dms.TO_INSURERS),
                delivery_limit=max_deliveries,
            ),
            handlers={
                dms.DMS_QUOTE_REQUESTED.type: self.on_quote_requested,
                dms.DMS_OFFER_ACCEPTED.type: self.on_offer_accepted,
                dms.DMS_PAYMENT_LINK_REQUESTED.type: self.on_payment_link_requested,
                dms.DMS_APPLICATION_WITHDRAWN.type: self.on_application_withdrawn,
            },
        )
        merchant = {"merchant": self.code}
        from_payments = ConsumerSpec(
            queue=QueueSpec(
                f"insurer.{self.code}.payments",
                bindings=tuple(
                    Binding(c.exchange, c.render_routing_key(**merchant))
                    for c in (PAYMENT_SUCCEEDED, PAYMENT_CANCELED)
                ),
                delivery_limit=max_deliveries,
            ),
            handlers={
                PAYMENT_SUCCEEDED.type: self.on_payment_succeeded,
                PAYMENT_CANCELED.type: self.on_payment_canceled,
            },
        )
        return [from_gateway, from_payments]

    def install(self, runtime: ServiceRuntime) -> None:
        for spec in self.consumers(runtime.settings.max_deliveries):
            runtime.add_consumer(spec)
        runtime.db.on_commit(self._wake_after_commit)
        runtime.add_background("dms-payment-links", self.issue_payment_links)

    def _wake_after_commit(self, session: Session) -> None:
        if session.info.pop(_LINK_PENDING, False):
            self._link_wanted.set()

    async def _publish(
        self,
        session: AsyncSession,
        contract: MessageContract,
        payload: Payload,
        application_id: str,
        causation_id: str | None,
    ) -> None:
        await self.outbox.put(
            session,
            contract,
            payload,
            correlation_id=application_id,
            causation_id=causation_id,
            routing={"insurer": self.code},
        )

    # -- the application and the offer ----------------------------------------------------------

    async def on_quote_requested(self, session: AsyncSession, message: Received[dms.QuoteRequested]) -> None:
        application = message.payload.application
        if await session.get(Quote, application.application_id) is not None:
            return  # answered already (a second request for the same application changes nothing)
        now = utcnow()
        answer = quote(self.plugin, application, today=business_day(now))
        record = Quote(
            application_id=application.application_id,
            application=self.cipher.encrypt(application.model_dump(mode="json")),
            received_at=now,
        )
        payload: dms.OfferMade | dms.OfferRefused
        if isinstance(answer, Refusal):
            payload = dms.OfferRefused(
                insurer=self.code,
                application_id=application.application_id,
                rule=answer.rule,
                reason_code=answer.reason_code,
                reason_ru=answer.reason_ru,
                reason_en=answer.reason_en,
            )
            record.status = QuoteStatus.refused
            contract = dms.DMS_OFFER_REFUSED
        else:
            payload = self._offer(application.application_id, answer, now)
            record.status = QuoteStatus.offered
            record.offer_id = payload.offer_id
            record.premium_kopecks = payload.premium.kopecks
            record.valid_until = payload.valid_until
            contract = dms.DMS_OFFER_MADE
        record.answer = payload.model_dump(mode="json")
        session.add(record)
        await self._publish(
            session, contract, payload, application.application_id, str(message.envelope.message_id)
        )

    def _offer(self, application_id: str, terms: OfferTerms, now: datetime) -> dms.OfferMade:
        return dms.OfferMade(
            insurer=self.code,
            application_id=application_id,
            offer_id=new_id("off"),
            product_code=terms.product_code,
            product_name=terms.product_name,
            programme=terms.programme,
            sum_insured=dms.Money(kopecks=terms.sum_insured_kopecks),
            premium=dms.Money(kopecks=terms.premium.kopecks),
            premium_factors=[
                dms.PremiumFactor(name=name, value=format(value, "f"))
                for name, value in terms.premium.factors.items()
            ],
            term_months=terms.term_months,
            cover_from=terms.cover_from,
            cover_until=terms.cover_until,
            territory=list(terms.territory),
            special_terms=list(terms.special_terms),
            valid_until=now + terms.valid_for,
            synthetic_tariffs=terms.synthetic_tariffs,
        )

    async def on_offer_accepted(self, session: AsyncSession, message: Received[dms.OfferAccepted]) -> None:
        accepted = message.payload
        record = await session.get(Quote, accepted.application_id, with_for_update=True)
        if record is None or record.offer_id != accepted.offer_id:
            raise Unprocessable(f"no offer {accepted.offer_id} for application {accepted.application_id}")
        if record.status is not QuoteStatus.offered:
            return  # accepted before (another message), or withdrawn
        now = utcnow()
        record.status = QuoteStatus.accepted
        assert record.premium_kopecks is not None
        session.add(
            Contract(
                id=new_id("ctr"),
                application_id=record.application_id,
                offer_id=accepted.offer_id,
                status=ContractStatus.awaiting_link,
                premium_kopecks=record.premium_kopecks,
                return_url=accepted.return_url,
                attempt=1,
                link_requested_by=str(message.envelope.message_id),
                accepted_at=accepted.accepted_at,
                updated_at=now,
            )
        )
        session.info[_LINK_PENDING] = True

    async def on_payment_link_requested(
        self, session: AsyncSession, message: Received[dms.PaymentLinkRequested]
    ) -> None:
        request = message.payload
        contract = await self._contract_of(session, request.application_id)
        if contract.status is not ContractStatus.payment_failed:
            return  # a link is on its way or the premium is paid: nothing new to issue
        contract.attempt += 1
        contract.status = ContractStatus.awaiting_link
        contract.return_url = request.return_url
        contract.link_requested_by = str(message.envelope.message_id)
        contract.updated_at = utcnow()
        session.info[_LINK_PENDING] = True

    async def on_application_withdrawn(
        self, session: AsyncSession, message: Received[dms.ApplicationWithdrawn]
    ) -> None:
        application_id = message.payload.application_id
        record = await session.get(Quote, application_id, with_for_update=True)
        if record is None:
            return  # withdrawn before our answer was asked for: nothing to undo
        if record.status in (QuoteStatus.offered, QuoteStatus.accepted):
            record.status = QuoteStatus.withdrawn
        contract = await self._contract_of(session, application_id, required=False)
        if contract is not None and contract.status in (
            ContractStatus.awaiting_link,
            ContractStatus.awaiting_payment,
            ContractStatus.payment_failed,
        ):
            # A pending payment expires at the payments service; if it is paid all the same, the
            # payment handler refunds it (PAY-03).
            contract.status = ContractStatus.withdrawn
            contract.updated_at = utcnow()

    async def _contract_of(
        self, session: AsyncSession, application_id: str, *, required: bool = True
    ) -> Contract:
        contract = await session.scalar(
            select(Contract).where(Contract.application_id == application_id).with_for_update()
        )
        if contract is None and required:
            raise Unprocessable(f"no contract for application {application_id}")
        return contract  # type: ignore[return-value]

    # -- payment links ---------------------------------------------------------------------------

    async def issue_payment_links(self, runtime: ServiceRuntime) -> None:
        """Create the payments of contracts waiting for a link, and announce the links. Runs for the
        life of the service; woken at once after an accept, else every ``link_interval``."""
        failures = 0
        while True:
            try:
                issued = await self.issue_some_links(runtime)
                failures = 0
            except PaymentsUnavailable as exc:
                delay = self.backoff.delay(failures)
                failures += 1
                log.warning("payments unavailable; retrying", extra={"error": str(exc), "retry_in_s": delay})
                await asyncio.sleep(delay)
                continue
            if issued < _LINK_BATCH:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._link_wanted.wait(), self.link_interval)
                self._link_wanted.clear()

    async def issue_some_links(self, runtime: ServiceRuntime) -> int:
        async with runtime.db.transaction() as session:
            query = (
                select(Contract)
                .where(Contract.status == ContractStatus.awaiting_link)
                .order_by(Contract.updated_at)
                .limit(_LINK_BATCH)
                .with_for_update(skip_locked=True)
            )
            contracts = (await session.scalars(query)).all()
            for contract in contracts:
                await self._issue_link(session, contract)
            return len(contracts)

    async def _issue_link(self, session: AsyncSession, contract: Contract) -> None:
        order = PaymentOrder(
            # The same contract and attempt always give the same payment, whatever is retried.
            idempotence_key=f"{contract.id}.{contract.attempt}",
            amount_kopecks=contract.premium_kopecks,
            description=f"Полис ДМС-мигрант, {self.plugin.identity.short_name}"[:128],
            return_url=contract.return_url,
            metadata={
                "contract_id": contract.id,
                "application_id": contract.application_id,
                "attempt": str(contract.attempt),
            },
        )
        try:
            payment = await self.payments.create_payment(order)
        except PaymentRefused:
            log.exception("payments refused the payment of contract %s; it needs attention", contract.id)
            return
        now = utcnow()
        session.add(
            PaymentAttempt(
                payment_id=payment.id,
                contract_id=contract.id,
                attempt=contract.attempt,
                status="pending",
                created_at=now,
            )
        )
        contract.payment_id = payment.id
        contract.status = ContractStatus.awaiting_payment
        contract.updated_at = now
        await self._publish(
            session,
            dms.DMS_PAYMENT_LINK_ISSUED,
            dms.PaymentLinkIssued(
                insurer=self.code,
                application_id=contract.application_id,
                contract_id=contract.id,
                payment_id=payment.id,
                attempt=contract.attempt,
                confirmation_url=payment.confirmation_url,
                amount=dms.Money(kopecks=contract.premium_kopecks),
                expires_at=payment.expires_at,
            ),
            contract.application_id,
            contract.link_requested_by,
        )

    # -- payment events --------------------------------------------------------------------------

    async def _attempt_of(
        self, session: AsyncSession, event: PaymentEvent
    ) -> tuple[PaymentAttempt, Contract] | None:
        attempt = await session.get(PaymentAttempt, event.object.id, with_for_update=True)
        if attempt is None:
            # Not a ДМС payment of ours (the merchant account may serve other products).
            log.warning("payment event for an unknown payment ignored", extra={"payment_id": event.object.id})
            return None
        contract = await session.get(Contract, attempt.contract_id, with_for_update=True)
        assert contract is not None
        return attempt, contract

    async def on_payment_canceled(self, session: AsyncSession, message: Received[PaymentEvent]) -> None:
        found = await self._attempt_of(session, message.payload)
        if found is None:
            return
        attempt, contract = found
        attempt.status = "canceled"
        if (
            contract.payment_id != attempt.payment_id
            or contract.status is not ContractStatus.awaiting_payment
        ):
            return  # an earlier attempt, or the contract moved on
        details = message.payload.object.cancellation_details
        now = utcnow()
        contract.status = ContractStatus.payment_failed
        contract.updated_at = now
        await self._publish(
            session,
            dms.DMS_PAYMENT_FAILED,
            dms.PaymentFailed(
                insurer=self.code,
                application_id=contract.application_id,
                contract_id=contract.id,
                payment_id=attempt.payment_id,
                attempt=attempt.attempt,
                party=details.party if details else "yoo_money",
                reason=details.reason if details else "canceled",
                failed_at=now,
            ),
            contract.application_id,
            str(message.envelope.message_id),
        )

    async def on_payment_succeeded(self, session: AsyncSession, message: Received[PaymentEvent]) -> None:
        found = await self._attempt_of(session, message.payload)
        if found is None:
            return
        attempt, contract = found
        attempt.status = "succeeded"
        if contract.status in (ContractStatus.paid, ContractStatus.policy_issued):
            return
        if contract.status is ContractStatus.withdrawn:
            await self._refund_withdrawn(contract, message.payload)
            return
        paid_at = message.payload.object.captured_at or message.envelope.occurred_at
        record = await session.get(Quote, contract.application_id)
        assert record is not None
        application = dms.DmsApplication.model_validate(self.cipher.decrypt(record.application))
        offer = dms.OfferMade.model_validate(record.answer)
        paid_on = business_day(paid_at)
        valid_from, valid_until = policy.contract_period(
            paid_on, application.permit.valid_from, offer.term_months
        )
        contract.status = ContractStatus.paid
        contract.payment_id = attempt.payment_id
        contract.paid_at = paid_at
        contract.effective_from, contract.effective_until = valid_from, valid_until
        contract.policy_due_by = policy.policy_due_by(paid_on)
        contract.updated_at = utcnow()
        causation = str(message.envelope.message_id)
        await self._publish(
            session,
            dms.DMS_CONTRACT_PAID,
            dms.ContractPaid(
                insurer=self.code,
                application_id=contract.application_id,
                contract_id=contract.id,
                payment_id=attempt.payment_id,
                paid_at=paid_at,
                effective_from=valid_from,
                effective_until=valid_until,
                policy_due_by=contract.policy_due_by,
            ),
            contract.application_id,
            causation,
        )
        await self._issue_policy(session, contract, application, offer, causation)

    async def _refund_withdrawn(self, contract: Contract, event: PaymentEvent) -> None:
        # Paid after the applicant withdrew: the money goes back to the original payment (PAY-03).
        await self.payments.refund(event.object.id, contract.premium_kopecks, f"refund.{event.object.id}")
        log.info("payment of a withdrawn application refunded", extra={"contract_id": contract.id})

    async def _next_number(self, session: AsyncSession, series: str) -> int:
        insert = pg_insert if session_is_postgres(session) else sqlite_insert
        statement = (
            insert(PolicyCounter)
            .values(series=series, last_number=1)
            .on_conflict_do_update(
                index_elements=["series"], set_={"last_number": PolicyCounter.last_number + 1}
            )
            .returning(PolicyCounter.last_number)
        )
        return int((await session.execute(statement)).scalar_one())

    async def _issue_policy(
        self,
        session: AsyncSession,
        contract: Contract,
        application: dms.DmsApplication,
        offer: dms.OfferMade,
        causation_id: str,
    ) -> None:
        """DMS-10: number the policy, render its PDF, keep both and send them to the cabinet."""
        assert contract.effective_from is not None
        assert contract.effective_until is not None
        now = utcnow()
        series = self.plugin.policy_series(application.work_region)
        data = policy.build_policy(
            self.plugin,
            application,
            sequence=await self._next_number(session, series),
            issued_on=business_day(now),
            valid_from=contract.effective_from,
            valid_until=contract.effective_until,
            sum_insured_kopecks=offer.sum_insured.kopecks,
            premium_kopecks=offer.premium.kopecks,
            product_name=offer.product_name,
            programme=offer.programme,
            territory=list(offer.territory),
            special_terms=list(offer.special_terms),
        )
        document = pdf.render_policy_pdf(data, synthetic=self.plugin.identity.synthetic)
        digest = hashlib.sha256(document).hexdigest()
        policy_id = new_id("pol")
        session.add(
            Policy(
                id=policy_id,
                contract_id=contract.id,
                series=data.series,
                number=data.number,
                issued_at=now,
                data=self.cipher.encrypt(data.model_dump(mode="json")),
                document=self.cipher.encrypt(base64.b64encode(document).decode()),
                document_sha256=digest,
            )
        )
        contract.status = ContractStatus.policy_issued
        await self._publish(
            session,
            dms.DMS_POLICY_ISSUED,
            dms.PolicyIssued(
                insurer=self.code,
                application_id=contract.application_id,
                contract_id=contract.id,
                policy_id=policy_id,
                policy=data,
                document=dms.PolicyDocument(
                    filename=f"polis-{data.series}-{data.number}.pdf",
                    sha256=digest,
                    content_base64=base64.b64encode(document).decode(),
                ),
                issued_at=now,
            ),
            contract.application_id,
            causation_id,
        )
