"""End to end in a real browser: Debian's chromium, headless, driven by Playwright for Python.

The server is the real app over the shipped notes (index built into a temp dir);
the page must load without any request leaving 127.0.0.1. Screenshots go to
tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

import json
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


def open_page(browser, server, **options):
    """A page on the app with every request outside 127.0.0.1 refused and recorded (`page.outside_requests`)."""
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 1100}, "locale": "en-US", **options})
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
    return context, page


@pytest.fixture
def page(browser, server):
    context, page = open_page(browser, server)
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
    # the headline comes first, before the details
    first = answer.locator(":scope > *:not(.kbqa-badges)").first
    assert "kbqa-headline" in first.get_attribute("class") and first.inner_text().strip()
    cite = page.locator("#kbqa-chat details.kbqa-cite").first
    cite.wait_for()
    assert not cite.evaluate("d => d.open")
    cite.locator("summary").click()
    assert cite.evaluate("d => d.open")
    passage = cite.locator(".kbqa-passage")
    passage.wait_for(state="visible")
    assert passage.locator("mark").count() == 1 and passage.locator("mark").inner_text().strip()
    assert ".txt" in cite.locator(".kbqa-loc").get_attribute("title")
    page.screenshot(path=str(SHOTS / "chat_citation.png"), full_page=True)

    calc = ask(page, "How many A100 GPUs are needed for 25 million daily visitors?")
    assert "kbqa-route-calculate" in calc.get_attribute("class")
    assert "30,382" in calc.locator(".kbqa-headline").inner_text()  # the result first
    calc.locator("details.kbqa-details > summary").click()  # step tables are folded under the headline
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
    page.locator("#kbqa-in-0 input, #kbqa-in-0 textarea").first.fill("1750亿")
    page.locator("#kbqa-in-1 input, #kbqa-in-1 textarea").first.fill("3000亿")
    page.locator("#kbqa-calc-run").click()
    out = page.locator("#kbqa-calc-out")
    out.locator(".kbqa-error, .kbqa-calc").first.wait_for(timeout=15_000)
    assert out.locator(".kbqa-calc").count() == 1 and out.locator(".kbqa-legend li").count() == 3  # a plot with its legend
    page.screenshot(path=str(SHOTS / "calculators_zh.png"), full_page=True)
    page.get_by_role("tab", name="笔记").click()
    page.locator("#kbqa-notes table").wait_for()
    assert "001_420203dd199bc46a.txt" in page.locator("#kbqa-notes").inner_text()
    assert page.locator("#kbqa-note-text .kbqa-reader li").count() > 10  # "Read a note" opens on a note
    assert page.outside_requests == []


def test_language_switch_keeps_the_calculator_form_and_its_result(page):
    """Values typed in the form survive a switch to 中文 and back; the result on show is computed again in
    the new language (units and the quantity's name in Chinese)."""
    page.get_by_role("tab", name="Calculators").click()
    box = page.locator("#kbqa-in-0 input, #kbqa-in-0 textarea").first
    box.fill("70B")
    page.locator("#kbqa-in-1 input, #kbqa-in-1 textarea").first.fill("1.4T")
    page.locator("#kbqa-calc-run").click()
    out = page.locator("#kbqa-calc-out")
    out.locator(".kbqa-calc").first.wait_for(timeout=15_000)
    page.get_by_label("中文").check()
    page.get_by_role("button", name="计算").wait_for(timeout=15_000)
    page.wait_for_function("() => document.querySelector('#kbqa-calc-out .kbqa-output').innerText.includes('算力')", timeout=15_000)
    assert box.input_value() == "70B"
    assert page.locator("#kbqa-in-1 input, #kbqa-in-1 textarea").first.input_value() == "1.4T"
    assert "5.88e23" in out.locator(".kbqa-output").first.inner_text()
    page.get_by_label("English").check()
    page.get_by_role("button", name="Calculate").wait_for(timeout=15_000)
    assert box.input_value() == "70B"
    page.wait_for_function("() => !document.querySelector('#kbqa-calc-out .kbqa-output').innerText.includes('算力')", timeout=15_000)


def test_citation_opens_the_note_at_its_lines_and_copy_gives_markdown(page):
    SHOTS.mkdir(exist_ok=True)
    answer = ask(page, "What is the list price of a DGX A100?")
    headline = answer.locator(".kbqa-headline")
    ref = headline.locator(".kbqa-ref").first
    n = int(ref.inner_text().strip("[]"))
    ref.click()
    reader = page.locator("#kbqa-reader")
    reader.locator(".kbqa-cited").first.wait_for(timeout=15_000)
    cite = answer.locator("details.kbqa-cite").nth(n - 1)
    place = json.loads(cite.locator(".kbqa-cite-data").text_content())
    start, end = place["start"], place["end"]
    numbers = [int(x) for x in reader.locator(".kbqa-cited .kbqa-ln").all_inner_texts()]
    assert numbers == list(range(start, end + 1))  # the cited lines, with their line numbers
    assert "19.9" in "".join(reader.locator("mark").all_inner_texts())  # the quoted words highlighted
    page.screenshot(path=str(SHOTS / "chat_reader.png"), full_page=True)
    answer.locator(".kbqa-copy-md").click()
    copied = page.evaluate("window.__kbqaCopied")
    assert copied.startswith(headline.inner_text().strip()[:20]) and "<div" not in copied and "> " in copied
    answer.locator(".kbqa-copy-text").click()
    assert "<" not in page.evaluate("window.__kbqaCopied").split("\n")[0]


def test_history_survives_a_reload(page):
    ask(page, "一个机柜可以放几台DGX A100服务器？")
    page.locator("#kbqa-conversations label", has_text="DGX A100").wait_for(timeout=15_000)  # saved in the browser
    page.reload(wait_until="domcontentloaded")
    page.wait_for_selector("#kbqa-question textarea", timeout=60_000)
    page.locator("#kbqa-chat .kbqa-answer, #kbqa-chat .kbqa-absent").first.wait_for(timeout=15_000)
    assert "DGX A100" in page.locator("#kbqa-chat .kbqa-question").last.inner_text()
    assert any("DGX A100" in t for t in page.locator("#kbqa-conversations label").all_inner_texts())
    page.locator("#kbqa-clear").click()
    page.wait_for_function("() => !document.querySelector('#kbqa-chat .kbqa-answer')", timeout=10_000)
    page.locator("#kbqa-conversations label").first.click()  # back to the conversation from the list
    page.locator("#kbqa-chat .kbqa-answer").first.wait_for(timeout=10_000)


def test_an_example_is_sent_on_click(page):
    page.locator("#kbqa-example-0").click()
    page.locator("#kbqa-chat .kbqa-answer .kbqa-headline").first.wait_for(timeout=60_000)


CONTRAST = """(el) => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  let bg = null, node = el;
  while (node && node.nodeType === 1) { const c = getComputedStyle(node).backgroundColor; const v = rgb(c);
    if (v.length >= 3 && (v.length < 4 || v[3] > 0.5)) { bg = v; break; } node = node.parentElement; }
  bg = bg || [255, 255, 255];
  const fg = rgb(getComputedStyle(el).color);
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def test_dark_mode_is_readable(browser, server):
    SHOTS.mkdir(exist_ok=True)
    context, page = open_page(browser, server, color_scheme="dark")
    try:
        if not page.evaluate("document.body.classList.contains('dark') || !!document.querySelector('.dark')"):
            page.goto(server + "?__theme=dark", wait_until="domcontentloaded")
            page.wait_for_selector("#kbqa-question textarea", timeout=60_000)
        lookup = ask(page, "DGX A100 服务器的售价是多少？")
        calc = ask(page, "How many A100 GPUs are needed for 25 million daily visitors?")
        calc.locator("details.kbqa-details > summary").click()
        lookup.locator("details.kbqa-cite").first.evaluate("d => { d.open = true; }")  # after the re-render a new message causes
        checks = {"headline": calc.locator(".kbqa-headline"), "calculation card": calc.locator(".kbqa-calc td").first,
                  "result": calc.locator(".kbqa-output").first, "table header": calc.locator(".kbqa-calc th").first,
                  "highlighted quote": lookup.locator(".kbqa-passage mark").first}
        for name, el in checks.items():
            el.wait_for(state="visible")
            ratio = el.evaluate(CONTRAST)
            assert ratio >= 4.5, f"{name}: contrast {ratio:.2f}"
        page.screenshot(path=str(SHOTS / "dark_chat.png"), full_page=True)
        page.get_by_role("tab", name="Claims").click()
        th = page.locator("#kbqa-claims th").first
        th.wait_for(timeout=30_000)
        assert th.evaluate(CONTRAST) >= 4.5
        page.screenshot(path=str(SHOTS / "dark_claims.png"), full_page=True)
        _calculate(page, "Calculators")
        tick = page.locator("#kbqa-calc-out .kbqa-plot-svg text").first
        assert tick.evaluate(CONTRAST.replace("getComputedStyle(el).color", "getComputedStyle(el).fill")) >= 4.5  # axis labels
        page.screenshot(path=str(SHOTS / "dark_calculators.png"), full_page=True)
    finally:
        context.close()


def open_tab(page, name: str) -> None:
    """Click a tab by its label, also when a narrow page has folded it into the tabs' overflow menu."""
    tab = page.get_by_role("tab", name=name)
    if tab.count() and tab.first.is_visible():
        tab.first.click()
        return
    page.get_by_role("button", name="More tabs").click()
    page.locator(".overflow-dropdown button", has_text=name).click()


def _calculate(page, tab: str) -> None:
    """Run the first calculator with a model size and a token count; wait for its plot."""
    open_tab(page, tab)
    page.locator("#kbqa-in-0 input, #kbqa-in-0 textarea").first.fill("175B")
    page.locator("#kbqa-in-1 input, #kbqa-in-1 textarea").first.fill("300B")
    page.locator("#kbqa-calc-run").click()
    page.locator("#kbqa-calc-out .kbqa-plot").wait_for(timeout=15_000)


def test_phone_width_has_no_horizontal_scroll(browser, server):
    SHOTS.mkdir(exist_ok=True)
    context, page = open_page(browser, server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        calc = ask(page, "How many A100 GPUs are needed for 25 million daily visitors?")
        calc.locator("details.kbqa-details > summary").click()
        calc.locator("table.kbqa-calc-steps").wait_for(state="visible")
        overflow = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        wide = "() => [...document.querySelectorAll('#kbqa-chat table, #kbqa-claims table')].filter(t => t.offsetParent && t.scrollWidth > t.parentElement.clientWidth + 2).length"
        assert page.evaluate(overflow) <= 0 and page.evaluate(wide) == 0
        calc.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "phone_chat.png"), full_page=True)
        open_tab(page, "Claims")
        page.locator("#kbqa-claims table").wait_for(timeout=30_000)
        assert page.evaluate(overflow) <= 0 and page.evaluate(wide) == 0
        page.screenshot(path=str(SHOTS / "phone_claims.png"), full_page=True)
        _calculate(page, "Calculators")
        assert page.evaluate(overflow) <= 0
        legend = page.locator("#kbqa-calc-out .kbqa-legend li")
        assert legend.count() == 3 and all(legend.nth(k).evaluate("e => e.scrollWidth <= e.clientWidth + 1") for k in range(3))
        page.locator("#kbqa-calc-out .kbqa-plot").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "phone_calculators.png"), full_page=True)
    finally:
        context.close()


