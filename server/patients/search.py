"""Patient search: one box, indexed lookups, typo tolerance, ranked, in one statement (decision 0009).

Every kind of input uses an index that answers it directly:
- identifiers (MRN, phone, member ID, SSN by keyed hash): exact btree lookups;
- date of birth: the (practice, DOB) btree; names given too judge the few people born that day;
- name fragments in any order: each pairing of fragments as (last-name prefix, first-name prefix)
  is a range scan of a (last, first) or (first, last) btree in index order, so LIMIT stops early;
- when the fragments find fewer than FUZZY_BELOW people, trigram word similarity (pg_trgm GIN) and
  Soundex pairs (fuzzystrmatch expression index) add their guesses.
Each kind is one CTE; the statement returns the ranked summaries, so a search is one round trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from server.db import raw
from server.patients.search_query import PatientQuery

ACTIVE = ["active"]
ANY_STATUS = ["active", "inactive", "deceased"]
# Below this many hits from the name prefixes, the typo-tolerant search adds its guesses.
FUZZY_BELOW = 5
# Trigram word similarity a fragment needs; `<%` reads the same value from the connection
# (server/db/database.py SESSION_SETTINGS).
FUZZY_THRESHOLD = 0.4

SUMMARY_COLUMNS = """
    p.id, p.mrn, p.first_name, p.middle_name, p.last_name, p.suffix, p.preferred_name, p.date_of_birth, p.sex,
    p.status,
    CASE WHEN p.phone_mobile <> '' THEN p.phone_mobile WHEN p.phone_home <> '' THEN p.phone_home
         ELSE p.phone_work END AS phone,
    (SELECT y.name FROM insurance_policy i JOIN payer y ON y.practice_id = i.practice_id AND y.id = i.payer_id
      WHERE i.practice_id = p.practice_id AND i.patient_id = p.id AND i.priority = 1) AS primary_payer"""

SUMMARY_SQL = text(f"SELECT {SUMMARY_COLUMNS} FROM patient p WHERE p.practice_id = :p AND p.id = ANY(:ids)")


@dataclass
class Hit:
    row: Any
    score: float
    matched_on: str


def _upper_bound(prefix: str) -> str:
    """The smallest string above every string starting with ``prefix`` (keys are ASCII, collation C)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def statuses(include_inactive: bool) -> list[str]:
    return ANY_STATUS if include_inactive else ACTIVE


async def find(db: AsyncSession, practice_id: int, q: PatientQuery, *, statuses: list[str], limit: int,
               ssn_hash: bytes | None) -> list[Hit]:
    params: dict[str, Any] = {"p": practice_id, "st": statuses, "n": limit}
    for i, token in enumerate(q.names):
        params[f"t{i}"], params[f"hi{i}"], params[f"w{i}"] = token, _upper_bound(token), f"% {token}%"
        params[f"l2{i}"] = token[:2]
    if len(q.names) > 1:
        params["joined"] = "".join(q.names)
        params["joined_hi"] = _upper_bound(params["joined"])
    kinds: list[str] = []
    if q.mrns:
        # An old MRN still finds a merged record, which points at the survivor.
        params["mrns"] = q.mrns
        kinds.append("SELECT id, 100.0 AS score, 'mrn' AS how FROM patient WHERE practice_id = :p "
                     "AND mrn = ANY(:mrns)")
    if ssn_hash is not None:
        params["ssn"] = ssn_hash
        kinds.append("SELECT id, 95.0, 'ssn' FROM patient WHERE practice_id = :p AND ssn_hash = :ssn "
                     "AND ssn_hash IS NOT NULL AND status = ANY(:st)")
    if q.phone:
        params["ph"] = q.phone
        kinds.append("""SELECT id, 90.0, 'phone' FROM patient WHERE practice_id = :p AND status = ANY(:st) AND (
                   (phone_mobile = :ph AND phone_mobile <> '') OR (phone_home = :ph AND phone_home <> '')
                OR (phone_work = :ph AND phone_work <> ''))""")
    if q.member_keys:
        params["keys"] = q.member_keys
        kinds.append("""SELECT DISTINCT i.patient_id, 90.0, 'member_id' FROM insurance_policy i
              JOIN patient x ON x.practice_id = i.practice_id AND x.id = i.patient_id
             WHERE i.practice_id = :p AND i.member_key = ANY(:keys) AND x.status = ANY(:st)""")
    ctes: list[str] = []
    if q.birth_dates:
        params["dobs"] = q.birth_dates
        kinds.append(_by_birth_date(len(q.names)))
    elif q.names:
        ctes.append(f"prefixed AS ({_by_name_prefixes(q.names)})")
        kinds.append("SELECT * FROM prefixed")
        # Fragments of one or two letters are beginnings, not misspellings: no typo search for them
        # (it would match a good part of the table).
        if min(map(len, q.names)) >= 3:
            ctes.append(f"sounding AS ({_sounding(len(q.names))})")
            ctes.append(f"fuzzy AS ({_by_similar_names(len(q.names))})")
            kinds.append("SELECT * FROM fuzzy")
    if not kinds:
        return []
    hits = " UNION ALL ".join(f"({k})" for k in kinds)
    sql = f"""
        WITH {"".join(c + ", " for c in ctes)}
             hits(id, score, how) AS ({hits}),
             best AS (SELECT DISTINCT ON (id) id, score, how FROM hits ORDER BY id, score DESC)
        SELECT {SUMMARY_COLUMNS}, best.score, best.how
          FROM best JOIN patient p ON p.practice_id = :p AND p.id = best.id
         ORDER BY best.score DESC, p.search_last, p.search_first, p.id
         LIMIT :n"""
    rows = await raw.fetch_all(db, sql, params)
    return [Hit(r, float(r.score), r.how) for r in rows]


