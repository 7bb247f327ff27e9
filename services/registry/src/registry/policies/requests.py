"""Policy requests from the gateway over AMQP (queue ``registry.requests``; OMS-01, OMS-03).

The answer goes back as ``oms.policy.request.answered``; an issued policy is also announced as
``oms.policy.changed`` like any other. While the register is down the requests wait in the queue.
"""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from kit.contracts.oms import (
    OMS_POLICY_REQUEST_ANSWERED,
    OMS_POLICY_REQUESTED,
    PolicyRequestAnswered,
    PolicyRequested,
    PolicySnapshot,
)
from kit.messaging import Binding, Outbox, QueueSpec, Received
from kit.messaging.envelope import utcnow
from kit.runtime import ConsumerSpec
from registry.policies import service
from registry.policies.models import Policy
from registry.policies.schemas import IssueIn

QUEUE = "registry.requests"
SOURCE = "gateway"


def _snapshot(policy: Policy) -> PolicySnapshot:
    return PolicySnapshot(
        status=policy.status.value,
        insurer=policy.insurer,
        region=policy.region,
        valid_from=policy.valid_from,
        valid_until=policy.valid_until,
    )


def consumer(outbox: Outbox, max_deliveries: int) -> ConsumerSpec:
    async def on_requested(session: AsyncSession, message: Received[PolicyRequested]) -> None:
        request = message.payload
        now = utcnow()
        answer: PolicyRequestAnswered
        try:
            body = IssueIn.model_validate(
                {"person": request.person.model_dump(), "region": request.region, "insurer": request.insurer}
            )
            policy, _ = await service.issue(session, outbox, body, source=SOURCE, at=now)
            answer = PolicyRequestAnswered(
                request_id=request.request_id,
                outcome="issued",
                enp=policy.enp,
                policy=_snapshot(policy),
                at=now,
            )
        except service.Refused as refused:
            existing = refused.existing
            answer = PolicyRequestAnswered(
                request_id=request.request_id,
                outcome="already_insured" if existing is not None else "refused",
                enp=existing.enp if existing is not None else None,
                policy=_snapshot(existing) if existing is not None else None,
                rule=refused.refusal.rule,
                reason_ru=refused.refusal.ru,
                reason_en=refused.refusal.en,
                at=now,
            )
        except ValidationError as invalid:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in invalid.errors())
            answer = PolicyRequestAnswered(
                request_id=request.request_id,
                outcome="refused",
                rule="OMS-01",
                reason_ru=f"Данные заявления неполны или неверны: {problems}",
                reason_en=f"The request's data is incomplete or invalid: {problems}",
                at=now,
            )
        await outbox.put(
            session,
            OMS_POLICY_REQUEST_ANSWERED,
            answer,
            correlation_id=f"oms.request.{request.request_id}",
            causation_id=str(message.envelope.message_id),
        )

    return ConsumerSpec(
        queue=QueueSpec(
            QUEUE,
            bindings=(Binding(OMS_POLICY_REQUESTED.exchange, OMS_POLICY_REQUESTED.binding_key),),
            delivery_limit=max_deliveries,
        ),
        handlers={OMS_POLICY_REQUESTED.type: on_requested},
    )
