"""A question, analysed once: every route, the retriever and the LLM path read this value.

`Question(text)` is cheap to build; each feature is computed the first time a route asks
for it and then kept (a lookup never pays for the quantities parser, a calculation never
for the search terms), so nothing re-detects the language or re-reads the numbers.

>>> q = Question("用1000张H100训练700亿参数、1.4万亿token要多少天？")
>>> q.language, [(x.value, x.unit) for x in q.quantities][:2], [h.name for h in q.chips]
('zh', [(1000.0, 'GPU'), (70000000000.0, 'parameter')], ['H100 SXM'])
>>> Question("What did a DGX A100 cost in 2020?").asked, Question("What did a DGX A100 cost in 2020?").years
(('money',), (2020,))
>>> Question("Is it true that GPT-3 cost $1.4M?").is_claim
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from app.errors import QuestionError

MAX_QUESTION_CHARS = 4000
_YEAR = re.compile(r"(?<![\d.,])(19[5-9]\d|20\d\d)(?![\d.,]*\d)")


@dataclass(frozen=True)
class Question:
    """The user's question and what it asks. `glossary` expands search terms into the other language."""

    text: str
    glossary: bool = True

    @cached_property
    def language(self) -> str:
        """'zh' or 'en': the language of the answer."""
        from app.question.language import detect_language

        return detect_language(self.text)

    @cached_property
    def prepared(self) -> str:
        """The text with number words spelled out ("seven servers" -> "7 servers", 两个 -> 2个)."""
        from app.question.quantities import prepare

        return prepare(self.text)

    @cached_property
    def quantities(self) -> tuple:
        """Every quantity with its unit and the words beside it (`QuestionQuantity`), dates left out."""
        from app.question.quantities import question_quantities

        return tuple(question_quantities(self.prepared))

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Models, chips and other names a passage should repeat, lower-cased ('gpt-3', 'tpu v4')."""
        from app.question.asked import entities

        return tuple(entities(self.text))

    @cached_property
    def chips(self) -> tuple:
        """Hardware catalog entries the question names (chips and servers)."""
        from app.question.quantities import hardware_named

        return tuple(hardware_named(self.text))

    @cached_property
    def years(self) -> tuple[int, ...]:
        return tuple(int(y) for y in _YEAR.findall(self.text))

    @cached_property
    def asked(self) -> tuple[str, ...]:
        """The kinds of value asked for: 'money', 'percent', 'duration', 'rate', 'count', 'memory'."""
        from app.question.asked import answer_types

        return tuple(answer_types(self.text))

    @cached_property
    def asked_unit(self) -> str | None:
        """The unit of the quantity asked for ('kWh', 'USD', 'day', '' for a fraction, 'rack'), or None."""
        from app.question.asked_quantity import asked_unit

        return asked_unit(self.prepared)

    @cached_property
    def asked_dimension(self) -> dict | None:
        """The dimension of the quantity asked for ({'power': 1, 'time': 1} for kWh), or None."""
        from calculators.dimensions import parse_unit

        return None if self.asked_unit is None else parse_unit(self.asked_unit)[1]

    @cached_property
    def precisions(self) -> tuple:
        """Number formats the question names (BF16, int4), each as bytes a value (`QuestionQuantity`)."""
        from app.question.quantities import precisions

        return tuple(precisions(self.prepared))

    @cached_property
    def value_kinds(self) -> tuple[str, ...]:
        """The kinds of value asked for, finer than `asked` (energy, power, flops, parameters, emissions
        too): what a passage must state to answer the question (`app.routes.not_in_notes`)."""
        from app.question.asked import value_kinds

        return tuple(value_kinds(self.text))

    @cached_property
    def is_claim(self) -> bool:
        """It asks whether a figure is right ('Is it true that ...', '...真的...吗')."""
        from app.question.asked import is_claim_question

        return is_claim_question(self.text)

    @cached_property
    def words(self) -> tuple[str, ...]:
        """The question's own search terms: jieba words and lower-cased words, stop words dropped."""
        from ingest.tokenize import tokenize

        return tuple(tokenize(self.text))

    @cached_property
    def terms(self) -> tuple[str, ...]:
        """Search terms: `words`, with the lexicon's terms in the other language."""
        from app.retrieval.lexicon import expand_chinese, expand_english
        from ingest.tokenize import tokenize

        terms = list(self.words)
        if self.glossary:
            extra = expand_english(self.text) if self.language == "en" else expand_chinese(self.text)
            for term in extra:
                terms.extend(tokenize(term))
        return tuple(terms)

    @cached_property
    def term_set(self) -> frozenset[str]:
        return frozenset(self.terms)


def as_question(question: "Question | str", glossary: bool = True) -> Question:
    """A Question from a Question or its text (the CLI's `search` and tests pass text)."""
    return question if isinstance(question, Question) else Question(question, glossary)


def check_question(question: str) -> str:
    """The question's text, stripped; QuestionError when it is empty or too long."""
    if not isinstance(question, str) or not question.strip():
        raise QuestionError("the question is empty: type a question about your notes")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(f"the question is {len(question):,} characters long; the limit is {MAX_QUESTION_CHARS:,}: "
                            "ask about one thing at a time")
    return question.strip()
