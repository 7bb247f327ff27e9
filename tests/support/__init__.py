"""Fixtures and helpers shared by every test suite of the project (loaded by the root conftest)."""
