"""Serving with a roofline: prefill bound by compute, decode bound by memory bandwidth.

A decoder generates one token per sequence per step, and every step reads all the
weights (and each sequence's KV cache) from HBM. A step takes the longer of its
compute time and its memory time (the roofline model: Williams, Waterman and
Patterson, "Roofline: an insightful visual performance model", CACM 2009):

- compute per step = 2·N FLOPs a token (Kaplan et al. 2020, arXiv:2001.08361) x batch,
  at peak x MFU on each of the GPUs holding one copy of the model;
- memory per step = weight bytes (N x bytes a weight) + KV-cache bytes read (bytes a
  token of context x mean context x batch), at HBM bandwidth x its achieved share;
- time per output token = max(compute, memory); decode tokens/s = batch / that;
- prefill (the prompt, all tokens at once) = max(2·N x prompt tokens x batch /
  (peak x MFU), weight bytes / bandwidth): compute-bound for any real prompt;
- cost per 1K tokens = GPU-hour price x GPUs x time / tokens. `decode_cost_per_1k_tokens`
  counts decode steps only; `cost_per_1k_tokens` adds the prefill, per generated token
  (llm-analysis's "total").

Why the compute-only estimate (`serving.cost_per_1k_tokens`) is 20-30x too low at
batch 1: Llama-2-70B at fp16 reads 140 GB of weights a step; two A100 80GB move
2 x 2,039 GB/s, so a step takes 34 ms whatever the FLOPs (2 x 70e9 FLOP take 0.2 ms
at 312 TFLOP/s a GPU). Batching shares that read among the batch: cost falls about
in proportion until compute or the KV cache binds.

Compared with llm-analysis 0.2.2 (Cheng Li, PyPI `llm-analysis`, run here with its own
configs: Llama-2-70B on 2 x A100-SXM-80GB, fp16, batch 1, prompt 512, 32 generated, $2
a GPU-hour; and Llama-2-7B on one A100 at batch 32; see tests/test_calc_roofline.py):

- its Llama-2-70B has 55.3B parameters, not 69-70B: its parameter count gives the MLP
  two matrices (h x ffn each, with ffn = 32,768 in its config), where Llama's SwiGLU MLP
  has three of 8,192 x 28,672 (Touvron et al. 2023, arXiv:2307.09288). Its weight read,
  hence its decode time and cost, are about 21% low (28.6 ms a step against our 34.3 ms;
  $0.032 against $0.038 per 1K decode tokens). Given its 55.3B we agree within 5%.
- it charges the KV cache twice a step ("load and store"), over the final context
  (prompt + all generated tokens). A step reads the cache once and writes one token's K
  and V (bytes a token x batch, negligible), and the context grows from the prompt to the
  end: we read the mean context, prompt + generated / 2. At batch 32 on Llama-2-7B its
  decode step is 15.5 ms, ours 11.0 ms; charged its way ours gives its figure.
- it adds activation reads and tensor-parallel all-reduce latency per layer (a few
  percent at small batch): we leave them out, and say so here.
- both default to the ideal roofline (100% of peak FLOP/s and of HBM bandwidth); its
  own warning says inference reaches 60-70% of HBM bandwidth: give `memory_efficiency`.

Examples
--------
>>> r = ROOFLINE.evaluate(dict(params=70e9, bytes_per_param=2, batch=1, kv_bytes_per_token=327680,
...     prompt_tokens=512, output_tokens=32, gpus=2, peak_flops=312e12, mfu=1, bandwidth=2.039e12,
...     memory_efficiency=1, price_per_gpu_hour=2))
>>> round(r["time_per_token"] * 1000, 1), round(r["decode_tokens_per_second"], 1)
(34.4, 29.1)
>>> round(r["decode_cost_per_1k_tokens"], 4), round(r["prefill_time"], 3)
(0.0382, 0.115)
>>> round(decode_tokens_per_second(70e9, batch=64, gpus=2))  # batching shares the weight read
1864
>>> from calculators.units import parse_quantity
>>> decode_tokens_per_second(70e9, gpus=2, bandwidth=parse_quantity("3.35 TB/s")) / 29.1  # H100: units converted
1.64...
>>> decode_tokens_per_second(70e9, bandwidth=parse_quantity("312 TFLOPS"))
Traceback (most recent call last):
...
calculators.errors.InputError: bandwidth must be in byte/s; got '312 TFLOPS', which is in FLOP/s
"""

from __future__ import annotations

import sympy

from calculators.formula import COUNT, FRACTION, NONNEGATIVE, Calculation, Formula, Var
from calculators.hardware import A100_SHEET
from calculators.training import PARAMS

