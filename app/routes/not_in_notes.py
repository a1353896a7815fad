"""Deciding that the notes do not hold the answer.

Dense similarity alone does not separate "on topic but absent" from "present" on
these notes (cosines of both spread over the same range), so the decision rests on
lexical signals, in either language:

- against the whole corpus: a name the question depends on (a model, a chip, a company,
  a person) that appears nowhere in the notes (via the glossary too): "H200", "Gemini
  Ultra"; the question's content words mostly absent (off-topic questions); its topic
  absent ("量子计算机的工作原理" and "how do quantum computers work", "比特币挖矿的耗电量":
  the most specific keyword, or most English ones, in neither language of the notes);
- against the retrieved passages (`unanswered_reason`): none names what the question
  constrains (the model, chip, version, year) AND states a value of the kind it asks for
  (a price, an energy, a duration ...): "What is the list price of a DGX H100?" over
  notes that name the H100 but price nothing.
"""

from __future__ import annotations

import re
import unicodedata

from app.retrieval.lexicon import EN_ZH, glossary_phrases
from app.retrieval.rerank import squash
from app.question import Question
from ingest.tokenize import tokenize

MIN_TERM_COVERAGE = 0.3  # chosen on dev + proxy lookups vs off-topic questions (lowest lookup: 0.25..0.4)

_WORD = re.compile(r"[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*(?:[-.'’][A-Za-z0-9]+)*")
_GENERIC = frozenset("i ai llm llms gpu gpus cpu flops flop tflops pflops api faq ok vs etc".split())


def _is_quantity(word: str) -> bool:
    """'175B', '1e23', '1.4M' are figures, not names."""
    from calculators.errors import CalculatorError
    from calculators.units import parse_quantity

    if not word[0].isdigit():
        return False
    try:
        parse_quantity(word)
    except CalculatorError:
        return False
    return True


def candidate_names(question: str, language: str) -> list[str]:
    """Words of a question that name something specific.

    English: a word with a digit, with two capitals, or capitalised mid-sentence.
    Chinese: any run of Latin words (in Chinese text they are names).

    >>> candidate_names("What is the list price of an NVIDIA H200 GPU?", "en")
    ['NVIDIA H200']
    >>> candidate_names("Gemini Ultra 的参数量是多少？", "zh")
    ['Gemini Ultra']
    >>> candidate_names("How many searches per month did Google process in 2012?", "en")
    ['Google']
    """
    text = unicodedata.normalize("NFKC", question)
    zh = language == "zh"
    names: list[str] = []
    last_end = -10
    for m in _WORD.finditer(text):
        word = re.sub(r"['’]s$", "", m.group(0))
        if word.lower() in _GENERIC or _is_quantity(word):
            continue
        initial = not text[: m.start()].strip() or re.search(r"[.?!。？！]\s*$", text[: m.start()])
        specific = any(c.isdigit() for c in word) or sum(c.isupper() for c in word) >= 2
        capitalised = word[0].isupper() and not initial
        if not (zh or specific or capitalised):
            continue
        if names and not text[last_end : m.start()].strip():
            names[-1] += text[last_end : m.start()] + word  # adjacent name words form one name
        else:
            names.append(word)
        last_end = m.start() + len(word)
    return names


def _parts(name: str) -> list[str]:
    """'GPT-3-level' -> ['GPT-3', 'level']: a hyphenated word whose parts are names or words."""
    words = []
    for w in re.split(r"\s+", name):
        words += [p for p in re.split(r"-(?=[A-Za-z]{2})", w) if p]
    return words


def _present(part: str, corpus: str) -> bool:
    """A name part is present as written, or with its letters and digits swapped ('NVL72' ~ '72NVL')."""
    key = squash(part)
    if key in corpus or (re.search(r"\ds$", part) and key[:-1] in corpus):  # 'V100s' is the plural of 'V100'
        return True
    m = re.fullmatch(r"([a-z]+)(\d+)|(\d+)([a-z]+)", key)
    return bool(m) and (f"{m.group(2)}{m.group(1)}" if m.group(1) else f"{m.group(4)}{m.group(3)}") in corpus


def missing_names(question: Question, corpus: str, glossary=None) -> list[str]:
    """Names from the question found nowhere in the notes, in either language.

    `corpus` is the squashed text of every passage (see `squash`).
    """
    covered_by_glossary = set()
    for phrase, zh_terms in glossary_phrases(question.text, glossary):
        if any(squash(z) in corpus for z in zh_terms):
            covered_by_glossary.update(phrase.split())
    missing = []
    for name in candidate_names(question.text, question.language):
        if squash(name) in corpus:
            continue
        parts = [p for p in _parts(name) if p.lower() not in _GENERIC and p.lower() not in covered_by_glossary]
        absent = [p for p in parts if not _present(p, corpus)]
        # A name is missing when a part with a digit (a model or chip id: H200, V3) is absent, or every part is
        # ("Gemini Ultra"); a lone unknown word inside a known name ("ChatGPT-style") is not enough.
        if any(any(c.isdigit() for c in p) for p in absent) or (absent and len(absent) == len(parts)):
            missing.append(name)
    return missing


