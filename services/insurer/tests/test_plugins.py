from dataclasses import replace
from typing import Any

import pytest

from insurer.plugin import InsurerPlugin, PluginError, available_plugins, load_plugin, plugin_problems


def test_both_demo_insurers_are_installed_valid_and_marked_synthetic():
    assert {"volga", "taiga"} <= set(available_plugins())
    for code in ("volga", "taiga"):
        plugin = load_plugin(code)
        assert plugin.identity.code == code
        assert plugin.identity.synthetic is True
        assert "демо" in plugin.identity.short_name


def test_demo_insurers_differ():
    volga, taiga = load_plugin("volga"), load_plugin("taiga")
    assert set(volga.regions()) != set(taiga.regions())
    assert volga.identity.inn != taiga.identity.inn


def test_unknown_plugin_names_the_installed_ones():
    with pytest.raises(PluginError, match=r"installed: .*taiga.*volga"):
        load_plugin("nobody")


class Broken(InsurerPlugin):
    def __init__(self, base: InsurerPlugin, **changes: Any) -> None:
        self._identity = replace(base.identity, **changes)
        self._base = base

    @property
    def identity(self):
        return self._identity

    def regions(self):
        return ["7", "77"]

    def products(self):
        return []


def test_invalid_declarations_are_all_reported():
    # ID-03: ИНН and ОГРН are checked with python-stdnum.
    problems = plugin_problems(
        Broken(load_plugin("volga"), inn="9900000018", ogrn="1029900000010"), expected_code="other"
    )
    text = "; ".join(problems)
    assert "differs from the entry point name" in text
    assert "ИНН '9900000018'" in text
    assert "ОГРН '1029900000010'" in text
    assert "region code '7'" in text
    assert "sells no product" in text
