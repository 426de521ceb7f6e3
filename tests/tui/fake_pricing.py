"""The fake gateway's pricing (mixed into ``FakeGateway``): a small fee schedule, two payer contracts and
PriceLines over them.

It prices like the server in shape (the fee in effect on the date of service for a code with the first of its
modifiers that has a row, else the code's own; the primary policy's payer's contract in force on that date; fee and
rate times the units) and checks only what the Fees screens must show: a code no release lists, a contract's
version gone stale. The real rules are the server's (server/pricing/) and tested there (tests/api/test_pricing.py).

Switches a test flips: ``fail_on["set_fees"] = ...``; ``someone_else_edits_contract(contract_id)``;
``requests["price_lines"]`` holds what was sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from client_tui.gateway import FieldViolation, GatewayError, InvalidInput, NotFound, RuleBroken, StaleRecord
from shared import dates
from shared.pms.insurance.v1 import insurance_pb2
from shared.pms.payers.v1 import payers_pb2
from shared.pms.pricing.v1 import pricing_pb2 as pr

# (code, modifier, from, cents)
FEES: list[tuple[str, str, date, int]] = [
    ("99213", "", date(2026, 1, 1), 12_500),
    ("99214", "", date(2026, 1, 1), 18_000),
    ("99214", "25", date(2026, 1, 1), 18_500),
    ("96372", "", date(2026, 1, 1), 4_000),
    ("G0008", "", date(2026, 1, 1), 3_500),
    ("J1100", "", date(2026, 1, 1), 150),
    ("99213", "", date(2027, 1, 1), 13_000),
]
# Codes a release lists, for SetFees and contract rates (the fake's code set has a few more).
KNOWN_CODES = {"99202", "99203", "99211", "99212", "99213", "99214", "99215", "96372", "J1100", "G0008", "36415"}
AETNA, CIGNA = 1, 5


def copy(message: Any) -> Any:
    out = type(message)()
    out.CopyFrom(message)
    return out


def in_force(start: date | None, end: date | None, day: date) -> bool:
    return start is not None and start <= day and (end is None or day <= end)


class FakePricing:
    """Needs ``_enter``, ``requests``, ``fail_on``, ``payers`` and ``policies`` from the classes it is mixed with."""

    requests: dict[str, list[Any]]
    fail_on: dict[str, GatewayError]
    payers: dict[int, payers_pb2.Payer]
    policies: dict[int, insurance_pb2.Policy]

    def _enter(self, method: str, permission: str = "", needs_session: bool = True) -> None:
        raise NotImplementedError

    def _seed_pricing(self) -> None:
        self.fees: dict[tuple[str, str, date], int] = {(c, m, d): cents for c, m, d, cents in FEES}
        self.contracts: dict[int, pr.Contract] = {}
        self._keep_contract(pr.Contract(
            payer_id=AETNA, name="2026 commercial", effective_from=dates.to_pb(date(2026, 1, 1)),
            rates=[pr.ContractRate(code="99213", allowed_cents=8_800),
                   pr.ContractRate(code="99214", allowed_cents=12_600),
                   pr.ContractRate(code="96372", allowed_cents=2_500)]), 1)
        self._keep_contract(pr.Contract(
            payer_id=CIGNA, name="2025 open access", effective_from=dates.to_pb(date(2025, 1, 1)),
            effective_to=dates.to_pb(date(2025, 12, 31)), medicare_percent=11_500, medicare_contractor="15202",
            medicare_locality="00"), 2)

    # -- helpers ------------------------------------------------------------------------
    def _pricing_call(self, method: str, permission: str, *arguments: Any) -> None:
        self.requests.setdefault(method, []).append(arguments)
        self._enter(method, permission)
        if method in self.fail_on:
            raise self.fail_on.pop(method)

    def _keep_contract(self, contract: pr.Contract, contract_id: int, version: int = 1) -> pr.Contract:
        kept = copy(contract)
        kept.contract_id, kept.version = contract_id, version
        payer = self.payers.get(kept.payer_id)
        kept.payer_name = payer.name if payer is not None else ""
        self.contracts[contract_id] = kept
        return copy(kept)

    def _fee_on(self, code: str, modifier: str, day: date) -> int | None:
        found = [(d, cents) for (c, m, d), cents in self.fees.items() if c == code and m == modifier and d <= day]
        return max(found)[1] if found else None

    @staticmethod
    def _match(code: str, modifiers: Sequence[str], table: dict[tuple[str, str], int]) -> int | None:
        for modifier in modifiers:
            if (code, modifier) in table:
                return table[(code, modifier)]
        return table.get((code, ""))

    def _check_contract(self, contract: pr.Contract) -> None:
        problems: list[FieldViolation] = []
        if contract.payer_id not in self.payers:
            problems.append(FieldViolation("payer_id", "choose the payer the contract is with"))
        if not contract.name.strip():
            problems.append(FieldViolation("name", "is required (e.g. \"2026 commercial fee schedule\")"))
        if not dates.is_set(contract.effective_from):
            problems.append(FieldViolation("effective_from", "is required"))
        if not contract.medicare_percent and not contract.rates:
            problems.append(FieldViolation("rates", "a contract needs rates, a percentage of Medicare, or both"))
        for i, rate in enumerate(contract.rates):
            if rate.code.upper() not in KNOWN_CODES:
                problems.append(FieldViolation(f"rates[{i}].code",
                                               f"{rate.code} is in no CPT or HCPCS release loaded on this server"))
        if problems:
            raise InvalidInput(problems)
        start = dates.from_pb(contract.effective_from)
        end = dates.from_pb(contract.effective_to) if dates.is_set(contract.effective_to) else None
        for other in self.contracts.values():
            if other.payer_id != contract.payer_id or other.contract_id == contract.contract_id:
                continue
            o_start = dates.from_pb(other.effective_from)
            o_end = dates.from_pb(other.effective_to) if dates.is_set(other.effective_to) else None
            assert start is not None and o_start is not None
            if (o_end is None or start <= o_end) and (end is None or o_start <= end):
                raise RuleBroken(f"This payer already has a contract on those dates: \"{other.name}\".",
                                 "CONTRACT_OVERLAP")

    def someone_else_edits_contract(self, contract_id: int) -> None:
        stored = self.contracts[contract_id]
        stored.name += " (amended)"
        stored.version += 1

    # -- the gateway's methods ----------------------------------------------------------
    async def list_fees(self, code_prefix: str = "", on_date: date | None = None, limit: int = 0) -> list[pr.Fee]:
        self._pricing_call("list_fees", "fees.read", code_prefix, on_date)
        day = on_date or date(2026, 11, 3)
        prefix = code_prefix.strip().upper()
        out: list[pr.Fee] = []
        for code, modifier in sorted({(c, m) for c, m, _ in self.fees if c.startswith(prefix)}):
            found = [(d, cents) for (c, m, d), cents in self.fees.items() if (c, m) == (code, modifier) and d <= day]
            if found:
                since, cents = max(found)
                out.append(pr.Fee(code=code, modifier=modifier, fee_cents=cents, effective_from=dates.to_pb(since)))
        return out[: limit or 200]

    async def set_fees(self, effective_from: date, fees: Sequence[pr.Fee]) -> int:
        self._pricing_call("set_fees", "fees.manage", effective_from, [copy(f) for f in fees])
        problems = [FieldViolation(f"fees[{i}].code", f"{f.code} is in no CPT or HCPCS release loaded on this server")
                    for i, f in enumerate(fees) if f.code.upper() not in KNOWN_CODES]
        if problems:
            raise InvalidInput(problems)
        for fee in fees:
            self.fees[(fee.code.upper(), fee.modifier.upper(), effective_from)] = fee.fee_cents
        return len(fees)

    async def list_contracts(self, payer_id: int = 0) -> list[pr.ContractSummary]:
        self._pricing_call("list_contracts", "fees.read", payer_id)
        return [pr.ContractSummary(contract_id=c.contract_id, payer_id=c.payer_id, payer_name=c.payer_name,
                                   name=c.name, effective_from=c.effective_from, effective_to=c.effective_to,
                                   medicare_percent=c.medicare_percent, rate_count=len(c.rates))
                for c in sorted(self.contracts.values(), key=lambda c: (c.payer_name, c.contract_id))
                if not payer_id or c.payer_id == payer_id]

    async def get_contract(self, contract_id: int) -> pr.Contract:
        self._pricing_call("get_contract", "fees.read", contract_id)
        if contract_id not in self.contracts:
            raise NotFound("No such contract.")
        return copy(self.contracts[contract_id])

    async def create_contract(self, contract: pr.Contract) -> pr.Contract:
        self._pricing_call("create_contract", "fees.manage", copy(contract))
        self._check_contract(contract)
        return self._keep_contract(contract, max(self.contracts, default=0) + 1)

    async def update_contract(self, contract: pr.Contract) -> pr.Contract:
        self._pricing_call("update_contract", "fees.manage", copy(contract))
        stored = self.contracts.get(contract.contract_id)
        if stored is None:
            raise NotFound("No such contract.")
        if stored.version != contract.version:
            raise StaleRecord("Someone else changed this contract; reload and try again.")
        self._check_contract(contract)
        return self._keep_contract(contract, contract.contract_id, stored.version + 1)

    async def get_medicare_fee(
        self, code: str, modifier: str, medicare_contractor: str, medicare_locality: str,
        date_of_service: date | None = None,
    ) -> pr.GetMedicareFeeResponse:
        self._pricing_call("get_medicare_fee", "fees.read", code, modifier)
        raise NotFound("No Medicare fee schedule is loaded.")

    async def price_lines(
        self, patient_id: int, date_of_service: date | None, lines: Sequence[pr.LineToPrice],
        location_id: int = 0, place_of_service: str = "",
    ) -> pr.PriceLinesResponse:
        self._pricing_call("price_lines", "encounters.write", patient_id, date_of_service,
                           [copy(li) for li in lines], location_id, place_of_service)
        if date_of_service is None:
            raise InvalidInput([FieldViolation("date_of_service", "is required: fees and contracts depend on it")])
        return self._price(patient_id, date_of_service, lines)

    def price_saved(self, encounter: Any) -> None:
        """What a save does to the lines: a fee left at 0 is the schedule's; the expectation is stored."""
        day = dates.from_pb(encounter.date_of_service)
        if day is None:
            return
        priced = self._price(encounter.patient_id, day, [
            pr.LineToPrice(code=li.code, modifiers=li.modifiers, units=li.units) for li in encounter.lines])
        for line, price in zip(encounter.lines, priced.lines, strict=True):
            if not line.fee_cents and price.has_fee:
                line.fee_cents = price.fee_cents
            line.has_expected_allowed = price.has_expected_allowed
            line.expected_allowed_cents = price.expected_allowed_cents

    def _price(self, patient_id: int, day: date, lines: Sequence[pr.LineToPrice]) -> pr.PriceLinesResponse:
        answer = pr.PriceLinesResponse()
        policy = next((p for p in sorted(self.policies.values(), key=lambda p: p.priority)
                       if p.patient_id == patient_id and p.priority >= 1
                       and in_force(dates.from_pb(p.effective_date), dates.from_pb(p.termination_date)
                                    if dates.is_set(p.termination_date) else None, day)), None)
        contract = None
        if policy is not None:
            answer.payer_name = self.payers[policy.payer_id].name
            contract = next((c for c in self.contracts.values() if c.payer_id == policy.payer_id and in_force(
                dates.from_pb(c.effective_from),
                dates.from_pb(c.effective_to) if dates.is_set(c.effective_to) else None, day)), None)
        if contract is not None:
            answer.contract_name = contract.name
        rates = {(r.code, r.modifier): r.allowed_cents for r in contract.rates} if contract is not None else {}
        for line in lines:
            code, modifiers = line.code.upper(), [m.upper() for m in line.modifiers]
            table = {(c, m): cents for c, m, _ in self.fees
                     if c == code and (cents := self._fee_on(c, m, day)) is not None}
            fee = self._match(code, modifiers, table)
            allowed = self._match(code, modifiers, rates)
            units = line.units if line.units > 0 else 0
            answer.lines.append(pr.LinePrice(
                has_fee=fee is not None and units > 0, fee_cents=(fee or 0) * units,
                has_expected_allowed=allowed is not None and units > 0, expected_allowed_cents=(allowed or 0) * units))
        return answer
