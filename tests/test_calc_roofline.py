"""Serving on a roofline, against llm-analysis 0.2.2 on shared configurations.

The llm-analysis figures below were produced by running llm-analysis 0.2.2 (PyPI wheel,
`llm_analysis.analysis.infer`) with its own model and GPU configs
(`upstage_Llama-2-70b-instruct-v2`, `NousResearch_Llama-2-7b-hf`, `a100-sxm-80gb`,
`h100-sxm-80gb`), dtype w16a16e16, prompt (seq_len) 512, 32 tokens generated,
cost_per_gpu_hour=2. They are constants here: the project does not depend on it.
Each difference is explained in the test that meets it (and in calculators/roofline.py).
"""

import pytest

from calculators.registry import run
from calculators.roofline import ROOFLINE, decode_tokens_per_second, roofline_cost_per_1k_tokens
from calculators.serving import cost_per_1k_tokens

A100 = dict(peak_flops=312e12, bandwidth=2.039e12)
H100 = dict(peak_flops=989e12, bandwidth=3.35e12)
LLAMA2_70B = dict(params=70e9, kv_bytes_per_token=327_680)  # 80 layers x 8 KV heads x 128 x 2 (K, V) x 2 bytes
LLAMA2_7B = dict(params=6.74e9, kv_bytes_per_token=524_288)  # 32 layers x 32 heads x 128 x 2 x 2 bytes
SHARED = dict(prompt_tokens=512, output_tokens=32, price_per_gpu_hour=2)

# (name, our inputs, llm-analysis: decode step s, decode tokens/s, decode $ per 1K tokens, its weight bytes per GPU)
LLM_ANALYSIS = [
    ("Llama-2-70B, 2 x A100 80GB, batch 1", dict(**LLAMA2_70B, **A100, gpus=2, batch=1),
     0.028625, 34.934, 0.031806, 55_292_731_392),
    ("Llama-2-70B, 4 x A100 80GB, batch 16", dict(**LLAMA2_70B, **A100, gpus=4, batch=16),
     0.015774, 1014.35, 0.0021908, 27_646_365_696),
    ("Llama-2-70B, 2 x H100 SXM, batch 1", dict(**LLAMA2_70B, **H100, gpus=2, batch=1),
     0.017927, 55.782, 0.019919, 55_292_731_392),
]


def ours(inputs: dict) -> dict:
    return run("decode_tokens_per_second", **inputs, **SHARED).as_dict()


def value(result, name):
    return next(o["value"] for o in result["outputs"] if o["name"] == name)


@pytest.mark.parametrize("name, inputs, step, rate, cost, its_weights", LLM_ANALYSIS, ids=[c[0] for c in LLM_ANALYSIS])
def test_llama2_70b_decode_against_llm_analysis(name, inputs, step, rate, cost, its_weights):
    """We are 11-20% slower than llm-analysis on Llama-2-70B, and it is wrong: its Llama-2-70B has
    55.3B parameters (its weight bytes per GPU x GPUs / 2 bytes), because its parameter count gives the MLP two
    h x ffn matrices where Llama's SwiGLU MLP has three (8,192 x 28,672; Touvron et al. 2023), so it reads 21%
    too few weight bytes a step. Given its parameter count, and adding the tensor-parallel all-reduce latency it
    charges (2 all-reduces a layer x 80 layers x its 8 us minimum message latency = 1.28 ms a step), which we
    leave out, we agree within 5% (the rest: its activation reads, and at batch 16 its double KV read)."""
    r = ours(inputs)
    assert 1.05 < value(r, "time_per_token") / step < 1.25
    its_params = its_weights * inputs["gpus"] / 2
    assert its_params == pytest.approx(55.3e9, rel=0.01)
    r_its = ours({**inputs, "params": its_params})
    all_reduce = 2 * 80 * 8e-6
    with_its_terms = value(r_its, "time_per_token") + all_reduce
    assert with_its_terms == pytest.approx(step, rel=0.05)
    assert inputs["batch"] / with_its_terms == pytest.approx(rate, rel=0.05)
    assert 1000 * 2 * inputs["gpus"] / 3600 / (inputs["batch"] / with_its_terms) == pytest.approx(cost, rel=0.05)


