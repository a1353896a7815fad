"""Golden cases: every figure in DESIGN.md's Calculators section, with exact expected values."""

import math

import pytest

from calculators import growth, hardware, memory, racks, scaling, search_economics, serving, training
from calculators.registry import run


def approx(x, rel=1e-9):
    return pytest.approx(x, rel=rel)


# --- training -------------------------------------------------------------------------

def test_gpt3_compute_and_pf_days():
    r = run("training_compute", params=175e9, tokens=300e9)
    assert r["flops"] == approx(3.15e23)
    assert r["pf_days"] == approx(3.15e23 / 8.64e19)
    assert round(r["pf_days"]) == 3646  # the notes say 3640 PF-days (kb/003_ee2b22a7fb014cad.txt:29)


@pytest.mark.parametrize("params, tokens, expected", [
    (175e9, 300e9, 1_398_071.63),   # GPT-3: ~$1.40M (kb/001_420203dd199bc46a.txt:146)
    (280e9, 300e9, 2_236_914.60),   # Gopher: ~$2.2M
    (540e9, 780e9, 11_216_528.93),  # PaLM: ~$11.2M (kb/001_420203dd199bc46a.txt:264)
])
def test_training_cost_on_tpu_v4(params, tokens, expected):
    cost = training.training_cost(params, tokens)
    assert cost == pytest.approx(expected, abs=0.01)
    assert cost == approx(6 * params * tokens / (275e12 * 0.462 * 3600) * 2.03)


def test_gpt3_cost_within_two_percent_of_the_notes():
    assert training.training_cost(175e9, 300e9) == pytest.approx(1_398_000, rel=0.02)


def test_chinchilla_on_1000_h100s_takes_17_2_days():
    days = training.training_time(70e9, 1.4e12, chips=1000, peak_flops=989e12, mfu=0.40)
    assert days == approx(5.88e23 / (1000 * 989e12 * 0.40) / 86400)
    assert round(days, 1) == 17.2


def test_tokens_and_params_for_a_budget():
    assert training.tokens_for_budget(7e9, 1e23) == approx(1e23 / 42e9)
    assert f"{training.tokens_for_budget(7e9, 1e23):.4g}" == "2.381e+12"
    assert training.params_for_budget(300e9, 3.15e23) == approx(175e9)


def test_chips_for_a_deadline_round_up():
    assert training.chips_for_deadline(70e9, 1.4e12, days=17.2, peak_flops=989e12, mfu=0.40) == 1001
    assert training.chips_for_deadline(70e9, 1.4e12, days=17.21, peak_flops=989e12, mfu=0.40) == 1000


# --- serving --------------------------------------------------------------------------

def test_gpu_hour_price_from_an_instance():
    r = run("cost_per_1k_tokens", params=175e9)
    assert r["price_per_gpu_hour"] == approx(2.4025)
    assert r["flops_per_token"] == approx(3.5e11)


def test_gpt3_cost_per_1000_tokens_on_a100():
    cost = serving.cost_per_1k_tokens(175e9)
    assert cost == approx(1000 * 2 * 175e9 * 2.4025 / (3600 * 312e12 * 0.213))
    assert round(cost, 6) == 0.003515  # the notes: ~$0.0035 (kb/001_420203dd199bc46a.txt:134)


def test_chatgpt_equivalent_query_costs_0_0105():
    r = run("cost_per_query")
    assert r["tokens_per_query"] == approx(3000)
    assert r["price_per_query"] == approx(0.06)
    assert r["cost_per_query"] == approx(0.0105)


def test_chinese_characters_counted_apart_from_words():
    r = run("cost_per_query", prompt_words=0, response_words=400, samples=1, chinese_chars=300,
            tokens_per_chinese_char=1 / 1.5, cache_hit_rate=0, margin=0)
    assert r["tokens_per_query"] == approx(400 / 0.75 + 200)


