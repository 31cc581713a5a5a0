"""What the integrator tests share: data files as JSON, validators, an HTTP client."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import httpx
import jsonschema

from clusterkit import dump_dataset, load_dataset
from clusterkit.jsonschema import build
from clusterkit.schema import Schema

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
EXAMPLE = EXAMPLES / "kazakhstan-2021"
RULES = ROOT / "rules"


def json_compatible(value: Any) -> Any:
    """Parsed TOML (or JSON read with Decimals) as plain JSON would give it."""
    if isinstance(value, dict):
        return {key: json_compatible(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_compatible(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


_HEADER = re.compile(r"^(rulebook|schema)[ \t]+([\w.]+)", re.MULTILINE)
_RULE = re.compile(r"^(?:rule|monitor|score)[ \t]+(\w+)", re.MULTILINE)
_IMPORT = re.compile(r'^import[ \t]+"([^"]+)"', re.MULTILINE)


@attrs.frozen
class RuleFile:
    """A rule file as its text says, read with patterns rather than with clusterkit.

    Attributes:
        path: the file.
        keyword: ``rulebook``, or ``schema`` for a file of declarations.
        id: the id its header names.
        rules: the names of its rules, monitors and scores, in file order.
        imports: the files it imports.
    """

    path: Path
    keyword: str
    id: str
    rules: list[str]
    imports: list[Path]


def rule_files(folder: Path = RULES) -> list[RuleFile]:
    """Every ``*.ckr`` file under ``folder``."""
    found = []
    for path in sorted(folder.rglob("*.ckr")):
        text = path.read_text(encoding="utf-8")
        header = _HEADER.search(text)
        assert header is not None, path
        imports = [(path.parent / name).resolve() for name in _IMPORT.findall(text)]
        found.append(RuleFile(path, header[1], header[2], _RULE.findall(text), imports))
    return found


def read_data_file(path: Path) -> Any:
    if path.suffix == ".toml":
        return json_compatible(tomllib.loads(path.read_text(encoding="utf-8")))
    return json.loads(path.read_text(encoding="utf-8"))


def data_files() -> list[Path]:
    """Every JSON and TOML data file of the example datasets (folders with a dataset)."""
    found = []
    for folder in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        files = sorted([*folder.glob("*.json"), *folder.glob("*.toml")])
        if any("dataset" in read_data_file(f) for f in files):
            found.extend(files)
    return found


def whole_example() -> dict[str, Any]:
    """The bundled example as one data file (participants from CSV inline)."""
    document: dict[str, Any] = json.loads(dump_dataset(load_dataset(EXAMPLE)))
    return document


def small_example() -> dict[str, Any]:
    """The bundled example cut down to its first cluster and what concerns it."""
    document = whole_example()
    cluster = document["clusters"][0]
    cid = cluster["id"]
    small = {
        "dataset": document["dataset"],
        "regions": [r for r in document["regions"] if r["code"] in cluster["regions"]],
        "sectors": [s for s in document["sectors"] if s["code"] == cluster["sector"]],
        "clusters": [cluster],
    }
    link = cluster["links"][0]
    kept = {cluster["coordinator"], link["supplier"], link["customer"]}
    cluster["participants"] = [p for p in cluster["participants"] if p["id"] in kept]
    cluster["links"] = [link]
    for name in ("applications", "programmes", "series", "obligations"):
        small[name] = [item for item in document.get(name, ()) if item["cluster"] == cid][:2]
    small["figures"] = document["figures"][:2]
    small["benchmarks"] = document["benchmarks"][:1]
    return small


def validator(name: str, schema: Schema | None = None) -> jsonschema.Draft202012Validator:
    return validator_of(build(name, schema))


def validator_of(document: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """A validator of a JSON Schema document, once the document is known to be valid."""
    jsonschema.Draft202012Validator.check_schema(document)
    return jsonschema.Draft202012Validator(
        document, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def errors(name: str, instance: Any, schema: Schema | None = None) -> list[str]:
    """Each validation error as ``json path: message``."""
    return errors_against(build(name, schema), instance)


def errors_against(document: dict[str, Any], instance: Any) -> list[str]:
    """Each error of ``instance`` against the schema ``document``, as ``json path: message``."""
    found = validator_of(document).iter_errors(instance)
    return sorted(f"{e.json_path}: {e.message}" for e in found)


class Client:
    """A synchronous HTTP client for an ASGI app, in-process (httpx's ASGI transport)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
                return await client.request(method, url, **kwargs)

        return asyncio.run(send())

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)
