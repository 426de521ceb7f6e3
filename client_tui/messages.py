"""Messages the patient screen's parts send up to it."""

from __future__ import annotations

from textual.message import Message


class PatientChanged(Message):
    """Something of the open patient was saved: fetch the record again, keeping the cursor on what changed."""

    def __init__(self, select_policy_id: int = 0, select_document_id: int = 0) -> None:
        super().__init__()
        self.select_policy_id = select_policy_id
        self.select_document_id = select_document_id


class EligibilityChanged(Message):
    """An eligibility check was asked for (or the user wants the answers again): fetch the patient's checks."""
