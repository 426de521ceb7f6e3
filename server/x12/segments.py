"""X12 005010 building blocks shared by our writers: separators, text cleaning, number/date formats, segments.

Separators are the usual ones: element `*`, component `:`, repetition `^` (ISA11), segment `~`. Writers end each
segment with `~` and a newline: receivers (and pyx12) ignore a line break after the terminator, and people can
read the file.

Values reach a segment already formatted. `clean` makes free text safe: upper case, accents folded to ASCII,
anything outside the X12 basic and extended character sets (and the separators themselves) removed, runs of
white space collapsed, trimmed to the element's maximum length. `segment` and `composite` refuse a value that
still contains a separator, so a forgotten `clean` fails loudly instead of shifting every element after it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time

ELEMENT_SEPARATOR = "*"
COMPONENT_SEPARATOR = ":"
REPETITION_SEPARATOR = "^"
SEGMENT_TERMINATOR = "~"
# What follows each segment terminator in the files we write.
LINE_BREAK = "\n"

_SEPARATORS = frozenset(ELEMENT_SEPARATOR + COMPONENT_SEPARATOR + REPETITION_SEPARATOR + SEGMENT_TERMINATOR)
# Basic set: A-Z 0-9 space ! " & ' ( ) * + , - . / : ; ? =   Extended (5010) adds a-z % ~ @ [ ] _ { } \ | < > ^ ` # $.
# Lower case never survives `clean` (it upper-cases first); the separators are taken out of both sets.
_ALLOWED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !\"&'()+,-./;?=%@[]_{}\\|<>`#$") - _SEPARATORS
_SPACES = re.compile(r"\s+")
# Letters NFKD does not take apart into a base letter and an accent.
_FOLD = str.maketrans({"ß": "SS", "Æ": "AE", "æ": "AE", "Ø": "O", "ø": "O", "Œ": "OE", "œ": "OE", "Ð": "D",
                       "ð": "D", "Þ": "TH", "þ": "TH", "Ł": "L", "ł": "L", "Đ": "D", "đ": "D", "\u0131": "I"})


def clean(value: str, max_length: int | None = None) -> str:
    """Free text as an X12 element value: upper case, ASCII, no separators, single spaces, at most `max_length`."""
    text = unicodedata.normalize("NFKD", value.translate(_FOLD))
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    # White space of any kind becomes a space before the filter, so "A\tB" stays two words.
    text = _SPACES.sub(" ", text)
    text = "".join(c for c in text if c in _ALLOWED)
    text = _SPACES.sub(" ", text).strip()
    if max_length is not None:
        text = text[:max_length].rstrip()
    return text


def digits(value: str) -> str:
    """Only the digits of a phone number, ZIP code or tax id."""
    return "".join(c for c in value if c.isascii() and c.isdigit())


def _decimal(amount: int, places: int) -> str:
    """An integer count of 10**-places units as an X12 decimal (R): no trailing zeros, no point for whole numbers."""
    sign = "-" if amount < 0 else ""
    whole, fraction = divmod(abs(amount), 10**places)
    if fraction == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{fraction:0{places}d}".rstrip("0")


def money(cents: int) -> str:
    """Cents as an X12 amount: 12500 -> `125`, 12550 -> `125.5`, 12505 -> `125.05`, 0 -> `0`."""
    return _decimal(cents, 2)


def quantity(milli: int) -> str:
    """Thousandths as an X12 quantity: 1000 -> `1`, 1500 -> `1.5`, 125 -> `0.125`."""
    return _decimal(milli, 3)


def x12_date(day: date) -> str:
    """CCYYMMDD (D8)."""
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def x12_short_date(day: date) -> str:
    """YYMMDD, for ISA09 only."""
    return f"{day.year % 100:02d}{day.month:02d}{day.day:02d}"


def x12_time(moment: datetime | time) -> str:
    """HHMM."""
    return f"{moment.hour:02d}{moment.minute:02d}"


def fixed(value: str, width: int, field: str) -> str:
    """A fixed-width ISA field: cleaned, padded with spaces; longer than `width` is an error, not a cut."""
    text = clean(value)
    if len(text) > width:
        raise ValueError(f"{field}: {value!r} is longer than {width} characters")
    return text.ljust(width)


def composite(*components: str) -> str:
    """Components joined with `:`, trailing empty ones dropped."""
    parts = list(components)
    while parts and parts[-1] == "":
        parts.pop()
    for part in parts:
        if _SEPARATORS & set(part):
            raise ValueError(f"component {part!r} contains an X12 separator")
    return COMPONENT_SEPARATOR.join(parts)


def segment(segment_id: str, *elements: str) -> str:
    """One segment without its terminator: elements joined with `*`, trailing empty elements dropped.

    Elements may contain `:` (composites built with `composite`) but no other separator and no line break.
    """
    parts = list(elements)
    while parts and parts[-1] == "":
        parts.pop()
    forbidden = (_SEPARATORS - {COMPONENT_SEPARATOR}) | {"\n", "\r"}
    for part in parts:
        if forbidden & set(part):
            raise ValueError(f"{segment_id} element {part!r} contains an X12 separator")
    return ELEMENT_SEPARATOR.join([segment_id, *parts])


def isa_segment(*elements: str) -> str:
    """The interchange header, which carries the separators themselves (ISA11, ISA16) and is fixed width."""
    text = ELEMENT_SEPARATOR.join(["ISA", *elements])
    if len(elements) != 16 or len(text) != 105:
        raise ValueError(f"ISA must be 16 fixed-width elements (105 characters), got {len(text)}: {text!r}")
    return text


def join_segments(segments: list[str]) -> str:
    """The file text: every segment followed by the terminator and a line break."""
    end = SEGMENT_TERMINATOR + LINE_BREAK
    return end.join(segments) + end
