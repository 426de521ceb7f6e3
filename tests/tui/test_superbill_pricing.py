"""The superbill's prices against the fake gateway, keys only: the schedule's fee in a fee box left blank, each
line's expected amount under the payer's contract, the totals and who prices them, as the server would say."""

from __future__ import annotations

from textual.widgets import Static

from client_tui.app import PmsApp
from client_tui.widgets.superbill_rows import LineRow

from .fake_gateway import FakeGateway
from .helpers import text_of, wait_for
from .test_billing import SIZE, open_first_encounter


def expected(row: LineRow) -> str:
    return text_of(row.query_one(".line-expected", Static)).strip()


async def test_a_coded_line_gets_the_schedule_fee_and_the_contracts_expected_amount(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first_encounter(pilot, fake)
        first = screen.lines()[0]
        # As stored: 99214 for Maria Johnson, whose primary payer (Aetna) has a contract.
        assert expected(first) == "126.00"
        await wait_for(pilot, lambda: text_of(screen.query_one("#sb-payer", Static)) == "Aetna · 2026 commercial")
        assert "1 line · total $180.00 · expected $126.00" in text_of(screen.query_one("#sb-total", Static))

        # A code from the lookup: the fee box fills with the schedule's fee while the biller types on.
        await pilot.press("enter", *"96372", "enter")
        entry = screen.query_one("#line-entry", LineRow)
        await wait_for(pilot, lambda: entry.field("fee_cents").value == "40.00")
        assert expected(entry) == "25.00"
        assert screen.focused is entry.field("modifiers")
        # Two units: the fee and the expected amount follow (the fee was the schedule's, not typed).
        await pilot.press("enter", "2")
        await wait_for(pilot, lambda: entry.field("fee_cents").value == "80.00")
        assert expected(entry) == "50.00"
        await pilot.press("enter", "1", "enter", "enter")  # pointer; Enter through the fee adds the line
        await wait_for(pilot, lambda: len(screen.lines()) == 2)
        assert "2 lines · total $260.00 · expected $176.00" in text_of(screen.query_one("#sb-total", Static))
        sent = fake.requests["price_lines"][-1]
        assert sent[0] == 1 and [(li.code, li.units) for li in sent[2]] == [("99214", 1), ("96372", 2)]

        # A fee the biller types is theirs: a new price leaves it alone.
        second = screen.lines()[1]
        second.field("fee_cents").focus()
        await pilot.press(*"75")
        second.field("units").focus()
        await pilot.press("backspace", "3")
        await wait_for(pilot, lambda: expected(second) == "75.00")
        assert second.field("fee_cents").value == "75"

        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Saved" in text_of(screen.query_one("#sb-message", Static)))
        saved = fake.requests["update_encounter"][-1][0]
        assert [(li.code, li.units, li.fee_cents) for li in saved.lines] == [("99214", 1, 18_000),
                                                                             ("96372", 3, 7_500)]
        # After the save, what the server stored, the rows numbered from 1 again.
        assert [expected(row) for row in screen.lines()] == ["126.00", "75.00"]
        await pilot.pause()
        assert [text_of(row.query_one(".line-number", Static)).strip() for row in screen.lines()] == ["1", "2"]
        assert [text_of(row.query_one(".dx-number", Static)).strip() for row in screen.dx_rows()] == ["1", "2"]


async def test_a_payer_without_a_contract_and_a_code_without_a_fee_are_said_so(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first_encounter(pilot, fake)
        fake.contracts.clear()
        await pilot.press("enter", *"G0008", "enter")
        entry = screen.query_one("#line-entry", LineRow)
        await wait_for(pilot, lambda: entry.field("fee_cents").value == "35.00")
        await wait_for(pilot, lambda: text_of(screen.query_one("#sb-payer", Static)) == "Aetna · no contract")
        assert expected(entry) == ""
        # A code typed over with another that has no fee: the schedule's fee goes, nothing is made up.
        screen.lines()[0].field("code").focus()
        await pilot.press("ctrl+u", *"99211")
        await wait_for(pilot, lambda: expected(screen.lines()[0]) == "")
        assert screen.lines()[0].field("fee_cents").value == "180.00"  # the saved fee stays
        assert "expected" not in text_of(screen.query_one("#sb-total", Static))


async def test_pricing_never_runs_on_a_read_only_encounter(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first_encounter(pilot, fake)
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: "Ready to bill" in text_of(screen.query_one("#sb-message", Static)))
        calls = len(fake.requests.get("price_lines", []))
        await pilot.pause(0.6)
        assert len(fake.requests.get("price_lines", [])) == calls
        assert text_of(screen.query_one("#sb-payer", Static)) == "expected: as stored"
