"""The house's rule: a wing imports only itself and the wings below it, and no imports go round in a
circle. Computed from the code's imports by ``scripts/import_graph.py`` (which prints the whole graph)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "import_graph.py"


def _graph_script():
    spec = importlib.util.spec_from_file_location("import_graph", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_module_belongs_to_a_known_wing():
    script = _graph_script()
    unknown = {script.wing_of(name) for name in script.graph_of_package()} - set(script.WINGS)
    assert not unknown, f"modules outside the wings the layer rule knows: {sorted(unknown)}"


def test_no_wing_imports_a_wing_above_it():
    script = _graph_script()
    assert script.upward_imports(script.graph_of_package()) == []


def test_no_import_cycles():
    script = _graph_script()
    cycles = [component for component in script.strongly_connected(script.graph_of_package()) if len(component) > 1]
    assert cycles == []


def test_the_rule_catches_an_import_up_the_wings():
    script = _graph_script()
    graph = {"briefing.text.script": {"briefing.daily.run"}, "briefing.daily.run": {"briefing.text.script"}}
    assert script.upward_imports(graph) == [("briefing.text.script", "briefing.daily.run")]
