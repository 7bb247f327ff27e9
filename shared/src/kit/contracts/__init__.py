"""Message contracts of the interchange. Importing this package registers all of them."""

from kit.contracts import directory, dms, oms, payments
from kit.contracts.base import Contract, ContractRegistry, Payload, registry

__all__ = ["Contract", "ContractRegistry", "Payload", "directory", "dms", "oms", "payments", "registry"]
