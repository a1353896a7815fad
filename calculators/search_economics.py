"""Search economics: revenue per query, cost to revenue, and stacked cost reductions.

From Sunyan 2023, "The Economics of Large Language Models": about $100B of search revenue
a year (Alphabet's 2020 10-K) over about 2.1 trillion searches (Google's 100 billion a month
in 2012, grown with internet use) is $0.048 a query; a 2-stage search summarizer costs
$0.066 a query, 1.4x that; cheaper models cut cost to 1/4 and running in-house halves it.
The article says the result, 0.066 x 1/4 x 1/2, is "about 15%" of $0.048; it is 0.00825,
which is 17%.

Examples
--------
>>> round(revenue_per_query(), 4)
0.0476
>>> round(cost_to_revenue(0.066, 0.048), 3)
1.375
>>> r = REDUCED.evaluate({"cost_per_query": 0.066, "model_cost_factor": 0.25,
...     "infrastructure_cost_factor": 0.5, "revenue_per_query": 0.048})
>>> round(r["reduced_cost_per_query"], 5), round(r["share_of_revenue"], 4)
(0.00825, 0.1719)
"""

from __future__ import annotations

from calculators.formula import FRACTION, Calculation, Formula, Var
from calculators.sources import SUNYAN, assumed_in

REVENUE = Var("annual_revenue", "USD/year", "search revenue a year", source=f"about $100B (after Alphabet's 2020 10-K): {SUNYAN}")
QUERIES = Var("annual_queries", "query/year", "searches a year", source=assumed_in(SUNYAN, "about 2.1 trillion (Google's 2012 volume grown with internet use)"))
REVENUE_PER_QUERY = Var("revenue_per_query", "USD/query", "revenue per search",
                        source=f"$0.048, $100B over 2.1 trillion searches: {SUNYAN}")
COST_PER_QUERY = Var("cost_per_query", "USD/query", "cost per search",
                     source=f"$0.066, a 2-stage search summarizer at API prices: {SUNYAN}")
RATIO = Var("cost_to_revenue", "", "cost per query over revenue per query")
MODEL_FACTOR = Var("model_cost_factor", "", "remaining cost after quantization, distillation, smaller models",
                   FRACTION, source=assumed_in(SUNYAN, "1/4"))
INFRA_FACTOR = Var("infrastructure_cost_factor", "", "remaining cost after moving in-house from the cloud",
                   FRACTION, source=assumed_in(SUNYAN, "1/2 (a cloud margin of about 50%)"))
REDUCED_COST = Var("reduced_cost_per_query", "USD/query", "cost per search after both reductions")
SHARE = Var("share_of_revenue", "", "reduced cost over revenue per query")

F_REVENUE_PER_QUERY = Formula(REVENUE_PER_QUERY, REVENUE.symbol / QUERIES.symbol, (REVENUE, QUERIES), SUNYAN)
F_RATIO = Formula(RATIO, COST_PER_QUERY.symbol / REVENUE_PER_QUERY.symbol, (COST_PER_QUERY, REVENUE_PER_QUERY),
                  SUNYAN)
F_REDUCED = Formula(REDUCED_COST, COST_PER_QUERY.symbol * MODEL_FACTOR.symbol * INFRA_FACTOR.symbol,
                    (COST_PER_QUERY, MODEL_FACTOR, INFRA_FACTOR), SUNYAN)
F_SHARE = Formula(SHARE, REDUCED_COST.symbol / REVENUE_PER_QUERY.symbol, (REDUCED_COST, REVENUE_PER_QUERY),
                  SUNYAN)

REVENUE_PER = Calculation("revenue_per_query", (F_REVENUE_PER_QUERY,))
COST_RATIO = Calculation("cost_to_revenue", (F_RATIO,))
REDUCED = Calculation("stacked_cost_reduction", (F_REDUCED, F_SHARE))


def revenue_per_query(annual_revenue: float = 100e9, annual_queries: float = 2.1e12) -> float:
    """Revenue in USD per search: yearly revenue over yearly searches.

    Args:
        annual_revenue: search revenue a year, USD
        annual_queries: searches a year
    """
    return REVENUE_PER.evaluate(locals())["revenue_per_query"]


def cost_to_revenue(cost_per_query: float = 0.066, revenue_per_query: float = 0.048) -> float:
    """Cost per query over revenue per query (above 1 loses money on every query).

    Args:
        cost_per_query: cost per search, USD
        revenue_per_query: revenue per search, USD
    """
    return COST_RATIO.evaluate(locals())["cost_to_revenue"]


def stacked_cost_reduction(cost_per_query: float = 0.066, model_cost_factor: float = 0.25,
                           infrastructure_cost_factor: float = 0.5, revenue_per_query: float = 0.048) -> float:
    """Cost per query in USD after two multiplicative reductions (also as a share of revenue per query).

    Args:
        cost_per_query: cost per search before the reductions, USD
        model_cost_factor: remaining cost after cheaper models, a fraction (1/4 in Sunyan 2023)
        infrastructure_cost_factor: remaining cost after moving in-house, a fraction (1/2 in Sunyan 2023)
        revenue_per_query: revenue per search, USD
    """
    return REDUCED.evaluate(locals())["reduced_cost_per_query"]
