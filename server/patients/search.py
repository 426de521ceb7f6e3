"""Patient search: one box, indexed lookups, typo tolerance, ranked (BRIEF glossary: MRN, member ID).

Every kind of input uses an index that answers it directly:
- identifiers (MRN, phone, member ID, SSN by keyed hash): exact btree lookups;
- date of birth: the (practice, DOB) btree, then the names, if any, rank and filter the few rows;
- name fragments in any order: each pairing of fragments as (last-name prefix, first-name prefix)
  is a range scan of a (last, first) or (first, last) btree in index order, so LIMIT stops early;
- when fragments find (almost) nothing, trigram word similarity (pg_trgm GIN) forgives typos.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from server.patients.search_query import PatientQuery

ACTIVE = ["active"]
ANY_STATUS = ["active", "inactive", "deceased"]
# Below this many hits from the name prefixes, the typo-tolerant search adds its guesses.
FUZZY_BELOW = 5
FUZZY_THRESHOLD = 0.4

SUMMARY_SQL = text("""
SELECT p.id, p.mrn, p.first_name, p.middle_name, p.last_name, p.suffix, p.preferred_name, p.date_of_birth,
       p.sex, p.status,
       CASE WHEN p.phone_mobile <> '' THEN p.phone_mobile WHEN p.phone_home <> '' THEN p.phone_home
            ELSE p.phone_work END AS phone,
       (SELECT y.name FROM insurance_policy i JOIN payer y ON y.practice_id = i.practice_id AND y.id = i.payer_id
         WHERE i.practice_id = p.practice_id AND i.patient_id = p.id AND i.priority = 1) AS primary_payer
  FROM patient p
 WHERE p.practice_id = :p AND p.id = ANY(:ids)
""")


@dataclass
class Hit:
    patient_id: int
    score: float
    matched_on: str


def _upper_bound(prefix: str) -> str:
    """The smallest string above every string starting with ``prefix`` (keys are ASCII, collation C)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


async def _ids(db: AsyncSession, sql: str, params: dict[str, Any]) -> list[tuple[int, float]]:
    return [(int(r[0]), float(r[1])) for r in (await db.execute(text(sql), params)).all()]


async def find(db: AsyncSession, practice_id: int, q: PatientQuery, *, statuses: list[str], limit: int,
               ssn_hash: bytes | None) -> list[Hit]:
    hits: dict[int, Hit] = {}

    def add(rows: list[tuple[int, float]], matched_on: str) -> None:
        for pid, score in rows:
            if pid not in hits or hits[pid].score < score:
                hits[pid] = Hit(pid, score, matched_on)

    base: dict[str, Any] = {"p": practice_id, "st": statuses, "n": limit}
    # Plans for ranges and similarity depend on the values; a cached generic plan would guess.
    await db.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    if q.mrns:
        # An old MRN still finds a merged record, which points at the survivor.
        add(await _ids(db, "SELECT id, 100 FROM patient WHERE practice_id = :p AND mrn = ANY(:mrns)",
                       {**base, "mrns": q.mrns}), "mrn")
    if ssn_hash is not None:
        add(await _ids(db, "SELECT id, 95 FROM patient WHERE practice_id = :p AND ssn_hash = :h "
                           "AND ssn_hash IS NOT NULL AND status = ANY(:st)", {**base, "h": ssn_hash}), "ssn")
    if q.phone:
        add(await _ids(db, """
            SELECT id, 90 FROM patient WHERE practice_id = :p AND status = ANY(:st) AND (
                   (phone_mobile = :ph AND phone_mobile <> '') OR (phone_home = :ph AND phone_home <> '')
                OR (phone_work = :ph AND phone_work <> '')) LIMIT :n""", {**base, "ph": q.phone}), "phone")
    if q.member_keys:
        add(await _ids(db, """
            SELECT DISTINCT i.patient_id, 90 FROM insurance_policy i
              JOIN patient p ON p.practice_id = i.practice_id AND p.id = i.patient_id
             WHERE i.practice_id = :p AND i.member_key = ANY(:keys) AND p.status = ANY(:st) LIMIT :n""",
                       {**base, "keys": q.member_keys}), "member_id")
    if q.birth_dates:
        add(await _by_birth_date(db, base, q), "dob" if not q.names else "dob+name")
    elif q.names:
        found = await _by_name_prefixes(db, base, q.names)
        add(found, "name")
        if len(found) < FUZZY_BELOW:
            add(await _by_similar_names(db, base, q.names), "name_fuzzy")
    ranked = sorted(hits.values(), key=lambda h: -h.score)
    return ranked[:limit]


