"""Name scopes: a rule's lets and variables over the file's consts, figures and
collections."""

from __future__ import annotations

from clusterkit.lang.check.checked import Symbol

__all__ = ["Scope"]


class Scope:
    """Nested name scopes: rule-local lets and variables over file-level names."""

    def __init__(self, names: dict[str, Symbol], parent: Scope | None = None) -> None:
        self.names = names
        self.parent = parent

    def lookup(self, name: str) -> Symbol | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.names:
                return scope.names[name]
            scope = scope.parent
        return None

    def all_names(self) -> list[str]:
        out: list[str] = []
        scope: Scope | None = self
        while scope is not None:
            out.extend(scope.names)
            scope = scope.parent
        return out

    def child(self, names: dict[str, Symbol] | None = None) -> Scope:
        return Scope(dict(names or {}), self)
