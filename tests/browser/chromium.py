"""What every browser test shares: Debian's Chromium, launched the one way that works here, and sizes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Browser, ViewportSize, sync_playwright

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
