"""Privileges of the server's runtime role, applied after every migration run.

The runtime role may read and write ordinary tables but only append to the
append-only ones; nobody but the owner can change history.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

# Tables the runtime role may INSERT into and SELECT from, nothing more.
# Record history and scanned content: a change is a new row, never an edit of an old one.
APPEND_ONLY_TABLES = ("audit_event", "patient_change", "patient_merge", "document_content", "appointment_event",
                      "ledger_entry", "ledger_line", "claim_event", "statement_event")


def apply_grants(conn: Connection, app_role: str) -> None:
    role = conn.dialect.identifier_preparer.quote(app_role)
    conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
    conn.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"))
    conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"))
    for table in ("alembic_version", *APPEND_ONLY_TABLES):
        # After a downgrade some tables are gone; there is nothing to revoke on them.
        if conn.execute(text("SELECT to_regclass(:t)"), {"t": table}).scalar() is not None:
            conn.execute(text(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {role}"))
