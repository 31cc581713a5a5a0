"""The packages' lazily imported names (clusterkit.lazy)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from clusterkit.lazy import lazy_attributes

PACKAGES = (
    "clusterkit",
    "clusterkit.lang",
    "clusterkit.loader",
    "clusterkit.lang.results",
    "clusterkit.lang.check",
    "clusterkit.lang.ruletests",
)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_name_a_package_lists_is_importable(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{package}.{name}"


@pytest.mark.parametrize("package", PACKAGES)
def test_an_unknown_name_is_an_attribute_error_naming_the_package(package: str) -> None:
    module = importlib.import_module(package)
    with pytest.raises(AttributeError, match=rf"module '{package}' has no attribute 'nope'"):
        module.nope  # noqa: B018 - the read is the test


def test_a_name_is_imported_on_first_use_and_then_kept() -> None:
    namespace: dict[str, object] = {}
    hook = lazy_attributes("json", {"dumps": ".decoder", "loads": "json"}, namespace)
    assert hook("loads") is importlib.import_module("json").loads
    assert namespace == {"loads": importlib.import_module("json").loads}
    with pytest.raises(AttributeError):
        hook("dumps")  # json.decoder defines no dumps: the error is Python's own


def test_importing_clusterkit_imports_neither_the_language_nor_the_loader() -> None:
    code = (
        "import sys, clusterkit; "
        "print(sorted(m for m in sys.modules "
        "if m.startswith(('clusterkit.lang.', 'clusterkit.loader.'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
