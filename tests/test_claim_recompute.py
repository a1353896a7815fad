"""Claims recomputed with the matching calculator (issue 4, items 1 and 5), over the shipped notes.

"GPT-3训练一次真的只要140万美元吗？" -> training_cost from GPT-3's 175B parameters and 300B
tokens (as the notes give them) with the TPU v4 defaults -> $1,398,072: consistent. The claimed
figure is never an input; a claim without a required input (daily visitors, servers) is judged
from the passages alone.
"""

from __future__ import annotations

import pytest

from app.answer.assistant import Assistant
from app.routes.calculation import asks_besides_claim, run_request
from app.routes.claim_recompute import calculation_for_claim
from app.routes.claim import check_claim_question, claim_text
from app.retrieval.retriever import Retriever
from calculators.units import parse_quantity
from ingest.index import load_index
from app.answer.render_markdown import render_markdown

GPT3_COST = 1_398_072  # 6 x 175e9 x 300e9 / (275e12 x 0.462) / 3600 chip-hours x $2.03


@pytest.fixture(scope="module")
def assistant(kb_index, embedders):
    settings, _ = kb_index
    return Assistant(settings=settings, retriever=Retriever(load_index(settings), settings, embedders=embedders), embedders=embedders)


# ------------------------------------------------------------------ the request, without the index

def test_gpt3_cost_claim_is_recomputed_from_the_model_name():
    req = calculation_for_claim("GPT-3训练一次只要140万美元", parse_quantity("140万美元"))
    assert req.calculator == "training_cost" and req.target == "cost" and not req.missing
    assert req.inputs["params"].value == 175e9 and "Brown et al. 2020" in req.inputs["params"].source
    assert req.inputs["tokens"].value == 300e9 and "300B tokens" in req.inputs["tokens"].source
    assert req.inputs["peak_flops"].source.startswith("default") and req.inputs["price_per_chip_hour"].value == 2.03
    assert round(run_request(req).outputs[0].value) == GPT3_COST


def test_the_claimed_figure_is_never_an_input():
    claim = "Training a 175B-parameter model on 300B tokens costs $1.4M"
    req = calculation_for_claim(claim, parse_quantity("$1.4M"))
    assert req.calculator == "training_cost"
    assert req.inputs["params"].source == "question" and req.inputs["tokens"].source == "question"
    assert all(used.value != 1.4e6 for used in req.inputs.values())
    # the same claim about the parameters: the cost is an output, so the parameters cannot be recomputed
    assert calculation_for_claim(claim, parse_quantity("175B")) is None


@pytest.mark.parametrize("claim, figure", [
    ("ChatGPT needs 30,382 A100s", "30,382"),  # fleet_size needs the daily visitors
    ("ChatGPT's fleet needs 542 racks", "542 racks"),  # rack_count needs the servers
    ("training costs $1.4M", "$1.4M"),  # no model, no parameters, no tokens
])
def test_no_request_without_every_required_input(claim, figure):
    assert calculation_for_claim(claim, parse_quantity(figure)) is None


@pytest.mark.parametrize("claim, figure, calculator, output, value", [
    ("25 million daily visitors need 30,382 A100s", "30,382", "fleet_size", "gpus", 30382),
    ("3,798 servers fill 543 racks", "543 racks", "rack_count", "racks", 543),
    ("训练GPT-3需要3640 PF-days", "3640 PF-days", "training_compute", "pf_days", 3645.8),
    ("542个机柜一天电费4.7万美元", "4.7万美元", "rack_power", "electricity_cost_per_day", 47349.1),
    ("1000 H100s can train GPT-3 in 5 days", "5 days", "training_time", "days", 7.98),
])
def test_the_calculator_is_chosen_by_unit_and_words(claim, figure, calculator, output, value):
    req = calculation_for_claim(claim, parse_quantity(figure))
    assert (req.calculator, req.target) == (calculator, output)
    first = run_request(req).outputs[0]
    assert first.name == output and first.value == pytest.approx(value, rel=1e-3)


def test_a_claim_question_that_also_asks_to_compute():
    assert asks_besides_claim("How much did GPT-3 cost to train, and is $1.4M right?")
    assert asks_besides_claim("训练GPT-3要花多少钱？140万美元对吗？")
    assert not asks_besides_claim("GPT-3训练一次真的只要140万美元吗？")
    assert not asks_besides_claim("Is it true that training GPT-3 cost $12 million?")


# ------------------------------------------------------------------ the answers

def cost_output(ans):
    return next(o for o in ans.outputs if o.name == "cost")


