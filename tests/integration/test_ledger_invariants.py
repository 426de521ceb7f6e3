"""The ledger's invariants hold in the database itself, whatever the Python above it does (BRIEF §2.6)."""

from __future__ import annotations

import psycopg
import pytest

from tests.support import Cluster


def _entry(conn: psycopg.Connection, key: str) -> int:
    practice = conn.execute("INSERT INTO practice (name) VALUES (%s) RETURNING id", (key,)).fetchone()
    assert practice is not None
    row = conn.execute("INSERT INTO ledger_entry (practice_id, kind, idempotency_key) VALUES (%s, 'deposit', %s) "
                       "RETURNING practice_id, id", (practice[0], key)).fetchone()
    assert row is not None
    return int(row[1])


def _line(conn: psycopg.Connection, entry: int, account: str, cents: int) -> None:
    conn.execute("INSERT INTO ledger_line (practice_id, entry_id, account, amount_cents) "
                 "SELECT practice_id, id, %s, %s FROM ledger_entry WHERE id = %s", (account, cents, entry))


def test_an_entry_that_does_not_sum_to_zero_is_refused_at_commit(cluster: Cluster) -> None:
    with psycopg.connect(cluster.app_conninfo(cluster.new_database())) as conn:
        entry = _entry(conn, "uneven")
        _line(conn, entry, "bank", 10_000)
        _line(conn, entry, "undeposited_funds", -9_999)
        with pytest.raises(psycopg.errors.CheckViolation, match=f"ledger entry {entry} does not balance: "
                                                                 "2 lines summing to 1 cents"):
            conn.commit()
        # An entry with a single line cannot balance anything either, even at zero.
        entry = _entry(conn, "alone")
        _line(conn, entry, "bank", 0)
        with pytest.raises(psycopg.errors.CheckViolation, match="1 lines summing to 0 cents"):
            conn.commit()
        assert conn.execute("SELECT count(*) FROM ledger_entry").fetchone() == (0,)
        entry = _entry(conn, "even")
        _line(conn, entry, "bank", 10_000)
        _line(conn, entry, "undeposited_funds", -10_000)
        conn.commit()
        assert conn.execute("SELECT count(*) FROM ledger_line").fetchone() == (2,)


def test_the_runtime_role_cannot_edit_or_delete_ledger_lines(cluster: Cluster) -> None:
    with psycopg.connect(cluster.app_conninfo(cluster.new_database())) as conn:
        entry = _entry(conn, "kept")
        _line(conn, entry, "bank", 500)
        _line(conn, entry, "undeposited_funds", -500)
        conn.commit()
        for statement in ("UPDATE ledger_line SET amount_cents = 1", "DELETE FROM ledger_line",
                          "UPDATE ledger_entry SET note = 'x'", "DELETE FROM ledger_entry"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
            conn.rollback()


def test_an_insurance_line_names_its_payer(cluster: Cluster) -> None:
    with psycopg.connect(cluster.app_conninfo(cluster.new_database())) as conn:
        entry = _entry(conn, "payerless")
        with pytest.raises(psycopg.errors.CheckViolation, match="insurance_names_payer"):
            _line(conn, entry, "insurance_ar", 500)
