"""Plugin discovery: built-ins through entry points, a third-party package, failures isolated."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from clusterkit.plugins import REPORTERS, STORAGE, PluginRegistry, StoreError, discover

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_PLUGIN = ROOT / "examples" / "plugin-reporter-rst"
EXAMPLE = ROOT / "examples" / "kazakhstan-2021"


def clusterkit(*args: str, path: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(path), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "clusterkit", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_built_ins_are_found_through_entry_points() -> None:
    registry = discover()
    assert set(registry.names(STORAGE)) >= {"sqlite", "jsondir"}
    assert set(registry.names(REPORTERS)) >= {"text", "json", "markdown", "html", "csv"}
    assert all(
        i.distribution.startswith("clusterkit ")
        for i in registry.infos
        if i.name in ("sqlite", "html")
    )


def test_unknown_plugin_is_named_with_what_is_available() -> None:
    with pytest.raises(StoreError, match=r"no reporter named 'pdf' \(available: csv, html"):
        discover([REPORTERS]).get(REPORTERS, "pdf")


def fake_distribution(folder: Path, name: str, entry_points: str, module: str = "") -> None:
    """Make a package importable and discoverable, as pip would install it."""
    info = folder / f"{name}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(entry_points)
    if module:
        (folder / f"{name.replace('-', '_')}.py").write_text(module)


def test_a_broken_plugin_is_reported_and_does_not_break_the_others(tmp_path: Path) -> None:
    fake_distribution(
        tmp_path,
        "broken-plugins",
        (
            "[clusterkit.reporters]\n"
            "missing = no_such_module:plugin\n"
            "crashes = broken_plugins:crashing\n"
            "wrongshape = broken_plugins:wrong\n"
            "oldapi = broken_plugins:old\n"
        ),
        module=(
            "class Old:\n    name = 'oldapi'\n    api_version = 0\n    description = 'x'\n"
            "    suffix = '.x'\n    def render(self, context):\n        return ''\n"
            "old = Old()\nwrong = object()\n"
            "def __getattr__(name):\n    if name == 'crashing':\n"
            "        raise RuntimeError('boom')\n    raise AttributeError(name)\n"
        ),
    )
    listing = clusterkit("plugins", path=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "missing    FAILED: failed to load: ModuleNotFoundError" in listing.stdout
    assert "crashes    FAILED: failed to load: RuntimeError: boom" in listing.stdout
    assert "wrongshape FAILED: it is not a ReporterPlugin" in listing.stdout
    assert "oldapi     FAILED: it was written for plugin API 0, this clusterkit offers 1" in (
        listing.stdout
    )
    assert "html       one self-contained HTML page" in listing.stdout
    assert "4 plugin(s) could not be loaded" in listing.stderr
    used = clusterkit("report", "--data", str(EXAMPLE), "--format", "missing", path=tmp_path)
    assert used.returncode == 2
    assert "plugin 'missing' (clusterkit.reporters) could not be loaded" in used.stderr
    assert "Traceback" not in used.stderr
    fine = clusterkit("report", "--data", str(EXAMPLE), "--format", "csv", path=tmp_path)
    assert fine.returncode == 0


def test_the_example_third_party_reporter_installs_and_is_discovered(tmp_path: Path) -> None:
    # Built from a copy: pip builds a local project in place, and a test must not leave
    # build/ or *.egg-info in the checkout.
    before = sorted(EXAMPLE_PLUGIN.rglob("*"))
    source = tmp_path / "plugin"
    shutil.copytree(
        EXAMPLE_PLUGIN, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__")
    )
    target = tmp_path / "site"
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr
    listing = clusterkit("plugins", path=target)
    assert "rst        reStructuredText tables (example third-party plugin)" in listing.stdout
    assert "[clusterkit-reporter-rst 0.1.0]" in listing.stdout
    report = clusterkit("report", "--data", str(EXAMPLE), "--format", "rst", path=target)
    assert report.returncode == 0, report.stderr
    assert "output 2020-2024 (mln KZT)" in report.stdout
    assert "| total                  | 264893 | 441190 |" in report.stdout
    assert sorted(EXAMPLE_PLUGIN.rglob("*")) == before


def test_registry_lists_failures_separately() -> None:
    registry = PluginRegistry(())
    assert registry.failures() == []
    with pytest.raises(StoreError, match="available: none"):
        registry.get(STORAGE, "sqlite")
