"""``clusterkit lsp``: the language server, on pygls, speaking LSP on standard input and
output.

- diagnostics as the author types (the checker's, with their codes and severities);
- hover: a name's, field's or expression's type and unit (``p.budget``: money (KZT));
- go to definition: consts, params, figures, functions, lets, defines, variables,
  imported files;
- completion: the fields of what is before a ``.`` (built-in and declared), else the
  names in scope and the keywords;
- formatting: the whole document, as ``clusterkit fmt`` lays it out.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from typing import BinaryIO

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument

from clusterkit._version import __version__
from clusterkit.diagnostics import Diagnostic, DiagnosticError, Severity, Span
from clusterkit.i18n import choose_lang, language_of
from clusterkit.lang.syntax.formatter import FormatterError, format_rules
from clusterkit.lsp.analysis import Analysis, analyse, analyse_for_editing
from clusterkit.lsp.features import complete, definition, hover
from clusterkit.messages import msg, render

__all__ = ["build_server", "serve"]

_SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
_KINDS = {
    "field": types.CompletionItemKind.Field,
    "keyword": types.CompletionItemKind.Keyword,
    "function": types.CompletionItemKind.Function,
    "collection": types.CompletionItemKind.Module,
    "variable": types.CompletionItemKind.Variable,
}


class RulesServer(LanguageServer):
    """The server, with the analysis of each open document kept for hover and
    definition: the latest that parsed, so that both still work on the rest of a file
    while a line is half typed."""

    def __init__(self) -> None:
        super().__init__(
            "clusterkit", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full
        )
        self.analyses: dict[str, Analysis] = {}
        #: The language of diagnostics: the client's locale (``initialize``), else ours.
        self.lang = choose_lang(None)

    def document_path(self, document: TextDocument) -> str:
        return os.path.normpath(document.path or to_fs_path(document.uri) or document.uri)

    def open_texts(self) -> dict[str, str]:
        return {self.document_path(d): d.source for d in self.workspace.text_documents.values()}

    def root(self) -> str | None:
        return self.workspace.root_path or None

    def analyse(self, uri: str) -> Analysis:
        document = self.workspace.get_text_document(uri)
        found = analyse(
            self.document_path(document), document.source, self.open_texts(), self.root()
        )
        if found.file is not None or uri not in self.analyses:
            self.analyses[uri] = found
        return found

    def publish(self, uri: str) -> None:
        document = self.workspace.get_text_document(uri)
        found = self.analyse(uri)
        lines = found.text.split("\n")
        diagnostics = [self.diagnostic(d, lines) for d in found.diagnostics]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, version=document.version, diagnostics=diagnostics
            )
        )

    def to_range(self, span: Span | None, lines: Sequence[str]) -> types.Range:
        if span is None:
            return types.Range(types.Position(0, 0), types.Position(0, 0))
        codec = self.workspace.position_codec
        start = codec.position_to_client_units(
            lines, types.Position(span.line - 1, max(span.column - 1, 0))
        )
        end = codec.position_to_client_units(
            lines, types.Position(span.end_line - 1, max(span.end_column - 1, 0))
        )
        return types.Range(start, end)

    def diagnostic(self, diagnostic: Diagnostic, lines: Sequence[str]) -> types.Diagnostic:
        shown = diagnostic.localized(self.lang)
        message = shown.message
        if shown.hint:
            message += "\n" + render(msg("(hint: {hint})", hint=shown.hint), self.lang)
        return types.Diagnostic(
            range=self.to_range(diagnostic.span, lines),
            message=message,
            severity=_SEVERITIES.get(diagnostic.severity, types.DiagnosticSeverity.Error),
            code=diagnostic.code,
            source="clusterkit",
        )

    def position(self, uri: str, position: types.Position) -> tuple[int, int, str]:
        """A client position as a 1-based line and column, and that line's text."""
        document = self.workspace.get_text_document(uri)
        server = document.position_codec.position_from_client_units(document.lines, position)
        line = (
            document.lines[server.line].rstrip("\r\n") if server.line < len(document.lines) else ""
        )
        return server.line + 1, server.character + 1, line

    def current(self, uri: str) -> Analysis:
        return self.analyses.get(uri) or self.analyse(uri)