def test_fleet_for_25_million_visitors():
    r = run("fleet_size", daily_visitors=25e6)
    assert r["gpu_hours_per_day"] == approx(25e6 * 10 * 30 * 0.35 / 3600)
    assert round(r["gpu_hours_per_day"]) == 729_167
    assert r["gpus"] == 30_382
    assert r["servers"] == 3_798


def test_fleet_peak_to_average_factor():
    r = run("fleet_size", daily_visitors=25e6, peak_to_average=2)
    assert r["gpus"] == math.ceil(729_166.666 * 2 / 24)


# --- racks and power ------------------------------------------------------------------

def test_racks_round_up_where_the_notes_round_down():
    r = run("rack_count", servers=3798)
    assert r["servers_per_rack"] == 7
    assert r["racks"] == 543  # the notes: 3,798/7 = 542 (kb/002_2593b5ab635ae109.txt:43)


def test_rack_capital_cost():
    r = run("rack_capital_cost", racks=1)
    assert r["rack_cost"] == 1_393_000
    assert run("rack_capital_cost", racks=542)["capital_cost"] == 542 * 1_393_000


def test_energy_and_electricity_of_542_racks():
    r = run("rack_power", racks=542)
    assert r["rack_power"] == approx(45.5)
    assert r["energy_per_day"] == approx(591_864)
    assert r["electricity_cost_per_day"] == approx(47_349.12)
    assert r["electricity_cost_per_year"] == approx(47_349.12 * 365)


def test_one_rack_uses_1092_kwh_a_day_and_pue_scales_it():
    assert racks.rack_power(1) == approx(1092)
    assert racks.rack_power(1, pue=1.5) == approx(1638)


# --- memory ---------------------------------------------------------------------------

def test_training_memory_bert_and_gpt3():
    assert memory.training_memory(340e6) == approx(6.8e9)
    r = run("training_memory", params=175e9)
    assert r["training_bytes"] == approx(3.5e12)
    assert r["gpus"] == 44


def test_training_bytes_per_parameter_recipes():
    assert memory.training_bytes_per_parameter("adam-mixed") == 20
    assert memory.training_bytes_per_parameter("adamw-mixed-hf") == 18
    assert memory.training_bytes_per_parameter("adam-mixed-zero") == 16
    assert memory.training_bytes_per_parameter("adam-fp32") == 16


@pytest.mark.parametrize("precision, expected", [("fp32", 2.8e11), ("fp16", 1.4e11), ("bf16", 1.4e11),
                                                 ("fp8", 7e10), ("fp4", 3.5e10)])
def test_inference_weights_70b(precision, expected):
    assert memory.inference_memory(70e9, memory.weight_bytes_per_parameter(precision)) == approx(expected)


def test_kv_cache_and_gpus_needed():
    kv = memory.kv_cache(layers=80, kv_heads=8, head_dim=128, tokens=4096, batch=8)
    assert kv == 2 * 80 * 8 * 128 * 2 * 4096 * 8
    r = run("inference_memory", params=70e9, kv_cache_bytes=kv)
    assert r["total_bytes"] == approx(1.4e11 + kv)
    assert r["gpus"] == math.ceil((1.4e11 + kv) / 80e9)


# --- scaling --------------------------------------------------------------------------

def test_chinchilla_loss_of_a_1t_model_on_300b_tokens():
    loss = scaling.chinchilla_loss(1e12, 300e9)
    assert loss == approx(1.69 + 406.4 / 1e12**0.34 + 410.7 / 300e9**0.28)
    assert round(loss, 3) == 1.975


def test_20_tokens_rule_and_parametric_optimum_differ():
    rule = run("params_20_tokens_rule", flops=5.76e23)
    assert rule["params"] == approx(math.sqrt(5.76e23 / 120))
    assert f"{rule['params']:.3g}" == "6.93e+10"
    assert rule["tokens"] == approx(20 * rule["params"])
    fit = run("params_parametric_optimum", flops=5.76e23)
    g = (0.34 * 406.4 / (0.28 * 410.7)) ** (1 / 0.62)
    assert fit["params"] == approx(g * (5.76e23 / 6) ** (0.28 / 0.62))
    assert fit["tokens"] == approx((5.76e23 / 6) ** (0.34 / 0.62) / g)
    assert 6 * fit["params"] * fit["tokens"] == approx(5.76e23)
    assert fit["params"] < 0.5 * rule["params"]


