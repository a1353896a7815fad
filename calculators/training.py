"""Training compute, time and cost of a dense decoder-only transformer.

Formulas:
- C = 6·N·D FLOPs (Kaplan et al. 2020, "Scaling Laws for Neural Language Models").
- 1 PF-day = 1e15 FLOP/s x 86,400 s (Brown et al. 2020, the GPT-3 paper's unit).
- time = C / (chips x peak x MFU); chip-hours = C / (peak x MFU x 3600 s);
  cost = chip-hours x price per chip-hour.

Defaults are a TPU v4 run's: 275 TFLOP/s bf16 peak (Google Cloud TPU v4 page), 46.2% MFU
(PaLM 540B on TPU v4, Chowdhery et al. 2022, Table 3) and $2.03 per chip-hour (Cloud TPU v4,
1-year commitment; see hardware.TPU_PRICE), the assumptions of Sunyan 2023's GPT-3 estimate.

Examples
--------
>>> training_compute(175e9, 300e9)
3.15e+23
>>> round(TRAINING_COMPUTE.evaluate({"params": 175e9, "tokens": 300e9})["pf_days"])
3646
>>> round(training_cost(175e9, 300e9))
1398072
>>> round(training_cost(280e9, 300e9) / 1e6, 2), round(training_cost(540e9, 780e9) / 1e6, 2)
(2.24, 11.22)
>>> round(training_time(70e9, 1.4e12, chips=1000, peak_flops=989e12, mfu=0.40), 1)
17.2
>>> f"{tokens_for_budget(7e9, 1e23):.4g}"
'2.381e+12'
>>> chips_for_deadline(70e9, 1.4e12, days=17.2, peak_flops=989e12, mfu=0.40)
1001

Achieved throughput instead of peak x MFU (MFU is relative to 6ND: a run that recomputes
activations does 8ND hardware FLOPs, so its hardware FLOPs utilisation is 8/6 of its MFU):

>>> round(training_time_achieved(175e9, 300e9, chips=1024, achieved_flops=140e12, flops_per_param_token=8), 1)
33.9
>>> round(training_time_from_tokens_per_second(1.4e12, chips=2048, tokens_per_second=380), 1)
20.8

Attention FLOPs on top of 6N a token: 12·L·d·s (PaLM, Chowdhery et al. 2022, arXiv:2204.02311,
appendix B: "6N + 12LHQT" FLOPs a token, H·Q = d the model dimension, T = s the sequence
length; Kaplan et al. 2020 table 1 counts the forward pass's 2·n_layer·n_ctx·d_attn the same
way). GPT-3 175B at 2,048 tokens: attention adds 12·96·12,288·2,048 / 6N = 2.8%:

>>> c = training_compute_with_attention(175e9, 300e9, layers=96, hidden_size=12288, seq_len=2048)
>>> round(c / 3.15e23, 3)
1.028
"""

from __future__ import annotations

from calculators.formula import COUNT, FRACTION, Calculation, Formula, Var
from calculators.sources import KAPLAN, PALM_MFU

SECONDS_PER_HOUR = 3600
SECONDS_PER_DAY = 86400
PF_DAY = 1e15 * SECONDS_PER_DAY  # FLOP in one PF-day

PARAMS = Var("params", "parameter", "model parameters (N)")
TOKENS = Var("tokens", "token", "training tokens (D)")
FLOPS = Var("flops", "FLOP", "training compute, C = 6ND")
PF_DAYS = Var("pf_days", "PF-day", "training compute in PF-days")
PEAK = Var("peak_flops", "FLOP/s", "peak dense throughput of one chip",
           source="TPU v4, 275 TFLOP/s bf16 (https://cloud.google.com/tpu/docs/v4)")
MFU = Var("mfu", "", "model FLOPs utilisation", FRACTION,
          source=f"46.2%, PaLM 540B's MFU on TPU v4: {PALM_MFU}", measured_on="TPU v4")
PRICE = Var("price_per_chip_hour", "USD/GPU-hour", "price of one chip for one hour",
            source="$2.03, Cloud TPU v4 with a 1-year commitment (https://cloud.google.com/tpu/pricing)")
CHIPS = Var("chips", "GPU", "number of chips training in parallel", COUNT)
CHIP_HOURS = Var("chip_hours", "GPU-hour", "chip-hours of training")
COST = Var("cost", "USD", "training cost")
SECONDS = Var("seconds", "second", "wall-clock training time")
DAYS = Var("days", "day", "wall-clock training time in days")