def test_llama2_7b_batch_32_kv_cache_read_once_not_twice():
    """Llama-2-7B on one A100 at batch 32: llm-analysis says a decode step takes 15.5 ms (2,068 tokens/s), we say
    11.0 ms (2,920). It charges the KV cache twice a step ('load and store': 2 x 9.13e9 bytes / 2,039 GB/s =
    8.95 ms) over the final context (512 + 32 tokens); a step reads the cache once and writes one token's K and V,
    and the context grows from 512 to 544 (mean 528). Charged its way, our step is its step within 5%."""
    inputs = dict(**LLAMA2_7B, **A100, gpus=1, batch=32)
    r = ours(inputs)
    assert value(r, "time_per_token") == pytest.approx(0.01096, rel=0.01)
    its_kv_seconds = 2 * 9_126_805_504 / 2.039e12
    ours_kv_seconds = value(r, "kv_bytes_per_step") / 2.039e12
    assert value(r, "time_per_token") - ours_kv_seconds + its_kv_seconds == pytest.approx(0.015472, rel=0.05)


def test_compute_only_estimate_is_far_below_the_roofline_at_batch_1():
    """The issue's gap: the compute-bound estimate (2N FLOPs at 21.3% MFU, $19.22 an 8-GPU hour) prices
    Llama-2-70B at $0.0014 per 1K tokens; at batch 1 decode is bound by reading 140 GB of weights a step."""
    compute_only = cost_per_1k_tokens(70e9)
    assert compute_only == pytest.approx(0.0014, rel=0.05)
    roof = roofline_cost_per_1k_tokens(70e9, gpus=2, price_per_gpu_hour=19.22 / 8)
    assert 20 < roof / compute_only < 40
    # batching shares the weight read until compute binds: 64 sequences are ~64x cheaper a token than 1...
    def decode_cost(batch):
        return run("roofline_cost_per_1k_tokens", params=70e9, gpus=2, batch=batch)["decode_cost_per_1k_tokens"]
    assert decode_cost(64) < decode_cost(1) / 30
    # ...and past the ridge point (batch ~ bandwidth-bound = compute-bound) throughput stops growing with batch
    assert decode_tokens_per_second(70e9, batch=4096) == pytest.approx(decode_tokens_per_second(70e9, batch=8192), rel=1e-9)


def test_decode_is_memory_bound_and_prefill_compute_bound():
    r = ROOFLINE.evaluate(dict(**LLAMA2_70B, **A100, gpus=2, batch=1, bytes_per_param=2, mfu=1, memory_efficiency=1,
                               **SHARED))
    assert r["decode_memory_time"] > 30 * r["decode_compute_time"]
    assert r["prefill_time"] == pytest.approx(2 * 70e9 * 512 / (2 * 312e12))  # compute-bound
    assert r["cost_per_1k_tokens"] > r["decode_cost_per_1k_tokens"]  # prefill included


def test_solving_through_the_roofline_max():
    """Solving inverts the forward result through max(compute, memory): the binding branch is found."""
    forward = run("decode_tokens_per_second", params=70e9, gpus=2, batch=24)
    back = run("decode_tokens_per_second", params=70e9, gpus=2,
               decode_tokens_per_second=forward["decode_tokens_per_second"], solve="batch")
    assert back["batch"] == 24
    compute_bound = run("decode_tokens_per_second", params=7e9, batch=2000)
    back = run("decode_tokens_per_second", params=7e9, batch=2000,
               decode_tokens_per_second=compute_bound["decode_tokens_per_second"], solve="peak_flops")
    assert back["peak_flops"] == pytest.approx(312e12)


