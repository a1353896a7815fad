"""The offline calculation router: which questions are calculations, which calculator, which inputs.

Each phrasing states the inputs the question gives (read by the units parser and the
words beside them); a few also state the first output of the asked unit. The
`calculate` lines of tests/data/kb_questions.jsonl (and of ../shared's dev set, when present) are
checked end to end.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from app.routes.calculation import (CalcRequest, detect_calculation, is_claim_question, json_unit, run_request,
                             without_claims)
from app.question.quantities import question_quantities, spell_out_numbers, simple_fractions
from conftest import EVAL_FILES, eval_lines

# (question, calculator, inputs read from the question)
PHRASINGS = [
    # training compute
    ("How many FLOPs does it take to train a 175B-parameter model on 300B tokens?", "training_compute",
     {"params": 175e9, "tokens": 300e9}),
    ("训练一个1750亿参数的模型、3000亿token，需要多少算力？", "training_compute",
     {"params": 175e9, "tokens": 300e9}),
    ("How much compute (in PF-days) does training a 70 billion parameter model on 1.4 trillion tokens take?",
     "training_compute", {"params": 70e9, "tokens": 1.4e12}),
    ("训练７０Ｂ模型用１.４万亿token的计算量是多少？", "training_compute", {"params": 70e9, "tokens": 1.4e12}),
    # training cost
    ("What would it cost to train GPT-3 (175B params, 300B tokens) on TPU v4 at 46.2% FLOPS utilization and "
     "$2.03 per chip-hour?", "training_cost",
     {"params": 175e9, "tokens": 300e9, "mfu": 0.462, "price_per_chip_hour": 2.03}),
    ("训练一个2800亿参数的模型，用3000亿token，按每芯片小时2.03美元算，要花多少钱？", "training_cost",
     {"params": 280e9, "tokens": 300e9, "price_per_chip_hour": 2.03}),
    ("How much does it cost to train a 540B model on 780 billion tokens at $2.03/hr per chip?", "training_cost",
     {"params": 540e9, "tokens": 780e9, "price_per_chip_hour": 2.03}),
    ("训练一个70亿参数、2万亿token的模型成本是多少？利用率50%，2.03 美元/小时", "training_cost",
     {"params": 7e9, "tokens": 2e12, "mfu": 0.5, "price_per_chip_hour": 2.03}),
    # training time
    ("用1000张H100训练700亿参数、1.4万亿token要多少天", "training_time",
     {"chips": 1000, "params": 70e9, "tokens": 1.4e12}),
    ("用1000张H100（峰值989 TFLOPS，利用率40%）训练一个700亿参数、1.4万亿token的模型，需要多少天？", "training_time",
     {"chips": 1000, "peak_flops": 989e12, "mfu": 0.4, "params": 70e9, "tokens": 1.4e12}),
    ("How long would it take to train a 13B model on 2T tokens with 512 A100s at 50% MFU?", "training_time",
     {"params": 13e9, "tokens": 2e12, "chips": 512, "mfu": 0.5}),
    ("How many days to train a 7B-parameter model on 1 trillion tokens using 256 GPUs?", "training_time",
     {"params": 7e9, "tokens": 1e12, "chips": 256}),
    # solving, budgets, deadlines
    ("How many tokens can I train a 7B model on with a budget of 1e23 FLOPs?", "tokens_for_budget",
     {"params": 7e9, "flops": 1e23}),
    ("预算是1e24 FLOPs，训练2万亿token，模型参数量最多多大？", "params_for_budget", {"flops": 1e24, "tokens": 2e12}),
    ("How many H100s do I need to train a 70B model on 1.4T tokens within 30 days?", "chips_for_deadline",
     {"params": 70e9, "tokens": 1.4e12, "days": 30}),
    ("想在30天内训练完一个700亿参数、1.4万亿token的模型，需要多少张H100？", "chips_for_deadline",
     {"params": 70e9, "tokens": 1.4e12, "days": 30}),
    # serving
    ("What is the inference cost per 1000 tokens for a 175B model on A100s (312 TFLOPS peak, 21.3% utilization) "
     "at $19.22 per hour for an 8-GPU instance?", "cost_per_1k_tokens",
     {"params": 175e9, "peak_flops": 312e12, "mfu": 0.213, "instance_price_per_hour": 19.22, "gpus_per_instance": 8}),
    ("一个700亿参数的模型推理，每千token成本是多少？", "cost_per_1k_tokens", {"params": 70e9}),
    ("What does a ChatGPT-equivalent search query cost on a $0.02 per 1000 token API with a 50-word prompt, a "
     "400-word answer, 5 sampled answers, 750 words per 1000 tokens, a 30% cache hit rate and a 75% gross margin "
     "for the provider?", "cost_per_query",
     {"price_per_1k_tokens": 0.02, "prompt_words": 50, "response_words": 400, "samples": 5,
      "words_per_1k_tokens": 750, "cache_hit_rate": 0.3, "margin": 0.75}),
    ("缓存命中率50%、毛利率60%时，每次查询的成本是多少？", "cost_per_query", {"cache_hit_rate": 0.5, "margin": 0.6}),
    ("How many A100 GPUs are needed to serve 25 million daily visitors asking 10 questions each, 30 words per "
     "answer, at 350 ms per word?", "fleet_size",
     {"daily_visitors": 25e6, "questions_per_visitor": 10, "words_per_question": 30, "seconds_per_word": 0.35}),
    ("如果每天有5000万访客，每人提问10个问题，需要多少台服务器？", "fleet_size",
     {"daily_visitors": 5e7, "questions_per_visitor": 10}),
    ("How many servers would 100 million daily users need at 350ms per word?", "fleet_size",
     {"daily_visitors": 1e8, "seconds_per_word": 0.35}),
    ("一天有1亿用户，每人问5个问题，需要多少张A100？", "fleet_size", {"daily_visitors": 1e8, "questions_per_visitor": 5}),
    ("How much would serving a 13B model cost per 1K tokens on H100s at $2.5 per GPU-hour?", "cost_per_1k_tokens",
     {"params": 13e9, "instance_price_per_hour": 2.5, "gpus_per_instance": 1}),
    # racks and power
    ("How many racks are needed for 3,798 DGX A100 servers if a 42U rack holds 6U servers?", "rack_count",
     {"servers": 3798, "rack_units": 42, "server_units": 6}),
    ("3798台服务器需要多少个机柜？", "rack_count", {"servers": 3798}),
    ("542个机柜，每个机柜功率45.5kW，电价0.08美元/kWh，一天电费是多少？", "rack_energy",
     {"racks": 542, "rack_power": 45.5, "electricity_price": 0.08}),
    ("How many kWh per day does one rack of seven 6.5 kW DGX A100 servers use at full power?", "rack_power",
     {"racks": 1, "servers_per_rack": 7, "server_power": 6.5}),
    ("100个机柜每天用多少度电？", "rack_power", {"racks": 100}),
    ("What is the yearly electricity bill of 200 racks at $0.1/kWh?", "rack_power",
     {"racks": 200, "electricity_price": 0.1}),
    ("两个机柜，每台服务器功率6.5kw，一天电费多少？", "rack_power", {"racks": 2, "server_power": 6.5}),
    ("542个机柜的初始投入是多少钱？", "rack_capital_cost", {"racks": 542}),
    ("1000台DGX A100服务器需要多少个机柜，每个机柜42U？", "rack_count", {"servers": 1000, "rack_units": 42}),
    ("What is the daily electricity cost of 100 racks at 45.5 kW each and $0.12/kWh?", "rack_energy",
     {"racks": 100, "rack_power": 45.5, "electricity_price": 0.12}),
    ("100个机柜，每柜45.5千瓦，每天用电多少千瓦时？", "rack_energy", {"racks": 100, "rack_power": 45.5}),
    # memory
    ("How much GPU memory do the FP16 weights of a 70B model need?", "inference_memory",
     {"params": 70e9, "bytes_per_param": 2}),
    ("训练一个1750亿参数的模型需要多少显存？", "training_memory", {"params": 175e9}),
    ("How many 80GB GPUs are needed to train a 70B model with Adam?", "training_memory",
     {"params": 70e9, "gpu_memory": 80e9}),
    ("How much memory do the INT8 weights of a 70B model take?", "inference_memory",
     {"params": 70e9, "bytes_per_param": 1}),
    ("How much memory does training a 340M-parameter model with Adam take, at 20 bytes per parameter?",
     "training_memory", {"params": 340e6, "bytes_per_param": 20}),
    ("What is the KV cache size for 80 layers, 8 KV heads, head dimension 128 and 4096 tokens?", "kv_cache",
     {"layers": 80, "kv_heads": 8, "head_dim": 128, "tokens": 4096}),
    # scaling laws
    ("Under the Chinchilla rule of about 20 tokens per parameter, what is the compute-optimal model size for a "
     "budget of 5.76e23 FLOPs?", "params_20_tokens_rule", {"flops": 5.76e23, "tokens_per_param": 20}),
    ("算力预算5.76e23 FLOPs时，按Chinchilla拟合的算力最优模型有多大？", "params_parametric_optimum", {"flops": 5.76e23}),
    ("What loss does Chinchilla's fit predict for a 1T-parameter model trained on 300B tokens?", "chinchilla_loss",
     {"params": 1e12, "tokens": 300e9}),
    # search economics
    ("如果年搜索收入1000亿美元，年搜索量2.1万亿次，每次搜索的收入是多少？", "revenue_per_query",
     {"annual_revenue": 100e9, "annual_queries": 2.1e12}),
    ("With $100 billion of search revenue a year and 2.1 trillion searches a year, what is the revenue per query?",
     "revenue_per_query", {"annual_revenue": 100e9, "annual_queries": 2.1e12}),
    ("If a query costs $0.066 and brings $0.048 of revenue, what is the cost to revenue ratio?", "cost_to_revenue",
     {"cost_per_query": 0.066, "revenue_per_query": 0.048}),
    ("每次查询成本0.066美元，模型降本到1/4，自建再降到1/2，最后每次查询成本是多少？", "stacked_cost_reduction",
     {"cost_per_query": 0.066, "model_cost_factor": 0.25, "infrastructure_cost_factor": 0.5}),
    # growth
    ("If GPU throughput grows 50% per generation, what is the annual growth rate?", "annual_rate",
     {"per_generation_rate": 0.5}),
    ("每代性能提升80%，每两年一代，年化增长率是多少？", "annual_rate", {"per_generation_rate": 0.8}),
    ("If costs decline 20% a year, how much is left after 2.5 years?", "compound_decline",
     {"annual_decline": 0.2, "years": 2.5}),
    ("If the cost falls 30% a year, what fraction remains after 3 years?", "compound_decline",
     {"annual_decline": 0.3, "years": 3}),
    ("For a 1e24 FLOP budget, what is the compute-optimal number of parameters?", "params_20_tokens_rule",
     {"flops": 1e24}),
    ("用2048张A100训练GPT-3需要多少天？", "training_time", {"chips": 2048}),
]


def _given(req: CalcRequest) -> dict[str, float]:
    return {n: u.value for n, u in req.inputs.items() if u.source == "question"}


@pytest.mark.parametrize("question,calculator,inputs", PHRASINGS, ids=[p[0][:40] for p in PHRASINGS])
def test_phrasing_reads_calculator_and_inputs(question, calculator, inputs):
    req = detect_calculation(question)
    assert req is not None, "not detected as a calculation"
    assert req.calculator == calculator
    given = _given(req)
    assert set(given) == set(inputs)
    for name, value in inputs.items():
        assert given[name] == pytest.approx(value, rel=1e-9), name
    assert req.missing == []
    run_request(req)  # runs: every required input is there


def test_there_are_at_least_forty_phrasings_in_both_languages():
    zh = [q for q, _, _ in PHRASINGS if any("\u4e00" <= ch <= "\u9fff" for ch in q)]
    assert len(PHRASINGS) >= 40 and len(zh) >= 15 and len(PHRASINGS) - len(zh) >= 15


# ---------------------------------------------------------------- not calculations

NOT_CALCULATIONS = [
    "GPT-3 的 1750 亿参数是怎么来的",
    "What did Sam Altman's tweet say about the cost of a ChatGPT chat?",
    "How many searches per month did Google process in 2012?",
    "要满足ChatGPT当前的访问量，需要多少片A100同时计算？",
    "一个标准机柜能放几台 DGX A100？",
    "DGX A100 服务器的售价是多少？",
    "How many A100 GPU-hours a day would it take to answer all of ChatGPT's questions?",
    "What is the minimum number of H100 cards needed just to fit GPT-3's training memory?",
    "How many unique visitors did ChatGPT have per day in January 2023?",
    "训练 GPT-3 在公有云上花多少钱？",
    "Why did the training cost of GPT-3-level models fall by 80% in two and a half years?",
    "According to the notes, what electricity price of $0.08 per kWh was assumed?",
    "For an incumbent search engine with over $100 billion in search revenue, how much extra cost would adding "
    "LLM-powered answers mean?",
    "How many FLOPs did training GPT-3 take?",
    # claims go to the claims checker
    "Is it true that ChatGPT needs 30,382 A100s?",
    "GPT-3训练一次真的只要140万美元吗？",
    "训练175B模型300B token要140万美元，对吗？",
    "Training GPT-3 costs $1.4M: is $1.4M right?",
]


@pytest.mark.parametrize("question", NOT_CALCULATIONS)
def test_lookups_and_claims_are_not_calculations(question):
    assert detect_calculation(question) is None


def test_claim_questions():
    assert is_claim_question("Is it true that ChatGPT needs 30,382 A100s?")
    assert is_claim_question("542个机柜一天电费4.7万美元，对吗？")
    assert not is_claim_question("一天电费是多少？")
    assert without_claims("How much would a 175B model on 300B tokens cost to train, and is $1.4M right?") == \
        "How much would a 175B model on 300B tokens cost to train"


def test_a_calculation_with_a_claim_clause_computes_the_calculation_part():
    req = detect_calculation("How much would a 175B model on 300B tokens cost to train, and is $1.4M right?")
    assert req.calculator == "training_cost" and _given(req) == {"params": 175e9, "tokens": 300e9}


# ---------------------------------------------------------------- filling in

def test_chip_gives_peak_from_the_catalog_and_defaults_are_assumed_with_citations():
    req = detect_calculation("用1000张H100训练700亿参数、1.4万亿token要多少天")
    assert req.inputs["peak_flops"].value == 989e12
    assert req.inputs["peak_flops"].source.startswith("hardware catalog: H100 SXM")
    assert req.inputs["mfu"].source.startswith("default: 46.2%, PaLM 540B's MFU on TPU v4: Chowdhery et al. 2022")
    assert req.inputs["mfu"].source.endswith("; measured on TPU v4, assumed for H100 SXM")
    assert sorted(req.assumed) == ["mfu", "peak_flops"]


def test_a_chips_default_mfu_is_an_assumption_for_that_chip_only():
    on_tpu = detect_calculation("How many days to train a 70B model on 1.4T tokens with 1000 TPU v4 chips?")
    assert "assumed for" not in on_tpu.inputs["mfu"].source
    on_a100 = detect_calculation("用1000张A100训练700亿参数、1.4万亿token要多少天")
    assert on_a100.inputs["mfu"].source.endswith("assumed for A100 40GB")
    follow = detect_calculation("换成H800呢？", previous=on_tpu)
    assert follow.inputs["peak_flops"].source.startswith("hardware catalog: H800")
    assert follow.inputs["mfu"].source.endswith("measured on TPU v4, assumed for H800")
    serving = detect_calculation("用H100部署700亿参数模型，每1000个token的成本是多少？")
    assert serving.calculator == "cost_per_1k_tokens"
    assert serving.inputs["mfu"].source.endswith("measured on V100, assumed for H100 SXM")


def test_explicit_values_override_the_catalog():
    req = detect_calculation("用1000张H100（峰值900 TFLOPS，利用率35%）训练700亿参数、1.4万亿token要多少天")
    assert req.inputs["peak_flops"].value == 900e12 and req.inputs["peak_flops"].source == "question"
    assert req.inputs["mfu"].value == 0.35 and req.assumed == []


def test_a_model_name_gives_its_size_as_a_cited_assumption():
    req = detect_calculation("How much would it cost to train GPT-3 at 40% MFU?")
    assert req.inputs["params"].value == 175e9 and "Brown et al. 2020" in req.inputs["params"].source
    assert req.inputs["tokens"].value == 300e9 and {"params", "tokens"} <= set(req.assumed)


def test_a_required_input_nobody_gives_is_missing_not_guessed():
    req = detect_calculation("How many days to train on 1.4 trillion tokens with 1000 H100s?")
    assert req.calculator == "training_time" and req.missing == ["params"]
    assert "params" not in req.inputs


def test_server_name_gives_power_from_the_catalog():
    req = detect_calculation("How many kWh a day do 10 racks of DGX H100 servers use?")
    assert req.calculator == "rack_power" and req.inputs["server_power"].value == 10.2
    assert req.inputs["server_power"].source.startswith("hardware catalog: DGX H100")


def test_a_result_given_with_one_input_missing_is_solved_for():
    req = detect_calculation("With $1.4 million, how many tokens can a 175B model be trained on?")
    assert req.calculator == "training_cost" and req.solve == "tokens"
    calc = run_request(req)
    assert calc.outputs[0].name == "tokens" and calc.outputs[0].value / 1e9 == pytest.approx(300.4, rel=1e-3)


# ---------------------------------------------------------------- follow-ups

@pytest.fixture
def training_time_request():
    return detect_calculation("用1000张H100训练700亿参数、1.4万亿token要多少天")


def test_follow_up_changes_mfu_and_keeps_the_rest(training_time_request):
    req = detect_calculation("what if MFU is 40%?", previous=training_time_request)
    assert req.calculator == "training_time"
    assert req.inputs["mfu"].value == 0.4 and req.inputs["mfu"].source == "question"
    assert req.inputs["chips"].source == "previous question" and req.inputs["chips"].value == 1000
    assert req.inputs["peak_flops"].source.startswith("hardware catalog")
    assert "mfu" not in req.assumed
    assert run_request(req).outputs[0].value == pytest.approx(17.2, rel=0.01)


def test_follow_up_swaps_the_chip(training_time_request):
    previous = detect_calculation("用1000张A100训练700亿参数、1.4万亿token要多少天")
    assert previous.inputs["peak_flops"].value == 312e12
    req = detect_calculation("换成H100呢？", previous=previous)
    assert req.inputs["peak_flops"].value == 989e12 and req.inputs["params"].value == 70e9


def test_follow_up_more_gpus(training_time_request):
    req = detect_calculation("and with 2000 GPUs?", previous=training_time_request)
    assert req.inputs["chips"].value == 2000
    before, after = run_request(training_time_request), run_request(req)
    assert after.outputs[0].value == pytest.approx(before.outputs[0].value / 2)


def test_follow_up_electricity_price():
    previous = detect_calculation("542个机柜，每个机柜功率45.5kW，电价0.08美元/kWh，一天电费是多少？")
    req = detect_calculation("如果电价是0.1美元呢？", previous=previous)
    assert req.calculator == "rack_energy" and req.inputs["electricity_price"].value == 0.1
    assert req.inputs["racks"].source == "previous question"
    assert run_request(req).outputs[0].value == pytest.approx(591864 * 0.1)


def test_a_new_full_question_is_not_a_follow_up(training_time_request):
    req = detect_calculation("How many racks are needed for 3,798 servers?", previous=training_time_request)
    assert req.calculator == "rack_count"


def test_a_lookup_after_a_calculation_is_still_a_lookup(training_time_request):
    assert detect_calculation("DGX A100 服务器的售价是多少？", previous=training_time_request) is None


# ---------------------------------------------------------------- outputs

def test_the_asked_quantity_comes_first_among_its_unit():
    req = detect_calculation("542个机柜，每个机柜功率45.5kW，电价0.08美元/kWh，一年电费是多少？")
    calc = run_request(req)
    first_usd = next(o for o in calc.outputs if o.unit == "USD")
    assert first_usd.name == "electricity_cost_per_year"
    assert [i.name for i in calc.inputs] == ["racks", "rack_power", "pue", "electricity_price"]


def test_asked_gpus_come_first_for_a_memory_question():
    calc = run_request(detect_calculation("How many 80GB GPUs are needed to train a 70B model with Adam?"))
    assert (calc.outputs[0].name, calc.outputs[0].value) == ("gpus", 18)


def test_output_units_are_the_answer_json_units():
    calc = run_request(detect_calculation("What is the inference cost per 1000 tokens for a 175B model?"))
    assert [o.unit for o in calc.outputs] == ["USD", "FLOP", "USD"]
    assert json_unit("GPU-hour/day") == "hour" and json_unit("kW/rack") == "kW"


# ---------------------------------------------------------------- the units parser's forms

@pytest.mark.parametrize("text,value,unit", [
    ("1000 H100s", 1000, "GPU"),
    ("3,798 DGX A100 servers", 3798, "server"),
    ("an 8-GPU instance", 8, "GPU"),
    ("a 42U rack", 42, "U"),
    ("$2.03 per chip-hour", 2.03, "USD/hour"),
    ("25 million daily visitors", 25e6, "visitor"),
    ("5 sampled answers", 5, "sample"),
    ("７５０ words per １０００ tokens", 750, "word/1K token"),
])
def test_question_quantities_read_the_words_after_a_number(text, value, unit):
    (q,) = question_quantities(spell_out_numbers(text))
    assert (q.value, q.unit) == (pytest.approx(value), unit)


def test_dates_are_not_quantities():
    assert question_quantities("How many searches did Google process in 2012?") == []
    assert question_quantities("2023年1月的访客") == []


def test_number_words_and_fractions():
    assert spell_out_numbers("one rack of seven servers") == "1 rack of 7 servers"
    assert spell_out_numbers("no one knows; 一天; 一个标准机柜") == "no one knows; 一天; 一个标准机柜"
    assert simple_fractions("降到1/4，再降到二分之一") == "降到0.25，再降到0.5"


# ---------------------------------------------------------------- embedder

class NgramEmbedder:
    """A real, if small, embedder: hashed character trigrams (tells texts apart; never constant)."""

    def query(self, text: str) -> np.ndarray:
        v = np.zeros(512)
        t = text.lower()
        for i in range(len(t) - 2):
            v[hash(t[i:i + 3]) % 512] += 1
        return v

    def passages(self, texts: list[str]) -> np.ndarray:
        return np.array([self.query(t) for t in texts])


def test_an_embedder_is_used_when_given_and_keeps_the_dev_answers():
    req = detect_calculation("How many racks are needed for 3,798 DGX A100 servers?", embedder=NgramEmbedder())
    assert req.calculator == "rack_count"
    assert detect_calculation("GPT-3 的 1750 亿参数是怎么来的", embedder=NgramEmbedder()) is None


# ---------------------------------------------------------------- the dev questions

@pytest.mark.parametrize("item", eval_lines("calculate"))
def test_dev_calculate_lines(item):
    calc = run_request(detect_calculation(item["question"]))
    first = next(o for o in calc.outputs if o.unit == item["unit"])
    tol = item["rel_tol"] or 1e-9
    assert math.isclose(first.value, item["expected"], rel_tol=tol), (first, item["expected"])


def test_dev_lookups_are_not_calculations():
    lines = [json.loads(line) for path in EVAL_FILES for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for d in lines:
        if d.get("kind") in ("lookup", "not_in_notes"):
            assert detect_calculation(d["question"]) is None, d["question"]
