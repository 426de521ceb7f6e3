"""Add or edit a provider: name, credentials, NPI (checked by the server), taxonomy, active."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal

from client_tui.gateway import Gateway
from client_tui.screens.setup_form_screen import SetupFormScreen
from client_tui.workers import gateway_call
from shared.pms.scheduling.v1 import setup_pb2 as su


class ProviderFormScreen(SetupFormScreen[su.Provider | None]):
    """Dismisses with the saved provider, or None."""

    CSS_PATH = "provider_form_screen.tcss"
    VALUE_PREFIX = "provider."
    CAPITALS = frozenset({"provider-taxonomy-code"})

    def __init__(self, gateway: Gateway, provider: su.Provider | None = None) -> None:
        super().__init__(gateway)
        self.provider = provider
        self.FORM_TITLE = "Edit provider" if provider is not None else "Add provider"
        self.SUBMIT_LABEL = "Save" if provider is not None else "Add provider"

    def compose_fields(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield self.text("provider.first_name", "First name", max_length=60)
            yield self.text("provider.last_name", "Last name", max_length=60)
        with Horizontal(classes="form-row"):
            yield self.text("provider.credentials", "Credentials", "MD, DO, NP, PA-C", max_length=20)
            yield self.text("provider.npi", "NPI (individual)", "10 digits", max_length=10, restrict=r"[0-9]*")
        with Horizontal(classes="form-row"):
            yield self.text("provider.taxonomy_code", "Taxonomy code", "e.g. 207Q00000X", max_length=10)
            if self.provider is not None:
                yield self.flag("provider.active", "Status", "Active (offered for booking)")

    def fill(self) -> None:
        p = self.provider
        if p is None:
            return
        self.write(
            {
                "provider.first_name": p.first_name,
                "provider.last_name": p.last_name,
                "provider.credentials": p.credentials,
                "provider.npi": p.npi,
                "provider.taxonomy_code": p.taxonomy_code,
                "provider.active": p.active,
            }
        )

    def submit(self) -> None:
        values = self.form_values()
        provider = su.Provider()
        if self.provider is not None:
            provider.CopyFrom(self.provider)  # the id and the version the edit started from
        provider.first_name = str(values["provider.first_name"])
        provider.last_name = str(values["provider.last_name"])
        provider.credentials = str(values["provider.credentials"])
        provider.npi = str(values["provider.npi"])
        provider.taxonomy_code = str(values["provider.taxonomy_code"])
        provider.active = bool(values.get("provider.active", True))
        self.say("Saving…", info=True)
        self.save(provider)

    @gateway_call
    async def save(self, provider: su.Provider) -> None:
        self.dismiss(await self.gateway.save_provider(provider))
