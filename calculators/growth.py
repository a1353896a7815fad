"""Growth rates: a rate per hardware generation to a rate per year and back; compound decline.

annual = (1 + per generation)^(1 / years per generation) - 1. Sunyan 2023 ("The Economics
of Large Language Models", from NVIDIA's data-center GPUs): throughput up 50% a generation,
"about 22% a year" (it is 22.5% for two-year generations); throughput per watt up 80% a
generation, "34% a year". remaining = (1 - annual decline)^years.

Examples
--------
>>> round(annual_rate(0.5), 4), round(annual_rate(0.8), 4)
(0.2247, 0.3416)
>>> round(per_generation_rate(0.2247448714), 6)
0.5
>>> round(compound_decline(0.2, 2.5), 4)
0.5724
>>> round(DECLINE.solve("annual_decline", {"years": 2.5, "total_decline": 0.8})["annual_decline"], 4)
0.475
"""

from __future__ import annotations

from calculators.formula import GROWTH, NONNEGATIVE, SHARE, Calculation, Formula, Var
from calculators.sources import SUNYAN

PER_GENERATION = Var("per_generation_rate", "", "growth per hardware generation (0.5 = +50%)", GROWTH,
                     source=f"50% a generation, NVIDIA data-center GPU FP16 throughput: {SUNYAN}")
YEARS_PER_GENERATION = Var("years_per_generation", "year", "years between generations",
                           source="assumption: 2 years (V100 2017, A100 2020, H100 2022)")
ANNUAL = Var("annual_rate", "", "growth a year (0.225 = +22.5%)", GROWTH)
ANNUAL_DECLINE = Var("annual_decline", "", "fall a year (0.2 = -20%)", SHARE)
YEARS = Var("years", "year", "years of decline")
REMAINING = Var("remaining_fraction", "", "what remains of the starting value", NONNEGATIVE)
TOTAL_DECLINE = Var("total_decline", "", "total fall over the years", SHARE)

F_ANNUAL = Formula(ANNUAL, (1 + PER_GENERATION.symbol) ** (1 / YEARS_PER_GENERATION.symbol) - 1,
                   (PER_GENERATION, YEARS_PER_GENERATION), SUNYAN)
F_REMAINING = Formula(REMAINING, (1 - ANNUAL_DECLINE.symbol) ** YEARS.symbol, (ANNUAL_DECLINE, YEARS))
F_TOTAL = Formula(TOTAL_DECLINE, 1 - REMAINING.symbol, (REMAINING,))

GENERATION_TO_ANNUAL = Calculation("annual_rate", (F_ANNUAL,))
DECLINE = Calculation("compound_decline", (F_REMAINING, F_TOTAL))


def annual_rate(per_generation_rate: float, years_per_generation: float = 2) -> float:
    """Growth a year equivalent to a growth per generation: (1 + g)^(1 / years) - 1.

    Args:
        per_generation_rate: growth per hardware generation, a fraction (0.5 = +50%)
        years_per_generation: years between generations
    """
    return GENERATION_TO_ANNUAL.evaluate(locals())["annual_rate"]


def per_generation_rate(annual_rate: float, years_per_generation: float = 2) -> float:
    """Growth per generation equivalent to a growth a year: (1 + a)^years - 1.

    Args:
        annual_rate: growth a year, a fraction (0.225 = +22.5%)
        years_per_generation: years between generations
    """
    return GENERATION_TO_ANNUAL.solve("per_generation_rate", locals())["per_generation_rate"]


def compound_decline(annual_decline: float, years: float) -> float:
    """Fraction of a value left after falling by a share each year: (1 - d)^years.

    Args:
        annual_decline: fall a year, a fraction (0.2 = -20%)
        years: years of decline
    """
    return DECLINE.evaluate(locals())["remaining_fraction"]
