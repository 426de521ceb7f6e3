"""The superbill's rows: a numbered diagnosis, a service line with its fields, and the code box that looks up as
it is typed. Each row shows what the server said about its fields on the line under it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Static

from client_tui import formatting
from client_tui.billing_values import milli_text, pointers_text
from client_tui.typed_values import UnreadableValue, cents_from_dollars, dollars_text
from shared.pms.encounters.v1 import encounters_pb2 as en
from shared.pms.pricing.v1 import pricing_pb2 as pr

# The words an error line uses for a line's field ("Ptr: pointer 5 is beyond...").
LINE_FIELD_WORDS = {
    "code": "Code",
    "modifiers": "Mods",
    "units": "Units",
    "dx_pointers": "Ptr",
    "fee_cents": "Fee",
    "ndc": "NDC",
    "ndc_quantity_milli": "Qty",
    "ndc_unit": "Unit",
    "note": "Note",
}
# Line field -> the input's class in a LineRow.
LINE_INPUTS = {
    "code": "line-code",
    "modifiers": "line-mods",
    "units": "line-units",
    "dx_pointers": "line-ptrs",
    "fee_cents": "line-fee",
    "ndc": "line-ndc",
    "ndc_quantity_milli": "line-qty",
    "ndc_unit": "line-unit",
    "note": "line-note",
}


class CodeLookup(Input):
    """A code box whose suggestions follow the typing; Up and Down move through them without leaving the box."""

    BINDINGS = [
        Binding("down", "suggestion(1)", "Next code", show=False),
        Binding("up", "suggestion(-1)", "Previous code", show=False),
    ]

    class Move(Message):
        def __init__(self, lookup: CodeLookup, step: int) -> None:
            super().__init__()
            self.lookup = lookup
            self.step = step

    def action_suggestion(self, step: int) -> None:
        self.post_message(self.Move(self, step))


def expected_text(cents: int | None) -> str:
    """The Expected column: dollars right-aligned, blank when nothing prices the line."""
    return formatting.dollars(cents).replace("$", "").rjust(10) if cents is not None else ""


def zero_or_blank(text: str) -> bool:
    try:
        return cents_from_dollars(text) == 0
    except UnreadableValue:
        return False


def small_input(value: str, classes: str, placeholder: str = "") -> Input:
    return Input(value, placeholder=placeholder, classes=classes, compact=True, select_on_focus=True)


def placeholders(entry: bool, *words: str) -> tuple[str, ...]:
    """The entry row says what each box takes; saved rows stay quiet."""
    return words if entry else tuple("" for _ in words)


class RowError(Static):
    """The line under a row for what the server said about it; hidden while empty."""

    DEFAULT_CSS = """
    RowError {
        display: none;
        color: $text-error;
        padding-left: 4;
    }
    RowError.-shown {
        display: block;
    }
    """

    def say(self, text: str) -> None:
        self.update(text)
        self.set_class(bool(text), "-shown")


class DxRow(Vertical):
    """One diagnosis: its number (the dx pointer), code and description. Focusable: Ctrl+Y removes it."""

    can_focus = True

    def __init__(self, diagnosis: en.Diagnosis) -> None:
        super().__init__(classes="dx-row")
        self.diagnosis = diagnosis
        self.position = 0

    def compose(self) -> ComposeResult:
        with Horizontal(classes="dx-main"):
            yield Static(f"{self.position:>2}" if self.position else "", classes="dx-number", markup=False)
            yield Static(self.diagnosis.display_code or self.diagnosis.code, classes="dx-code", markup=False)
            yield Static(self.diagnosis.description, classes="dx-description", markup=False)
        yield RowError(markup=False)

    def number(self, position: int) -> None:
        self.position = position
        for label in self.query(".dx-number").results(Static):
            label.update(f"{position:>2}")

    def set_error(self, text: str) -> None:
        self.query_one(RowError).say(text)
        self.set_class(bool(text), "-invalid")


class LineRow(Vertical):
    """One service line as the biller types it; the drug fields (NDC, quantity, unit) show only for a drug code,
    the note once the line has one or the biller opens it (Ctrl+N on the screen).

    The entry row (``entry=True``) is the same with a code box that looks up as it is typed.
    """

    def __init__(self, line: en.ServiceLine | None = None, drug: bool = False, entry: bool = False,
                 id: str | None = None) -> None:
        super().__init__(classes="line-row -entry" if entry else "line-row", id=id)
        self.line = line or en.ServiceLine()
        self.entry = entry
        self.drug = drug or bool(self.line.ndc)
        self.position = 0
        line = self.line
        # What the payer's contract is expected to allow for the line (None: nothing prices it), as stored or as
        # the last PriceLines answered; True while the fee box holds the fee schedule's fee (not typed).
        self.expected: int | None = line.expected_allowed_cents if line.has_expected_allowed else None
        self.fee_from_schedule = False
        # The entry row: True once its code is taken from the lookup (a code, not a fragment being typed).
        self.code_taken = False
        # The fields' text as first shown (and read while the row is not composed yet).
        self.initial = {
            "code": line.code,
            "modifiers": " ".join(line.modifiers),
            "units": str(line.units) if line.units and not entry else "",
            "dx_pointers": pointers_text(list(line.dx_pointers)),
            "fee_cents": dollars_text(line.fee_cents),
            "ndc": line.ndc,
            "ndc_quantity_milli": milli_text(line.ndc_quantity_milli),
            "ndc_unit": line.ndc_unit,
            "note": line.note,
        }

    def compose(self) -> ComposeResult:
        line = self.line
        with Horizontal(classes="line-main"):
            yield Static("+" if self.entry else f"{self.position:>2}" if self.position else "", classes="line-number",
                         markup=False)
            text = self.initial
            if self.entry:
                yield CodeLookup(text["code"], placeholder="code", classes="line-code", compact=True)
            else:
                yield small_input(text["code"], "line-code")
            yield Static(line.description, classes="line-description", markup=False)
            mods, units, ptrs, fee = placeholders(self.entry, "mods", "1", "12", "0.00")
            yield small_input(text["modifiers"], "line-mods", mods)
            yield small_input(text["units"], "line-units", units)
            yield small_input(text["dx_pointers"], "line-ptrs", ptrs)
            yield small_input(text["fee_cents"], "line-fee", fee)
            yield Static(expected_text(self.expected), classes="line-expected", markup=False)
        with Horizontal(classes="line-drug"):
            yield Static("NDC", classes="line-drug-label", markup=False)
            yield small_input(text["ndc"], "line-ndc", "label NDC")
            yield Static("Qty", classes="line-drug-label", markup=False)
            yield small_input(text["ndc_quantity_milli"], "line-qty", "2.5")
            yield Static("Unit", classes="line-drug-label", markup=False)
            yield small_input(text["ndc_unit"], "line-unit", "ML")
            yield Static("UN ML GR F2 ME", classes="line-drug-hint", markup=False)
        with Horizontal(classes="line-note-row"):
            yield Static("Note", classes="line-drug-label", markup=False)
            yield small_input(text["note"], "line-note", "for the claim line")
        yield RowError(markup=False)

    def on_mount(self) -> None:
        self.show_drug(self.drug)
        self.show_note(bool(self.initial["note"]))

    def show_drug(self, drug: bool) -> None:
        self.drug = drug
        self.set_class(drug, "-drug")

    def show_note(self, shown: bool) -> None:
        self.set_class(shown, "-note")

    def number(self, position: int) -> None:
        self.position = position
        for label in self.query(".line-number").results(Static):
            label.update(f"{position:>2}")

    def field(self, name: str) -> Input:
        return self.query_one(f".{LINE_INPUTS[name]}", Input)

    def value(self, name: str) -> str:
        for field in self.query(f".{LINE_INPUTS[name]}").results(Input):
            return field.value
        return self.initial[name]

    def show_expected(self, cents: int | None) -> None:
        self.expected = cents
        for label in self.query(".line-expected").results(Static):
            label.update(expected_text(cents))

    def take_price(self, price: pr.LinePrice) -> bool:
        """A PriceLines answer for the row: the expected amount, and the schedule's fee in a fee box left blank
        (or holding the schedule's fee for other units). True when the fee box changed."""
        self.show_expected(price.expected_allowed_cents if price.has_expected_allowed else None)
        fee = self.field("fee_cents")
        if not self.fee_from_schedule and not zero_or_blank(fee.value):
            return False  # the biller's own fee stays
        wanted = dollars_text(price.fee_cents) if price.has_fee else ""
        self.fee_from_schedule = price.has_fee
        if fee.value == wanted:
            return False
        with fee.prevent(Input.Changed):
            fee.value = wanted
        if fee.has_focus:
            fee.select_all()  # as on arriving in the box: what the biller types replaces the schedule's fee
        return True

    def describe(self, description: str) -> None:
        self.query_one(".line-description", Static).update(description)

    def inputs(self) -> list[Input]:
        """In the order Enter visits them; the drug fields only for a drug code, the note once it shows."""
        names = ["code", "modifiers", "units", "dx_pointers", "fee_cents"]
        if self.drug:
            names += ["ndc", "ndc_quantity_milli", "ndc_unit"]
        if self.has_class("-note"):
            names.append("note")
        return [self.field(n) for n in names]

    def set_errors(self, errors: dict[str, str]) -> None:
        """``errors``: line field ("" for the line as a whole) -> the server's words."""
        for name in LINE_INPUTS:
            self.field(name).set_class(name in errors, "-invalid")
        if any(n in errors for n in ("ndc", "ndc_quantity_milli", "ndc_unit")):
            self.show_drug(True)  # the server asks for the drug fields: show them
        if "note" in errors:
            self.show_note(True)
        words = [
            f"{LINE_FIELD_WORDS.get(name, name)}: {text}" if name else text for name, text in errors.items()
        ]
        self.query_one(RowError).say(" · ".join(words))
        self.set_class(bool(errors), "-invalid")

    def clear(self) -> None:
        for field in self.query(Input):
            field.value = ""
        self.describe("")
        self.show_expected(None)
        self.fee_from_schedule = False
        self.code_taken = False
        self.show_drug(False)
        self.show_note(False)
        self.set_errors({})
