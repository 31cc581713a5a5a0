"""What compiled rules call at evaluation time.

Numbers are plain Decimals in base units (tenge, years, 0.30 for 30 %); no unit
object and no syntax tree is touched here. A value the data does not have raises
:class:`Missing`, which the evaluator turns into an "undetermined" verdict naming
what is needed. Generated code reaches all of it through one namespace, :data:`RT`.
"""

from __future__ import annotations

from types import ModuleType, SimpleNamespace

from clusterkit.lang.runtime import access, arith, dates, intervals
from clusterkit.lang.runtime.access import ENTERPRISES, entity_key
from clusterkit.lang.runtime.context import CONTEXT, Context, Missing
from clusterkit.lang.runtime.intervals import Interval

__all__ = ["CONTEXT", "RT", "Context", "Interval", "Missing", "entity_key"]


def _own_functions(module: ModuleType) -> dict[str, object]:
    return {
        name: value
        for name, value in vars(module).items()
        if not name.startswith("_")
        and callable(value)
        and getattr(value, "__module__", None) == module.__name__
    }


#: The namespace generated code calls as ``rt``: the runtime modules' own functions.
RT = SimpleNamespace(
    **_own_functions(access),
    **_own_functions(arith),
    **_own_functions(dates),
    **_own_functions(intervals),
    ENTERPRISES=ENTERPRISES,
    Missing=Missing,
)
