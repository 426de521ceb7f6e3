"""A synthetic patient population: households of realistic people with their insurance, deterministic by seed.

Pure logic, no database: ``Population(seed, today).people()`` yields patients household by household (adults
before their children, so cutting the stream anywhere never leaves a child without the parent who is its
guarantor or subscriber). ``server.patients.synthetic_load`` gives them ids and MRNs and copies them into
PostgreSQL.

Every value is stored the way the server's own rules would store it (server.patients.rules,
server.common.contact_rules, server.insurance.service): E.164 phones, ZIPs inside their state's ZIP area,
lowercase enum names, the subscriber and guarantor JSON shapes. Contact data cannot reach anybody: e-mail
addresses are at example.com/.net/.org (RFC 2606); SSNs are valid in form but drawn at random.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Any

from server.patients import synthetic_tables as t
from server.patients.names import compact

# SBR09 codes of the Medicare payers: an MSP type (SBR05) only goes on these.
MEDICARE_PAYERS = ("medicare",)
_MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"  # CMS leaves out S, L, O, I, B and Z
_MBI_ALNUM = _MBI_LETTERS + "0123456789"
_DIGITS = "0123456789"
# Valid SSNs: area 001-899 except 666, group 01-99, serial 0001-9999. People are numbered through
# an affine permutation of that space, so no two people of one population share an SSN.
_SSN_AREAS = [a for a in range(1, 900) if a != 666]
_SSN_SPACE = len(_SSN_AREAS) * 99 * 9999
_SSN_STEP = 1_000_003  # a prime that does not divide _SSN_SPACE


class Weighted:
    """Choice by relative weight in O(log n): one random number and a bisect."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, pairs: Sequence[tuple[Any, float]]) -> None:
        self.items = [p[0] for p in pairs]
        self.cum = list(accumulate(p[1] for p in pairs))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


@dataclass(slots=True)
class Address:
    line1: str
    line2: str
    city: str
    state: str
    zip: str
    area_codes: tuple[str, ...]

    def as_dict(self) -> dict[str, str]:
        return {"line1": self.line1, "line2": self.line2, "city": self.city, "state": self.state, "zip": self.zip}


@dataclass(slots=True)
class Policy:
    payer: str  # key into synthetic_tables.PAYERS
    plan_name: str
    member_id: str
    group_number: str
    relationship: str  # X12: 18 self, 01 spouse, 19 child
    subscriber: dict[str, Any] | None
    effective_date: date
    termination_date: date | None = None
    priority: int | None = None
    ended_at: datetime | None = None
    copay_cents: int = 0
    coinsurance_percent: int = 0
    deductible_cents: int = 0
    benefit_notes: str = ""
    medicare_secondary_type: str = ""
    signature_on_file: bool = True


@dataclass(slots=True)
class Person:
    """One patient as the patient table stores it, before it has an id and an MRN."""

    number: int  # position in the population, from 0
    first_name: str
    middle_name: str
    last_name: str
    suffix: str
    preferred_name: str
    date_of_birth: date
    sex: str
    address: Address
    years: int  # age on the population's "today"
    origin: str = ""
    gender_identity: str = ""
    pronouns: str = ""
    phone_mobile: str = ""
    phone_home: str = ""
    phone_work: str = ""
    email: str = ""
    preferred_contact_method: str = ""
    reminder_consent: bool = False
    preferred_language: str = ""
    marital_status: str = ""
    employment_status: str = ""
    employer_name: str = ""
    emergency_contact: dict[str, str] = field(default_factory=dict)
    guarantor: dict[str, Any] = field(default_factory=lambda: {"is_self": True})
    ssn: str = ""  # nine digits or ''
    alerts: str = ""
    notes: str = ""
    status: str = "active"
    date_of_death: date | None = None
    policies: list[Policy] = field(default_factory=list)

    def age(self, on: date) -> int:
        born = self.date_of_birth
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    def name_dict(self) -> dict[str, str]:
        return {"first": self.first_name, "middle": self.middle_name, "last": self.last_name, "suffix": self.suffix}

    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name, self.suffix) if p)

    def as_subscriber(self) -> dict[str, Any]:
        """The subscriber JSON of server.insurance.service, for a dependant on this person's policy."""
        return {"name": self.name_dict(), "date_of_birth": self.date_of_birth.isoformat(), "sex": self.sex,
                "address": self.address.as_dict()}


@dataclass(slots=True)
class Employer:
    name: str
    payer: str
    plan_name: str
    group_number: str
    copay_cents: int
    coinsurance_percent: int
    deductible_cents: int


