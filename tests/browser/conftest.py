"""Fixtures of the browser tests: one Chromium per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.browser.chromium import launch_chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launch_chromium()
