"""The claim status table (BRIEF 2.7): every pair, reachability, and what reopening does."""

from __future__ import annotations

import itertools

import pytest

from server.claims import rules
from server.claims.models import STATUSES

ALLOWED = {
    ("draft", "scrubbed"), ("draft", "voided"),
    ("scrubbed", "draft"), ("scrubbed", "queued"), ("scrubbed", "voided"),
    ("queued", "scrubbed"), ("queued", "sent"), ("queued", "voided"),
    ("sent", "accepted"), ("sent", "rejected"), ("sent", "corrected"),
    # An ERA before the 277CA.
    ("sent", "paid"), ("sent", "partially_paid"), ("sent", "denied"),
    ("accepted", "rejected"), ("accepted", "paid"), ("accepted", "partially_paid"), ("accepted", "denied"),
    ("accepted", "corrected"),
    ("rejected", "draft"), ("rejected", "voided"), ("rejected", "closed"),
    ("paid", "closed"), ("paid", "corrected"), ("partially_paid", "closed"), ("partially_paid", "corrected"),
    ("denied", "closed"), ("denied", "corrected"), ("closed", "corrected"),
    # A payer's reversal sends the claim back to waiting; a denial or a part payment may be paid after all.
    ("paid", "accepted"), ("partially_paid", "accepted"), ("denied", "accepted"),
    ("partially_paid", "paid"), ("denied", "paid"), ("denied", "partially_paid"),
}


@pytest.mark.parametrize(("a", "b"), list(itertools.product(STATUSES, STATUSES)))
def test_every_pair(a: str, b: str) -> None:
    assert rules.can_move(a, b) == ((a, b) in ALLOWED)


def test_every_status_is_reachable_from_draft_and_only_two_are_final() -> None:
    assert rules.reachable("draft") == set(STATUSES)
    assert {s for s in STATUSES if not rules.TRANSITIONS[s]} == {"corrected", "voided"}


@pytest.mark.parametrize(("status", "after"), [
    ("draft", "voided"), ("scrubbed", "voided"), ("queued", "voided"), ("rejected", "voided"),
    ("sent", "corrected"), ("accepted", "corrected"), ("paid", "corrected"), ("partially_paid", "corrected"),
    ("denied", "corrected"), ("closed", "corrected"), ("corrected", None), ("voided", None)])
def test_reopening_voids_what_the_payer_never_saw_and_corrects_the_rest(status: str, after: str | None) -> None:
    assert rules.on_reopen(status) == after
    if after is not None:
        assert rules.can_move(status, after)
