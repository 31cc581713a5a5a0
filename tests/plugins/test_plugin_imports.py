"""The built-in plugins import only what docs/plugins.md offers plugins."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ROOT / "src" / "clusterkit_plugins"
DOCS = ROOT / "docs" / "plugins.md"


def documented_modules() -> set[str]:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("## What a plugin may import", 1)[1].split("\n## ", 1)[0]
    modules: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first = line.split("|")[1]
            modules.update(re.findall(r"`(clusterkit[a-z0-9_.]*)`", first))
    return modules


def imported_modules() -> dict[str, str]:
    """Each clusterkit module a built-in plugin imports, with one place it does."""
    found: dict[str, str] = {}
    for path in sorted(PLUGINS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if name == "clusterkit" or name.startswith("clusterkit."):
                    found.setdefault(name, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_the_section_lists_modules() -> None:
    assert {"clusterkit.plugins", "clusterkit.serde", "clusterkit.loader"} <= documented_modules()


def test_built_in_plugins_import_only_documented_modules() -> None:
    allowed = documented_modules() | {"clusterkit"}
    undocumented = {m: where for m, where in imported_modules().items() if m not in allowed}
    assert undocumented == {}


def test_every_documented_module_exists() -> None:
    for module in documented_modules():
        parts = module.split(".")
        base = ROOT / "src" / Path(*parts)
        assert base.with_suffix(".py").is_file() or (base / "__init__.py").is_file(), module
