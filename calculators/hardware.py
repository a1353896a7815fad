"""Accelerators and servers: peak throughput, memory, bandwidth, power, price, each sourced.

Peak figures are dense (no 2:4 structured sparsity) BF16/FP16 tensor throughput in
FLOP/s; NVIDIA's datasheets list Hopper and Blackwell figures "with sparsity", and
the dense figure is half of that. Where a machine is commonly quoted by another figure
(a datasheet's headline counting sparsity), that figure is carried as `quoted`, with its
source and how it differs from the figure the catalog computes with.

Examples
--------
>>> lookup("h100").name
'H100 SXM'
>>> lookup("A100-80G").memory.value
80000000000.0
>>> lookup("dgx a100").peak_bf16.value
2496000000000000.0
>>> [f.differs for f in lookup("DGX A100").quoted if f.field == "peak_bf16"]
['counts 2:4 sparsity; dense BF16 is 8 x 312 TFLOP/s = 2.5 PFLOP/s']
>>> lookup("H100 SMX")
Traceback (most recent call last):
...
calculators.errors.UnknownHardware: no hardware named 'H100 SMX'; did you mean H100 SXM? known: ...
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from calculators.errors import UnknownHardware


@dataclass(frozen=True)
class Figure:
    value: float | None
    unit: str
    source: str
    note: str = ""


@dataclass(frozen=True)
class QuotedFigure:
    """A figure a machine is commonly quoted by, its public source, and how it differs from the catalog's."""

    field: str
    value: float
    unit: str
    source: str
    quote: str  # the words of the source
    differs: str = ""  # empty when it agrees with the figure the catalog computes with


@dataclass(frozen=True)
class Hardware:
    name: str
    kind: str  # 'GPU', 'TPU' or 'server'
    aliases: tuple[str, ...]
    peak_bf16: Figure  # dense BF16/FP16 tensor FLOP/s (for a server: all its GPUs)
    peak_fp8: Figure | None
    memory: Figure  # bytes of HBM (for a server: all its GPUs)
    bandwidth: Figure | None  # memory bandwidth, byte/s
    interconnect: Figure  # chip-to-chip bandwidth per chip, byte/s
    power: Figure | None  # W, maximum
    price: Figure | None = None
    gpus: int = 1
    rack_units: int | None = None
    quoted: tuple[QuotedFigure, ...] = ()


V100_SHEET = "NVIDIA Tesla V100 datasheet, SXM2 (https://www.nvidia.com/en-us/data-center/v100/)"
A100_SHEET = "NVIDIA A100 Tensor Core GPU datasheet, SXM (https://www.nvidia.com/en-us/data-center/a100/)"
H100_SHEET = ("NVIDIA H100 Tensor Core GPU datasheet, SXM: 1,979 TFLOPS BF16 and 3,958 FP8 'with sparsity'"
              " (https://www.nvidia.com/en-us/data-center/h100/)")
H200_SHEET = "NVIDIA H200 Tensor Core GPU datasheet, SXM (https://www.nvidia.com/en-us/data-center/h200/)"
B200_SHEET = ("NVIDIA DGX B200 / HGX B200 specifications, per GPU at 1,000 W: 72 PFLOPS FP8 and 1,440 GB"
              " for 8 GPUs (https://www.nvidia.com/en-us/data-center/dgx-b200/)")
GB200_SHEET = ("NVIDIA GB200 NVL72 specifications, divided by its 72 GPUs: 360 PFLOPS BF16 and 720 PFLOPS FP8"
               " 'with sparsity', 13.4 TB HBM3e, 576 TB/s (https://www.nvidia.com/en-us/data-center/gb200-nvl72/)")
TPU_V4_PAGE = ("Google Cloud TPU v4 system architecture: 275 TFLOPS bf16 per chip, 32 GiB HBM2 at 1,200 GBps,"
               " measured min/mean/max power 90/170/192 W (https://cloud.google.com/tpu/docs/v4)")
TPU_PRICE = ("Google Cloud TPU pricing for v4 in 2022-23: $3.22 per chip-hour on demand, $2.03 with a 1-year"
             " commitment (https://cloud.google.com/tpu/pricing); the price that reproduces the $1.4M GPT-3 training"
             " estimate of Sunyan, 'The Economics of Large Language Models', 2023")
H800_SHEET = ("NVIDIA H800 SXM5, the export variant of the H100 SXM: the same 989 TFLOPS dense BF16 and 80 GB HBM3,"
              " NVLink cut to 400 GB/s (NVIDIA H800 product brief; DeepSeek-V3 technical report, arXiv:2412.19437,"
              " section 3.1)")
A800_SHEET = ("NVIDIA A800 80GB SXM datasheet: A100 compute (312 TFLOPS BF16), 80 GB HBM2e at 2,039 GB/s,"
              " NVLink 400 GB/s (https://www.nvidia.com/en-us/design-visualization/a800/)")
H20_SHEET = ("NVIDIA HGX H20 specifications: 148 TFLOPS dense BF16, 296 FP8, 96 GB HBM3 at 4.0 TB/s, NVLink"
             " 900 GB/s, 400 W (NVIDIA H20 product brief, 2024)")
