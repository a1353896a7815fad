"""Calculations from any phrasing: quantities read by what they measure, chains, nothing dropped.

The questions are written for these tests, one per phrasing class, in English and Chinese."""

import math

import pytest

from app.question import Question
from app.routes.calculation import detect_calculation, run_request
from app.routes.chain import CHAIN


def answer(text: str):
    request = detect_calculation(Question(text))
    assert request is not None, text
    assert not request.missing, (text, request.calculator, request.missing)
    return request, run_request(request)


def first(calc, unit):
    return next(o.value for o in calc.outputs if o.unit == unit)


@pytest.mark.parametrize("text, unit, expected", [
    # GPU-hours x a price per GPU-hour -> money
    ("A fine-tune used 120,000 GPU hours rented at $1.8 per GPU-hour. What did it cost?", "USD", 216000),
    ("微调用了 12 万卡时，每卡时 1.8 美元，一共花多少钱？", "USD", 216000),
    # GPUs x power x hours -> energy
    ("512 GPUs drawing 400 W each ran for 100 hours. How much energy is that in kWh?", "kWh", 20480),
    ("512 张卡，每张卡 400 W，跑了 100 小时，耗电多少千瓦时？", "kWh", 20480),
    # achieved / peak -> a fraction
    ("Each GPU sustained 150 TFLOPS against a 312 TFLOPS peak. What is the utilisation?", "", 150 / 312),
    ("每张卡实际跑到 150 TFLOPS，峰值 312 TFLOPS，利用率是多少？", "", 150 / 312),
    # a unit price x a count -> money
    ("If one accelerator costs $12,000, what do 300 GPUs cost?", "USD", 3.6e6),
    ("每张卡 1.2 万美元，300 张卡一共多少钱？", "USD", 3.6e6),
    # weights at a named precision -> bytes
    ("How many bytes do the INT4 weights of a 13B-parameter model take?", "byte", 6.5e9),
    ("130 亿参数的模型用 FP16 存，权重占多少字节？", "byte", 26e9),
    # whole counts through per-item figures -> racks
    ("1,024 GPUs go 8 GPUs per server and 4 servers per rack: how many racks?", "rack", 32),
    ("1024 张卡，每台服务器插 8 张卡，每个机柜放 4 台服务器，需要多少个机柜？", "rack", 32),
])
def test_each_phrasing_class_in_both_languages(text, unit, expected):
    _, calc = answer(text)
    assert first(calc, unit) == pytest.approx(expected, rel=1e-6)


def test_a_chain_is_shown_with_inputs_formula_and_steps():
    request, calc = answer("512 GPUs drawing 400 W each ran for 100 hours. How much energy is that in kWh?")
    assert request.calculator == CHAIN
    assert calc.formula == "energy = gpus × hours × w_per_gpu/1000"
    assert calc.steps[-1] == "energy = 20,480 kWh"
    assert {i.text for i in calc.inputs} == {"512 GPUs", "400 W", "100 hours"}


def test_a_plain_number_that_is_a_name_is_listed_as_not_used():
    _, calc = answer("Llama 3.1 ran 1M GPU hours at 700 W each. How much energy in kWh?")
    assert first(calc, "kWh") == pytest.approx(700_000)
    assert any(u.startswith("3.1:") for u in calc.unused)


def test_an_overhead_is_applied_where_the_calculator_has_the_factor():
    _, plain = answer("How many 80GB GPUs are needed to train a 70B model with Adam?")
    _, more = answer("How many 80GB GPUs are needed to train a 70B model with Adam, plus 25% overhead for activations?")
    assert first(plain, "GPU") == 18 and first(more, "GPU") == 22
    _, zh = answer("训练 700 亿参数的模型，激活值多 25%，需要多少张 80GB 显卡？")
    assert first(zh, "GPU") == 22


def test_an_overhead_a_calculator_cannot_apply_is_flagged():
    _, calc = answer("How many FLOPs does it take to train a 7B-parameter model on 1T tokens, with 10% overhead?")
    assert any("NOT applied" in u for u in calc.unused)


def test_ambiguous_chains_are_said_to_be():
    from app.routes.chain import find_chain

    chain = find_chain(Question("A job ran 100 GPU-hours and 300 GPU-hours at $2 per GPU-hour: what did it cost?"))
    assert chain is not None and chain.result.outputs[0].value in (200, 600, 800) or chain is None


@pytest.mark.parametrize("text, unit", [
    ("总共耗电多少千瓦时？", "kWh"), ("How much energy is that in kWh?", "kWh"), ("一共要花多少钱？", "USD"),
    ("What would it cost at 40% utilisation?", "USD"), ("需要多少天？", "day"), ("How long will it take?", "day"),
    ("利用率是多少？", ""), ("What is the utilization?", ""), ("权重占多少字节？", "byte"),
    ("How many bytes do the weights take?", "byte"), ("How many 141 GB H200 GPUs are needed?", "GPU"),
    ("多少个机柜？", "rack"), ("How many tokens can I train on?", "token"),
])
def test_the_asked_quantity_in_both_languages(text, unit):
    assert Question(text).asked_unit == unit


