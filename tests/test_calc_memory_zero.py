"""Training memory with ZeRO stages and activations, attention FLOPs, the inference overhead factor."""

import pytest

from app.routes.calculation import detect_calculation, run_request
from calculators.errors import InputError
from calculators.memory import TRAINING_MEMORY_ZERO, inference_memory, training_memory_per_gpu
from calculators.registry import run
from calculators.training import training_compute, training_compute_with_attention


def test_zero_figure_1_of_the_paper():
    """Rajbhandari et al. 2020, Figure 1: 7.5B parameters, 64-way data parallel, K = 12:
    120 GB, 31.4 GB (stage 1), 16.6 GB (stage 2), 1.88 GB (stage 3) a GPU."""
    got = [training_memory_per_gpu(7.5e9, zero_stage=k, data_parallel=64) / 1e9 for k in range(4)]
    assert got == pytest.approx([120, 31.4, 16.6, 1.875], abs=0.05)


def test_zero_with_one_gpu_is_no_sharding_and_megatron_turing_count_is_20_bytes():
    assert training_memory_per_gpu(70e9, zero_stage=3, data_parallel=1) == 70e9 * 16
    assert training_memory_per_gpu(70e9, optimizer_bytes_per_param=16) == 70e9 * 20


def test_activations_korthikanti_equation_1_and_full_recompute():
    shape = dict(layers=24, hidden_size=2048, heads=16, seq_len=2048, micro_batch=4)
    s, b, h, a, L = 2048, 4, 2048, 16, 24
    none = run("training_memory_per_gpu", params=1.3e9, **shape)["activation_bytes_per_gpu"]
    assert none == L * s * b * h * (34 + 5 * a * s / h)
    full = run("training_memory_per_gpu", params=1.3e9, recompute=1, **shape)["activation_bytes_per_gpu"]
    assert full == L * 2 * s * b * h


def test_settings_are_checked_and_not_solved_for():
    with pytest.raises(InputError, match="zero_stage must be a whole number from 0 to 3; got 4"):
        training_memory_per_gpu(7e9, zero_stage=4)
    with pytest.raises(InputError, match="recompute must be a whole number from 0 to 1; got 0.5"):
        training_memory_per_gpu(7e9, recompute=0.5)
    with pytest.raises(InputError, match="is a setting"):
        run("training_memory_per_gpu", params=7e9, bytes_per_gpu=10e9, solve="zero_stage")


@pytest.mark.parametrize("stage", [0, 1, 2, 3])
def test_solving_data_parallel_inverts_through_each_stage(stage):
    """Solving is done at each value of the setting; the one given is kept."""
    if stage == 0:
        with pytest.raises(InputError):  # without sharding the degree changes nothing
            run("training_memory_per_gpu", params=7.5e9, zero_stage=0, bytes_per_gpu=120e9, solve="data_parallel")
        return
    forward = run("training_memory_per_gpu", params=7.5e9, zero_stage=stage, data_parallel=64)
    back = run("training_memory_per_gpu", params=7.5e9, zero_stage=stage, bytes_per_gpu=forward["bytes_per_gpu"],
               solve="data_parallel")
    assert back["data_parallel"] == 64


def test_attention_flops_palm_appendix_b():
    c = training_compute_with_attention(175e9, 300e9, layers=96, hidden_size=12288, seq_len=2048)
    assert c == 300e9 * (6 * 175e9 + 12 * 96 * 12288 * 2048)
    assert c / training_compute(175e9, 300e9) == pytest.approx(1.0276, abs=1e-4)


def test_inference_overhead_factor_is_eleuthers_1_2x_when_given():
    r = run("inference_memory", params=70e9, overhead=0.2)
    assert r["total_bytes"] == pytest.approx(168e9) and r["gpus"] == 3
    assert inference_memory(70e9) == 140e9  # weights are weights; the overhead is on the total only
    assert run("inference_memory", params=70e9)["gpus"] == 2


ROUTED = [
    ("How much memory per GPU does training a 7.5B model with ZeRO-3 across 64 GPUs take?",
     "training_memory_per_gpu", {"params": 7.5e9, "zero_stage": 3, "data_parallel": 64}, 1.875e9),
    ("用ZeRO-2在64张卡上训练75亿参数模型，每张卡需要多少显存？", "training_memory_per_gpu",
     {"params": 7.5e9, "zero_stage": 2, "data_parallel": 64}, 16.640625e9),
    ("Training a 1.3B model with 24 layers, hidden size 2048, 16 heads, sequence length 2048, micro-batch 4, "
     "without recomputation: how much memory per GPU?", "training_memory_per_gpu",
     {"params": 1.3e9, "layers": 24, "hidden_size": 2048, "heads": 16, "seq_len": 2048, "micro_batch": 4,
      "recompute": 0}, 1.3e9 * 16 + 24 * 2048 * 4 * 2048 * (34 + 5 * 16 * 2048 / 2048)),
    ("训练一个13亿参数的模型，24层，隐藏层维度2048，16个头，序列长度2048，开启全量重计算，每张卡的显存是多少？",
     "training_memory_per_gpu", {"params": 1.3e9, "layers": 24, "hidden_size": 2048, "heads": 16, "seq_len": 2048,
                                 "recompute": 1}, 1.3e9 * 16 + 24 * 2 * 2048 * 2048),
    ("How many FLOPs to train a 175B model on 300B tokens counting attention, 96 layers, hidden size 12288, "
     "sequence length 2048?", "training_compute_with_attention",
     {"params": 175e9, "tokens": 300e9, "layers": 96, "hidden_size": 12288, "seq_len": 2048}, None),
]


@pytest.mark.parametrize("question, calculator, inputs, expected", ROUTED, ids=[r[0][:40] for r in ROUTED])
def test_memory_and_attention_questions_are_routed(question, calculator, inputs, expected):
    req = detect_calculation(question)
    assert req is not None and req.calculator == calculator, req
    got = {name: used.value for name, used in req.inputs.items() if name in inputs}
    assert got == pytest.approx(inputs)
    if expected is not None:
        assert run_request(req).outputs[0].value == pytest.approx(expected)


def test_an_activation_overhead_still_goes_to_the_overhead_factor():
    """'activations add 25%' is the overhead of the state-only calculator, not the activation formula."""
    req = detect_calculation("训练70B模型需要多少张80GB的卡？Adam混合精度，激活额外25%")
    assert req.calculator == "training_memory" and req.inputs["overhead"].value == 0.25
