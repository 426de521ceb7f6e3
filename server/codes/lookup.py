"""Code lookup for one date of service: by code prefix or by words of the description, in one statement.

Code prefixes scan the primary key in code order; words use the GIN index over the description's words (each
typed word as a prefix: "diab typ 2"). Only rows valid on the date of service are seen. A query that reads as a
code ("E11.6", "99213") is looked up as a code only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.codes.rules import SYSTEM_NAMES
from server.db import raw

_WORD = re.compile(r"[a-z0-9]+")
# Something typed as a code: letters and digits with an optional dot ("E11.6", "99213", "J1100", "25").
_CODE_LIKE = re.compile(r"^[A-Za-z0-9]{1,7}(\.[A-Za-z0-9]{0,4})?$")
_COLUMNS = "system, code, description, billable, requires_ndc, valid_from, valid_to"
_VALID_ON = "valid_from <= :dos AND (valid_to IS NULL OR valid_to > :dos)"
WORD_CANDIDATES = 2000


@dataclass(frozen=True)
class CodeQuery:
    prefix: str
    words: tuple[str, ...]


def parse(query: str) -> CodeQuery:
    text = query.strip()
    if _CODE_LIKE.match(text) and any(ch.isdigit() for ch in text):
        return CodeQuery(text.replace(".", "").upper(), ())  # "E11.6", "99213": a code, not words
    prefix = text.upper() if len(text) <= 2 and text.isalnum() else ""  # modifiers ("LT") and the like
    return CodeQuery(prefix, tuple(_WORD.findall(text.lower()))[:8])


def display(system: str, code: str) -> str:
    """ICD-10-CM is read with a dot after the category ("E11.9"); claims carry it without."""
    return f"{code[:3]}.{code[3:]}" if system == "icd10cm" and len(code) > 3 else code


def _upper_bound(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


async def search(db: AsyncSession, system: str, q: CodeQuery, dos: date, billable_only: bool, limit: int
                 ) -> list[Any]:
    params: dict[str, Any] = {"s": system, "dos": dos, "n": limit}
    billable = "AND billable" if billable_only else ""
    parts = []
    if q.prefix:
        params["p"], params["p_hi"] = q.prefix, _upper_bound(q.prefix)
        parts.append(f"""(SELECT {_COLUMNS}, 0 AS how, 0 AS starts FROM code_entry
            WHERE system = :s AND code >= :p AND code < :p_hi AND {_VALID_ON} {billable}
            ORDER BY code LIMIT :n)""")
    ctes = ""
    if q.words:
        assert system in SYSTEM_NAMES  # written into the statement: each system gets its own plan
        params["tsq"] = " & ".join(f"{w}:*" for w in q.words)
        params["first"] = f"{q.words[0]}%"
        # A word like "fracture" matches 20,000 codes: rank the first WORD_CANDIDATES of them (the table is
        # loaded in code order) rather than fetch and sort them all; typing more words narrows the list.
        ctes = f"""WITH matched AS MATERIALIZED (
            SELECT {_COLUMNS} FROM code_entry WHERE system = '{system}'
               AND to_tsvector('simple'::regconfig, description) @@ to_tsquery('simple'::regconfig, :tsq)
             LIMIT {WORD_CANDIDATES}) """
        # Descriptions that start with the first word rank first, then general codes before specific ones.
        parts.append(f"""(SELECT {_COLUMNS}, 1 AS how, (lower(description) NOT LIKE :first)::int AS starts
            FROM matched WHERE {_VALID_ON} {billable}
            ORDER BY starts, length(code), code LIMIT :n)""")
    if not parts:
        return []
    sql = f"""{ctes}SELECT * FROM ({" UNION ALL ".join(parts)}) found ORDER BY how, starts, length(code), code"""
    # A code found by both its prefix and its words is listed once, where the prefix put it.
    seen: set[str] = set()
    unique = []
    for r in await raw.fetch_all(db, sql, params):
        if r.code not in seen:
            seen.add(r.code)
            unique.append(r)
    return unique[:limit]


async def versions(db: AsyncSession, system: str, code: str) -> list[Any]:
    return await raw.fetch_all(db, f"SELECT {_COLUMNS} FROM code_entry WHERE system = :s AND code = :c "
                                   "ORDER BY valid_from", {"s": system, "c": code})


async def releases(db: AsyncSession) -> list[Any]:
    return await raw.fetch_all(db, "SELECT system, label, effective_date, source, added, changed, retired "
                                   "FROM code_release ORDER BY effective_date DESC, system", {})
