"""The fake gateway's deposits and day sheets (mixed into ``FakeGateway`` after ``FakePayments``).

Seeded, coherent with the payments fake: waiting for the bank are three patient payments (Thanh's $40.00 cash and
Jonathan's $35.00 card today, Maria's $20.00 check 1187 yesterday) and the posted Aetna ERA ($80.00), $175.00 in all;
a payment taken at the window (``post_patient_payment``) and an ERA posted (``post_remittance``) join them, a
reversed payment leaves. Deposit 1 (10/31, $105.00) is the only earlier one. The day sheet of a day is the sum of
its users' figures; 11/02 is closed (by mary), 11/03 (today) is open. A deposit adds to today's deposits figure.

Checks only what the screens must show: nothing chosen, an item deposited twice, a day closed twice or in the
future. The real rules are the server's (server/deposits/) and tested there (tests/api/).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from client_tui.gateway import FieldViolation, GatewayError, InvalidInput, NotFound, RuleBroken
from shared import dates
from shared.pms.auth.v1 import auth_pb2
from shared.pms.deposits.v1 import deposits_pb2 as dp
from shared.pms.payments.v1 import payments_pb2 as pm
from shared.pms.remittances.v1 import remittances_pb2 as rm

from .fake_payments import NOW, TODAY, stamp

YESTERDAY = date(2026, 11, 2)
TOTAL_FIELDS = [f.name for f in dp.DayTotals.DESCRIPTOR.fields]


class FakeDeposits:
    """Needs ``_money_call``, ``session``, ``remittances`` from the classes it is mixed with."""

    session: auth_pb2.Session | None
    remittances: dict[int, rm.Remittance]
    requests: dict[str, list[Any]]
    fail_on: dict[str, GatewayError]
    _money_call: Callable[..., None]

    def _seed_deposits(self) -> None:
        self.undeposited_payments: dict[int, dp.UndepositedPayment] = {}
        for payment_id, patient_id, method, cents, check, card, received in (
            (401, 5, pm.PAYMENT_METHOD_CASH, 4_000, "", "", TODAY),
            (402, 3, pm.PAYMENT_METHOD_CARD, 3_500, "", "AUTH88213", TODAY),
            (403, 1, pm.PAYMENT_METHOD_CHECK, 2_000, "1187", "", YESTERDAY),
        ):
            self.undeposited_payments[payment_id] = dp.UndepositedPayment(
                payment_id=payment_id, patient_id=patient_id, method=method, amount_cents=cents, check_number=check,
                card_reference=card, received_on=dates.to_pb(received))
        # ERA ids waiting (posted, not deposited), with what their posting put into undeposited funds.
        self.undeposited_eras: dict[int, int] = {1: 8_000}
        self.deposits: dict[int, dp.Deposit] = {1: dp.Deposit(
            deposit_id=1, deposit_date=dates.to_pb(date(2026, 10, 31)), bank_reference="SLIP-1031",
            total_cents=10_500, cash_cents=6_000, check_cents=4_500, item_count=3, created_by="bill",
            created_at=stamp(datetime(2026, 10, 31, 17, tzinfo=UTC)))}
        self.next_deposit = itertools.count(2)
        self.deposit_keys: dict[str, dp.Deposit] = {}
        # Each day's figures by user; a day's totals are their sum.
        self.day_figures: dict[date, dict[str, dict[str, int]]] = {
            YESTERDAY: {
                "bill": {"charges_cents": 36_000, "contractual_cents": 2_500, "write_offs_cents": 1_000,
                         "entry_count": 5},
                "fran": {"cash_cents": 1_500, "check_cents": 2_000, "entry_count": 2},
            },
            TODAY: {
                "bill": {"charges_cents": 48_500, "charge_reversals_cents": 2_500, "refunds_cents": 500,
                         "entry_count": 4},
                "fran": {"cash_cents": 4_000, "card_cents": 3_500, "entry_count": 2},
            },
        }
        self.closed_days: dict[date, dp.DaySheet] = {}
        self.closed_days[YESTERDAY] = self._sheet(YESTERDAY)
        self.closed_days[YESTERDAY].closed = True
        self.closed_days[YESTERDAY].closed_at.CopyFrom(stamp(datetime(2026, 11, 2, 18, 5, tzinfo=UTC)))
        self.closed_days[YESTERDAY].closed_by = "mary"
        self.close_keys: dict[str, dp.DaySheet] = {}

    def _add_figure(self, day: date, user: str, name: str, cents: int) -> None:
        figures = self.day_figures.setdefault(day, {}).setdefault(user, {})
        figures[name] = figures.get(name, 0) + cents
        figures["entry_count"] = figures.get("entry_count", 0) + 1

    def _sheet(self, day: date) -> dp.DaySheet:
        if day in self.closed_days:
            return self.closed_days[day]
        sheet = dp.DaySheet(business_date=dates.to_pb(day))
        for user, figures in sorted(self.day_figures.get(day, {}).items()):
            sheet.by_user.append(dp.UserTotals(user=user, totals=dp.DayTotals(**figures)))
            for name in TOTAL_FIELDS:
                setattr(sheet.totals, name, getattr(sheet.totals, name) + figures.get(name, 0))
        return sheet

    # Called by the payments fake so what is taken or posted waits for the bank.
    def _payment_taken(self, payment: pm.PatientPayment) -> None:
        self.undeposited_payments[payment.payment_id] = dp.UndepositedPayment(
            payment_id=payment.payment_id, patient_id=payment.patient_id, method=payment.method,
            amount_cents=payment.amount_cents, check_number=payment.check_number,
            card_reference=payment.card_reference, received_on=payment.received_on)
        word = {pm.PAYMENT_METHOD_CASH: "cash_cents", pm.PAYMENT_METHOD_CHECK: "check_cents",
                pm.PAYMENT_METHOD_CARD: "card_cents"}.get(payment.method)
        if word:
            self._add_figure(TODAY, payment.posted_by, word, payment.amount_cents)

    def _payment_reversed(self, payment_id: int) -> None:
        self.undeposited_payments.pop(payment_id, None)

    def _era_posted(self, era: rm.Remittance) -> None:
        self.undeposited_eras[era.remittance_id] = era.paid_cents
        self._add_figure(TODAY, era.posted_by, "insurance_payments_cents", era.paid_cents)

    # -- the calls ------------------------------------------------------------------------
    async def list_undeposited(self) -> dp.ListUndepositedResponse:
        self._money_call("list_undeposited", "deposits.manage")
        payments = sorted(self.undeposited_payments.values(), key=lambda p: (dates.from_pb(p.received_on),
                                                                             p.payment_id))
        eras = [dp.UndepositedRemittance(remittance_id=rid, payer_name=self.remittances[rid].payer_name,
                                         trace_number=self.remittances[rid].trace_number,
                                         payment_date=self.remittances[rid].payment_date,
                                         payment_cents=self.remittances[rid].payment_cents, amount_cents=cents)
                for rid, cents in sorted(self.undeposited_eras.items())]
        by = {m: sum(p.amount_cents for p in payments if p.method == m) for m in pm.PaymentMethod.values()}
        remitted = sum(r.amount_cents for r in eras)
        return dp.ListUndepositedResponse(
            payments=payments, remittances=eras, cash_cents=by[pm.PAYMENT_METHOD_CASH],
            check_cents=by[pm.PAYMENT_METHOD_CHECK], card_cents=by[pm.PAYMENT_METHOD_CARD],
            remittance_cents=remitted, total_cents=sum(by.values()) + remitted)

    async def create_deposit(
        self, payment_ids: Sequence[int], remittance_ids: Sequence[int], deposit_date: date | None = None,
        bank_reference: str = "", note: str = "", idempotency_key: str = "",
    ) -> dp.Deposit:
        self._money_call("create_deposit", "deposits.manage", list(payment_ids), list(remittance_ids),
                         deposit_date, bank_reference, note, idempotency_key)
        if idempotency_key and idempotency_key in self.deposit_keys:
            return self.deposit_keys[idempotency_key]
        day = deposit_date or TODAY
        if day > TODAY:
            raise InvalidInput([FieldViolation("deposit_date", "cannot be in the future")])
        for pid in payment_ids:
            if pid not in self.undeposited_payments:
                raise RuleBroken(f"Payment {pid} is already in a deposit.", "ALREADY_DEPOSITED")
        for rid in remittance_ids:
            if rid not in self.undeposited_eras:
                raise RuleBroken(f"ERA {rid} is already in a deposit.", "ALREADY_DEPOSITED")
        if not payment_ids and not remittance_ids:
            raise RuleBroken("These items add up to nothing to deposit.", "NOTHING_TO_DEPOSIT")
        payments = [self.undeposited_payments.pop(pid) for pid in payment_ids]
        eras = [(rid, self.undeposited_eras.pop(rid)) for rid in remittance_ids]
        deposit = dp.Deposit(deposit_id=next(self.next_deposit), deposit_date=dates.to_pb(day),
                             bank_reference=bank_reference, note=note, item_count=len(payments) + len(eras),
                             created_by=self.session.username if self.session else "", created_at=stamp(NOW))
        for p in payments:
            deposit.items.append(dp.DepositItem(kind=dp.DEPOSIT_ITEM_KIND_PATIENT_PAYMENT, item_id=p.payment_id,
                                                amount_cents=p.amount_cents, method=p.method,
                                                reference=p.check_number or p.card_reference))
        for rid, cents in eras:
            deposit.items.append(dp.DepositItem(kind=dp.DEPOSIT_ITEM_KIND_REMITTANCE, item_id=rid, amount_cents=cents,
                                                reference=self.remittances[rid].trace_number,
                                                payer_name=self.remittances[rid].payer_name))
        deposit.cash_cents = sum(p.amount_cents for p in payments if p.method == pm.PAYMENT_METHOD_CASH)
        deposit.check_cents = sum(p.amount_cents for p in payments if p.method == pm.PAYMENT_METHOD_CHECK)
        deposit.card_cents = sum(p.amount_cents for p in payments if p.method == pm.PAYMENT_METHOD_CARD)
        deposit.remittance_cents = sum(cents for _rid, cents in eras)
        deposit.total_cents = deposit.cash_cents + deposit.check_cents + deposit.card_cents + deposit.remittance_cents
        self.deposits[deposit.deposit_id] = deposit
        self._add_figure(day, deposit.created_by, "deposits_cents", deposit.total_cents)
        if idempotency_key:
            self.deposit_keys[idempotency_key] = deposit
        return deposit

    async def list_deposits(self, limit: int = 0) -> list[dp.Deposit]:
        self._money_call("list_deposits", "deposits.manage", limit)
        newest = sorted(self.deposits.values(), key=lambda d: -d.deposit_id)[: limit or 100]
        out = []
        for deposit in newest:
            bare = dp.Deposit()
            bare.CopyFrom(deposit)
            bare.ClearField("items")
            out.append(bare)
        return out

    async def get_deposit(self, deposit_id: int) -> dp.Deposit:
        self._money_call("get_deposit", "deposits.manage", deposit_id)
        if deposit_id not in self.deposits:
            raise NotFound("No such deposit.")
        return self.deposits[deposit_id]

    async def get_day_sheet(self, business_date: date | None = None) -> dp.DaySheet:
        self._money_call("get_day_sheet", "reports.day_sheet", business_date)
        return self._sheet(business_date or TODAY)

    async def close_day(self, business_date: date, idempotency_key: str = "") -> dp.DaySheet:
        self._money_call("close_day", "deposits.manage", business_date, idempotency_key)
        if idempotency_key and idempotency_key in self.close_keys:
            return self.close_keys[idempotency_key]
        if business_date > TODAY:
            raise RuleBroken("A day in the future cannot be closed.", "DAY_IN_FUTURE")
        if business_date in self.closed_days:
            raise RuleBroken("This day is already closed.", "DAY_ALREADY_CLOSED")
        sheet = self._sheet(business_date)
        sheet.closed = True
        sheet.closed_at.CopyFrom(stamp(NOW))
        sheet.closed_by = self.session.username if self.session else ""
        self.closed_days[business_date] = sheet
        if idempotency_key:
            self.close_keys[idempotency_key] = sheet
        return sheet
