"""The language server driven by a real LSP client (pygls's) over a subprocess's stdio."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

from clusterkit.lang.formatter import format_rules

COMMON = """rulebook t.common

const min_share = 30 %

define state of project p = p.budget - p.cluster_amount

extend project
  field risk: one of "low", "high"
"""

MAIN = """rulebook t.main

import "common.ckr"

const cap = 112 mln KZT per year

function double(x: number) -> number = x * 2

rule share for each p in projects
  let per_year = p.state / p.programme.duration
  require p.cluster_amount >= min_share * p.budget
  require per_year <= cap
  require p.title != "😀" or p.budget > 0 KZT
  require count(q in projects where q.budget > p.budget) >= double(0)
"""

TIMEOUT = 30


class Session:
    """A client talking to ``clusterkit lsp`` and the diagnostics it was sent."""

    def __init__(self, client: LanguageClient, folder: Path) -> None:
        self.client = client
        self.folder = folder
        self.published: asyncio.Queue[types.PublishDiagnosticsParams] = asyncio.Queue()
        self.versions: dict[str, int] = {}

    def uri(self, name: str) -> str:
        uri: str | None = from_fs_path(str(self.folder / name))
        assert uri is not None
        return uri

    def open(self, name: str, text: str) -> None:
        self.versions[name] = 1
        item = types.TextDocumentItem(self.uri(name), "clusterkit", 1, text)
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(item))

    def change(self, name: str, text: str) -> None:
        self.versions[name] += 1
        document = types.VersionedTextDocumentIdentifier(self.versions[name], self.uri(name))
        change = types.TextDocumentContentChangeWholeDocument(text)
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(document, [change]))

    async def diagnostics(self, name: str) -> list[types.Diagnostic]:
        """The next diagnostics published for a document."""
        while True:
            params = await asyncio.wait_for(self.published.get(), TIMEOUT)
            if params.uri == self.uri(name):
                return list(params.diagnostics)

    def at(self, name: str, line: int, character: int) -> types.TextDocumentPositionParams:
        return types.TextDocumentPositionParams(
            types.TextDocumentIdentifier(self.uri(name)), types.Position(line, character)
        )

    async def hover(self, name: str, line: int, character: int) -> str | None:
        where = self.at(name, line, character)
        found = await self.client.text_document_hover_async(
            types.HoverParams(where.text_document, where.position)
        )
        if found is None:
            return None
        assert isinstance(found.contents, types.MarkupContent)
        return found.contents.value


@asynccontextmanager
async def session(folder: Path, locale: str | None = None) -> AsyncIterator[Session]:
    client = LanguageClient("clusterkit-tests", "1")
    live = Session(client, folder)

    def published(params: types.PublishDiagnosticsParams) -> None:
        live.published.put_nowait(params)

    # Registered by a call rather than as a decorator: pygls's client-side ``feature``
    # has no return annotation, and a decorator typed Any would erase ``published``'s type.
    client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)(published)

    await client.start_io(sys.executable, "-m", "clusterkit", "lsp")
    root = from_fs_path(str(folder))
    await asyncio.wait_for(
        client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(),
                root_uri=root,
                workspace_folders=[types.WorkspaceFolder(str(root), "rules")],
                locale=locale,
            )
        ),
        TIMEOUT,
    )
    client.initialized(types.InitializedParams())
    try:
        yield live
    finally:
        await asyncio.wait_for(client.shutdown_async(None), TIMEOUT)
        client.exit(None)
        await asyncio.wait_for(client.stop(), TIMEOUT)


def run(
    folder: Path,
    scenario: Callable[[Session], Coroutine[Any, Any, None]],
    locale: str | None = None,
) -> None:
    async def main() -> None:
        async with session(folder, locale) as live:
            await scenario(live)

    asyncio.run(main())


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    (tmp_path / "common.ckr").write_text(COMMON, encoding="utf-8")
    (tmp_path / "main.ckr").write_text(MAIN, encoding="utf-8")
    return tmp_path


def test_diagnostics_come_as_the_author_types(rules: Path) -> None:
    async def scenario(live: Session) -> None:
        live.open("main.ckr", MAIN)
        assert await live.diagnostics("main.ckr") == []
        wrong = MAIN.replace("min_share * p.budget", "min_share")
        live.change("main.ckr", wrong)
        (problem,) = await live.diagnostics("main.ckr")
        assert problem.code == "R304"
        assert problem.severity == types.DiagnosticSeverity.Error
        assert problem.source == "clusterkit"
        assert "a ratio used as money" in problem.message
        assert "(hint: multiply the percentage by an amount" in problem.message
        assert problem.range == types.Range(types.Position(10, 10), types.Position(10, 39))
        live.change("main.ckr", MAIN + "const unused = 1\n")
        (warning,) = await live.diagnostics("main.ckr")
        assert (warning.code, warning.severity) == ("W601", types.DiagnosticSeverity.Warning)
        live.change("main.ckr", MAIN + "  require p.\n")
        (syntax,) = await live.diagnostics("main.ckr")
        assert syntax.code in ("R102", "R103")
        assert syntax.severity == types.DiagnosticSeverity.Error

    run(rules, scenario)


@pytest.mark.parametrize(
    ("locale", "message", "hint"),
    [
        ("ru-RU", "доля используется как деньги", "(подсказка: умножьте процент на сумму"),
        ("kk", "үлес ақша ретінде қолданылған", "(кеңес: пайызды сомаға көбейтіңіз"),
        ("de", "a ratio used as money", "(hint: multiply the percentage by an amount"),
    ],
)
def test_diagnostics_in_the_client_s_language(
    rules: Path, locale: str, message: str, hint: str
) -> None:
    async def scenario(live: Session) -> None:
        live.open("main.ckr", MAIN.replace("min_share * p.budget", "min_share"))
        (problem,) = await live.diagnostics("main.ckr")
        assert problem.code == "R304"
        assert message in problem.message
        assert hint in problem.message

    run(rules, scenario, locale)


def test_hover_gives_types_and_units(rules: Path) -> None:
    async def scenario(live: Session) -> None:
        live.open("main.ckr", MAIN)
        await live.diagnostics("main.ckr")
        budget = await live.hover("main.ckr", 10, 47)  # p.budget
        assert budget is not None
        assert "**p.budget**: money (KZT)" in budget
        # after an emoji, two UTF-16 units each: the client's position is converted
        line = MAIN.splitlines()[12]
        character = len(line[: line.index("p.budget") + 3].encode("utf-16-le")) // 2
        assert "money (KZT)" in (await live.hover("main.ckr", 12, character) or "")
        assert "**const cap**: money (KZT/year)" in (await live.hover("main.ckr", 11, 23) or "")
        share = await live.hover("main.ckr", 10, 34)
        assert share is not None
        assert "**const min_share**: a percentage" in share
        assert "`const min_share = 30 %`" in share
        assert "**let per_year**: money (KZT/year)" in (await live.hover("main.ckr", 9, 8) or "")
        assert "**p**: a project" in (await live.hover("main.ckr", 10, 10) or "")
        assert "define state of project p" in (await live.hover("main.ckr", 9, 21) or "")
        # while a line is half typed, the rest of the file is still known
        live.change("main.ckr", MAIN + "  require p.")
        await live.diagnostics("main.ckr")
        assert "money (KZT)" in (await live.hover("main.ckr", 10, 47) or "")

    run(rules, scenario)


def test_go_to_definition(rules: Path) -> None:
    async def scenario(live: Session) -> None:
        live.open("main.ckr", MAIN)
        await live.diagnostics("main.ckr")

        async def target(line: int, character: int) -> tuple[str, int, int]:
            where = live.at("main.ckr", line, character)
            found = await live.client.text_document_definition_async(
                types.DefinitionParams(where.text_document, where.position)
            )
            assert isinstance(found, types.Location), found
            start = found.range.start
            return Path(found.uri).name, start.line, start.character

        assert await target(10, 34) == ("common.ckr", 2, 0)  # const in an imported file
        assert await target(11, 22) == ("main.ckr", 4, 0)  # const
        assert await target(11, 13) == ("main.ckr", 9, 2)  # let
        assert await target(13, 62) == ("main.ckr", 6, 0)  # function
        assert await target(9, 21) == ("common.ckr", 4, 0)  # define
        assert await target(2, 10) == ("common.ckr", 0, 0)  # imported file
        assert await target(10, 10) == ("main.ckr", 8, 20)  # for each p
        assert await target(13, 37) == ("main.ckr", 13, 16)  # q in projects

    run(rules, scenario)


def test_completion_of_fields_after_a_dot_and_of_names_otherwise(rules: Path) -> None:
    async def scenario(live: Session) -> None:
        typing = MAIN + "  require p."
        live.open("main.ckr", typing)
        await live.diagnostics("main.ckr")

        async def labels(line: int, character: int) -> dict[str, str | None]:
            where = live.at("main.ckr", line, character)
            found = await live.client.text_document_completion_async(
                types.CompletionParams(where.text_document, where.position)
            )
            assert isinstance(found, types.CompletionList)
            return {item.label: item.detail for item in found.items}

        fields = await labels(14, 12)
        assert fields["budget"] == "money (KZT)"  # built in
        assert fields["risk"] == "text, or none"  # declared with 'extend project'
        assert fields["state"] == "money (KZT), or none"  # a define over a nullable amount
        assert "programme" in fields
        assert "per_year" not in fields
        live.change("main.ckr", MAIN + "  require p.programme.")
        await live.diagnostics("main.ckr")
        assert "duration" in await labels(14, 22)
        live.change("main.ckr", MAIN + "  require per")
        await live.diagnostics("main.ckr")
        names = await labels(14, 13)
        assert {"per_year", "per", "percent"} <= set(names)
        assert "cap" not in names
        assert names["per_year"] == "money (KZT/year), or none"

    run(rules, scenario)


def test_formatting_a_document(rules: Path) -> None:
    async def scenario(live: Session) -> None:
        ugly = "rulebook t\nconst a=1\nrule r   require a>0 # why\n"
        live.open("ugly.ckr", ugly)
        await live.diagnostics("ugly.ckr")
        edits = await live.client.text_document_formatting_async(
            types.DocumentFormattingParams(
                types.TextDocumentIdentifier(live.uri("ugly.ckr")),
                types.FormattingOptions(tab_size=2, insert_spaces=True),
            )
        )
        assert edits is not None
        (edit,) = edits
        assert edit.new_text == format_rules(ugly)
        assert edit.range.start == types.Position(0, 0)

    run(rules, scenario)
