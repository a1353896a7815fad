"""Golden table: published figure, ours, relative error; and the regressions of the issue's bugs."""

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from app.cli.calc import calc as calc_command
from calculators import gpu_hours, memory, roofline, training
from calculators.registry import run

# (what, published, ours, allowed relative error)
GOLDEN = [
    ("GPT-3 training FLOP (Brown et al. 2020)", 3.14e23, training.training_compute(175e9, 300e9), 0.01),
    ("GPT-3 PF-days (Brown et al. 2020)", 3640, run("training_compute", params=175e9, tokens=300e9)["pf_days"], 0.01),
    ("Megatron 175B, 1,024 A100 at 140 TFLOP/s, 8ND (Narayanan et al. 2021): days", 34,
     training.training_time_achieved(175e9, 300e9, 1024, 140e12, 8), 0.02),
    ("Megatron 1T, 3,072 A100 at 163 TFLOP/s, 450B tokens, 8ND: days", 84,
     training.training_time_achieved(1e12, 450e9, 3072, 163e12, 8), 0.02),
    ("LLaMA-65B, 2,048 A100 at ~380 tokens/s/GPU, 1.4T tokens (Touvron et al. 2023): days", 21,
     training.training_time_from_tokens_per_second(1.4e12, 2048, 380), 0.02),
    ("DeepSeek-V3: 2.788M H800 GPU-hours x $2 (arXiv:2412.19437)", 5.576e6, gpu_hours.gpu_hours_cost(2.788e6, 2), 1e-9),
    ("Llama-2-70B KV cache per token at fp16 (80 layers, 8 KV heads x 128)", 327_680,
     memory.kv_cache(layers=80, kv_heads=8, head_dim=128, tokens=1, bytes_per_value=2), 1e-12),
    ("70B weights at fp16, GB", 140e9, memory.inference_memory(70e9, memory.weight_bytes_per_parameter("fp16")), 1e-12),
    ("70B weights at int8, GB", 70e9, memory.inference_memory(70e9, memory.weight_bytes_per_parameter("int8")), 1e-12),
    ("70B weights at int4, GB", 35e9, memory.inference_memory(70e9, memory.weight_bytes_per_parameter("int4")), 1e-12),
    # roofline against llm-analysis 0.2.2 (run on its own configs; differences explained in tests/test_calc_roofline.py):
    # given its 55.3B-parameter Llama-2-70B and its 1.28 ms of all-reduce latency a step, our decode step is its own
    ("llm-analysis: Llama-2-70B, 2 x A100 80GB, fp16, batch 1, 512 + 32 tokens: decode step, s", 0.028625,
     roofline.time_per_output_token(55.29e9, gpus=2, kv_bytes_per_token=327_680) + 2 * 80 * 8e-6, 0.02),
    ("llm-analysis: Llama-2-70B, 2 x H100 SXM, fp16, batch 1, 512 + 32 tokens: decode step, s", 0.017927,
     roofline.time_per_output_token(55.29e9, gpus=2, kv_bytes_per_token=327_680, peak_flops=989e12,
                                    bandwidth=3.35e12) + 2 * 80 * 8e-6, 0.02),
    ("llm-analysis: Llama-2-70B, 2 x A100 80GB, batch 1, $2/GPU-hour: decode $ per 1K tokens", 0.031806,
     1000 * 2 * 2 / 3600 * (roofline.time_per_output_token(55.29e9, gpus=2, kv_bytes_per_token=327_680)
                            + 2 * 80 * 8e-6), 0.02),
]


