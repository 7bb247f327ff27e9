"""Payments (YooKassa-style acquirer).

An acquirer for the insurers: payments with a payment page, idempotence keys, refunds, signed notifications.
"""
