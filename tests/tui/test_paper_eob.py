"""A paper check and its EOB keyed in (N on the ERAs), typed with keys, against the fake gateway."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from client_tui.app import PmsApp
from client_tui.gateway import ServerUnavailable
from client_tui.screens.paper_eob_screen import KeyedLine, PaperEobScreen, adjustments_from_text, where
from client_tui.screens.remittances_screen import RemittancesScreen
from client_tui.typed_values import UnreadableValue

from .fake_gateway import FakeGateway
from .helpers import text_of, wait_for
from .test_remittances import SIZE, eras_shown, rows


async def paper_form(pilot: Pilot[None], fake: FakeGateway) -> tuple[RemittancesScreen, PaperEobScreen]:
    eras = await eras_shown(pilot, fake)
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, PaperEobScreen))
    form = pilot.app.screen
    assert isinstance(form, PaperEobScreen)
    await pilot.press(*"Aet")
    await wait_for(pilot, lambda: form.query_one("#paper-payer-picker").has_class("-listing"))
    await pilot.press("enter")
    await wait_for(pilot, lambda: form.query_one("#paper-payer", Input).value == "Aetna (60054)")
    await wait_for(pilot, lambda: form.query_one("#paper-check-number", Input).has_focus)  # on to the check
    form.query_one("#paper-check-number", Input).value = "CHK5531"
    form.query_one("#paper-check-date", Input).value = "11/01/2026"
    form.query_one("#paper-amount", Input).value = "230.00"
    return eras, form


async def add_line(pilot: Pilot[None], form: PaperEobScreen, claim: str, line: str, paid: str, adj: str) -> None:
    form.query_one("#paper-claim", Input).value = claim
    form.query_one("#paper-line", Input).focus()
    await pilot.press(*line, "enter", *paid, "enter", *adj, "enter")
    await pilot.pause()


def message(form: PaperEobScreen) -> str:
    return text_of(form.query_one("#paper-message", Static))


async def test_key_in_a_check_fix_a_line_and_post_it(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        eras, form = await paper_form(pilot, fake)
        assert form.check_action("post", ()) is None  # no line yet
        await add_line(pilot, form, "4", "1", "100.00", "CO-45 5.00, PR-2 20.00")
        await add_line(pilot, form, "8", "1", "130.00", "")
        table = form.query_one("#paper-lines", DataTable)
        assert rows(table) == [["1", "4", "1", "$100.00", "CO-45 $5.00, PR-2 $20.00"],
                               ["2", "8", "1", "$130.00", ""]]
        assert text_of(form.query_one("#paper-totals", Static)) == (
            "2 lines · paid $230.00 · check $230.00 · adds up")

        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Nothing posted" in message(form))
        assert message(form) == ("Nothing posted. Line 2 (claim 8, line 1) paid cents: paid plus adjustments make "
                                 "13000 cents; the line's charge is 12500.")
        assert pilot.app.screen is form

        table.focus()
        table.move_cursor(row=1)
        await pilot.press("delete")
        assert table.row_count == 1
        await add_line(pilot, form, "4", "2", "90.00", "")
        assert "$40.00 not keyed yet" in text_of(form.query_one("#paper-totals", Static))
        form.query_one("#paper-amount", Input).value = "190.00"
        await pilot.pause()
        assert text_of(form.query_one("#paper-totals", Static)).endswith("adds up")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen is eras and "Posted check" in text_of(
            eras.query_one("#eras-message", Static)))
        assert text_of(eras.query_one("#eras-message", Static)) == (
            "Posted check CHK5531 from Aetna ($190.00): 1 claim payment; paid $190.00, contractual $5.00, to "
            "patients $20.00.")
        request = fake.requests["post_paper_remittance"][-1][0]
        assert request.payer_id == 1 and request.payment_cents == 19_000 and request.idempotency_key
        assert [(s.line_number, s.paid_cents) for s in request.claims[0].services] == [(1, 10_000), (2, 9_000)]
        await wait_for(pilot, lambda: rows(eras.query_one("#eras-table", DataTable))[0][1] == "CHK5531")


async def test_a_check_sent_again_after_a_lost_answer_keeps_its_key(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        eras, form = await paper_form(pilot, fake)
        form.query_one("#paper-amount", Input).value = "100.00"
        await add_line(pilot, form, "4", "1", "100.00", "CO-45 5.00, PR-2 20.00")
        fake.fail_on["post_paper_remittance"] = ServerUnavailable("The server cannot be reached.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "cannot be reached" in message(form))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen is eras)
        keys = [call[0].idempotency_key for call in fake.requests["post_paper_remittance"]]
        assert len(keys) == 2 and keys[0] == keys[1]


async def test_a_line_that_cannot_be_read_is_said_and_not_added(fake: FakeGateway) -> None:
    async with PmsApp(fake).run_test(size=SIZE) as pilot:
        _eras, form = await paper_form(pilot, fake)
        await add_line(pilot, form, "4", "1", "100.00", "contractual five")
        assert message(form) == ('The line: cannot read "contractual five": type a group, a reason and an amount, '
                                 'e.g. CO-45 25.00.')
        assert form.query_one("#paper-lines", DataTable).row_count == 0
        form.query_one("#paper-adjustments", Input).value = "CO-45 5.00, PR-2 20.00"
        await pilot.press("ctrl+n")
        assert form.query_one("#paper-lines", DataTable).row_count == 1
        assert message(form) == "Line 1 added: claim 4, line 1."


def test_adjustments_and_field_names_in_words() -> None:
    read = adjustments_from_text("co-45 5.00, PR 2 20")
    assert [(a.group, a.reason, a.amount_cents) for a in read] == [("CO", "45", 500), ("PR", "2", 2_000)]
    try:
        adjustments_from_text("XX-1 5.00")
        raise AssertionError("read an unknown group")
    except UnreadableValue:
        pass
    lines = [KeyedLine(4, 1, 0), KeyedLine(8, 1, 0), KeyedLine(4, 2, 0)]
    assert where("claims[0].services[1].paid_cents", lines) == "Line 3 (claim 4, line 2) paid cents"
    assert where("claims[1].status_code", lines) == "Claim 8 status code"
    assert where("payment_cents", lines) == "Check amount"
