"""Bulk loading with COPY: each batch is one transaction of one or more ``COPY table FROM STDIN`` (text format).

``BatchWriter`` writes in this process (small loads) or, with ``background=True``, in a child process, so the
caller builds batch k+1 while batch k is being copied: Python and PostgreSQL each keep a core busy. A thread
would not do: the producer holds the GIL, and the thread feeding the socket in 128 kB pieces waits for it
every time. The child is ``python -m server.db.bulk_copy FD`` (not multiprocessing, which would import the
caller's main module again); it imports only psycopg, so it starts quickly, and it gets the connection string
over its socket rather than on its command line.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
from multiprocessing.connection import Connection
from typing import Any

import psycopg

# (COPY statement, its data in COPY text format)
Batch = list[tuple[str, bytes]]


def write_batch(conn: psycopg.Connection[Any], batch: Batch) -> None:
    with conn.transaction(), conn.cursor() as cur:
        for sql, data in batch:
            with cur.copy(sql) as copy:
                copy.write(data)


def _serve(pipe: Connection) -> None:
    """The child: the connection string, then one batch in, one answer out (None when committed, else why not)."""
    try:
        with psycopg.connect(pipe.recv()) as conn:
            pipe.send(None)  # connected
            while (batch := pipe.recv()) is not None:
                try:
                    write_batch(conn, batch)
                    pipe.send(None)
                except psycopg.Error as exc:
                    pipe.send(f"{type(exc).__name__}: {exc}")
                    return
    except (psycopg.Error, OSError) as exc:
        pipe.send(f"{type(exc).__name__}: {exc}")
    except EOFError:
        pass  # the parent went away: the open transaction rolls back


class BulkCopyError(RuntimeError):
    """A batch was not written (the message is PostgreSQL's; earlier batches stay committed)."""


class BatchWriter:
    def __init__(self, conninfo: str, *, background: bool) -> None:
        self._conn: psycopg.Connection[Any] | None = None
        self._pipe: Connection | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._pending = False
        if not background:
            self._conn = psycopg.connect(conninfo)
            return
        parent, child = socket.socketpair()
        with child:
            self._process = subprocess.Popen([sys.executable, "-m", "server.db.bulk_copy", str(child.fileno())],
                                             pass_fds=[child.fileno()], stdin=subprocess.DEVNULL)
        self._pipe = Connection(parent.detach())
        self._pipe.send(conninfo)
        self._pending = True  # the child's "connected"
        self._wait()

    def send(self, batch: Batch) -> None:
        """Writes the batch (in the background: after the previous one is committed, and returns at once)."""
        if self._conn is not None:
            write_batch(self._conn, batch)
            return
        assert self._pipe is not None
        self._wait()
        self._pipe.send(batch)
        self._pending = True

    def _wait(self) -> None:
        if not self._pending:
            return
        assert self._pipe is not None
        self._pending = False
        try:
            answer = self._pipe.recv()
        except EOFError:
            raise BulkCopyError("the bulk copy process ended unexpectedly") from None
        if answer is not None:
            raise BulkCopyError(answer)

    def close(self) -> None:
        """Waits for the last batch; raises if it failed."""
        if self._conn is not None:
            self._conn.close()
            return
        assert self._pipe is not None and self._process is not None
        try:
            self._wait()
        finally:
            with contextlib.suppress(OSError):
                self._pipe.send(None)
            self._pipe.close()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


if __name__ == "__main__":
    _serve(Connection(int(sys.argv[1])))