async def _by_birth_date(db: AsyncSession, base: dict[str, Any], q: PatientQuery) -> list[tuple[int, float]]:
    if not q.names:
        return await _ids(db, """
            SELECT id, 80 FROM patient WHERE practice_id = :p AND date_of_birth = ANY(:dobs) AND status = ANY(:st)
             ORDER BY search_last, search_first LIMIT :n""", {**base, "dobs": q.birth_dates})
    # Few people share a birthday: judge each one's names here, keep those that fit.
    rows = (await db.execute(text("""
        SELECT id, ' ' || search_names AS names, soundex(search_last) AS sl, soundex(search_first) AS sf,
               ARRAY(SELECT soundex(t) FROM unnest(CAST(:toks AS text[])) WITH ORDINALITY u(t, o) ORDER BY o) AS tsx,
               ARRAY(SELECT word_similarity(t, search_names) FROM unnest(CAST(:toks AS text[])) WITH ORDINALITY
                     u(t, o) ORDER BY o) AS sims
          FROM patient WHERE practice_id = :p AND date_of_birth = ANY(:dobs) AND status = ANY(:st) LIMIT 500"""),
        {**base, "dobs": q.birth_dates, "toks": q.names})).all()
    out = []
    for row in rows:
        prefixes = sum(1 for token in q.names if f" {token}" in row.names)
        similarity = sum(row.sims) / len(q.names)
        sounds_alike = _sounds_alike(row.sl, row.sf, row.tsx)
        if prefixes == len(q.names) or similarity >= FUZZY_THRESHOLD or sounds_alike:
            out.append((int(row.id), 80 + 5 * prefixes + 5 * similarity + 3 * sounds_alike))
    return out


def _sounds_alike(last: str, first: str, tokens: list[str]) -> bool:
    if len(tokens) == 1:
        return tokens[0] in (last, first)
    return any(tokens[i] == last and tokens[j] == first for i, j in permutations(range(len(tokens)), 2))


async def _by_name_prefixes(db: AsyncSession, base: dict[str, Any], names: list[str]) -> list[tuple[int, float]]:
    """Score: how much of the names the fragments cover ("smi jo": John Smith before Smith Jones)."""
    params = dict(base)
    for i, token in enumerate(names):
        params[f"lo{i}"], params[f"hi{i}"] = token, _upper_bound(token)
        params[f"w{i}"] = f"% {token}%"
    parts = []
    if len(names) == 1:
        # One fragment: a last name first (most searches), then a first name.
        parts.append("""(SELECT id, 60 + length(:lo0)::float / length(search_last) FROM patient
            WHERE practice_id = :p AND search_last >= :lo0 AND search_last < :hi0 AND status = ANY(:st)
            ORDER BY search_last, search_first LIMIT :n)""")
        parts.append("""(SELECT id, 50 + length(:lo0)::float / length(search_first) FROM patient
            WHERE practice_id = :p AND search_first >= :lo0 AND search_first < :hi0 AND status = ANY(:st)
            ORDER BY search_first, search_last LIMIT :n)""")
    else:
        for last, first in permutations(range(len(names)), 2):
            rest = " ".join(f"AND (' ' || search_names) LIKE :w{k}"
                            for k in range(len(names)) if k not in (last, first))
            # Typed "last first" wins a tie: it is how charts and lists are ordered.
            convention = 0.01 if (last, first) == (0, 1) else 0
            parts.append(f"""(SELECT id, 60 + {convention} + length(:lo{last})::float / length(search_last)
                       + length(:lo{first})::float / length(search_first)
                FROM patient WHERE practice_id = :p AND status = ANY(:st)
                 AND search_last >= :lo{last} AND search_last < :hi{last}
                 AND search_first >= :lo{first} AND search_first < :hi{first} {rest}
                ORDER BY search_last, search_first LIMIT :n)""")
    return await _ids(db, " UNION ALL ".join(parts), params)


async def _by_similar_names(db: AsyncSession, base: dict[str, Any], names: list[str]) -> list[tuple[int, float]]:
    """Typos: names that sound alike (Soundex pairs, e.g. "jhon smiht") or share most trigrams ("johnsno")."""
    await db.execute(text("SELECT set_config('pg_trgm.word_similarity_threshold', :t, true)"),
                     {"t": str(FUZZY_THRESHOLD)})
    params = dict(base)
    for i, token in enumerate(names):
        params[f"t{i}"] = token
    n = len(names)
    candidates = [" AND ".join(f":t{i} <% search_names" for i in range(n))]
    sound = []
    if n == 1:
        sound.append("soundex(search_last) = soundex(:t0)")
    for i, j in permutations(range(n), 2):
        sound.append(f"(soundex(search_last) = soundex(:t{i}) AND soundex(search_first) = soundex(:t{j}))")
    similarity = " + ".join(f"word_similarity(:t{i}, search_names)" for i in range(n))
    sql = f"""
        WITH c AS (
            (SELECT id FROM patient WHERE practice_id = :p AND status = ANY(:st) AND {candidates[0]} LIMIT 500)
            UNION
            (SELECT id FROM patient WHERE practice_id = :p AND status = ANY(:st) AND ({" OR ".join(sound)})
             LIMIT 2000))
        SELECT p.id, 40 * ({similarity}) / {n} + CASE WHEN {" OR ".join(sound)} THEN 5 ELSE 0 END AS s
          FROM patient p JOIN c ON c.id = p.id
         WHERE p.practice_id = :p
         ORDER BY s DESC, p.search_last, p.search_first LIMIT :n"""
    return await _ids(db, sql, params)


async def summaries(db: AsyncSession, practice_id: int, ids: list[int]) -> dict[int, Any]:
    if not ids:
        return {}
    return {r.id: r for r in (await db.execute(SUMMARY_SQL, {"p": practice_id, "ids": ids})).all()}


def statuses(include_inactive: bool) -> list[str]:
    return ANY_STATUS if include_inactive else ACTIVE

