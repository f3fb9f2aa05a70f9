"""The scenario format: typed models, located loading, JSON Schema.

loaded = load_scenario("scenarios/furong_mountain.yaml")   # raises ScenarioError
loaded.scenario.units[0].men
"""

from .errors import Problem, ScenarioError
from .loader import LoadedScenario, load_scenario, load_scenario_text
from .models import FORMAT_VERSION, Scenario
from .schema import json_schema, json_schema_text

__all__ = [
    "FORMAT_VERSION",
    "LoadedScenario",
    "Problem",
    "Scenario",
    "ScenarioError",
    "json_schema",
    "json_schema_text",
    "load_scenario",
    "load_scenario_text",
]
