"""Search keys derived from a person's names: ASCII, lowercase, comparable byte-wise.

"José O'Brien-Smith" is found by "jose", "obrien", "smith" and "obriensmith"; the same
folding is applied to what the clerk types, so both sides meet.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^a-z0-9 ]+")


def fold(value: str) -> str:
    """Accents dropped, lowercase, apostrophes and periods removed, other punctuation a space."""
    ascii_only = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    lowered = ascii_only.lower().replace("'", "").replace(".", "")
    return " ".join(_NOT_WORD.sub(" ", lowered).split())


def compact(value: str) -> str:
    """One key for the whole name part: "de la cruz" -> "delacruz"."""
    return fold(value).replace(" ", "")


def search_keys(first: str, middle: str, last: str, preferred: str) -> tuple[str, str, str]:
    """(search_last, search_first, search_names) as stored on the patient row."""
    words: list[str] = []
    for part in (last, first, middle, preferred):
        for word in fold(part).split():
            if word not in words:
                words.append(word)
    last_key = compact(last)
    if last_key and last_key not in words:
        words.append(last_key)
    return last_key, compact(first), " ".join(words)[:300]
