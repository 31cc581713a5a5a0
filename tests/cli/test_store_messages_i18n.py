"""The storage back-ends' messages: written as translatable templates, and shown by the
command line in Russian and Kazakh as asked, with the English text unchanged."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from tests.cli.runner import EXAMPLE, ROOT, run
from tests.test_i18n import source_messages

PLUGINS = ROOT / "src" / "clusterkit_plugins"

OBSERVE = (
    "observe",
    "--cluster",
    "milk-akmola",
    "--indicator",
    "labour_productivity",
    "--value",
    "30",
    "--reported-on",
    "2025-02-01",
    "--by",
    "QazIndustry",
)


def observe(store: str, lang: str, *extra: str) -> tuple[int, str, str]:
    return run(*OBSERVE, "--store", store, *extra, env={"CLUSTERKIT_LANG": lang})


def observations(store: str) -> list[object]:
    code, out, err = run("registry", "export", "-", "--store", store)
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    return [line for line in lines if line.get("kind") == "observation"]


@pytest.fixture(params=["sqlite", "jsondir"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    name = "registry.sqlite3" if request.param == "sqlite" else "registry"
    url = f"{request.param}://{tmp_path / name}"
    code, _, err = run("registry", "import", EXAMPLE, "--store", url)
    assert code == 0, err
    return url


UNIT_DOES_NOT_FIT = {
    "en": "unit 'mln KZT' does not fit indicator 'labour_productivity' of 'milk-akmola', "
    "which is stated in mln KZT/person",
    "ru": "единица 'mln KZT' не подходит к показателю 'labour_productivity' кластера "
    "'milk-akmola', который указан в mln KZT/person",
    "kk": "'mln KZT' бірлігі 'milk-akmola' кластерінің 'labour_productivity' көрсеткішіне "
    "сәйкес келмейді, ол mln KZT/person бірлігінде берілген",
}

NOTHING_TO_CORRECT = {
    "en": "no observation 7 to correct",
    "ru": "нет наблюдения № 7, которое можно было бы исправить",
    "kk": "түзетуге № 7 бақылау жоқ",
}

YEAR_OUT_OF_BOUNDS = {
    "en": "year 2101 is out of bounds (1900–2100 are accepted)",
    "ru": "год 2101 вне допустимых границ (принимаются 1900–2100)",
    "kk": "2101 жылы рұқсат етілген шектен тыс (1900–2100 жылдар қабылданады)",
}

CANNOT_BE_WRITTEN = {
    "en": "{root}: cannot be written: ",
    "ru": "{root}: запись невозможна: ",
    "kk": "{root}: жазу мүмкін емес: ",
}


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_an_observation_the_store_refuses_is_explained_in_the_language_asked_for(
    any_store: str, lang: str
) -> None:
    code, _, err = observe(any_store, lang, "--year", "2024", "--unit", "mln KZT")
    assert code == 2
    assert UNIT_DOES_NOT_FIT[lang] in err
    code, _, err = observe(
        any_store,
        lang,
        *("--year", "2024", "--unit", "mln KZT/person", "--supersedes", "7"),
        *("--reason", "typo"),
    )
    assert code == 2
    assert NOTHING_TO_CORRECT[lang] in err
    code, _, err = observe(any_store, lang, "--year", "2101", "--unit", "mln KZT/person")
    assert code == 2
    assert YEAR_OUT_OF_BOUNDS[lang] in err
    assert "Traceback" not in err
    assert observations(any_store) == []


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_a_folder_store_that_cannot_be_written_says_so_in_the_language_asked_for(
    tmp_path: Path, lang: str
) -> None:
    root = tmp_path / "store"
    code, _, err = run("registry", "import", EXAMPLE, "--store", f"jsondir://{root}")
    assert code == 0, err
    # The write lock cannot be opened for writing, even by root: a folder in its place.
    (root / ".lock").unlink()
    (root / ".lock").mkdir()
    code, _, err = observe(f"jsondir://{root}", lang, "--year", "2024", "--unit", "mln KZT/person")
    assert code == 2
    assert CANNOT_BE_WRITTEN[lang].format(root=root) in err
    assert "Traceback" not in err


def test_a_store_message_in_another_language_differs_from_the_english() -> None:
    """The translations above are translations, not the English passed through."""
    for texts in (UNIT_DOES_NOT_FIT, NOTHING_TO_CORRECT, YEAR_OUT_OF_BOUNDS, CANNOT_BE_WRITTEN):
        assert len({texts["en"], texts["ru"], texts["kk"]}) == 3


# -- the source: every message a template ------------------------------------------------

#: Exceptions whose text reaches the user (a ValueError of the log reader is the reason
#: a damaged record is reported with).
_RAISED = {"StoreError", "ValueError"}


def _name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _english_in(node: ast.expr) -> list[str]:
    """Words written straight into a message (not through ``_``): the literal text of an
    f-string or a string constant, bar the separators that join a path to a message."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        pieces = [node.value]
    elif isinstance(node, ast.JoinedStr):
        pieces = [
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        ]
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _english_in(node.left) + _english_in(node.right)
    else:
        return []
    return [p for p in pieces if any(c.isalpha() for c in p)]


