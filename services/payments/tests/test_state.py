"""The payment state machine: only YooKassa's transitions, final states stay final."""

from hypothesis import given
from hypothesis import strategies as st

from payments.payments.state import (
    ALLOWED,
    FINAL,
    Status,
    TransitionError,
    can_move,
    move,
    refundable_kopecks,
    status_after_payment,
)

EXPECTED = {
    (Status.pending, Status.waiting_for_capture),
    (Status.pending, Status.succeeded),
    (Status.pending, Status.canceled),
    (Status.waiting_for_capture, Status.succeeded),
    (Status.waiting_for_capture, Status.canceled),
}


def test_exactly_the_documented_transitions_are_allowed():
    allowed = {(a, b) for a in Status for b in Status if can_move(a, b)}
    assert allowed == EXPECTED


@given(st.lists(st.sampled_from(list(Status)), max_size=12))
def test_any_sequence_of_moves_respects_the_machine(targets):
    current = Status.pending
    seen_final = False
    for target in targets:
        try:
            current = move(current, target)
        except TransitionError:
            assert target not in ALLOWED[current]
            continue
        assert not seen_final, "nothing moves out of a final status"
        seen_final = current in FINAL
    assert current in Status


def test_capture_flag_decides_where_a_paid_payment_goes():
    assert status_after_payment(capture=True) is Status.succeeded
    assert status_after_payment(capture=False) is Status.waiting_for_capture


@given(st.integers(0, 10**9), st.integers(0, 10**9))
def test_refundable_is_what_remains_of_a_succeeded_payment(captured, refunded):  # PAY-03
    for status in Status:
        remaining = refundable_kopecks(status, captured, refunded)
        if status is Status.succeeded:
            assert remaining == max(captured - refunded, 0)
        else:
            assert remaining == 0
