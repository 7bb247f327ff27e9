"""Personal data at rest: encryption and blind indexes."""

from __future__ import annotations

import pytest

from kit.crypto import DataCipher, InvalidToken


def test_round_trip_and_another_key_cannot_read():
    cipher = DataCipher("secret-one")
    token = cipher.encrypt({"passport": "FA1234567", "name": "Рахимов"})
    assert b"FA1234567" not in token
    assert "Рахимов".encode() not in token
    assert cipher.decrypt(token) == {"passport": "FA1234567", "name": "Рахимов"}
    with pytest.raises(InvalidToken):
        DataCipher("secret-two").decrypt(token)
    with pytest.raises(InvalidToken):
        DataCipher("secret-one", purpose="other").decrypt(token)


def test_blind_index_finds_equal_values_only_with_the_key():
    one, two = DataCipher("secret-one"), DataCipher("secret-two")
    assert one.blind_index("snils:11223344595") == one.blind_index("snils:11223344595")
    assert one.blind_index("snils:11223344595") != one.blind_index("snils:11223344596")
    assert one.blind_index("snils:11223344595") != two.blind_index("snils:11223344595")
    assert "11223344595" not in one.blind_index("snils:11223344595")
