"""GPU-hours to cost, energy and emissions: what a run's accelerator time comes to.

- cost = GPU-hours x price per GPU-hour (DeepSeek-V3: 2.788M H800 GPU-hours x $2 =
  $5.576M, DeepSeek-V3 technical report, arXiv:2412.19437, table 1);
- energy = GPU-hours x power per GPU x PUE (facility power over IT power; The Green Grid,
  "PUE: a comprehensive examination of the metric", 2012), in kWh;
- emissions = energy x grid carbon intensity (kg CO2e per kWh), as Patterson et al. 2021
  ("Carbon Emissions and Large Neural Network Training", arXiv:2104.10350) count them.

Examples
--------
>>> gpu_hours_cost(2.788e6, 2)
5576000.0
>>> r = GPU_HOURS.evaluate({"gpu_hours": 30.84e6, "price_per_gpu_hour": 2, "gpu_power": 700, "pue": 1.0,
...     "carbon_intensity": 0.429})
>>> round(r["energy"]), round(r["emissions"] / 1000)
(21588000, 9261)
"""

from __future__ import annotations

from calculators.formula import Calculation, Formula, Var

GPU_HOURS_VAR = Var("gpu_hours", "GPU-hour", "accelerator hours of the run (GPU-hours, 卡时)")
PRICE = Var("price_per_gpu_hour", "USD/GPU-hour", "price of one GPU for one hour",
            source="DeepSeek-V3 technical report's rental assumption, $2 per H800 GPU-hour (arXiv:2412.19437)")
POWER = Var("gpu_power", "W/GPU", "power one GPU draws (its TDP unless measured)",
            source="H100 SXM TDP, 700 W (NVIDIA H100 datasheet)")
PUE = Var("pue", "", "power usage effectiveness: facility power / IT power", source="assumption: 1.0, IT power only")
INTENSITY = Var("carbon_intensity", "", "grid carbon intensity, kg CO2e per kWh",
                source="US average 0.429 kg CO2e/kWh, as in Patterson et al. 2021 (arXiv:2104.10350)")
COST = Var("cost", "USD", "cost of the GPU-hours")
ENERGY = Var("energy", "kWh", "energy the GPUs and the facility use")
EMISSIONS = Var("emissions", "", "emissions, kg CO2e")

F_COST = Formula(COST, GPU_HOURS_VAR.symbol * PRICE.symbol, (GPU_HOURS_VAR, PRICE))
F_ENERGY = Formula(ENERGY, GPU_HOURS_VAR.symbol * POWER.symbol * PUE.symbol / 1000, (GPU_HOURS_VAR, POWER, PUE),
                   "W x h / 1000 = kWh")
F_EMISSIONS = Formula(EMISSIONS, ENERGY.symbol * INTENSITY.symbol, (ENERGY, INTENSITY), "Patterson et al. 2021")

GPU_HOURS = Calculation("gpu_hours", (F_COST, F_ENERGY, F_EMISSIONS), "cost, energy and emissions of GPU-hours")


def gpu_hours_cost(gpu_hours: float, price_per_gpu_hour: float = 2.0, gpu_power: float = 700.0, pue: float = 1.0,
                   carbon_intensity: float = 0.429) -> float:
    """Cost in USD of a number of GPU-hours (also their energy in kWh with PUE, and emissions in kg CO2e).

    Args:
        gpu_hours: accelerator hours (GPU-hours, 卡时)
        price_per_gpu_hour: price of one GPU for one hour, USD
        gpu_power: power one GPU draws, W
        pue: power usage effectiveness (facility / IT power)
        carbon_intensity: kg CO2e per kWh of the grid
    """
    return GPU_HOURS.evaluate(locals())["cost"]


def gpu_hours_energy(gpu_hours: float, gpu_power: float = 700.0, pue: float = 1.0, price_per_gpu_hour: float = 2.0,
                     carbon_intensity: float = 0.429) -> float:
    """Energy in kWh of a number of GPU-hours at a power per GPU and a PUE (also cost and emissions).

    Args:
        gpu_hours: accelerator hours (GPU-hours, 卡时)
        gpu_power: power one GPU draws, W
        pue: power usage effectiveness (facility / IT power)
        price_per_gpu_hour: price of one GPU for one hour, USD
        carbon_intensity: kg CO2e per kWh of the grid
    """
    return GPU_HOURS.evaluate(locals())["energy"]
