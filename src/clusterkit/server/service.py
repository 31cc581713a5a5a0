"""What the HTTP API does, without HTTP: evaluate rulebooks on a posted dataset, list the
rulebooks, read stored runs. Every refusal is an :class:`ApiError` with its status and
the diagnostics (codes, data paths, spans) that explain it.

A request's rule text is compiled as ``request.ckr``; its imports are read only from
the first rules folder the server was started with (none when it was started without
one). A request's dataset is checked against the data schema the server publishes (the
built-in model with what the loaded rules declare) together with what the request's
rule text declares, then exactly as a data file is; its diagnostics name ``request`` and
paths from the request's top (``dataset.clusters[0].id``). The server reads no file a
posted dataset names (its ``dataset.schema`` are paths on the client's side).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, DiagnosticError, Severity, Span
from clusterkit.i18n import LANGUAGES
from clusterkit.jsonschema.check import check

# Through the package: importing the module clusterkit.lang.evaluate by name would leave
# the package's attribute 'evaluate' the module rather than the function.
from clusterkit.lang import Program, Provenance, ResultSet, compile_rules, evaluate, load_rules
from clusterkit.loader.documents import dataset_from_document, parse_document
from clusterkit.messages import msg, render
from clusterkit.plugins import Store, StoredRun, StoreError, open_store
from clusterkit.schema import DEFAULT_SCHEMA, Schema, SchemaConflictError

__all__ = ["MAX_BODY_BYTES", "ApiError", "Service"]

#: The largest request body accepted (the loader's limit for one data file).
MAX_BODY_BYTES = 16 * 1024 * 1024
#: The name a request's rule text is compiled under.
REQUEST_RULES = "request.ckr"
#: The keys of ``POST /evaluate``'s body.
REQUEST_KEYS = ("dataset", "rulebooks", "rules", "as_of", "lang")
_LARGEST_RUN = 2**63 - 1

Json = dict[str, Any]


class ApiError(Exception):
    """A request the API refuses: an HTTP status, one sentence, and the diagnostics, shown
    in ``lang`` (the request's, once it is known)."""

    def __init__(
        self,
        status: int,
        message: str,
        diagnostics: Sequence[Diagnostic] = (),
        lang: str = "en",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.diagnostics = tuple(diagnostics)
        self.lang = lang

    def to_json(self) -> Json:
        return {
            "status": self.status,
            "error": render(self.message, self.lang),
            "diagnostics": [d.to_json(self.lang) for d in self.diagnostics],
        }


def _problem(code: str, message: str, path: str) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, file="request", path=path)


def _in_request(diagnostic: Diagnostic) -> Diagnostic:
    """A dataset diagnostic, its path from the request's top."""
    path = f"dataset.{diagnostic.path}" if diagnostic.path else "dataset"
    return attrs.evolve(diagnostic, file="request", path=path)


@attrs.define
class _Request:
    """A checked ``POST /evaluate`` body."""

    dataset: Mapping[str, Any]
    rulebooks: tuple[str, ...] | None
    rules: str | None
    as_of: dt.date | None
    lang: str


class Service:
    """The API's state: the rulebooks loaded at start and the store's URL, if any."""

    def __init__(self, rule_paths: Sequence[str] = (), store_url: str | None = None) -> None:
        self.rule_paths = tuple(rule_paths)
        self.program: Program | None = load_rules(list(rule_paths)) if rule_paths else None
        self.store_url = store_url
        self._empty = tempfile.TemporaryDirectory(prefix="clusterkit-imports-")
        first = Path(rule_paths[0]) if rule_paths else None
        if first is None:
            self.import_root = Path(self._empty.name)
        else:
            self.import_root = first if first.is_dir() else first.parent

    @property
    def schema(self) -> Schema:
        """What the loaded rulebooks declare the data may hold."""
        return self.program.schema if self.program is not None else DEFAULT_SCHEMA

    def close(self) -> None:
        self._empty.cleanup()

    # -- rulebooks -------------------------------------------------------------------------
    def rulebooks(self) -> Json:
        """Every loaded rule file, imports first: rulebook versions, and schema files
        (``schema``: declarations only, no rules; results' provenance lists them so too)."""
        books = self.program.rulebooks if self.program is not None else ()
        listed = []
        for book in books:
            header = book.checked.file.header
            listed.append(
                {
                    "id": book.id,
                    "version": header.version,
                    "title": dict(header.titles),
                    "in_force_from": _iso(header.in_force_from),
                    "in_force_until": _iso(header.in_force_until),
                    "path": book.checked.path,
                    "sha256": book.checked.content_hash,
                    "rules": [rule.name for rule in book.rules],
                    "schema": header.is_schema and not book.rules,
                }
            )
        return {"rulebooks": listed}

    # -- runs ------------------------------------------------------------------------------
    def runs(self) -> Json:
        with self._store() as store:
            return {"runs": [_run_summary(run) for run in store.runs()]}

    def run(self, run_id: int) -> Json:
        found = None
        if 1 <= run_id <= _LARGEST_RUN:
            with self._store() as store:
                found = store.run(run_id)
        if found is None:
            raise ApiError(404, msg("no run {id} in the store", id=run_id))
        return {**_run_summary(found), "results": json.loads(found.document)}

    @contextmanager
    def _store(self) -> Iterator[Store]:
        if self.store_url is None:
            raise ApiError(404, msg("no store: start the server with --store URL"))
        try:
            store = open_store(self.store_url)
        except StoreError as exc:
            raise ApiError(503, str(exc)) from None
        try:
            yield store
        except StoreError as exc:
            raise ApiError(503, str(exc)) from None
        finally:
            store.close()

    # -- evaluation --------------------------------------------------------------------------
    def evaluate(self, body: bytes) -> Json:
        """The results (``clusterkit.results/1``) of a ``POST /evaluate`` body; problems
        in the request's language."""
        request = self.parse(body)
        try:
            return self._evaluate(request)
        except ApiError as exc:
            exc.lang = request.lang
            raise

    def _evaluate(self, request: _Request) -> Json:
        programs = self.programs(request)
        if not programs:
            message = msg("name at least one rulebook, or give rule text in 'rules'")
            raise ApiError(422, message, [_problem(codes.DATA_MISSING, message, "rulebooks")])
        # What the server publishes, whichever rules the request names: data of a kind
        # the loaded rules declare is read even when the rules evaluated do not use it.
        schema = self.schema
        try:
            for program in programs:
                schema = schema.merged(program.schema)
        except SchemaConflictError as exc:
            raise ApiError(
                422,
                msg("the rules declare the data differently"),
                [_problem(codes.DATA_INVALID, message, "rules") for message in exc.problems],
            ) from None
        # The JSON Schema first: the loader then sees data of the right shape only.
        shape = check(request.dataset, "data", schema, file="request", prefix="dataset")
        if shape:
            raise ApiError(422, msg("the dataset has errors"), shape)
        try:
            dataset = dataset_from_document(dict(request.dataset), "request", schema=schema)
        except DiagnosticError as exc:
            diagnostics = [_in_request(d) for d in exc.diagnostics]
            raise ApiError(422, msg("the dataset has errors"), diagnostics) from None
        as_of = request.as_of or dataset.info.published
        if as_of is None:
            message = msg("give as_of: the dataset has no date of its own ('published')")
            raise ApiError(422, message, [_problem(codes.DATA_MISSING, message, "as_of")])
        results = [evaluate(program, dataset, as_of) for program in programs]
        warnings = [d for program in programs for d in program.diagnostics]
        return _merged(results).to_dict(request.lang, warnings)

    def parse(self, body: bytes) -> _Request:
        if len(body) > MAX_BODY_BYTES:
            raise ApiError(413, msg("the request is larger than {size} bytes", size=MAX_BODY_BYTES))
        problems: list[Diagnostic] = []
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            # Where the first byte that is not UTF-8 is: its line, its column in characters.
            before = body[: exc.start].decode("utf-8", errors="replace")
            line = before.count("\n") + 1
            column = len(before) - (before.rfind("\n") + 1) + 1
            message = msg(
                "not UTF-8 text: byte {byte} cannot start a character", byte=hex(body[exc.start])
            )
            problem = Diagnostic(
                codes.DATA_SYNTAX,
                Severity.ERROR,
                message,
                file="request",
                span=Span.point("request", line, column),
            )
            raise ApiError(400, msg("the request is not UTF-8 text"), [problem]) from None
        document = parse_document(text, "request", problems) if text.strip() else None
        if problems or not isinstance(document, dict):
            if not problems:
                message = msg("the request must be a JSON object with a 'dataset'")
                problems.append(_problem(codes.DATA_SYNTAX, message, ""))
            raise ApiError(400, msg("the request is not a JSON object"), problems)
        return _check_request(document)

    def programs(self, request: _Request) -> list[Program]:
        """The rulebooks named (all loaded ones when none are named) and the rule text."""
        programs = []
        if request.rules is not None:
            try:
                programs.append(compile_rules(request.rules, REQUEST_RULES, root=self.import_root))
            except DiagnosticError as exc:
                raise ApiError(422, msg("the rules have errors"), exc.diagnostics) from None
        named = request.rulebooks
        if named is None and request.rules is None:
            if self.program is None:
                message = msg("give rule text in 'rules': the server has no rulebooks loaded")
                raise ApiError(422, message, [_problem(codes.DATA_MISSING, message, "rules")])
            named = tuple(dict.fromkeys(b.id for b in self.program.rulebooks))
        if named:
            programs.append(self._named(named))
        return programs

    def _named(self, names: tuple[str, ...]) -> Program:
        loaded = self.program.rulebooks if self.program is not None else ()
        known = list(dict.fromkeys(b.id for b in loaded))
        unknown = [
            _problem(
                codes.DATA_INVALID,
                msg(
                    "no rulebook {name!r} is loaded (loaded: {known})",
                    name=name,
                    known=", ".join(known) or "none",
                ),
                f"rulebooks[{i}]",
            )
            for i, name in enumerate(names)
            if name not in known
        ]
        if unknown or self.program is None:
            raise ApiError(422, msg("unknown rulebooks"), unknown)
        chosen = tuple(b for b in loaded if b.id in names)
        return attrs.evolve(self.program, rulebooks=chosen)


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _run_summary(run: StoredRun) -> Json:
    return {
        "id": run.id,
        "recorded_at": run.recorded_at.isoformat(),
        "as_of": run.as_of.isoformat(),
        "dataset": run.dataset,
        "data_sha256": run.data_sha256,
    }


def _merged(results: list[ResultSet]) -> ResultSet:
    first = results[0]
    books = tuple(ref for r in results for ref in r.provenance.rulebooks)
    provenance: Provenance = attrs.evolve(first.provenance, rulebooks=books)
    return ResultSet(tuple(v for r in results for v in r.results), provenance)


def _check_request(document: dict[str, Any]) -> _Request:
    """The request's parts, or 422 with every problem in its shape. A key given as null
    is a wrong value, not an absent one (as the OpenAPI document says)."""
    problems = []
    for key in document:
        if key not in REQUEST_KEYS:
            message = msg(
                "unknown key {key!r} (expected one of: {known})",
                key=key,
                known=", ".join(REQUEST_KEYS),
            )
            problems.append(_problem(codes.DATA_UNKNOWN_KEY, message, key))

    def wrong(key: str, message: str) -> None:
        problems.append(_problem(codes.DATA_INVALID, message, key))

    dataset = document.get("dataset")
    if "dataset" not in document:
        problems.append(_problem(codes.DATA_MISSING, msg("required field is missing"), "dataset"))
    elif not isinstance(dataset, dict):
        wrong("dataset", msg("expected a data file's object"))
    rulebooks = document.get("rulebooks")
    if "rulebooks" in document and (
        not isinstance(rulebooks, list) or not all(isinstance(n, str) for n in rulebooks)
    ):
        wrong("rulebooks", msg("expected a list of rulebook ids"))
    rules = document.get("rules")
    if "rules" in document and not isinstance(rules, str):
        wrong("rules", msg("expected rule text"))
    as_of = _date(document["as_of"]) if "as_of" in document else None
    if "as_of" in document and as_of is None:
        wrong(
            "as_of", msg("{value!r} is not a date (expected YYYY-MM-DD)", value=document["as_of"])
        )
    lang = document.get("lang", "en")
    if lang not in LANGUAGES:
        wrong(
            "lang",
            msg("{value!r} is not one of: {allowed}", value=lang, allowed=", ".join(LANGUAGES)),
        )
    if problems:
        shown = lang if lang in LANGUAGES else "en"
        raise ApiError(422, msg("the request has errors"), problems, lang=str(shown))
    assert isinstance(dataset, dict)
    return _Request(
        dataset,
        None if rulebooks is None else tuple(rulebooks),
        None if rules is None else str(rules),
        as_of,
        str(lang),
    )
