"""What every browser test shares: Debian's Chromium, launched the one way that works here, and sizes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from tests.conftest import unavailable

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}


def launch_chromium(*extra_args: str) -> Iterator[Browser]:
    """Headless Chromium (never a downloaded browser); skips, or fails in CI, when it is missing."""
    if not CHROMIUM.exists():
        unavailable("Chromium", f"{CHROMIUM} is missing; apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                *extra_args,
            ],
        )
        try:
            yield browser
        finally:
            browser.close()


AXE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.14.1.min.js"


def axe_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.x A/AA violations on the page as it is now, one line each ("rule: target")."""
    # Evaluated through the DevTools protocol, which a page's own CSP does not govern.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        """async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}))
            .violations.flatMap(v => v.nodes.map(n => v.id + ': ' + n.target.join(' ')))"""
    )
    return [str(line) for line in found]
