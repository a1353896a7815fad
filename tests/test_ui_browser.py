"""End to end in a real browser: Debian's chromium, headless, driven by Playwright for Python.

The server is the real app over the shipped notes (index built into a temp dir);
the page must load without any request leaving 127.0.0.1. Screenshots go to
tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).parent / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (apt-get install chromium; .ci/run installs it)")


@pytest.fixture(scope="module")
def server(kb_index, embedders):
    from app.ui.app import serve_in_background
    from app.ui.service import Service

    settings, _ = kb_index
    service = Service(settings, embedders=embedders).start(background=False)
    demo, url = serve_in_background(service)
    yield url
    demo.close()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 1100}, locale="en-US")
    page = context.new_page()
    outside: list[str] = []

    def guard(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:  # nothing may leave the machine: record it and refuse
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(server, wait_until="domcontentloaded")
    page.wait_for_selector("#kbqa-question textarea", timeout=60_000)
    page.outside_requests = outside
    yield page
    context.close()


def ask(page, question: str, timeout: float = 60_000):
    """Type a question, send it, wait for the full answer (the streaming cursor gone), return its element."""
    before = page.locator("#kbqa-chat .kbqa-answer, #kbqa-chat .kbqa-absent, #kbqa-chat .kbqa-error").count()
    page.fill("#kbqa-question textarea", question)
    page.click("#kbqa-send")
    answers = page.locator("#kbqa-chat .kbqa-answer, #kbqa-chat .kbqa-absent, #kbqa-chat .kbqa-error")
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length > n", arg=["#kbqa-chat .kbqa-answer, #kbqa-chat .kbqa-absent, #kbqa-chat .kbqa-error", before],
        timeout=timeout)
    return answers.nth(before)


def test_question_citation_and_calculation(page):
    SHOTS.mkdir(exist_ok=True)
    answer = ask(page, "How much did it cost to train GPT-3?")
    assert "kbqa-route-lookup" in answer.get_attribute("class") or "kbqa-route-calculate" in answer.get_attribute("class")
    cite = page.locator("#kbqa-chat details.kbqa-cite").first
    cite.wait_for()
    assert not cite.evaluate("d => d.open")
    cite.locator("summary").click()
    assert cite.evaluate("d => d.open")
    passage = cite.locator(".kbqa-passage")
    passage.wait_for(state="visible")
    assert passage.locator("mark").count() == 1 and passage.locator("mark").inner_text().strip()
    assert ".txt" in cite.locator("summary").inner_text()
    page.screenshot(path=str(SHOTS / "chat_citation.png"), full_page=True)

    calc = ask(page, "How many A100 GPUs are needed for 25 million daily visitors?")
    assert "kbqa-route-calculate" in calc.get_attribute("class")
    table = calc.locator("table.kbqa-calc-inputs")
    table.wait_for(state="visible")
    assert "daily_visitors" in table.inner_text() and "question" in table.inner_text()
    steps = calc.locator("table.kbqa-calc-steps")
    assert steps.is_visible()
    assert "30,382" in calc.inner_text()
    calc.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "chat_calculation.png"), full_page=True)
    assert page.outside_requests == []


def test_script_in_question_is_text(page):
    page.evaluate("window.__pwned = false")
    answer = ask(page, "<img src=x onerror=\"window.__pwned=true\"><script>window.__pwned=true</script> GPT-3 的参数量是多少？")
    assert answer.is_visible()
    question = page.locator("#kbqa-chat .kbqa-question").last
    assert "<script>" in question.inner_text()
    assert page.evaluate("window.__pwned") is False
    assert page.locator("#kbqa-chat img[src='x']").count() == 0


def test_language_switch_and_tabs(page):
    page.get_by_label("中文").check()
    page.get_by_role("button", name="发送").wait_for(timeout=15_000)
    page.get_by_role("tab", name="数字核查").click()
    claims = page.locator("#kbqa-claims table")
    claims.wait_for(timeout=30_000)
    assert "2,369,640*0.08" in claims.inner_text()
    page.screenshot(path=str(SHOTS / "claims_zh.png"), full_page=True)
    page.get_by_role("tab", name="计算器").click()
    page.locator("#kbqa-run-training_compute").click()
    out = page.locator("#kbqa-out-training_compute")
    out.locator(".kbqa-error, .kbqa-calc").first.wait_for(timeout=15_000)
    page.screenshot(path=str(SHOTS / "calculators_zh.png"), full_page=True)
    page.get_by_role("tab", name="笔记").click()
    page.locator("#kbqa-notes table").wait_for()
    assert "001_420203dd199bc46a.txt" in page.locator("#kbqa-notes").inner_text()
    assert page.outside_requests == []


if os.environ.get("KBQA_UI_DEBUG"):  # pragma: no cover - run by hand to look at the page
    print("screenshots in", SHOTS)
