"""What both SQL stores need from their database, whatever the driver.

A back-end supplies how to run a statement, begin and end a transaction (a write
transaction holds the store's one write lock, waiting up to the store timeout), and
how to explain its driver's errors in the user's words. On that this class builds
transactions that happen whole or not at all (a driver's error becomes a
:class:`StoreError`), consistent reads, and migrations to the current schema.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, ClassVar, TypeVar

from clusterkit.i18n import local as _
from clusterkit.plugins import StoreError
from clusterkit.serde import structure
from clusterkit_plugins.sql_schema import SCHEMA_VERSION, Dialect, migrations

__all__ = ["Row", "SqlBase", "newer_schema"]

T = TypeVar("T")
Row = tuple[Any, ...]


def newer_schema(version: object, known: int) -> str:
    return _(
        "the store's schema is version {version}, newer than this clusterkit "
        "understands ({known}); upgrade clusterkit to use it"
    ).format(version=version, known=known)


class SqlBase:
    """A connection to a store's database: statements, transactions, migrations."""

    dialect: ClassVar[Dialect]

    def __init__(self, where: str, driver_errors: tuple[type[Exception], ...]) -> None:
        self.where = where
        #: The driver's exception classes, turned into :class:`StoreError`.
        self.driver_errors = driver_errors
        self._depth = 0

    # -- what a back-end supplies -----------------------------------------------------
    def _run(self, sql: str, params: Sequence[object] | None = None) -> list[Row]:
        raise NotImplementedError

    def _run_many(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        raise NotImplementedError

    def _begin(self, *, write: bool) -> None:
        raise NotImplementedError

    def _finish(self, *, commit: bool) -> None:
        raise NotImplementedError

    def _explain(self, exc: Exception) -> str:
        raise NotImplementedError

    def _get_version(self) -> int:
        raise NotImplementedError

    def _set_version(self, version: int) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # -- transactions -------------------------------------------------------------------
    def _error(self, exc: Exception) -> StoreError:
        if isinstance(exc, UnicodeEncodeError):
            return StoreError(
                _("{what}: text that is not valid UTF-8 cannot be stored").format(what=self.where)
            )
        return StoreError(f"{self.where}: {self._explain(exc)}")

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[None]:
        """All of it happens, or none of it; reads inside see one snapshot."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        try:
            self._begin(write=write)
        except self.driver_errors as exc:
            self._abandon()  # a lock not granted in time leaves a transaction to end
            raise self._error(exc) from None
        self._depth = 1
        try:
            yield
        except BaseException as exc:
            self._depth = 0
            self._abandon()
            if isinstance(exc, Exception) and isinstance(
                exc, (*self.driver_errors, UnicodeEncodeError)
            ):
                raise self._error(exc) from None
            raise
        self._depth = 0
        try:
            self._finish(commit=True)
        except self.driver_errors as exc:
            self._abandon()
            raise self._error(exc) from None

    def _abandon(self) -> None:
        # If the connection is gone, the database has rolled back already.
        with suppress(*self.driver_errors):
            self._finish(commit=False)

    def _read(self, sql: str, *params: object) -> list[Row]:
        with self._transaction(write=False):
            return self._run(sql, params or None)

    def _load(self, doc: str, type_: type[T]) -> T:
        try:
            return structure(json.loads(doc), type_)
        except Exception as exc:
            raise StoreError(
                _("{where}: a stored {what} cannot be read ({found})").format(
                    where=self.where, what=type_.__name__, found=exc
                )
            ) from None

    def _migrate(self) -> None:
        version = self._get_version()
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.where}: {newer_schema(version, SCHEMA_VERSION)}")
        if version == SCHEMA_VERSION:
            return
        steps = migrations(self.dialect)
        with self._transaction(write=True):
            version = self._get_version()  # another process may have migrated it
            if version > SCHEMA_VERSION:
                raise StoreError(f"{self.where}: {newer_schema(version, SCHEMA_VERSION)}")
            for number in range(version, SCHEMA_VERSION):
                for statement in steps[number]:
                    self._run(statement)
            self._set_version(SCHEMA_VERSION)
