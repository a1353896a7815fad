"""Racks and power: servers per rack, racks, capital cost, kW, kWh a day, electricity.

Counts of things that cannot be fractional round up: 3,798 servers at 7 a rack need
543 racks (Guosheng Securities' ChatGPT estimate of February 2023 writes 3,798/7 = 542).
Servers per rack round down: a 42U rack holds floor(42 / 6) = 7 6U servers.

Defaults are a DGX A100's (NVIDIA's datasheet and launch price): 6U, $199,000 and 6.5 kW
a server, in full-height 42U racks, and $0.08/kWh, the US industrial price that estimate
assumes. PUE (facility power over IT power) defaults to 1.0, i.e. IT power only, as that
estimate counts it.

Examples
--------
>>> RACK_COUNT.evaluate({"servers": 3798, "rack_units": 42, "server_units": 6})["racks"]
543.0
>>> rack_capital_cost(1)
1393000.0
>>> power = POWER.evaluate({"racks": 542, "servers_per_rack": 7, "server_power": 6.5,
...     "electricity_price": 0.08, "pue": 1.0})
>>> power["rack_power"], round(power["energy_per_day"]), round(power["electricity_cost_per_day"], 2)
(45.5, 591864, 47349.12)
>>> rack_power(1)
1092.0
>>> round(rack_energy(542, rack_power=45.5), 2), ENERGY_FROM_RACK_POWER.evaluate({"racks": 542, "rack_power": 45.5,
...     "electricity_price": 0.08, "pue": 1.0})["electricity_cost_per_day"]
(591864.0, 47349.12)
"""

from __future__ import annotations

import sympy

from calculators.formula import COUNT, Calculation, Formula, Var
from calculators.hardware import DGX_A100_PRICE, DGX_A100_SHEET
from calculators.sources import GUOSHENG, assumed_in
HOURS_PER_DAY = 24
DAYS_PER_YEAR = 365

SERVERS = Var("servers", "server", "servers to house", COUNT)
RACK_UNITS = Var("rack_units", "", "height of a rack in rack units (U)",
                 source=assumed_in(GUOSHENG, "a full-height 19-inch rack of 42U (1U = 1.75 in, EIA-310)"))
SERVER_UNITS = Var("server_units", "", "height of a server in rack units (U)",
                   source=f"6U, a DGX A100 (10.4 in high): {DGX_A100_SHEET}")
SERVERS_PER_RACK = Var("servers_per_rack", "server/rack", "servers in one rack", COUNT,
                       source="7 DGX A100 (6U) in a 42U rack: floor(42 / 6)")
RACKS = Var("racks", "rack", "racks", COUNT)
SERVER_PRICE = Var("server_price", "USD/server", "price of one server",
                   source=f"$199,000, a DGX A100: {DGX_A100_PRICE}")
RACK_COST = Var("rack_cost", "USD/rack", "cost of the servers in one full rack")
CAPITAL_COST = Var("capital_cost", "USD", "cost of the servers in all the racks")
SERVER_POWER = Var("server_power", "kW/server", "maximum power of one server",
                   source=f"6.5 kW, a DGX A100's maximum: {DGX_A100_SHEET}")
PRICE_KWH = Var("electricity_price", "USD/kWh", "electricity price",
                source=assumed_in(GUOSHENG, "$0.08/kWh, the US average industrial price (after Hashrate Index)"))
PUE = Var("pue", "", "power usage effectiveness: facility power / IT power (1.0 = IT power only)",
          source="assumption: 1.0, IT power only")
RACK_KW = Var("rack_power", "kW/rack", "IT power of one full rack")
RACK_KW_GIVEN = Var("rack_power", "kW/rack", "IT power of one rack",
                    source=f"45.5 kW, 7 DGX A100 at 6.5 kW: {DGX_A100_SHEET}")
FACILITY_POWER = Var("facility_power", "kW", "power drawn by all racks, times PUE")
ENERGY = Var("energy_per_day", "kWh/day", "energy a day")
COST_DAY = Var("electricity_cost_per_day", "USD/day", "electricity cost a day")
COST_YEAR = Var("electricity_cost_per_year", "USD/year", "electricity cost a year (365 days)")

