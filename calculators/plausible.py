"""Magnitudes no plan has: a notice, not a refusal, when an input or a result is beyond them.

A calculator accepts any finite number up to 1e40 (formula.MAX_MAGNITUDE); numbers far past
what exists are usually a unit slip or a typo (1e30 GPUs, $1e12 an hour), and a confident
answer built on them is worse than a flagged one. Each bound is in a unit, so a Var in any
unit of the same dimension is checked (a price per GPU-hour in USD/GPU-hour or USD/GPU-second).

Examples
--------
>>> implausible("chips", 1e30, "GPU")
'chips = 1e30 GPU is implausible: more than 100 million accelerators (more than the world has); check the number and its unit'
>>> implausible("price_per_chip_hour", 2.03, "USD/GPU-hour") is None
True
"""

from __future__ import annotations

from calculators.dimensions import UnitMismatch, parse_unit
from calculators.errors import Said
from calculators.unit_words import unit_words
from calculators.numbers import format_number

# (unit, largest plausible value, why, why in Chinese)
BOUNDS: tuple[tuple[str, float, str, str], ...] = (
    ("GPU", 1e8, "more than 100 million accelerators (more than the world has)",
     "超过 1 亿块加速卡（比全世界的还多）"),
    ("server", 1e7, "more than 10 million servers",
     "超过 1000 万台服务器"),
    ("rack", 1e6, "more than a million racks",
     "超过 100 万个机柜"),
    ("parameter", 1e14, "more than 100 trillion parameters",
     "超过 100 万亿个参数"),
    ("token", 1e15, "more than a quadrillion tokens (about 100x the largest training sets)",
     "超过 1000 万亿 token（约为最大训练集的 100 倍）"),
    ("FLOP/s", 1e19, "more than 10 exaFLOP/s in one quantity",
     "单个数量超过 10 EFLOP/s"),
    ("FLOP", 1e30, "more than 1e30 FLOP (about a million times the largest training runs)",
     "超过 1e30 FLOP（约为最大训练任务的 100 万倍）"),
    ("USD/GPU-hour", 1e3, "more than $1,000 a GPU-hour (cloud prices are $1-10)",
     "每 GPU 小时超过 1000 美元（云上价格为 1-10 美元）"),
    ("USD/kWh", 10, "more than $10 a kWh (retail electricity is $0.05-0.50)",
     "每千瓦时超过 10 美元（零售电价为 0.05-0.50 美元）"),
    ("W/GPU", 1e4, "more than 10 kW for one accelerator",
     "单块加速卡超过 10 千瓦"),
    ("byte/GPU", 1e13, "more than 10 TB of memory on one accelerator",
     "单块加速卡显存超过 10 TB"),
    ("byte/s", 1e14, "more than 100 TB/s of memory bandwidth for one accelerator",
     "单块加速卡显存带宽超过 100 TB/s"),
    ("day", 365e3, "more than a thousand years",
     "超过一千年"),
    ("USD", 1e13, "more than $10 trillion (about a tenth of the world's yearly output)",
     "超过 10 万亿美元（约为全世界年产出的十分之一）"),
)


def implausible(name: str, value: float, unit: str) -> Said | None:
    """A notice when `value` in `unit` is past a bound of a compatible unit, else None (plain numbers: None)."""
    if unit in ("", "%", "unit"):
        return None  # a plain number fits any count: no bound says what it counts
    try:
        factor, dims = parse_unit(unit)
    except UnitMismatch:
        return None
    for bound_unit, high, why, why_zh in BOUNDS:
        bound_factor, bound_dims = parse_unit(bound_unit)
        if dims == bound_dims and abs(value) * float(factor / bound_factor) > high:  # the same dimension exactly
            return Said(f"{name} = {format_number(value)} {unit} is implausible: {why}; check the number and its unit",
                        f"{name} = {format_number(value, 'zh')} {unit_words(unit, 'zh')} 不合常理（{why_zh}）；请检查数字和单位")
    return None
