"""Merchants (the insurers) and how they authenticate."""