if os.environ.get("KBQA_UI_DEBUG"):  # pragma: no cover - run by hand to look at the page
    print("screenshots in", SHOTS)


def _english_left(page) -> list[str]:
    """English words in the page's visible text, names, units and code aside (tests/untranslated.py):
    the language's own name, single letters (variables), calculator parameter names (identifiers)."""
    from calculators.registry import CALCULATORS
    from untranslated import english_words

    allowed = {"english", "hr"} | {p.name for c in CALCULATORS.values() for p in c.parameters}

    text = page.evaluate("""() => {
      const root = document.querySelector('.gradio-container') || document.body;
      // code, the notes' own words (titles, the reader, quotes) and the example questions (in both languages on purpose)
      const skip = root.querySelectorAll('code, pre, .kbqa-question, .kbqa-cite-data, .kbqa-src, footer, [aria-hidden="true"], ' +
        '.kbqa-examples, .kbqa-reader, #kbqa-note-picker, #kbqa-note-text, blockquote, .kbqa-claim-src');
      skip.forEach(el => el.setAttribute('data-kbqa-skip', '1'));
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      const out = [];
      while (walker.nextNode()) {
        const n = walker.currentNode, el = n.parentElement;
        if (!el || el.closest('[data-kbqa-skip]')) continue;
        const style = getComputedStyle(el);
        if (style.display === 'none' || style.visibility === 'hidden' || !el.getClientRects().length) continue;
        out.push(n.textContent);
      }
      for (const el of root.querySelectorAll('input[placeholder], textarea[placeholder]')) if (el.getClientRects().length) out.push(el.placeholder);
      return out.join(' \\n ');
    }""")
    return [w for w in english_words(text, allowed=allowed) if len(w) > 1]


def test_chinese_interface_has_no_english_left(browser, server):
    """Switch to 中文 (the browser in zh-CN, so Gradio's own words are Chinese too) and read every tab."""
    context, page = open_page(browser, server, locale="zh-CN")
    try:
        assert _english_left(page) != []  # the check sees the English interface
        page.get_by_label("中文").check()
        page.get_by_role("button", name="发送").wait_for(timeout=15_000)
        left = {"chat": _english_left(page)}
        page.get_by_role("tab", name="计算器").click()
        page.locator("#kbqa-calc-run").wait_for()
        page.wait_for_function("() => document.querySelector('#kbqa-calc-intro').innerText.includes('训练')")
        left["calculators"] = _english_left(page)
        page.get_by_role("tab", name="数字核查").click()
        page.locator("#kbqa-claims table").wait_for(timeout=30_000)
        left["claims"] = _english_left(page)
        page.get_by_role("tab", name="笔记").click()
        page.locator("#kbqa-notes table").wait_for()
        left["notes"] = _english_left(page)
        left = {tab: words for tab, words in left.items() if words}
        assert left == {}, json.dumps(left, ensure_ascii=False)
    finally:
        context.close()
