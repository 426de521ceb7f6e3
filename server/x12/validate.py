"""Check X12 text with pyx12, the independent validator BRIEF 2.8 holds every generated file to.

pyx12 is a **dev dependency only** (`pip install -e .[dev]`): it is imported lazily inside `pyx12_errors`, so
importing this module costs nothing and production code that never validates does not need it. Callers are the
tests, the benchmark and any developer tool; a server without pyx12 installed gets `ModuleNotFoundError` only when
it actually asks for a validation.

How pyx12 is driven (BRIEF 6): its command line prints the verdict as the last stderr line and exits with a
meaningless status, and it writes `<FILE>.997` next to its input. We call its document function in-process instead
(`pyx12.x12n_document.x12n_document`, which returns the verdict as a boolean and logs each problem as an ERROR
record on the `pyx12` logger), on a copy written to a temporary folder, with no 999 output requested.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from pathlib import Path

_FILE_NAME = "interchange.x12"
# pyx12's module state (its logger, map loading) is not known to be thread-safe: one validation at a time.
_LOCK = threading.Lock()


class _Collector(logging.Handler):
    """Keeps the WARNING-and-above records pyx12 logs from the calling thread."""

    def __init__(self, thread_id: int) -> None:
        super().__init__(level=logging.WARNING)
        self.thread_id = thread_id
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread_id:
            self.lines.append(f"{record.levelname} {record.getMessage()}")


def pyx12_errors(text: str) -> list[str]:
    """Validate one X12 interchange with pyx12; return its error (and warning) lines, `[]` when the file is OK.

    The text is written unchanged (ASCII) to a temporary folder; non-ASCII text, which pyx12 cannot read, is
    reported as an error instead of crashing, and so is text that is not X12 at all or names a guide pyx12 has
    no map for. A file pyx12 calls a failure without logging a reason still yields one line, so an empty list
    always means the verdict `OK`. The lines quote segment content: keep them out of production logs.
    """
    # Lazy: pyx12 is a dev dependency (see the module docstring).
    import pyx12.errors
    import pyx12.params
    import pyx12.x12n_document

    try:
        data = text.encode("ascii")
    except UnicodeEncodeError as exc:
        return [f"ERROR non-ASCII character {text[exc.start]!r} at offset {exc.start}"]

    logger = logging.getLogger("pyx12")
    collector = _Collector(threading.get_ident())
    with _LOCK, tempfile.TemporaryDirectory(prefix="pyx12-") as folder:
        path = Path(folder) / _FILE_NAME
        path.write_bytes(data)
        # Records must reach our handler even when the application quietened the logger, and must not reach the
        # application's handlers: pyx12 quotes segment content (names, member ids) in its messages.
        saved = (logger.level, logger.propagate)
        if logger.getEffectiveLevel() > logging.WARNING:
            logger.setLevel(logging.WARNING)
        logger.propagate = False
        logger.addHandler(collector)
        try:
            # No 999 (fd_997=None) and no HTML report: nothing is written beside the copy.
            ok = pyx12.x12n_document.x12n_document(
                param=pyx12.params.params(), src_file=str(path), fd_997=None, fd_html=None
            )
        except (pyx12.errors.X12Error, pyx12.errors.EngineError) as exc:
            ok = False
            collector.lines.append(f"ERROR {type(exc).__name__}: {exc}")
        finally:
            logger.removeHandler(collector)
            logger.setLevel(saved[0])
            logger.propagate = saved[1]
    lines = [line.replace(str(path), _FILE_NAME) for line in collector.lines]
    if not ok and not lines:
        lines.append("ERROR pyx12 verdict: Failure")
    return lines
