"""Refunds back to the original payment (PAY-03)."""
