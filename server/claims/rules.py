"""Claim rules (pure): the status transition table (BRIEF 2.7) and what a reopened encounter does to its claims."""

from __future__ import annotations

from server.claims.models import STATUSES

# Where a claim may go from each status. A claim the payer never saw (draft, scrubbed, queued, rejected) is voided
# when its encounter is reopened; one the payer has is "corrected": a replacement claim (frequency 7) follows.
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"scrubbed", "voided"}),
    "scrubbed": frozenset({"draft", "queued", "voided"}),
    "queued": frozenset({"scrubbed", "sent", "voided"}),
    # An ERA may come before the 277CA that accepts the claim.
    "sent": frozenset({"accepted", "rejected", "paid", "partially_paid", "denied", "corrected"}),
    "accepted": frozenset({"rejected", "paid", "partially_paid", "denied", "corrected"}),
    # Rejected by the clearinghouse or payer before adjudication: fixed and sent again as an original, or voided.
    "rejected": frozenset({"draft", "voided", "closed"}),
    # A payer's reversal (CLP02 22) takes its adjudication back: the claim waits for the new one.
    "paid": frozenset({"accepted", "closed", "corrected"}),
    "partially_paid": frozenset({"accepted", "paid", "closed", "corrected"}),
    # Paid after all (an appeal, a reprocessing without a reversal).
    "denied": frozenset({"accepted", "paid", "partially_paid", "closed", "corrected"}),
    "closed": frozenset({"corrected"}),
    "corrected": frozenset(),
    "voided": frozenset(),
}
assert set(TRANSITIONS) == set(STATUSES)

# The payer has seen these: a change needs a replacement claim quoting the payer's claim number.
AT_PAYER = frozenset({"sent", "accepted", "paid", "partially_paid", "denied", "closed"})
# Neither corrected nor voided: the claim still speaks for its encounter.
LIVE = frozenset(STATUSES) - {"corrected", "voided"}


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def on_reopen(status: str) -> str | None:
    """What reopening the claim's encounter makes of a live claim: voided if the payer never saw it, corrected
    if it did (a replacement follows when the encounter is billed again); None for a claim already finished."""
    if status not in LIVE:
        return None
    return "corrected" if status in AT_PAYER else "voided"


def reachable(start: str = "draft") -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in TRANSITIONS[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