def test_gpus_cancel_out_of_the_decode_cost():
    """Under ideal scaling, the GPUs of a replica do not change the cost a token: refused, with the reason."""
    from calculators.errors import InputError
    with pytest.raises(InputError, match="cancels out"):
        run("roofline_cost_per_1k_tokens", params=70e9, decode_cost_per_1k_tokens=0.03, solve="gpus")


# --- routing: serving questions that give a batch size, a bandwidth or ask for tokens/s or latency ----------------

from app.routes.calculation import detect_calculation, run_request  # noqa: E402

ROUTED = [
    ("A 70B model on 2 H100s with 3.35 TB/s of HBM bandwidth, batch size 8: how many tokens per second?",
     "decode_tokens_per_second", {"params": 70e9, "gpus": 2, "bandwidth": 3.35e12, "batch": 8},
     "decode_tokens_per_second"),
    ("70B模型部署在2张H100上，显存带宽3.35TB/s，批大小为8，每秒能生成多少token？",
     "decode_tokens_per_second", {"params": 70e9, "gpus": 2, "bandwidth": 3.35e12, "batch": 8},
     "decode_tokens_per_second"),
    ("Serving a 70B model at fp16 on 2 A100 80GB GPUs at batch size 1, what is the cost per 1,000 tokens at $2 per "
     "GPU-hour?", "roofline_cost_per_1k_tokens", {"params": 70e9, "gpus": 2, "batch": 1, "price_per_gpu_hour": 2,
                                                  "bytes_per_param": 2}, "cost_per_1k_tokens"),
    ("70B模型，batch size 16，显存带宽2TB/s，每千token成本多少？价格每卡时2美元", "roofline_cost_per_1k_tokens",
     {"params": 70e9, "batch": 16, "bandwidth": 2e12, "price_per_gpu_hour": 2}, "cost_per_1k_tokens"),
    ("What is the latency per token of a 13B model at int8 on one GPU with 2 TB/s memory bandwidth, batch 4?",
     "time_per_output_token", {"params": 13e9, "gpus": 1, "bandwidth": 2e12, "batch": 4, "bytes_per_param": 1},
     "time_per_token"),
    ("用2张A100部署700亿参数模型，batch为1，KV缓存每token 327,680字节，每个token的延迟是多少？", "time_per_output_token",
     {"params": 70e9, "gpus": 2, "batch": 1, "kv_bytes_per_token": 327680}, "time_per_token"),
    ("What is the prefill time for a 2,000-token prompt on a 70B model on 4 H100s at batch 8?",
     "time_per_output_token", {"params": 70e9, "gpus": 4, "batch": 8, "prompt_tokens": 2000}, "prefill_time"),
    ("70B模型在4张H100上，batch 8，2000个token的提示词，首token时间是多少？", "time_per_output_token",
     {"params": 70e9, "gpus": 4, "batch": 8, "prompt_tokens": 2000}, "prefill_time"),
]


@pytest.mark.parametrize("question, calculator, inputs, first", ROUTED, ids=[r[0][:40] for r in ROUTED])
def test_serving_questions_are_routed_to_the_roofline(question, calculator, inputs, first):
    req = detect_calculation(question)
    assert req is not None and req.calculator == calculator, req
    got = {name: used.value for name, used in req.inputs.items() if name in inputs}
    assert got == pytest.approx(inputs)
    assert not req.missing
    assert run_request(req).outputs[0].name == first


def test_a_named_chip_gives_its_bandwidth_from_the_catalog():
    req = detect_calculation("A 70B model on 2 H100s at batch size 8: how many tokens per second?")
    assert req.inputs["bandwidth"].value == 3.35e12
    assert req.inputs["bandwidth"].source.startswith("hardware catalog: H100 SXM")


def test_the_compute_only_question_still_goes_to_the_compute_only_calculator():
    req = detect_calculation("一个700亿参数的模型推理，每千token成本是多少？")
    assert req.calculator == "cost_per_1k_tokens"