MI300X_SHEET = ("AMD Instinct MI300X data sheet: 1,307.4 TFLOPS BF16 and 2,614.9 FP8 dense, 192 GB HBM3 at 5.3 TB/s,"
                " 750 W (https://www.amd.com/en/products/accelerators/instinct/mi300/mi300x.html)")
TPU_V5E_PAGE = ("Google Cloud TPU v5e: 197 TFLOPS bf16, 394 int8, 16 GB HBM2 at 819 GBps per chip; $1.20 per"
                " chip-hour on demand (https://cloud.google.com/tpu/docs/v5e, https://cloud.google.com/tpu/pricing)")
TPU_V5P_PAGE = ("Google Cloud TPU v5p: 459 TFLOPS bf16, 918 int8, 95 GB HBM2e at 2,765 GBps per chip; $4.20 per"
                " chip-hour on demand (https://cloud.google.com/tpu/docs/v5p, https://cloud.google.com/tpu/pricing)")
DGX_A100_SHEET = "NVIDIA DGX A100 datasheet (https://www.nvidia.com/en-us/data-center/dgx-a100/)"
DGX_A100_PRICE = "NVIDIA press release 'NVIDIA Ships World's Most Advanced AI System', 14 May 2020: from $199,000"
DGX_H100_SHEET = ("NVIDIA DGX H100 datasheet: 8x H100, 32 petaFLOPS FP8 'with sparsity', 640 GB, ~10.2 kW max"
                  " (https://www.nvidia.com/en-us/data-center/dgx-h100/)")

GB = 1e9
TB = 1e12
T = 1e12
P = 1e15


def _gpu(name, aliases, bf16, fp8, memory, bandwidth, link, link_name, power, sheet, **kw) -> Hardware:
    return Hardware(
        name=name, kind="GPU", aliases=aliases,
        peak_bf16=Figure(bf16, "FLOP/s", sheet, "dense"),
        peak_fp8=Figure(fp8, "FLOP/s", sheet, "dense") if fp8 else None,
        memory=Figure(memory, "byte", sheet),
        bandwidth=Figure(bandwidth, "byte/s", sheet),
        interconnect=Figure(link, "byte/s", sheet, link_name),
        power=Figure(power, "W", sheet, "maximum (TDP)") if power else None,
        **kw,
    )


_DGX_A100_QUOTED = (
    QuotedFigure("peak_bf16", 5 * P, "FLOP/s", DGX_A100_SHEET, "5 petaFLOPS AI",
                 "counts 2:4 sparsity; dense BF16 is 8 x 312 TFLOP/s = 2.5 PFLOP/s"),
)

