"""Memory: training state per parameter, inference weights, KV cache, and GPUs needed.

Training bytes per parameter, by recipe (which accounting gives which number):
- 'adam-mixed' 20: mixed-precision Adam as Megatron-Turing NLG counts it (Smith et al.
  2022): fp16 weights and gradients (2 + 2), fp32 master weights and gradients
  (4 + 4), Adam's two fp32 moments (4 + 4). Sunyan 2023 ("The Economics of Large
  Language Models") uses it: "20N".
- 'adamw-mixed-hf' 18: Hugging Face "Model training anatomy": weights 6 (fp32 plus an
  fp16 copy), fp32 gradients 4, moments 8.
- 'adam-mixed-zero' 16: ZeRO (Rajbhandari et al. 2020): fp16 weights and gradients
  (2 + 2) and fp32 master weights, momentum and variance (12).
- 'adam-fp32' 16: fp32 weights, gradients and two moments (4 + 4 + 8).
Activations are not counted in the state; an `overhead` (a fraction: 0.25 = 25% more) puts
them, or any other allowance, on top.

Training memory per GPU with ZeRO and activations (`training_memory_per_gpu`):
- model state a parameter, mixed-precision Adam: fp16 weights 2 + fp16 gradients 2 + fp32
  master weights, momentum and variance 12 = 16 bytes (Rajbhandari et al. 2020, "ZeRO",
  arXiv:1910.02054, section 3.1, K = 12); Megatron-Turing's count keeps fp32 gradients too,
  20 bytes (Smith et al. 2022, arXiv:2201.11990): give optimizer_bytes_per_param 16.
- ZeRO stage 1 divides the optimizer state by the data-parallel degree, stage 2 the
  gradients too, stage 3 the weights too (ZeRO, section 5, Figure 1):
  divisor of the optimizer = dp^min(stage, 1), of the gradients = dp^min(max(stage - 1, 0), 1),
  of the weights = dp^max(stage - 2, 0).
- activations a layer, 16-bit, no tensor/sequence parallelism: s·b·h·(34 + 5·a·s/h) bytes
  without recomputation; with full recomputation only each layer's input is kept, 2·s·b·h
  (Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer Models",
  arXiv:2205.05198, equation 1 and section 4.1); s sequence length, b micro-batch, h hidden
  size, a attention heads. recompute is 0 (off) or 1 (full), so the formula is
  s·b·h·((34 + 5as/h)(1 - r) + 2r).

Inference weights: FP32 4, FP16/BF16 2, FP8/INT8 1, FP4/INT4 0.5 bytes a parameter. An
`overhead` on weights and KV cache allows for activations, the CUDA context and
fragmentation: EleutherAI's "Transformer Math 101" (Anthony, Biderman, Schoelkopf 2023)
takes total inference memory as about 1.2 x the model's, i.e. overhead 0.2. It is 0 unless
given (a question about the weights asks for the weights).
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
>>> base = dict(params=7.5e9, weight_bytes_per_param=2, gradient_bytes_per_param=2,
...     optimizer_bytes_per_param=12, zero_stage=3, data_parallel=64, layers=0, hidden_size=1, heads=1, seq_len=1,
...     micro_batch=1, recompute=1)
>>> r = TRAINING_MEMORY_ZERO.evaluate(base)
>>> round(r["state_bytes_per_gpu"] / 1e9, 2)  # ZeRO's Figure 1: 7.5B parameters, Nd = 64, stage 3: 1.88 GB
1.88
>>> [round(training_memory_per_gpu(7.5e9, zero_stage=k, data_parallel=64) / 1e9, 1) for k in (0, 1, 2, 3)]
[120.0, 31.4, 16.6, 1.9]
>>> gpt3 = dict(layers=96, hidden_size=12288, heads=96, seq_len=2048)  # one sequence, no model parallelism
>>> full = TRAINING_MEMORY_ZERO.evaluate(dict(base, **gpt3, recompute=0))["activation_bytes_per_gpu"]
>>> full == 96 * 2048 * 12288 * (34 + 5 * 96 * 2048 / 12288), round(full / 2**30, 1)
(True, 256.5)
>>> TRAINING_MEMORY_ZERO.evaluate(dict(base, **gpt3, recompute=1))["activation_bytes_per_gpu"] / 2**30  # 2sbh a layer
4.5
>>> INFERENCE_MEMORY.evaluate({"params": 70e9, "bytes_per_param": 2, "kv_cache_bytes": 0, "overhead": 0.2,
...     "gpu_memory": 80e9})["gpus"]  # EleutherAI's 1.2x
3.0
"""

