"""Money as people read it, from integer cents (both sides: screens, PDFs, exports)."""

from __future__ import annotations


def dollars(cents: int) -> str:
    """$1,234.56; -$0.05."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}${whole:,}.{part:02d}"


def plain(cents: int) -> str:
    """1234.56: for files other programs read (no sign of currency, no thousands separators)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"
