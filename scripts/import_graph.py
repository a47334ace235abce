#!/usr/bin/env python3
"""Print the import graph of the ``briefing`` package: modules, edges, layers and cycles.

Every ``import briefing.x`` and ``from briefing[.x] import y`` counts, at any depth of the file
(imports inside functions included), so the graph is what the code can reach, not only what it loads
first. A layer is the length of the longest chain of imports below a module; modules in one cycle
share a layer. It also lists the imports that go up the wings (``WINGS``, lowest first), which
``tests/test_layers.py`` forbids. Usage: scripts/import_graph.py [--edges]
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "briefing"


def module_names() -> dict[str, Path]:
    names = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            submodules = {f"{base}.{alias.name}" for alias in node.names} & known
            found.update(submodules)
            if len(submodules) < len(node.names):
                found.add(base)
    return {target for target in found if target in known and target != name}


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            components.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in graph:
        if node not in index:
            visit(node)
    return components


def layers(graph: dict[str, set[str]], components: list[list[str]]) -> dict[str, int]:
    """Tarjan emits components callees first, so one pass in that order gives each its longest chain."""
    owner = {member: number for number, component in enumerate(components) for member in component}
    depth: dict[int, int] = {}
    for number, component in enumerate(components):
        below = [depth[owner[t]] for m in component for t in graph[m] if owner[t] != number]
        depth[number] = 1 + max(below, default=-1)
    return {member: depth[owner[member]] for member in graph}


# The wings, lowest first: a module may import its own wing and the wings before it, never one after.
# A top-level module (``briefing.config``) is a wing of its own; ``briefing`` itself is the public API.
WINGS = ("system", "errors", "model", "voices", "readers", "text", "audio", "config", "library", "channel",
         "server", "pipeline", "daily", "cli", "__main__", "")


def wing_of(module: str) -> str:
    return module.split(".")[1] if "." in module else ""


def graph_of_package() -> dict[str, set[str]]:
    names = module_names()
    return {name: imports_of(name, path, set(names)) for name, path in names.items()}


def upward_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Every import of a wing above the importer's: what the layer rule forbids."""
    rank = {wing: number for number, wing in enumerate(WINGS)}
    return sorted((module, target) for module, targets in graph.items() for target in targets
                  if rank[wing_of(target)] > rank[wing_of(module)])


def main() -> None:
    graph = graph_of_package()
    components = strongly_connected(graph)
    layer = layers(graph, components)
    cycles = [component for component in components if len(component) > 1]
    print(f"modules: {len(graph)}")
    print(f"edges: {sum(len(targets) for targets in graph.values())}")
    print(f"layers: {max(layer.values()) + 1}")
    print(f"cycles: {len(cycles)}")
    for cycle in cycles:
        print("  cycle: " + " <-> ".join(cycle))
    wrong = upward_imports(graph)
    print(f"imports up the wings: {len(wrong)}")
    for module, target in wrong:
        print(f"  {module} -> {target}")
    if "--edges" in sys.argv:
        for name in sorted(graph, key=lambda n: (layer[n], n)):
            print(f"{layer[name]:2d} {name} -> {', '.join(sorted(graph[name]))}")


if __name__ == "__main__":
    main()
