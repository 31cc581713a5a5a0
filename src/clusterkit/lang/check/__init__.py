"""The checker: names, types, units and structure, before any data is read.

Every parsed rule file is walked once and every problem collected as a
:class:`~clusterkit.diagnostics.Diagnostic` with a stable code: unknown names and
fields (with "did you mean"), type errors, unit and currency errors, overlapping or
gapped grading bands, overlapping effective dates of one rulebook's versions, import
cycles, and unused definitions. What it learns (each expression's type, each name's
meaning, each literal's value in base units) is kept in a :class:`Checked` record
for the compiler.

Modules, in the order a file goes through them: :mod:`.link` (the whole program),
:mod:`.rules` (one file's items and each block's steps) with :mod:`.blocks` (what a
block must hold) and :mod:`.definitions` (parameters and functions); :mod:`.exprs`,
:mod:`.operators`, :mod:`.calls` and :mod:`.tables` (expressions); :mod:`.bands`
(grading bands); with :mod:`.scope`, :mod:`.types`, :mod:`.units` and :mod:`.schema`
(what rules can read).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clusterkit.lang.check.checked import Checked, DefineInfo, Symbol
    from clusterkit.lang.check.link import check_files

__all__ = ["Checked", "DefineInfo", "Symbol", "check_files"]


def __getattr__(name: str) -> Any:
    # Imported when first used, so that the types and units modules, which the runtime
    # and the explanations need too, do not bring the whole checker with them.
    homes = {"check_files": "link", "Checked": "checked", "DefineInfo": "checked"}
    home = homes.get(name, "checked" if name == "Symbol" else None)
    if home is not None:
        return getattr(importlib.import_module(f"clusterkit.lang.check.{home}"), name)
    raise AttributeError(f"module 'clusterkit.lang.check' has no attribute {name!r}")
