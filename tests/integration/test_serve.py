"""``clusterkit serve``: a real server on the loopback address, answering a real client;
and the command's refusals (bad rules, no ``server`` extra), which never start one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from clusterkit.server.openapi import EXAMPLE_REQUEST
from tests.cli.runner import run
from tests.integration.helpers import RULES, rule_files


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[httpx.Client]:
    """``clusterkit serve`` in a process of its own; a client of it once it answers
    (straight to the loopback address, whatever proxy the environment names)."""
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "clusterkit", "serve", "--port", str(port), "--rules", str(RULES)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "CLUSTERKIT_LANG": "en"},
    )
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False, timeout=30)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                client.get("/rulebooks")
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail((tmp_path / "server.log").read_text())
                time.sleep(0.2)
        yield client
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=10)
        log.close()
    assert "serving on http://127.0.0.1" in (tmp_path / "server.log").read_text()


def test_a_real_server_answers_a_real_client(server: httpx.Client) -> None:
    listed = server.get("/rulebooks").json()["rulebooks"]
    assert sorted(b["id"] for b in listed) == sorted(f.id for f in rule_files())
    response = server.post("/evaluate", json=EXAMPLE_REQUEST)
    assert response.status_code == 200
    assert response.json()["schema"] == "clusterkit.results/1"
    response = server.post("/evaluate", content=b"{")
    assert response.status_code == 400
    assert response.json()["diagnostics"][0]["code"] == "D102"
    assert server.get("/openapi.json").json()["openapi"] == "3.1.0"


def test_serve_with_broken_rules_exits_2_before_listening(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ckr"
    broken.write_text("rulebook x\nrule r for each p in projectz\n  require 1 > 0\n", "utf-8")
    code, _, err = run("serve", "--rules", str(broken), "--port", str(free_port()))
    assert code == 2
    assert "error[R201]" in err


def test_serve_with_a_store_it_cannot_open_exits_2_before_listening(tmp_path: Path) -> None:
    port = str(free_port())
    code, _, err = run("serve", "--store", "nope://x", "--port", port)
    assert code == 2
    assert "nope" in err
    assert "Traceback" not in err
    missing = tmp_path / "absent" / "store.sqlite3"
    code, _, err = run("serve", "--store", f"sqlite://{missing}", "--port", port)
    assert code == 2
    assert str(missing) in err
    assert not missing.parent.exists()


def test_serve_without_the_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    code, _, err = run("serve")
    assert code == 2
    assert "pip install 'clusterkit[server]'" in err
    code, _, err = run("serve", env={"CLUSTERKIT_LANG": "ru"})
    assert "дополнительный пакет" in err


HEAVY = ("starlette", "uvicorn", "jsonschema", "clusterkit.server", "clusterkit.jsonschema")


def test_starting_the_cli_loads_no_server_and_no_schemas() -> None:
    script = "\n".join(
        [
            "import sys",
            "import clusterkit.cli",
            "try:",
            "    clusterkit.cli.main(['--help'])",
            "except SystemExit:",
            "    pass",
            f"print(sorted(m for m in sys.modules if m.startswith({HEAVY!r})))",
        ]
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"