@pytest.mark.parametrize("text, unit, value", [
    ("278.8 万个 H800 GPU 小时", "GPU-hour", 2.788e6), ("30.84M GPU hours", "GPU-hour", 30.84e6),
    ("用了 100 万卡时", "GPU-hour", 1e6), ("1.4 万亿词元", "token", 1.4e12), ("3,798 GPU servers", "server", 3798),
    ("37B activated parameters", "parameter", 37e9), ("GPUs drawing 700 W each", "W/GPU", 700),
    ("每张卡按 300 W", "W/GPU", 300), ("one H100 costs $25,000", "USD/GPU", 25000),
    ("每台服务器插 8 张卡", "GPU/server", 8), ("每个机柜放 4 台服务器", "server/rack", 4),
    ("each GPU sustains 140 TFLOP/s", "FLOP/GPU-s", 140e12), ("按每 GPU 小时 2 美元", "USD/GPU-hour", 2),
    ("每张GPU每秒3000个token", "token/GPU-s", 3000), ("每卡每秒处理 380 个词元", "token/GPU-s", 380),
    ("each GPU processes 3,000 tokens a second", "token/GPU-s", 3000), ("3,000 tokens per second per GPU", "token/GPU-s", 3000),
    ("每秒生成 30 个 token", "token/s", 30),
])
def test_quantities_read_by_what_they_measure(text, unit, value):
    found = [q for q in Question(text).quantities if q.unit == unit]
    assert found and found[0].value == pytest.approx(value), [(q.value, q.unit) for q in Question(text).quantities]


def test_modifiers_are_overheads():
    kinds = [q.kind for q in Question("+25%, 多 25%, an overhead of 20%, at 40% MFU").quantities]
    assert kinds == ["overhead", "overhead", "overhead", ""]


def test_precisions_by_name():
    assert [(q.text, q.value) for q in Question("fp32, bf16, FP8 and int4 weights").precisions] == [
        ("fp32", 4.0), ("bf16", 2.0), ("FP8", 1.0), ("int4", 0.5)]


def test_a_lookup_with_numbers_is_not_made_a_chain():
    assert detect_calculation(Question("What did the notes say about the 1,024 A100s and 140 TFLOP/s?")) is None
    assert detect_calculation(Question("GPT-3 的 1750 亿参数是怎么来的？")) is None


def test_new_catalog_entries_are_read_from_questions():
    request = detect_calculation(Question("用 1000 张 H800 训练 700 亿参数、1.4 万亿 token 要多少天？"))
    assert request.inputs["peak_flops"].value == 989e12
    assert "H800" in request.inputs["peak_flops"].source
    assert not math.isnan(run_request(request).outputs[0].value)


# ---------------------------------------------------------------- a token rate per GPU (a routing gap)

@pytest.mark.parametrize("text", [
    "a 7B model on 1T tokens at 3000 tokens/s per GPU on 64 GPUs, how many days?",
    "How many days to train a 7B model on 1T tokens at 3,000 tokens per second per GPU on 64 GPUs?",
    "Each GPU processes 3,000 tokens a second; a 7B model, 64 GPUs, 1T tokens: how long in days?",
    "7B模型训练1万亿token，每张GPU每秒3000个token，64张GPU，需要多少天？",
    "用64张卡训练70亿参数模型，1万亿词元，单卡吞吐3000 tokens/s，要几天？",
])
def test_a_token_rate_per_gpu_gives_the_time_whatever_the_model_size(text):
    """1T / (64 x 3,000 tokens/s) = 60.3 days; the model's size does not enter (a chain of 7B x 1T / (64 x
    3,000/s) is parameter-seconds, about 1e11 'days'), nor peak x MFU when the throughput is given."""
    request = detect_calculation(Question(text))
    assert request.calculator == "training_time_from_tokens_per_second", request.calculator
    days = run_request(request).outputs[0]
    assert days.unit == "day" and days.value == pytest.approx(1e12 / (64 * 3000) / 86400, rel=1e-9)
    assert len(request.unused) == 1 and "parameter" in request.unused[0]  # the size, listed as not used


def test_a_chain_leaves_no_count_over_unless_a_figure_could_be_one_items():
    from app.routes.chain import find_chain

    wrong = find_chain(Question("a 7B model on 1T tokens at 3000 tokens/s per GPU on 64 GPUs, how many days?"))
    assert wrong is not None and "7B" not in {t.quantity.text for t in wrong.terms}
    per_item = find_chain(Question("The GPUs sustain 400 TFLOP/s per GPU against a peak of 989 TFLOP/s: what utilisation?"))
    assert per_item is not None and per_item.result.outputs[0].value == pytest.approx(400 / 989)


def test_a_count_that_does_not_cancel_is_left_out_rather_than_multiplied_in():
    """'7 layers' in an energy question is not a multiplier: the exact chain without it wins, and the layers
    are listed as unused (it used to give 7x the energy, flagged only by a note)."""
    from app.routes.chain import find_chain
    from app.question import Question

    chain = find_chain(Question("64 GPUs drawing 300 W each ran for 79.2 hours, and the model has 7 layers: how much energy in kWh?"))
    assert round(chain.result["energy"], 2) == 1520.64 and not chain.notes
    assert any(u.startswith("7") for u in chain.unused)
