"""Edit the practice's billing identity (837P loops 1000A, 1000B, 2010AA): the group's name, NPI, EIN, taxonomy,
address with the 9-digit ZIP, phone and contact, the clearinghouse's submitter id, name and id, test or production.

Every check is the server's (a bad NPI check digit, a 5-digit ZIP...): each refusal shows beside its field. A save
over someone else's newer version is refused; Escape, Ctrl+R on the tab and editing again starts from theirs.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal

from client_tui import formatting
from client_tui.errors import describe
from client_tui.form_values import FormValues
from client_tui.gateway import Gateway, GatewayError, StaleRecord
from client_tui.screens.setup_form_screen import SetupFormScreen
from client_tui.widgets.form_field import form_error_sentence
from client_tui.workers import gateway_call
from shared.pms.claims.v1 import claims_pb2 as cl

TEXT_FIELDS = ("organization_name", "npi", "tax_id", "taxonomy", "address_line1", "address_line2", "city", "state",
               "zip", "phone", "contact_name", "submitter_id", "receiver_name", "receiver_id")


def zip_text(zip_code: str) -> str:
    return f"{zip_code[:5]}-{zip_code[5:]}" if len(zip_code) == 9 else zip_code


def ein_text(tax_id: str) -> str:
    return f"{tax_id[:2]}-{tax_id[2:]}" if len(tax_id) == 9 else tax_id


class BillingSetupFormScreen(SetupFormScreen[cl.BillingSetup | None]):
    """Dismisses with the saved billing identity, or None."""

    CSS_PATH = "billing_setup_form_screen.tcss"
    VALUE_PREFIX = "setup."
    CAPITALS = frozenset({"setup-state", "setup-taxonomy", "setup-submitter-id", "setup-receiver-id"})
    FORM_TITLE = "Billing identity"

    def __init__(self, gateway: Gateway, setup: cl.BillingSetup) -> None:
        super().__init__(gateway)
        self.setup = setup

    def intro(self) -> str:
        if not self.setup.configured:
            return "Not entered yet: claims cannot go out until it is."
        return f"Version {self.setup.version}. Every claim file carries these; the server checks each one."

    def compose_fields(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield self.text("setup.organization_name", "Organization (billing provider)", max_length=60)
        with Horizontal(classes="form-row"):
            yield self.text("setup.npi", "Group NPI", "10 digits", max_length=10, restrict=r"[0-9]*")
            yield self.text("setup.tax_id", "EIN", "12-3456789", max_length=10, restrict=r"[0-9-]*")
            yield self.text("setup.taxonomy", "Taxonomy", "207Q00000X", max_length=10)
        with Horizontal(classes="form-row"):
            yield self.text("setup.address_line1", "Address", "Street and number", max_length=55)
            yield self.text("setup.address_line2", "Address line 2", max_length=55)
        with Horizontal(classes="form-row"):
            city = self.text("setup.city", "City", max_length=30)
            city.add_class("-city")
            yield city
            state = self.text("setup.state", "State", "OH", max_length=2, restrict=r"[A-Za-z]*")
            state.add_class("-state")
            yield state
            zip_code = self.text("setup.zip", "ZIP+4", "43215-1234", max_length=10, restrict=r"[0-9-]*")
            zip_code.add_class("-zip")
            yield zip_code
        with Horizontal(classes="form-row"):
            yield self.text("setup.phone", "Phone", "(614) 555-0100", max_length=20)
            yield self.text("setup.contact_name", "Contact", "Billing office", max_length=60)
        with Horizontal(classes="form-row"):
            yield self.text("setup.submitter_id", "Submitter id", "from the clearinghouse", max_length=15)
            yield self.text("setup.receiver_name", "Clearinghouse", max_length=60)
            yield self.text("setup.receiver_id", "Receiver id", max_length=15)
        yield self.flag("setup.production", "Files", "Production (off: test files the clearinghouse only checks)")

    def fill(self) -> None:
        s = self.setup
        values: FormValues = {f"setup.{name}": getattr(s, name) for name in TEXT_FIELDS}
        values["setup.zip"] = zip_text(s.zip)
        values["setup.tax_id"] = ein_text(s.tax_id)
        values["setup.phone"] = formatting.phone(f"+1{s.phone}") if s.phone else ""
        values["setup.production"] = s.production
        self.write(values)

    def submit(self) -> None:
        values = self.form_values()
        setup = cl.BillingSetup()
        setup.CopyFrom(self.setup)  # the version the edit started from
        for name in TEXT_FIELDS:
            setattr(setup, name, str(values[f"setup.{name}"]))
        setup.production = bool(values["setup.production"])
        self.say("Saving…", info=True)
        self.save(setup)

    @gateway_call
    async def save(self, setup: cl.BillingSetup) -> None:
        self.dismiss(await self.gateway.update_billing_setup(setup))

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, StaleRecord):
            self.say(f"{describe(error)} Escape, then Ctrl+R on the tab fetches their version.")
        else:
            self.say(form_error_sentence(self, error, "Please correct the fields marked."))
        return True