LLM_ANALYSIS = "llm-analysis (Cheng Li, https://github.com/cli99/llm-analysis), defaults of its infer()"

WEIGHT_BYTES_PER = Var("bytes_per_param", "byte/parameter", "bytes a weight (fp16/bf16 2, fp8/int8 1, int4 0.5)",
                       source="FP16/BF16: 2 bytes a weight (IEEE 754 binary16; bfloat16)")
BATCH = Var("batch", "", "sequences decoded together (batch size)", COUNT, source="assumption: one sequence")
KV_PER_TOKEN = Var("kv_bytes_per_token", "byte/token",
                   "KV-cache bytes a token of context for one sequence (2 x layers x KV heads x head dim x bytes;"
                   " Llama-2-70B at fp16: 327,680)", NONNEGATIVE,
                   source="assumption: 0, weights only (give it for long contexts or large batches)")
PROMPT = Var("prompt_tokens", "token", "prompt tokens per sequence (prefilled at once)", COUNT,
             source=f"512, {LLM_ANALYSIS}")
OUTPUT = Var("output_tokens", "token", "tokens generated per sequence", COUNT, source=f"32, {LLM_ANALYSIS}")
GPUS = Var("gpus", "GPU", "GPUs holding one copy of the model (tensor parallel)", COUNT,
           source="assumption: one GPU")
PEAK = Var("peak_flops", "FLOP/s", "peak dense throughput of one GPU", source=f"A100, 312 TFLOP/s: {A100_SHEET}")
MFU = Var("mfu", "", "share of peak FLOP/s reached (compute efficiency)", FRACTION,
          source="assumption: 1, the roofline's ideal (as llm-analysis's default)")
BANDWIDTH = Var("bandwidth", "byte/s", "HBM bandwidth of one GPU",
                source=f"A100 80GB, 2,039 GB/s: {A100_SHEET}")
MEMORY_EFFICIENCY = Var("memory_efficiency", "", "share of HBM bandwidth reached", FRACTION,
                        source="assumption: 1, the roofline's ideal (llm-analysis: 0.6-0.7 is measured in inference)")
PRICE = Var("price_per_gpu_hour", "USD/GPU-hour", "price of one GPU for one hour",
            source="$2 per GPU-hour, DeepSeek-V3 technical report's rental assumption (arXiv:2412.19437)")

WEIGHT_BYTES = Var("weight_bytes", "byte", "weights read every step")
KV_READ = Var("kv_bytes_per_step", "byte", "KV cache read per step (mean context, all sequences)", NONNEGATIVE)
COMPUTE_TIME = Var("decode_compute_time", "second", "compute time of one decode step")
MEMORY_TIME = Var("decode_memory_time", "second", "memory time of one decode step")
TIME_PER_TOKEN = Var("time_per_token", "second", "time per output token (one decode step)")
TOKENS_PER_SECOND = Var("decode_tokens_per_second", "token/s", "tokens generated a second, all sequences")
PREFILL_TIME = Var("prefill_time", "second", "time to process the prompts (to the first token)")
DECODE_COST = Var("decode_cost_per_1k_tokens", "USD/1K token", "cost of 1,000 generated tokens, decode only")
COST_PER_1K = Var("cost_per_1k_tokens", "USD/1K token", "cost of 1,000 generated tokens, prefill included")

N, B = PARAMS.symbol, BATCH.symbol
COMPUTE_RATE = GPUS.symbol * PEAK.symbol * MFU.symbol
MEMORY_RATE = GPUS.symbol * BANDWIDTH.symbol * MEMORY_EFFICIENCY.symbol

F_WEIGHTS = Formula(WEIGHT_BYTES, N * WEIGHT_BYTES_PER.symbol, (PARAMS, WEIGHT_BYTES_PER))
F_KV_READ = Formula(KV_READ, KV_PER_TOKEN.symbol * (PROMPT.symbol + OUTPUT.symbol / 2) * B,
                    (KV_PER_TOKEN, PROMPT, OUTPUT, BATCH), "mean context over the decode: prompt + generated / 2")
F_COMPUTE = Formula(COMPUTE_TIME, 2 * N * B / COMPUTE_RATE, (PARAMS, BATCH, GPUS, PEAK, MFU),
                    "2N FLOPs a token, Kaplan et al. 2020")
F_MEMORY = Formula(MEMORY_TIME, (WEIGHT_BYTES.symbol + KV_READ.symbol) / MEMORY_RATE,
                   (WEIGHT_BYTES, KV_READ, GPUS, BANDWIDTH, MEMORY_EFFICIENCY))
