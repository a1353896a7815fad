"""`kbqa calc`: run any registered calculator from the command line.

    kbqa calc --list
    kbqa calc training_cost --params 175B --tokens 3000亿token
    kbqa calc training_cost --params 175B --cost 140万美元 --solve tokens --json

Parameters differ per calculator, so every `--name value` pair after NAME is taken
as an input and checked against the registry; values are read by the units parser
(175B, 1750亿, 46.2%, $2.03/hr, 350ms, 6.5kW). Errors become messages here only.
"""

from __future__ import annotations

import json

import click

from calculators.errors import CalculatorError


def _pairs(args: list[str]) -> dict[str, str]:
    """['--params', '175B', '--mfu=46.2%'] -> {'params': '175B', 'mfu': '46.2%'}."""
    out: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--") or len(arg) == 2:
            raise click.ClickException(f"unexpected {arg!r}: give inputs as --name value")
        key, eq, value = arg[2:].partition("=")
        if not eq:
            if i + 1 >= len(args):
                raise click.ClickException(f"--{key} needs a value")
            value = args[i + 1]
            i += 1
        out[key.replace("-", "_")] = value
        i += 1
    return out


def _declared_bytes(calculator: str | None, name: str) -> bool:
    """Whether the calculator declares `name` in bytes (a 'B' after its number is then a byte, not a billion)."""
    from calculators.dimensions import UnitMismatch, parse_unit
    from calculators.registry import CALCULATORS

    calc = CALCULATORS.get(calculator or "")
    try:
        return calc is not None and "byte" in parse_unit(calc.var(name).unit)[1]
    except (CalculatorError, UnitMismatch):
        return False


def _parse_values(texts: dict[str, str], calculator: str | None = None) -> dict:
    import re

    from calculators.units import Quantity, parse_quantity

    values = {}
    for name, text in texts.items():
        flag = f"--{name.replace('_', '-')}"
        in_bytes = _declared_bytes(calculator, name)
        try:
            if in_bytes and re.fullmatch(r"\s*[\d.,]+\s*B\s*", text):  # '2B' is 2 bytes where bytes are declared
                values[name] = Quantity(parse_quantity(text.strip()[:-1]).value, "byte", text)
                continue
            values[name] = parse_quantity(text, allow_negative=True)
        except CalculatorError as e:
            raise click.ClickException(f"{flag}: {e}") from None
        q = values[name]
        if in_bytes and q.unit == "" and abs(q.value) < 1e6 and "per" not in name:
            raise click.ClickException(f"{flag} {text}: a plain number here is {text} bytes, surely a slip; "
                                       f"give the unit (e.g. {text}GB)")
    return values


def _gpu_values(name: str, gpu: str, given: dict) -> tuple[dict, list[str]]:
    """Inputs a catalog chip gives the calculator (peak FLOP/s, memory, power, price), each with its source."""
    from calculators.hardware import lookup
    from calculators.registry import get

    hw = lookup(gpu)
    calc = get(name)
    fields = {"peak_flops": hw.peak_bf16, "gpu_memory": hw.memory, "gpu_power": hw.power,
              "price_per_chip_hour": hw.price, "price_per_gpu_hour": hw.price}
    values, notes = {}, []
    for p in calc.parameters:
        figure = fields.get(p.name)
        if p.name in given or figure is None or figure.value is None:
            continue
        values[p.name] = figure.value
        notes.append(f"{p.name} = {figure.value:g} {figure.unit} from the catalog: {hw.name} ({figure.source})")
    for p in calc.parameters:  # a default measured on another chip (an MFU is a run's) is assumed for this one
        if p.name not in given and p.source_on(hw.name) != p.source:
            notes.append(f"{p.name} = {p.default:g}: measured on {p.measured_on}, for {hw.name} it is an assumption"
                         f" ({p.source})")
    return values, notes


def _listing() -> str:
    from calculators.registry import CALCULATORS

    lines = []
    for calc in CALCULATORS.values():
        lines.append(f"{calc.name}  [{calc.family}]  {calc.summary}  {calc.title_zh}")
        params = []
        for p in calc.parameters:
            unit = f" [{p.unit}]" if p.unit else ""
            default = f" = {p.default:g}" if p.default is not None else ""
            params.append(f"--{p.name.replace('_', '-')}{unit}{default}")
        lines.append("    " + ", ".join(params))
    return "\n".join(lines)


def json_result(result) -> dict:
    """The result with units named in the JSON vocabulary (FLOP, PF-day, USD, day, hour, GPU, server, rack,
    byte, kWh, kW, token, parameter, ''); where the calculator's own unit says more (GPU-hour/day), it is kept as unit_full."""
    from calculators.conversions import json_unit

    data = result.as_dict()
    for key in ("inputs", "outputs"):
        for amount in data[key]:
            unit = json_unit(amount["unit"])
            if unit != amount["unit"]:
                amount["unit_full"], amount["unit"] = amount["unit"], unit
    return data


@click.command(
    "calc",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
)
@click.argument("name", required=False)
@click.option("--list", "list_", is_flag=True, help="List the calculators and their parameters.")
@click.option("--solve", metavar="SYMBOL", help="Solve for this input, given one of the results.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--gpu", metavar="CHIP", help="Take the chip's peak FLOP/s, memory, power and price from the catalog "
                                            "(H100, H800, A100, A800, H20, H200, B200, MI300X, TPU v4/v5e/v5p).")
@click.pass_context
def calc(ctx: click.Context, name: str | None, list_: bool, solve: str | None, as_json: bool,
         gpu: str | None = None) -> None:
    """Run a calculator: kbqa calc NAME --PARAM VALUE ... [--solve SYMBOL] [--json]."""
    from calculators.registry import CALCULATORS, run

    if list_ or not name:
        if not name and not list_:
            click.echo(ctx.get_help() + "\n")
        if as_json:
            click.echo(json.dumps([{"name": c.name, "family": c.family, "description": c.summary,
                                    "description_zh": c.title_zh,
                                    "parameters": [{"name": p.name, "unit": p.unit, "default": p.default}
                                                   for p in c.parameters]}
                                   for c in CALCULATORS.values()], ensure_ascii=False, indent=2))
        else:
            click.echo(_listing())
        return
    values = _parse_values(_pairs(ctx.args), name)
    notes: list[str] = []
    try:
        if gpu:
            chip, notes = _gpu_values(name, gpu, values)
            values = {**chip, **values}
        result = run(name, solve=solve, **values)
    except CalculatorError as e:
        raise click.ClickException(str(e)) from None
    if notes:
        from dataclasses import replace

        result = replace(result, notes=result.notes + tuple(notes))
    if as_json:
        click.echo(json.dumps(json_result(result), ensure_ascii=False, indent=2))
    else:
        click.echo(result.text())