@pytest.mark.parametrize("what, published, ours, tolerance", GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden_table(what, published, ours, tolerance):
    error = abs(ours - published) / published
    assert error <= tolerance, f"{what}: published {published:g}, ours {ours:g}, relative error {error:.3%}"


def test_solving_through_a_floor_lands_on_the_given_racks():
    r = run("rack_count", servers=3798, racks=543, solve="rack_units")
    assert r["rack_units"] == 42 and r["racks"] == 543


def test_a_count_solved_from_a_memory_budget_stays_within_it():
    r = run("kv_cache", layers=80, kv_heads=8, head_dim=128, kv_cache_bytes=40e9, solve="tokens")
    assert r["kv_cache_bytes"] <= 40e9 and r["tokens"] == 122_070


def test_a_count_solved_from_a_deadline_still_meets_it():
    r = run("training_time", params=70e9, tokens=1.4e12, days=17.2, peak_flops=989e12, mfu=0.4, solve="chips")
    assert r["days"] <= 17.2 and r["chips"] == 1001


def test_cli_reads_2B_as_bytes_where_bytes_are_declared():
    out = CliRunner().invoke(calc_command, ["kv_cache", "--layers", "80", "--kv-heads", "8", "--head-dim", "128",
                                            "--tokens", "4096", "--bytes-per-value", "2B", "--json"])
    assert out.exit_code == 0, out.output
    assert '"value": 1342177280.0' in out.output


def test_cli_refuses_a_bare_number_of_bytes():
    out = CliRunner().invoke(calc_command, ["training_memory", "--params", "70B", "--gpu-memory", "80"])
    assert out.exit_code != 0
    assert "--gpu-memory 80: a plain number here is 80 bytes, surely a slip; give the unit (e.g. 80GB)" in out.output


def test_cli_names_a_gpu_and_states_its_mfu_as_an_assumption():
    out = CliRunner().invoke(calc_command, ["training_time", "--params", "70B", "--tokens", "1.4T", "--chips", "1000",
                                            "--gpu", "H800"])
    assert out.exit_code == 0, out.output
    assert "peak_flops = 9.89e+14 FLOP/s from the catalog: H800" in out.output
    assert "mfu = 0.462: measured on TPU v4, for H800 it is an assumption" in out.output


def test_cli_states_the_serving_mfu_as_measured_on_v100():
    out = CliRunner().invoke(calc_command, ["cost_per_1k_tokens", "--params", "70B", "--gpu", "H100"])
    assert out.exit_code == 0, out.output
    assert "mfu = 0.213: measured on V100, for H100 SXM it is an assumption" in out.output
    on_v100 = CliRunner().invoke(calc_command, ["cost_per_1k_tokens", "--params", "70B", "--gpu", "V100"])
    assert "it is an assumption" not in on_v100.output


@settings(max_examples=40, deadline=None)
@given(servers=st.integers(1, 20_000), server_units=st.sampled_from([1, 2, 4, 6, 8]),
       rack_units=st.sampled_from([42, 45, 48]))
def test_solving_inverts_the_forward_result_through_rounding(servers, server_units, rack_units):
    forward = run("rack_count", servers=servers, rack_units=rack_units, server_units=server_units)
    back = run("rack_count", servers=servers, racks=forward["racks"], server_units=server_units, solve="rack_units")
    assert back["racks"] == forward["racks"]


@settings(max_examples=40, deadline=None)
@given(params=st.floats(1e8, 1e12), tokens=st.floats(1e9, 2e13), chips=st.integers(8, 20_000))
def test_solving_chips_inverts_training_time(params, tokens, chips):
    days = run("training_time", params=params, tokens=tokens, chips=chips)["days"]
    back = run("training_time", params=params, tokens=tokens, days=days, solve="chips")
    assert back["chips"] == chips


def test_cost_per_query_prices_a_query_of_chinese_characters_only():
    """Issue 10's bug list: no words, only Chinese characters (0.6 tokens a character, DeepSeek's API docs)."""
    r = run("cost_per_query", prompt_words=0, response_words=0, samples=1, chinese_chars=500, cache_hit_rate=0,
            margin=0)
    assert r["tokens_per_query"] == pytest.approx(300) and r["cost_per_query"] == pytest.approx(0.006)


@pytest.mark.parametrize("question", [
    "一次查询包含500个汉字的提示和回答，每千token 0.02美元，成本是多少？",
    "What does one query of 500 Chinese characters cost at $0.02 per 1000 tokens?",
])
def test_a_chinese_only_query_is_routed_with_no_english_words(question):
    from app.routes.calculation import detect_calculation, run_request
    req = detect_calculation(question)
    assert req.calculator == "cost_per_query"
    assert req.inputs["prompt_words"].value == req.inputs["response_words"].value == 0
    assert req.inputs["chinese_chars"].value == 500
    assert run_request(req).outputs[0].value == pytest.approx(5 * 300 * 0.02 / 1000 * 0.7 * 0.25)
