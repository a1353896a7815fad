"""A calculator default is cited to the loaded notes only when a loaded passage states its figure;
otherwise its public source stands alone, and no answer names a notes file that is not loaded.

Over the shipped notes (kb/) defaults are cited to kb passages that hold the figure; over notes in
other people's styles (tests/fixtures/other_styles/) `kbqa ask --json` never names a kb/ file."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from app.answer.assistant import Assistant
from app.retrieval.retriever import Retriever
from app.routes.default_sources import states_figure
from conftest import FIXTURES, KB
from ingest.index import load_index
from ingest.settings import Settings

ALSO = "; also in your notes ["


@pytest.fixture(scope="module")
def kb_assistant(kb_index, embedders):
    settings, _ = kb_index
    return Assistant(settings=settings, retriever=Retriever(load_index(settings), settings, embedders=embedders),
                     embedders=embedders)


def default_inputs(answer) -> dict:
    return {i.name: i for c in answer.calculations for i in c.inputs if i.source.startswith("default")}


def cited_for(answer, used):
    n = int(used.source.rsplit("[", 1)[1].rstrip("]"))
    return answer.citation(n)


def on_the_cited_lines(citation, root) -> str:
    lines = (root / citation.file).read_text(encoding="utf-8").splitlines()
    return "".join(lines[citation.lines[0] - 1: citation.lines[1]])


# ------------------------------------------------------------------ over the shipped notes

@pytest.mark.parametrize("question, name, figure", [
    ("How much does it cost to train a 175B model on 300B tokens?", "mfu", "46.2%"),
    ("用1000张H100训练700亿参数、1.4万亿token要多少天", "mfu", "46.2%"),
    ("ChatGPT每天2500万访客，需要多少台服务器？", "seconds_per_word", "350ms"),
    ("100个机柜一天电费多少？", "electricity_price", "0.08美元/kwh"),
])
def test_a_default_the_notes_state_is_cited_to_their_passage(kb_assistant, question, name, figure):
    answer = kb_assistant.answer(question)
    used = default_inputs(answer)[name]
    assert ALSO in used.source, used.source
    public = used.source.split(ALSO)[0]
    assert "kb/" not in public and ".txt" not in public  # the public source stays, naming no notes file
    citation = cited_for(answer, used)
    assert figure in citation.quote.replace(" ", "") and figure in on_the_cited_lines(citation, KB).replace(" ", "")
    from app.answer.render_markdown import citation_line, render_markdown

    assert citation_line(citation, answer.language) in render_markdown(answer)  # the [n] in the table resolves


def test_a_chips_mfu_is_assumed_for_it_and_still_cited_to_the_notes(kb_assistant):
    used = default_inputs(kb_assistant.answer("用1000张H100训练700亿参数、1.4万亿token要多少天"))["mfu"]
    assert "measured on TPU v4, assumed for H100 SXM" + ALSO in used.source


def test_a_default_the_notes_do_not_state_keeps_its_public_source_alone(kb_assistant):
    answer = kb_assistant.answer("How much does it cost to train a 175B model on 300B tokens?")
    price = default_inputs(answer)["price_per_chip_hour"]  # $2.03 is in a table image, not in the notes' text
    assert price.source == "default: $2.03, Cloud TPU v4 with a 1-year commitment (https://cloud.google.com/tpu/pricing)"
    assert len(answer.citations) == len({c.n for c in answer.citations})


def test_citations_of_defaults_follow_the_answers_own(kb_assistant):
    """A claim question's citations come first; a default's citation is numbered after them."""
    answer = kb_assistant.answer("How much did GPT-3 cost to train, and is $1.4M right?")
    numbers = [c.n for c in answer.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    for used in default_inputs(answer).values():
        if ALSO in used.source:
            assert cited_for(answer, used) is not None


# ------------------------------------------------------------------ over other people's notes

@pytest.fixture(scope="module")
def other_styles(tmp_path_factory):
    root = tmp_path_factory.mktemp("other-styles-defaults")
    kb = shutil.copytree(FIXTURES / "other_styles", root / "notes")
    Assistant.open(Settings(kb=kb, index=root / "index"))  # build the index once
    return kb, root / "index"


@pytest.mark.parametrize("question", [
    "How much does it cost to train a 175B model on 300B tokens?",
    "用1000张H100训练700亿参数、1.4万亿token要多少天",
    "ChatGPT每天2500万访客，需要多少台服务器？",
    "100个机柜一天电费多少？",
    "How much memory to train a 70B model, and how many GPUs?",
])
def test_no_kb_file_is_named_over_other_notes(other_styles, question):
    from app.cli.ask import ask

    kb, index = other_styles
    out = CliRunner().invoke(ask, [question, "--json", "--kb", str(kb), "--index", str(index)])
    assert out.exit_code == 0, out.output
    assert "kb/0" not in out.output and "_420203dd" not in out.output
    data = json.loads(out.output.strip().splitlines()[-1])
    assert data["route"] == "calculate"
    files = {c["file"] for c in data["citations"]}
    assert files <= {p.name for p in kb.iterdir()}


def test_a_default_other_notes_state_is_cited_to_them(other_styles):
    kb, index = other_styles
    assistant = Assistant.open(Settings(kb=kb, index=index))
    answer = assistant.answer("How much memory to train a 70B model, and how many GPUs?")
    memory = default_inputs(answer)["gpu_memory"]  # H100, 80 GB: the model card says 'H100 80GB GPUs'
    assert memory.source.startswith("default: H100, 80 GB: NVIDIA H100") and ALSO in memory.source
    citation = cited_for(answer, memory)
    assert "80GB" in citation.quote and "80GB" in on_the_cited_lines(citation, kb)


# ------------------------------------------------------------------ stating a figure

@pytest.mark.parametrize("text, value, unit, words", [
    ("售价约为19.9万美元/台。", 199000, "USD/server", "19.9万美元/台"),  # a per-item figure
    ("最大功率约为6.5kw", 6500, "W/GPU", "6.5kw"),  # another unit of the same dimension
    ("FLOPS利用率为46.2%", 0.462, "", "46.2%"),
    ("MFU was 46%", 0.462, "", "46%"),  # rounded: within SAME_FIGURE_RTOL it is the same figure
    ("MFU was 40%", 0.462, "", None),
    ("0.02美元/1000个token", 0.02, "USD/1K token", "0.02美元/1000个token"),
    ("350 GPUs", 350, "word", None),  # counts of different things
    ("about 8 of them", 8, "GPU/server", None),  # a bare small number
    ("6.5 kW", 6.5, "USD", None),  # another dimension
])
def test_states_figure(text, value, unit, words):
    assert states_figure(text, value, unit) == words
