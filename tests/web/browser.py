"""A real browser for web mode: Playwright driving Debian's Chromium, and OCR of its
screenshots (xterm.js draws on a canvas: there is no DOM text to read)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REQUIRE_ENV = "RUNLOOP_TUI_REQUIRE_BROWSER"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _missing(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1, but {reason}")
    pytest.skip(reason)


def require_browser() -> tuple[str, str]:
    """Paths of chromium and tesseract; skip (fail where required) when one is missing."""
    chromium = shutil.which("chromium")
    if chromium is None:
        _missing("Debian's Chromium is not installed (apt-get install chromium)")
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        _missing("tesseract is not installed (apt-get install tesseract-ocr)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[test]')")
    assert chromium is not None and tesseract is not None
    return chromium, tesseract


def ocr(png: Path) -> str:
    done = subprocess.run(
        ["tesseract", str(png), "-", "--psm", "6"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


@contextmanager
def browser_page(chromium: str, origin: str) -> Iterator[Any]:
    """A page that may load only from `origin` (external fonts are blocked), with clipboard
    permissions, and downloads accepted."""
    from playwright.sync_api import Route, sync_playwright

    def only_origin(route: Route) -> None:
        if route.request.url.startswith(origin):
            route.continue_()
        else:
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(
                viewport={"width": 1100, "height": 640}, accept_downloads=True
            )
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
            context.route("**/*", only_origin)
            yield context.new_page()
        finally:
            browser.close()


def screen_text_until(
    page: Any, shot: Path, done: Callable[[str], bool], seconds: float = 45
) -> str:
    """Screenshot and OCR the page until `done(text)`; returns the last text read."""
    deadline = time.monotonic() + seconds
    text = ""
    while time.monotonic() < deadline:
        page.screenshot(path=str(shot))
        text = ocr(shot)
        if done(text):
            return text
        time.sleep(0.3)
    raise AssertionError(f"the page never showed what was expected; OCR read:\n{text}")