from __future__ import annotations

import sympy

from calculators.errors import InputError
from calculators.formula import COUNT, LEVEL, NONNEGATIVE, Calculation, Formula, Var
from calculators.hardware import H100_SHEET
from calculators.sources import MT_NLG
from calculators.training import PARAMS

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
                 source=f"H100, 80 GB: {H100_SHEET}")
TRAIN_BYTES_PER = Var("bytes_per_param", "byte/parameter", "bytes of training state a parameter",
                      source=f"20 bytes a parameter, mixed-precision Adam: {MT_NLG}")
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
                     (PARAMS, TRAIN_BYTES_PER, OVERHEAD), MT_NLG)
F_TRAINING_GPUS = Formula(GPUS, sympy.ceiling(TRAINING_BYTES.symbol / GPU_MEMORY.symbol), (TRAINING_BYTES, GPU_MEMORY))
F_WEIGHTS = Formula(WEIGHT_BYTES, PARAMS.symbol * WEIGHT_BYTES_PER.symbol, (PARAMS, WEIGHT_BYTES_PER))
INFERENCE_OVERHEAD = Var("overhead", "", "extra memory on weights and KV cache, a fraction (activations, CUDA context,"
                         " fragmentation: EleutherAI's Transformer Math 101 takes 0.2)", NONNEGATIVE,
                         source="none: weights and KV cache only (EleutherAI's Transformer Math 101 adds 20%)")
F_TOTAL = Formula(TOTAL_BYTES, (WEIGHT_BYTES.symbol + KV_BYTES.symbol) * (1 + INFERENCE_OVERHEAD.symbol),
                  (WEIGHT_BYTES, KV_BYTES, INFERENCE_OVERHEAD))
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


# --- training memory per GPU: ZeRO stages and activations ---------------------------------------------------
ZERO = "Rajbhandari et al. 2020, ZeRO (arXiv:1910.02054)"
W_BYTES = Var("weight_bytes_per_param", "byte/parameter", "bytes of weights a parameter (fp16 2)",
              source=f"2, fp16 weights: {ZERO}, section 3.1")
G_BYTES = Var("gradient_bytes_per_param", "byte/parameter", "bytes of gradients a parameter (fp16 2)",
              source=f"2, fp16 gradients: {ZERO}, section 3.1")
O_BYTES = Var("optimizer_bytes_per_param", "byte/parameter",
              "bytes of optimizer state a parameter (Adam, fp32 master weights + momentum + variance: 12)",
              source=f"12 (K = 12 for mixed-precision Adam): {ZERO}, section 3.1")
STAGE = Var("zero_stage", "", "ZeRO stage: 0 none, 1 optimizer sharded, 2 + gradients, 3 + weights", LEVEL,
            source="none: no ZeRO", maximum=3)
DP = Var("data_parallel", "GPU", "data-parallel degree (GPUs the ZeRO state is sharded over)", COUNT,
         source="one GPU")
ACT_LAYERS = Var("layers", "layer", "transformer layers (0: activations not counted)", NONNEGATIVE,
                 source="none: activations not counted unless the model's shape is given")
ACT_HIDDEN = Var("hidden_size", "", "model (hidden) dimension h", COUNT, source="none")
HEADS = Var("heads", "head", "attention heads a", COUNT, source="none")
SEQ = Var("seq_len", "token", "tokens a sequence s", COUNT, source="none")
MICRO_BATCH = Var("micro_batch", "", "sequences a GPU holds at once (micro-batch b)", COUNT, source="one sequence")
RECOMPUTE = Var("recompute", "", "full activation recomputation: 1 on, 0 off", LEVEL, maximum=1,
                source="none: no recomputation (Korthikanti et al. 2022, equation 1)")
STATE_PER_GPU = Var("state_bytes_per_gpu", "byte", "weights, gradients and optimizer state on one GPU")
ACTIVATIONS_PER_GPU = Var("activation_bytes_per_gpu", "byte", "activations on one GPU (16-bit)", NONNEGATIVE)
BYTES_PER_GPU = Var("bytes_per_gpu", "byte", "training memory on one GPU: state + activations")

