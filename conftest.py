"""Loads the project's test fixtures for every test folder (shared/, services/*, tests/)."""

pytest_plugins = ["tests.support.infra", "tests.support.system"]