def test_parametric_optimum_is_the_minimum_of_the_loss_on_the_budget():
    c = 5.76e23
    n_opt = scaling.params_parametric_optimum(c)

    def loss(n):
        return scaling.chinchilla_loss(n, c / (6 * n))

    assert loss(n_opt) < loss(n_opt * 1.05)
    assert loss(n_opt) < loss(n_opt / 1.05)


# --- search economics -----------------------------------------------------------------

def test_revenue_per_query():
    assert search_economics.revenue_per_query() == approx(100e9 / 2.1e12)
    assert round(search_economics.revenue_per_query(), 4) == 0.0476


def test_stacked_reductions_are_17_percent_not_15():
    r = run("stacked_cost_reduction")
    assert r["reduced_cost_per_query"] == approx(0.00825)
    assert r["share_of_revenue"] == approx(0.171875)
    assert round(r["share_of_revenue"], 2) == 0.17


def test_cost_to_revenue_ratio():
    assert search_economics.cost_to_revenue(0.066, 0.048) == approx(1.375)


# --- growth ---------------------------------------------------------------------------

def test_generation_rates_to_annual():
    assert growth.annual_rate(0.5) == approx(math.sqrt(1.5) - 1)
    assert round(growth.annual_rate(0.5), 3) == 0.225
    assert round(growth.annual_rate(0.8), 2) == 0.34
    assert growth.per_generation_rate(math.sqrt(1.5) - 1) == approx(0.5)


def test_compound_decline_and_its_inverse():
    assert growth.compound_decline(0.5, 3) == approx(0.125)
    r = run("compound_decline", solve="annual_decline", years=2.5, total_decline=0.8)
    assert r["annual_decline"] == approx(1 - 0.2 ** (1 / 2.5))


# --- hardware -------------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("h100", "H100 SXM"), ("H100 SXM", "H100 SXM"), ("A100-80G", "A100 80GB"), ("a100 80gb", "A100 80GB"),
    ("A100", "A100 40GB"), ("tpu v4", "TPU v4"), ("TPU-v4", "TPU v4"), ("DGX-A100", "DGX A100"),
    ("gb200", "GB200"), ("B200", "B200"), ("h200", "H200"), ("V100", "V100"), ("dgx h100", "DGX H100"),
])
def test_hardware_lookup_is_tolerant(name, expected):
    assert hardware.lookup(name).name == expected


def test_every_hardware_figure_has_a_source():
    for hw in hardware.CATALOG:
        for figure in (hw.peak_bf16, hw.peak_fp8, hw.memory, hw.bandwidth, hw.interconnect, hw.power, hw.price):
            if figure is not None:
                assert figure.source, (hw.name, figure)


def test_dgx_a100_quoted_peak_counts_sparsity_and_is_flagged():
    dgx = hardware.lookup("DGX A100")
    assert dgx.peak_bf16.value == 8 * 312e12
    by_field = {f.field: f for f in dgx.quoted}
    assert by_field["peak_bf16"].value == 5e15
    assert "sparsity" in by_field["peak_bf16"].differs
    assert by_field["peak_bf16"].source == hardware.DGX_A100_SHEET
    assert dgx.price.value == 199000 and "press release" in dgx.price.source
    assert dgx.power.value == 6500 and dgx.power.source == hardware.DGX_A100_SHEET


def test_defaults_match_the_catalog():
    assert training.PEAK.source and hardware.lookup("TPU v4").peak_bf16.value == 275e12
    assert hardware.lookup("TPU v4").price.value == 2.03
    assert hardware.lookup("A100").peak_bf16.value == 312e12
