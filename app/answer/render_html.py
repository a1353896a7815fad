"""An `Answer` as safe HTML for the chat: badges, the text, step tables, citations that open.

Every piece of text that comes from a note or a question goes through `esc()`
before it meets a tag, so HTML or script in a note is shown as text, never run.
The output has no blank lines: the chat's Markdown renderer then treats the whole
message as one HTML block and leaves `*`, `[x](y)` and `![](...)` in note text alone
(a Markdown image in a note would otherwise be fetched from the internet).

>>> "<script>" in answer_html(Answer("<script>alert(1)</script>?", "en", "lookup", [Prose("<b>x</b> [1]")]))
False

About 470 lines on purpose: one renderer per answer part, the step tables, the citation reader and
the claims table share the one escaping helper and the word lists; nothing here is gradio.
"""

from __future__ import annotations

import html
import math
import re

from app.answer.model import (Answer, Calculation, CalculationPart, CannotCalculate, Citation, MissingInputs, Prose,
                              Quotes, Related, Verdict)
from app.answer.words import output_label, readable, source_words, step_words, unit_words, value_words, wanted_text, words
from calculators.errors import in_language

ROUTE_BADGES = {
    # route: (css class, English, 中文)
    "lookup": ("kbqa-badge-lookup", "📖 From your notes", "📖 来自笔记"),
    "calculate": ("kbqa-badge-calc", "🧮 Calculation", "🧮 计算"),
    "not_in_notes": ("kbqa-badge-absent", "∅ Not in your notes", "∅ 笔记中没有"),
}
VERDICT_BADGES = {
    "supported": ("kbqa-badge-ok", "✅ Supported", "✅ 笔记支持"),
    "contradicted": ("kbqa-badge-bad", "❌ Contradicted", "❌ 与计算不符"),
    "not_found": ("kbqa-badge-unknown", "❔ Not found in your notes", "❔ 笔记中找不到"),
}
CLAIM_BADGES = {
    True: ("kbqa-badge-ok", "✅ holds", "✅ 正确"),
    False: ("kbqa-badge-bad", "❌ wrong", "❌ 有误"),
    None: ("kbqa-badge-unknown", "❔ cannot be checked", "❔ 无法核查"),
}


def esc(text) -> str:
    """HTML-escaped text with newlines as <br> (never a blank line).

    >>> esc('<img src=x onerror="alert(1)">\\n\\nok')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;<br><br>ok'
    """
    return html.escape(str(text), quote=True).replace("\r", "").replace("\n", "<br>")


def badge(css: str, text: str) -> str:
    return f'<span class="kbqa-badge {css}">{esc(text)}</span>'


def route_badges(answer: Answer) -> str:
    zh = answer.language == "zh"
    out = []
    for route in answer.routes or [answer.route]:
        if route == "claim":
            css, en, cn = VERDICT_BADGES.get(answer.verdict or "not_found", VERDICT_BADGES["not_found"])
        else:
            css, en, cn = ROUTE_BADGES.get(route, ("kbqa-badge-lookup", route, route))
        out.append(badge(css, cn if zh else en))
    return "".join(dict.fromkeys(out))  # a route taken twice shows once


# --- the answer text: a small, safe Markdown subset ------------------------------------

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")
_REF = re.compile(r"\[(\d{1,3})\]")
_ITALIC_LINE = re.compile(r"^_(.+)_$")


def inline(text: str) -> str:
    """Escape, then the inline Markdown answers use: **bold**, `code`, [n] citation markers.

    >>> inline("**$1.4M** from `training_cost` [2] <i>")
    '<strong>$1.4M</strong> from <code>training_cost</code> <span class="kbqa-ref">[2]</span> &lt;i&gt;'
    """
    s = html.escape(text, quote=True)
    s = _CODE.sub(r"<code>\1</code>", s)
    s = _BOLD.sub(r"<strong>\1</strong>", s)
    return _REF.sub(r'<span class="kbqa-ref">[\1]</span>', s)


