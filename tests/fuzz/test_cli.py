"""Driving every ``clusterkit`` command with hostile arguments and files.

Each input is a command with options and arguments drawn from pools of good values
(the examples, their rules, stores with the example in them) and hostile ones (missing
paths, folders named like files, symbolic-link loops, binary junk, deep JSON, dates
that do not exist, numbers past every bound, unknown formats, stores that are not
stores). Whatever the input, the command ends with status 0, 1 or 2, prints no Python
traceback, and raises nothing but its exit. (``lsp`` and ``serve`` are servers, left out.)

The commands run in a workspace of their own (the current folder too), so that what
they write (``fmt``, ``report -o``, ``registry export``, the default store) stays there.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from clusterkit.cli import cli
from tests.fuzz.common import (
    HOSTILE_NUMBERS,
    HOSTILE_TEXTS,
    fuzz_settings,
    mutated_bytes,
    mutated_text,
)
from tests.fuzz.conftest import in_copy
from tests.fuzz.corpus import EXAMPLES, KZ_DATA, ROOT, pool

Pools = dict[str, list[str]]


@dataclass(frozen=True)
class Workspace:
    root: Path
    pools: Pools


def _hostile_files(root: Path) -> dict[str, list[str]]:
    """Files that are not what they are named, made in ``root``."""
    (root / "dir.ckr").mkdir()
    (root / "dir.json").mkdir()
    (root / "loop-a.ckr").symlink_to(root / "loop-b.ckr")
    (root / "loop-b.ckr").symlink_to(root / "loop-a.ckr")
    (root / "dangling.json").symlink_to(root / "nowhere")
    (root / "junk.bin").write_bytes(bytes(range(256)) * 4)
    for name in ("junk.ckr", "junk.json", "junk.toml", "junk.csv", "junk.xlsx"):
        shutil.copy(root / "junk.bin", root / name)
    (root / "empty.json").write_text("", encoding="utf-8")
    (root / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (root / "bom.ckr").write_bytes(b"\xef\xbb\xbfrulebook bom\nconst a = 1\n")
    (root / "huge.ckr").write_text("rulebook h\nconst a = 1e999999999 KZT\n", encoding="utf-8")
    (root / "evil.ckr").write_text('rulebook e\nimport "/etc/passwd"\n', encoding="utf-8")
    (root / "bad.tests.toml").write_text('rules = ["/etc/passwd"]\ndata = "/etc"\n', "utf-8")
    (root / "weird\nname.json").write_text("{}", encoding="utf-8")
    missing = str(root / "missing")
    return {
        "rules": ["dir.ckr", "loop-a.ckr", "junk.ckr", "bom.ckr", "huge.ckr", "evil.ckr", missing],
        "data": [
            *("dir.json", "dangling.json", "junk.json", "junk.toml", "empty.json", "deep.json"),
            *("weird\nname.json", "junk.csv", "junk.xlsx", "/dev/zero", "/etc/passwd", missing),
        ],
        "tests": ["bad.tests.toml", "junk.ckr", missing],
    }


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    # A copy of its own: commands write into what they are given (fmt, registry export).
    root = tmp_path_factory.mktemp("fuzz-cli")
    shutil.copytree(ROOT / "rules", root / "rules", symlinks=False)
    shutil.copytree(ROOT / "examples", root / "examples", symlinks=False)
    hostile = _hostile_files(root)
    kz = str(in_copy(root, KZ_DATA))
    stores = [f"sqlite://{root / 'store.sqlite3'}", f"jsondir://{root / 'store-json'}"]
    runner = CliRunner()
    for store in stores:
        result = runner.invoke(cli, ["registry", "import", kz, "--store", store])
        assert result.exit_code == 0, result.output
    rule_files = sorted(str(p) for p in (root / "rules").glob("*.ckr"))
    pools: Pools = {
        "rules": [str(root / "rules"), *rule_files[:4], *hostile["rules"], "", "."],
        "data": [
            kz,
            str(in_copy(root, EXAMPLES / "selection-2017-sample")),
            str(in_copy(root, KZ_DATA / "clusters.json")),
            str(in_copy(root, KZ_DATA / "participants" / "milk-akmola.csv")),
            str(root / "rules"),
            *hostile["data"],
            "",
        ],
        "tests": [
            str(root / "rules"),
            str(root / "rules" / "membership.tests.toml"),
            str(in_copy(root, EXAMPLES / "eu-cluster-labels")),
            *hostile["tests"],
        ],
        "store": [
            *stores,
            f"sqlite://{root / 'new.sqlite3'}",
            f"jsondir://{root / 'new-json'}",
            f"sqlite://{root / 'junk.bin'}",
            f"jsondir://{root / 'rules'}",
            f"sqlite://{root / 'dir.json'}",
            "postgresql://127.0.0.1:1/none",
            "nope://x",
            "sqlite://",
            "",
        ],
        "out": [str(root / "out.txt"), str(root / "none" / "out.txt"), str(root / "dir.json"), "-"],
        "date": ["2021-06-01", "2021-02-29", "0001-01-01", "9999-12-31", "21-6-1", "", "x"],
        "format": ["text", "json", "junit", "csv", "markdown", "html", "xlsx", "pdf", ""],
        "lang": ["en", "ru", "kk", "de", ""],
        "int": ["1", "0", "-1", "99999999999999999999", "x", ""],
        "text": [*HOSTILE_TEXTS, "construction-karaganda", "output", "mln KZT", "s01"],
        "number": [*HOSTILE_NUMBERS, "66740", "1.5"],
        "choice": ["registry_entry", "accepted", "rejected", "submitted", "x", ""],
        "encoding": ["cp1251", "utf-8", "utf-16", "no-such-codec", ""],
        "kind": ["data", "results", "report", "diagnostics", "x", ""],
    }
    return Workspace(root, pools)


#: Each command: its words, its positional arguments (pool names; "rules*" for one or
#: more), and its options (flag and pool name, or None for a flag that takes no value).
COMMANDS: tuple[
    tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str | None], ...]], ...
] = (
    (
        ("check",),
        ("rules*",),
        (
            ("--data", "data"),
            ("--store", "store"),
            ("--as-of", "date"),
            ("--format", "format"),
            ("--lang", "lang"),
            ("--all", None),
            ("--save", None),
            ("--no-save", None),
            ("--exit-zero", None),
        ),
    ),
    (("lint",), ("rules*",), (("--format", "format"),)),
    (("test",), ("tests*",), (("--format", "format"), ("--allow-root", "data"))),
    (("fmt",), ("rules*",), (("--check", None), ("--diff", None))),
    (
        ("validate",),
        ("data",),
        (
            ("--schema", "rules"),
            ("--csv-encoding", "encoding"),
            ("--decimal-comma", None),
            ("--decimal-point", None),
            ("--format", "format"),
            ("--lang", "lang"),
        ),
    ),
    (("import-participants",), ("data",), ()),
    (
        ("report",),
        (),
        (
            ("--data", "data"),
            ("--store", "store"),
            ("--rules", "rules"),
            ("--as-of", "date"),
            ("--format", "format"),
            ("--lang", "lang"),
            ("-o", "out"),
        ),
    ),
    (
        ("observe",),
        (),
        (
            ("--cluster", "text"),
            ("--indicator", "text"),
            ("--year", "int"),
            ("--value", "number"),
            ("--unit", "text"),
            ("--reported-on", "date"),
            ("--by", "text"),
            ("--note", "text"),
            ("--supersedes", "int"),
            ("--reason", "text"),
            ("--store", "store"),
        ),
    ),
    (
        ("registry", "apply"),
        (),
        (
            ("--id", "text"),
            ("--cluster", "text"),
            ("--kind", "choice"),
            ("--submitted", "date"),
            ("--store", "store"),
        ),
    ),
    (
        ("registry", "decide"),
        ("text",),
        (
            ("--status", "choice"),
            ("--on", "date"),
            ("--reason", "text"),
            ("--by", "text"),
            ("--store", "store"),
        ),
    ),
    (("registry", "export"), ("out",), (("--store", "store"),)),
    (("registry", "import"), ("data",), (("--store", "store"),)),
    (("registry", "import-backup"), ("data",), (("--store", "store"),)),
    (("registry", "list"), (), (("--store", "store"),)),
    (("registry", "repair"), (), (("--store", "store"),)),
    (("registry", "show"), ("text",), (("--store", "store"),)),
    (("runs", "list"), (), (("--store", "store"),)),
    (("runs", "show"), ("int",), (("--store", "store"),)),
    (("plugins",), (), ()),
    (("schema",), ("kind",), (("--rules", "rules"), ("--data", "data"))),
)


@st.composite
def command_lines(draw: st.DrawFn, pools: Pools) -> list[str]:
    words, positional, options = draw(st.sampled_from(COMMANDS))
    args = list(words)
    for spec in positional:
        pool = pools[spec.rstrip("*")]
        count = draw(st.integers(1, 3)) if spec.endswith("*") else 1
        args += [draw(st.sampled_from(pool)) for _ in range(count)]
    for flag, pool_name in options:
        if draw(st.integers(0, 2)) == 0:
            continue
        args.append(flag)
        if pool_name is not None:
            args.append(draw(st.sampled_from(pools[pool_name])))
    # Now and then an option given twice, or one no command has.
    if draw(st.integers(0, 9)) == 0:
        args.append(draw(st.sampled_from(["--no-such-option", "--format", "--", "-"])))
    return args


def run_cli(workspace: Workspace, args: list[str]) -> tuple[int, str]:
    env = {"CLUSTERKIT_STORE": workspace.pools["store"][0], "CLUSTERKIT_DEBUG": ""}
    with contextlib.chdir(workspace.root):
        result = CliRunner().invoke(cli, args, env=env, input="")
    output = result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{args}: {result.exception!r}"
    )
    return result.exit_code, output


@fuzz_settings()
@given(data=st.data())
def test_every_command_with_hostile_arguments(workspace: Workspace, data: st.DataObject) -> None:
    args = data.draw(command_lines(workspace.pools))
    code, output = run_cli(workspace, args)
    assert code in (0, 1, 2), f"{args}: exit {code}\n{output[-2000:]}"
    assert "Traceback" not in output, f"{args}\n{output[-4000:]}"


@pytest.mark.parametrize("words", sorted({c[0] for c in COMMANDS}), ids=" ".join)
def test_every_command_with_every_hostile_file(
    workspace: Workspace, words: tuple[str, ...]
) -> None:
    # Not left to chance: each command once with each hostile path in each position.
    _, positional, options = next(c for c in COMMANDS if c[0] == words)
    pools = workspace.pools
    lines = [
        [*words, *(value if s == spec else pools[s.rstrip("*")][0] for s in positional)]
        for spec in positional
        for value in pools[spec.rstrip("*")]
    ]
    for flag, pool_name in options:
        if pool_name in ("data", "rules", "store", "out"):
            lines += [
                [*words, *(pools[s.rstrip("*")][0] for s in positional), flag, value]
                for value in pools[pool_name]
            ]
    for args in lines or [list(words)]:
        code, output = run_cli(workspace, args)
        assert code in (0, 1, 2), f"{args}: exit {code}\n{output[-2000:]}"
        assert "Traceback" not in output, f"{args}\n{output[-4000:]}"
    assert os.path.isdir(workspace.root / "rules")


@fuzz_settings(0.5)
@given(data=st.data())
def test_fmt_reads_any_bytes_from_standard_input(workspace: Workspace, data: st.DataObject) -> None:
    source = data.draw(st.sampled_from(sorted((workspace.root / "rules").glob("*.ckr"))))
    text = data.draw(mutated_text(source.read_text(encoding="utf-8"), pool()))
    content = text.encode("utf-8", "surrogatepass")
    if data.draw(st.booleans()):
        content = data.draw(mutated_bytes(content, max_steps=2))
    with contextlib.chdir(workspace.root):
        result = CliRunner().invoke(cli, ["fmt", "-"], input=content, env={"CLUSTERKIT_DEBUG": ""})
    output = result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 2), output[-2000:]
    assert "Traceback" not in output
