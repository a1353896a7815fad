"""Scaling laws: the Chinchilla loss and two different answers to "how big for this budget?".

Chinchilla parametric loss (Hoffmann et al. 2022, "Training Compute-Optimal Large
Language Models", eq. 10, approach 3): L(N, D) = E + A / N^α + B / D^β with
E = 1.69, A = 406.4, B = 410.7, α = 0.34, β = 0.28.

Two answers for a compute budget C = 6·N·D, which disagree, so both are offered and
labelled:
- the rule of thumb, 20 tokens a parameter (Hoffmann et al. approaches 1 and 2, as
  commonly quoted): D = 20·N, so N = sqrt(C / 120);
- the optimum of the parametric fit (minimise L subject to 6ND = C), in closed form:
  N = G·(C/6)^(β/(α+β)), D = (C/6)^(α/(α+β)) / G, G = (αA / (βB))^(1/(α+β)).

Examples
--------
>>> round(chinchilla_loss(1e12, 300e9), 3)
1.975
>>> f"{params_20_tokens_rule(5.76e23):.3g}"
'6.93e+10'
>>> f"{params_parametric_optimum(5.76e23):.3g}"
'3.22e+10'
"""

from __future__ import annotations

import sympy

from calculators.formula import POSITIVE, Calculation, Formula, Var
from calculators.training import FLOPS, PARAMS, TOKENS

HOFFMANN = "Hoffmann et al. 2022, Training Compute-Optimal Large Language Models, eq. 10 (approach 3)"
E = sympy.Float("1.69")
A = sympy.Float("406.4")
B = sympy.Float("410.7")
ALPHA = sympy.Float("0.34")
BETA = sympy.Float("0.28")
G = (ALPHA * A / (BETA * B)) ** (1 / (ALPHA + BETA))

LOSS = Var("loss", "", "predicted pre-training loss (nats per token)")
TOKENS_PER_PARAM = Var("tokens_per_param", "token/parameter", "training tokens a parameter",
                       POSITIVE, source="Hoffmann et al. 2022 as commonly quoted: about 20")
BUDGET = Var("flops", "FLOP", "training compute budget, C = 6ND")
C = BUDGET.symbol

F_LOSS = Formula(LOSS, E + A / PARAMS.symbol**ALPHA + B / TOKENS.symbol**BETA, (PARAMS, TOKENS), HOFFMANN)
F_RULE_PARAMS = Formula(PARAMS, sympy.sqrt(C / (6 * TOKENS_PER_PARAM.symbol)), (BUDGET, TOKENS_PER_PARAM),
                        "C = 6ND with D = k N")
F_RULE_TOKENS = Formula(TOKENS, TOKENS_PER_PARAM.symbol * PARAMS.symbol, (TOKENS_PER_PARAM, PARAMS))
F_OPT_PARAMS = Formula(PARAMS, G * (C / 6) ** (BETA / (ALPHA + BETA)), (BUDGET,), HOFFMANN)
F_OPT_TOKENS = Formula(TOKENS, (C / 6) ** (ALPHA / (ALPHA + BETA)) / G, (BUDGET,), HOFFMANN)

CHINCHILLA_LOSS = Calculation("chinchilla_loss", (F_LOSS,))
RULE_OF_THUMB = Calculation("compute_optimal_20_tokens_rule", (F_RULE_PARAMS, F_RULE_TOKENS),
                            "rule of thumb: 20 tokens a parameter")
PARAMETRIC_OPTIMUM = Calculation("compute_optimal_parametric_fit", (F_OPT_PARAMS, F_OPT_TOKENS),
                                 "optimum of the Chinchilla parametric loss fit")

assert FLOPS.name == BUDGET.name  # the same quantity as in training


def chinchilla_loss(params: float, tokens: float) -> float:
    """Chinchilla's fitted loss L(N, D) = 1.69 + 406.4/N^0.34 + 410.7/D^0.28 (Hoffmann et al. 2022).

    Args:
        params: model parameters (N)
        tokens: training tokens (D)
    """
    return CHINCHILLA_LOSS.evaluate(locals())["loss"]


def params_20_tokens_rule(flops: float, tokens_per_param: float = 20) -> float:
    """Compute-optimal size by the rule of thumb D = 20·N: N = sqrt(C / (6 x 20)). Differs from the fit's optimum.

    Args:
        flops: training compute budget in FLOP (C)
        tokens_per_param: training tokens a parameter
    """
    return RULE_OF_THUMB.evaluate(locals())["params"]


def params_parametric_optimum(flops: float) -> float:
    """Compute-optimal size from minimising the Chinchilla parametric loss under 6ND = C. Differs from the 20-tokens rule.

    Args:
        flops: training compute budget in FLOP (C)
    """
    return PARAMETRIC_OPTIMUM.evaluate(locals())["params"]