def markdown_html(text: str) -> str:
    """The Markdown that answer composition writes (quotes, lists, tables, code, rules) as HTML.

    >>> markdown_html("Head\\n\\n> quote [1]\\n> more\\n\\n- a\\n- b")
    '<p>Head</p><blockquote>quote <span class="kbqa-ref">[1]</span><br>more</blockquote><ul><li>a</li><li>b</li></ul>'
    """
    out: list[str] = []
    lines = text.replace("\r", "").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            j = i + 1
            code = []
            while j < len(lines) and not lines[j].strip().startswith("```"):
                code.append(lines[j])
                j += 1
            out.append("<pre>" + "<br>".join(html.escape(c) for c in code) + "</pre>")
            i = j + 1
            continue
        if stripped.startswith("|") and stripped.endswith("|"):
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(lines[i].strip())
                i += 1
            out.append(_table(rows))
            continue
        if stripped.startswith(">"):
            quote = []
            while i < len(lines) and lines[i].strip().startswith(">"):
                quote.append(inline(lines[i].strip()[1:].strip()))
                i += 1
            out.append("<blockquote>" + "<br>".join(quote) + "</blockquote>")
            continue
        if re.match(r"^[-*] ", stripped):
            items = []
            while i < len(lines) and re.match(r"^[-*] ", lines[i].strip()):
                items.append(f"<li>{inline(lines[i].strip()[2:])}</li>")
                i += 1
            out.append("<ul>" + "".join(items) + "</ul>")
            continue
        if stripped in ("---", "***"):
            out.append("<hr>")
        elif stripped:
            italic = _ITALIC_LINE.match(stripped)
            out.append(f"<p><em>{inline(italic.group(1))}</em></p>" if italic else f"<p>{inline(stripped)}</p>")
        i += 1
    return "".join(out)


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def _table(rows: list[str]) -> str:
    body = [r for r in rows if not re.fullmatch(r"\|[\s:|-]+\|", r)]
    if not body:
        return ""
    head, rest = _cells(body[0]), body[1:]
    out = ['<table class="kbqa-table"><thead><tr>', *(f"<th>{inline(c)}</th>" for c in head), "</tr></thead><tbody>"]
    for r in rest:
        out.append("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in _cells(r)) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


# --- calculations -----------------------------------------------------------------------


def source_html(source: str, lang: str = "en") -> str:
    """Where an input came from, in the reader's language, with [n] note citations marked."""
    return inline(source_words(source or "", lang))


def calculation_html(calc: Calculation, lang: str) -> str:
    """A step table: inputs with their source, then formula -> substitution -> result per formula."""
    w = words(lang)
    out = [f'<div class="kbqa-calc"><div class="kbqa-calc-title"><strong>{esc(calc.title)}</strong> <code>{esc(calc.calculator)}</code></div>']
    out.append(f'<table class="kbqa-table kbqa-calc-inputs"><thead><tr><th>{w["input"]}</th><th>{w["value"]}</th>'
               f'<th>{w["unit"]}</th><th>{w["from"]}</th></tr></thead><tbody>')
    for i in calc.inputs:
        said = f' <span class="kbqa-said">“{esc(i.text)}”</span>' if i.text else ""
        # each cell names its column for the phone layout (stacked rows; the chat drops data-* attributes)
        out.append(f'<tr><td>{cell_label(w["input"])}<code>{esc(i.name)}</code></td>'
                   f'<td class="kbqa-num">{cell_label(w["value"])}{esc(readable(i.value, lang))}</td>'
                   f'<td>{cell_label(w["unit"])}{esc(unit_words(i.unit, lang))}</td>'
                   f'<td>{cell_label(w["from"])}{source_html(i.source, lang)}{said}</td></tr>')
    out.append("</tbody></table>")
    out.append(steps_html(calc.steps, lang, calc.outputs))
    out.append('<div class="kbqa-calc-result">')
    for o in calc.outputs:
        label = output_label(o.name, lang)
        out.append(f'<div class="kbqa-output"><strong>{esc(label) + " " if label else ""}<code>{esc(o.name)}</code> = '
                   f'{esc(value_words(o, lang))}</strong></div>')
    out.append("</div>")
    assumed = [n.split(":", 1)[1].strip() for n in calc.notes if n.startswith("assumed:")]
    if assumed:  # one line, not one per input: the table says where each came from
        head = "假设（问题中未给出，来源见上表）" if lang == "zh" else "assumed (not in the question; sources in the table)"
        out.append(f'<div class="kbqa-calc-note"><em>{head}: {esc(", ".join(assumed))}</em></div>')
    for note in calc.notes:
        if not note.startswith("assumed:"):
            out.append(f'<div class="kbqa-calc-note"><em>{esc(in_language(note, lang))}</em></div>')
    for unused in calc.unused:  # nothing in the question is dropped silently
        head = "未使用：" if lang == "zh" else "not used: "
        out.append(f'<div class="kbqa-calc-note"><em>{esc(head + in_language(unused, lang))}</em></div>')
    out.append("</div>")
    return "".join(out)


def cell_label(text: str) -> str:
    """A table cell's column name, shown only when a phone stacks the rows."""
    return f'<span class="kbqa-cell-label">{esc(text)}</span>'


def steps_html(steps, lang: str, outputs=()) -> str:
    """Derivation lines as a table: each formula contributes formula, substitution, result (written from
    `outputs` in the reader's numbers and units)."""
    w = words(lang)
    steps = list(steps)
    head = []
    if steps and "(solved from" in steps[0]:
        head, steps = [steps[0]], steps[1:]
    rows = [f'<tr><th>{w["formula"]}</th><td data-label="{w["formula"]}"><code>{esc(s)}</code></td></tr>' for s in head]
    if len(steps) % 3 == 0:
        kinds = [w["formula"], w["substitution"], w["result"]]
        rows += [f'<tr class="kbqa-step-{k % 3}"><th>{kinds[k % 3]}</th><td data-label="{kinds[k % 3]}"><code>{esc(step_words(s, outputs, lang))}</code></td></tr>'
                 for k, s in enumerate(steps)]
    else:
        rows += [f'<tr><th>{w["step"]} {k + 1}</th><td data-label="{w["step"]} {k + 1}"><code>{esc(s)}</code></td></tr>' for k, s in enumerate(steps)]
    return f'<table class="kbqa-table kbqa-calc-steps"><tbody>{"".join(rows)}</tbody></table>'


# --- citations ----------------------------------------------------------------------------


def highlighted_passage(c: Citation) -> str:
    """The passage, escaped, with the quoted span(s) in <mark> (found even if whitespace differs; a quote
    of two sentences apart, joined by ' … ', marks each).

    >>> highlighted_passage(Citation(1, "a.txt", "", (1, 1), "b <c>", "a b <c> d"))
    'a <mark>b &lt;c&gt;</mark> d'
    >>> highlighted_passage(Citation(1, "a.txt", "", (1, 1), "A. … C.", "A. B. C."))
    '<mark>A.</mark> B. <mark>C.</mark>'
    """
    passage = c.passage or c.quote
    spans = []
    for piece in (c.quote or "").split(" … "):
        piece = piece.strip()
        start = passage.find(piece) if piece else -1
        span = (start, start + len(piece)) if start >= 0 else _loose_find(passage, piece)
        if span and (not spans or span[0] >= spans[-1][1]):
            spans.append(span)
    out, cursor = [], 0
    for start, end in spans:
        out += [esc(passage[cursor:start]), f"<mark>{esc(passage[start:end])}</mark>"]
        cursor = end
    out.append(esc(passage[cursor:]))
    return "".join(out)


def _loose_find(passage: str, quote: str) -> tuple[int, int] | None:
    """Where `quote` sits in `passage` when the two differ only in whitespace."""
    words = quote.split()
    if not words:
        return None
    pattern = r"\s*".join(re.escape(w) for w in words)
    m = re.search(pattern, passage)
    return (m.start(), m.end()) if m else None


def location(c: Citation, lang: str, title: str = "") -> str:
    """'GPT-3 的训练成本 › 训练 · 行 3–5': the note's title when it has one (else its file name), heading, lines."""
    w = words(lang)
    lines = f"{c.lines[0]}" if c.lines[0] == c.lines[1] else f"{c.lines[0]}–{c.lines[1]}"
    heading = c.heading
    if title and heading.startswith(title):  # Markdown heading paths already start with the title
        heading = heading[len(title):].lstrip(" ›>/")
    heading = f" › {heading}" if heading else ""
    return f"{title or c.file}{heading} · {w['lines']} {lines}"


def citation_html(c: Citation, lang: str, open_: bool = False, title: str = "") -> str:
    """A citation that opens to its passage (the quote highlighted); its location opens the whole note
    at its lines (the page's script reads data-file, data-start, data-end, data-quote)."""
    import json

    # the chat's sanitizer drops data-* attributes: the note's place travels as hidden JSON text
    data = json.dumps({"n": c.n, "file": c.file, "start": c.lines[0], "end": c.lines[1], "quote": c.quote}, ensure_ascii=False)
    open_note = "在笔记中打开" if lang == "zh" else "open in the note"
    return (f'<details class="kbqa-cite"{" open" if open_ else ""}><summary><span class="kbqa-ref">[{c.n}]</span> '
            f'<span class="kbqa-loc" title="{esc(c.file)}">{esc(location(c, lang, title))}</span></summary>'
            f'<span class="kbqa-src kbqa-cite-data">{attr(data)}</span>'
            f'<div class="kbqa-passage">{highlighted_passage(c)}</div>'
            f'<button type="button" class="kbqa-open-note">↗ {open_note}</button></details>')


def attr(text: str) -> str:
    r"""Text for an HTML attribute: escaped, newlines kept as character references (never a blank line).

    >>> attr('a "b"\n\nc')
    'a &quot;b&quot;&#10;&#10;c'
    """
    return html.escape(str(text), quote=True).replace("\r", "").replace("\n", "&#10;")


# --- the whole answer -----------------------------------------------------------------------


def _quotes_html(answer: Answer, refs, restated=()) -> str:
    out = []
    for i, n in enumerate(refs):
        c = answer.citation(n)
        if c is None:
            continue
        lines = [f'{esc(c.quote)} <span class="kbqa-ref">[{c.n}]</span>']
        if i < len(restated) and restated[i]:
            lines.append(esc(f"({'; '.join(restated[i])})"))
        out.append("<blockquote>" + "<br>".join(lines) + "</blockquote>")
    return "".join(out)


def part_html(part, answer: Answer) -> str:
    """One part of an answer; citations are listed once, below the answer (see answer_html)."""
    lang, w = answer.language, words(answer.language)
    if isinstance(part, Quotes):
        return f"<p>{esc(w['from_notes'])}</p>" + _quotes_html(answer, part.refs, part.restated)
    if isinstance(part, Related):
        return f"<p>{esc(w['not_covered'].format(reason=part.reason))}</p>" + _quotes_html(answer, part.refs)
    if isinstance(part, CalculationPart):
        extra = f"<p>{esc(w['missing'] + ', '.join(part.missing))}</p>" if part.missing else ""
        return calculation_html(part.calculation, lang) + extra
    if isinstance(part, MissingInputs):
        return f"<p>{inline(w['need_inputs'].format(calculator=part.calculator, wanted=wanted_text(part.wanted, lang)))}</p>"
    if isinstance(part, CannotCalculate):
        return f"<p>{esc(w['cannot_calculate'].format(message=part.message))}</p>"
    if isinstance(part, Verdict):  # the label is the badge
        out = [f"<p>{esc(w['claimed'] + ', '.join(part.claimed))}</p>"] if part.claimed else []
        out.append(_quotes_html(answer, part.refs))
        out += [f"<p>{inline(w['recomputed'] + note)}</p>" for note in part.recomputed]
        out += [f"<p>{inline(w['notes_give'] + text + (f' [{n}]' if n else ''))}</p>" for text, n in part.notes_give]
        if part.also_mentioned:
            out.append(f"<p>{inline(w['also_mentioned'].format(refs=''.join(f'[{n}]' for n in part.also_mentioned)))}</p>")
        return "".join(out)
    if isinstance(part, Prose):
        return markdown_html(part.text)
    raise TypeError(f"no HTML renderer for answer part {type(part).__name__}")


def body_html(answer: Answer) -> str:
    """The answer's parts, separated by rules."""
    parts = [part_html(p, answer) for p in answer.parts]
    return "<hr>".join(p for p in parts if p)


def answer_html(answer: Answer, titles: dict[str, str] | None = None) -> str:
    """The full chat message for an answer: badges, the headline, then the details (collapsible:
    quotes, step tables, sources), and buttons that copy it as Markdown or plain text.
    `titles` names notes by their title instead of their file name."""
    from app.answer.render_markdown import render_markdown
    from app.answer.render_text import render_text

    w, lang = words(answer.language), answer.language
    titles = titles or {}
    kind = "kbqa-absent" if answer.route == "not_in_notes" else "kbqa-answer"
    out = [f'<div class="{kind} kbqa-route-{esc(answer.route)}">', f'<div class="kbqa-badges">{route_badges(answer)}</div>']
    if answer.headline:
        out.append(f'<p class="kbqa-headline">{inline(answer.headline)}</p>')
    if answer.notices:
        out.append(f'<div class="kbqa-notice"><strong>{w["notices"]}:</strong> ' + "<br>".join(esc(n) for n in answer.notices) + "</div>")
    # a calculation's step tables are tall: closed under the headline that gives its result; quotes stay open
    open_ = "" if answer.calculations else " open"
    out.append(f'<details class="kbqa-details"{open_}><summary>{esc(w["details"])}</summary>{body_html(answer)}')
    if answer.citations:
        out.append('<div class="kbqa-cites">' + "".join(citation_html(c, lang, title=titles.get(c.file, "")) for c in answer.citations) + "</div>")
    out.append("</details>")
    # what the copy buttons copy, as hidden text (the chat's sanitizer drops data-* attributes)
    out.append(f'<div class="kbqa-tools"><button type="button" class="kbqa-copy kbqa-copy-md">{esc(w["copy_markdown"])}</button>'
               f'<button type="button" class="kbqa-copy kbqa-copy-text">{esc(w["copy_text"])}</button>'
               f'<pre class="kbqa-src kbqa-src-md">{attr(render_markdown(answer))}</pre>'
               f'<pre class="kbqa-src kbqa-src-text">{attr(render_text(answer))}</pre></div>')
    out.append("</div>")
    return "".join(out)


def partial_html(answer: Answer, upto: int) -> str:
    """The answer while it streams: badges, then the first `upto` characters of its text."""
    from app.answer.render_text import render_text

    text = render_text(answer, quotes=False)[:upto]
    return (f'<div class="kbqa-streaming"><div class="kbqa-badges">{route_badges(answer)}</div>'
            f'<p>{esc(text)}<span class="kbqa-cursor">▍</span></p></div>')


def status_html(text: str) -> str:
    return f'<div class="kbqa-status"><span class="kbqa-spinner"></span> {esc(text)}</div>'


def question_html(question: str, limit: int = 2000) -> str:
    """The user's message as text (a very long one is shortened for display)."""
    shown = question if len(question) <= limit else f"{question[:limit]}… ({len(question):,} characters)"
    return f'<div class="kbqa-question">{esc(shown)}</div>'


def error_html(message: str, lang: str, refused: bool = False) -> str:
    w = words(lang)
    title = w["refused"] if refused else w["error"]
    return f'<div class="kbqa-error"><strong>⚠ {title}</strong><br>{esc(message)}</div>'


def claim_badge(holds: bool | None, lang: str) -> str:
    css, en, cn = CLAIM_BADGES[holds]
    return badge(css, cn if lang == "zh" else en)


# the claim finder's formulas use a few English connectors (calculators.claims): their Chinese
_FORMULA_ZH = ((re.compile(r"\(line (\d+)\)"), r"（第 \1 行）"), (re.compile(r"\bwith (\w) = "), r"其中 \1 = "),
               (re.compile(r" at "), " 按 "), (re.compile(r"\band\b"), "和"))
_ERROR_ZH = {"division by zero": "除数为零"}


def claim_formula(formula: str, lang: str) -> str:
    """A claim's recomputation as the reader's language writes it.

    >>> claim_formula("82美元/100000字 at 1000token约等于750个单词 (line 88)", "zh")
    '82美元/100000字 按 1000token约等于750个单词（第 88 行）'
    """
    if lang != "zh":
        return formula
    for pattern, repl in _FORMULA_ZH:
        formula = pattern.sub(repl, formula)
    return formula.replace(" （", "（")


def claim_why(c, lang: str) -> str:
    """Why a claim holds or not, from its structured fields (kind, formula, inputs, stated, recomputed), in `lang`.

    >>> from calculators.claims import check_text
    >>> c = check_text("2,369,640*0.08=4.7万美元")[0]
    >>> claim_why(c, "en")
    '2,369,640 × 0.08 = 189,571 USD, not 47,000 USD: the stated figure is 75.2% too low'
    >>> claim_why(c, "zh")
    '2,369,640 × 0.08 = 18.9572万美元，而笔记写的是 4.7万美元：偏低 75.2%'
    >>> claim_why(check_text("3,798/7=542个机柜")[0], "en")
    '3,798 / 7 = 542.571 rack; a count cannot be fractional: 543 rack needed, the note rounds down to 542 rack'
    """
    from calculators.numbers import format_number

    zh = lang == "zh"
    formula = claim_formula(c.formula or c.text, lang)
    if c.error:
        return f"无法计算：{_ERROR_ZH.get(c.error, c.error)}" if zh else f"cannot be computed: {c.error}"
    if c.recomputed is None:
        return f"无法核查：{formula}" if zh else (c.note or f"cannot be checked: {formula}")
    percent = "%" in c.text and not c.unit

    def figure(v: float) -> str:
        if percent:
            return f"{format_number(v * 100, digits=3)}%"
        if zh:
            return format_number(v, "zh") + unit_words(c.unit, "zh")
        return f"{format_number(v)} {c.unit}".strip()

    elsewhere = [i for i in c.inputs if getattr(i, "line", c.line) != c.line]
    where = ""
    if elsewhere:
        where = ("（" + "，".join(f"{i.text} 见第 {i.line} 行" for i in elsewhere) + "）") if zh else \
            " (" + ", ".join(f"{i.text} from line {i.line}" for i in elsewhere) + ")"
    got = f"{formula} = {figure(c.recomputed)}{where}"
    from calculators.claim_judge import WHOLE_COUNTS

    if c.unit in WHOLE_COUNTS and c.stated is not None and float(c.stated).is_integer() and not float(c.recomputed).is_integer():
        need = math.ceil(c.recomputed)  # whole things round up
        if zh:
            tail = "，与笔记一致" if c.stated == need else (f"，笔记向下取整为 {figure(c.stated)}" if c.stated == math.floor(c.recomputed)
                                                         else f"，而笔记写的是 {figure(c.stated)}")
            return f"{got}；数量不能是小数：需要 {figure(need)}{tail}"
        tail = ", as stated" if c.stated == need else (f", the note rounds down to {figure(c.stated)}" if c.stated == math.floor(c.recomputed)
                                                      else f", not {figure(c.stated)}")
        return f"{got}; a count cannot be fractional: {figure(need)} needed{tail}"
    if c.holds or c.stated is None:
        return f"{got}，与笔记一致" if zh and c.holds else got
    off = (c.stated - c.recomputed) / c.recomputed * 100 if c.recomputed else float("inf")
    size = format_number(abs(off), digits=3)
    if zh:
        return f"{got}，而笔记写的是 {figure(c.stated)}：偏{'高' if off > 0 else '低'} {size}%"
    return f"{got}, not {figure(c.stated)}: the stated figure is {size}% too {'high' if off > 0 else 'low'}"


__all__ = ["answer_html", "partial_html", "status_html", "question_html", "error_html", "calculation_html",
           "citation_html", "claim_badge", "claim_why", "esc", "markdown_html", "steps_html"]
