"""Payments: creation, confirmation, capture, cancellation, expiry."""
