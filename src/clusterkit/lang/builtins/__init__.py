"""The built-in functions, in one table: for each, how a call is type-checked, how it
is compiled (the code it emits, which calls the runtime's implementation), and a line
for the language reference. Each module holds one family: :mod:`.data` (series,
scores, labels, rates), :mod:`.numbers`, :mod:`.dates`.

Adding a function means one :class:`Builtin` entry in its family, its implementation
in :mod:`clusterkit.lang.runtime`, and a line in docs/language.md.
"""

from clusterkit.lang.builtins.base import ROUNDING_MODES, Builtin, Emitter, points_dim
from clusterkit.lang.builtins.data import DATA
from clusterkit.lang.builtins.dates import DATES
from clusterkit.lang.builtins.numbers import NUMBERS

__all__ = ["BUILTINS", "ROUNDING_MODES", "Builtin", "Emitter", "points_dim"]

#: Every built-in function by name.
BUILTINS: dict[str, Builtin] = {b.name: b for b in (*DATA, *NUMBERS, *DATES)}