F_STEP = Formula(TIME_PER_TOKEN, sympy.Max(COMPUTE_TIME.symbol, MEMORY_TIME.symbol), (COMPUTE_TIME, MEMORY_TIME),
                 "roofline: the slower of compute and memory, Williams et al. 2009")
F_RATE = Formula(TOKENS_PER_SECOND, B / TIME_PER_TOKEN.symbol, (BATCH, TIME_PER_TOKEN))
F_PREFILL = Formula(PREFILL_TIME, sympy.Max(2 * N * PROMPT.symbol * B / COMPUTE_RATE, WEIGHT_BYTES.symbol / MEMORY_RATE),
                    (PARAMS, PROMPT, BATCH, GPUS, PEAK, MFU, WEIGHT_BYTES, BANDWIDTH, MEMORY_EFFICIENCY))
F_DECODE_COST = Formula(DECODE_COST, 1000 * PRICE.symbol * GPUS.symbol / (3600 * TOKENS_PER_SECOND.symbol),
                        (PRICE, GPUS, TOKENS_PER_SECOND))
F_COST = Formula(COST_PER_1K, 1000 * PRICE.symbol * GPUS.symbol
                 * (PREFILL_TIME.symbol + OUTPUT.symbol * TIME_PER_TOKEN.symbol) / (3600 * B * OUTPUT.symbol),
                 (PRICE, GPUS, PREFILL_TIME, OUTPUT, TIME_PER_TOKEN, BATCH))

ROOFLINE = Calculation("serving_roofline", (F_WEIGHTS, F_KV_READ, F_COMPUTE, F_MEMORY, F_STEP, F_RATE, F_PREFILL,
                                            F_DECODE_COST, F_COST),
                       "serving time and cost with prefill bound by compute and decode by memory bandwidth")

_DOC_ARGS = """
    Args:
        params: model parameters (N)
        batch: sequences decoded together (batch size)
        bytes_per_param: bytes a weight (fp16/bf16 2, fp8/int8 1, int4 0.5)
        kv_bytes_per_token: KV-cache bytes a token of context for one sequence
        prompt_tokens: prompt tokens per sequence
        output_tokens: tokens generated per sequence
        gpus: GPUs holding one copy of the model (tensor parallel)
        peak_flops: peak dense throughput of one GPU, FLOP/s
        mfu: share of peak FLOP/s reached, a fraction
        bandwidth: HBM bandwidth of one GPU, byte/s
        memory_efficiency: share of HBM bandwidth reached, a fraction
        price_per_gpu_hour: price of one GPU for one hour, USD
"""


def roofline_cost_per_1k_tokens(params: float, batch: float = 1, bytes_per_param: float = 2,
                                kv_bytes_per_token: float = 0, prompt_tokens: float = 512, output_tokens: float = 32,
                                gpus: float = 1, peak_flops: float = 312e12, mfu: float = 1.0,
                                bandwidth: float = 2.039e12, memory_efficiency: float = 1.0,
                                price_per_gpu_hour: float = 2.0) -> float:
    return ROOFLINE.evaluate(locals())["cost_per_1k_tokens"]


def decode_tokens_per_second(params: float, batch: float = 1, bytes_per_param: float = 2,
                             kv_bytes_per_token: float = 0, prompt_tokens: float = 512, output_tokens: float = 32,
                             gpus: float = 1, peak_flops: float = 312e12, mfu: float = 1.0,
                             bandwidth: float = 2.039e12, memory_efficiency: float = 1.0,
                             price_per_gpu_hour: float = 2.0) -> float:
    return ROOFLINE.evaluate(locals())["decode_tokens_per_second"]


def time_per_output_token(params: float, batch: float = 1, bytes_per_param: float = 2,
                          kv_bytes_per_token: float = 0, prompt_tokens: float = 512, output_tokens: float = 32,
                          gpus: float = 1, peak_flops: float = 312e12, mfu: float = 1.0,
                          bandwidth: float = 2.039e12, memory_efficiency: float = 1.0,
                          price_per_gpu_hour: float = 2.0) -> float:
    return ROOFLINE.evaluate(locals())["time_per_token"]


roofline_cost_per_1k_tokens.__doc__ = (
    "Serving cost in USD of 1,000 generated tokens on a roofline: decode bound by HBM bandwidth, prefill by compute."
    "\n" + _DOC_ARGS)
decode_tokens_per_second.__doc__ = (
    "Tokens generated a second (all sequences of a batch) on a roofline: each step reads the weights and KV cache."
    "\n" + _DOC_ARGS)
time_per_output_token.__doc__ = (
    "Seconds per output token (one decode step): the slower of compute and reading weights and KV cache from HBM."
    "\n" + _DOC_ARGS)
