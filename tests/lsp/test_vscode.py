"""The VS Code extension: its manifest, and its client driven by Node against the real
``clusterkit lsp`` (with a stand-in for the ``vscode`` module)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from clusterkit.lang.syntax.formatter import format_rules

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "editors" / "vscode"
RULES = """rulebook t
const cap = 112 mln KZT
const unused = 1
rule r for each p in projects
  require p.budget <= cap
"""


def test_the_manifest_contributes_the_language_grammar_and_configuration() -> None:
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    (language,) = manifest["contributes"]["languages"]
    assert (language["id"], language["extensions"]) == ("clusterkit", [".ckr"])
    assert (EXTENSION / language["configuration"]).is_file()
    (grammar,) = manifest["contributes"]["grammars"]
    assert grammar["scopeName"] == "source.clusterkit"
    assert (EXTENSION / grammar["path"]).is_file()
    assert (EXTENSION / manifest["main"]).is_file()
    assert "dependencies" not in manifest
    configuration = json.loads((EXTENSION / "language-configuration.json").read_text("utf-8"))
    assert configuration["comments"] == {"lineComment": "#"}


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_the_extension_s_client_speaks_to_the_language_server(tmp_path: Path) -> None:
    rules = tmp_path / "r.ckr"
    rules.write_text(RULES, encoding="utf-8")
    harness = Path(__file__).with_name("vscode_harness.js")
    command = [sys.executable, "-m", "clusterkit", "lsp"]
    done = subprocess.run(
        ["node", str(harness), str(EXTENSION), str(rules), *command],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    (warning,) = seen["diagnostics"]
    assert (warning["code"], warning["severity"]) == ("W601", 1)  # vscode's Warning
    assert warning["range"]["start"] == {"line": 2, "character": 0}
    assert seen["hover"] == "**p.budget**: money (KZT)"
    assert seen["definition"] == {"uri": rules.as_uri(), "line": 1}
    assert ["budget", 4, "money (KZT)"] in seen["completion"]  # vscode's Field is 4
    assert seen["triggers"] == ["."]
    assert seen["formatted"] == [format_rules(RULES)]
    assert seen["error"] is None