def term_coverage(question: Question, vocabulary: set[str]) -> float:
    """Share of the question's content words (numbers aside) that occur in the notes, directly or via the glossary."""
    tokens = [t for t in question.words if not re.fullmatch(r"[\d.]+", t)]
    if not tokens:
        return 1.0
    found = 0
    for t in tokens:
        if t in vocabulary:
            found += 1
            continue
        translations = EN_ZH.get(t, ()) + EN_ZH.get(t.rstrip("s"), ())
        if any(all(x in vocabulary for x in tokenize(z)) for z in translations):
            found += 1
    return found / len(tokens)


def not_in_notes_reason(question: Question, corpus: str, vocabulary: set[str], glossary=None) -> str | None:
    """Why the notes cannot answer this, or None when they may."""
    lang = question.language
    missing = missing_names(question, corpus, glossary)  # glossary: the notes folder's (None: the shipped one)
    if missing:
        names = "、".join(missing) if lang == "zh" else ", ".join(missing)
        return f"笔记中没有出现 {names}" if lang == "zh" else f"the notes never mention {names}"
    if _names_present(question, corpus):
        return None  # it names something the notes have: its passages decide (`unanswered_reason`)
    if term_coverage(question, vocabulary) < MIN_TERM_COVERAGE:
        return "笔记中没有与问题相关的内容" if lang == "zh" else "the notes do not discuss this topic"
    gap = topic_gap(question, corpus, vocabulary)
    if gap:
        return f"笔记中没有出现 {'、'.join(gap)}" if lang == "zh" else f"the notes never mention {', '.join(gap)}"
    return None


# --------------------------------------------------------------- by what is asked

_GENERIC_NAMES = _GENERIC | frozenset("gpt llm ai nvidia gpu cpu tpu".split())
_COMMON_PARTS = frozenset("per each level style class like based scale size sized grade type".split())


def constraints(question: Question) -> list[str]:
    """What an answering passage must name: the question's models, chips and versions (a plural
    'V100s' is 'v100'; generic words such as 'GPU' are no constraint) and the years it gives.

    >>> constraints(Question("On how many V100s did NVIDIA train BERT-base in 2019?"))
    ['v100', 'bert-base', '2019']
    """
    from app.question.asked import VALUE_KINDS

    names = []
    for name in question.names:
        written = re.search(rf"{re.escape(name)}(?![A-Za-z])", question.text, re.I)
        if written and re.search(r"\ds$", written.group(0)):
            name = name[:-1]  # 'V100s' is V100 ('L40S' stays L40S)
        words = [w.rstrip("s") for w in re.split(r"[-\s]+", name) if w]
        if all(w in _GENERIC_NAMES or w in _COMMON_PARTS for w in words):
            continue  # 'GPU', 'per-GPU': no constraint
        if any(q.fullmatch(name) or q.search(f" {name} ") and q.search(name) for q, _ in VALUE_KINDS.values()):
            continue  # 'CO2' names the kind of value asked for, not the thing it is about
        names.append(name)
    return names + [str(y) for y in question.years]


def _holds(constraint: str, text: str) -> bool:
    """A constraint is in a passage as written, or each of its name-like parts is ('DGX H100' across a
    table row, 'GPT-3-level' as 'GPT-3', 'NVL72' as '72NVL')."""
    if squash(constraint) in text or squash(constraint).replace("-", "") in text.replace("-", ""):
        return True  # 'GPT-3' is also written 'GPT3'
    parts = [p for p in _parts(constraint) if p.lower() not in _COMMON_PARTS]
    return bool(parts) and all(_present(p, text) or _present(p.replace("-", ""), text.replace("-", "")) for p in parts)


def answers(question: Question, heading: str, passage: str, around: str = "") -> bool:
    """Whether a passage can answer the question: it names what the question constrains (itself, its
    heading or the passages `around` it: a window may leave the model's name in the sentence before)
    and states a value of a kind the question asks for (any figure when it asks for none)."""
    from app.question.asked import states_value

    text = squash(f"{heading}\n{passage}\n{around}")
    if not all(_holds(c, text) for c in constraints(question)):
        return False
    kinds = question.value_kinds
    return not kinds or any(states_value(k, passage) for k in kinds)


