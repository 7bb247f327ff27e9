"""Envelope, topology, publisher with confirms, transactional outbox, idempotent consumer."""

from kit.messaging.broker import Broker, BrokerUnavailable
from kit.messaging.consumer import Consumer, Handler, Received, Unprocessable
from kit.messaging.envelope import Envelope
from kit.messaging.outbox import Outbox, OutboxRelay
from kit.messaging.tables import MessagingTables, create_messaging_tables, messaging_tables
from kit.messaging.topology import Binding, QueueSpec, Topology

__all__ = [
    "Binding",
    "Broker",
    "BrokerUnavailable",
    "Consumer",
    "Envelope",
    "Handler",
    "MessagingTables",
    "Outbox",
    "OutboxRelay",
    "QueueSpec",
    "Received",
    "Topology",
    "Unprocessable",
    "create_messaging_tables",
    "messaging_tables",
]
