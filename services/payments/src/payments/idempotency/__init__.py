"""Idempotence keys: the same key and request get the stored answer; another request is refused."""
