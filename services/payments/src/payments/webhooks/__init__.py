"""Webhooks: subscriptions of merchants and signed, retried deliveries of events."""
