"""Memory: training state per parameter, inference weights, KV cache, and GPUs needed.

Training bytes per parameter, by recipe (which accounting gives which number):
- 'adam-mixed' 20: mixed-precision Adam as Megatron-Turing NLG counts it (Smith et al.
  2022): fp16 weights and gradients (2 + 2), fp32 master weights and gradients
  (4 + 4), Adam's two fp32 moments (4 + 4). The notes use it: "20N",
  kb/001_420203dd199bc46a.txt line 228, reference at line 322.
- 'adamw-mixed-hf' 18: Hugging Face "Model training anatomy": weights 6 (fp32 plus an
  fp16 copy), fp32 gradients 4, moments 8.
- 'adam-mixed-zero' 16: ZeRO (Rajbhandari et al. 2020): fp16 weights and gradients
  (2 + 2) and fp32 master weights, momentum and variance (12).
- 'adam-fp32' 16: fp32 weights, gradients and two moments (4 + 4 + 8).
Activations are not counted in the state; an `overhead` (a fraction: 0.25 = 25% more) puts
them, or any other allowance, on top.

Inference weights: FP32 4, FP16/BF16 2, FP8/INT8 1, FP4/INT4 0.5 bytes a parameter.
KV cache = 2 (K and V) x layers x KV heads x head dim x bytes x tokens x batch.

Examples
--------
>>> training_memory(340e6) / 1e9
6.8
>>> r = TRAINING_MEMORY.evaluate({"params": 175e9, "bytes_per_param": 20, "overhead": 0, "gpu_memory": 80e9})
>>> r["training_bytes"] / 1e12, r["gpus"]
(3.5, 44.0)
>>> TRAINING_MEMORY.evaluate({"params": 70e9, "bytes_per_param": 20, "overhead": 0.25, "gpu_memory": 80e9})["gpus"]
22.0
>>> kv_cache_from_hidden(layers=80, hidden_size=8192, tokens=1, bytes_per_value=2) / 8  # Llama 2 70B: GQA, 8 of 64 heads
327680.0
>>> inference_memory(70e9, bytes_per_param=weight_bytes_per_parameter("fp16"))
140000000000.0
>>> kv_cache(layers=80, kv_heads=8, head_dim=128, tokens=4096)  # Llama 2 70B, one 4K sequence, fp16
1342177280.0
"""

from __future__ import annotations

import sympy

from calculators.errors import InputError
from calculators.formula import COUNT, NONNEGATIVE, Calculation, Formula, Var
from calculators.hardware import H100_SHEET
from calculators.training import PARAMS

NOTE = "kb/001_420203dd199bc46a.txt"

TRAINING_BYTES_PER_PARAMETER = {
    "adam-mixed": 20.0,
    "adamw-mixed-hf": 18.0,
    "adam-mixed-zero": 16.0,
    "adam-fp32": 16.0,
}
WEIGHT_BYTES_PER_PARAMETER = {
    "fp32": 4.0, "fp16": 2.0, "bf16": 2.0, "fp8": 1.0, "int8": 1.0, "fp4": 0.5, "int4": 0.5,
}


def training_bytes_per_parameter(recipe: str = "adam-mixed") -> float:
    """Bytes of training state a parameter for a recipe (see the module docstring).

    >>> training_bytes_per_parameter("adamw-mixed-hf")
    18.0
    """
    try:
        return TRAINING_BYTES_PER_PARAMETER[recipe.lower()]
    except KeyError:
        raise InputError("recipe", f"must be one of {', '.join(TRAINING_BYTES_PER_PARAMETER)}; got {recipe!r}") from None


def weight_bytes_per_parameter(precision: str = "fp16") -> float:
    """Bytes a weight at a precision: fp32 4, fp16/bf16 2, fp8/int8 1, fp4/int4 0.5."""
    try:
        return WEIGHT_BYTES_PER_PARAMETER[precision.lower()]
    except KeyError:
        raise InputError("precision", f"must be one of {', '.join(WEIGHT_BYTES_PER_PARAMETER)}; got {precision!r}") from None


GPU_MEMORY = Var("gpu_memory", "byte/GPU", "memory of one GPU",
                 source=f"H100, 80 GB: {NOTE}:230; {H100_SHEET}")
TRAIN_BYTES_PER = Var("bytes_per_param", "byte/parameter", "bytes of training state a parameter",
                      source=f"{NOTE}:228 (20N, mixed-precision Adam; reference at line 322)")
TRAINING_BYTES = Var("training_bytes", "byte", "weights, gradients and optimizer state")
WEIGHT_BYTES_PER = Var("bytes_per_param", "byte/parameter", "bytes a weight (fp16/bf16 2, fp8 1, fp4 0.5)",
                       source="FP16/BF16: 2 bytes a weight")
WEIGHT_BYTES = Var("weight_bytes", "byte", "memory for the weights")
KV_BYTES = Var("kv_cache_bytes", "byte", "memory for the KV cache", NONNEGATIVE,
               source="none: weights only (add the kv_cache result)")
OVERHEAD = Var("overhead", "", "extra memory on top, as a fraction (activations, buffers: 0.25 = 25%)", NONNEGATIVE,
               source="none: state only")
HIDDEN = Var("hidden_size", "", "model (hidden) dimension; with full multi-head attention KV heads x head dim = it",
             COUNT)