# Age bands of adults as a family practice sees them: (youngest, oldest, weight).
_ADULT_AGES = [(18, 24, 8), (25, 34, 12), (35, 44, 12), (45, 54, 14), (55, 64, 17), (65, 74, 18),
               (75, 84, 11), (85, 95, 4)]
_HOUSEHOLDS = [("single", 36), ("couple", 34), ("family", 23), ("single_parent", 7)]
_COMMERCIAL = [("aetna", 16), ("cigna", 12), ("uhc", 18), ("humana", 8), ("anthem", 26), ("mmo", 20)]
_COMMERCIAL_PAYERS = frozenset(k for k, _ in _COMMERCIAL)
_WORKING_AGE_EMPLOYMENT = Weighted([("full_time", 62), ("part_time", 10), ("self_employed", 7), ("unemployed", 6),
                                    ("unknown", 5), ("", 10)])
_RETIREMENT_AGE_EMPLOYMENT = Weighted([("retired", 80), ("part_time", 5), ("full_time", 7), ("", 8)])
_COUPLE_MARITAL = Weighted([("married", 80), ("partner", 10), ("", 10)])
_SINGLE_MARITAL_YOUNG = Weighted([("single", 50), ("divorced", 20), ("widowed", 2), ("separated", 3), ("", 25)])
_SINGLE_MARITAL_MIDDLE = Weighted([("single", 35), ("divorced", 35), ("widowed", 5), ("separated", 7), ("", 18)])
_SINGLE_MARITAL_OLD = Weighted([("single", 25), ("divorced", 30), ("widowed", 30), ("separated", 3), ("", 12)])
_ALPHA_PREFIXES = ["YRP", "ZGP", "JQU", "XOH", "YRH", "ZOH"]
_NOTES = ["Prefers morning appointments", "Uses the patient portal", "Moved here from out of state",
          "Transportation through Medicaid van", "Call the daughter for scheduling", "Prefers text reminders only"]


