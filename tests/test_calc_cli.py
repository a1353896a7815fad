"""`kbqa calc` through click's CliRunner on the real entry point."""

import json

import pytest
from click.testing import CliRunner

from app.cli import main


def calc(*args):
    return CliRunner().invoke(main, ["calc", *args])


def test_list_names_every_calculator_with_parameters():
    from calculators.registry import CALCULATORS

    result = calc("--list")
    assert result.exit_code == 0, result.output
    for name in CALCULATORS:
        assert name in result.output
    assert "--price-per-chip-hour [USD/GPU-hour] = 2.03" in result.output


def test_training_cost_with_chinese_and_english_numbers():
    result = calc("training_cost", "--params", "1750亿", "--tokens", "300B")
    assert result.exit_code == 0, result.output
    assert "cost = 1,398,072 USD" in result.output
    assert "flops = 6 × 1.75e11 × 3e11" in result.output
    assert "mfu = 0.462  (default: 46.2%, PaLM 540B's MFU on TPU v4: Chowdhery et al. 2022" in result.output


def test_json_output_shape():
    result = calc("training_cost", "--params", "175B", "--tokens", "3000亿token", "--mfu", "46.2%",
                  "--price-per-chip-hour", "$2.03/hr", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["calculator"] == "training_cost"
    assert {"name": "mfu", "value": 0.462, "unit": "", "source": "given"} in data["inputs"]
    outputs = {o["name"]: o for o in data["outputs"]}
    assert outputs["flops"] == {"name": "flops", "value": 3.15e23, "unit": "FLOP"}
    assert outputs["cost"]["unit"] == "USD" and round(outputs["cost"]["value"]) == 1398072
    assert data["formula"].startswith("flops = 6 × params × tokens; ")
    assert data["steps"][0] == "flops = 6 × params × tokens"


def test_solve_for_tokens_from_a_budget():
    result = calc("training_cost", "--params", "175B", "--cost", "140万美元", "--solve", "tokens", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    tokens = next(i for i in data["inputs"] if i["name"] == "tokens")
    assert tokens["source"] == "solved" and tokens["value"] == pytest.approx(3.00414e11, rel=1e-5)
    assert round(next(o for o in data["outputs"] if o["name"] == "cost")["value"]) == 1_400_000


def test_fleet_and_racks_from_the_notes():
    result = calc("fleet_size", "--daily-visitors", "2500万", "--seconds-per-word", "350ms", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["outputs"][-1] == {"name": "servers", "value": 3798.0, "unit": "server"}
    result = calc("rack_power", "--racks=542", "--server-power", "6.5kw", "--electricity-price", "0.08")
    assert result.exit_code == 0, result.output
    assert "energy_per_day = 591,864 kWh/day" in result.output
    assert "electricity_cost_per_day = 47,349.1 USD/day" in result.output


def test_units_are_converted_deadline_in_hours():
    a = calc("chips_for_deadline", "--params", "70B", "--tokens", "1.4T", "--days", "720 hours",
             "--peak-flops", "989 TFLOPS", "--mfu", "40%", "--json")
    b = calc("chips_for_deadline", "--params", "70B", "--tokens", "1.4T", "--days", "30",
             "--peak-flops", "989 TFLOPS", "--mfu", "40%", "--json")
    assert a.exit_code == b.exit_code == 0, a.output + b.output
    chips = [next(i["value"] for i in json.loads(r.output)["inputs"] if i["name"] == "chips") for r in (a, b)]
    assert chips[0] == chips[1] == 574


@pytest.mark.parametrize("args, message", [
    (["training_cost", "--params", "175B", "--tokens", "300B", "--mfu", "46.2"],
     "Error: mfu must be a fraction between 0 and 1; got 46.2 (did you mean 46.2%?)"),
    (["training_cost", "--params", "175B", "--tokens", "300B", "--foo", "3"],
     "Error: foo is not a parameter of training_cost; parameters: params, tokens, peak_flops, mfu, "
     "price_per_chip_hour"),
    (["training_cost", "--params", "300B tokens", "--tokens", "3"],
     "Error: params must be in parameter; got '300B tokens', which is in token"),
    (["training_cost", "--params", "-5B", "--tokens", "3"], "Error: params must be positive; got -5e+09"),
    (["training_cost", "--params"], "Error: --params needs a value"),
    (["training_cost", "175B"], "Error: unexpected '175B': give inputs as --name value"),
    (["trainng_cost"], "Error: no calculator named 'trainng_cost'; known: annual_rate"),
    (["training_cost", "--params", "175B"], "Error: tokens is required (training tokens (D), in token)"),
    (["training_cost", "--params", "175B", "--tokens", "300B", "--solve", "params"],
     "Error: params is the unknown being solved for, so it cannot also be given"),
    (["training_cost", "--params", "175B", "--solve", "tokens"],
     "Error: tokens can be solved for only when exactly one result of training_cost is given "
     "(one of flops, chip_hours, cost); got 0"),
])
def test_errors_are_messages(args, message):
    result = calc(*args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_unparseable_value_names_the_option():
    result = calc("training_cost", "--params", "1.2.3亿", "--tokens", "3")
    assert result.exit_code == 1
    assert result.output.startswith("Error: --params: cannot read '1.2.3亿' as a quantity")


def test_inverse_calculator_reports_the_solved_quantity_as_an_output():
    result = calc("per_generation_rate", "--annual-rate", "34%", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["outputs"][0]["name"] == "per_generation_rate"
    assert data["outputs"][0]["value"] == pytest.approx(1.34**2 - 1)


VOCABULARY = {"FLOP", "PF-day", "USD", "day", "hour", "GPU", "server", "rack", "byte", "kWh", "kW", "token", "parameter", ""}
# beyond the list: rates of compute and bandwidth, and seconds (an intermediate of training_time)
VOCABULARY |= {"FLOP/s", "byte/s", "second"}


def test_every_json_output_unit_is_in_the_vocabulary():
    import json as _json

    from app.cli import main as cli_main
    from calculators.registry import CALCULATORS

    for name, calc in CALCULATORS.items():
        if calc.solves:
            continue
        rules = {v.name: v.rule for v in calc.calculation.inputs}
        args = ["calc", name, "--json"]
        for p in calc.parameters:
            if p.required:
                value = {"count": "2", "fraction": "0.5", "share": "0.5", "growth": "0.5"}.get(rules.get(p.name), "1000")
                args += [f"--{p.name.replace('_', '-')}", value]
        result = CliRunner().invoke(cli_main, args)
        assert result.exit_code == 0, (name, result.output)
        for out in _json.loads(result.output)["outputs"]:
            assert out["unit"] in VOCABULARY, (name, out)