def build_server() -> RulesServer:
    """A server with every feature registered, not yet started."""
    server = RulesServer()

    @server.feature(types.INITIALIZE)
    def on_initialize(ls: RulesServer, params: types.InitializeParams) -> None:
        ls.lang = (language_of(params.locale) if params.locale else None) or ls.lang

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: RulesServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: RulesServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: RulesServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: RulesServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.analyses.pop(params.text_document.uri, None)
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        )

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: RulesServer, params: types.HoverParams) -> types.Hover | None:
        line, column, _text = ls.position(params.text_document.uri, params.position)
        found = ls.current(params.text_document.uri)
        result = hover(found, line, column)
        if result is None:
            return None
        text, span = result
        contents = types.MarkupContent(kind=types.MarkupKind.Markdown, value=text)
        return types.Hover(contents=contents, range=ls.to_range(span, found.text.split("\n")))

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def on_definition(ls: RulesServer, params: types.DefinitionParams) -> types.Location | None:
        line, column, _text = ls.position(params.text_document.uri, params.position)
        found = ls.current(params.text_document.uri)
        span = definition(found, line, column)
        if span is None:
            return None
        target = found.files.get(span.file)
        lines = target.text.split("\n") if target is not None else [""]
        uri = from_fs_path(os.path.abspath(span.file)) or span.file
        return types.Location(uri=uri, range=ls.to_range(span, lines))

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=["."]),
    )
    def on_completion(ls: RulesServer, params: types.CompletionParams) -> types.CompletionList:
        uri = params.text_document.uri
        line, column, text = ls.position(uri, params.position)
        document = ls.workspace.get_text_document(uri)
        found = analyse_for_editing(
            ls.document_path(document), document.source, line, ls.open_texts(), ls.root()
        )
        items = [
            types.CompletionItem(
                label=c.label,
                kind=_KINDS.get(c.kind, types.CompletionItemKind.Text),
                detail=c.detail or None,
                documentation=c.doc or None,
            )
            for c in complete(found, line, column, text)
        ]
        return types.CompletionList(is_incomplete=False, items=items)

    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    def on_formatting(
        ls: RulesServer, params: types.DocumentFormattingParams
    ) -> list[types.TextEdit] | None:
        document = ls.workspace.get_text_document(params.text_document.uri)
        try:
            result = format_rules(document.source, ls.document_path(document))
        except (DiagnosticError, FormatterError):
            return None  # the diagnostics already say what is wrong
        if result == document.source:
            return []
        end = types.Position(len(document.lines), 0)
        return [types.TextEdit(types.Range(types.Position(0, 0), end), result)]

    return server


#: The largest message body the server reads: a rule file is at most 4 MiB, and JSON
#: may write each of its characters as an escape of up to six.
MAX_MESSAGE_BYTES = 32 * 1024 * 1024
#: The longest header line read at once (a longer one is read in pieces).
_MAX_HEADER_LINE = 64 * 1024


class MessageError(Exception):
    """The editor sent what no LSP message can be (a body larger than the server reads);
    the server stops, and ``clusterkit lsp`` exits with status 2."""


class _Input:
    """Standard input as the server reads it, with its lengths bounded."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream

    def readline(self) -> bytes:
        return self.stream.readline(_MAX_HEADER_LINE)

    def read(self, size: int) -> bytes:
        if size > MAX_MESSAGE_BYTES:
            raise MessageError(
                f"a message of {size} bytes, more than the {MAX_MESSAGE_BYTES} the server reads"
            )
        return self.stream.read(size)


class _OneLine(logging.Formatter):
    """A log record in one line: the library logs a message it cannot read with a
    traceback, which is noise in an editor's log, not a crash."""

    def format(self, record: logging.LogRecord) -> str:
        text = f"{record.levelname}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            text += f" ({type(error).__name__}: {error})"
        return text.replace("\n", " ")


def _log_in_one_line() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine())
    handler.setLevel(logging.WARNING)
    log = logging.getLogger("pygls")
    log.addHandler(handler)
    log.propagate = False


def serve() -> None:
    """Run the server on standard input and output until the editor closes it.

    Raises :class:`MessageError` if the editor sends a message larger than
    :data:`MAX_MESSAGE_BYTES`."""
    _log_in_one_line()
    build_server().start_io(stdin=_Input(sys.stdin.buffer))  # type: ignore[arg-type]
