"""A person's path through the served site, in a real browser (Debian's Chromium via Playwright).

Opens the home page, sees the timeline and the network, follows links to an
event and to a memorandum, and runs a saved query from the queries page.
Screenshots of each step are saved under ``build/screenshots/`` for review.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

playwright = pytest.importorskip("playwright.sync_api", reason="the test extra installs playwright")

CHROMIUM = Path("/usr/bin/chromium")
# Without the networking flags Chromium keeps trying to reach the internet, which is closed here.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"


@pytest.fixture(scope="module")
def site_url(server: str) -> str:
    """The session's ``spacecoop serve`` (see conftest), serving the built repository."""
    return server


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, site_url: str):  # type: ignore[no-untyped-def]
    """A fresh page that records every request it makes."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.requested = []  # type: ignore[attr-defined]
    tab.on("request", lambda request: tab.requested.append(request.url))
    yield tab
    context.close()


def _shot(tab, name: str) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_home_shows_the_timeline_and_the_network(page, site_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(site_url + "/")
    _shot(page, "01-home")
    timeline = page.locator("#timeline-figure svg")
    assert timeline.is_visible()
    assert page.locator("#timeline-figure g.event").count() >= 7
    planned = page.locator('#timeline-figure g.event[data-status="planned"]')
    assert planned.count() == 1
    assert "2019 International Symposium" in (planned.text_content() or "")
    network = page.locator("#network-figure svg")
    assert network.is_visible()
    assert page.locator("#network-figure circle.memo").count() == 4
    assert page.locator("#network-figure line.edge:not(.present)").count() == 4
    # Everything the page loaded came from our own server: no CDN, no web fonts.
    assert all(url.startswith(site_url) for url in page.requested)


def test_a_person_follows_links_to_an_event_and_a_memorandum(page, site_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(site_url + "/")
    page.locator("#timeline-figure a", has_text="First International Symposium").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/id/event/first-symposium-2018.html")
    assert "First International Symposium" in page.locator("h1").inner_text()
    assert page.locator("#sources li").count() >= 5
    assert page.locator("#properties a", has_text="Wenchang").is_visible()
    _shot(page, "02-event")

    page.goto(site_url + "/")
    page.locator("#network-figure a", has_text="Strategic memorandum").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/id/memorandum/preparatory-meeting-2018-05-strategic.html")
    signatories = page.locator("#properties tr", has_text="signatory")
    assert signatories.locator("li").count() == 4
    _shot(page, "03-memorandum")

    # Content negotiation: the same IRI without extension lands on the HTML page.
    page.goto(site_url + "/id/place/wenchang")
    assert page.url.endswith("/id/place/wenchang.html")
    assert "文昌市" in page.locator("#labels").inner_text()


def test_a_person_runs_a_saved_query_from_the_queries_page(page, site_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(site_url + "/queries.html")
    section = page.locator("section#memoranda-signed-by-party")
    section.locator("input[name=party]").fill("https://w3id.org/spacecoop/id/country/russia")
    _shot(page, "04-queries")
    section.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "/queries/memoranda-signed-by-party?party=" in page.url
    result = page.locator("#result table")
    assert result.is_visible()
    assert "Strategic memorandum of the May 2018 preparatory meeting" in result.inner_text()
    _shot(page, "05-query-result")


def test_screenshots_were_written() -> None:
    """Runs last in this module: every step above left its picture."""
    names = {p.name for p in SCREENSHOTS.glob("*.png")} if SCREENSHOTS.is_dir() else set()
    assert {"01-home.png", "02-event.png", "03-memorandum.png", "05-query-result.png"} <= names
