from datetime import UTC, datetime, timedelta

from gateway.directory.rules import announcement_supersedes

T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def test_first_announcement_creates_the_entry():
    assert announcement_supersedes(None, T0)


def test_newer_or_same_instance_updates_the_entry():
    assert announcement_supersedes(T0, T0 + timedelta(seconds=1))
    assert announcement_supersedes(T0, T0), "a re-announcement on request refreshes the entry"


def test_late_announcement_of_a_stopped_instance_is_ignored():
    assert not announcement_supersedes(T0, T0 - timedelta(minutes=5))