TOTAL_BYTES = Var("total_bytes", "byte", "weights plus KV cache")
GPUS = Var("gpus", "GPU", "GPUs whose memory holds it (rounded up)", COUNT)
LAYERS = Var("layers", "layer", "transformer layers", COUNT)
KV_HEADS = Var("kv_heads", "head", "key/value heads per layer (fewer than query heads with GQA/MQA)", COUNT)
HEAD_DIM = Var("head_dim", "", "dimension of one attention head", COUNT)
TOKENS = Var("tokens", "token", "tokens of context held per sequence", COUNT)
BATCH = Var("batch", "", "sequences held at once", COUNT, source="one sequence")
VALUE_BYTES = Var("bytes_per_value", "byte", "bytes a cached value (fp16 2, fp8 1)", source="FP16: 2 bytes")

F_TRAINING = Formula(TRAINING_BYTES, PARAMS.symbol * TRAIN_BYTES_PER.symbol * (1 + OVERHEAD.symbol),
                     (PARAMS, TRAIN_BYTES_PER, OVERHEAD), f"{NOTE}:228")
F_TRAINING_GPUS = Formula(GPUS, sympy.ceiling(TRAINING_BYTES.symbol / GPU_MEMORY.symbol), (TRAINING_BYTES, GPU_MEMORY),
                          f"{NOTE}:230")
F_WEIGHTS = Formula(WEIGHT_BYTES, PARAMS.symbol * WEIGHT_BYTES_PER.symbol, (PARAMS, WEIGHT_BYTES_PER))
F_TOTAL = Formula(TOTAL_BYTES, WEIGHT_BYTES.symbol + KV_BYTES.symbol, (WEIGHT_BYTES, KV_BYTES))
F_INFERENCE_GPUS = Formula(GPUS, sympy.ceiling(TOTAL_BYTES.symbol / GPU_MEMORY.symbol), (TOTAL_BYTES, GPU_MEMORY))
F_KV = Formula(
    KV_BYTES,
    2 * LAYERS.symbol * KV_HEADS.symbol * HEAD_DIM.symbol * VALUE_BYTES.symbol * TOKENS.symbol * BATCH.symbol,
    (LAYERS, KV_HEADS, HEAD_DIM, VALUE_BYTES, TOKENS, BATCH),
    "2 (K and V) x layers x KV heads x head dim x bytes x tokens x batch",
)

F_KV_HIDDEN = Formula(
    KV_BYTES, 2 * LAYERS.symbol * HIDDEN.symbol * VALUE_BYTES.symbol * TOKENS.symbol * BATCH.symbol,
    (LAYERS, HIDDEN, VALUE_BYTES, TOKENS, BATCH),
    "2 (K and V) x layers x hidden size x bytes x tokens x batch (multi-head attention)",
)
KV_CACHE_HIDDEN = Calculation("kv_cache_from_hidden", (F_KV_HIDDEN,))
TRAINING_MEMORY = Calculation("training_memory", (F_TRAINING, F_TRAINING_GPUS))
INFERENCE_MEMORY = Calculation("inference_memory", (F_WEIGHTS, F_TOTAL, F_INFERENCE_GPUS))
KV_CACHE = Calculation("kv_cache", (F_KV,))


def training_memory(params: float, bytes_per_param: float = 20, overhead: float = 0, gpu_memory: float = 80e9) -> float:
    """Bytes of weights, gradients and optimizer state for training (and the GPUs that hold them).

    Args:
        params: model parameters (N)
        bytes_per_param: bytes of training state a parameter (20 mixed-precision Adam, 18, 16)
        overhead: extra memory on top as a fraction (activations: 0.25 = 25% more)
        gpu_memory: memory of one GPU, bytes
    """
    return TRAINING_MEMORY.evaluate(locals())["training_bytes"]


def inference_memory(params: float, bytes_per_param: float = 2, kv_cache_bytes: float = 0,
                     gpu_memory: float = 80e9) -> float:
    """Bytes of weights for inference at a precision (plus an optional KV cache, and the GPUs needed).

    Args:
        params: model parameters (N)
        bytes_per_param: bytes a weight (FP32 4, FP16/BF16 2, FP8 1, FP4 0.5)
        kv_cache_bytes: memory for the KV cache, bytes
        gpu_memory: memory of one GPU, bytes
    """
    return INFERENCE_MEMORY.evaluate(locals())["weight_bytes"]


def kv_cache(layers: float, kv_heads: float, head_dim: float, tokens: float, batch: float = 1,
             bytes_per_value: float = 2) -> float:
    """Bytes of KV cache: 2 x layers x KV heads x head dim x bytes x tokens x batch.

    Args:
        layers: transformer layers
        kv_heads: key/value heads per layer
        head_dim: dimension of one attention head
        tokens: tokens of context held per sequence
        batch: sequences held at once
        bytes_per_value: bytes a cached value (fp16 2, fp8 1)
    """
    return KV_CACHE.evaluate(locals())["kv_cache_bytes"]


def kv_cache_from_hidden(layers: float, hidden_size: float, tokens: float, batch: float = 1,
                         bytes_per_value: float = 2) -> float:
    """Bytes of KV cache from the hidden size (multi-head attention): 2 x layers x hidden x bytes x tokens x batch.

    Args:
        layers: transformer layers
        hidden_size: model (hidden) dimension
        tokens: tokens of context held per sequence
        batch: sequences held at once
        bytes_per_value: bytes a cached value (fp16 2, fp8 1)
    """
    return KV_CACHE_HIDDEN.evaluate(locals())["kv_cache_bytes"]