CATALOG: tuple[Hardware, ...] = (
    _gpu("V100", ("v100", "v100sxm2", "teslav100", "v10032g"), 125 * T, None, 32 * GB, 900 * GB,
         300 * GB, "NVLink 2", 300.0, V100_SHEET + "; FP16 tensor (Volta has no BF16)"),
    _gpu("A100 40GB", ("a100", "a10040g", "a100sxm40g", "a100sxm4"), 312 * T, None, 40 * GB, 1555 * GB,
         600 * GB, "NVLink 3", 400.0, A100_SHEET),
    _gpu("A100 80GB", ("a10080g", "a100sxm80g"), 312 * T, None, 80 * GB, 2039 * GB,
         600 * GB, "NVLink 3", 400.0, A100_SHEET),
    _gpu("H100 SXM", ("h100", "h100sxm", "h100sxm5", "h10080g"), 989 * T, 1979 * T, 80 * GB, 3350 * GB,
         900 * GB, "NVLink 4", 700.0, H100_SHEET),
    _gpu("H200", ("h200", "h200sxm", "h200141g"), 989 * T, 1979 * T, 141 * GB, 4800 * GB,
         900 * GB, "NVLink 4", 700.0, H200_SHEET),
    _gpu("B200", ("b200", "hgxb200"), 2250 * T, 4500 * T, 180 * GB, 8000 * GB,
         1800 * GB, "NVLink 5", 1000.0, B200_SHEET),
    _gpu("GB200", ("gb200", "gb200nvl72", "gb20072nvl"), 2500 * T, 5000 * T, 186 * GB, 8000 * GB,
         1800 * GB, "NVLink 5", None, GB200_SHEET + "; per-GPU power is not on the spec sheet"),
    _gpu("H800", ("h800", "h800sxm", "h800sxm5", "h80080g"), 989 * T, 1979 * T, 80 * GB, 3350 * GB,
         400 * GB, "NVLink 4 (export-limited)", 700.0, H800_SHEET),
    _gpu("A800", ("a800", "a80080g", "a800sxm"), 312 * T, None, 80 * GB, 2039 * GB,
         400 * GB, "NVLink 3 (export-limited)", 400.0, A800_SHEET),
    _gpu("H20", ("h20", "hgxh20", "h2096g"), 148 * T, 296 * T, 96 * GB, 4000 * GB,
         900 * GB, "NVLink 4", 400.0, H20_SHEET),
    _gpu("MI300X", ("mi300x", "instinctmi300x", "amdmi300x"), 1307.4 * T, 2614.9 * T, 192 * GB, 5300 * GB,
         896 * GB, "Infinity Fabric", 750.0, MI300X_SHEET),
    Hardware(
        name="TPU v5e", kind="TPU", aliases=("tpuv5e", "v5e", "tpuv5lite"),
        peak_bf16=Figure(197 * T, "FLOP/s", TPU_V5E_PAGE, "bf16"), peak_fp8=None,
        memory=Figure(16 * GB, "byte", TPU_V5E_PAGE), bandwidth=Figure(819 * GB, "byte/s", TPU_V5E_PAGE),
        interconnect=Figure(None, "byte/s", TPU_V5E_PAGE, "ICI, 2D torus"), power=None,
        price=Figure(1.2, "USD/GPU-hour", TPU_V5E_PAGE, "on demand"),
    ),
    Hardware(
        name="TPU v5p", kind="TPU", aliases=("tpuv5p", "v5p"),
        peak_bf16=Figure(459 * T, "FLOP/s", TPU_V5P_PAGE, "bf16"), peak_fp8=None,
        memory=Figure(95 * GB, "byte", TPU_V5P_PAGE), bandwidth=Figure(2765 * GB, "byte/s", TPU_V5P_PAGE),
        interconnect=Figure(None, "byte/s", TPU_V5P_PAGE, "ICI, 3D torus"), power=None,
        price=Figure(4.2, "USD/GPU-hour", TPU_V5P_PAGE, "on demand"),
    ),
    Hardware(
        name="TPU v4", kind="TPU", aliases=("tpuv4", "v4", "tpu4"),
        peak_bf16=Figure(275 * T, "FLOP/s", TPU_V4_PAGE, "bf16 (or int8)"),
        peak_fp8=None,
        memory=Figure(32 * 2.0**30, "byte", TPU_V4_PAGE, "32 GiB"),
        bandwidth=Figure(1200 * GB, "byte/s", TPU_V4_PAGE),
        interconnect=Figure(None, "byte/s", TPU_V4_PAGE, "ICI in a 3D mesh/torus; per-link bandwidth not stated there"),
        power=Figure(192.0, "W", TPU_V4_PAGE, "measured maximum"),
        price=Figure(2.03, "USD/GPU-hour", TPU_PRICE, "1-year commitment"),
    ),
    Hardware(
        name="DGX A100", kind="server", aliases=("dgxa100", "dgxa100320g", "dgxa100640g"),
        peak_bf16=Figure(8 * 312 * T, "FLOP/s", DGX_A100_SHEET + " ('5 petaFLOPS AI' counts sparsity)", "dense, 8 x A100"),
        peak_fp8=None,
        memory=Figure(640 * GB, "byte", DGX_A100_SHEET, "8 x 80 GB (the 2020 launch model had 8 x 40 GB)"),
        bandwidth=None,
        interconnect=Figure(600 * GB, "byte/s", DGX_A100_SHEET, "NVLink 3 through NVSwitch, per GPU"),
        power=Figure(6500.0, "W", DGX_A100_SHEET, "maximum system power"),
        price=Figure(199000.0, "USD", DGX_A100_PRICE, "launch price"),
        gpus=8, rack_units=6, quoted=_DGX_A100_QUOTED,
    ),
    Hardware(
        name="DGX H100", kind="server", aliases=("dgxh100",),
        peak_bf16=Figure(8 * 989 * T, "FLOP/s", DGX_H100_SHEET, "dense, 8 x H100"),
        peak_fp8=Figure(16 * P, "FLOP/s", DGX_H100_SHEET, "dense: half the 32 PFLOPS with sparsity"),
        memory=Figure(640 * GB, "byte", DGX_H100_SHEET),
        bandwidth=None,
        interconnect=Figure(900 * GB, "byte/s", DGX_H100_SHEET, "NVLink 4 through NVSwitch, per GPU"),
        power=Figure(10200.0, "W", DGX_H100_SHEET, "maximum system power"),
        gpus=8, rack_units=8,
    ),
)


def _key(name: str) -> str:
    key = re.sub(r"[^a-z0-9]", "", name.lower().replace("nvidia", "").replace("tesla", ""))
    return re.sub(r"(\d+)gb?$", r"\1g", key)


_BY_KEY = {}
for _hw in CATALOG:
    for _alias in (_hw.name, *_hw.aliases):
        _BY_KEY.setdefault(_key(_alias), _hw)


def lookup(name: str) -> Hardware:
    """A catalog entry by name, tolerant of case, spaces, dashes and 'GB' vs 'G'."""
    key = _key(name)
    for candidate in (key, key + "g"):  # 'A100-80' means 80 GB
        if candidate in _BY_KEY:
            return _BY_KEY[candidate]
    close = difflib.get_close_matches(key, list(_BY_KEY), n=3, cutoff=0.6)
    names = list(dict.fromkeys(_BY_KEY[k].name for k in close))
    raise UnknownHardware(name, names, [hw.name for hw in CATALOG])
