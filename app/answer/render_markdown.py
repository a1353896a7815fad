"""An `Answer` as Markdown, for the terminal and `kbqa ask --json`'s `answer` field.

A pure function of the structure: each part renders its own block (quotes with their
sources, a step table, a verdict), blocks are separated by a rule.

>>> from app.answer.model import Answer, Citation, Quotes
>>> a = Answer("How much?", "en", "lookup", parts=[Quotes((1,))],
...            citations=[Citation(1, "a.md", "Cost", (3, 3), "It cost $5.", "It cost $5.")])
>>> print(render_markdown(a))
From your notes:
<BLANKLINE>
> It cost $5. [1]
<BLANKLINE>
Sources:
[1] a.md › Cost, lines 3–3
"""

from __future__ import annotations

from app.answer.model import (Answer, CalculationPart, CannotCalculate, Citation, MissingInputs, Prose, Quotes,
                              Related, Verdict)
from app.answer.words import (location, output_words, readable, source_words, step_words, unit_words, verdict_label,
                              wanted_text, words)
from calculators.errors import in_language

RULE = "\n\n---\n\n"


def citation_line(c: Citation, lang: str) -> str:
    return f"[{c.n}] {location(c.file, c.heading, c.lines, lang)}"


def _cited(answer: Answer, refs) -> list[Citation]:
    return [c for c in (answer.citation(n) for n in refs) if c is not None]


def quotes_md(part: Quotes, answer: Answer) -> str:
    lang = answer.language
    lines = [words(lang)["from_notes"], ""]
    cited = _cited(answer, part.refs)
    for i, c in enumerate(cited):
        lines.append(f"> {c.quote} [{c.n}]")
        restated = part.restated[i] if i < len(part.restated) else ()
        if restated:
            lines.append(f"> ({'; '.join(restated)})")
        lines.append("")
    lines.append(words(lang)["sources"])
    lines += [citation_line(c, lang) for c in cited]
    return "\n".join(lines)


def related_md(part: Related, answer: Answer) -> str:
    lang = answer.language
    lines = [words(lang)["not_covered"].format(reason=part.reason), ""]
    cited = _cited(answer, part.refs)
    lines += [f"> {c.quote} [{c.n}]" for c in cited]
    lines.append("")
    lines += [citation_line(c, lang) for c in cited]
    return "\n".join(lines)


def calculation_md(part: CalculationPart, lang: str) -> str:
    w, calc = words(lang), part.calculation
    lines = [f"**{calc.title}** (`{calc.calculator}`)", ""]
    lines += [f"| {w['input']} | {w['value']} | {w['unit']} | {w['from']} |", "|---|---|---|---|"]
    lines += [f"| {i.name} | {readable(i.value, lang)} | {unit_words(i.unit, lang)} | {source_words(i.source, lang)} |" for i in calc.inputs]
    lines.append("")
    if calc.steps:
        lines += [w["formula_and_substitution"], "```", *(step_words(s, calc.outputs, lang) for s in calc.steps), "```"]
    lines.append(w["result_head"])
    lines += [f"- **{output_words(o, lang)}**" for o in calc.outputs]
    if part.assumed:
        lines += ["", w["assumed"].format(names=", ".join(part.assumed))]
    if part.missing:
        lines.append(w["missing"] + ", ".join(part.missing))
    lines += [f"_{in_language(note, lang)}_" for note in calc.notes]
    lines += [f"_{_NOT_USED[lang == 'zh']}{in_language(u, lang)}_" for u in calc.unused]
    return "\n".join(lines)


_NOT_USED = ("not used: ", "未使用：")


def verdict_md(part: Verdict, answer: Answer) -> str:
    lang, w = answer.language, words(answer.language)
    lines = [f"**{verdict_label(part.label, lang)}**", ""]
    if part.claimed:
        lines.append(w["claimed"] + ", ".join(part.claimed))
    cited = _cited(answer, part.refs)
    lines += [f"> {c.quote} [{c.n}]" for c in cited]
    lines += [w["recomputed"] + note for note in part.recomputed]
    lines += [w["notes_give"] + text + (f" [{n}]" if n else "") for text, n in part.notes_give]
    if part.also_mentioned:
        lines.append(w["also_mentioned"].format(refs="".join(f"[{n}]" for n in part.also_mentioned)))
    if cited:
        lines += [""] + [citation_line(c, lang) for c in cited]
    return "\n".join(lines)


def prose_md(part: Prose, answer: Answer) -> str:
    cited = _cited(answer, part.refs)
    if not cited:
        return part.text
    return part.text + "\n\n" + "\n".join([words(answer.language)["sources"]] + [citation_line(c, answer.language) for c in cited])


def part_md(part, answer: Answer) -> str:
    lang = answer.language
    if isinstance(part, Quotes):
        return quotes_md(part, answer)
    if isinstance(part, Related):
        return related_md(part, answer)
    if isinstance(part, CalculationPart):
        return calculation_md(part, lang)
    if isinstance(part, MissingInputs):
        return words(lang)["need_inputs"].format(calculator=part.calculator, wanted=wanted_text(part.wanted, lang))
    if isinstance(part, CannotCalculate):
        return words(lang)["cannot_calculate"].format(message=part.message)
    if isinstance(part, Verdict):
        return verdict_md(part, answer)
    if isinstance(part, Prose):
        return prose_md(part, answer)
    raise TypeError(f"no Markdown renderer for answer part {type(part).__name__}")


def listed_refs(answer: Answer) -> set[int]:
    """The citations a part lists with its own block (quotes, related passages, a verdict, prose)."""
    return {n for p in answer.parts for n in getattr(p, "refs", ())}


def render_markdown(answer: Answer) -> str:
    blocks = [part_md(p, answer) for p in answer.parts]
    rest = [c for c in answer.citations if c.n not in listed_refs(answer)]
    if rest:  # cited elsewhere (a calculation's default that the notes state): listed at the end
        blocks.append("\n".join([words(answer.language)["sources"]] + [citation_line(c, answer.language) for c in rest]))
    text = RULE.join(b for b in blocks if b)
    if answer.headline and not text.startswith(answer.headline):  # an LLM's prose already opens with it
        text = f"{answer.headline}\n\n{text}" if text else answer.headline
    return text