ACHIEVED = Var("achieved_flops", "FLOP/GPU-s", "FLOP/s one chip sustains in the run (achieved, not peak)")
PER_PARAM_TOKEN = Var("flops_per_param_token", "FLOP/parameter-token",
                      "training FLOPs per parameter per token: 6 (2 forward + 4 backward), 8 with full activation "
                      "recompute (Narayanan et al. 2021, arXiv:2104.04473, eq. 3)",
                      source="6: Kaplan et al. 2020 (arXiv:2001.08361)")
RUN_FLOPS = Var("flops", "FLOP", "training compute: flops_per_param_token x N x D")
TOKEN_RATE = Var("tokens_per_second", "token/GPU-s", "training tokens one chip processes a second")

N, D, C = PARAMS.symbol, TOKENS.symbol, FLOPS.symbol

F_FLOPS = Formula(FLOPS, 6 * N * D, (PARAMS, TOKENS), KAPLAN)
F_PF_DAYS = Formula(PF_DAYS, C / PF_DAY, (FLOPS,), "1 PF-day = 1e15 FLOP/s for a day (Brown et al. 2020)")
F_CHIP_HOURS = Formula(CHIP_HOURS, C / (PEAK.symbol * MFU.symbol * SECONDS_PER_HOUR), (FLOPS, PEAK, MFU))
F_COST = Formula(COST, CHIP_HOURS.symbol * PRICE.symbol, (CHIP_HOURS, PRICE))
F_SECONDS = Formula(SECONDS, C / (CHIPS.symbol * PEAK.symbol * MFU.symbol), (FLOPS, CHIPS, PEAK, MFU))
F_DAYS = Formula(DAYS, SECONDS.symbol / SECONDS_PER_DAY, (SECONDS,))

F_RUN_FLOPS = Formula(RUN_FLOPS, PER_PARAM_TOKEN.symbol * N * D, (PER_PARAM_TOKEN, PARAMS, TOKENS),
                      "Kaplan et al. 2020 (6); Narayanan et al. 2021 (8 with recompute)")
F_ACHIEVED_SECONDS = Formula(SECONDS, C / (CHIPS.symbol * ACHIEVED.symbol), (RUN_FLOPS, CHIPS, ACHIEVED),
                             "Narayanan et al. 2021, eq. 4: time = 8TP / (nX)")
F_TOKEN_SECONDS = Formula(SECONDS, D / (CHIPS.symbol * TOKEN_RATE.symbol), (TOKENS, CHIPS, TOKEN_RATE))

TRAINING_TIME_ACHIEVED = Calculation("training_time_achieved", (F_RUN_FLOPS, F_ACHIEVED_SECONDS, F_DAYS),
                                     "wall-clock training time at an achieved FLOP/s per chip")
TRAINING_TIME_TOKENS = Calculation("training_time_from_tokens_per_second", (F_TOKEN_SECONDS, F_DAYS),
                                   "wall-clock training time at a token throughput per chip")
TRAINING_COMPUTE = Calculation("training_compute", (F_FLOPS, F_PF_DAYS), "training FLOPs and PF-days")
TRAINING_COST = Calculation("training_cost", (F_FLOPS, F_CHIP_HOURS, F_COST), "training cost in the cloud")
TRAINING_TIME = Calculation("training_time", (F_FLOPS, F_SECONDS, F_DAYS), "wall-clock training time")


ATTN_LAYERS = Var("layers", "layer", "transformer layers (L)", COUNT)
ATTN_HIDDEN = Var("hidden_size", "", "model dimension d (attention heads x head dimension)", COUNT)
ATTN_SEQ = Var("seq_len", "token", "tokens a training sequence (context length)", COUNT)
FLOPS_WITH_ATTENTION = Var("flops", "FLOP", "training compute with attention, (6N + 12·L·d·s) x D")
F_FLOPS_ATTENTION = Formula(
    FLOPS_WITH_ATTENTION, D * (6 * N + 12 * ATTN_LAYERS.symbol * ATTN_HIDDEN.symbol * ATTN_SEQ.symbol),
    (TOKENS, PARAMS, ATTN_LAYERS, ATTN_HIDDEN, ATTN_SEQ), "PaLM (Chowdhery et al. 2022), appendix B: 6N + 12LHQT",
)
TRAINING_COMPUTE_ATTENTION = Calculation("training_compute_with_attention", (F_FLOPS_ATTENTION, F_PF_DAYS),
                                         "training FLOPs with the attention term")


