"""The registry: functions, formulas and derived tool schemas agree."""

import inspect
import json

import pytest

from calculators.dimensions import parse_unit
from calculators.formula import Result
from calculators.registry import CALCULATORS, args_section, get, run, tool_schema, tool_schemas

NAMES = sorted(CALCULATORS)
@pytest.mark.parametrize("name", NAMES)
def test_every_parameter_is_documented_and_has_a_unit(name):
    calc = get(name)
    documented = args_section(inspect.getdoc(calc.function))
    for p in inspect.signature(calc.function).parameters:
        assert p in documented, f"{name}: {p} missing from Args"
    for p in calc.parameters:
        calc.var(p.name)  # every parameter is a quantity of the formulas
        parse_unit(p.unit)  # a known unit, convertible at the boundary


@pytest.mark.parametrize("name", NAMES)
def test_defaults_carry_a_citation(name):
    for p in get(name).parameters:
        if not p.required:
            assert p.source, f"{name}.{p.name} has a default without a source"


@pytest.mark.parametrize("name", NAMES)
def test_function_and_run_give_the_same_number(name):
    calc = get(name)
    required = {p.name: 1000.0 for p in calc.parameters if p.required}
    if name == "tokens_for_budget" or name == "params_for_budget":
        required["flops"] = 1e23
    if name == "per_generation_rate":
        required["annual_rate"] = 0.2
    if name in ("annual_rate",):
        required["per_generation_rate"] = 0.5
    if name == "compound_decline":
        required.update(annual_decline=0.2, years=3)
    result = run(name, **required)
    assert isinstance(result, Result)
    value = calc.function(**required)
    assert value in [o.value for o in result.outputs + result.inputs]
    assert result.steps and result.formula and result.latex


def test_tool_schema_is_derived_from_signature_and_docstring():
    schema = tool_schema("training_cost")
    assert schema["type"] == "function"
    fn = schema["function"]
    assert fn["name"] == "training_cost"
    assert fn["description"].startswith("Cloud cost in USD of training N parameters")
    assert "训练成本" in fn["description"]
    props = fn["parameters"]["properties"]
    assert list(props) == ["params", "tokens", "peak_flops", "mfu", "price_per_chip_hour"]
    assert props["mfu"] == {"type": "number", "description": "model FLOPs utilisation, a fraction (default 0.462)"}
    assert props["peak_flops"]["description"] == (
        "peak dense throughput of one chip, FLOP/s [FLOP/s] (default 2.75e+14)")
    assert fn["parameters"]["required"] == ["params", "tokens"]


def test_all_schemas_are_json_and_named_uniquely():
    schemas = tool_schemas()
    assert len(schemas) == len(CALCULATORS) == len({s["function"]["name"] for s in schemas})
    json.dumps(schemas, ensure_ascii=False)


def test_result_as_dict_has_the_cli_json_shape():
    d = run("fleet_size", daily_visitors=25e6).as_dict()
    assert {"calculator", "inputs", "outputs", "formula", "steps"} <= set(d)
    assert d["outputs"][-1] == {"name": "servers", "value": 3798.0, "unit": "server"}
    assert d["inputs"][0] == {"name": "daily_visitors", "value": 25e6, "unit": "visitor", "source": "given"}
    assert d["inputs"][3]["source"].startswith("default: 350 ms of an A100 a word: an assumption of the scenario in "
                                               "Guosheng Securities")


def test_calculators_know_nothing_of_a_notes_folder():
    """A default cites a paper, a datasheet, a price page or an article, never a user's notes (kb/ is one
    user's notes; over another folder a file and line of it mean nothing)."""
    from pathlib import Path

    for path in (Path(__file__).resolve().parents[1] / "calculators").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "kb/" not in text and ".txt:" not in text, path.name


def test_every_default_names_a_public_source():
    unsourced = [(c.name, p.name) for c in CALCULATORS.values() for p in c.parameters
                 if not p.required and not p.source]
    assert unsourced == []
    for c in CALCULATORS.values():
        for p in c.parameters:
            assert "notes" not in p.source.lower() or p.source.startswith("none"), (c.name, p.name, p.source)


@pytest.mark.parametrize("calculator, parameter, origin", [
    ("training_cost", "mfu", "arXiv:2204.02311, Table 3"),
    ("training_cost", "price_per_chip_hour", "https://cloud.google.com/tpu/pricing"),
    ("cost_per_1k_tokens", "mfu", "arXiv:2204.02311, Table 3"),
    ("cost_per_1k_tokens", "instance_price_per_hour", "https://aws.amazon.com/ec2/instance-types/p4/"),
    ("cost_per_query", "price_per_1k_tokens", "https://openai.com/pricing"),
    ("cost_per_query", "margin", "an assumption of the scenario in Sunyan, 'The Economics of Large Language Models'"),
    ("fleet_size", "daily_visitors", "Similarweb"),
    ("fleet_size", "seconds_per_word", "an assumption of the scenario in Guosheng Securities"),
    ("rack_capital_cost", "server_price", "NVIDIA press release"),
    ("rack_power", "server_power", "NVIDIA DGX A100 datasheet"),
    ("training_memory", "bytes_per_param", "arXiv:2201.11990"),
])
def test_key_defaults_name_where_their_figure_comes_from(calculator, parameter, origin):
    assert origin in get(calculator).var(parameter).source


def test_calculators_import_nothing_from_the_rest_of_the_project():
    import ast
    from pathlib import Path

    for path in (Path(__file__).resolve().parents[1] / "calculators").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                top = name.split(".")[0]
                assert top not in {"app", "ingest", "llama_index", "gradio"}, (path.name, name)


def test_a_calculator_call_reuses_its_compiled_function(monkeypatch):
    """A call evaluates the lambdified function built once, with no symbolic work (its cost in
    microseconds is a figure of `kbqa bench`, not asserted here)."""
    import sympy

    from calculators.training import TRAINING_COST, training_cost

    expected = training_cost(175e9, 300e9)
    compiled = [f.function for f in TRAINING_COST.formulas]

    def no_symbolic_work(*args, **kwargs):
        raise AssertionError("sympy called during a calculator call: the numeric function was not cached")

    for name in ("lambdify", "solve", "sympify", "simplify"):
        monkeypatch.setattr(sympy, name, no_symbolic_work)
    assert training_cost(175e9, 300e9) == expected
    assert [f.function for f in TRAINING_COST.formulas] == compiled