F_PER_RACK = Formula(SERVERS_PER_RACK, sympy.floor(RACK_UNITS.symbol / SERVER_UNITS.symbol),
                     (RACK_UNITS, SERVER_UNITS))
F_RACKS = Formula(RACKS, sympy.ceiling(SERVERS.symbol / SERVERS_PER_RACK.symbol), (SERVERS, SERVERS_PER_RACK),
                  GUOSHENG)
F_RACK_COST = Formula(RACK_COST, SERVERS_PER_RACK.symbol * SERVER_PRICE.symbol, (SERVERS_PER_RACK, SERVER_PRICE))
F_CAPITAL = Formula(CAPITAL_COST, RACKS.symbol * RACK_COST.symbol, (RACKS, RACK_COST), GUOSHENG)
F_RACK_POWER = Formula(RACK_KW, SERVERS_PER_RACK.symbol * SERVER_POWER.symbol, (SERVERS_PER_RACK, SERVER_POWER))
F_FACILITY = Formula(FACILITY_POWER, RACKS.symbol * RACK_KW.symbol * PUE.symbol, (RACKS, RACK_KW, PUE))
F_ENERGY = Formula(ENERGY, FACILITY_POWER.symbol * HOURS_PER_DAY, (FACILITY_POWER,))
F_COST_DAY = Formula(COST_DAY, ENERGY.symbol * PRICE_KWH.symbol, (ENERGY, PRICE_KWH))
F_COST_YEAR = Formula(COST_YEAR, COST_DAY.symbol * DAYS_PER_YEAR, (COST_DAY,))
F_FACILITY_GIVEN = Formula(FACILITY_POWER, RACKS.symbol * RACK_KW_GIVEN.symbol * PUE.symbol, (RACKS, RACK_KW_GIVEN, PUE))

RACK_COUNT = Calculation("rack_count", (F_PER_RACK, F_RACKS))
CAPITAL = Calculation("rack_capital_cost", (F_RACK_COST, F_CAPITAL))
POWER = Calculation("rack_power", (F_RACK_POWER, F_FACILITY, F_ENERGY, F_COST_DAY, F_COST_YEAR))
ENERGY_FROM_RACK_POWER = Calculation("rack_energy", (F_FACILITY_GIVEN, F_ENERGY, F_COST_DAY, F_COST_YEAR))


def rack_count(servers: float, rack_units: float = 42, server_units: float = 6) -> int:
    """Racks needed for a number of servers: floor(rack U / server U) a rack, racks rounded up.

    Args:
        servers: servers to house
        rack_units: height of a rack in rack units (U)
        server_units: height of a server in rack units (U)
    """
    return int(RACK_COUNT.evaluate(locals())["racks"])


def rack_capital_cost(racks: float, servers_per_rack: float = 7, server_price: float = 199000) -> float:
    """Cost in USD of the servers in a number of full racks.

    Args:
        racks: racks
        servers_per_rack: servers in one rack
        server_price: price of one server, USD
    """
    return CAPITAL.evaluate(locals())["capital_cost"]


def rack_power(racks: float, servers_per_rack: float = 7, server_power: float = 6.5,
               electricity_price: float = 0.08, pue: float = 1.0) -> float:
    """Energy a day in kWh of a number of racks at full power (also kW, and electricity a day and a year).

    Args:
        racks: racks
        servers_per_rack: servers in one rack
        server_power: maximum power of one server, kW
        electricity_price: electricity price, USD per kWh
        pue: power usage effectiveness, facility power over IT power (1.0 counts IT power only)
    """
    return POWER.evaluate(locals())["energy_per_day"]


def rack_energy(racks: float, rack_power: float = 45.5, electricity_price: float = 0.08, pue: float = 1.0) -> float:
    """Energy a day in kWh of a number of racks from the power of one rack (also electricity a day and a year).

    Args:
        racks: racks
        rack_power: power of one rack, kW
        electricity_price: electricity price, USD per kWh
        pue: power usage effectiveness, facility power over IT power (1.0 counts IT power only)
    """
    return ENERGY_FROM_RACK_POWER.evaluate(locals())["energy_per_day"]