def training_compute_with_attention(params: float, tokens: float, layers: float, hidden_size: float,
                                    seq_len: float) -> float:
    """Training compute in FLOP with attention: (6·N + 12·layers·d·seq_len) x D (PaLM's count; also in PF-days).

    Args:
        params: model parameters (N)
        tokens: training tokens (D)
        layers: transformer layers (L)
        hidden_size: model dimension d
        seq_len: tokens a training sequence (context length)
    """
    return TRAINING_COMPUTE_ATTENTION.evaluate(locals())["flops"]


def training_compute(params: float, tokens: float) -> float:
    """Training compute in FLOP: C = 6·N·D (also reported in PF-days).

    Args:
        params: model parameters (N)
        tokens: training tokens (D)
    """
    return TRAINING_COMPUTE.evaluate(locals())["flops"]


def training_cost(params: float, tokens: float, peak_flops: float = 275e12, mfu: float = 0.462,
                  price_per_chip_hour: float = 2.03) -> float:
    """Cloud cost in USD of training N parameters on D tokens: 6ND / (peak x MFU) chip-seconds x price.

    Args:
        params: model parameters (N)
        tokens: training tokens (D)
        peak_flops: peak dense throughput of one chip, FLOP/s
        mfu: model FLOPs utilisation, a fraction
        price_per_chip_hour: price of one chip for one hour, USD
    """
    return TRAINING_COST.evaluate(locals())["cost"]


def training_time(params: float, tokens: float, chips: float, peak_flops: float = 275e12,
                  mfu: float = 0.462) -> float:
    """Wall-clock days to train N parameters on D tokens with a number of chips.

    Args:
        params: model parameters (N)
        tokens: training tokens (D)
        chips: number of chips training in parallel
        peak_flops: peak dense throughput of one chip, FLOP/s
        mfu: model FLOPs utilisation, a fraction
    """
    return TRAINING_TIME.evaluate(locals())["days"]


def tokens_for_budget(params: float, flops: float) -> float:
    """Training tokens a compute budget buys for a model size: D = C / (6N).

    Args:
        params: model parameters (N)
        flops: compute budget in FLOP (C)
    """
    return TRAINING_COMPUTE.solve("tokens", locals())["tokens"]


def params_for_budget(tokens: float, flops: float) -> float:
    """Model size a compute budget allows for a number of training tokens: N = C / (6D).

    Args:
        tokens: training tokens (D)
        flops: compute budget in FLOP (C)
    """
    return TRAINING_COMPUTE.solve("params", locals())["params"]


def chips_for_deadline(params: float, tokens: float, days: float, peak_flops: float = 275e12,
                       mfu: float = 0.462) -> int:
    """Chips needed to finish training within a number of days (rounded up).

    Args:
        params: model parameters (N)
        tokens: training tokens (D)
        days: deadline, wall-clock days
        peak_flops: peak dense throughput of one chip, FLOP/s
        mfu: model FLOPs utilisation, a fraction
    """
    return int(TRAINING_TIME.solve("chips", locals())["chips"])


def training_time_achieved(params: float, tokens: float, chips: float, achieved_flops: float,
                           flops_per_param_token: float = 6) -> float:
    """Wall-clock days at an achieved (sustained) FLOP/s per chip: k·N·D / (chips x achieved); k = 6, or 8 with recompute.

    Args:
        params: model parameters (N)
        tokens: training tokens (D)
        chips: number of chips training in parallel
        achieved_flops: FLOP/s one chip sustains in the run (not its peak)
        flops_per_param_token: 6 (forward and backward), 8 with full activation recompute
    """
    return TRAINING_TIME_ACHIEVED.evaluate(locals())["days"]


def training_time_from_tokens_per_second(tokens: float, chips: float, tokens_per_second: float) -> float:
    """Wall-clock days at a training throughput in tokens a second per chip: D / (chips x tokens/s).

    Args:
        tokens: training tokens (D)
        chips: number of chips training in parallel
        tokens_per_second: training tokens one chip processes a second
    """
    return TRAINING_TIME_TOKENS.evaluate(locals())["days"]