class Population:
    """Deterministic: the same seed and ``today`` give the same people in the same order."""

    def __init__(self, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self._ssn_offset = self.rng.randrange(_SSN_SPACE)
        self._number = 0
        self._surnames = Weighted([((n, o), w) for n, w, o in t.SURNAMES])
        self._first = {
            (sex, cohort): Weighted([(n, w * t.ERA_FACTORS[cohort][era]) for n, w, era in names
                                     if t.ERA_FACTORS[cohort][era] > 0])
            for sex, names in (("F", t.FEMALE_NAMES), ("M", t.MALE_NAMES)) for cohort in ("old", "mid", "new")}
        self._away_cities = Weighted([(c[:4], c[4]) for c in t.CITIES if c[1] != t.HOME_STATE])
        self._home_cities = Weighted([(c[:4], c[4]) for c in t.CITIES if c[1] == t.HOME_STATE])
        self._adult_ages = Weighted([((lo, hi), w) for lo, hi, w in _ADULT_AGES])
        self._households = Weighted(_HOUSEHOLDS)
        self._suffixes = Weighted(t.SUFFIXES)
        self._alerts = Weighted(t.ALERTS)
        self._ec_relationships = Weighted(t.EMERGENCY_RELATIONSHIPS)
        self._commercial = Weighted(_COMMERCIAL)
        self.employers = [self._employer(name) for name in t.EMPLOYERS]

    # -- the stream -----------------------------------------------------------------------------
    def people(self) -> Iterator[Person]:
        while True:
            yield from self.household()

    def household(self) -> list[Person]:
        rng = self.rng
        kind = self._households.pick(rng)
        address = self._address()
        surname, origin = self._surnames.pick(rng)
        landline = self._phone(address) if rng.random() < 0.3 else ""
        language = ""
        if origin and rng.random() < {"hisp": 0.3, "ind": 0.2}.get(origin, 0.4):
            language = t.LANGUAGES[origin]
        adults: list[Person] = []
        kids: list[Person] = []
        if kind == "single":
            adults.append(self._adult(self._adult_age(), _choice(rng, "FM"), surname, origin, address))
        elif kind == "couple":
            age = self._adult_age(lo=22)
            first_sex = _choice(rng, "FM")
            adults.append(self._adult(age, first_sex, surname, origin, address))
            other_sex = first_sex if rng.random() < 0.05 else ("M" if first_sex == "F" else "F")
            other_last = surname if rng.random() < 0.8 else self._surnames.pick(rng)[0]
            adults.append(self._adult(max(18, min(95, age + _randint(rng, -5, 5))), other_sex, other_last, origin,
                                      address))
        else:
            age = _randint(rng, 22, 52)
            adults.append(self._adult(age, "F" if kind == "single_parent" and rng.random() < 0.8
                                      else _choice(rng, "FM"), surname, origin, address))
            if kind == "family":
                sex = "M" if adults[0].sex == "F" else "F"
                other_last = surname if rng.random() < 0.85 else self._surnames.pick(rng)[0]
                adults.append(self._adult(max(20, min(60, age + _randint(rng, -4, 4))), sex, other_last, origin,
                                          address))
            youngest_parent = min(a.years for a in adults)
            oldest = min(youngest_parent - 18, 24)  # parents are 22 or older, so this is at least 4
            for _ in range(_choice(rng, (1, 1, 1, 2, 2, 2, 3, 4))):
                young_adult = oldest >= 18 and rng.random() < 0.1
                kid_age = _randint(rng, 18, oldest) if young_adult else _randint(rng, 0, min(oldest, 17))
                kids.append(self._child(kid_age, surname, adults, address))
        members = adults + kids
        self._household_contacts(members, adults, landline, language)
        self._household_coverage(adults, kids)
        for p in members:
            self._finish(p)
        if not any(k.years < 18 for k in kids):
            for a in adults:
                self._maybe_decease(a, members)
        # A policy holder comes before the spouse on their plan, so wherever the stream is cut, every
        # dependant's subscriber is a patient too (children always come after the adults).
        if len(adults) == 2 and any(pol.relationship == "01" for pol in adults[0].policies):
            members[0], members[1] = members[1], members[0]
        return members

    # -- people ---------------------------------------------------------------------------------
    def _next_number(self) -> int:
        self._number += 1
        return self._number - 1

    def _adult_age(self, lo: int = 18) -> int:
        low, high = self._adult_ages.pick(self.rng)
        return _randint(self.rng, max(lo, low), max(lo, high))

    def _birth_date(self, age: int) -> date:
        # Born between (age + 1) years ago plus a day and exactly ``age`` years ago.
        latest = _years_before(self.today, age)
        earliest = _years_before(self.today, age + 1) + timedelta(days=1)
        return earliest + timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    def _person(self, age: int, sex: str, last: str, origin: str, address: Address) -> Person:
        rng = self.rng
        born = self._birth_date(age)
        cohort = "old" if born.year < 1960 else "mid" if born.year < 1990 else "new"
        if rng.random() < 0.002:
            sex = "U"
        first = self._first[(sex if sex != "U" else _choice(rng, "FM"), cohort)].pick(rng)
        r = rng.random()
        middle = ""
        if r < 0.35:
            middle = _choice(rng, t.FEMALE_MIDDLE if sex == "F" else t.MALE_MIDDLE)
        elif r < 0.6:
            middle = _choice(rng, "ABCDEFGHJKLMNPRSTW")
        preferred = ""
        nick = t.NICKNAMES.get(first)
        if nick and rng.random() < 0.3:
            preferred = _choice(rng, nick)
        elif middle and len(middle) > 1 and rng.random() < 0.02:
            preferred = middle
        return Person(number=self._next_number(), first_name=first, middle_name=middle, last_name=last, suffix="",
                      preferred_name=preferred, date_of_birth=born, sex=sex, address=address, years=age,
                      origin=origin)

    def _adult(self, age: int, sex: str, last: str, origin: str, address: Address) -> Person:
        rng = self.rng
        p = self._person(age, sex, last, origin, address)
        if p.sex == "M" and rng.random() < 0.03:
            p.suffix = self._suffixes.pick(rng)
        if rng.random() < 0.006:
            p.gender_identity, p.pronouns = _choice(rng, [("Nonbinary", "they/them"),
                                                          ("Transgender woman", "she/her"),
                                                          ("Transgender man", "he/him")])
        if age < 23:
            p.employment_status = _choice(rng, ["student_full_time", "student_full_time", "part_time",
                                                "full_time", "unemployed", ""])
        elif age < 65:
            p.employment_status = _WORKING_AGE_EMPLOYMENT.pick(rng)
        else:
            p.employment_status = _RETIREMENT_AGE_EMPLOYMENT.pick(rng)
        if p.employment_status in ("full_time", "part_time"):
            p.employer_name = _choice(rng, self.employers).name
        elif p.employment_status == "self_employed" and rng.random() < 0.5:
            p.employer_name = "Self-employed"
        return p

    def _child(self, age: int, last: str, parents: list[Person], address: Address) -> Person:
        rng = self.rng
        other = parents[-1].last_name
        if other != last and rng.random() < 0.1 and not any(c in last + other for c in " -"):
            last = f"{last}-{other}"  # both parents' names
        p = self._person(age, _choice(rng, "FM"), last, parents[0].origin, address)
        if age >= 18:
            p.employment_status = _choice(rng, ["student_full_time", "part_time", "full_time", ""])
            if p.employment_status in ("full_time", "part_time"):
                p.employer_name = _choice(rng, self.employers).name
        elif age >= 5 and rng.random() < 0.4:
            p.employment_status = "student_full_time"
        if age < 18:
            parent = _choice(rng, parents)
            # The relationship is the patient's to the guarantor, as an X12 code (19: child).
            p.guarantor = {"is_self": False, "name": parent.name_dict(), "relationship": "19",
                           "address": address.as_dict(), "phone": ""}  # the phone once the household has phones
            p.marital_status = ""
        return p

    def _household_contacts(self, members: list[Person], adults: list[Person], landline: str,
                            language: str) -> None:
        rng = self.rng
        for p in members:
            age = p.years
            if age >= 13 and rng.random() < (0.7 if age < 18 else 0.92 if age < 75 else 0.6):
                p.phone_mobile = self._phone(p.address)
            if landline and (age < 18 or rng.random() < (0.8 if age >= 65 else 0.5)):
                p.phone_home = landline
            if p.employer_name and rng.random() < 0.15:
                p.phone_work = self._phone(p.address)
            if age >= 13 and rng.random() < (0.2 if age < 18 else 0.3 if age >= 70 else 0.55):
                p.email = self._email(p)
            if language and (age >= 18 or rng.random() < 0.3):
                p.preferred_language = language
            if age >= 18:
                p.reminder_consent = rng.random() < 0.7
            elif rng.random() < 0.5:
                p.reminder_consent = True
        parents_phone = next((a.phone_mobile or a.phone_home for a in adults if a.phone_mobile or a.phone_home), "")
        if not parents_phone and len(members) > len(adults):
            parents_phone = adults[0].phone_mobile = self._phone(adults[0].address)
        for p in members[len(adults):]:
            if not p.guarantor.get("is_self"):
                guarantor = next(a for a in adults if a.name_dict() == p.guarantor["name"])
                p.guarantor["phone"] = guarantor.phone_mobile or guarantor.phone_home or parents_phone
            if not (p.phone_mobile or p.phone_home):
                p.phone_home = parents_phone
            if p.years < 18 and rng.random() < 0.8:
                parent = _choice(rng, adults)
                p.emergency_contact = {
                    "name": parent.full_name(), "relationship": {"F": "Mother", "M": "Father"}.get(parent.sex,
                                                                                                    "Parent"),
                    "phone": parent.phone_mobile or parent.phone_home or parents_phone}
        for a in adults:
            age = a.years
            partner = next((o for o in adults if o is not a), None)
            if partner is not None:
                a.marital_status = _COUPLE_MARITAL.pick(rng)
            else:
                a.marital_status = (_SINGLE_MARITAL_YOUNG if age < 40 else _SINGLE_MARITAL_OLD if age >= 65
                                    else _SINGLE_MARITAL_MIDDLE).pick(rng)
            if rng.random() < 0.65:
                if partner is not None and (partner.phone_mobile or partner.phone_home) and rng.random() < 0.8:
                    a.emergency_contact = {"name": partner.full_name(), "relationship": "Spouse" if
                                           a.marital_status == "married" else "Partner",
                                           "phone": partner.phone_mobile or partner.phone_home}
                else:
                    ec_sex = _choice(rng, "FM")
                    ec_first = self._first[(ec_sex, "mid")].pick(rng)
                    ec_last = a.last_name if rng.random() < 0.6 else self._surnames.pick(rng)[0]
                    a.emergency_contact = {"name": f"{ec_first} {ec_last}",
                                           "relationship": self._ec_relationships.pick(rng),
                                           "phone": self._phone(a.address)}

    def _finish(self, p: Person) -> None:
        """Contact preference, SSN, alerts and status, once the phones and policies are known."""
        rng = self.rng
        age = p.years
        if age >= 18:
            # Only what the record can honour: sms needs a mobile, phone a phone, email an address.
            sms = 45 if p.phone_mobile else 0
            phone = sms + (25 if p.phone_mobile or p.phone_home else 0)
            email = phone + (15 if p.email else 0)
            r = rng.random() * (email + 15)
            p.preferred_contact_method = ("sms" if r < sms else "phone" if r < phone else "email" if r < email
                                          else "mail" if r < email + 5 else "")
        if rng.random() < (0.38 if age >= 18 else 0.12):
            p.ssn = self._ssn(p.number)
        r = rng.random()
        if p.preferred_language and r < 0.3:
            p.alerts = f"Needs {p.preferred_language} interpreter"
        elif r < 0.04:
            p.alerts = self._alerts.pick(rng)
            if rng.random() < 0.1:
                second = self._alerts.pick(rng)
                if second != p.alerts:
                    p.alerts += f"; {second}"
        if rng.random() < 0.02:
            p.notes = _choice(rng, _NOTES)
        if rng.random() < (0.25 if p.address.state != t.HOME_STATE else 0.03):  # moved away, or left us
            p.status = "inactive"

    def _maybe_decease(self, p: Person, household: list[Person]) -> None:
        """Some older patients have died; never one whose policy still covers someone else."""
        rng = self.rng
        age = p.years
        if age < 60 or rng.random() >= 0.004 + (age - 60) * 0.0008:
            return
        mine = p.as_subscriber()
        if any(pol.subscriber == mine for other in household for pol in other.policies):
            return
        died = self.today - timedelta(days=_randint(rng, 1, 1000))
        if died <= p.date_of_birth:
            return
        p.status = "deceased"
        p.date_of_death = died
        for other in household:
            if other is not p and other.marital_status == "married":
                other.marital_status = "widowed"
        for pol in p.policies:
            if pol.priority is None:
                continue
            pol.priority = None
            end = max(died, pol.effective_date)
            pol.termination_date = end
            pol.ended_at = _instant(min(end + timedelta(days=_randint(rng, 3, 60)), self.today))

    # -- insurance ------------------------------------------------------------------------------
    def _household_coverage(self, adults: list[Person], kids: list[Person]) -> None:
        rng = self.rng
        for a in adults:
            self._adult_coverage(a)
        # A spouse without coverage of their own is often on the partner's employer plan.
        # (Never both ways round: the holder is listed first, see household().)
        if len(adults) == 2:
            for a, b in ((adults[0], adults[1]), (adults[1], adults[0])):
                own = self._employer_policy(b)
                if own is None or a.years >= 65 or any(pol.relationship == "01" for pol in b.policies):
                    continue
                if rng.random() < (0.05 if a.policies else 0.75):
                    a.policies.append(self._dependant_policy(own, b, a, "01"))
        # The children share one family plan, if a parent's employer (or TRICARE) offers one.
        plans = [(self._employer_policy(a), a) for a in adults]
        plans += [(next((p for p in a.policies if p.payer == "tricare" and p.relationship == "18"), None), a)
                  for a in adults]
        offered = [(pol, a) for pol, a in plans if pol is not None]
        family_plan = _choice(rng, offered) if offered and rng.random() < 0.9 else None
        for k in kids:
            age = k.years
            if family_plan is not None and rng.random() < (0.97 if age < 18 else 0.6):
                pol, parent = family_plan
                k.policies.append(self._dependant_policy(pol, parent, k, "19"))
            elif rng.random() < (0.85 if age < 18 else 0.3):
                k.policies.append(self._medicaid(k))
            elif age >= 18 and k.employer_name and rng.random() < 0.5:
                k.policies.append(self._commercial_self(k))
        for p in adults + kids:
            for i, pol in enumerate(p.policies, start=1):
                pol.priority = i
            if p.policies and rng.random() < 0.08:
                before = self._ended_before(p, p.policies[0])
                if before is not None:
                    p.policies.append(before)
            if p.years >= 18 and rng.random() < 0.005:
                p.policies.append(self._workers_comp(p))

    def _adult_coverage(self, a: Person) -> None:
        rng = self.rng
        age = a.years
        if age >= 65:
            if a.employment_status == "full_time" and age < 73 and rng.random() < 0.6:
                a.policies.append(self._commercial_self(a))
                a.policies.append(self._medicare(a, msp="12"))
                return
            r = rng.random()
            if r < 0.6:
                a.policies.append(self._medicare(a))
                r2 = rng.random()
                if r2 < 0.65:
                    a.policies.append(self._supplement(a))
                elif r2 < 0.8:
                    a.policies.append(self._medicaid(a))
            elif r < 0.93:
                a.policies.append(self._medicare_advantage(a))
            else:
                a.policies.append(self._medicare(a))
            return
        r = rng.random()
        if r < 0.03:
            a.policies.append(self._simple(a, "tricare", _digits(rng, 11), effective=self._since(a, 3650)))
            return
        if r < 0.04 and a.sex == "M" and age >= 25:
            icn = "10" + _digits(rng, 8) + "V" + _digits(rng, 6)
            a.policies.append(self._simple(a, "va", icn, effective=self._since(a, 2000)))
            return
        employed = a.employment_status in ("full_time", "part_time", "self_employed")
        chance = {"full_time": 0.85, "part_time": 0.35, "self_employed": 0.55}.get(a.employment_status, 0.0)
        if employed and rng.random() < chance:
            a.policies.append(self._commercial_self(a))
        elif rng.random() < (0.55 if not employed else 0.3):
            a.policies.append(self._medicaid(a))

    def _employer(self, name: str) -> Employer:
        rng = self.rng
        payer = self._commercial.pick(rng)
        return Employer(name=name, payer=payer, plan_name=_choice(rng, t.PLANS[payer]),
                        group_number=_group_number(rng, payer),
                        copay_cents=_choice(rng, [2000, 2500, 3000, 4000, 5000]),
                        coinsurance_percent=_choice(rng, [10, 20, 20, 30]),
                        deductible_cents=_choice(rng, [50000, 100000, 150000, 200000, 300000, 500000]))

    def _employer_policy(self, p: Person) -> Policy | None:
        return next((pol for pol in p.policies if pol.relationship == "18" and pol.payer in _COMMERCIAL_PAYERS),
                    None)

    def _since(self, p: Person, max_days: int, *, not_before: date | None = None) -> date:
        """An effective date up to ``max_days`` ago, not before birth (or ``not_before``); often a January 1."""
        start = max(p.date_of_birth, not_before or p.date_of_birth)
        if start > self.today:
            start = self.today
        days = min(max_days, (self.today - start).days)
        effective = self.today - timedelta(days=_randint(self.rng, 0, days))
        if self.rng.random() < 0.4 and date(effective.year, 1, 1) >= start:
            effective = date(effective.year, 1, 1)
        return effective

    def _simple(self, p: Person, payer: str, member: str, *, effective: date, group: str = "") -> Policy:
        return Policy(payer=payer, plan_name=_choice(self.rng, t.PLANS[payer]), member_id=member, group_number=group,
                      relationship="18", subscriber=None, effective_date=effective)

    def _commercial_self(self, p: Person) -> Policy:
        rng = self.rng
        employer = next((e for e in self.employers if e.name == p.employer_name), None)
        if employer is None:  # self-employed or a job without a listed employer: a marketplace plan
            payer = self._commercial.pick(rng)
            plan, group = _choice(rng, t.PLANS[payer]), ""
            copay, coins = _choice(rng, [3000, 4000, 5000]), _choice(rng, [20, 30, 40])
            deductible = _choice(rng, [300000, 500000, 700000])
        else:
            payer, plan, group = employer.payer, employer.plan_name, employer.group_number
            copay, coins, deductible = employer.copay_cents, employer.coinsurance_percent, employer.deductible_cents
        notes = "Referral required for specialists" if "HMO" in plan else ""
        return Policy(payer=payer, plan_name=plan, member_id=_member_id(rng, payer), group_number=group,
                      relationship="18", subscriber=None,
                      effective_date=self._since(p, 3650, not_before=_years_after(p.date_of_birth, 18)),
                      copay_cents=copay, coinsurance_percent=coins, deductible_cents=deductible, benefit_notes=notes,
                      signature_on_file=rng.random() > 0.02)

    def _dependant_policy(self, pol: Policy, subscriber: Person, patient: Person, relationship: str) -> Policy:
        effective = max(pol.effective_date, patient.date_of_birth)
        return Policy(payer=pol.payer, plan_name=pol.plan_name, member_id=pol.member_id,
                      group_number=pol.group_number, relationship=relationship,
                      subscriber=subscriber.as_subscriber(), effective_date=effective, copay_cents=pol.copay_cents,
                      coinsurance_percent=pol.coinsurance_percent, deductible_cents=pol.deductible_cents,
                      benefit_notes=pol.benefit_notes)

    def _medicaid(self, p: Person) -> Policy:
        rng = self.rng
        payer = "caresource" if rng.random() < 0.6 else "medicaid"
        member = _member_id(rng, payer)
        return Policy(payer=payer, plan_name=t.PLANS[payer][0], member_id=member, group_number="",
                      relationship="18", subscriber=None, effective_date=self._since(p, 2500))

    def _medicare_start(self, p: Person) -> date:
        turned = _years_after(p.date_of_birth, 65)
        return max(date(turned.year, turned.month, 1), date(1966, 7, 1))

    def _medicare(self, p: Person, msp: str = "") -> Policy:
        return Policy(payer="medicare", plan_name="Medicare Part B", member_id=_mbi(self.rng), group_number="",
                      relationship="18", subscriber=None, effective_date=min(self._medicare_start(p), self.today),
                      coinsurance_percent=20, deductible_cents=25700, medicare_secondary_type=msp)

    def _supplement(self, p: Person) -> Policy:
        rng = self.rng
        payer = "aarp" if rng.random() < 0.6 else "omaha"
        plan = _choice(rng, t.PLANS[payer])
        notes = "Part B deductible is the patient's" if plan.endswith("Plan G") else ""
        return Policy(payer=payer, plan_name=plan, member_id=_member_id(rng, payer), group_number="",
                      relationship="18", subscriber=None, effective_date=min(self._medicare_start(p), self.today),
                      benefit_notes=notes)

    def _medicare_advantage(self, p: Person) -> Policy:
        rng = self.rng
        start = self._medicare_start(p)
        effective = max(start, date(_randint(rng, start.year, max(start.year, self.today.year)), 1, 1))
        plan = _choice(rng, t.PLANS["humana_ma"])
        return Policy(payer="humana_ma", plan_name=plan, member_id=_member_id(rng, "humana_ma"), group_number="",
                      relationship="18", subscriber=None, effective_date=min(effective, self.today),
                      copay_cents=_choice(rng, [0, 0, 500, 1000, 1500]),
                      benefit_notes="Referral required for specialists" if "HMO" in plan else "")

    def _ended_before(self, p: Person, current: Policy) -> Policy | None:
        """The plan the patient had before the current one, ended the day before it began."""
        rng = self.rng
        ends = current.effective_date - timedelta(days=1)
        if ends < p.date_of_birth:
            return None  # covered since birth
        begins = max(ends - timedelta(days=_randint(rng, 90, 2500)), p.date_of_birth)
        age = p.years
        if age < 18:
            payer = "caresource" if rng.random() < 0.5 else "medicaid"
        elif age >= 65 and rng.random() < 0.5:
            payer = "humana_ma"
        else:
            payer = self._commercial.pick(rng)
        commercial = payer in _COMMERCIAL_PAYERS
        return Policy(payer=payer, plan_name=_choice(rng, t.PLANS[payer]), member_id=_member_id(rng, payer),
                      group_number=_group_number(rng, payer) if commercial else "", relationship="18",
                      subscriber=None, effective_date=begins, termination_date=ends,
                      ended_at=_instant(min(ends + timedelta(days=_randint(rng, 1, 45)), self.today)),
                      copay_cents=_choice(rng, [2000, 3000, 4000]) if commercial else 0,
                      coinsurance_percent=20 if commercial else 0, deductible_cents=100000 if commercial else 0)

    def _workers_comp(self, p: Person) -> Policy:
        """A past work injury: the claim with the state fund, ended when the case closed."""
        rng = self.rng
        injured = self.today - timedelta(days=_randint(rng, 200, 2500))
        injured = max(injured, _years_after(p.date_of_birth, 18))
        closed = min(injured + timedelta(days=_randint(rng, 30, 180)), self.today)
        return Policy(payer="bwc", plan_name=t.PLANS["bwc"][0], member_id=f"{injured.year % 100:02d}-{_digits(rng, 6)}",
                      group_number="", relationship="18", subscriber=None, effective_date=injured,
                      termination_date=closed, ended_at=_instant(closed),
                      benefit_notes=f"Date of injury {injured:%m/%d/%Y}")

    # -- contact data ---------------------------------------------------------------------------
    def _address(self) -> Address:
        rng = self.rng
        city, state, zip5, area_codes = (self._away_cities if rng.random() < 0.05 else self._home_cities).pick(rng)
        street = _choice(rng, t.STREETS)
        if rng.random() < 0.15:
            street = f"{_choice(rng, t.DIRECTIONS)} {street}"
        line1 = f"{_randint(rng, 1, 9899) if rng.random() < 0.9 else _randint(rng, 10000, 12999)} {street}"
        line2 = ""
        if rng.random() < 0.15:
            unit = _choice(rng, t.UNITS)
            line2 = f"{unit} {_randint(rng, 1, 40)}{_choice(rng, 'ABCD') if rng.random() < 0.3 else ''}" \
                if unit != "Ste" else f"Ste {_randint(rng, 100, 450)}"
        if rng.random() < 0.12:
            zip5 = f"{zip5}-{_randint(rng, 1, 9999):04d}"
        return Address(line1, line2, city, state, zip5, area_codes)

    def _phone(self, address: Address) -> str:
        rng = self.rng
        # Exchange NXX: not N11 (service codes) and not 555; line 0000-9999.
        exchange = _randint(rng, 200, 999)
        while exchange % 100 == 11 or exchange == 555:
            exchange = _randint(rng, 200, 999)
        return f"+1{_choice(rng, address.area_codes)}{exchange}{_randint(rng, 0, 9999):04d}"

    def _email(self, p: Person) -> str:
        rng = self.rng
        first, last = compact(p.first_name), compact(p.last_name)
        style = rng.random()
        local = f"{first}.{last}" if style < 0.4 else f"{first[:1]}{last}" if style < 0.7 else f"{first}{last[:1]}"
        if rng.random() < 0.6:
            local += str(_choice(rng, [p.date_of_birth.year % 100, _randint(rng, 1, 999)]))
        return f"{local or 'patient'}@{_choice(rng, t.EMAIL_DOMAINS)}"

    def _ssn(self, number: int) -> str:
        k = (number * _SSN_STEP + self._ssn_offset) % _SSN_SPACE
        k, serial = divmod(k, 9999)
        area_index, group = divmod(k, 99)
        return f"{_SSN_AREAS[area_index]:03d}{group + 1:02d}{serial + 1:04d}"


# -- helpers -------------------------------------------------------------------------------------
# random.choice and randint cost a microsecond each (randrange's rejection sampling); a float scaled to
# the range is exact enough for synthetic data and about four times faster, at a million people a minute saved.
def _choice(rng: random.Random, seq: Sequence[Any]) -> Any:
    return seq[int(rng.random() * len(seq))]


def _randint(rng: random.Random, low: int, high: int) -> int:
    return low + int(rng.random() * (high - low + 1))


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # February 29
        return d.replace(year=d.year - years, day=28)


def _years_after(d: date, years: int) -> date:
    return _years_before(d, -years)


def _instant(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, 15, 30, tzinfo=UTC)


def _digits(rng: random.Random, n: int) -> str:
    return f"{rng.randrange(10 ** n):0{n}d}"


def _mbi(rng: random.Random) -> str:
    """A Medicare Beneficiary Identifier in CMS's format, e.g. 1EG4TE5MK72."""
    c = rng.choice
    return (str(_randint(rng, 1, 9)) + c(_MBI_LETTERS) + c(_MBI_ALNUM) + c(_DIGITS) + c(_MBI_LETTERS)
            + c(_MBI_ALNUM) + c(_DIGITS) + c(_MBI_LETTERS) + c(_MBI_LETTERS) + c(_DIGITS) + c(_DIGITS))


def _member_id(rng: random.Random, payer: str) -> str:
    """Member IDs as the payer prints them on the card."""
    if payer == "medicare":
        return _mbi(rng)
    if payer == "medicaid":
        return "1" + _digits(rng, 11)
    if payer == "caresource":
        return "1" + _digits(rng, 10)
    if payer == "aetna":
        return "W" + _digits(rng, 9)
    if payer == "cigna":
        return "U" + _digits(rng, 8)
    if payer in ("humana", "humana_ma"):
        return "H" + _digits(rng, 8)
    if payer == "anthem":
        return _choice(rng, _ALPHA_PREFIXES) + _digits(rng, 9)
    if payer == "mmo":
        return _digits(rng, 9) + "00"
    if payer == "aarp":
        return _digits(rng, 9) + "-1"
    if payer == "omaha":
        return _digits(rng, 9)
    if payer == "tricare":
        return _digits(rng, 11)
    return _digits(rng, 9)  # uhc


def _group_number(rng: random.Random, payer: str) -> str:
    if payer == "aetna":
        return f"{_digits(rng, 7)}-010-{_digits(rng, 5)}"
    if payer == "cigna":
        return _digits(rng, 7)
    if payer == "anthem":
        return _digits(rng, 6) + _choice(rng, ["M1AB", "M2CD", "MAAE", "M4AC"])
    if payer == "mmo":
        return "G" + _digits(rng, 6)
    if payer == "humana":
        return _digits(rng, 6)
    return _digits(rng, 6)  # uhc
