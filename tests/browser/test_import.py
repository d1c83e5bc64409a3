"""The contacts import in a real browser: upload, the mapping screen (axe-core), progress and the report,
on a phone and a laptop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ViewportSize, expect

from tests.browser.chromium import DESKTOP, PHONE, axe_violations
from tests.browser.test_demo_journey import horizontal_overflow, open_page, shot
from tests.server import RunningLandform, landform_server

pytestmark = pytest.mark.browser

ROWS = 3000


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLandform]:
    with landform_server(tmp_path_factory.mktemp("import")) as running:
        yield running


def _export(folder: Path, name: str) -> Path:
    """A CRM export as Excel in the Netherlands writes it, with a few rows that cannot be imported."""
    path = folder / f"{name}.csv"
    lines = ["Voornaam;Achternaam;E-mailadres;Telefoon;Bedrijfsnaam;KvK-nummer"]
    lines += [f"Jet{n};Brouwer;jet.{name}.{n}@firma{n // 10}.nl;;Firma {n // 10};" for n in range(ROWS)]
    lines += ["Piet;Kaas;geen-adres;;;", "Anna;Visser;anna.{name}@example.com;12;;"]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_a_marketer_maps_the_columns_and_follows_the_import_to_its_report(
    browser: Browser, server: RunningLandform, viewport: ViewportSize, name: str, tmp_path: Path
) -> None:
    context = browser.new_context(viewport=viewport, locale="nl-NL")
    try:
        page, _watch = open_page(context, server)
        page.goto(f"{server.base_url}/login")
        page.fill("#f-email", server.demo["login_email"])
        page.fill("#f-password", server.demo["login_password"])
        page.locator("form[action='/login'] button").click()

        page.goto(f"{server.base_url}/app/contacts/")
        page.get_by_role("link", name="Contacten importeren").click()
        expect(page.get_by_role("heading", name="Contacten importeren")).to_be_visible()
        assert axe_violations(page) == []
        shot(page, f"import-upload-{name}.png")

        page.set_input_files("#f-file", str(_export(tmp_path, name)))
        page.get_by_role("button", name="Uploaden en kolommen koppelen").click()
        # The mapping is guessed from the Dutch headers, the preview shows the rows as they are.
        expect(page.get_by_label("E-mailadres")).to_have_value("contact.email")
        expect(page.get_by_label("KvK-nummer")).to_have_value("company.kvk_number")
        expect(page.locator(".import-preview")).to_contain_text("Firma 0")
        assert axe_violations(page) == []
        assert horizontal_overflow(page) <= 0
        shot(page, f"import-mapping-{name}.png")

        page.get_by_label("Bijwerken met de waarden uit het bestand", exact=False).check()
        page.get_by_role("button", name="rijen importeren", exact=False).click()
        expect(page.locator("#import-progress progress")).to_be_visible()
        shot(page, f"import-progress-{name}.png")
        # htmx polls the progress until the report replaces it.
        expect(page.get_by_role("link", name="Download de geweigerde rijen (CSV)")).to_be_visible(
            timeout=60_000
        )
        expect(page.locator(".import-counts")).to_contain_text(f"{ROWS:,}".replace(",", "."))
        assert axe_violations(page) == []
        assert horizontal_overflow(page) <= 0
        shot(page, f"import-report-{name}.png")
    finally:
        context.close()
