"""Pure rules of the directory (no I/O)."""

from datetime import datetime


def announcement_supersedes(
    stored_instance_started_at: datetime | None, incoming_instance_started_at: datetime
) -> bool:
    """An announcement replaces the entry unless it comes from an instance older than the one
    already recorded: a late message from a stopped instance must not undo its successor's."""
    return stored_instance_started_at is None or incoming_instance_started_at >= stored_instance_started_at