def _around(chunk, chunks: list) -> str:
    """The text of the passages just before and after `chunk` in its note, under the same heading."""
    out = []
    for other in chunks:
        if other.file == chunk.file and other.heading == chunk.heading and other is not chunk and (
                other.line_end in (chunk.line_start, chunk.line_start - 1, chunk.line_start - 2)
                or other.line_start in (chunk.line_end, chunk.line_end + 1, chunk.line_end + 2)):
            out.append(other.text)
    return "\n".join(out)


def unanswered_reason(question: Question, hits, chunks: list = ()) -> str | None:
    """Why none of the retrieved passages answers the question, or None when one may.

    `chunks` are all the passages, in note order (for a passage's neighbours). Only questions
    that ask for a value or name something are judged: a 'why' question without names is left
    to the retrieval."""
    if not question.value_kinds and not constraints(question):
        return None
    if any(x.unit for x in question.quantities):
        return None  # it gives its own figures ('if one H100 costs $25,000, ...'): a calculation, not a look-up
    if any(answers(question, h.chunk.heading, h.chunk.text, _around(h.chunk, chunks)) for h in hits):
        return None
    zh = question.language == "zh"
    named = constraints(question)
    kinds = [_KIND_NAMES[k][1 if zh else 0] for k in question.value_kinds]
    what = ("、".join(kinds) if zh else " or ".join(kinds)) if kinds else ("相关数字" if zh else "a figure")
    if zh:
        about = f"关于 {'、'.join(named)} 的" if named else ""
        return f"笔记中没有给出{about}{what}"
    about = f" for {', '.join(named)}" if named else ""
    return f"the notes give no {what}{about}"


_KIND_NAMES = {
    "money": ("price or cost", "价格或成本"), "percent": ("percentage", "百分比"), "duration": ("duration", "时长"),
    "rate": ("throughput or bandwidth", "吞吐量或带宽"), "count": ("count", "数量"), "memory": ("memory size", "内存大小"),
    "energy": ("energy figure", "耗电量"), "power": ("power figure", "功率"), "flops": ("compute (FLOPs)", "计算量"),
    "parameters": ("parameter count", "参数量"), "emissions": ("emissions figure", "排放量"),
}


# ------------------------------------------------------------------ the topic itself

def _kind_word(word: str) -> bool:
    from app.question.asked import ANSWER_TYPES, VALUE_KINDS

    return any(q.search(word) for q, _ in list(VALUE_KINDS.values()) + list(ANSWER_TYPES.values()))


def topic_words(question: Question) -> list[str]:
    """What the question is about, most specific first: its keywords less the words that ask for a kind of
    value (cost, 多少, 耗电量). Chinese keywords are ranked by jieba's general-language IDF (a word rare in
    Chinese at large is specific); English words keep their order.

    >>> topic_words(Question("比特币挖矿的耗电量是多少？"))[:2]
    ['挖矿', '比特']
    """
    if question.language == "zh":
        import jieba.analyse

        words = [w for w in jieba.analyse.extract_tags(question.text, topK=8) if re.search(r"[\u4e00-\u9fff]", w)]
    else:
        words = [w for w in question.words if re.fullmatch(r"[a-z][a-z-]+", w)]
    return [w for w in words if not _kind_word(w)]


def _in_notes(word: str, corpus: str, vocabulary: set[str]) -> bool:
    if word in vocabulary or squash(word) in corpus:
        return True
    translations = EN_ZH.get(word, ()) + EN_ZH.get(word.rstrip("s"), ())
    if any(squash(z) in corpus for z in translations):
        return True
    from app.retrieval.lexicon import expand_chinese

    return any(t in vocabulary or squash(t) in corpus for t in expand_chinese(word))


def _names_present(question: Question, corpus: str) -> bool:
    """The question names a model, chip or other thing that the notes mention."""
    named = [c for c in constraints(question) if not c.isdigit()]
    named += [n for n in candidate_names(question.text, question.language) if n.lower() not in _GENERIC_NAMES]
    return any(_holds(n, corpus) for n in named)


def topic_gap(question: Question, corpus: str, vocabulary: set[str]) -> list[str] | None:
    """The question's topic words that the notes never use, in either language, when they say what it
    is about: the most specific Chinese keyword, or most of the English ones ('bitcoin mining'). None
    when the question names something the notes have (a model, a chip): that is judged by its passages."""
    if _names_present(question, corpus):
        return None
    words = topic_words(question)
    if not words:
        return None
    absent = [w for w in words if not _in_notes(w, corpus, vocabulary)]
    if question.language == "zh":
        return absent[:1] if words[0] in absent else None
    return absent if len(absent) * 2 > len(words) else None
