"""Web mode in a real browser: Chromium loads the page, keys typed into the terminal reach
the app, and what it draws is read back from screenshots."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runloop_tui.api.client import ObjectsClient
from runloop_tui.server.embedded import EmbeddedServer
from tests.conftest import API_KEY
from tests.web.browser import browser_page, require_browser, screen_text_until
from tests.web.conftest import WebProcess

CONTENT = b"hello from the store\n" * 50


async def _seed(base_url: str, tmp_path: Path) -> None:
    client = ObjectsClient(base_url, API_KEY)
    try:
        for name, data in (("web/hello.txt", CONTENT), ("web/other.bin", b"\0" * 10)):
            source = tmp_path / name.replace("/", "_")
            source.write_bytes(data)
            await client.upload_path(source, name=name)
    finally:
        await client.aclose()


def test_type_filter_copy_and_download_in_chromium(
    server: EmbeddedServer, tmp_path: Path, web_for: Callable[..., WebProcess]
) -> None:
    chromium, _ = require_browser()
    asyncio.run(_seed(server.base_url, tmp_path))
    web = web_for(server, "--theme", "textual-light")
    shot = tmp_path / "page.png"
    with browser_page(chromium, web.url) as page:
        page.goto(web.url + "/?fontsize=18")
        # The cursor row is drawn inverted, which OCR may not read: look for the other row.
        screen_text_until(page, shot, lambda text: "2 shown" in text and "hello" in text)
        page.locator(".textual-terminal").click()
        page.keyboard.type("/hello")
        text = screen_text_until(page, shot, lambda text: "1 shown" in text)
        assert "hello.txt" in text and "other.bin" not in text
        # Back to the table: N copies the name into the browser's clipboard (OSC 52).
        page.keyboard.press("Tab")
        page.keyboard.type("N")
        screen_text_until(page, shot, lambda text: "clipboard" in text)
        assert page.evaluate("navigator.clipboard.readText()") == "web/hello.txt"
        # w: the browser downloads the file; the server keeps no copy.
        with page.expect_download(timeout=30_000) as download:
            page.keyboard.type("w")
        saved = tmp_path / "downloaded.txt"
        download.value.save_as(saved)
        assert download.value.suggested_filename == "hello.txt"
        assert saved.read_bytes() == CONTENT
        screen_text_until(page, shot, lambda text: "to the browser" in text)
        # ctrl+p reaches the app (not the browser's print dialog): the palette opens on views.
        page.keyboard.press("Control+p")
        # (Roboto Mono's zero has a dot in it, which OCR may read as "@": no digits here.)
        screen_text_until(
            page, shot, lambda text: "Cleanup: errored" in text and "Cleanup: older than" in text
        )


def test_the_page_loads_nothing_from_another_host(
    server: EmbeddedServer, tmp_path: Path, web_for: Callable[..., WebProcess]
) -> None:
    """Offline, and telling nobody the page was opened: every request the page makes goes to
    the web server itself, and none of them fails (no web font, no missing image)."""
    chromium, _ = require_browser()
    asyncio.run(_seed(server.base_url, tmp_path))
    web = web_for(server)
    requests: list[str] = []
    failures: list[str] = []
    with browser_page(chromium, web.url) as page:
        page.on("request", lambda request: requests.append(request.url))
        page.on("websocket", lambda socket: requests.append(socket.url))
        page.on("requestfailed", lambda request: failures.append(request.url))

        def answered(response: Any) -> None:
            if response.status >= 400:
                failures.append(f"{response.status} {response.url}")

        page.on("response", answered)
        page.goto(web.url + "/")
        screen_text_until(page, tmp_path / "page.png", lambda text: "2 shown" in text)
        page.wait_for_load_state("networkidle")
        fonts = page.evaluate(
            "Array.from(document.fonts).filter(f => f.status === 'loaded').map(f => f.family)"
        )
    origin = web.url.removeprefix("http://")
    foreign = [
        url for url in requests if url.split("/")[2] != origin and not url.startswith("data:")
    ]
    assert foreign == [], foreign
    assert failures == [], failures
    assert any(url.startswith(f"ws://{origin}/ws") for url in requests), requests
    # The terminal's font still comes, from this server.
    assert any("Roboto Mono" in family for family in fonts), fonts
