"""What the money screens' tables share: amounts right-aligned, counted words, and a first column that takes the
width the fixed ones leave (so 100 columns show every column without scrolling sideways)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from client_tui import formatting

NAME_MIN_WIDTH = 14


def money(cents: int) -> Text:
    return Text(formatting.dollars(cents), justify="right")


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def fit_columns(table: DataTable[str | Text], first: str, columns: list[tuple[str, int]], width: int) -> None:
    """The first column takes what the fixed ones leave (at least NAME_MIN_WIDTH)."""
    table.clear(columns=True)
    fixed = sum(w for _label, w in columns) + 2 * table.cell_padding * (len(columns) + 1)
    table.add_column(first, width=max(NAME_MIN_WIDTH, width - fixed - 1), key=first)  # 1: the scrollbar
    for label, w in columns:
        table.add_column(label, width=w, key=label)