@pytest.mark.parametrize("question, word", [
    ("GPT-3训练一次真的只要140万美元吗？", "一致"),
    ("Is it true that training GPT-3 cost $1.4 million?", "consistent"),
])
def test_supported_claim_carries_its_recomputation(assistant, question, word):
    ans = assistant.answer(question)
    assert ans.route == "claim" and ans.routes == ["claim"] and ans.verdict == "supported"
    assert [c.calculator for c in ans.calculations] == ["training_cost"]
    assert round(cost_output(ans).value) == GPT3_COST and ans.outputs[0].name == "cost"
    assert "1,398,072" in render_markdown(ans) and word in render_markdown(ans)
    assert any("140万美元" in c.quote for c in ans.citations)  # and the notes say so too
    assert ans.context["calc_request"].calculator == "training_cost"


@pytest.mark.parametrize("question", [
    "How much did GPT-3 cost to train, and is $1.4M right?",
    "训练GPT-3要花多少钱？140万美元对吗？",
])
def test_how_much_and_is_it_right_takes_both_routes(assistant, question):
    ans = assistant.answer(question)
    assert ans.routes == ["claim", "calculate"] and ans.route == "calculate"
    assert ans.verdict == "supported"
    assert len(ans.calculations) == 1 and ans.calculations[0].calculator == "training_cost"  # listed once
    assert round(cost_output(ans).value) == GPT3_COST
    assert "1,398,072" in render_markdown(ans) and "6 × 1.75e11 × 3e11" in render_markdown(ans)  # the step table of the calculation part


def test_calculation_part_and_recomputation_are_listed_once(assistant):
    ans = assistant.answer("How much would a 175B model on 300B tokens cost to train, and is $1.4M right?")
    assert ans.routes == ["claim", "calculate"] and ans.verdict == "supported"
    assert len(ans.calculations) == 1 and round(cost_output(ans).value) == GPT3_COST


@pytest.mark.parametrize("question, claimed", [
    ("Is it true that training GPT-3 cost $12 million?", "$12 million"),
    ("训练GPT-3真的要花1200万美元吗？", "1200万美元"),
])
def test_contradicted_by_recomputation_even_when_a_passage_mentions_the_figure(assistant, question, claimed):
    check = check_claim_question(question, assistant.retriever, assistant.notes_arithmetic)
    assert check.consistent is False and check.verdict == "contradicted"
    assert check.supporting  # the notes mention 1200万美元 (for larger models, PaLM and Gopher) ...
    assert check.contradicting and check.contradicting[0][1].value == pytest.approx(1.4e6)  # ... and 140万美元 for GPT-3
    ans = assistant.answer(question)
    assert ans.route == "claim" and ans.verdict == "contradicted"
    assert "1,398,072" in render_markdown(ans) and claimed in render_markdown(ans) and "758.3%" in render_markdown(ans)
    assert "140万美元" in ans.citations[0].quote  # what the notes give for GPT-3 comes first
    assert ans.calculations[0].calculator == "training_cost"


def test_supported_by_recomputation_when_no_passage_states_the_figure(assistant):
    ans = assistant.answer("Is it true that training Gopher cost about $2.2M?")
    assert ans.verdict == "supported" and "by recomputation" in render_markdown(ans)
    assert round(cost_output(ans).value) == 2_236_915  # Gopher: 280B parameters, 300B tokens, as the notes give
    check = check_claim_question("Is it true that training Gopher cost about $2.2M?", assistant.retriever,
                                 assistant.notes_arithmetic)
    assert check.by_recomputation and not check.supporting


@pytest.mark.parametrize("question, verdict", [
    ("Is it true that ChatGPT needs 30,382 A100s?", "supported"),  # the notes state it; visitors unknown
    ("Is it true that ChatGPT's fleet needs 542 racks?", "contradicted"),  # the notes' 3,798 / 7 rounds down
])
def test_unknown_required_input_means_no_recomputation(assistant, question, verdict):
    check = check_claim_question(question, assistant.retriever, assistant.notes_arithmetic)
    assert check.calculation is None and check.consistent is None
    ans = assistant.answer(question)
    assert ans.route == "claim" and ans.verdict == verdict and not ans.calculations and not ans.outputs


def test_the_corrected_figure_is_not_contradicted_by_the_notes_slip(assistant):
    ans = assistant.answer("Is it true that 3,798 servers fill 543 racks?")
    assert ans.verdict == "supported" and ans.calculations[0].calculator == "rack_count"
    assert "542" in render_markdown(ans)  # the notes' rounding is still shown


def test_a_follow_up_changes_the_recomputation(assistant):
    first = assistant.answer("GPT-3训练一次真的只要140万美元吗？")
    follow = assistant.answer("what if MFU is 40%?", history=[first])
    assert follow.route == "calculate" and follow.calculations[0].calculator == "training_cost"
    assert cost_output(follow).value == pytest.approx(GPT3_COST * 0.462 / 0.4, rel=1e-3)


def test_claim_text_keeps_the_figure():
    assert claim_text("Is it true that training GPT-3 cost $12 million?") == "training GPT-3 cost $12 million"