def _sound_pairs(n: int, table: str = "") -> str:
    """Soundex of (last, first) equal to the Soundex of some ordered pair of fragments."""
    col = f"{table}." if table else ""
    if n == 1:
        return f"soundex({col}search_last) = soundex(:t0)"
    return " OR ".join(f"(soundex({col}search_last) = soundex(:t{i}) AND soundex({col}search_first) = soundex(:t{j}))"
                       for i, j in permutations(range(n), 2))


def _mean_similarity(n: int) -> str:
    return "(" + " + ".join(f"word_similarity(:t{i}, search_names)" for i in range(n)) + f") / {n}"


def _by_birth_date(n: int) -> str:
    if n == 0:
        return """(SELECT id, 80.0, 'dob' FROM patient WHERE practice_id = :p AND date_of_birth = ANY(:dobs)
                    AND status = ANY(:st) ORDER BY search_last, search_first LIMIT :n)"""
    # Few people share a birthday: each is judged by how well the names fit, and dropped if they do not.
    prefixes = " + ".join(f"((' ' || search_names) LIKE :w{i})::int" for i in range(n))
    return f"""SELECT id, 80 + 5 * ({prefixes}) + 5 * {_mean_similarity(n)} + 3 * ({_sound_pairs(n)})::int,
                      'dob+name'
                 FROM patient WHERE practice_id = :p AND date_of_birth = ANY(:dobs) AND status = ANY(:st)
                  AND (({prefixes}) = {n} OR {_mean_similarity(n)} >= {FUZZY_THRESHOLD} OR {_sound_pairs(n)})"""


def _by_name_prefixes(names: list[str]) -> str:
    """Score: how much of the names the fragments cover ("smi jo": John Smith before Smith Jones)."""
    n = len(names)
    if n == 1:
        # One fragment: a last name first (most searches), then a first name.
        return """(SELECT id, 60 + length(:t0)::float / length(search_last), 'name' FROM patient
            WHERE practice_id = :p AND search_last >= :t0 AND search_last < :hi0 AND status = ANY(:st)
            ORDER BY search_last, search_first LIMIT :n)
            UNION ALL
            (SELECT id, 50 + length(:t0)::float / length(search_first), 'name' FROM patient
            WHERE practice_id = :p AND search_first >= :t0 AND search_first < :hi0 AND status = ANY(:st)
            ORDER BY search_first, search_last LIMIT :n)"""
    parts = []
    for last, first in permutations(range(n), 2):
        rest = " ".join(f"AND (' ' || search_names) LIKE :w{k}" for k in range(n) if k not in (last, first))
        # Typed "last first" wins a tie: it is how charts and lists are ordered.
        convention = 0.01 if (last, first) == (0, 1) else 0
        if len(names[last]) >= 2 and len(names[first]) >= 2:
            # The (last two letters, first two letters) pair index narrows to the few people whose names
            # start that way, however common either half is ("ale kw", "jo smi"); plans are generic.
            narrow = f"AND left(search_last, 2) = :l2{last} AND left(search_first, 2) = :l2{first}"
        else:
            narrow = ""
        parts.append(f"""(SELECT id, 60 + {convention} + length(:t{last})::float / length(search_last)
                   + length(:t{first})::float / length(search_first), 'name'
            FROM patient WHERE practice_id = :p AND status = ANY(:st) {narrow}
             AND search_last >= :t{last} AND search_last < :hi{last}
             AND search_first >= :t{first} AND search_first < :hi{first} {rest}
            ORDER BY search_last, search_first LIMIT :n)""")
    # "de la cruz", "van der berg": the fragments together may be one last name (keys drop the spaces).
    parts.append("""(SELECT id, 60.5 + length(:joined)::float / length(search_last), 'name' FROM patient
        WHERE practice_id = :p AND search_last >= :joined AND search_last < :joined_hi AND status = ANY(:st)
        ORDER BY search_last, search_first LIMIT :n)""")
    return " UNION ALL ".join(parts)


def _by_similar_names(n: int) -> str:
    """Typos: names that sound alike (Soundex pairs: "jhon smiht"), else that share most trigrams ("johnsno").

    Runs only when the prefixes found fewer than FUZZY_BELOW people; the trigram scan (the costly one) only
    when Soundex found fewer than that too. Both are one-time filters in the plan: skipped, not scanned.
    Candidates are ranked by how alike the words are; sounding alike adds a little.
    """
    trigrams = " AND ".join(f":t{i} <% search_names" for i in range(n))
    similar = f"""UNION ALL
            (SELECT id, search_names, 0 FROM patient WHERE (SELECT count(*) FROM prefixed) < {FUZZY_BELOW}
                AND (SELECT count(*) FROM sounding) < {FUZZY_BELOW}
                AND practice_id = :p AND status = ANY(:st) AND {trigrams} LIMIT 500)"""
    return f"""
        SELECT c.id, 40 * {_mean_similarity(n).replace("search_names", "c.search_names")} + c.bonus, 'name_fuzzy'
          FROM (
            SELECT id, search_names, 5 AS bonus FROM sounding {similar}) c"""


def _sounding(n: int) -> str:
    return f"""SELECT id, search_names FROM patient WHERE (SELECT count(*) FROM prefixed) < {FUZZY_BELOW}
                AND practice_id = :p AND status = ANY(:st) AND ({_sound_pairs(n)}) LIMIT 2000"""


async def summaries(db: AsyncSession, practice_id: int, ids: list[int]) -> dict[int, Any]:
    if not ids:
        return {}
    return {r.id: r for r in (await db.execute(SUMMARY_SQL, {"p": practice_id, "ids": ids})).all()}
