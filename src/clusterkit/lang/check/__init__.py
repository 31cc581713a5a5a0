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
(grading bands); with :mod:`.scope` and :mod:`.schema` (what rules can read). The
types of values and their units, which the runtime and the explanations use too, are
in :mod:`clusterkit.lang.types`, below every stage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clusterkit.lazy import lazy_attributes

if TYPE_CHECKING:
    from clusterkit.lang.check.checked import Checked, DefineInfo, Symbol
    from clusterkit.lang.check.link import check_files

__all__ = ["Checked", "DefineInfo", "Symbol", "check_files"]

# Imported when first used: importing one of the checker's modules (check.declare, for
# the schema a dataset declares) does not bring the whole checker with it.
_HOMES = {
    "check_files": ".link",
    "Checked": ".checked",
    "DefineInfo": ".checked",
    "Symbol": ".checked",
}

__getattr__ = lazy_attributes(__name__, _HOMES, globals())