def untranslated(source: str) -> list[tuple[int, str]]:
    """Messages of a module raised without a template, and ``_`` calls whose argument is
    not a plain string (an f-string inside ``_`` is never in the catalog)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node)
        if name == "_" and not (
            len(node.args) == 1
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, ast.unparse(node)))
        elif name in _RAISED and node.args:
            found += [(node.lineno, text) for text in _english_in(node.args[0])]
    return found


def test_the_check_finds_english_written_into_a_message() -> None:
    source = (
        'raise StoreError(f"{path}: cannot be read")\n'
        'raise StoreError("not a store")\n'
        'raise StoreError(_(f"no {x}"))\n'
        'raise StoreError(f"{path}: {message}")\n'
        'raise StoreError(_("no {x}").format(x=1))\n'
        'raise ValueError(f"{where}: " + _("no {x}").format(x=1))\n'
    )
    assert untranslated(source) == [
        (1, ": cannot be read"),
        (2, "not a store"),
        (3, "_(f'no {x}')"),
    ]


@pytest.mark.parametrize("module", sorted(PLUGINS.glob("*.py")), ids=lambda p: p.name)
def test_every_store_message_is_a_template(module: Path) -> None:
    assert untranslated(module.read_text(encoding="utf-8")) == []


def test_the_catalog_check_reads_the_store_back_ends() -> None:
    """tests/test_i18n.py checks every template it finds is translated; it must find the
    back-ends' ones too."""
    found = source_messages()
    for template in (
        "no observation {number} to correct",
        "{path}: cannot be written: {error}",
        "{where}: a stored {what} cannot be read ({found})",
        "{path}: is a directory, not a store file",
    ):
        assert template in found


@pytest.mark.parametrize(("lang", "expected"), [("ru", "ошибка: "), ("kk", "қате: ")])
def test_lang_option_reaches_the_store_messages_for_that_command_only(
    tmp_path: Path, lang: str, expected: str
) -> None:
    store = f"sqlite://{tmp_path / 'store.sqlite3'}"
    code, _, err = run("registry", "import", str(EXAMPLE), "--store", store)
    assert code == 0, err
    wrong_unit = ("--year", "2024", "--unit", "mln USD")
    code, _, err = run(*OBSERVE, "--store", store, *wrong_unit, "--lang", lang)
    assert code == 2
    assert err.startswith(expected)
    assert "mln USD" in err
    assert "does not fit" not in err
    # The next command, without --lang, speaks the environment's language again.
    code, _, err = observe(store, "en", *wrong_unit)
    assert code == 2
    assert err.startswith("error: unit 'mln USD' does not fit")
