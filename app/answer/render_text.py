"""An `Answer` as plain text: for the UI's copy button, streaming, and the LLM's view of the offline answer.

No Markup: quotes in quotation marks, step tables as aligned lines, sources as a list.

>>> from app.answer.model import Answer, Citation, Quotes
>>> a = Answer("How much?", "en", "lookup", parts=[Quotes((1,))],
...            citations=[Citation(1, "a.md", "Cost", (3, 3), "It cost $5.", "It cost $5.")])
>>> print(render_text(a))
From your notes:
“It cost $5.” [1]
<BLANKLINE>
Sources:
[1] a.md › Cost, lines 3–3
>>> render_text(a, quotes=False)
'From your notes:'
"""

from __future__ import annotations

from app.answer.model import (Answer, CalculationPart, CannotCalculate, MissingInputs, Prose, Quotes, Related,
                              Verdict)
from app.answer.render_markdown import citation_line
from app.answer.words import output_words, readable, source_words, step_words, unit_words, verdict_label, wanted_text, words
from calculators.errors import in_language


def _quote(answer: Answer, n: int) -> str:
    c = answer.citation(n)
    return f"“{c.quote}” [{n}]" if c else ""


def calculation_text(part: CalculationPart, lang: str) -> list[str]:
    w, calc = words(lang), part.calculation
    lines = [f"{calc.title} ({calc.calculator})"]
    lines += [f"  {i.name} = {readable(i.value, lang)} {unit_words(i.unit, lang)}".rstrip() + f"  ({w['from']}: {source_words(i.source, lang)})"
              for i in calc.inputs]
    lines += [f"  {step_words(s, calc.outputs, lang)}" for s in calc.steps]
    lines += [f"{w['result']}: {output_words(o, lang)}" for o in calc.outputs]
    if part.assumed:
        lines.append(w["assumed"].format(names=", ".join(part.assumed)))
    if part.missing:
        lines.append(w["missing"] + ", ".join(part.missing))
    lines += [in_language(note, lang) for note in calc.notes]
    lines += [("未使用：" if lang == "zh" else "not used: ") + in_language(u, lang) for u in calc.unused]
    return lines


def part_lines(part, answer: Answer, quotes: bool = True) -> list[str]:
    lang, w = answer.language, words(answer.language)
    if isinstance(part, Quotes):
        lines = [w["from_notes"]]
        if quotes:
            for i, n in enumerate(part.refs):
                lines.append(_quote(answer, n))
                if i < len(part.restated) and part.restated[i]:
                    lines.append(f"({'; '.join(part.restated[i])})")
        return lines
    if isinstance(part, Related):
        return [w["not_covered"].format(reason=part.reason)] + ([_quote(answer, n) for n in part.refs] if quotes else [])
    if isinstance(part, CalculationPart):
        return calculation_text(part, lang)
    if isinstance(part, MissingInputs):
        return [w["need_inputs"].format(calculator=part.calculator, wanted=wanted_text(part.wanted, lang))]
    if isinstance(part, CannotCalculate):
        return [w["cannot_calculate"].format(message=part.message)]
    if isinstance(part, Verdict):
        lines = [verdict_label(part.label, lang)]
        if part.claimed:
            lines.append(w["claimed"] + ", ".join(part.claimed))
        if quotes:
            lines += [_quote(answer, n) for n in part.refs]
        lines += [w["recomputed"] + note for note in part.recomputed]
        lines += [w["notes_give"] + text + (f" [{n}]" if n else "") for text, n in part.notes_give]
        if part.also_mentioned:
            lines.append(w["also_mentioned"].format(refs="".join(f"[{n}]" for n in part.also_mentioned)))
        return lines
    if isinstance(part, Prose):
        return [part.text]
    raise TypeError(f"no text renderer for answer part {type(part).__name__}")


def render_text(answer: Answer, quotes: bool = True) -> str:
    """The answer as plain text, headline first; `quotes=False` leaves out the headline, the quoted passages
    and the sources (what the answer itself states: verdicts, recomputations, results)."""
    blocks = ["\n".join(line for line in part_lines(p, answer, quotes) if line) for p in answer.parts]
    text = "\n\n".join(b for b in blocks if b)
    # the headline restates figures of the quotes and results: without quotes (what the LLM checker reads as
    # "the offline answer"), it would let a quoted figure pass as one the answer itself computed
    if quotes and answer.headline and not text.startswith(answer.headline):  # an LLM's prose already opens with it
        text = f"{answer.headline}\n\n{text}" if text else answer.headline
    if quotes and answer.citations:
        text += "\n\n" + "\n".join([words(answer.language)["sources"]] + [citation_line(c, answer.language) for c in answer.citations])
    return text
