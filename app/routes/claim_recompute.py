"""Recomputing a claimed figure with the calculator that produces it, from the claim's other inputs.

"GPT-3训练一次只要140万美元" -> training_cost from GPT-3's 175B parameters and 300B tokens (its
paper), with the registry's defaults for the rest; never from the claimed figure itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.answer.model import InputUsed
from app.question.quantities import QuestionQuantity, prepare, question_quantities
from app.routes.calc_inputs import assign
from app.routes.calculation import (_BUDGET, _PER_1K, _COST, _MEMORY, _OPTIMAL, _OUTPUT_CUES, _PER_YEAR, _RACKS, _TRAIN,
                                    CalcRequest, fill_inputs, given_inputs, run_request)  # noqa: F401 (run_request: doctest)
from calculators.errors import CalculatorError
from calculators.conversions import compatible, json_unit
from calculators.registry import get


@dataclass(frozen=True)
class ClaimOutput:
    """A calculator output a claimed figure can be: by the figure's unit and the claim's words."""

    calculator: str
    output: str
    needs: tuple[str, ...]  # every one must match the claim
    avoid: str = ""  # rules it out


_DEADLINE = r"\bwithin\b|\bin (?:under )?\d[\d.,]*\s*(?:days|weeks|months)|天内|以内|之内|deadline"
_SERVE = (r"\bserv|\bfleet\b|inference|推理|部署|visitors?|\busers?\b|访客|用户|访问量|日活|traffic|流量|\bqueries\b"
          r"|\bquestions\b|提问")
_WEIGHTS = r"weights?|权重|\bFP16\b|\bBF16\b|\bFP8\b|\bINT8\b|\bINT4\b|\bFP32\b|\bFP4\b|inference|推理|\bserv|\bload|部署|加载"
_RACK_OR_SERVER = rf"{_RACKS}|servers?|服务器|\bDGX\b"
_ELECTRICITY = r"electric|电费|power bill|\bbill\b"
_QUERY = r"quer(?:y|ies)|search|requests?|查询|搜索|请求|单次|一次问答|每次"

CLAIM_OUTPUTS: tuple[ClaimOutput, ...] = (
    ClaimOutput("chips_for_deadline", "chips", (_TRAIN, _DEADLINE)),
    ClaimOutput("training_memory", "gpus", (_TRAIN, _MEMORY)),
    ClaimOutput("training_memory", "training_bytes", (_TRAIN,)),
    ClaimOutput("training_compute", "pf_days", (_TRAIN, r"PF-?days?"), avoid=_BUDGET),
    ClaimOutput("training_compute", "flops", (_TRAIN,), avoid=_BUDGET),
    ClaimOutput("training_time", "days", (_TRAIN,)),
    ClaimOutput("training_cost", "cost", (_TRAIN,), avoid=rf"{_PER_1K}|per (?:query|search)|{_ELECTRICITY}"),
    ClaimOutput("inference_memory", "gpus", (_WEIGHTS, _MEMORY), avoid=rf"{_TRAIN}|KV[- ]?cache|KV\s*缓存"),
    ClaimOutput("inference_memory", "weight_bytes", (_WEIGHTS,), avoid=rf"{_TRAIN}|KV[- ]?cache|KV\s*缓存"),
    ClaimOutput("fleet_size", "gpus", (_SERVE,), avoid=_TRAIN),
    ClaimOutput("fleet_size", "servers", (_SERVE,), avoid=_TRAIN),
    ClaimOutput("rack_capital_cost", "capital_cost", (_RACKS, rf"{_COST}|invest|capital|投入"), avoid=_ELECTRICITY),
    ClaimOutput("rack_power", "electricity_cost_per_year", (_RACK_OR_SERVER, _ELECTRICITY, _PER_YEAR)),
    ClaimOutput("rack_energy", "electricity_cost_per_year", (_RACKS, _ELECTRICITY, _PER_YEAR)),
    ClaimOutput("rack_power", "electricity_cost_per_day", (_RACK_OR_SERVER, _ELECTRICITY)),
    ClaimOutput("rack_energy", "electricity_cost_per_day", (_RACKS, _ELECTRICITY)),
    ClaimOutput("rack_power", "energy_per_day", (_RACK_OR_SERVER,)),
    ClaimOutput("rack_energy", "energy_per_day", (_RACKS,)),
    ClaimOutput("rack_power", "rack_power", (_RACKS, _OUTPUT_CUES["rack_power"])),
    ClaimOutput("rack_power", "facility_power", (_RACK_OR_SERVER,)),
    ClaimOutput("rack_energy", "facility_power", (_RACKS,)),
    ClaimOutput("rack_count", "racks", (_RACK_OR_SERVER,)),
    ClaimOutput("cost_per_1k_tokens", "cost_per_1k_tokens", (_PER_1K,)),
    ClaimOutput("cost_per_query", "cost_per_query", (_QUERY,), avoid=r"revenue|收入|营收"),
    ClaimOutput("params_20_tokens_rule", "params", (rf"{_OPTIMAL}|chinchilla",)),
)


def _claimed_in(text: str, quantities: list[QuestionQuantity], claimed) -> list[QuestionQuantity]:
    """The question quantities that are the claimed figure (its words, or the same value and unit)."""
    at = text.find(claimed.text) if claimed.text else -1
    out = []
    for q in quantities:
        overlaps = at >= 0 and q.start < at + len(claimed.text) and q.end > at
        same = q.value == claimed.value and (q.unit == claimed.unit or not claimed.unit)
        if overlaps or same:
            out.append(q)
    return out


def _unit_fits(claimed_unit: str, output_unit: str) -> bool:
    try:
        return bool(claimed_unit) and compatible(claimed_unit, output_unit)
    except CalculatorError:  # a unit the conversions do not know fits nothing
        return False


def _from_the_claim(used: InputUsed) -> bool:
    """An input the claim itself gives: one of its figures, or a model or chip it names (not a default)."""
    return not used.source.startswith("default")


def calculation_for_claim(claim_text: str, claimed, language: str = "en") -> CalcRequest | None:
    """The calculation that recomputes a claimed figure from the claim's other inputs, or None.

    The calculator is the one whose output has the claimed figure's unit and whose words
    the claim uses (USD + 训练/train -> training_cost; FLOP -> training_compute; GPU +
    serving -> fleet_size; racks; kWh ...). Its inputs come from the claim's *other*
    figures, a model or chip it names (GPT-3 -> 175B parameters, 300B tokens, citing the
    notes) and the registry's defaults; the claimed figure is never an input. None when a
    required input is missing (a fleet without its daily visitors is not guessed) or when
    nothing but defaults would go in (that recomputes the notes' scenario, not the claim).

    >>> from calculators.units import parse_quantity
    >>> req = calculation_for_claim("GPT-3训练一次只要140万美元", parse_quantity("140万美元"))
    >>> req.calculator, req.target, req.inputs["params"].value, req.inputs["tokens"].value
    ('training_cost', 'cost', 175000000000.0, 300000000000.0)
    >>> round(run_request(req).outputs[0].value)
    1398072
    >>> calculation_for_claim("ChatGPT needs 30,382 A100s", parse_quantity("30,382")) is None  # visitors unknown
    True
    """
    text = prepare(claim_text)
    quantities = question_quantities(text)
    itself = _claimed_in(text, quantities, claimed)
    unit = next((q.unit for q in itself if q.unit), claimed.unit)  # '30,382 A100s' is GPUs, '1000 H100s' not hours
    others = [q for q in quantities if q not in itself]
    best: tuple[int, CalcRequest] | None = None
    for entry in CLAIM_OUTPUTS:
        calc = get(entry.calculator)
        if entry.avoid and re.search(entry.avoid, text, re.I):
            continue
        if not all(re.search(n, text, re.I) for n in entry.needs):
            continue
        if not _unit_fits(unit, json_unit(calc.var(entry.output).unit)):
            continue
        assignment = assign(others, calc)
        inputs, assumed, missing = fill_inputs(calc, given_inputs(calc, assignment), text)
        if missing or not any(_from_the_claim(used) for used in inputs.values()):
            continue
        request = CalcRequest(entry.calculator, inputs, None, assumed, [], language, entry.output)
        if best is None or len(assignment.values) > best[0]:  # the calculator that uses most of the claim's figures
            best = (len(assignment.values), request)
    return best[1] if best else None