_K = STAGE.symbol
F_STATE = Formula(
    STATE_PER_GPU,
    PARAMS.symbol * (W_BYTES.symbol / DP.symbol ** sympy.Max(_K - 2, 0)
                     + G_BYTES.symbol / DP.symbol ** sympy.Min(sympy.Max(_K - 1, 0), 1)
                     + O_BYTES.symbol / DP.symbol ** sympy.Min(_K, 1)),
    (PARAMS, W_BYTES, G_BYTES, O_BYTES, DP, STAGE), f"{ZERO}, section 5",
)
_S, _B, _H, _A, _R = SEQ.symbol, MICRO_BATCH.symbol, ACT_HIDDEN.symbol, HEADS.symbol, RECOMPUTE.symbol
F_ACTIVATIONS = Formula(
    ACTIVATIONS_PER_GPU,
    ACT_LAYERS.symbol * _S * _B * _H * ((34 + 5 * _A * _S / _H) * (1 - _R) + 2 * _R),
    (ACT_LAYERS, SEQ, MICRO_BATCH, ACT_HIDDEN, HEADS, RECOMPUTE),
    "Korthikanti et al. 2022 (arXiv:2205.05198), equation 1; 2sbh a layer with full recomputation",
)
F_PER_GPU = Formula(BYTES_PER_GPU, STATE_PER_GPU.symbol + ACTIVATIONS_PER_GPU.symbol,
                    (STATE_PER_GPU, ACTIVATIONS_PER_GPU))
TRAINING_MEMORY_ZERO = Calculation("training_memory_per_gpu", (F_STATE, F_ACTIVATIONS, F_PER_GPU),
                                   "training memory per GPU with ZeRO stages and activations")


def training_memory_per_gpu(params: float, zero_stage: float = 0, data_parallel: float = 1,
                            weight_bytes_per_param: float = 2, gradient_bytes_per_param: float = 2,
                            optimizer_bytes_per_param: float = 12, layers: float = 0, hidden_size: float = 1,
                            heads: float = 1, seq_len: float = 1, micro_batch: float = 1,
                            recompute: float = 0) -> float:
    """Training memory on one GPU: model state sharded by ZeRO stage over the data-parallel GPUs, plus activations.

    Activations count only when the model's shape is given (layers, hidden size, heads, sequence length): with the
    default of 0 layers they are not counted.

    Args:
        params: model parameters (N)
        zero_stage: ZeRO stage (0 none, 1 optimizer state sharded, 2 and gradients, 3 and weights)
        data_parallel: data-parallel degree, the GPUs the state is sharded over
        weight_bytes_per_param: bytes of weights a parameter (fp16 2)
        gradient_bytes_per_param: bytes of gradients a parameter (fp16 2)
        optimizer_bytes_per_param: bytes of optimizer state a parameter (mixed-precision Adam 12; 16 with fp32 gradients)
        layers: transformer layers (0: activations not counted)
        hidden_size: model (hidden) dimension
        heads: attention heads
        seq_len: tokens a sequence
        micro_batch: sequences a GPU holds at once
        recompute: full activation recomputation, 1 on or 0 off
    """
    return TRAINING_MEMORY_ZERO.evaluate(locals())["bytes_per_gpu"]


def training_memory(params: float, bytes_per_param: float = 20, overhead: float = 0, gpu_memory: float = 80e9) -> float:
    """Bytes of weights, gradients and optimizer state for training (and the GPUs that hold them).

    Args:
        params: model parameters (N)
        bytes_per_param: bytes of training state a parameter (20 mixed-precision Adam, 18, 16)
        overhead: extra memory on top as a fraction (activations: 0.25 = 25% more)
        gpu_memory: memory of one GPU, bytes
    """
    return TRAINING_MEMORY.evaluate(locals())["training_bytes"]


def inference_memory(params: float, bytes_per_param: float = 2, kv_cache_bytes: float = 0, overhead: float = 0,
                     gpu_memory: float = 80e9) -> float:
    """Bytes of weights for inference at a precision (plus an optional KV cache and overhead, and the GPUs needed).

    Args:
        params: model parameters (N)
        bytes_per_param: bytes a weight (FP32 4, FP16/BF16 2, FP8 1, FP4 0.5)
        kv_cache_bytes: memory for the KV cache, bytes
        overhead: extra memory as a fraction (activations, fragmentation: 0.2 as in EleutherAI's Transformer Math 101)
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
