"""The rules language's layout: one package per stage, and imports that never come back.

Imports are read from the source (module level and inside functions, not those made
only for annotations), so a cycle that only a lazy import closes is found too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import clusterkit.lang

LANG = Path(clusterkit.lang.__file__).parent
PACKAGE = "clusterkit.lang"


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(LANG.rglob("*.py")):
        parts = path.relative_to(LANG).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join((PACKAGE, *parts))] = path
    return found


def _annotations_only(tree: ast.Module) -> set[int]:
    """The import statements under ``if TYPE_CHECKING:``."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            inside.update(id(n) for n in ast.walk(node))
    return inside


def _imported(name: str, path: Path, modules: dict[str, Path]) -> Iterator[str]:
    """The modules of clusterkit.lang that importing ``name`` runs."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    skipped = _annotations_only(tree)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        for target in targets:
            # Importing a.b.c runs the packages a and a.b first.
            parts = target.split(".")
            for end in range(3, len(parts) + 1):
                step = ".".join(parts[:end])
                if step in modules and not name.startswith(step + ".") and step != name:
                    yield step


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of ``graph`` as the path around it, or [] if there is none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return []


def test_no_module_of_the_language_imports_one_that_imports_it_back() -> None:
    modules = _modules()
    graph = {name: set(_imported(name, path, modules)) for name, path in modules.items()}
    assert _cycle(graph) == []


def test_the_stages_import_one_way() -> None:
    # Package by package: a stage may use the ones below it, never one that uses it.
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        stage = ".".join(name.split(".")[:3])
        below = graph.setdefault(stage, set())
        for target in _imported(name, path, modules):
            other = ".".join(target.split(".")[:3])
            if other not in (stage, PACKAGE):
                below.add(other)
    for stage in {t for targets in graph.values() for t in targets}:
        graph.setdefault(stage, set())
    assert _cycle(graph) == []


def test_imports_inside_functions_count_and_imports_for_annotations_do_not(
    tmp_path: Path,
) -> None:
    source = tmp_path / "m.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "from clusterkit.lang.results import outcome\n"
        "if TYPE_CHECKING:\n"
        "    from clusterkit.lang.program import Program\n"
        "def later():\n"
        "    from clusterkit.lang.cache import program_cache\n",
        encoding="utf-8",
    )
    found = set(_imported("clusterkit.lang.x.m", source, _modules()))
    assert found == {
        "clusterkit.lang.results",
        "clusterkit.lang.results.outcome",
        "clusterkit.lang.cache",
        "clusterkit.lang.cache.program_cache",
    }


def test_the_cycle_finder_gives_the_path_around_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_the_language_folder_lists_its_stages_and_the_program_that_ties_them() -> None:
    entries = {p.name for p in LANG.iterdir() if p.name != "__pycache__"}
    packages = {"syntax", "ast", "types", "check", "builtins", "compile", "runtime", "evaluation"}
    packages |= {"results", "cache", "ruletests"}
    assert entries == {"__init__.py", "program.py", "reader.py", *packages}
    assert all((LANG / name / "__init__.py").is_file() for name in packages)


def test_no_module_of_the_language_is_named_like_a_test_file() -> None:
    # pytest collects test_*.py wherever it is pointed.
    assert list(LANG.rglob("test*.py")) == []
